package vector

import (
	"bytes"
	"fmt"
	"math"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/cockroachdb/apd/v3"
)

// This file moves single values (Datum, see datum.go) in and out of Arrow
// columns, and orders them.

// ValueAt is row i of arr, a column of type t, as a Datum (nil when NULL).
func ValueAt(arr arrow.Array, t Type, i int) Datum {
	if arr.IsNull(i) {
		return nil
	}
	switch t.Kind {
	case KindBool:
		return arr.(*array.Boolean).Value(i)
	case KindInt2:
		return arr.(*array.Int16).Value(i)
	case KindInt4:
		return arr.(*array.Int32).Value(i)
	case KindInt8, KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		return arr.(*array.Int64).Value(i)
	case KindFloat4:
		return arr.(*array.Float32).Value(i)
	case KindFloat8:
		return arr.(*array.Float64).Value(i)
	case KindNumeric:
		return storedNumeric(arr.(*array.String).Value(i))
	case KindText, KindVarchar, KindUnknown, KindName, KindChar:
		return arr.(*array.String).Value(i)
	case KindJSONB:
		return JSONValue(arr.(*array.String).Value(i))
	case KindArray, KindInt2Vector, KindOIDVector:
		return ArrayValue(arr.(*array.String).Value(i))
	case KindRecord:
		return arr.(*array.String).Value(i)
	case KindBytea:
		return bytes.Clone(arr.(*array.Binary).Value(i))
	case KindDate:
		return DateValue(arr.(*array.Date32).Value(i))
	case KindTime:
		return TimeValue(arr.(*array.Time64).Value(i))
	case KindTimestamp:
		return TimestampValue(arr.(*array.Timestamp).Value(i))
	case KindTimestampTZ:
		return TimestampTZValue(arr.(*array.Timestamp).Value(i))
	case KindInterval:
		return intervalFromArrow(arr.(*array.MonthDayNanoInterval).Value(i))
	}
	panic(fmt.Sprintf("vector: ValueAt of unsupported kind %d", t.Kind))
}

// storedNumeric parses the canonical text of a stored numeric. Stored text
// is always valid; anything else reads as NaN rather than failing.
func storedNumeric(s string) *apd.Decimal {
	d, err := ParseNumeric(s)
	if err != nil {
		return numericNaNValue
	}
	return d
}

// intervalFromArrow converts the physical interval (nanoseconds) to a Datum.
func intervalFromArrow(v arrow.MonthDayNanoInterval) IntervalValue {
	return IntervalValue{Months: v.Months, Days: v.Days, Micros: v.Nanoseconds / 1000}
}

// intervalToArrow converts an interval Datum to its physical form.
func intervalToArrow(v IntervalValue) arrow.MonthDayNanoInterval {
	return arrow.MonthDayNanoInterval{Months: v.Months, Days: v.Days, Nanoseconds: v.Micros * 1000}
}

// Builder accumulates a column of one SQL type from Datums or rows of other
// columns of the same type.
type Builder struct {
	t Type
	b array.Builder
	// scratch is reused by AppendText to canonicalize numeric input.
	scratch []byte
}

// NewBuilder returns a builder of a column of type t with room for capacity rows.
func NewBuilder(t Type, capacity int) *Builder {
	b := array.NewBuilder(Mem, t.ArrowType())
	b.Reserve(capacity)
	return &Builder{t: t, b: b}
}

// Len is the number of rows appended so far.
func (b *Builder) Len() int { return b.b.Len() }

// AppendNull appends a NULL.
func (b *Builder) AppendNull() { b.b.AppendNull() }

// Append appends d, which must be nil (NULL) or of the Go type of the
// builder's SQL type (see Datum); another Go type panics (a programming error).
func (b *Builder) Append(d Datum) {
	if d == nil {
		b.b.AppendNull()
		return
	}
	switch bb := b.b.(type) {
	case *array.BooleanBuilder:
		bb.Append(d.(bool))
	case *array.Int16Builder:
		bb.Append(d.(int16))
	case *array.Int32Builder:
		bb.Append(d.(int32))
	case *array.Int64Builder:
		bb.Append(d.(int64))
	case *array.Float32Builder:
		bb.Append(d.(float32))
	case *array.Float64Builder:
		bb.Append(d.(float64))
	case *array.StringBuilder:
		switch b.t.Kind {
		case KindNumeric:
			bb.Append(FormatNumeric(d.(*apd.Decimal)))
		case KindJSONB:
			bb.Append(string(d.(JSONValue)))
		case KindArray, KindInt2Vector, KindOIDVector:
			bb.Append(string(d.(ArrayValue)))
		default:
			bb.Append(d.(string))
		}
	case *array.BinaryBuilder:
		bb.Append(d.([]byte))
	case *array.Date32Builder:
		bb.Append(arrow.Date32(d.(DateValue)))
	case *array.Time64Builder:
		bb.Append(arrow.Time64(d.(TimeValue)))
	case *array.TimestampBuilder:
		if b.t.Kind == KindTimestampTZ {
			bb.Append(arrow.Timestamp(d.(TimestampTZValue)))
		} else {
			bb.Append(arrow.Timestamp(d.(TimestampValue)))
		}
	case *array.MonthDayNanoIntervalBuilder:
		bb.Append(intervalToArrow(d.(IntervalValue)))
	default:
		panic(fmt.Sprintf("vector: Builder.Append for %s", b.t))
	}
}

