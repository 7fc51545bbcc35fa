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

// BenchmarkIntervalJoin is a left interval join of (k int8, ts int8)
// streams on k, 10K keys, left ts ∈ [right ts, right ts + 10ms]. Each
// round pushes 1024 rows to each side, with times 1µs apart, advances
// both watermarks to the round's start and ends with a barrier: the state
// holds the right rows of the last 10ms (10K) and each left row has one
// match on average. rows/s counts input rows.
func BenchmarkIntervalJoin(b *testing.B) {
	const keys, rows, upper = 10_000, 1024, 10_000
	types := []vector.Type{vector.Int8, vector.Int8}
	lt, rt := vector.NewColumnRef(1, vector.Int8, ""), vector.NewColumnRef(3, vector.Int8, "")
	ge, err := vector.NewBinary(">=", lt, rt)
	if err != nil {
		b.Fatal(err)
	}
	end, err := vector.NewBinary("+", rt, vector.NewConst(int64(upper), vector.Int8))
	if err != nil {
		b.Fatal(err)
	}
	le, err := vector.NewBinary("<=", lt, end)
	if err != nil {
		b.Fatal(err)
	}
	residual, err := vector.NewAnd(ge, le)
	if err != nil {
		b.Fatal(err)
	}
	tm := JoinTime{WindowKey: -1, Interval: true, LeftTime: 1, RightTime: 1, Upper: upper}
	node := NewTimeJoinNode(NewNode("Source", types), NewNode("Source", types), LeftJoin, []int{0}, []int{0},
		residual, &vector.EvalContext{}, tm)
	inst, err := node.New()
	if err != nil {
		b.Fatal(err)
	}
	op := inst.(*timeJoin)
	out := 0
	emit := func(b *vector.Batch) error { out += b.Len; return nil }
	rng := rand.New(rand.NewPCG(1, 2))
	ks, ts := make([]int64, rows), make([]int64, rows)
	in := 0
	var now int64
	for b.Loop() {
		for side := range 2 {
			for i := range rows {
				ks[i], ts[i] = rng.Int64N(keys), now+int64(i)
			}
			if err := op.Push(side, vector.NewBatch(int64Columns(ks, ts), rows), emit); err != nil {
				b.Fatal(err)
			}
		}
		for side := range 2 {
			if err := op.Watermark(side, now, emit); err != nil {
				b.Fatal(err)
			}
		}
		if err := op.Flush(emit); err != nil {
			b.Fatal(err)
		}
		now += rows
		in += 2 * rows
	}
	b.ReportMetric(float64(in)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(out)/float64(in), "out/in")
}
