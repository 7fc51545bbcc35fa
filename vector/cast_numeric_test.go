package vector

import (
	"strconv"
	"testing"
)

// Expected values from PostgreSQL 15.
func TestCastNumericColumns(t *testing.T) {
	ctx := &EvalContext{}
	tests := []struct {
		from, to Type
		in       Datum
		want     string
	}{
		{Int4, Numeric, int32(42), "42"},
		{Int2, Numeric, int16(-32768), "-32768"},
		{Int8, Numeric, int64(9223372036854775807), "9223372036854775807"},
		{Numeric, Text, dec("1.50"), "1.50"},
		{Numeric, Varchar, dec("-0.0"), "0.0"},
		{Int4, Type{Kind: KindNumeric, Precision: 5, Scale: 2}, int32(1), "1.00"},
		{Int4, Type{Kind: KindNumeric, Precision: 3, Scale: 1}, int32(7), "7.0"},
	}
	for _, tc := range tests {
		out, err := CastArray(ctx, ArrayOf(tc.from, tc.in, nil), tc.from, tc.to)
		if err != nil {
			t.Errorf("%v::%s::%s: %v", tc.in, tc.from, tc.to, err)
			continue
		}
		if got := FormatDatum(ValueAt(out, tc.to, 0), tc.to, nil); got != tc.want || !out.IsNull(1) {
			t.Errorf("%v::%s::%s = %q (NULL kept: %v), want %q", tc.in, tc.from, tc.to, got, out.IsNull(1), tc.want)
		}
	}
}

// Typed casts allocate per column, not per row.
func TestCastColumnAllocs(t *testing.T) {
	const n = 1024
	ints, texts := make([]Datum, n), make([]Datum, n)
	for i := range n {
		ints[i] = int64(i * 7919)
		texts[i] = strconv.Itoa(i * 7919)
	}
	tests := []struct {
		from, to Type
		col      []Datum
	}{
		{Text, Int8, texts}, {Text, Int4, texts}, {Text, Float8, texts}, {Text, Numeric, texts},
		{Int8, Numeric, ints},
	}
	ctx := &EvalContext{}
	for _, tc := range tests {
		arr := ArrayOf(tc.from, tc.col...)
		allocs := testing.AllocsPerRun(20, func() {
			if _, err := CastArray(ctx, arr, tc.from, tc.to); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 16 {
			t.Errorf("%s to %s: %v allocations for %d rows", tc.from, tc.to, allocs, n)
		}
	}
}

func BenchmarkCastTextToInt8(b *testing.B) {
	vals := make([]Datum, 4096)
	for i := range vals {
		vals[i] = strconv.Itoa(i * 7919)
	}
	arr := ArrayOf(Text, vals...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CastArray(&EvalContext{}, arr, Text, Int8); err != nil {
			b.Fatal(err)
		}
	}
}
