package vector

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Expected orders checked against PostgreSQL 15 (e.g. select 1.50::numeric = 1.5,
// 'NaN'::float8 > 'Infinity'::float8, '1 month'::interval = '30 days').

func TestCompareNumericText(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.50", "1.5", 0},
		{"0.00", "0", 0},
		{"-0.0", "0", 0},
		{"10", "9.99", 1},
		{"-10", "-9.99", -1},
		{"0.001", "0.01", -1},
		{"-1", "0", -1},
		{"123.456", "123.4561", -1},
		{"NaN", "Infinity", 1},
		{"NaN", "NaN", 0},
		{"-Infinity", "-1e100", -1},
		{"Infinity", "99999999999999999999", 1},
	}
	for _, tc := range tests {
		if got := CompareNumericText([]byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("CompareNumericText(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := CompareNumericText([]byte(tc.b), []byte(tc.a)); got != -tc.want {
			t.Errorf("CompareNumericText(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

func TestCompareFloat(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		a, b float64
		want int
	}{
		{math.Copysign(0, -1), 0, 0},
		{nan, nan, 0},
		{nan, inf, 1},
		{-inf, -1e308, -1},
		{1, 2, -1},
	}
	for _, tc := range tests {
		if got := CompareFloat(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareFloat(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCompareInterval(t *testing.T) {
	iv := func(m, d int32, us int64) arrow.MonthDayNanoInterval {
		return arrow.MonthDayNanoInterval{Months: m, Days: d, Nanoseconds: us * 1000}
	}
	tests := []struct {
		a, b arrow.MonthDayNanoInterval
		want int
	}{
		{iv(1, 0, 0), iv(0, 30, 0), 0},
		{iv(0, 1, 0), iv(0, 0, usecsPerDay), 0},
		{iv(0, 1, -1), iv(0, 0, usecsPerDay-1), 0},
		{iv(0, 0, -1), iv(0, 0, 0), -1},
		{iv(0, -1, 0), iv(0, 0, -usecsPerDay), 0},
		{iv(1, 0, 1), iv(0, 30, 0), 1},
	}
	for _, tc := range tests {
		if got := CompareInterval(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareInterval(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestEqualAtAndCompareAt(t *testing.T) {
	sb := array.NewStringBuilder(Mem)
	sb.AppendValues([]string{"b", "a", "", "b"}, []bool{true, true, false, true})
	s := sb.NewStringArray()
	ib := array.NewInt32Builder(Mem)
	ib.AppendValues([]int32{3, 1, 0, 3}, []bool{true, true, false, true})
	ints := ib.NewInt32Array()
	tests := []struct {
		name  string
		arr   arrow.Array
		typ   Type
		i, j  int
		equal bool
		cmp   int // only when neither is NULL
	}{
		{"text equal", s, Text, 0, 3, true, 0},
		{"text greater", s, Text, 0, 1, false, 1},
		{"text null vs value", s, Text, 2, 1, false, 0},
		{"text null vs null", s, Text, 2, 2, true, 0},
		{"int4 less", ints, Int4, 1, 0, false, -1},
		{"int4 null vs null", ints, Int4, 2, 2, true, 0},
	}
	for _, tc := range tests {
		if got := EqualAt(tc.arr, tc.i, tc.arr, tc.j, tc.typ); got != tc.equal {
			t.Errorf("%s: EqualAt = %v, want %v", tc.name, got, tc.equal)
		}
		if tc.arr.IsNull(tc.i) || tc.arr.IsNull(tc.j) {
			continue
		}
		if got := CompareAt(tc.arr, tc.i, tc.arr, tc.j, tc.typ); got != tc.cmp {
			t.Errorf("%s: CompareAt = %d, want %d", tc.name, got, tc.cmp)
		}
	}
}