// AppendText appends the value whose Postgres text input is s (never
// NULL: the caller decides what text means NULL), reading a timestamptz
// without zone in loc (UTC when nil). Errors are those of ParseText, and
// nothing is appended on error. Common types are parsed straight into the
// column without allocating; s is not retained.
func (b *Builder) AppendText(s []byte, loc *time.Location) error {
	// str aliases s: the parsers only read it, and errors copy what they quote.
	str := unsafe.String(unsafe.SliceData(s), len(s))
	switch bb := b.b.(type) {
	case *array.Int16Builder:
		v, err := parseInt2(str)
		return appendOK(bb, v, err)
	case *array.Int32Builder:
		v, err := parseInt4(str)
		return appendOK(bb, v, err)
	case *array.Int64Builder:
		if b.t.Kind.IsOID() {
			v, err := oidInput(nil, str, b.t.Kind)
			return appendOK(bb, v, err)
		}
		v, err := parseInt8(str)
		return appendOK(bb, v, err)
	case *array.Float32Builder:
		v, err := parseFloat4(str)
		return appendOK(bb, v, err)
	case *array.Float64Builder:
		v, err := parseFloat8(str)
		return appendOK(bb, v, err)
	case *array.Date32Builder:
		v, err := dtContext{loc: loc}.parseDate(str)
		return appendOK(bb, arrow.Date32(v), err)
	case *array.Time64Builder:
		v, err := dtContext{loc: loc}.parseTime(str)
		return appendOK(bb, arrow.Time64(v), err)
	case *array.TimestampBuilder:
		v, err := dtContext{loc: loc}.parseTimestamp(str, b.t.Kind == KindTimestampTZ)
		return appendOK(bb, arrow.Timestamp(v), err)
	case *array.StringBuilder:
		return b.appendStringText(bb, s, str, loc)
	}
	d, err := ParseText(string(s), b.t, loc)
	if err != nil {
		return err
	}
	b.Append(d)
	return nil
}

// appendOK appends v to bb when err is nil, and returns err.
func appendOK[T any, B interface{ Append(T) }](bb B, v T, err error) error {
	if err == nil {
		bb.Append(v)
	}
	return err
}

// appendStringText is AppendText for the types stored as strings; s and
// str are the same bytes, timestamptz array elements without zone read in
// loc.
func (b *Builder) appendStringText(bb *array.StringBuilder, s []byte, str string, loc *time.Location) error {
	switch {
	case b.t.Kind == KindText || b.t.Kind == KindUnknown:
		bb.BinaryBuilder.Append(s)
	case b.t.Kind == KindVarchar:
		v, err := varcharInput(str, b.t)
		if err != nil {
			return err
		}
		bb.BinaryBuilder.Append(s[:len(v)]) // v is a prefix of s
	case b.t.Kind == KindNumeric && !hasConstraint(b.t):
		var err error
		if b.scratch, err = appendNumericText(b.scratch[:0], str); err != nil {
			return err
		}
		bb.BinaryBuilder.Append(b.scratch)
	default:
		d, err := ParseText(string(s), b.t, loc)
		if err != nil {
			return err
		}
		b.Append(d)
	}
	return nil
}

// AppendFrom appends row i of arr, a column of the builder's type.
func (b *Builder) AppendFrom(arr arrow.Array, i int) {
	if arr.IsNull(i) {
		b.b.AppendNull()
		return
	}
	switch bb := b.b.(type) {
	case *array.BooleanBuilder:
		bb.Append(arr.(*array.Boolean).Value(i))
	case *array.Int16Builder:
		bb.Append(arr.(*array.Int16).Value(i))
	case *array.Int32Builder:
		bb.Append(arr.(*array.Int32).Value(i))
	case *array.Int64Builder:
		bb.Append(arr.(*array.Int64).Value(i))
	case *array.Float32Builder:
		bb.Append(arr.(*array.Float32).Value(i))
	case *array.Float64Builder:
		bb.Append(arr.(*array.Float64).Value(i))
	case *array.StringBuilder:
		bb.Append(arr.(*array.String).Value(i))
	case *array.BinaryBuilder:
		bb.Append(arr.(*array.Binary).Value(i))
	case *array.Date32Builder:
		bb.Append(arr.(*array.Date32).Value(i))
	case *array.Time64Builder:
		bb.Append(arr.(*array.Time64).Value(i))
	case *array.TimestampBuilder:
		bb.Append(arr.(*array.Timestamp).Value(i))
	case *array.MonthDayNanoIntervalBuilder:
		bb.Append(arr.(*array.MonthDayNanoInterval).Value(i))
	default:
		panic(fmt.Sprintf("vector: Builder.AppendFrom for %s", b.t))
	}
}

