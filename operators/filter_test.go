package operators

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// TestSelectTrueBitmaps checks selectTrue's word-at-a-time reading against
// a row-by-row reading, over predicates with and without NULLs, sliced at
// every bit offset and cut at lengths around word boundaries.
func TestSelectTrueBitmaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, withNulls := range []bool{false, true} {
		bb := array.NewBooleanBuilder(vector.Mem)
		for range 400 {
			if withNulls && rng.IntN(4) == 0 {
				bb.AppendNull()
				continue
			}
			bb.Append(rng.IntN(3) > 0)
		}
		full := bb.NewBooleanArray()
		for off := 0; off < 17; off++ {
			for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 200, 383} {
				arr := array.NewSlice(full, int64(off), int64(off+n)).(*array.Boolean)
				var want []int32
				for i := 0; i < n; i++ {
					if arr.IsValid(i) && arr.Value(i) {
						want = append(want, int32(i))
					}
				}
				b := vector.NewBatch([]arrow.Array{arr}, n)
				got, err := selectTrue(&vector.EvalContext{}, colRef(0, vector.Bool), b, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("nulls %v, offset %d, %d rows: got %v, want %v", withNulls, off, n, got, want)
				}
			}
		}
	}
}
