package vector

import (
	"encoding/binary"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"
)

// Postgres binary format (the typsend / typreceive functions): big-endian
// integers and IEEE floats; numeric as numeric_send's base-10000 digits;
// date as int32 days and timestamps as int64 µs since 2000-01-01; time as
// int64 µs; interval as int64 µs, int32 days, int32 months; jsonb as a
// version byte 1 followed by its text.

// Sign words of the binary numeric format.
const (
	numericPos     = 0x0000
	numericNeg     = 0x4000
	numericNaNSign = 0xC000
	numericPInf    = 0xD000
	numericNInf    = 0xF000
)

// AppendBinary appends the binary form of row i of arr (a column of type t;
// the row must not be NULL).
func AppendBinary(buf []byte, arr arrow.Array, t Type, i int) []byte {
	switch t.Kind {
	case KindBool:
		if arr.(*array.Boolean).Value(i) {
			return append(buf, 1)
		}
		return append(buf, 0)
	case KindInt2:
		return binary.BigEndian.AppendUint16(buf, uint16(arr.(*array.Int16).Value(i)))
	case KindInt4:
		return binary.BigEndian.AppendUint32(buf, uint32(arr.(*array.Int32).Value(i)))
	case KindInt8:
		return binary.BigEndian.AppendUint64(buf, uint64(arr.(*array.Int64).Value(i)))
	case KindFloat4:
		return binary.BigEndian.AppendUint32(buf, math.Float32bits(arr.(*array.Float32).Value(i)))
	case KindFloat8:
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(arr.(*array.Float64).Value(i)))
	case KindNumeric:
		return appendNumericBinary(buf, storedNumeric(arr.(*array.String).Value(i)))
	case KindText, KindVarchar, KindUnknown, KindName:
		return append(buf, arr.(*array.String).Value(i)...)
	case KindChar:
		if v := arr.(*array.String).Value(i); v != "" {
			return append(buf, v[0])
		}
		return append(buf, 0)
	case KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		return binary.BigEndian.AppendUint32(buf, uint32(arr.(*array.Int64).Value(i)))
	case KindJSONB:
		return append(append(buf, 1), arr.(*array.String).Value(i)...)
	case KindBytea:
		return append(buf, arr.(*array.Binary).Value(i)...)
	case KindArray, KindInt2Vector, KindOIDVector:
		return appendArrayBinary(buf, t, arr.(*array.String).Value(i))
	case KindRecord:
		return appendRecordBinary(buf, t, arr.(*array.String).Value(i))
	case KindDate:
		return binary.BigEndian.AppendUint32(buf, uint32(dateToPG(DateValue(arr.(*array.Date32).Value(i)))))
	case KindTime:
		return binary.BigEndian.AppendUint64(buf, uint64(arr.(*array.Time64).Value(i)))
	case KindTimestamp, KindTimestampTZ:
		return binary.BigEndian.AppendUint64(buf, uint64(timestampToPG(int64(arr.(*array.Timestamp).Value(i)))))
	case KindInterval:
		v := intervalFromArrow(arr.(*array.MonthDayNanoInterval).Value(i))
		buf = binary.BigEndian.AppendUint64(buf, uint64(v.Micros))
		buf = binary.BigEndian.AppendUint32(buf, uint32(v.Days))
		return binary.BigEndian.AppendUint32(buf, uint32(v.Months))
	}
	panic("vector: AppendBinary of unsupported type " + t.String())
}

// dateToPG converts days since 1970 to Postgres' days since 2000,
// keeping the infinities.
func dateToPG(v DateValue) int32 {
	if v == dateInfinity || v == dateNegInfinity {
		return int32(v)
	}
	return int32(v) - pgEpochDays
}

// timestampToPG converts µs since 1970 to Postgres' µs since 2000.
func timestampToPG(us int64) int64 {
	if us == tsInfinity || us == tsNegInfinity {
		return us
	}
	return us - pgEpochMicros
}

