package operators

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// srcTypes is the input of the timed source tests: (k int4, ts).
var srcTypes = []vector.Type{vector.Int4, vector.Timestamp}

// srcChange is a change to a timed source: its event time (nil: NULL) and
// weight, whether it is late (worked out by hand from the changes before
// it, with a delay of 5) and the source's watermark after it.
type srcChange struct {
	ts   any
	w    int64
	late bool
	wm   int64
}

// srcChanges is an out-of-order sequence of changes. A change is late when
// its time is below the largest time of the insertions before it less 5.
var srcChanges = []srcChange{
	{int64(10), 1, false, 5},
	{int64(8), 1, false, 5},
	{int64(4), 1, true, 5},
	{int64(20), 1, false, 15},
	{int64(14), 1, true, 15},
	{int64(15), 1, false, 15},  // at the watermark: not late
	{int64(3), -1, true, 15},   // retractions are late too
	{int64(18), -1, false, 15}, // and are not
	{nil, 1, true, 15},         // no time: dropped
	{int64(16), 2, false, 15},
	{int64(30), -1, false, 15}, // a retraction does not raise the watermark
	{int64(16), 1, false, 15},
	{int64(40), 1, false, 35},
	{int64(34), 1, true, 35},
	{int64(35), 1, false, 35},
}

// srcBatch builds cs[from:to], k being the index of each.
func srcBatch(cs []srcChange, from, to int) *vector.Batch {
	ks, ts := make([]any, 0, to-from), make([]any, 0, to-from)
	w := make([]int64, 0, to-from)
	for i := from; i < to; i++ {
		ks = append(ks, int32(i))
		if v := cs[i].ts; v != nil {
			ts = append(ts, vector.TimestampValue(v.(int64)))
		} else {
			ts = append(ts, nil)
		}
		w = append(w, cs[i].w)
	}
	return weighted(batch(col(vector.Int4, ks...), col(vector.Timestamp, ts...)), w...)
}

// srcExpected is what a timed source passes of cs: the changes not
// late, rendered as changes does, and the number of late ones.
func srcExpected(cs []srcChange) ([]string, int64) {
	var kept []string
	var late int64
	for i, c := range cs {
		if c.late {
			late++
			continue
		}
		kept = append(kept, changes(srcTypes, srcBatch(cs, i, i+1))...)
	}
	slices.Sort(kept)
	return kept, late
}

func newSrcNode(et *EventTime, positioned bool) *Node {
	return NewTimedSourceNode("t", srcTypes, nil, et, positioned)
}

// srcSplits returns the ways the tests cut n changes into batches: all in
// one, one per batch, and random cuts.
func srcSplits(n int) [][]int {
	splits := [][]int{{0, n}}
	one := make([]int, n+1)
	for i := range one {
		one[i] = i
	}
	splits = append(splits, one)
	rng := rand.New(rand.NewPCG(7, 8))
	for range 5 {
		cuts := []int{0}
		for i := 1; i < n; i++ {
			if rng.IntN(3) == 0 {
				cuts = append(cuts, i)
			}
		}
		splits = append(splits, append(cuts, n))
	}
	return splits
}

func TestTimedSourceDropsLateRows(t *testing.T) {
	want, wantLate := srcExpected(srcChanges)
	for _, cuts := range srcSplits(len(srcChanges)) {
		h := newIncHarness(t, newSrcNode(&EventTime{Col: 1, Delay: 5}, false))
		src := h.op.(WatermarkSource)
		if wm := src.CurrentWatermark(); wm != (Watermark{T: NoWatermark}) {
			t.Errorf("cuts %v: watermark before any change %+v", cuts, wm)
		}
		var got []string
		for k := 1; k < len(cuts); k++ {
			h.step(push{0, srcBatch(srcChanges, cuts[k-1], cuts[k])})
			got = append(got, h.emitted...)
			if wm, want := src.CurrentWatermark(), srcChanges[cuts[k]-1].wm; wm != (Watermark{T: want}) {
				t.Errorf("cuts %v: watermark after change %d: %+v, want %d", cuts, cuts[k]-1, wm, want)
			}
		}
		slices.Sort(got)
		checkRows(t, "passed", got, want)
		if late := h.op.(LateCounter).LateRows(); late != wantLate {
			t.Errorf("cuts %v: %d late rows, want %d", cuts, late, wantLate)
		}
	}
}

