package operators

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

func TestBoundOf(t *testing.T) {
	tumble := func(size, offset, lag int64) Bound {
		return Bound{Kind: BoundTumbleStart, Size: size, Offset: offset, Lag: lag}
	}
	hop := func(size, slide, offset, lag int64) Bound {
		return Bound{Kind: BoundHopStart, Size: size, Slide: slide, Offset: offset, Lag: lag}
	}
	end := func(b Bound) Bound { b.Kind++; return b }
	cases := []struct {
		name string
		b    Bound
		t    int64
		want int64
	}{
		{"none", Bound{}, 25, NoWatermark},
		{"none at the end of time", Bound{}, EndOfTime, NoWatermark},

		{"time", Bound{Kind: BoundTime}, 25, 25},
		{"time, negative", Bound{Kind: BoundTime}, -25, -25},
		{"time less a lag", Bound{Kind: BoundTime, Lag: 5}, 25, 20},
		{"time less a lag, negative", Bound{Kind: BoundTime, Lag: 5}, -25, -30},

		// Tumbling windows of 10: the window of t starts at the multiple
		// of 10 (plus the offset) at or below t.
		{"tumble start", tumble(10, 0, 0), 25, 20},
		{"tumble start on a boundary", tumble(10, 0, 0), 20, 20},
		{"tumble start just below a boundary", tumble(10, 0, 0), 19, 10},
		{"tumble start at zero", tumble(10, 0, 0), 0, 0},
		{"tumble start, negative", tumble(10, 0, 0), -1, -10},
		{"tumble start, negative boundary", tumble(10, 0, 0), -10, -10},
		{"tumble start, negative below a boundary", tumble(10, 0, 0), -11, -20},
		{"tumble start with offset", tumble(10, 3, 0), 25, 23},
		{"tumble start with offset, below it", tumble(10, 3, 0), 22, 13},
		{"tumble start with offset, negative", tumble(10, 3, 0), -5, -7},
		{"tumble start with offset above the size", tumble(10, 13, 0), 25, 23},
		{"tumble start with negative offset", tumble(10, -3, 0), 25, 17},
		// A column of event times less 5: its least value is t - 5.
		{"tumble start with lag", tumble(10, 0, 5), 25, 20},
		{"tumble start with lag across a boundary", tumble(10, 0, 5), 24, 10},
		{"tumble end", end(tumble(10, 0, 0)), 25, 30},
		{"tumble end, negative", end(tumble(10, 0, 0)), -1, 0},
		{"tumble end with offset", end(tumble(10, 3, 0)), 22, 23},
		{"tumble end with lag", end(tumble(10, 0, 5)), 24, 20},

		// Hopping windows of 10 every 2: t is in the windows starting at
		// the even numbers in (t-10, t]; the earliest is the bound.
		{"hop start", hop(10, 2, 0, 0), 25, 16},
		{"hop start on a boundary", hop(10, 2, 0, 0), 24, 16},
		{"hop start, negative", hop(10, 2, 0, 0), -3, -12},
		{"hop start, negative boundary", hop(10, 2, 0, 0), -4, -12},
		{"hop start with offset", hop(10, 2, 1, 0), 25, 17},
		{"hop start with offset, negative", hop(10, 2, 1, 0), -4, -13},
		{"hop start with lag", hop(10, 2, 0, 3), 25, 14},
		{"hop start, slide equal to size", hop(10, 10, 0, 0), 25, 20},
		{"hop end", end(hop(10, 2, 0, 0)), 25, 26},
		{"hop end with offset", end(hop(10, 2, 1, 0)), 25, 27},
		{"hop end with lag", end(hop(10, 2, 0, 3)), 25, 24},

		// A session whose end is at most the least event time to come
		// takes no more events.
		{"session end", Bound{Kind: BoundSessionEnd}, 25, 26},
		{"session end, negative", Bound{Kind: BoundSessionEnd}, -25, -24},
		{"session end with lag", Bound{Kind: BoundSessionEnd, Lag: 4}, 25, 22},
	}
	for _, c := range cases {
		if got := c.b.Of(c.t); got != c.want {
			t.Errorf("%s: Of(%d) = %d, want %d", c.name, c.t, got, c.want)
		}
		for _, v := range []int64{c.want - 1, c.want, c.want + 1} {
			if got, want := c.b.Closed(v, c.t), c.b.Valid() && v < c.want; got != want {
				t.Errorf("%s: Closed(%d, %d) = %v, want %v", c.name, v, c.t, got, want)
			}
		}
	}
}

