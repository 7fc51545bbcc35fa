package vector

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestChecksum checks that the checksum of a multiset does not depend on
// the order or batching of its rows, that a retraction cancels its
// insertion, and that another multiset (a row more, a value changed, a
// duplicate less) sums differently.
func TestChecksum(t *testing.T) {
	types := []Type{Int8, Text}
	b := func(weights []int64, ids []int64, names ...string) *Batch {
		var iv, nv []Datum
		for i := range ids {
			iv, nv = append(iv, ids[i]), append(nv, names[i])
		}
		return &Batch{Cols: []arrow.Array{ArrayOf(Int8, iv...), ArrayOf(Text, nv...)}, Len: len(ids), Weights: weights}
	}
	sum := func(bs ...*Batch) Checksum {
		var c Checksum
		for _, x := range bs {
			c.Add(x, types)
		}
		return c
	}
	want := sum(b(nil, []int64{1, 2, 2}, "a", "b", "b"))
	if want.Rows != 3 {
		t.Fatalf("rows %d, want 3", want.Rows)
	}
	same := []Checksum{
		sum(b(nil, []int64{2, 1}, "b", "a"), b(nil, []int64{2}, "b")),
		sum(b([]int64{2, 1}, []int64{2, 1}, "b", "a")),
		sum(b(nil, []int64{1, 2, 2, 3}, "a", "b", "b", "c"), b([]int64{-1}, []int64{3}, "c")),
	}
	for i, c := range same {
		if !c.Equal(want) {
			t.Errorf("equal multiset %d: %v, want %v", i, c, want)
		}
	}
	differ := []Checksum{
		sum(b(nil, []int64{1, 2}, "a", "b")),
		sum(b(nil, []int64{1, 2, 2}, "a", "b", "c")),
		sum(b(nil, []int64{1, 2, 2, 2}, "a", "b", "b", "b")),
	}
	for i, c := range differ {
		if c.Equal(want) {
			t.Errorf("other multiset %d sums as %v too", i, c)
		}
	}
}