// TestTimedSourceRestore checkpoints after every prefix of the changes,
// restores a new source from the checkpoint and goes on: the rows passed
// and the late count are those of a source that never stopped.
func TestTimedSourceRestore(t *testing.T) {
	want, wantLate := srcExpected(srcChanges)
	et := &EventTime{Col: 1, Delay: 5}
	for cut := range len(srcChanges) + 1 {
		n := newSrcNode(et, true)
		h := newIncHarness(t, n)
		m := memState{}
		h.step(push{0, srcBatch(srcChanges, 0, cut)})
		if err := h.op.(Stateful).Checkpoint(m); err != nil {
			t.Fatal(err)
		}
		r := restoreInto(t, n, m)
		if got := n.Positions[0]; got != int64(cut) {
			t.Errorf("cut %d: position restored as %d, want the rows taken, %d", cut, got, cut)
		}
		wantWM := NoWatermark
		if cut > 0 {
			wantWM = srcChanges[cut-1].wm
		}
		if wm := r.op.(WatermarkSource).CurrentWatermark(); wm.T != wantWM {
			t.Errorf("cut %d: restored watermark %d, want %d", cut, wm.T, wantWM)
		}
		c := &countingState{memState: memState{}}
		if err := r.op.(Stateful).Checkpoint(c); err != nil || c.n != 0 {
			t.Errorf("cut %d: a checkpoint right after restore wrote %d entries (%v)", cut, c.n, err)
		}
		r.step(push{0, srcBatch(srcChanges, cut, len(srcChanges))})
		checkRows(t, "passed before and after the restore", sorted(append(h.emitted, r.emitted...)), want)
		if late := r.op.(LateCounter).LateRows(); late != wantLate {
			t.Errorf("cut %d: %d late rows, want %d", cut, late, wantLate)
		}
	}
}

// TestTimedSourceOffsetOnly: without event time, a source passes every
// change and counts the rows it took, for its input position.
func TestTimedSourceOffsetOnly(t *testing.T) {
	n := newSrcNode(nil, true)
	h := newIncHarness(t, n)
	all := srcBatch(srcChanges, 0, len(srcChanges))
	got := h.step(push{0, srcBatch(srcChanges, 0, 4)}, push{0, srcBatch(srcChanges, 4, len(srcChanges))})
	want := contents{}
	want.apply(srcTypes, all)
	checkRows(t, "passed", got, want.rows())
	if wm := h.op.(WatermarkSource).CurrentWatermark(); wm.T != NoWatermark {
		t.Errorf("watermark %d without event time", wm.T)
	}
	if late := h.op.(LateCounter).LateRows(); late != 0 {
		t.Errorf("%d late rows without event time", late)
	}
	m := memState{}
	if err := h.op.(Stateful).Checkpoint(m); err != nil {
		t.Fatal(err)
	}
	restoreInto(t, n, m)
	if got := n.Positions[0]; got != int64(len(srcChanges)) {
		t.Errorf("position restored as %d, want %d", got, len(srcChanges))
	}
}

// TestTimedSourceIdle: a source without changes for its idle timeout says
// so, keeping its watermark; without a timeout it never does.
func TestTimedSourceIdle(t *testing.T) {
	rows := func(ts int64) *vector.Batch {
		return batch(fixedColumn(vector.Int4, []int32{1}, nil), fixedColumn(vector.Timestamp, []arrow.Timestamp{arrow.Timestamp(ts)}, nil))
	}
	cases := []struct {
		name    string
		timeout time.Duration
		idle    bool
	}{
		{"idle after the timeout", time.Millisecond, true},
		{"a long timeout", time.Hour, false},
		{"no timeout", 0, false},
	}
	for _, c := range cases {
		h := newIncHarness(t, newSrcNode(&EventTime{Col: 1, Delay: 5, IdleTimeout: c.timeout}, false))
		h.step(push{0, rows(100)})
		time.Sleep(5 * time.Millisecond)
		if got, want := h.op.(WatermarkSource).CurrentWatermark(), (Watermark{T: 95, Idle: c.idle}); got != want {
			t.Errorf("%s: watermark %+v, want %+v", c.name, got, want)
		}
		if c.idle {
			h.step(push{0, rows(200)})
			if got, want := h.op.(WatermarkSource).CurrentWatermark(), (Watermark{T: 195}); got != want {
				t.Errorf("%s: watermark after a change %+v, want %+v", c.name, got, want)
			}
		}
	}
}

