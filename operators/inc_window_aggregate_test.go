package operators

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// The input of the window aggregate and EMIT ON WINDOW CLOSE tests:
// (k text, ws timestamp, v int8), ws the start of a tumbling window of
// winSize.
var winTypes = []vector.Type{vector.Text, vector.Timestamp, vector.Int8}

const winSize = 10

var winBound = Bound{Kind: BoundTumbleStart, Size: winSize}

// winRow is a row of winTypes with a weight.
type winRow struct {
	k  string
	ws int64
	v  int64
	w  int64
}

func (r winRow) String() string { return fmt.Sprintf("%s|%d|%d", r.k, r.ws, r.v) }

// winBatch builds a batch of rows.
func winBatch(rows ...winRow) *vector.Batch {
	ks, ws, vs := make([]any, len(rows)), make([]any, len(rows)), make([]any, len(rows))
	w := make([]int64, len(rows))
	for i, r := range rows {
		ks[i], ws[i], vs[i], w[i] = r.k, vector.TimestampValue(r.ws), r.v, r.w
	}
	return weighted(batch(col(vector.Text, ks...), col(vector.Timestamp, ws...), col(vector.Int8, vs...)), w...)
}

// ins and del are rows inserted and deleted once.
func ins(k string, ws, v int64) winRow { return winRow{k, ws, v, 1} }
func del(k string, ws, v int64) winRow { return winRow{k, ws, v, -1} }

