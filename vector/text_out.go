package vector

import (
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"
)

// Postgres text output of every type, as a server with DateStyle ISO,
// IntervalStyle postgres and extra_float_digits 1 (the default) prints it.

// AppendText appends the text form of row i of arr (a column of type t; the
// row must not be NULL) to buf. timestamptz values are shown in loc (UTC
// when nil).
func AppendText(buf []byte, arr arrow.Array, t Type, i int, loc *time.Location) []byte {
	switch t.Kind {
	case KindBool:
		return appendBool(buf, arr.(*array.Boolean).Value(i))
	case KindInt2:
		return strconv.AppendInt(buf, int64(arr.(*array.Int16).Value(i)), 10)
	case KindInt4:
		return strconv.AppendInt(buf, int64(arr.(*array.Int32).Value(i)), 10)
	case KindInt8:
		return strconv.AppendInt(buf, arr.(*array.Int64).Value(i), 10)
	case KindFloat4:
		return appendFloat(buf, float64(arr.(*array.Float32).Value(i)), 32)
	case KindFloat8:
		return appendFloat(buf, arr.(*array.Float64).Value(i), 64)
	case KindNumeric, KindText, KindVarchar, KindJSONB, KindUnknown, KindName:
		return append(buf, arr.(*array.String).Value(i)...)
	case KindChar:
		return appendCharText(buf, arr.(*array.String).Value(i))
	case KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		return appendOIDText(buf, t.Kind, arr.(*array.Int64).Value(i))
	case KindBytea:
		return appendByteaHex(buf, arr.(*array.Binary).Value(i))
	case KindArray, KindInt2Vector, KindOIDVector:
		return appendArrayValueText(buf, t, arr.(*array.String).Value(i), loc)
	case KindRecord:
		return append(buf, arr.(*array.String).Value(i)...)
	case KindDate:
		return appendDate(buf, DateValue(arr.(*array.Date32).Value(i)))
	case KindTime:
		return appendTime(buf, TimeValue(arr.(*array.Time64).Value(i)))
	case KindTimestamp:
		return appendTimestamp(buf, int64(arr.(*array.Timestamp).Value(i)))
	case KindTimestampTZ:
		return appendTimestampTZ(buf, int64(arr.(*array.Timestamp).Value(i)), loc)
	case KindInterval:
		return appendInterval(buf, intervalFromArrow(arr.(*array.MonthDayNanoInterval).Value(i)))
	}
	panic("vector: AppendText of unsupported type " + t.String())
}

// FormatDatum is the text form of a non-NULL Datum of type t (the caller
// handles NULL).
func FormatDatum(d Datum, t Type, loc *time.Location) string {
	return string(appendDatumText(nil, d, t, loc))
}

// appendDatumText appends the text form of a non-NULL Datum.
func appendDatumText(buf []byte, d Datum, t Type, loc *time.Location) []byte {
	switch {
	case t.Kind == KindChar:
		return appendCharText(buf, d.(string))
	case t.Kind.IsOID():
		return appendOIDText(buf, t.Kind, d.(int64))
	}
	switch v := d.(type) {
	case bool:
		return appendBool(buf, v)
	case int16:
		return strconv.AppendInt(buf, int64(v), 10)
	case int32:
		return strconv.AppendInt(buf, int64(v), 10)
	case int64:
		return strconv.AppendInt(buf, v, 10)
	case float32:
		return appendFloat(buf, float64(v), 32)
	case float64:
		return appendFloat(buf, v, 64)
	case *apd.Decimal:
		return appendNumeric(buf, v)
	case string:
		return append(buf, v...)
	case JSONValue:
		return append(buf, v...)
	case ArrayValue:
		return appendArrayValueText(buf, t, string(v), loc)
	case []byte:
		return appendByteaHex(buf, v)
	case DateValue:
		return appendDate(buf, v)
	case TimeValue:
		return appendTime(buf, v)
	case TimestampValue:
		return appendTimestamp(buf, int64(v))
	case TimestampTZValue:
		return appendTimestampTZ(buf, int64(v), loc)
	case IntervalValue:
		return appendInterval(buf, v)
	}
	panic("vector: FormatDatum of unsupported value for " + t.String())
}

func appendBool(buf []byte, b bool) []byte {
	if b {
		return append(buf, 't')
	}
	return append(buf, 'f')
}

// appendFloat prints f as Postgres 12+ does with extra_float_digits 1: the
// shortest text that reads back exactly, in exponent form when the decimal
// exponent is below -4 or at least the type's precision (15 digits for
// float8, 6 for float4), with a two-digit minimum exponent.
func appendFloat(buf []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	start := len(buf)
	buf = strconv.AppendFloat(buf, f, 'e', -1, bitSize)
	// Find the exponent of the 'e' form: d[.ddd]e±XX.
	e := len(buf) - 1
	for buf[e] != 'e' {
		e--
	}
	exp := 0
	for _, c := range buf[e+2:] {
		exp = exp*10 + int(c-'0')
	}
	if buf[e+1] == '-' {
		exp = -exp
	}
	limit := 15
	if bitSize == 32 {
		limit = 6
	}
	if exp < -4 || exp >= limit {
		return buf
	}
	return strconv.AppendFloat(buf[:start], f, 'f', -1, bitSize)
}

// appendByteaHex appends bytea in hex output format: \x0102ff.
func appendByteaHex(buf []byte, b []byte) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '\\', 'x')
	for _, c := range b {
		buf = append(buf, hex[c>>4], hex[c&15])
	}
	return buf
}