// Finish returns the column built so far and resets the builder.
func (b *Builder) Finish() arrow.Array { return b.b.NewArray() }

// ArrayOf is a column of type t holding vals (nil entries are NULL).
func ArrayOf(t Type, vals ...Datum) arrow.Array {
	b := NewBuilder(t, len(vals))
	for _, v := range vals {
		b.Append(v)
	}
	return b.Finish()
}

// ConstArray is a column of n copies of d (all NULL when d is nil).
func ConstArray(t Type, d Datum, n int) arrow.Array {
	if d == nil {
		return array.MakeArrayOfNull(Mem, t.ArrowType(), n)
	}
	switch v := d.(type) {
	case int16:
		return fixedArray(t, repeat(v, n))
	case int32:
		return fixedArray(t, repeat(v, n))
	case int64:
		return fixedArray(t, repeat(v, n))
	case float32:
		return fixedArray(t, repeat(v, n))
	case float64:
		return fixedArray(t, repeat(v, n))
	case DateValue:
		return fixedArray(t, repeat(v, n))
	case TimeValue:
		return fixedArray(t, repeat(v, n))
	case TimestampValue:
		return fixedArray(t, repeat(v, n))
	case TimestampTZValue:
		return fixedArray(t, repeat(v, n))
	case IntervalValue:
		return fixedArray(t, repeat(intervalToArrow(v), n))
	case string:
		return repeatedBytes(t, []byte(v), n)
	case JSONValue:
		return repeatedBytes(t, []byte(v), n)
	case ArrayValue:
		return repeatedBytes(t, []byte(v), n)
	case []byte:
		return repeatedBytes(t, v, n)
	case *apd.Decimal:
		return repeatedBytes(t, []byte(FormatNumeric(v)), n)
	}
	b := NewBuilder(t, n)
	for range n {
		b.Append(d)
	}
	return b.Finish()
}

// repeat is n copies of v.
func repeat[T any](v T, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// fixedArray wraps vals, of the physical element type of t, as a column
// without NULLs (no copy).
func fixedArray[T arrow.FixedWidthType](t Type, vals []T) arrow.Array {
	data := array.NewData(t.ArrowType(), len(vals),
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.GetBytes(vals))}, nil, 0, 0)
	return array.MakeFromData(data)
}

// repeatedBytes is a String or Binary column of n copies of v.
func repeatedBytes(t Type, v []byte, n int) arrow.Array {
	offs := make([]int32, n+1)
	data := bytes.Repeat(v, n)
	for i := range offs {
		offs[i] = int32(i * len(v))
	}
	d := array.NewData(t.ArrowType(), n,
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.GetBytes(offs)), memory.NewBufferBytes(data)}, nil, 0, 0)
	return array.MakeFromData(d)
}

// CompareDatum orders two non-NULL values of type t as ORDER BY does:
// Postgres' order for every type (text bytewise as the C collation; floats
// with NaN greatest and -0 equal to 0; intervals by span; numerics by value;
// jsonb as Postgres, see jsonb_cmp.go).
func CompareDatum(t Type, a, b Datum) int {
	switch t.Kind {
	case KindBool:
		return cmpOrdered(boolRank(a.(bool)), boolRank(b.(bool)))
	case KindInt2:
		return cmpOrdered(int64(a.(int16)), int64(b.(int16)))
	case KindInt4:
		return cmpOrdered(int64(a.(int32)), int64(b.(int32)))
	case KindInt8, KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		return cmpOrdered(a.(int64), b.(int64))
	case KindFloat4:
		return compareFloat(float64(a.(float32)), float64(b.(float32)))
	case KindFloat8:
		return compareFloat(a.(float64), b.(float64))
	case KindNumeric:
		return NumericCompare(a.(*apd.Decimal), b.(*apd.Decimal))
	case KindText, KindVarchar, KindUnknown, KindName, KindChar:
		return cmpOrdered(a.(string), b.(string))
	case KindBytea:
		return bytes.Compare(a.([]byte), b.([]byte))
	case KindDate:
		return cmpOrdered(int64(a.(DateValue)), int64(b.(DateValue)))
	case KindTime:
		return cmpOrdered(int64(a.(TimeValue)), int64(b.(TimeValue)))
	case KindTimestamp:
		return cmpOrdered(int64(a.(TimestampValue)), int64(b.(TimestampValue)))
	case KindTimestampTZ:
		return cmpOrdered(int64(a.(TimestampTZValue)), int64(b.(TimestampTZValue)))
	case KindInterval:
		return compareInterval(a.(IntervalValue), b.(IntervalValue))
	case KindJSONB:
		return compareJSON(a.(JSONValue), b.(JSONValue))
	case KindArray, KindInt2Vector, KindOIDVector:
		return compareArrayText(t, string(a.(ArrayValue)), string(b.(ArrayValue)))
	case KindRecord:
		return compareRecordText(t, a.(string), b.(string))
	}
	panic(fmt.Sprintf("vector: CompareDatum of unsupported kind %d", t.Kind))
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compareFloat is Postgres' float order: NaN equals NaN and is greater than
// every other value; -0 equals 0.
func compareFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