// winAggNode is SELECT k, ws, count(*), sum(v) GROUP BY k, ws over
// winTypes, ws a window.
func winAggNode(t *testing.T) *Node {
	t.Helper()
	count, countType, err := LookupAggregate("count", nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, sumType, err := LookupAggregate("sum", []vector.Type{vector.Int8})
	if err != nil {
		t.Fatal(err)
	}
	aggs := []Aggregate{{Func: count, Filter: -1, Type: countType}, {Func: sum, Args: []int{2}, Filter: -1, Type: sumType}}
	return NewWindowAggregateNode(NewSourceNode("t", winTypes, nil), []int{0, 1}, aggs, 1, winBound)
}

// winAggregate recomputes the window aggregate over rows: "k|ws|count|sum"
// for each group with rows.
func winAggregate(rows []winRow) []string {
	type acc struct{ n, sum int64 }
	groups := map[string]*acc{}
	for _, r := range rows {
		key := fmt.Sprintf("%s|%d", r.k, r.ws)
		if groups[key] == nil {
			groups[key] = &acc{}
		}
		groups[key].n += r.w
		groups[key].sum += r.w * r.v
	}
	var out []string
	for key, a := range groups {
		if a.n > 0 {
			out = append(out, fmt.Sprintf("%s|%d|%d", key, a.n, a.sum))
		}
	}
	slices.Sort(out)
	return out
}

// winWatermark tells every instance of c that the watermark is wm and
// returns what they emitted, sorted.
func winWatermark(c *cluster, wm int64) []string {
	c.t.Helper()
	c.emitted = nil
	for _, op := range c.ops {
		if err := op.(WatermarkObserver).Watermark(0, wm, c.emit); err != nil {
			c.t.Fatalf("Watermark(%d): %v", wm, err)
		}
	}
	slices.Sort(c.emitted)
	return c.emitted
}

// winLate is the number of late rows c's instances dropped.
func winLate(c *cluster) int64 {
	var n int64
	for _, op := range c.ops {
		n += op.(LateCounter).LateRows()
	}
	return n
}

// winStateWindows lists the window of every group (or row) in m, whose
// keys are the routing hash then the row of k and ws.
func winStateWindows(t *testing.T, m memState) []int64 {
	t.Helper()
	var out []int64
	row := make([]vector.Datum, 2)
	for key := range m {
		if _, err := vector.DecodeRow([]byte(key[8:]), winTypes[:2], row); err != nil {
			t.Fatalf("state key %x: %v", key, err)
		}
		out = append(out, int64(row[1].(vector.TimestampValue)))
	}
	slices.Sort(out)
	return out
}

// winRestart checkpoints c into m, checks that no window the watermark
// wm has closed is left in the state, and restores the state into n
// instances.
func winRestart(t *testing.T, name string, c *cluster, m memState, wm int64, n int) *cluster {
	t.Helper()
	c.checkpoint(m)
	for _, ws := range winStateWindows(t, m) {
		if winBound.Closed(ws, wm) {
			t.Fatalf("%s: window %d, closed at %d, left in the state", name, ws, wm)
		}
	}
	return c.restart(m, n)
}

// TestWindowAggregateNode follows a window aggregate step by step, by
// hand: a window closes with a change still owed, its groups are
// forgotten without being retracted, and its late rows are dropped.
func TestWindowAggregateNode(t *testing.T) {
	n := winAggNode(t)
	if !slices.Equal(n.Keys[0], []int{0, 1}) {
		t.Fatalf("Keys %v", n.Keys)
	}
	c := newCluster(t, n, 1)
	m := memState{}

	got := c.step(winBatch(ins("a", 0, 1), ins("a", 0, 2), ins("b", 0, 5), ins("a", 10, 3), ins("b", 20, 4)))
	checkRows(t, "first rows", got, []string{"a|0|2|3", "a|10|1|3", "b|0|1|5", "b|20|1|4"})
	c.checkpoint(m)
	checkInts(t, "windows in the state", winStateWindows(t, m), []int64{0, 0, 10, 20})

	// A change to window 0 pushed, not flushed, when the watermark closes
	// it: the watermark emits it, then nothing more of window 0 is.
	c.emitted = nil
	for _, p := range c.route(winBatch(del("a", 0, 2), ins("b", 10, 6))) {
		if err := c.ops[0].Push(0, p, c.emit); err != nil {
			t.Fatal(err)
		}
	}
	checkRows(t, "emitted before the watermark", c.emitted, nil)
	checkRows(t, "emitted at watermark 15", winWatermark(c, 15), []string{"-a|0|2|3", "a|0|1|1", "b|10|1|6"})
	checkRows(t, "output at the next barrier", c.step(), []string{"a|0|1|1", "a|10|1|3", "b|0|1|5", "b|10|1|6", "b|20|1|4"})
	checkRows(t, "emitted at the next barrier", c.emitted, nil)
	c.checkpoint(m)
	checkInts(t, "windows in the state after watermark 15", winStateWindows(t, m), []int64{10, 10, 20})

	// Window 0 is closed: its rows, retractions too, are late.
	got = c.step(winBatch(ins("a", 0, 7), ins("c", 0, 1), del("b", 0, 5), ins("a", 10, 1)))
	checkRows(t, "late rows dropped", got, []string{"a|0|1|1", "a|10|2|4", "b|0|1|5", "b|10|1|6", "b|20|1|4"})
	checkRows(t, "late rows dropped: emitted", c.emitted, []string{"-a|10|1|3", "a|10|2|4"})
	if late := winLate(c); late != 3 {
		t.Errorf("%d late rows, want 3", late)
	}
	checkRows(t, "emitted at watermark 19", winWatermark(c, 19), nil)

	checkRows(t, "emitted at the end of time", winWatermark(c, EndOfTime), nil)
	c.checkpoint(m)
	checkInts(t, "windows in the state at the end", winStateWindows(t, m), nil)
	c.step(winBatch(ins("z", 1000, 1)))
	if late := winLate(c); late != 4 {
		t.Errorf("%d late rows after the end of time, want 4", late)
	}
}

// TestWindowAggregateNodeRandom runs random changes and watermarks through
// P instances, restarting from checkpoints with other P: the output is
// always the aggregate of the rows not late, no change is emitted for a
// window after it closed, and the state holds open windows only.
func TestWindowAggregateNodeRandom(t *testing.T) {
	var lateAll, restarts int64 // over every seed: the run exercises both
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 9))
		c := newCluster(t, winAggNode(t), 1+int(seed%2))
		w := &winRun{wm: NoWatermark}
		m := memState{}
		var late int64 // since the last restart
		for step := range 60 {
			name := fmt.Sprintf("seed %d step %d", seed, step)
			rows, dropped := w.changes(rng)
			late += dropped
			lateAll += dropped
			got := c.step(winBatch(rows...))
			checkRows(t, name, got, winAggregate(w.accepted))
			winCheckOpen(t, name, c.emitted, w.wm)
			if rng.IntN(3) == 0 {
				before := w.wm
				w.advance(rng)
				winCheckOpen(t, name+" at the watermark", winWatermark(c, w.wm), before)
			}
			if late != winLate(c) {
				t.Fatalf("%s: %d late rows, want %d", name, winLate(c), late)
			}
			if rng.IntN(5) == 0 {
				c = winRestart(t, name, c, m, w.wm, 1+rng.IntN(3))
				late = 0
				restarts++
				checkRows(t, name+" after restart", c.step(), winAggregate(w.accepted))
				checkRows(t, name+" after restart: emitted", c.emitted, nil)
				if w.wm != NoWatermark {
					checkRows(t, name+" at the watermark after restart", winWatermark(c, w.wm), nil)
				}
			}
		}
		checkRows(t, fmt.Sprintf("seed %d at the end of time", seed), winWatermark(c, EndOfTime), nil)
		c.checkpoint(m)
		if len(m) != 0 {
			t.Errorf("seed %d: %d state entries left at the end of time", seed, len(m))
		}
	}
	if lateAll == 0 || restarts == 0 {
		t.Fatalf("%d late rows, %d restarts: the run misses a case", lateAll, restarts)
	}
}

// winRun draws random changes to windowed rows and keeps the changes an
// operator must accept: those whose window was open when they came.
type winRun struct {
	wm       int64
	live     []winRow // rows inserted and not deleted (late or not)
	accepted []winRow
}

