package vector

import (
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/cockroachdb/apd/v3"
)

// castExpr converts its argument's column to another type. assign selects
// assignment semantics for varchar(n) (too long is an error, not a cut).
type castExpr struct {
	e      Expr
	to     Type
	assign bool
}

func (c *castExpr) Type() Type { return c.to }

func (c *castExpr) Eval(ctx *EvalContext, b *Batch) (arrow.Array, error) {
	arr, err := c.e.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	return castArray(ctx, arr, c.e.Type(), c.to, c.assign)
}

func (c *castExpr) String() string { return c.e.String() + "::" + c.to.String() }

// CastArray converts a whole column from one type to another with explicit
// cast semantics (the caller has checked that the cast exists, see NewCast).
func CastArray(ctx *EvalContext, arr arrow.Array, from, to Type) (arrow.Array, error) {
	return castArray(ctx, arr, from, to, false)
}

// castArray converts a column: typed loops for the conversions among
// integers and floats, between integers or text and numeric, and from text
// to the common types; a row-at-a-time conversion through castDatum for
// the rest.
func castArray(ctx *EvalContext, arr arrow.Array, from, to Type, assign bool) (arrow.Array, error) {
	if from == to || (from.Kind == to.Kind && from.Elem == to.Elem && !hasConstraint(to)) {
		return arr, nil
	}
	if out, err, ok := castNumbers(arr, from, to); ok {
		return out, err
	}
	if out, err, ok := castOIDs(arr, from, to); ok {
		return out, err
	}
	if out, ok := castNumericText(arr, from, to); ok {
		return out, nil
	}
	if (from.Kind.IsString() && from.Kind != KindChar) || from.Kind == KindUnknown {
		if out, err, ok := castFromText(arr, to, dtContext{loc: ctx.Location, now: ctx.StatementTime}); ok {
			return out, err
		}
	}
	b := NewBuilder(to, arr.Len())
	for i := 0; i < arr.Len(); i++ {
		if arr.IsNull(i) {
			b.AppendNull()
			continue
		}
		v, err := castDatum(ctx, ValueAt(arr, from, i), from, to, assign)
		if err != nil {
			return nil, err
		}
		b.Append(v)
	}
	return b.Finish(), nil
}

// hasConstraint reports whether t carries a modifier that values must be
// checked against (numeric(p,s), varchar(n)).
func hasConstraint(t Type) bool { return t.Modifier() != -1 }

// castNumbers converts among integers and floats with typed loops; ok is
// false for any other pair.
func castNumbers(arr arrow.Array, from, to Type) (out arrow.Array, err error, ok bool) {
	switch from.Kind {
	case KindInt2:
		return castFromFixed[int16](arr, to)
	case KindInt4:
		return castFromFixed[int32](arr, to)
	case KindInt8:
		return castFromFixed[int64](arr, to)
	case KindFloat4:
		return castFromFixed[float32](arr, to)
	case KindFloat8:
		return castFromFixed[float64](arr, to)
	}
	return nil, nil, false
}

// number is the Go type of an integer or float column.
type number interface {
	~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

// castFromFixed converts a column of F to an integer or float type.
func castFromFixed[F number](arr arrow.Array, to Type) (arrow.Array, error, bool) {
	in := arrow.GetValues[F](arr.Data(), 1)
	switch to.Kind {
	case KindInt2:
		out, err := convertValues(arr, in, to, toInt[F, int16](16))
		return out, err, true
	case KindInt4:
		out, err := convertValues(arr, in, to, toInt[F, int32](32))
		return out, err, true
	case KindInt8:
		if isInt(F(0)) {
			return withValidity(arr, to, widenValues[F, int64](in)), nil, true
		}
		out, err := convertValues(arr, in, to, toInt[F, int64](64))
		return out, err, true
	case KindFloat4:
		out, err := convertValues(arr, in, to, toFloat4[F])
		return out, err, true
	case KindFloat8:
		return withValidity(arr, to, widenValues[F, float64](in)), nil, true
	}
	return nil, nil, false
}

// widenValues converts every value exactly (no range check needed).
func widenValues[F, T number](in []F) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = T(v)
	}
	return out
}

// toInt returns the checked conversion to an integer of the given width:
// floats round half to even (rint); out of range (and NaN) fails.
func toInt[F number, T int16 | int32 | int64](bits int) func(F) (T, error) {
	lo, hi := -math.Ldexp(1, bits-1), math.Ldexp(1, bits-1)
	return func(v F) (T, error) {
		if isInt(v) {
			i := int64(v)
			if !intFits(i, bits) {
				return 0, errIntRange(bits)
			}
			return T(i), nil
		}
		f := math.RoundToEven(float64(v))
		if !(f >= lo && f < hi) {
			return 0, errIntRange(bits)
		}
		return T(f), nil
	}
}

// isInt reports whether v is held in an integer Go type.
func isInt[F number](v F) bool {
	half := 0.5
	return F(half) == 0
}

