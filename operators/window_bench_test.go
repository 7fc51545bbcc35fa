package operators

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// The window benchmarks run SELECT k, window_start, count(*), sum(v) over
// TUMBLE or HOP of append-only events (k int8, ts timestamp, v int8)
// through a dataflow with one instance of each node: a timed source
// (watermark = largest event time, no delay) → window assignment → window
// aggregate → a root that discards the output.
//
// Events: 2M, event i has key i·7919 mod 10 000 (so every 10 000
// consecutive events have every key once, in scrambled order), event time
// i µs (1000 events per ms of event time, 2 s in all) and v = i mod 100; batches of 4096 events, a
// barrier (Flush, no checkpoint) after every 16 batches and at the end.
// The events are generated before the timer starts; each iteration starts
// a new dataflow, feeds every batch and waits for the last barrier to
// reach the root. events/s counts input events (not window copies).

const (
	winBenchEvents    = 2_000_000
	winBenchKeys      = 10_000
	winBenchBatch     = 4096
	winBenchFlushRate = 16 // batches per barrier
)

var winBenchTypes = []vector.Type{vector.Int8, vector.Timestamp, vector.Int8}

func winBenchBatches() []*vector.Batch {
	var out []*vector.Batch
	for from := 0; from < winBenchEvents; from += winBenchBatch {
		n := min(winBenchBatch, winBenchEvents-from)
		ks, ts, vs := make([]int64, n), make([]arrow.Timestamp, n), make([]int64, n)
		for i := range n {
			e := int64(from + i)
			ks[i], ts[i], vs[i] = e*7919%winBenchKeys, arrow.Timestamp(e), e%100
		}
		out = append(out, vector.NewBatch([]arrow.Array{fixedColumn(vector.Int8, ks, nil),
			fixedColumn(vector.Timestamp, ts, nil), fixedColumn(vector.Int8, vs, nil)}, n))
	}
	return out
}

// winBenchSink is the root of the benchmark dataflow: it counts the net
// output rows and closes done when the barrier of round last arrives.
type winBenchSink struct {
	rows *int64
	last uint64
	done chan struct{}
}

func (s winBenchSink) Push(_ int, b *vector.Batch, _ Emit) error {
	for i := range b.Len {
		*s.rows += b.Weight(i)
	}
	return nil
}

func (winBenchSink) Flush(Emit) error { return nil }

func (s winBenchSink) Barrier(b *Barrier) error {
	if b.Round == s.last {
		close(s.done)
	}
	return nil
}

func benchWindows(b *testing.B, w Windows, wantRows func(rows int64) bool) {
	batches := winBenchBatches()
	count, countType, err := LookupAggregate("count", nil)
	if err != nil {
		b.Fatal(err)
	}
	sum, sumType, err := LookupAggregate("sum", []vector.Type{vector.Int8})
	if err != nil {
		b.Fatal(err)
	}
	aggs := []Aggregate{{Func: count, Filter: -1, Type: countType}, {Func: sum, Args: []int{2}, Filter: -1, Type: sumType}}
	last := uint64(len(batches)/winBenchFlushRate + 1)
	iterations := 0
	for b.Loop() {
		src := NewTimedSourceNode("events", winBenchTypes, nil, &EventTime{Col: 1}, false)
		win := NewWindowAssignNode(src, w)
		agg := NewWindowAggregateNode(win, []int{0, 3}, aggs, 1, w.StartBound(Bound{Kind: BoundTime}))
		var rows int64
		done := make(chan struct{})
		root := NewNode("Discard", agg.Types(), agg)
		root.New = func() (Incremental, error) { return winBenchSink{rows: &rows, last: last, done: done}, nil }
		flow, err := StartDataflow(root, DataflowConfig{ID: "bench", Partitions: 1})
		if err != nil {
			b.Fatal(err)
		}
		round := uint64(0)
		barrier := func() {
			round++
			if err := flow.Feed(src, Message{Barrier: &Barrier{Seq: round, Round: round}}); err != nil {
				b.Fatal(err)
			}
		}
		for i, batch := range batches {
			if err := flow.Feed(src, Message{Batch: batch}); err != nil {
				b.Fatal(err)
			}
			if i%winBenchFlushRate == winBenchFlushRate-1 {
				barrier()
			}
		}
		for round < last {
			barrier()
		}
		select {
		case <-done:
		case <-flow.Failed():
			b.Fatal(flow.Err())
		}
		flow.Stop()
		if late := flow.LateRows(); late != 0 || !wantRows(rows) {
			b.Fatalf("%d output rows, %d late rows", rows, late)
		}
		iterations++
	}
	b.ReportMetric(float64(winBenchEvents)*float64(iterations)/b.Elapsed().Seconds(), "events/s")
}

// winBenchGroups is the number of (key, window) groups of the events in
// windows of size every slide: each window that holds events, times the
// keys (every key has events in every window of a second or more).
func winBenchGroups(size, slide int64) int64 {
	first := floorTo(0, slide, 0) - size + slide
	windows := (floorTo(winBenchEvents-1, slide, 0)-first)/slide + 1
	return windows * winBenchKeys
}

// BenchmarkTumbleCountSum: TUMBLE of 1 s (each event in one window).
func BenchmarkTumbleCountSum(b *testing.B) {
	const second = 1_000_000
	w := Windows{Kind: Tumble, Col: 1, Size: second, Slide: second}
	want := winBenchGroups(second, second)
	benchWindows(b, w, func(rows int64) bool { return rows == want })
}

// BenchmarkHopCount: HOP of 10 s every 2 s (each event in 5 windows).
func BenchmarkHopCount(b *testing.B) {
	const second = 1_000_000
	w := Windows{Kind: Hop, Col: 1, Size: 10 * second, Slide: 2 * second}
	want := winBenchGroups(10*second, 2*second)
	benchWindows(b, w, func(rows int64) bool { return rows == want })
}
