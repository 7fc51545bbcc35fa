package operators

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// BenchmarkSessionWindows: one instance of SELECT k, window_start,
// window_end, count(*), sum(v) GROUP BY k, session(ts, 1.5 s) maintained
// over append-only events (k int8, ts timestamptz, v int8) of 100K keys in
// time order, in batches of 8K rows: every second each key has an event,
// four seconds out of six, so that each key has sessions of four events
// 3 s apart, two per key. The watermark follows the events (it is the
// event time of each batch's last row), closing sessions 1.5 s after their
// last event; a barrier (Flush and Checkpoint) comes every 32 batches and
// at the end, after the watermark reached the end of time.
// It reports input rows per second.
func BenchmarkSessionWindows(b *testing.B) {
	const (
		keys       = 100_000
		rounds     = 12
		batchRows  = 8192
		flushEvery = 32 // batches
		second     = 1_000_000
		gap        = 3 * second / 2
	)
	var ks, ts, vs []int64
	for j := range int64(rounds) {
		if j%6 >= 4 {
			continue
		}
		for k := range int64(keys) {
			ks, ts, vs = append(ks, k), append(ts, j*second+k*5), append(vs, j+k)
		}
	}
	var batches []*vector.Batch
	for from := 0; from < len(ks); from += batchRows {
		to := min(from+batchRows, len(ks))
		batches = append(batches, vector.NewBatch([]arrow.Array{fixedColumn(vector.Int8, ks[from:to], nil),
			fixedColumn(vector.TimestampTZ, ts[from:to], nil), fixedColumn(vector.Int8, vs[from:to], nil)}, to-from))
	}
	types := []vector.Type{vector.Int8, vector.TimestampTZ, vector.Int8}
	aggs := []Aggregate{
		{Func: CountStar, Filter: -1, Type: vector.Int8},
		{Func: Sum, Args: []int{2}, Filter: -1, Type: vector.Numeric},
	}
	node := NewSessionNode(NewSourceNode("t", types, nil), []int{0}, 1, gap, 0, aggs)
	var sessions int64 // output rows, net
	emit := func(out *vector.Batch) error {
		for i := range out.Len {
			sessions += out.Weight(i)
		}
		return nil
	}
	barrier := func(op Incremental) {
		if err := op.Flush(emit); err != nil {
			b.Fatal(err)
		}
		if err := op.(Stateful).Checkpoint(sessionBenchState{}); err != nil {
			b.Fatal(err)
		}
	}
	iterations := 0
	for b.Loop() {
		sessions = 0
		op, err := node.New()
		if err != nil {
			b.Fatal(err)
		}
		w := op.(WatermarkObserver)
		for i, batch := range batches {
			if err := op.Push(0, batch, emit); err != nil {
				b.Fatal(err)
			}
			if err := w.Watermark(0, ts[min((i+1)*batchRows, len(ts))-1], emit); err != nil {
				b.Fatal(err)
			}
			if i%flushEvery == flushEvery-1 {
				barrier(op)
			}
		}
		if err := w.Watermark(0, EndOfTime, emit); err != nil {
			b.Fatal(err)
		}
		barrier(op)
		if want := int64(2 * keys); sessions != want {
			b.Fatalf("%d sessions emitted, want %d", sessions, want)
		}
		iterations++
	}
	b.ReportMetric(float64(len(ks)*iterations)/b.Elapsed().Seconds(), "rows/s")
}

// sessionBenchState is a StateWriter that drops what it is given.
type sessionBenchState struct{}

func (sessionBenchState) Put(_, _ []byte) error { return nil }
func (sessionBenchState) Delete([]byte) error   { return nil }
