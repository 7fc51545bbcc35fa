package operators

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// (k int4, ts timestamptz, v int8, f bool)
var sessionTypes = []vector.Type{vector.Int4, vector.TimestampTZ, vector.Int8, vector.Bool}

// sessionAggs covers the aggregate machinery: count(*), sum(v), min(v),
// max(ts), count(DISTINCT v), count(*) FILTER (WHERE f).
var sessionAggs = []Aggregate{
	{Func: CountStar, Filter: -1, Type: vector.Int8},
	{Func: Sum, Args: []int{2}, Filter: -1, Type: vector.Numeric},
	{Func: Min, Args: []int{2}, Filter: -1, Type: vector.Int8},
	{Func: Max, Args: []int{1}, Filter: -1, Type: vector.TimestampTZ},
	{Func: Count, Args: []int{2}, Distinct: true, Filter: -1, Type: vector.Int8},
	{Func: CountStar, Filter: 3, Type: vector.Int8},
}

// sessionGap is the gap of the sessions under test: 10 s.
const sessionGap = 10_000_000

// sec is s seconds after the epoch, as a timestamptz.
func sec(s int64) vector.TimestampTZValue { return vector.TimestampTZValue(s * 1_000_000) }

// sessionInput is a row of sessionTypes; ts is in seconds, -1 for NULL.
func sessionInput(k int32, ts, v int64, f bool) []any {
	var t any
	if ts >= 0 {
		t = sec(ts)
	}
	return []any{k, t, v, f}
}

// sessionExpected recomputes the sessions of the input independently: each
// key's rows sorted by event time and cut where two are gap or more apart,
// each row tagged with its session's start and end, then aggregated by
// key, start and end with the bounded NewHashAggregate.
func sessionExpected(t *testing.T, in *inputRows, keys []int, gap int64, aggs []Aggregate) []string {
	t.Helper()
	byKey := map[string][][]any{}
	for _, r := range in.rows {
		if r[1] == nil {
			continue
		}
		key := make([]any, len(keys))
		for i, c := range keys {
			key[i] = r[c]
		}
		byKey[renderRow(key)] = append(byKey[renderRow(key)], r)
	}
	ts := func(r []any) int64 { return int64(r[1].(vector.TimestampTZValue)) }
	var tagged [][]any
	for _, rows := range byKey {
		slices.SortFunc(rows, func(a, b []any) int { return cmp.Compare(ts(a), ts(b)) })
		for i := 0; i < len(rows); {
			j := i + 1
			for j < len(rows) && ts(rows[j])-ts(rows[j-1]) < gap {
				j++
			}
			start, end := vector.TimestampTZValue(ts(rows[i])), vector.TimestampTZValue(ts(rows[j-1])+gap)
			for _, r := range rows[i:j] {
				tagged = append(tagged, append(slices.Clone(r), start, end))
			}
			i = j
		}
	}
	if len(tagged) == 0 {
		return nil
	}
	types := append(slices.Clone(in.types), vector.TimestampTZ, vector.TimestampTZ)
	group := append(slices.Clone(keys), len(in.types), len(in.types)+1)
	return sorted(run(t, NewHashAggregate(valuesOf(types, rowsBatch(types, tagged)), group, aggs)))
}

// clusterWatermark hands watermark t to every instance of c, as the
// runtime does, and returns what they emitted, sorted.
func clusterWatermark(c *cluster, t int64) []string {
	c.t.Helper()
	c.emitted = nil
	for _, op := range c.ops {
		if err := op.(WatermarkObserver).Watermark(0, t, c.emit); err != nil {
			c.t.Fatalf("Watermark: %v", err)
		}
	}
	slices.Sort(c.emitted)
	return c.emitted
}

// clusterLateRows sums the late rows of c's instances.
func clusterLateRows(c *cluster) int64 {
	var n int64
	for _, op := range c.ops {
		n += op.(LateCounter).LateRows()
	}
	return n
}

func newSessionNode(keys []int, aggs []Aggregate) *Node {
	return NewSessionNode(NewSourceNode("t", sessionTypes, nil), keys, 1, sessionGap, 0, aggs)
}

// sessionStepBatch is one batch of a step: rows inserted and deleted.
type sessionStepBatch struct{ ins, dels [][]any }