// TestBoundOfPassesThrough: nothing is known before the first watermark,
// and every value is closed at the end of time, whatever the kind.
func TestBoundOfPassesThrough(t *testing.T) {
	for k := BoundTime; k <= BoundSessionEnd; k++ {
		b := Bound{Kind: k, Size: 10, Slide: 2, Offset: 3, Lag: 5}
		if got := b.Of(NoWatermark); got != NoWatermark {
			t.Errorf("kind %d: Of(NoWatermark) = %d", k, got)
		}
		if got := b.Of(EndOfTime); got != EndOfTime {
			t.Errorf("kind %d: Of(EndOfTime) = %d", k, got)
		}
		if b.Closed(-1<<40, NoWatermark) {
			t.Errorf("kind %d: a value is closed before any watermark", k)
		}
		if !b.Closed(1<<40, EndOfTime) {
			t.Errorf("kind %d: a value is open at the end of time", k)
		}
	}
}

// TestBoundClosedWindows checks the window bounds against their meaning:
// an aligned window [s, s+size) is closed at watermark t exactly when no
// event time still to come (at least t - lag) falls in it.
func TestBoundClosedWindows(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		slide := 1 + rng.Int64N(5)
		size := slide * (1 + rng.Int64N(4))
		offset := rng.Int64N(41) - 20
		lag := rng.Int64N(7)
		wm := rng.Int64N(201) - 100
		kind := []BoundKind{BoundTumbleStart, BoundHopStart}[rng.IntN(2)]
		if kind == BoundTumbleStart {
			slide = size
		}
		start := Bound{Kind: kind, Size: size, Slide: slide, Offset: offset, Lag: lag}
		end := start
		end.Kind++
		least := wm - lag
		for s := offset - 200*slide; s < 200; s += slide {
			closed := s+size <= least
			if got := start.Closed(s, wm); got != closed {
				t.Fatalf("%+v: window [%d, %d) closed at %d: %v, want %v", start, s, s+size, wm, got, closed)
			}
			if got := end.Closed(s+size, wm); got != closed {
				t.Fatalf("%+v: window [%d, %d) closed at %d (by its end): %v, want %v", end, s, s+size, wm, got, closed)
			}
		}
	}
}

// wmRecorder is the root of the runtime tests: it passes nothing on and
// records the watermarks it is told of, per input, and the rows it is
// pushed.
type wmRecorder struct {
	mu    *sync.Mutex
	calls *[][]int64
	rows  *int
}

func (r wmRecorder) Push(_ int, b *vector.Batch, _ Emit) error {
	r.mu.Lock()
	*r.rows += b.Len
	r.mu.Unlock()
	return nil
}

func (wmRecorder) Flush(Emit) error { return nil }

func (r wmRecorder) Watermark(in int, t int64, _ Emit) error {
	r.mu.Lock()
	(*r.calls)[in] = append((*r.calls)[in], t)
	r.mu.Unlock()
	return nil
}

// wmFlow is a running dataflow of sources into a wmRecorder, through a
// UnionAll or each source an input of the recorder.
type wmFlow struct {
	t       *testing.T
	flow    *Dataflow
	sources []*Node
	mu      sync.Mutex
	calls   [][]int64 // per input of the recorder
	rows    int
	epoch   uint64
}

var wmTypes = []vector.Type{vector.Int4, vector.Timestamp}

