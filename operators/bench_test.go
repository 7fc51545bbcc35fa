package operators

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// int64Batches returns batches of BatchSize rows with one int64 column per
// generator, cycled by benchSource to make long inputs cheaply.
func int64Batches(nbatches int, gens ...func(i int) int64) []*vector.Batch {
	out := make([]*vector.Batch, nbatches)
	for b := range out {
		cols := make([]arrow.Array, len(gens))
		for c, gen := range gens {
			vals := make([]int64, BatchSize)
			for i := range vals {
				vals[i] = gen(b*BatchSize + i)
			}
			cols[c] = fixedColumn(vector.Int8, vals, nil)
		}
		out[b] = vector.NewBatch(cols, BatchSize)
	}
	return out
}

// benchSource emits rows rows from batches, cycling through them.
func benchSource(types []vector.Type, batches []*vector.Batch, rows int) Operator {
	return NewScan(types, func(ctx context.Context, emit func(*vector.Batch) error) error {
		for n, i := 0, 0; n < rows; n, i = n+BatchSize, i+1 {
			if err := emit(batches[i%len(batches)]); err != nil {
				return err
			}
		}
		return nil
	})
}

// drain runs op to its end and returns the number of rows it produced.
func drain(b *testing.B, op Operator) int {
	s := Open(context.Background(), op)
	defer s.Close()
	n := 0
	for {
		batch, err := s.Next()
		if err != nil {
			b.Fatal(err)
		}
		if batch == nil {
			return n
		}
		n += batch.Len
	}
}

func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}

// BenchmarkHashAggregate: SELECT k, sum(v), count(*) GROUP BY k over 10M
// rows, k int64 with 1000 distinct values.
func BenchmarkHashAggregate(b *testing.B) {
	const rows = 10_000_000
	rng := rand.New(rand.NewPCG(1, 2))
	types := []vector.Type{vector.Int8, vector.Int8}
	batches := int64Batches(64, func(int) int64 { return rng.Int64N(1000) }, func(i int) int64 { return int64(i) })
	aggs := []Aggregate{
		{Func: Sum, Args: []int{1}, Filter: -1, Type: vector.Numeric},
		{Func: CountStar, Filter: -1, Type: vector.Int8},
	}
	b.ResetTimer()
	for range b.N {
		if n := drain(b, NewHashAggregate(benchSource(types, batches, rows), []int{0}, aggs)); n != 1000 {
			b.Fatalf("%d groups", n)
		}
	}
	reportRows(b, rows)
}

// BenchmarkHashJoin: 1M × 1M rows joined on unique int64 keys.
func BenchmarkHashJoin(b *testing.B) {
	const rows = 1 << 20
	nb := rows / BatchSize
	perm := rand.New(rand.NewPCG(3, 4)).Perm(rows)
	left := int64Batches(nb, func(i int) int64 { return int64(i) })
	right := int64Batches(nb, func(i int) int64 { return int64(perm[i]) })
	types := []vector.Type{vector.Int8}
	b.ResetTimer()
	for range b.N {
		op := NewHashJoin(NewValues(types, left), NewValues(types, right), InnerJoin, []int{0}, []int{0}, nil, false, nil)
		if n := drain(b, op); n != rows {
			b.Fatalf("%d rows", n)
		}
	}
	reportRows(b, 2*rows)
}

// BenchmarkSort: ORDER BY over 1M random int64.
func BenchmarkSort(b *testing.B) {
	const rows = 1 << 20
	rng := rand.New(rand.NewPCG(5, 6))
	batches := int64Batches(rows/BatchSize, func(int) int64 { return rng.Int64() })
	types := []vector.Type{vector.Int8}
	b.ResetTimer()
	for range b.N {
		if n := drain(b, NewSort(NewValues(types, batches), []SortKey{{Col: 0}})); n != rows {
			b.Fatalf("%d rows", n)
		}
	}
	reportRows(b, rows)
}

// BenchmarkFilter: WHERE v > c over 10M int64 rows, half of them kept.
func BenchmarkFilter(b *testing.B) {
	const rows = 10_000_000
	rng := rand.New(rand.NewPCG(7, 8))
	types := []vector.Type{vector.Int8}
	batches := int64Batches(64, func(int) int64 { return rng.Int64N(1000) })
	pred, err := vector.NewBinary(">", vector.NewColumnRef(0, vector.Int8, "v"), vector.NewConst(int64(499), vector.Int8))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		drain(b, NewFilter(benchSource(types, batches, rows), pred, &vector.EvalContext{}))
	}
	reportRows(b, rows)
}
