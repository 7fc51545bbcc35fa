package operators

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// BenchmarkIncrementalAggregate: one instance of SELECT k, sum(v), count(*)
// GROUP BY k maintained over inserts (k, v int8) in batches of 8K rows: two
// passes over 1M distinct keys in random order, the first adding the
// groups, the second updating each, with a barrier (Flush) every 256K rows
// and at the end of each pass.
// It reports input rows per second and the heap the state holds per group.
func BenchmarkIncrementalAggregate(b *testing.B) {
	const (
		groups     = 1_000_000
		batchRows  = 8192
		flushEvery = 32 // batches
	)
	rng := rand.New(rand.NewPCG(1, 2))
	var batches []*vector.Batch
	for range 2 {
		keys := rng.Perm(groups)
		for from := 0; from < groups; from += batchRows {
			n := min(batchRows, groups-from)
			k, v := make([]int64, n), make([]int64, n)
			for i := range n {
				k[i], v[i] = int64(keys[from+i]), int64(from+i)
			}
			batches = append(batches, vector.NewBatch([]arrow.Array{
				fixedColumn(vector.Int8, k, nil), fixedColumn(vector.Int8, v, nil)}, n))
		}
	}
	types := []vector.Type{vector.Int8, vector.Int8}
	aggs := []Aggregate{
		{Func: Sum, Args: []int{1}, Filter: -1, Type: vector.Numeric},
		{Func: CountStar, Filter: -1, Type: vector.Int8},
	}
	node := NewAggregateNode(NewSourceNode("t", types, nil), []int{0}, aggs)
	emitted := 0
	emit := func(out *vector.Batch) error { emitted += out.Len; return nil }

	var bytesPerGroup float64
	b.ResetTimer()
	for iter := range b.N {
		b.StopTimer()
		before := heapAfterGC()
		b.StartTimer()
		op, _ := node.New()
		for i, batch := range batches {
			if err := op.Push(0, batch, emit); err != nil {
				b.Fatal(err)
			}
			if i%flushEvery == flushEvery-1 || (i+1)%(len(batches)/2) == 0 {
				if err := op.Flush(emit); err != nil {
					b.Fatal(err)
				}
			}
		}
		if iter == 0 {
			b.StopTimer()
			bytesPerGroup = float64(heapAfterGC()-before) / groups
			runtime.KeepAlive(op)
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(2*groups)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(bytesPerGroup, "bytes/group")
	if emitted != 3*groups*b.N {
		b.Fatalf("emitted %d rows, want %d", emitted, 3*groups*b.N)
	}
}