// changes draws a few inserts and deletes of live rows, mostly in open
// windows, and returns them and how many are late.
func (w *winRun) changes(rng *rand.Rand) ([]winRow, int64) {
	var out []winRow
	var late int64
	for range 1 + rng.IntN(8) {
		var r winRow
		if len(w.live) > 0 && rng.IntN(3) == 0 {
			i := rng.IntN(len(w.live))
			r = w.live[i]
			w.live = slices.Delete(w.live, i, i+1)
			r.w = -1
		} else {
			lo := max(winBound.Of(w.wm), 0)
			if w.wm == NoWatermark || rng.IntN(6) == 0 {
				lo = 0 // late, once the window is closed
			}
			r = ins(string(rune('a'+rng.IntN(3))), lo+winSize*rng.Int64N(4), 1+rng.Int64N(9))
			w.live = append(w.live, r)
		}
		if winBound.Closed(r.ws, w.wm) {
			late++
		} else {
			w.accepted = append(w.accepted, r)
		}
		out = append(out, r)
	}
	return out, late
}

// advance moves the watermark on by up to two windows.
func (w *winRun) advance(rng *rand.Rand) {
	if w.wm == NoWatermark {
		w.wm = 0
	}
	w.wm += 1 + rng.Int64N(2*winSize)
}

// winCheckOpen fails when emitted (rows starting "k|ws|", or "-k|ws|")
// holds a change to a window closed at watermark wm.
func winCheckOpen(t *testing.T, name string, emitted []string, wm int64) {
	t.Helper()
	for _, row := range emitted {
		var ws int64
		if _, err := fmt.Sscanf(strings.SplitN(row, "|", 3)[1], "%d", &ws); err != nil {
			t.Fatalf("%s: row %q: %v", name, row, err)
		}
		if winBound.Closed(ws, wm) {
			t.Fatalf("%s: %q emitted for a window closed at %d", name, row, wm)
		}
	}
}

// TestWindowAggregateNodeCompaction closes a window of many groups, so
// that the groups forgotten outnumber the others and are compacted away:
// the windows still open close as before, with their groups intact.
func TestWindowAggregateNodeCompaction(t *testing.T) {
	c := newCluster(t, winAggNode(t), 1)
	var rows []winRow
	for i := range 3000 {
		rows = append(rows, ins(fmt.Sprint(i), 0, 1))
	}
	for _, ws := range []int64{10, 20} {
		for _, k := range []string{"a", "b", "c"} {
			rows = append(rows, ins(k, ws, ws))
		}
	}
	c.step(winBatch(rows...))
	m := memState{}
	c.checkpoint(m)
	checkRows(t, "emitted at watermark 10", winWatermark(c, 10), nil)
	c.step()
	if n := c.ops[0].(*incAggregate).table.len(); n != 6 {
		t.Fatalf("%d groups after the compaction, want 6", n)
	}
	c.checkpoint(m)
	checkInts(t, "windows in the state after watermark 10", winStateWindows(t, m), []int64{10, 10, 10, 20, 20, 20})

	more := []winRow{ins("a", 10, 1), ins("a", 20, 2), del("b", 20, 20), ins("d", 20, 4)}
	got := c.step(winBatch(more...))
	checkRows(t, "after the compaction", got, winAggregate(append(rows, more...)))
	checkRows(t, "emitted at watermark 20", winWatermark(c, 20), nil)
	c.checkpoint(m)
	checkInts(t, "windows in the state after watermark 20", winStateWindows(t, m), []int64{20, 20, 20})
	late := []winRow{ins("a", 10, 5), ins("z", 0, 1)}
	got = c.step(winBatch(append(late, ins("c", 20, 1))...))
	checkRows(t, "late after the compaction", got, winAggregate(append(rows, append(more, ins("c", 20, 1))...)))
	if n := winLate(c); n != int64(len(late)) {
		t.Errorf("%d late rows, want %d", n, len(late))
	}
}

// TestWindowAggregateNodeWatermarkFirst: after a restart, the watermark
// may come before any row; the windows it closes are forgotten all the
// same.
func TestWindowAggregateNodeWatermarkFirst(t *testing.T) {
	c := newCluster(t, winAggNode(t), 1)
	rows := []winRow{ins("a", 0, 1), ins("b", 10, 2), ins("c", 20, 3)}
	c.step(winBatch(rows...))
	m := memState{}
	c.checkpoint(m)
	for _, p := range []int{1, 2} {
		m := maps.Clone(m)
		r := c.restart(m, p)
		checkRows(t, "emitted at watermark 15", winWatermark(r, 15), nil)
		r.checkpoint(m)
		checkInts(t, fmt.Sprintf("P=%d: windows in the state after watermark 15", p), winStateWindows(t, m), []int64{10, 20})
		got := r.step(winBatch(ins("a", 0, 5), ins("b", 10, 1)))
		checkRows(t, "after the restart", got, winAggregate(append(rows, ins("b", 10, 1))))
		if late := winLate(r); late != 1 {
			t.Errorf("P=%d: %d late rows, want 1", p, late)
		}
	}
}