// appendNumericBinary appends numeric_send's format: ndigits, weight, sign,
// dscale (int16 each), then ndigits base-10000 digits.
func appendNumericBinary(buf []byte, d *apd.Decimal) []byte {
	var sign uint16
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		sign = numericNaNSign
	case apd.Infinite:
		sign = numericPInf
		if d.Negative {
			sign = numericNInf
		}
	}
	if sign != 0 {
		buf = binary.BigEndian.AppendUint16(buf, 0)
		buf = binary.BigEndian.AppendUint16(buf, 0)
		buf = binary.BigEndian.AppendUint16(buf, sign)
		return binary.BigEndian.AppendUint16(buf, 0)
	}
	if d.Negative {
		sign = numericNeg
	}
	dscale := numericScale(d)
	// Lay the digits out so that the point falls on a 4-digit boundary.
	coeff := d.Coeff.String()
	if coeff == "0" {
		coeff = ""
	}
	intDigits := len(coeff) - int(dscale)
	lead := (4 - intDigits%4) % 4
	if intDigits < 0 {
		lead = (4 - (intDigits%4+4)%4) % 4
	}
	padded := strings.Repeat("0", lead) + coeff + strings.Repeat("0", (4-(lead+len(coeff))%4)%4)
	weight := divFloor(int64(intDigits+lead), 4) - 1
	groups := make([]uint16, 0, len(padded)/4)
	for k := 0; k+4 <= len(padded); k += 4 {
		g := uint16(padded[k]-'0')*1000 + uint16(padded[k+1]-'0')*100 + uint16(padded[k+2]-'0')*10 + uint16(padded[k+3]-'0')
		groups = append(groups, g)
	}
	for len(groups) > 0 && groups[0] == 0 {
		groups = groups[1:]
		weight--
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	if len(groups) == 0 {
		weight, sign = 0, numericPos
	}
	buf = binary.BigEndian.AppendUint16(buf, uint16(len(groups)))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(dscale))
	for _, g := range groups {
		buf = binary.BigEndian.AppendUint16(buf, g)
	}
	return buf
}

// errBinaryFormat is the error for binary input of the wrong shape.
func errBinaryFormat() error {
	return Errorf(CodeInvalidBinaryRepresentation, "incorrect binary data format")
}

// binaryWidths is the length of the binary form of fixed-width kinds (0
// for variable-length ones).
var binaryWidths = [numKinds]int{KindBool: 1, KindInt2: 2, KindInt4: 4, KindInt8: 8, KindFloat4: 4, KindFloat8: 8,
	KindDate: 4, KindTime: 8, KindTimestamp: 8, KindTimestampTZ: 8, KindInterval: 16,
	KindOID: 4, KindRegclass: 4, KindRegtype: 4, KindRegproc: 4, KindRegnamespace: 4, KindRegrole: 4, KindChar: 1}

