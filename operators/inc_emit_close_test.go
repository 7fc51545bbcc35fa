package operators

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

func winEmitOnCloseNode() *Node {
	return NewEmitOnCloseNode(NewSourceNode("t", winTypes, nil), 1, winBound)
}

// TestEmitOnCloseNode follows EMIT ON WINDOW CLOSE step by step, by hand.
func TestEmitOnCloseNode(t *testing.T) {
	n := winEmitOnCloseNode()
	if !slices.Equal(n.Keys[0], []int{0, 1, 2}) {
		t.Fatalf("Keys %v", n.Keys)
	}
	c := newCluster(t, n, 1)
	steps := []struct {
		name    string
		rows    []winRow
		wm      int64 // 0: no watermark after the rows
		emitted []string
		late    int64
	}{
		{name: "held until the window closes",
			rows: []winRow{ins("a", 0, 1), ins("a", 0, 1), ins("b", 0, 2), ins("a", 10, 3), {"c", 20, 4, 3}}},
		{name: "changes that cancel in a window",
			rows: []winRow{del("a", 0, 1), ins("x", 10, 9), del("x", 10, 9), ins("y", 0, 5), del("y", 0, 5)}},
		{name: "a watermark that closes nothing", wm: 9},
		{name: "window 0 closes: its net rows", wm: 10, emitted: []string{"a|0|1", "b|0|2"}},
		{name: "once", wm: 15},
		{name: "late rows for window 0", rows: []winRow{ins("a", 0, 1), del("b", 0, 2), ins("a", 10, 3)}, late: 2},
		{name: "window 10 closes", wm: 25, emitted: []string{"a|10|3", "a|10|3"}, late: 2},
	}
	for _, s := range steps {
		c.step(winBatch(s.rows...))
		checkRows(t, s.name+": emitted at the barrier", c.emitted, nil)
		if s.wm != 0 {
			checkRows(t, s.name, winWatermark(c, s.wm), s.emitted)
		}
		if late := winLate(c); late != s.late {
			t.Errorf("%s: %d late rows, want %d", s.name, late, s.late)
		}
	}
	m := memState{}
	c.checkpoint(m)
	checkInts(t, "windows in the state", winStateWindows(t, m), []int64{20})
	for _, p := range []int{1, 2} {
		m := maps.Clone(m)
		r := c.restart(m, p)
		r.out = contents{}
		checkRows(t, "emitted after restore", r.step(), nil)
		checkRows(t, fmt.Sprintf("P=%d: window 20 closes after restore", p), winWatermark(r, 30), []string{"c|20|4", "c|20|4", "c|20|4"})
		checkRows(t, "at the end of time", winWatermark(r, EndOfTime), nil)
		r.checkpoint(m)
		if len(m) != 0 {
			t.Errorf("P=%d: %d state entries left at the end of time", p, len(m))
		}
	}
}

// TestEmitOnCloseNodeNegative: a window whose rows were deleted more
// often than inserted fails when it closes rather than emit a negative
// row.
func TestEmitOnCloseNodeNegative(t *testing.T) {
	c := newCluster(t, winEmitOnCloseNode(), 1)
	c.step(winBatch(del("a", 0, 1)))
	if err := c.ops[0].(WatermarkObserver).Watermark(0, 10, c.emit); err == nil {
		t.Errorf("a negative row closed without error; emitted %q", c.emitted)
	}
}

