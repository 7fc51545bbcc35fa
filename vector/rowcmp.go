package vector

import (
	"bytes"
	"cmp"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Row comparison in Postgres order, straight from Arrow buffers.
//
// The order of every type is the one of Postgres' default btree operator
// class: text and bytea bytewise (C collation); floats with -0 equal to 0 and
// NaN equal to NaN and greater than every other value; numeric by value,
// NaN greatest; intervals by their total span with a month counted as 30
// days and a day as 24 hours; jsonb as Postgres orders it (see jsonb_cmp.go).

// EqualAt reports whether row i of a and row j of b (both of type t) are
// equal as GROUP BY and DISTINCT see them: NULL equals NULL. Callers that
// need SQL join semantics check NULLs themselves.
func EqualAt(a arrow.Array, i int, b arrow.Array, j int, t Type) bool {
	an, bn := a.IsNull(i), b.IsNull(j)
	if an || bn {
		return an == bn
	}
	return CompareAt(a, i, b, j, t) == 0
}

// CompareAt orders row i of a against row j of b (both of type t): negative,
// zero or positive. Neither row may be NULL; callers place NULLs themselves
// (NULLS FIRST / LAST).
func CompareAt(a arrow.Array, i int, b arrow.Array, j int, t Type) int {
	switch t.Kind {
	case KindBool:
		return compareBool(a.(*array.Boolean).Value(i), b.(*array.Boolean).Value(j))
	case KindInt2:
		return cmp.Compare(a.(*array.Int16).Value(i), b.(*array.Int16).Value(j))
	case KindInt4:
		return cmp.Compare(a.(*array.Int32).Value(i), b.(*array.Int32).Value(j))
	case KindInt8, KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		return cmp.Compare(a.(*array.Int64).Value(i), b.(*array.Int64).Value(j))
	case KindDate:
		return cmp.Compare(a.(*array.Date32).Value(i), b.(*array.Date32).Value(j))
	case KindTime:
		return cmp.Compare(a.(*array.Time64).Value(i), b.(*array.Time64).Value(j))
	case KindTimestamp, KindTimestampTZ:
		return cmp.Compare(a.(*array.Timestamp).Value(i), b.(*array.Timestamp).Value(j))
	case KindFloat4:
		return CompareFloat(float64(a.(*array.Float32).Value(i)), float64(b.(*array.Float32).Value(j)))
	case KindFloat8:
		return CompareFloat(a.(*array.Float64).Value(i), b.(*array.Float64).Value(j))
	case KindNumeric:
		return CompareNumericText(rowBytes(a, i), rowBytes(b, j))
	case KindInterval:
		return CompareInterval(a.(*array.MonthDayNanoInterval).Value(i), b.(*array.MonthDayNanoInterval).Value(j))
	case KindJSONB:
		return compareJSONText(rowBytes(a, i), rowBytes(b, j))
	case KindArray, KindInt2Vector, KindOIDVector:
		return compareArrayText(t, string(rowBytes(a, i)), string(rowBytes(b, j)))
	case KindRecord:
		return compareRecordText(t, string(rowBytes(a, i)), string(rowBytes(b, j)))
	}
	return bytes.Compare(rowBytes(a, i), rowBytes(b, j))
}

// rowBytes is the bytes of row i of a String or Binary column, without copying.
func rowBytes(a arrow.Array, i int) []byte {
	offs, data := RawBytes(a)
	return data[offs[i]:offs[i+1]]
}

// RawBytes gives direct access to a String or Binary column, without
// copying: row i is data[offs[i]:offs[i+1]] (offsets are absolute in data,
// the array's slice offset already applied to offs). It panics on a column
// of another type.
func RawBytes(a arrow.Array) (offs []int32, data []byte) {
	switch s := a.(type) {
	case *array.String:
		offs = s.ValueOffsets()
	case *array.Binary:
		offs = s.ValueOffsets()
	default:
		panic("vector: not a string column: " + a.DataType().String())
	}
	if bufs := a.Data().Buffers(); len(bufs) > 2 && bufs[2] != nil {
		data = bufs[2].Bytes()
	}
	return offs, data
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// CompareFloat orders floats as Postgres does: -0 equals 0, NaN equals NaN
// and is greater than every other value (Infinity included).
func CompareFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an || bn:
		return compareBool(an, bn)
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// usecsPerDay is the number of microseconds in a day of an interval.
const usecsPerDay = 86_400_000_000

// intervalSpan is the total span of an interval as Postgres compares it
// (interval_cmp_value): a month is 30 days and a day 24 hours. The span is
// days*usecsPerDay + micros with 0 <= micros < usecsPerDay, so two
// intervals compare equal exactly when their spans are identical.
func intervalSpan(v arrow.MonthDayNanoInterval) (days, micros int64) {
	days = int64(v.Months)*30 + int64(v.Days)
	micros = v.Nanoseconds / 1000
	days += micros / usecsPerDay
	micros %= usecsPerDay
	if micros < 0 {
		micros += usecsPerDay
		days--
	}
	return days, micros
}

// CompareInterval orders intervals by their total span (see intervalSpan).
func CompareInterval(a, b arrow.MonthDayNanoInterval) int {
	ad, au := intervalSpan(a)
	bd, bu := intervalSpan(b)
	if c := cmp.Compare(ad, bd); c != 0 {
		return c
	}
	return cmp.Compare(au, bu)
}

// Classes of numeric values, in Postgres' order.
const (
	numNegInf = iota
	numFinite
	numPosInf
	numNaN
)

// numericKey splits the Postgres text of a numeric ("-12.50", "NaN",
// "-Infinity") into its class, sign and significant digits: intPart without
// leading zeros, fracPart without trailing zeros, so that equal values have
// equal keys. Zero is never negative.
func numericKey(s []byte) (class int, neg bool, intPart, fracPart []byte) {
	switch string(s) {
	case "NaN":
		return numNaN, false, nil, nil
	case "Infinity", "+Infinity":
		return numPosInf, false, nil, nil
	case "-Infinity":
		return numNegInf, false, nil, nil
	}
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart = s
	if dot := bytes.IndexByte(s, '.'); dot >= 0 {
		intPart, fracPart = s[:dot], s[dot+1:]
	}
	intPart = bytes.TrimLeft(intPart, "0")
	fracPart = bytes.TrimRight(fracPart, "0")
	if len(intPart) == 0 && len(fracPart) == 0 {
		neg = false
	}
	return numFinite, neg, intPart, fracPart
}

// CompareNumericText orders two numerics given as Postgres text by value.
func CompareNumericText(a, b []byte) int {
	ac, aneg, ai, af := numericKey(a)
	bc, bneg, bi, bf := numericKey(b)
	if ac != bc || ac != numFinite {
		return cmp.Compare(ac, bc)
	}
	if aneg != bneg {
		if aneg {
			return -1
		}
		return 1
	}
	c := cmp.Compare(len(ai), len(bi))
	if c == 0 {
		c = bytes.Compare(ai, bi)
	}
	if c == 0 {
		c = bytes.Compare(af, bf)
	}
	if aneg {
		return -c
	}
	return c
}

// Comparator returns a function ordering rows i and j of arr (of type t)
// as CompareAt does, with the type dispatch done once: sorts call it per
// pair. Neither row may be NULL.
func Comparator(arr arrow.Array, t Type) func(i, j int) int {
	switch t.Kind {
	case KindInt2:
		return compareValues(arr.(*array.Int16).Int16Values())
	case KindInt4:
		return compareValues(arr.(*array.Int32).Int32Values())
	case KindInt8, KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		return compareValues(arr.(*array.Int64).Int64Values())
	case KindDate:
		return compareValues(arr.(*array.Date32).Date32Values())
	case KindTime:
		return compareValues(arr.(*array.Time64).Time64Values())
	case KindTimestamp, KindTimestampTZ:
		return compareValues(arr.(*array.Timestamp).TimestampValues())
	case KindFloat4:
		v := arr.(*array.Float32).Float32Values()
		return func(i, j int) int { return CompareFloat(float64(v[i]), float64(v[j])) }
	case KindFloat8:
		v := arr.(*array.Float64).Float64Values()
		return func(i, j int) int { return CompareFloat(v[i], v[j]) }
	case KindInterval:
		v := arr.(*array.MonthDayNanoInterval).MonthDayNanoIntervalValues()
		return func(i, j int) int { return CompareInterval(v[i], v[j]) }
	case KindBool:
		a := arr.(*array.Boolean)
		return func(i, j int) int { return compareBool(a.Value(i), a.Value(j)) }
	case KindNumeric:
		offs, data := RawBytes(arr)
		return func(i, j int) int {
			return CompareNumericText(data[offs[i]:offs[i+1]], data[offs[j]:offs[j+1]])
		}
	case KindJSONB:
		offs, data := RawBytes(arr)
		return func(i, j int) int {
			return compareJSONText(data[offs[i]:offs[i+1]], data[offs[j]:offs[j+1]])
		}
	case KindArray, KindInt2Vector, KindOIDVector:
		return arrayComparator(arr, t)
	case KindRecord:
		return func(i, j int) int { return CompareAt(arr, i, arr, j, t) }
	}
	offs, data := RawBytes(arr)
	return func(i, j int) int {
		return bytes.Compare(data[offs[i]:offs[i+1]], data[offs[j]:offs[j+1]])
	}
}

// compareValues orders the elements of an ordered slice.
func compareValues[T cmp.Ordered](v []T) func(i, j int) int {
	return func(i, j int) int { return cmp.Compare(v[i], v[j]) }
}
