package operators

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// BenchmarkIncrementalJoin is a two-way inner join of (k int8, v int8) rows
// on k, 100K keys with one row each on both sides, under updates: each
// batch updates 1024 random keys of one side (-old +new, so 2048 changes),
// alternating sides, and ends with a barrier. rows/s counts input changes.
func BenchmarkIncrementalJoin(b *testing.B) {
	const keys, updates = 100_000, 1024
	types := []vector.Type{vector.Int8, vector.Int8}
	node := NewJoinNode(NewNode("Source", types), NewNode("Source", types), InnerJoin, []int{0}, []int{0}, nil, &vector.EvalContext{})
	op, err := node.New()
	if err != nil {
		b.Fatal(err)
	}
	out := 0
	emit := func(b *vector.Batch) error { out += b.Len; return nil }
	// vals[side][k] is the value of key k's row on side.
	var vals [2][]int64
	before := heapAfterGC()
	for side := range vals {
		vals[side] = make([]int64, keys)
		for from := 0; from < keys; from += BatchSize {
			var ks, vs []int64
			for k := from; k < min(from+BatchSize, keys); k++ {
				vals[side][k] = int64(k)
				ks, vs = append(ks, int64(k)), append(vs, int64(k))
			}
			if err := op.Push(side, vector.NewBatch(int64Columns(ks, vs), len(ks)), emit); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := op.Flush(emit); err != nil {
		b.Fatal(err)
	}
	bytesPerRow := float64(heapAfterGC()-before-uint64(2*keys*8)) / (2 * keys)
	rng := rand.New(rand.NewPCG(1, 2))
	ks, vs, ws := make([]int64, 2*updates), make([]int64, 2*updates), make([]int64, 2*updates)
	for i := range ws {
		ws[i] = int64(1 - 2*(i%2)) // -old, +new
	}
	rows := 0
	for i := 0; b.Loop(); i++ {
		side := i % 2
		for u := range updates {
			k := rng.IntN(keys)
			ks[2*u], vs[2*u] = int64(k), vals[side][k]
			vals[side][k]++
			ks[2*u+1], vs[2*u+1] = int64(k), vals[side][k]
		}
		batch := &vector.Batch{Cols: int64Columns(ks, vs), Len: len(ks), Weights: ws}
		if err := op.Push(side, batch, emit); err != nil {
			b.Fatal(err)
		}
		if err := op.Flush(emit); err != nil {
			b.Fatal(err)
		}
		rows += len(ks)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(bytesPerRow, "bytes/row")
}

// int64Columns builds int8 columns of the given values.
func int64Columns(vals ...[]int64) []arrow.Array {
	cols := make([]arrow.Array, len(vals))
	for c, v := range vals {
		bld := array.NewInt64Builder(vector.Mem)
		bld.AppendValues(v, nil)
		cols[c] = bld.NewArray()
	}
	return cols
}