// sessionSteps changes the input step by step: sessions extended on
// either side, a row exactly gap away (not joining), two sessions merged
// and split again, a row deleted from the middle of a session, duplicates,
// NULL event times, an update, a row added and removed in one step. Each
// step applies its batches to in when called.
func sessionSteps(t *testing.T, in *inputRows) []func() []*vector.Batch {
	r := sessionInput
	steps := [][]sessionStepBatch{
		{{ins: [][]any{
			r(1, 0, 1, true), r(1, 5, 2, false), r(1, 12, 2, true), r(1, 40, 7, false),
			r(2, 3, 1, true), r(2, 3, 1, true), r(2, 30, 5, false), r(1, -1, 9, true), r(3, -1, 9, true),
		}}},
		{{ins: [][]any{r(1, 31, 3, true), r(2, 35, 4, true)}}},
		{{ins: [][]any{r(1, 21, 8, false)}}},                                   // 9 s after 12, 10 s before 31
		{{ins: [][]any{r(1, 26, 1, true)}}},                                    // merges [0, 31) and [31, 50)
		{{dels: [][]any{r(1, 26, 1, true)}}},                                   // splits them again
		{{dels: [][]any{r(1, 5, 2, false)}}},                                   // 0 and 12 are now 12 s apart
		{{dels: [][]any{r(2, 3, 1, true)}}},                                    // one copy of two
		{{ins: [][]any{r(2, 30, 6, true)}, dels: [][]any{r(2, 30, 5, false)}}}, // an update
		{ // a row added and removed in one step; a NULL event time removed
			{ins: [][]any{r(4, 100, 1, true)}},
			{dels: [][]any{r(4, 100, 1, true), r(1, -1, 9, true)}},
		},
		{{ins: [][]any{r(1, 5, 2, false), r(1, 5, 3, false)}, dels: [][]any{r(1, 40, 7, false)}}},
		nil, // everything deleted
	}
	fns := make([]func() []*vector.Batch, len(steps))
	for k, step := range steps {
		fns[k] = func() []*vector.Batch {
			if step == nil {
				return []*vector.Batch{in.change(t, nil, slices.Clone(in.rows))}
			}
			var batches []*vector.Batch
			for _, c := range step {
				batches = append(batches, in.change(t, c.ins, c.dels))
			}
			return batches
		}
	}
	return fns
}

func TestSessionNode(t *testing.T) {
	tests := []struct {
		name      string
		keys      []int
		instances int
	}{
		{"by key", []int{0}, 1},
		{"by key, 2 instances", []int{0}, 2},
		{"one key", nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &inputRows{types: sessionTypes}
			c := newCluster(t, newSessionNode(tc.keys, sessionAggs), tc.instances)
			for k, step := range sessionSteps(t, in) {
				got := c.step(step()...)
				checkRows(t, "step "+strconv.Itoa(k), got, sessionExpected(t, in, tc.keys, sessionGap, sessionAggs))
			}
		})
	}
}