// DecodeBinary parses the binary form of a value of type t. Malformed input
// (wrong length, bad digits) is 22P03.
func DecodeBinary(b []byte, t Type) (Datum, error) {
	if t.Kind < numKinds && binaryWidths[t.Kind] != 0 && len(b) != binaryWidths[t.Kind] {
		return nil, errBinaryFormat()
	}
	switch t.Kind {
	case KindBool:
		return b[0] != 0, nil
	case KindInt2:
		return int16(binary.BigEndian.Uint16(b)), nil
	case KindInt4:
		return int32(binary.BigEndian.Uint32(b)), nil
	case KindInt8:
		return int64(binary.BigEndian.Uint64(b)), nil
	case KindFloat4:
		return math.Float32frombits(binary.BigEndian.Uint32(b)), nil
	case KindFloat8:
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case KindNumeric:
		d, err := decodeNumericBinary(b)
		if err != nil {
			return nil, err
		}
		return NumericCheck(d, t)
	case KindText, KindVarchar, KindUnknown, KindName:
		if !utf8.Valid(b) || strings.IndexByte(string(b), 0) >= 0 {
			return nil, Errorf(CodeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
		}
		switch {
		case t.Kind == KindVarchar:
			return varcharInput(string(b), t)
		case t.Kind == KindName && len(b) > nameMaxBytes:
			e := Errorf(CodeNameTooLong, "identifier too long")
			e.Detail = "Identifier must be less than 64 characters."
			return nil, e
		}
		return string(b), nil
	case KindChar:
		return charOf(b[0]), nil
	case KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		return int64(binary.BigEndian.Uint32(b)), nil
	case KindJSONB:
		if len(b) == 0 || b[0] != 1 {
			return nil, Errorf(CodeInvalidBinaryRepresentation, "unsupported jsonb version number")
		}
		return CanonicalJSON(string(b[1:]))
	case KindBytea:
		return append([]byte(nil), b...), nil
	case KindArray, KindInt2Vector, KindOIDVector:
		return decodeArrayBinary(b, t)
	case KindDate:
		v := int32(binary.BigEndian.Uint32(b))
		if v == math.MaxInt32 || v == math.MinInt32 {
			return DateValue(v), nil
		}
		days := int64(v) + pgEpochDays
		if days < minDateDays || days > maxDateDays {
			return nil, Errorf(CodeDatetimeFieldOverflow, "date out of range")
		}
		return DateValue(days), nil
	case KindTime:
		v := int64(binary.BigEndian.Uint64(b))
		if v < 0 || v > usPerDay {
			return nil, Errorf(CodeDatetimeFieldOverflow, "time out of range")
		}
		return TimeValue(v), nil
	case KindTimestamp, KindTimestampTZ:
		v := int64(binary.BigEndian.Uint64(b))
		if v != tsInfinity && v != tsNegInfinity {
			if v > math.MaxInt64-pgEpochMicros-usPerDay || v < minDateDays*usPerDay-pgEpochMicros {
				return nil, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range")
			}
			v += pgEpochMicros
		}
		if t.Kind == KindTimestampTZ {
			return TimestampTZValue(v), nil
		}
		return TimestampValue(v), nil
	case KindInterval:
		us := int64(binary.BigEndian.Uint64(b))
		if us > maxIntervalMicros || us < -maxIntervalMicros {
			return nil, Errorf(CodeDatetimeFieldOverflow, "interval out of range")
		}
		return IntervalValue{
			Micros: us,
			Days:   int32(binary.BigEndian.Uint32(b[8:])),
			Months: int32(binary.BigEndian.Uint32(b[12:])),
		}, nil
	}
	return nil, Errorf(CodeFeatureNotSupported, "binary input of type %s is not supported", t)
}

// decodeNumericBinary parses numeric_send's format. Digits beyond dscale
// are truncated, as numeric_recv does.
func decodeNumericBinary(b []byte) (*apd.Decimal, error) {
	if len(b) < 8 {
		return nil, errBinaryFormat()
	}
	ndigits := int(binary.BigEndian.Uint16(b))
	weight := int64(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := binary.BigEndian.Uint16(b[6:])
	if len(b) != 8+2*ndigits {
		return nil, errBinaryFormat()
	}
	switch sign {
	case numericNaNSign:
		return numericNaNValue, nil
	case numericPInf:
		return &apd.Decimal{Form: apd.Infinite}, nil
	case numericNInf:
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	case numericPos, numericNeg:
	default:
		return nil, Errorf(CodeInvalidBinaryRepresentation, "invalid sign in external \"numeric\" value")
	}
	if dscale > 0x3FFF {
		return nil, Errorf(CodeInvalidBinaryRepresentation, "invalid scale in external \"numeric\" value")
	}
	var sb strings.Builder
	if sign == numericNeg {
		sb.WriteByte('-')
	}
	sb.WriteByte('0')
	for k := 0; k < ndigits; k++ {
		g := binary.BigEndian.Uint16(b[8+2*k:])
		if g >= 10000 {
			return nil, Errorf(CodeInvalidBinaryRepresentation, "invalid digit in external \"numeric\" value")
		}
		sb.WriteByte(byte('0' + g/1000))
		sb.WriteByte(byte('0' + g/100%10))
		sb.WriteByte(byte('0' + g/10%10))
		sb.WriteByte(byte('0' + g%10))
	}
	exp := 4 * (weight - int64(ndigits) + 1)
	if exp > numericMaxExponent || exp < -numericMaxExponent {
		return nil, errNumericOverflow()
	}
	d, _, err := apd.NewFromString(sb.String())
	if err != nil {
		return nil, errBinaryFormat()
	}
	d.Exponent = int32(exp)
	ctx := *numCtx
	ctx.Rounding = apd.RoundDown
	r := new(apd.Decimal)
	if _, err := ctx.Quantize(r, d, -int32(dscale)); err != nil {
		return nil, errNumericOverflow()
	}
	return normalizeNumeric(r)
}