func startWMFlow(t *testing.T, union bool, sources ...*Node) *wmFlow {
	t.Helper()
	f := &wmFlow{t: t, sources: sources}
	inputs := sources
	if union {
		inputs = []*Node{NewUnionAllNode(sources...)}
	}
	f.calls = make([][]int64, len(inputs))
	root := NewNode("Record", wmTypes, inputs...)
	root.New = func() (Incremental, error) { return wmRecorder{mu: &f.mu, calls: &f.calls, rows: &f.rows}, nil }
	flow, err := StartDataflow(root, DataflowConfig{ID: "wm", Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	f.flow = flow
	t.Cleanup(flow.Stop)
	return f
}

func (f *wmFlow) feed(src int, m Message) {
	f.t.Helper()
	if err := f.flow.Feed(f.sources[src], m); err != nil {
		f.t.Fatalf("Feed: %v", err)
	}
}

// sync sends a checkpoint barrier through every source and waits until
// the root has it: everything fed before has been handled.
func (f *wmFlow) sync() {
	f.t.Helper()
	f.epoch++
	c := NewCheckpoint(f.epoch, f.epoch, []string{"wm"})
	for i := range f.sources {
		f.feed(i, Message{Barrier: &Barrier{Seq: f.epoch, Round: f.epoch, Checkpoint: c}})
	}
	select {
	case <-c.Done():
	case <-f.flow.Failed():
		f.t.Fatalf("dataflow failed: %v", f.flow.Err())
	}
}

// observed returns the watermarks the root was told of on input in since
// the last call.
func (f *wmFlow) observed(in int) []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	calls := f.calls[in]
	f.calls[in] = nil
	return calls
}

// TestDataflowWatermarkMinimum: the watermark of a union of two sources is
// the least of theirs, an idle source holds nothing back, and the
// watermark never goes back.
func TestDataflowWatermarkMinimum(t *testing.T) {
	a, b := NewSourceNode("a", wmTypes, nil), NewSourceNode("b", wmTypes, nil)
	f := startWMFlow(t, true, a, b)
	wm := func(at int64, idle bool) Message { return Message{Watermark: &Watermark{T: at, Idle: idle}} }
	steps := []struct {
		name string
		msgs [][2]any // source, message: each handled before the next
		want int64    // the dataflow's watermark
		told []int64  // the watermarks the root was told of
	}{
		{"nothing yet", nil, NoWatermark, nil},
		{"one source only", [][2]any{{0, wm(10, false)}}, NoWatermark, nil},
		{"both: the least", [][2]any{{1, wm(5, false)}}, 5, []int64{5}},
		{"the greater advances", [][2]any{{0, wm(20, false)}}, 5, nil},
		{"the lesser advances past it", [][2]any{{1, wm(30, false)}}, 20, []int64{20}},
		{"both advance", [][2]any{{0, wm(40, false)}, {1, wm(35, false)}}, 35, []int64{30, 35}},
		{"a goes idle: b alone counts", [][2]any{{0, wm(40, true)}, {1, wm(50, false)}}, 50, []int64{50}},
		{"idle a advances nothing", [][2]any{{0, wm(45, true)}}, 50, nil},
		{"a is back behind: never back", [][2]any{{0, wm(42, false)}}, 50, nil},
		{"a catches up", [][2]any{{0, wm(60, false)}, {1, wm(70, false)}}, 60, []int64{60}},
		{"a idle again: b alone", [][2]any{{0, wm(80, true)}}, 70, []int64{70}},
		{"both idle: stays", [][2]any{{1, wm(90, true)}}, 70, nil},
		{"the end of b", [][2]any{{1, wm(EndOfTime, false)}}, EndOfTime, []int64{EndOfTime}},
	}
	if got := f.flow.Watermark(); got != NoWatermark {
		t.Errorf("right after the start: watermark %d, want NoWatermark", got)
	}
	for _, s := range steps {
		f.sync()
		for _, m := range s.msgs {
			f.feed(m[0].(int), m[1].(Message))
			f.sync()
		}
		if got := f.flow.Watermark(); got != s.want {
			t.Errorf("%s: watermark %d, want %d", s.name, got, s.want)
		}
		checkInts(t, s.name+": watermarks told", f.observed(0), s.told)
	}
}

func checkInts(t *testing.T, name string, got, want []int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %v, want %v", name, got, want)
	}
}