func TestSessionNodeEmitsNetChanges(t *testing.T) {
	// count(*), max(v)
	aggs := []Aggregate{{Func: CountStar, Filter: -1, Type: vector.Int8}, {Func: Max, Args: []int{2}, Filter: -1, Type: vector.Int8}}
	r := func(ts, v int64) []any { return sessionInput(1, ts, v, true) }
	steps := []struct {
		name    string
		batches []sessionStepBatch
		want    []string
	}{
		{"two sessions", []sessionStepBatch{{ins: [][]any{r(0, 1), r(5, 2), r(30, 3)}}},
			[]string{"1|0|15000000|2|2", "1|30000000|40000000|1|3"}},
		{"a third, far away: the others stay", []sessionStepBatch{{ins: [][]any{r(100, 4)}}},
			[]string{"1|100000000|110000000|1|4"}},
		{"the first extended", []sessionStepBatch{{ins: [][]any{r(8, 1)}}},
			[]string{"-1|0|15000000|2|2", "1|0|18000000|3|2"}},
		{"a row added and removed", []sessionStepBatch{{ins: [][]any{r(50, 9)}}, {dels: [][]any{r(50, 9)}}},
			nil},
		{"a row added and removed inside a session", []sessionStepBatch{{ins: [][]any{r(2, 9)}}, {dels: [][]any{r(2, 9)}}},
			nil},
		{"a session deleted", []sessionStepBatch{{dels: [][]any{r(30, 3)}}},
			[]string{"-1|30000000|40000000|1|3"}},
		{"the first extended to the right", []sessionStepBatch{{ins: [][]any{r(17, 7)}}},
			[]string{"-1|0|18000000|3|2", "1|0|27000000|4|7"}},
		{"a row replaced by an equal one", []sessionStepBatch{{ins: [][]any{r(17, 7)}, dels: [][]any{r(17, 7)}}},
			nil},
		{"split", []sessionStepBatch{{dels: [][]any{r(8, 1)}}},
			[]string{"-1|0|27000000|4|7", "1|0|15000000|2|2", "1|17000000|27000000|1|7"}},
	}
	in := &inputRows{types: sessionTypes}
	c := newCluster(t, newSessionNode([]int{0}, aggs), 1)
	for _, s := range steps {
		var batches []*vector.Batch
		for _, b := range s.batches {
			batches = append(batches, in.change(t, b.ins, b.dels))
		}
		c.step(batches...)
		checkRows(t, s.name, c.emitted, sorted(s.want))
	}
}

func TestSessionNodeWatermark(t *testing.T) {
	r := sessionInput
	in := &inputRows{types: sessionTypes}
	c := newCluster(t, newSessionNode([]int{0}, sessionAggs), 1)
	op := c.ops[0].(*incSession)
	expected := func() []string { return sessionExpected(t, in, []int{0}, sessionGap, sessionAggs) }
	m := memState{}

	// key 1: [0, 15); key 2: [3, 13), [20, 30)
	got := c.step(in.change(t, [][]any{r(1, 0, 1, true), r(1, 5, 2, true), r(2, 3, 3, true), r(2, 20, 4, true)}, nil))
	checkRows(t, "before any watermark", got, expected())
	c.checkpoint(m)
	if len(m) != 4 {
		t.Fatalf("%d rows in state, want 4", len(m))
	}

	// 13 closes [3, 13), and only it: its output stays.
	if emitted := clusterWatermark(c, int64(sec(13))); len(emitted) != 0 {
		t.Errorf("watermark emitted %q", emitted)
	}
	if got := len(op.ents) - len(op.free); got != 3 {
		t.Errorf("%d rows kept after the watermark, want 3", got)
	}
	c.checkpoint(m)
	if len(m) != 3 {
		t.Errorf("%d rows in state after the session closed, want 3", len(m))
	}

	// Late rows are dropped (one would have reopened the closed session,
	// one would have joined key 1's open one): neither reaches the input.
	late := rowsBatch(sessionTypes, [][]any{r(2, 4, 9, true), r(1, 12, 9, true)})
	got = c.step(late, in.change(t, [][]any{r(1, 13, 5, false)}, nil))
	checkRows(t, "late rows dropped", got, expected())
	if n := clusterLateRows(c); n != 2 {
		t.Errorf("%d late rows, want 2", n)
	}

	// A change pending when the watermark closes its session is emitted
	// by the watermark, before the session is forgotten.
	c.step()
	c.emitted = nil
	if err := op.Push(0, in.change(t, [][]any{r(1, 14, 6, true)}, nil), c.emit); err != nil {
		t.Fatal(err)
	}
	emitted := clusterWatermark(c, int64(sec(24))) // key 1 ends at 24
	want := []string{"-1|0|23000000|3|8|1|13000000|3|2", "1|0|24000000|4|14|1|14000000|4|3"}
	checkRows(t, "emitted by the watermark", emitted, want)
	got = c.step()
	checkRows(t, "flush after the watermark", c.emitted, nil)
	checkRows(t, "after the session closed", got, expected())

	// The state keeps key 2's open session; restored, it goes on.
	c.checkpoint(m)
	if len(m) != 1 {
		t.Errorf("%d rows in state, want 1 (key 2 at 20)", len(m))
	}
	for _, n := range []int{1, 2} {
		state := maps.Clone(m)
		in := &inputRows{types: sessionTypes, rows: slices.Clone(in.rows)}
		restarted := c.restart(state, n)
		got := restarted.step(in.change(t, [][]any{r(2, 25, 7, false), r(1, 30, 8, true)}, nil))
		checkRows(t, "restored into "+strconv.Itoa(n), got, sessionExpected(t, in, []int{0}, sessionGap, sessionAggs))
		// The end of time closes every session: the state empties.
		clusterWatermark(restarted, EndOfTime)
		restarted.checkpoint(state)
		if len(state) != 0 {
			t.Errorf("restored into %d: %d rows in state after the end of time", n, len(state))
		}
	}
}