func TestTimedSourceCorruptState(t *testing.T) {
	h := newIncHarness(t, newSrcNode(&EventTime{Col: 1}, false))
	for _, v := range [][]byte{nil, {0x02}, {0x02, 0x02, 0x02}, {0x02, 0x02, 0x02, 0x02, 0x02}} {
		if err := h.op.(Stateful).Restore(splitKey(0), v); err == nil {
			t.Errorf("Restore(%x) accepted", v)
		}
	}
	if err := h.op.(Stateful).Restore(make([]byte, 8), []byte{0x02, 0x02, 0x02, 0x02}); err == nil {
		t.Errorf("a key without a split accepted")
	}
}

// TestTimedSourceSplits: a source of several splits holds its watermark
// at the least over its splits (an announced split without rows holds it
// back entirely), judges lateness against that, counts skipped records, and
// restores each split's position and watermark.
func TestTimedSourceSplits(t *testing.T) {
	rows := func(ts ...int64) *vector.Batch {
		ks, tv := make([]int32, len(ts)), make([]arrow.Timestamp, len(ts))
		for i, v := range ts {
			tv[i] = arrow.Timestamp(v)
		}
		return batch(fixedColumn(vector.Int4, ks, nil), fixedColumn(vector.Timestamp, tv, nil))
	}
	n := newSrcNode(&EventTime{Col: 1, Delay: 5}, true)
	h := newIncHarness(t, n)
	adv := h.op.(Advancer)
	steps := []struct {
		name           string
		adv            Advance
		ts             []int64
		passed         int   // rows passed by this step
		wm, late, skip int64 // after it
	}{
		{"announce split 0", Advance{Split: 0, Next: 10}, nil, 0, NoWatermark, 0, 0},
		{"announce split 1", Advance{Split: 1, Next: 20}, nil, 0, NoWatermark, 0, 0},
		{"split 0 alone: split 1 holds it back", Advance{Split: 0, Next: 12}, []int64{100, 110}, 2, NoWatermark, 0, 0},
		{"split 1 behind", Advance{Split: 1, Next: 22, Skipped: 1}, []int64{50}, 1, 45, 0, 1},
		{"split 1: one late", Advance{Split: 1, Next: 24}, []int64{40, 47}, 1, 45, 1, 1},
		{"split 0: old but not late", Advance{Split: 0, Next: 13}, []int64{46}, 1, 45, 1, 1},
		{"split 1 catches up", Advance{Split: 1, Next: 25}, []int64{130}, 1, 105, 1, 1},
		{"only skipped records", Advance{Split: 0, Next: 15, Skipped: 2}, nil, 0, 105, 1, 3},
	}
	for _, s := range steps {
		adv.Advance(&s.adv)
		got := 0
		if s.ts != nil {
			h.step(push{0, rows(s.ts...)})
			got = len(h.emitted)
		}
		if got != s.passed {
			t.Errorf("%s: %d rows passed, want %d", s.name, got, s.passed)
		}
		if wm := h.op.(WatermarkSource).CurrentWatermark(); wm.T != s.wm {
			t.Errorf("%s: watermark %d, want %d", s.name, wm.T, s.wm)
		}
		if late, skip := h.op.(LateCounter).LateRows(), h.op.(SkipCounter).SkippedRows(); late != s.late || skip != s.skip {
			t.Errorf("%s: %d late, %d skipped; want %d, %d", s.name, late, skip, s.late, s.skip)
		}
	}
	m := memState{}
	if err := h.op.(Stateful).Checkpoint(m); err != nil {
		t.Fatal(err)
	}
	r := restoreInto(t, n, m)
	if want := map[int32]int64{0: 15, 1: 25}; !maps.Equal(n.Positions, want) {
		t.Errorf("positions restored as %v, want %v", n.Positions, want)
	}
	if wm := r.op.(WatermarkSource).CurrentWatermark(); wm.T != 105 {
		t.Errorf("restored watermark %d, want 105", wm.T)
	}
	if late, skip := r.op.(LateCounter).LateRows(), r.op.(SkipCounter).SkippedRows(); late != 1 || skip != 3 {
		t.Errorf("restored %d late, %d skipped; want 1, 3", late, skip)
	}
}