// TestDataflowTimedSources: timed sources derive their watermarks from
// their rows, drop late rows (counted by the dataflow) and pass on the
// least watermark.
func TestDataflowTimedSources(t *testing.T) {
	et := EventTime{Col: 1, Delay: 5}
	a := NewTimedSourceNode("a", wmTypes, nil, &et, false)
	b := NewTimedSourceNode("b", wmTypes, nil, &et, false)
	f := startWMFlow(t, true, a, b)
	steps := []struct {
		name      string
		src       int
		msg       Message
		want      int64 // the dataflow's watermark
		late, got int   // rows dropped, rows through, so far
	}{
		{"a only", 0, wmRows(90, 100), NoWatermark, 0, 2},
		{"b: the least", 1, wmRows(50), 45, 0, 3},
		// a's watermark is 95: 94 is late, 95 is not.
		{"late on a", 0, wmRows(94, 95, 120), 45, 1, 5},
		{"b passes a", 1, wmRows(60, 200), 115, 1, 7},
		// Within a batch too: 200 makes b's watermark 195 at once.
		{"late on b", 1, wmRows(196, 10, 194, 195), 115, 3, 9},
		{"late on a again", 0, wmRows(114), 115, 4, 9},
	}
	for _, s := range steps {
		f.feed(s.src, s.msg)
		f.sync()
		if got := f.flow.Watermark(); got != s.want {
			t.Errorf("%s: watermark %d, want %d", s.name, got, s.want)
		}
		if got := f.flow.LateRows(); got != int64(s.late) {
			t.Errorf("%s: %d late rows, want %d", s.name, got, s.late)
		}
		f.mu.Lock()
		if f.rows != s.got {
			t.Errorf("%s: %d rows through, want %d", s.name, f.rows, s.got)
		}
		f.mu.Unlock()
	}
}

// wmRows is a message of rows (k, ts) at the given times.
func wmRows(ts ...int64) Message {
	ks, vs := make([]int32, len(ts)), make([]arrow.Timestamp, len(ts))
	for i, v := range ts {
		ks[i], vs[i] = int32(i), arrow.Timestamp(v)
	}
	return Message{Batch: batch(fixedColumn(vector.Int4, ks, nil), fixedColumn(vector.Timestamp, vs, nil))}
}

// TestDataflowWatermarkInputs: an operator with two inputs is told of the
// watermark of each as it advances, and passes on the least.
func TestDataflowWatermarkInputs(t *testing.T) {
	a, b := NewSourceNode("a", wmTypes, nil), NewSourceNode("b", wmTypes, nil)
	f := startWMFlow(t, false, a, b)
	wm := func(at int64) Message { return Message{Watermark: &Watermark{T: at}} }
	steps := []struct {
		src          int
		msg          Message
		want         int64
		toldA, toldB []int64
	}{
		{0, wm(10), NoWatermark, []int64{10}, nil},
		{1, wm(5), 5, nil, []int64{5}},
		{1, wm(20), 10, nil, []int64{20}},
		{0, wm(8), 10, nil, nil}, // never back
		{0, wm(30), 20, []int64{30}, nil},
	}
	for i, s := range steps {
		f.feed(s.src, s.msg)
		f.sync()
		name := fmt.Sprintf("step %d", i)
		if got := f.flow.Watermark(); got != s.want {
			t.Errorf("%s: watermark %d, want %d", name, got, s.want)
		}
		checkInts(t, name+": input 0", f.observed(0), s.toldA)
		checkInts(t, name+": input 1", f.observed(1), s.toldB)
	}
}

// TestDataflowIdleTimedSource: a timed source without changes for its idle
// timeout stops holding back the watermark of a union.
func TestDataflowIdleTimedSource(t *testing.T) {
	a := NewTimedSourceNode("a", wmTypes, nil, &EventTime{Col: 1, Delay: 5}, false)
	b := NewTimedSourceNode("b", wmTypes, nil, &EventTime{Col: 1, Delay: 5, IdleTimeout: time.Millisecond}, false)
	f := startWMFlow(t, true, a, b)
	f.feed(0, wmRows(100))
	f.feed(1, wmRows(50))
	f.sync()
	if got := f.flow.Watermark(); got != 45 {
		t.Fatalf("watermark %d, want 45", got)
	}
	time.Sleep(5 * time.Millisecond)
	f.feed(0, wmRows(200))
	f.sync() // b, polled at the barrier, is idle
	if got := f.flow.Watermark(); got != 195 {
		t.Errorf("watermark with b idle %d, want 195", got)
	}
	f.feed(1, wmRows(150))
	f.sync()
	if got := f.flow.Watermark(); got != 195 {
		t.Errorf("watermark with b back behind %d, want 195 (never back)", got)
	}
	f.feed(0, wmRows(300))
	f.feed(1, wmRows(400))
	f.sync()
	if got := f.flow.Watermark(); got != 295 {
		t.Errorf("watermark with b ahead %d, want 295, a's", got)
	}
}