// TestEmitOnCloseNodeRandom runs random changes and watermarks through P
// instances, restarting from checkpoints with other P: nothing is emitted
// at barriers, and each watermark emits exactly the net rows of the
// windows it closes (of the changes not late).
func TestEmitOnCloseNodeRandom(t *testing.T) {
	var lateAll, restarts int64 // over every seed: the run exercises both
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(seed, 10))
		c := newCluster(t, winEmitOnCloseNode(), 1+int(seed%2))
		w := &winRun{wm: NoWatermark}
		m := memState{}
		var late int64 // since the last restart
		var all []string
		for step := range 60 {
			name := fmt.Sprintf("seed %d step %d", seed, step)
			rows, dropped := w.changes(rng)
			late += dropped
			lateAll += dropped
			c.step(winBatch(rows...))
			checkRows(t, name+": emitted at the barrier", c.emitted, nil)
			if rng.IntN(3) == 0 {
				before := w.wm
				w.advance(rng)
				got := winWatermark(c, w.wm)
				checkRows(t, name+": emitted at the watermark", got, winNetRows(w.accepted, before, w.wm))
				all = append(all, got...)
			}
			if late != winLate(c) {
				t.Fatalf("%s: %d late rows, want %d", name, winLate(c), late)
			}
			if rng.IntN(5) == 0 {
				c = winRestart(t, name, c, m, w.wm, 1+rng.IntN(3))
				late = 0
				restarts++
				c.step()
				checkRows(t, name+" after restart: emitted", c.emitted, nil)
				if w.wm != NoWatermark {
					checkRows(t, name+" at the watermark after restart", winWatermark(c, w.wm), nil)
				}
			}
		}
		got := winWatermark(c, EndOfTime)
		checkRows(t, fmt.Sprintf("seed %d at the end of time", seed), got, winNetRows(w.accepted, w.wm, EndOfTime))
		all = append(all, got...)
		slices.Sort(all)
		checkRows(t, fmt.Sprintf("seed %d: everything emitted", seed), all, winNetRows(w.accepted, NoWatermark, EndOfTime))
		c.checkpoint(m)
		if len(m) != 0 {
			t.Errorf("seed %d: %d state entries left at the end of time", seed, len(m))
		}
	}
	if lateAll == 0 || restarts == 0 {
		t.Fatalf("%d late rows, %d restarts: the run misses a case", lateAll, restarts)
	}
}

// winNetRows is the net multiset of rows, rendered as changes does, of
// the windows open at watermark from and closed at watermark to.
func winNetRows(rows []winRow, from, to int64) []string {
	net := map[string]int64{}
	for _, r := range rows {
		if !winBound.Closed(r.ws, from) && winBound.Closed(r.ws, to) {
			net[r.String()] += r.w
		}
	}
	var out []string
	for row, n := range net {
		for range n {
			out = append(out, row)
		}
	}
	slices.Sort(out)
	return out
}

// TestEmitOnCloseNodeCompaction closes a window of many rows, so that the
// rows emitted outnumber the others and a checkpoint compacts them away:
// the windows still open close as before, with their rows intact.
func TestEmitOnCloseNodeCompaction(t *testing.T) {
	c := newCluster(t, winEmitOnCloseNode(), 1)
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
	checkRows(t, "emitted at watermark 10", winWatermark(c, 10), winNetRows(rows, NoWatermark, 10))
	m := memState{}
	c.checkpoint(m)
	if n := c.ops[0].(*incEmitOnClose).rows.table.len(); n != 6 {
		t.Fatalf("%d rows after the compaction, want 6", n)
	}
	checkInts(t, "windows in the state after watermark 10", winStateWindows(t, m), []int64{10, 10, 10, 20, 20, 20})

	more := []winRow{ins("a", 10, 1), ins("a", 20, 2), del("b", 20, 20), ins("d", 20, 4), ins("z", 0, 1)}
	c.step(winBatch(more...))
	all := append(rows, more[:4]...)
	checkRows(t, "emitted at watermark 20", winWatermark(c, 20), winNetRows(all, 10, 20))
	checkRows(t, "emitted at the end of time", winWatermark(c, EndOfTime), winNetRows(all, 20, EndOfTime))
	if n := winLate(c); n != 1 {
		t.Errorf("%d late rows, want 1", n)
	}
}

// TestEmitOnCloseNodeWatermarkFirst: after a restart, the watermark may
// come before any row; it emits the restored rows of the windows it
// closes.
func TestEmitOnCloseNodeWatermarkFirst(t *testing.T) {
	c := newCluster(t, winEmitOnCloseNode(), 1)
	rows := []winRow{ins("a", 0, 1), ins("a", 0, 1), ins("b", 10, 2), ins("c", 20, 3)}
	c.step(winBatch(rows...))
	m := memState{}
	c.checkpoint(m)
	for _, p := range []int{1, 2} {
		m := maps.Clone(m)
		r := c.restart(m, p)
		checkRows(t, fmt.Sprintf("P=%d: emitted at watermark 15", p), winWatermark(r, 15), []string{"a|0|1", "a|0|1"})
		r.checkpoint(m)
		checkInts(t, fmt.Sprintf("P=%d: windows in the state after watermark 15", p), winStateWindows(t, m), []int64{10, 20})
	}
}