func TestSessionNodeCheckpointWritesChanges(t *testing.T) {
	in := &inputRows{types: sessionTypes}
	c := newCluster(t, newSessionNode([]int{0}, sessionAggs), 1)
	steps := sessionSteps(t, in)
	m := memState{}
	c.step(steps[0]()...)
	if got := c.checkpoint(m); got != 6 { // 9 rows: a duplicate, two NULL event times
		t.Errorf("first checkpoint wrote %d entries, want 6", got)
	}
	c.step(steps[1]()...)
	if got := c.checkpoint(m); got != 2 {
		t.Errorf("second checkpoint wrote %d entries, want 2", got)
	}
	if got := c.checkpoint(m); got != 0 {
		t.Errorf("checkpoint without changes wrote %d entries", got)
	}
	for k, step := range steps[2:] {
		c.step(step()...)
		c.checkpoint(m)
		r := c.restart(m, 2)
		if got := r.step(); len(r.emitted) != 0 {
			t.Errorf("step %d: restored instances emitted %q", k+2, r.emitted)
		} else {
			checkRows(t, "restored after step "+strconv.Itoa(k+2), got, sessionExpected(t, in, []int{0}, sessionGap, sessionAggs))
		}
		if got := r.checkpoint(memState{}); got != 0 {
			t.Errorf("step %d: checkpoint right after restore wrote %d entries", k+2, got)
		}
	}
	if len(m) != 0 {
		t.Errorf("%d entries left in state once every row is deleted", len(m))
	}
}

// TestSessionNodeRandom drives sessions with random changes over a few
// keys and a watermark that advances, with changes pending when it does,
// late rows, and restarts onto other numbers of instances; after every
// step the output must be the sessions recomputed from the rows accepted.
func TestSessionNodeRandom(t *testing.T) {
	for seed := range uint64(8) {
		t.Run(strconv.Itoa(int(seed)), func(t *testing.T) { testSessionNodeRandom(t, rand.New(rand.NewPCG(seed, 4))) })
	}
}

func testSessionNodeRandom(t *testing.T, rng *rand.Rand) {
	keys := []int{0}
	in := &inputRows{types: sessionTypes}
	c := newCluster(t, newSessionNode(keys, sessionAggs), 2)
	m := memState{}
	wm := int64(0) // seconds; no watermark yet
	var late int64
	// push routes and pushes b without a barrier.
	push := func(b *vector.Batch) {
		for i, part := range c.route(b) {
			if part != nil {
				if err := c.ops[i].Push(0, part, c.emit); err != nil {
					t.Fatalf("Push: %v", err)
				}
			}
		}
	}
	for step := range 40 {
		var ins, dels [][]any
		for range 12 {
			ts := wm + rng.Int64N(40)
			if rng.IntN(10) == 0 {
				ts = -1
			}
			ins = append(ins, sessionInput(int32(rng.IntN(6)), ts, rng.Int64N(4), rng.IntN(2) == 0))
		}
		for _, r := range in.rows {
			if r[1] != nil && int64(r[1].(vector.TimestampTZValue)) >= int64(sec(wm)) && rng.IntN(4) == 0 {
				dels = append(dels, r)
			}
		}
		if wm > 0 {
			for _, r := range ins {
				if r[1] == nil {
					late++ // a NULL event time is late once there is a watermark
				}
			}
		}
		b := in.change(t, ins, dels)
		if wm > 0 && rng.IntN(2) == 0 { // late rows, not part of the input
			push(rowsBatch(sessionTypes, [][]any{sessionInput(1, wm-1-rng.Int64N(20), 1, true)}))
			late++
		}
		if step%3 == 2 { // the watermark advances with the changes pending
			push(b)
			wm += rng.Int64N(15)
			clusterWatermark(c, int64(sec(wm)))
			checkSessionsOpen(t, c, int64(sec(wm)))
			c.step()
		} else {
			c.step(b)
		}
		checkRows(t, "step "+strconv.Itoa(step), c.out.rows(), sessionExpected(t, in, keys, sessionGap, sessionAggs))
		if step%5 == 4 {
			c.checkpoint(m)
		}
		if step%10 == 9 {
			late -= clusterLateRows(c)
			c = c.restart(m, 1+step%3)
			if wm > 0 {
				clusterWatermark(c, int64(sec(wm))) // as the sources send it again
			}
		}
	}
	if got := clusterLateRows(c); got != late {
		t.Errorf("%d late rows, want %d", got, late)
	}
}

