package vector

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// hashesOf hashes the single column arr.
func hashesOf(arr arrow.Array, t Type) []uint64 {
	h := make([]uint64, arr.Len())
	HashColumns([]arrow.Array{arr}, []Type{t}, arr.Len(), h)
	return h
}

func TestHashEqualValuesHashEqual(t *testing.T) {
	nb := array.NewStringBuilder(Mem)
	nb.AppendValues([]string{"1.50", "1.5", "0.00", "0", "NaN", "NaN", "2", "20"}, nil)
	fb := array.NewFloat64Builder(Mem)
	fb.AppendValues([]float64{math.Copysign(0, -1), 0, math.NaN(), -math.NaN(), 1, 2}, nil)
	ib := array.NewMonthDayNanoIntervalBuilder(Mem)
	ib.AppendValues([]arrow.MonthDayNanoInterval{{Months: 1}, {Days: 30}, {Days: 1}, {Nanoseconds: usecsPerDay * 1000}, {Days: 1}, {Days: 2}}, nil)
	tests := []struct {
		name string
		arr  arrow.Array
		typ  Type
	}{
		{"numeric by value", nb.NewArray(), Numeric},
		{"float -0 and NaN", fb.NewArray(), Float8},
		{"interval by span", ib.NewArray(), Interval},
	}
	for _, tc := range tests {
		h := hashesOf(tc.arr, tc.typ)
		// Rows come in pairs: each pair equal, the last pair unequal.
		for i := 0; i+1 < len(h); i += 2 {
			equal := EqualAt(tc.arr, i, tc.arr, i+1, tc.typ)
			last := i+2 == len(h)
			if equal == last {
				t.Errorf("%s: rows %d,%d EqualAt = %v", tc.name, i, i+1, equal)
			}
			if equal && h[i] != h[i+1] {
				t.Errorf("%s: rows %d,%d equal but hash differently", tc.name, i, i+1)
			}
			if !equal && h[i] == h[i+1] {
				t.Errorf("%s: rows %d,%d differ but hash alike", tc.name, i, i+1)
			}
		}
	}
}

func TestHashNullsAndColumns(t *testing.T) {
	// Rows: (NULL, 1), (NULL, 1) with different bytes under the NULL, (NULL, 2), (1, NULL), (2, NULL).
	a := array.NewInt64Builder(Mem)
	a.AppendValues([]int64{7, 8, 7, 1, 2}, []bool{false, false, false, true, true})
	b := array.NewInt64Builder(Mem)
	b.AppendValues([]int64{1, 1, 2, 0, 0}, []bool{true, true, true, false, false})
	cols := []arrow.Array{a.NewArray(), b.NewArray()}
	h := make([]uint64, 5)
	HashColumns(cols, []Type{Int8, Int8}, 5, h)
	if h[0] != h[1] {
		t.Errorf("equal rows with NULLs hash differently")
	}
	if h[0] == h[2] || h[3] == h[4] {
		t.Errorf("rows differing beside a NULL hash alike: %x", h)
	}
	// int4 and int8 of equal value hash alike.
	i4 := array.NewInt32Builder(Mem)
	i4.AppendValues([]int32{-5, 9}, nil)
	i8 := array.NewInt64Builder(Mem)
	i8.AppendValues([]int64{-5, 9}, nil)
	h4, h8 := hashesOf(i4.NewArray(), Int4), hashesOf(i8.NewArray(), Int8)
	if h4[0] != h8[0] || h4[1] != h8[1] {
		t.Errorf("int4 and int8 hash differently")
	}
}

func TestHashSlicedStrings(t *testing.T) {
	sb := array.NewStringBuilder(Mem)
	sb.AppendValues([]string{"x", "abc", "de", "abc"}, nil)
	arr := sb.NewArray()
	sl := array.NewSlice(arr, 1, 4)
	h := hashesOf(sl, Text)
	if h[0] != h[2] || h[0] == h[1] {
		t.Errorf("sliced string hashes wrong: %x", h)
	}
	if full := hashesOf(arr, Text); full[1] != h[0] {
		t.Errorf("slice offset not applied")
	}
}