// toFloat4 converts to real: integers and float8 round to nearest; a
// finite float8 too large is an overflow, a non-zero one too small an
// underflow (22003), as Postgres' float84.
func toFloat4[F number](v F) (float32, error) {
	r := float32(v)
	if !isInt(v) {
		f := float64(v)
		if math.IsInf(float64(r), 0) && !math.IsInf(f, 0) {
			return 0, Errorf(CodeNumericValueOutOfRange, "value out of range: overflow")
		}
		if r == 0 && f != 0 {
			return 0, Errorf(CodeNumericValueOutOfRange, "value out of range: underflow")
		}
	}
	return r, nil
}

// convertValues applies a checked conversion to the non-NULL rows of arr.
func convertValues[F number, T number](arr arrow.Array, in []F, to Type, conv func(F) (T, error)) (arrow.Array, error) {
	out := make([]T, len(in))
	hasNulls := arr.NullN() > 0
	for i, v := range in {
		if hasNulls && arr.IsNull(i) {
			continue
		}
		r, err := conv(v)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return withValidity(arr, to, out), nil
}

// withValidity builds a column of type to over vals with the NULLs of arr.
func withValidity[T number](arr arrow.Array, to Type, vals []T) arrow.Array {
	var valid *memory.Buffer
	if arr.NullN() > 0 {
		bits := make([]byte, bitutil.BytesForBits(int64(arr.Len())))
		bitutil.CopyBitmap(arr.NullBitmapBytes(), arr.Data().Offset(), arr.Len(), bits, 0)
		valid = memory.NewBufferBytes(bits)
	}
	data := array.NewData(to.ArrowType(), len(vals),
		[]*memory.Buffer{valid, memory.NewBufferBytes(arrow.GetBytes(vals))}, nil, arr.NullN(), 0)
	return array.MakeFromData(data)
}

// castDatum converts one non-NULL value. The cast must exist (see
// castContext); assign selects assignment semantics for varchar(n).
func castDatum(ctx *EvalContext, d Datum, from, to Type, assign bool) (Datum, error) {
	if d == nil {
		return nil, nil
	}
	loc := locOrUTC(ctx.Location)
	switch {
	case from.Kind.IsArray() || to.Kind.IsArray():
		return castArrayDatum(ctx, d, from, to, assign)
	case from.Kind == KindChar || to.Kind == KindChar:
		return castChar(d, from, to, assign)
	case from.Kind.IsOID() || to.Kind.IsOID():
		return castOIDDatum(ctx, d, from, to, assign)
	case to.Kind.IsString() || to.Kind == KindUnknown:
		return castToString(d, from, to, assign, loc)
	case from.Kind.IsString() || from.Kind == KindUnknown:
		return parseTextAt(d.(string), to, dtContext{loc: loc, now: ctx.StatementTime})
	case from.Kind == KindJSONB:
		return castFromJSON(d.(JSONValue), to)
	}
	switch to.Kind {
	case KindInt2, KindInt4, KindInt8:
		return castToInt(d, to)
	case KindFloat4, KindFloat8:
		return castToFloat(d, to)
	case KindNumeric:
		n, err := datumToNumeric(d)
		if err != nil {
			return nil, err
		}
		return NumericCheck(n, to)
	case KindBool:
		return d.(int32) != 0, nil
	}
	return castTemporal(d, to, loc)
}

// castToString is the text form of d in a string type, varchar(n) applied
// (explicit casts cut to n characters, assignment rejects longer values)
// and a name cut to its length (see nameInput).
func castToString(d Datum, from, to Type, assign bool, loc *time.Location) (Datum, error) {
	var s string
	switch v := d.(type) {
	case string:
		s = v
	case bool:
		// bool's cast to text spells the word (booltext), unlike its output.
		s = "false"
		if v {
			s = "true"
		}
	default:
		s = FormatDatum(d, from, loc)
	}
	if to.Kind == KindName {
		return nameInput(s), nil
	}
	if to.Kind != KindVarchar || to.Width <= 0 {
		return s, nil
	}
	if assign {
		return varcharInput(s, to)
	}
	if cut, long := runePrefix(s, int(to.Width)); long {
		return s[:cut], nil
	}
	return s, nil
}

// datumToNumeric converts a number to numeric (float8 through 15
// significant digits, float4 through 6, as Postgres).
func datumToNumeric(d Datum) (*apd.Decimal, error) {
	switch v := d.(type) {
	case int16:
		return NumericFromInt(int64(v)), nil
	case int32:
		return NumericFromInt(int64(v)), nil
	case int64:
		return NumericFromInt(v), nil
	case float32:
		return numericFromFloatDigits(float64(v), 6)
	case float64:
		return NumericFromFloat(v)
	case *apd.Decimal:
		return v, nil
	}
	return nil, Errorf(CodeCannotCoerce, "cannot cast to numeric")
}

// castToInt converts a number (numeric rounds half away from zero).
func castToInt(d Datum, to Type) (Datum, error) {
	bits := 64
	switch to.Kind {
	case KindInt2:
		bits = 16
	case KindInt4:
		bits = 32
	}
	var v int64
	switch x := d.(type) {
	case *apd.Decimal:
		r, err := NumericToInt(x, bits)
		if err != nil {
			return nil, err
		}
		v = r
	case bool:
		v = int64(boolRank(x))
	default:
		arr, err := CastArray(&EvalContext{}, ArrayOf(datumType(d), d), datumType(d), to)
		if err != nil {
			return nil, err
		}
		return ValueAt(arr, to, 0), nil
	}
	switch bits {
	case 16:
		return int16(v), nil
	case 32:
		return int32(v), nil
	}
	return v, nil
}

// castToFloat converts a numeric (or another number) to float4/float8.
func castToFloat(d Datum, to Type) (Datum, error) {
	x, ok := d.(*apd.Decimal)
	if !ok {
		arr, err := CastArray(&EvalContext{}, ArrayOf(datumType(d), d), datumType(d), to)
		if err != nil {
			return nil, err
		}
		return ValueAt(arr, to, 0), nil
	}
	f := NumericToFloat(x)
	if to.Kind == KindFloat8 {
		return f, nil
	}
	r := float32(f)
	if x.Form == apd.Finite && math.IsInf(float64(r), 0) {
		return nil, Errorf(CodeNumericValueOutOfRange, "%q is out of range for type real", FormatNumeric(x))
	}
	return r, nil
}

// datumType is the type of a number Datum (for re-using the column loops).
func datumType(d Datum) Type {
	switch d.(type) {
	case int16:
		return Int2
	case int32:
		return Int4
	case int64:
		return Int8
	case float32:
		return Float4
	}
	return Float8
}

// castFromJSON converts a jsonb scalar to bool or a number; another jsonb
// kind is 22023 "cannot cast jsonb string to type integer".
func castFromJSON(j JSONValue, to Type) (Datum, error) {
	kind := jsonKindName(j)
	switch {
	case to.Kind == KindBool && kind == "boolean":
		return j == "true", nil
	case to.Kind != KindBool && kind == "numeric":
		n, err := ParseNumeric(string(j))
		if err != nil {
			return nil, err
		}
		return castDatum(&EvalContext{}, n, Numeric, to, false)
	}
	return nil, Errorf(CodeInvalidParameterValue, "cannot cast jsonb %s to type %s", kind, to.Name())
}

// castTemporal converts among date, time, timestamp, timestamptz and
// interval, reading and writing wall-clock times in loc.
func castTemporal(d Datum, to Type, l *time.Location) (Datum, error) {
	switch v := d.(type) {
	case DateValue:
		us, err := dateToTimestamp(v)
		if err != nil {
			return nil, err
		}
		if to.Kind == KindTimestampTZ {
			return TimestampTZValue(localToUTC(us, l)), nil
		}
		return TimestampValue(us), nil
	case TimestampValue:
		return fromWallClock(int64(v), to, l)
	case TimestampTZValue:
		if to.Kind == KindTimestampTZ {
			return v, nil
		}
		return fromWallClock(utcToLocal(int64(v), l), to, l)
	case TimeValue:
		return IntervalValue{Micros: int64(v)}, nil
	case IntervalValue:
		us := v.Micros % usPerDay
		if us < 0 {
			us += usPerDay
		}
		return TimeValue(us), nil
	}
	return nil, Errorf(CodeCannotCoerce, "cannot cast to %s", to)
}

// dateToTimestamp is midnight of a date; dates past the timestamp range
// are 22008 "date out of range for timestamp".
func dateToTimestamp(v DateValue) (int64, error) {
	switch {
	case v == dateInfinity:
		return tsInfinity, nil
	case v == dateNegInfinity:
		return tsNegInfinity, nil
	case int64(v) > maxTimestampDays:
		return 0, Errorf(CodeDatetimeFieldOverflow, "date out of range for timestamp")
	}
	return int64(v) * usPerDay, nil
}

// fromWallClock converts a wall-clock timestamp to date, time, timestamp or
// timestamptz (interpreted in l).
func fromWallClock(us int64, to Type, l *time.Location) (Datum, error) {
	switch to.Kind {
	case KindDate:
		switch us {
		case tsInfinity:
			return dateInfinity, nil
		case tsNegInfinity:
			return dateNegInfinity, nil
		}
		return DateValue(divFloor(us, usPerDay)), nil
	case KindTime:
		if us == tsInfinity || us == tsNegInfinity {
			return nil, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
		}
		return TimeValue(us - divFloor(us, usPerDay)*usPerDay), nil
	case KindTimestamp:
		return TimestampValue(us), nil
	case KindTimestampTZ:
		return TimestampTZValue(localToUTC(us, l)), nil
	}
	return nil, Errorf(CodeCannotCoerce, "cannot cast to %s", to)
}