// checkSessionsOpen checks that the instances of c forgot every session
// that watermark t closed.
func checkSessionsOpen(t *testing.T, c *cluster, wm int64) {
	t.Helper()
	for _, op := range c.ops {
		s := op.(*incSession)
		for _, k := range s.keys {
			for j := range k.sessions {
				if end := s.end(&k.sessions[j]); end <= wm {
					t.Errorf("a session ending at %d kept after watermark %d", end, wm)
				}
			}
		}
	}
}

// TestSessionNodeForgets checks that the state shrinks with the sessions
// the watermark closes, and that the index of sessions by end follows the
// compaction of the keys.
func TestSessionNodeForgets(t *testing.T) {
	keys := []int{0}
	in := &inputRows{types: sessionTypes}
	c := newCluster(t, newSessionNode(keys, sessionAggs), 1)
	op := c.ops[0].(*incSession)
	m := memState{}
	var rows [][]any
	for k := range 2000 {
		ts := int64(k % 50)
		if k < 10 {
			ts = 150 // open past the watermark below
		}
		for d := range int64(5) {
			rows = append(rows, sessionInput(int32(k), ts+d, int64(k), d%2 == 0))
		}
	}
	got := c.step(in.change(t, rows, nil))
	checkRows(t, "inserted", got, sessionExpected(t, in, keys, sessionGap, sessionAggs))
	c.checkpoint(m)
	clusterWatermark(c, int64(sec(100)))
	c.checkpoint(m)
	if len(m) != 50 || op.table.len() != 10 || op.live != 10 {
		t.Errorf("after closing all but 10 keys: %d rows in state, %d keys in the table (%d live), want 50, 10, 10",
			len(m), op.table.len(), op.live)
	}
	if inUse := len(op.ents) - len(op.free); op.copied != inUse {
		t.Errorf("copies hold %d rows, state %d: not compacted", op.copied, inUse)
	}
	got = c.step(in.change(t, [][]any{sessionInput(3, 155, 5, true), sessionInput(4000, 300, 1, true)}, nil))
	checkRows(t, "after compaction", got, sessionExpected(t, in, keys, sessionGap, sessionAggs))
	if emitted := clusterWatermark(c, int64(sec(165))); len(emitted) != 0 {
		t.Errorf("watermark emitted %q", emitted)
	}
	c.checkpoint(m)
	if len(m) != 1 { // key 4000's row
		t.Errorf("%d rows in state after the watermark closed the 10 keys, want 1", len(m))
	}
	checkRows(t, "closed", c.out.rows(), sessionExpected(t, in, keys, sessionGap, sessionAggs))
}

func TestSessionDetail(t *testing.T) {
	n := newSessionNode([]int{0}, sessionAggs[:2])
	if want := "session($1, 10s) GROUP BY $0: count(*), sum($2)"; n.Detail != want {
		t.Errorf("Detail %q, want %q", n.Detail, want)
	}
	want := []vector.Type{vector.Int4, vector.TimestampTZ, vector.TimestampTZ, vector.Int8, vector.Numeric}
	if !slices.Equal(n.Types(), want) {
		t.Errorf("types %v, want %v", n.Types(), want)
	}
	if global := newSessionNode(nil, sessionAggs[:1]); global.Keyed() {
		t.Error("sessions without keys run as several instances")
	}
}
