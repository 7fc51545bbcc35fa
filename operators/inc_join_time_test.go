package operators

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// The inputs of the time join tests: left (k int4, ts, v int8) and right
// (k int4, ts, w int8). ts is a window start (timestamp, tumbling windows
// of tjSize) for window joins and an event time (bigint µs) for interval
// joins, which join left ts ∈ [right ts + tjLower, right ts + tjUpper].
const (
	tjSize           = 10
	tjLower, tjUpper = -5, 10
)

// tjCase is a time join under test.
type tjCase struct {
	window   bool
	keyed    bool // interval joins: on k too (window joins always are, and on ts)
	typ      JoinType
	residual bool // v <= w too
	retract  bool // the inputs retract rows as well as insert them
	// open leaves an inner interval join without its lower bound (1) or
	// its upper bound (2): that side's rows are kept for ever.
	open int
}

func (c tjCase) String() string {
	s := "interval"
	if c.window {
		s = "window"
	} else if !c.keyed {
		s += " without keys"
	}
	s += " " + joinTypeNames[c.typ]
	if c.residual {
		s += " with residual"
	}
	if c.retract {
		s += " with retractions"
	}
	if c.open != 0 {
		s += []string{"", " open below", " open above"}[c.open]
	}
	return s
}

func (c tjCase) types() []vector.Type {
	if c.window {
		return []vector.Type{vector.Int4, vector.Timestamp, vector.Int8}
	}
	return []vector.Type{vector.Int4, vector.Int8, vector.Int8}
}

// time returns a ts value of the case's type.
func (c tjCase) time(us int64) any {
	if c.window {
		return vector.TimestampValue(us)
	}
	return us
}

func (c tjCase) node(t *testing.T) *Node {
	types := c.types()
	src := func() *Node { return NewNode("Source", types) }
	var keys []int
	var conds []vector.Expr
	tm := JoinTime{WindowKey: 1, WindowBound: Bound{Kind: BoundTumbleStart, Size: tjSize}}
	if !c.window {
		if c.keyed {
			keys = []int{0}
		}
		tm = JoinTime{WindowKey: -1, Interval: true, LeftTime: 1, RightTime: 1, Lower: tjLower, Upper: tjUpper,
			LowerOpen: c.open == 1, UpperOpen: c.open == 2}
		lt, rt := colRef(1, vector.Int8), colRef(4, vector.Int8)
		offset := func(d int64) vector.Expr { return binop(t, "+", rt, vector.NewConst(d, vector.Int8)) }
		if c.open != 1 {
			conds = append(conds, binop(t, ">=", lt, offset(tjLower)))
		}
		if c.open != 2 {
			conds = append(conds, binop(t, "<=", lt, offset(tjUpper)))
		}
	} else {
		keys = []int{0, 1}
	}
	if c.residual {
		conds = append(conds, binop(t, "<=", colRef(2, vector.Int8), colRef(5, vector.Int8)))
	}
	var residual vector.Expr
	switch len(conds) {
	case 0:
	case 1:
		residual = conds[0]
	default:
		var err error
		if residual, err = vector.NewAnd(conds...); err != nil {
			t.Fatal(err)
		}
	}
	return NewTimeJoinNode(src(), src(), c.typ, keys, keys, residual, &vector.EvalContext{}, tm)
}

// tjRow is a distinct input row with its net multiplicity.
type tjRow struct {
	vals []any // k, ts, v
	mult int64
}

// tjModel is the independent recomputation of a time join: both inputs'
// accepted rows (late rows left out) and watermarks, and from them the
// output the join owes so far.
type tjModel struct {
	c    tjCase
	rows [2]map[string]*tjRow
	wm   [2]int64
	late int64
}

func newTJModel(c tjCase) *tjModel {
	return &tjModel{c: c, rows: [2]map[string]*tjRow{{}, {}}, wm: [2]int64{NoWatermark, NoWatermark}}
}

// isLate reports whether row vals of side in is late: its own input's
// watermark passed its time (interval) or its window's end (window).
func (m *tjModel) isLate(in int, vals []any) bool {
	t, ok := m.ts(vals)
	switch {
	case !ok || m.wm[in] == NoWatermark:
		return false
	case m.c.window:
		return t+tjSize <= m.wm[in]
	}
	return t < m.wm[in]
}

// ts is the time of a row, ok false when NULL.
func (m *tjModel) ts(vals []any) (int64, bool) { return tjTime(vals[1]) }

// tjTime is a time value as µs, ok false when NULL.
func tjTime(d vector.Datum) (int64, bool) {
	switch v := d.(type) {
	case vector.TimestampValue:
		return int64(v), true
	case int64:
		return v, true
	}
	return 0, false
}

// apply records a batch of changes to side in, leaving out (and counting)
// the late rows.
func (m *tjModel) apply(in int, rows []tjRow) {
	for _, r := range rows {
		if m.isLate(in, r.vals) {
			m.late++
			continue
		}
		key := renderRow(r.vals)
		e := m.rows[in][key]
		if e == nil {
			e = &tjRow{vals: r.vals}
			m.rows[in][key] = e
		}
		if e.mult += r.mult; e.mult == 0 {
			delete(m.rows[in], key)
		}
	}
}

// matches reports whether left row l and right row r join.
func (m *tjModel) matches(l, r []any) bool {
	lt, lok := m.ts(l)
	rt, rok := m.ts(r)
	if !lok || !rok || ((m.c.window || m.c.keyed) && (l[0] == nil || r[0] == nil || l[0] != r[0])) {
		return false
	}
	if m.c.window && lt != rt || !m.c.window && (lt < rt+tjLower && m.c.open != 1 || lt > rt+tjUpper && m.c.open != 2) {
		return false
	}
	return !m.c.residual || l[2].(int64) <= r[2].(int64)
}

// settled reports whether row vals of side in can no longer match: a
// NULL key or time never matches; otherwise the watermarks closed it.
func (m *tjModel) settled(in int, vals []any) bool {
	t, ok := m.ts(vals)
	if !ok || (m.c.window || m.c.keyed) && vals[0] == nil {
		return true
	}
	closes := func(wm int64, closed bool) bool { return wm != NoWatermark && (wm == EndOfTime || closed) }
	switch {
	case m.c.window:
		wm := min(m.wm[0], m.wm[1])
		return closes(wm, t+tjSize <= wm)
	case in == 0:
		return closes(m.wm[1], t < m.wm[1]+tjLower)
	}
	return closes(m.wm[0], t < m.wm[0]-tjUpper)
}

// want is what the join owes so far: every matching pair of the accepted
// rows, and the own row of each settled row of a tracked side (unmatched
// for outer and anti joins, matched for semi joins).
func (m *tjModel) want() []string {
	out := contents{}
	nulls := []any{nil, nil, nil}
	pairs := m.c.typ != SemiJoin && m.c.typ != AntiJoin
	matched := [2]map[string]bool{{}, {}}
	for lk, l := range m.rows[0] {
		for rk, r := range m.rows[1] {
			if !m.matches(l.vals, r.vals) {
				continue
			}
			matched[0][lk], matched[1][rk] = true, true
			if pairs {
				out[renderRow(slices.Concat(l.vals, r.vals))] += l.mult * r.mult
			}
		}
	}
	tracked := [2]bool{m.c.typ != InnerJoin && m.c.typ != RightJoin, m.c.typ == RightJoin || m.c.typ == FullJoin}
	for in, rows := range m.rows {
		for key, r := range rows {
			if !tracked[in] || !m.settled(in, r.vals) || matched[in][key] != (m.c.typ == SemiJoin) {
				continue
			}
			row := r.vals
			switch {
			case !pairs:
			case in == 0:
				row = slices.Concat(r.vals, nulls)
			default:
				row = slices.Concat(nulls, r.vals)
			}
			out[renderRow(row)] += r.mult
		}
	}
	return out.rows()
}

// tjCluster runs a time join node as the runtime does: as instances, each
// pushed the rows whose key routes to it and told every watermark. Its
// contents are the sum of what every instance emitted.
type tjCluster struct {
	t    *testing.T
	c    tjCase
	node *Node
	ops  []*timeJoin
	out  contents
	late int64 // dropped by instances replaced since
	// floor is the output watermark forwarded last: the minimum of the
	// inputs' watermarks before the current push or watermark.
	floor int64
}

func newTJCluster(t *testing.T, c tjCase, node *Node, instances int) *tjCluster {
	t.Helper()
	k := &tjCluster{t: t, c: c, node: node, out: contents{}, floor: NoWatermark}
	for range instances {
		op, err := node.New()
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		k.ops = append(k.ops, op.(*timeJoin))
	}
	return k
}

func (k *tjCluster) emit(b *vector.Batch) error {
	if b.Len == 0 {
		return fmt.Errorf("empty batch emitted")
	}
	for i := range b.Len {
		if w := b.Weight(i); w == 0 || w < 0 && !k.c.retract {
			return fmt.Errorf("weight %d emitted for changes without retractions", w)
		}
	}
	if err := k.checkTimes(b); err != nil {
		return err
	}
	k.out.apply(k.node.Types(), b)
	return nil
}

// checkTimes checks the times of emitted rows against the output
// watermark: a window join's windows are not closed by it, an interval
// join's left times trail it by at most max(0, -Lower), its right times
// by at most max(0, Upper).
func (k *tjCluster) checkTimes(b *vector.Batch) error {
	if k.floor == NoWatermark {
		return nil
	}
	types := k.node.Types()
	for side, lag := range []int64{max(0, -tjLower), max(0, tjUpper)} {
		c := 1 + 3*side
		if c >= len(types) {
			break // semi and anti joins output the left columns only
		}
		if k.c.open == side+1 {
			continue // the side kept for ever: its times may be anything
		}
		for i := range b.Len {
			t, ok := tjTime(vector.ValueAt(b.Cols[c], types[c], i))
			switch {
			case !ok:
			case k.c.window && t+tjSize <= k.floor:
				return fmt.Errorf("window %d emitted after watermark %d closed it", t, k.floor)
			case !k.c.window && t < k.floor-lag:
				return fmt.Errorf("time %d of side %d emitted after watermark %d", t, side, k.floor)
			}
		}
	}
	return nil
}

// push routes a batch of changes to input in to the instances.
func (k *tjCluster) push(in int, b *vector.Batch) {
	k.t.Helper()
	parts := []*vector.Batch{b}
	if k.node.Keys != nil {
		parts = tjRoute(b, k.node.Keys[in], k.node.Inputs[in].Types(), len(k.ops))
	}
	for q, part := range parts {
		if part == nil {
			continue
		}
		if err := k.ops[q].Push(in, part, k.emit); err != nil {
			k.t.Fatalf("Push: %v", err)
		}
	}
}

// tjRoute splits b by the instance (of p) its key columns route to.
func tjRoute(b *vector.Batch, keys []int, types []vector.Type, p int) []*vector.Batch {
	cols, kt := make([]arrow.Array, len(keys)), make([]vector.Type, len(keys))
	for k, c := range keys {
		cols[k], kt[k] = b.Cols[c], types[c]
	}
	hashes := make([]uint64, b.Len)
	vector.HashColumns(cols, kt, b.Len, hashes)
	idx := make([][]int32, p)
	for i, h := range hashes {
		q := PartitionOf(h, p)
		idx[q] = append(idx[q], int32(i))
	}
	out := make([]*vector.Batch, p)
	for q, rows := range idx {
		if len(rows) > 0 {
			out[q] = vector.TakeRows(b, rows)
		}
	}
	return out
}

func (k *tjCluster) watermark(in int, t int64) {
	k.t.Helper()
	for _, op := range k.ops {
		if err := op.Watermark(in, t, k.emit); err != nil {
			k.t.Fatalf("Watermark: %v", err)
		}
	}
}

func (k *tjCluster) flush() {
	k.t.Helper()
	for _, op := range k.ops {
		if err := op.Flush(k.emit); err != nil {
			k.t.Fatalf("Flush: %v", err)
		}
	}
}

// checkpoint flushes every instance and writes its changed state into m.
func (k *tjCluster) checkpoint(m memState) {
	k.t.Helper()
	k.flush()
	for _, op := range k.ops {
		if err := op.Checkpoint(m); err != nil {
			k.t.Fatalf("Checkpoint: %v", err)
		}
	}
}

// lateRows is the number of late rows the instances dropped.
func (k *tjCluster) lateRows() int64 {
	n := k.late
	for _, op := range k.ops {
		n += op.LateRows()
	}
	return n
}

// liveRows is the number of entries the instances keep, and the number
// of values their expiry indexes list.
func (k *tjCluster) liveRows() (rows, listed int) {
	for _, op := range k.ops {
		for in, s := range op.sides {
			rows += s.store.live
			listed += op.timer.sides[in].exp.len()
		}
	}
	return rows, listed
}

// restart checkpoints the cluster and returns one restored from m (the
// checkpoints so far) with the given number of instances, each restored
// with the keys that route to it, told the current watermarks wm again.
func (k *tjCluster) restart(m memState, instances int, wm [2]int64) *tjCluster {
	k.t.Helper()
	k.checkpoint(m)
	r := newTJCluster(k.t, k.c, k.node, instances)
	r.out, r.late, r.floor = k.out, k.lateRows(), k.floor
	for _, key := range slices.Sorted(maps.Keys(m)) {
		op := r.ops[PartitionOf(binary.BigEndian.Uint64([]byte(key)), instances)]
		if err := op.Restore([]byte(key), []byte(m[key])); err != nil {
			k.t.Fatalf("Restore: %v", err)
		}
	}
	before := maps.Clone(r.out)
	for in, t := range wm {
		if t != NoWatermark {
			r.watermark(in, t)
		}
	}
	r.flush()
	if !maps.Equal(before, r.out) {
		k.t.Errorf("%s: the restored instances emitted changes on being told the watermarks again", k.c)
	}
	return r
}

// tjBatch builds a batch of changes of c's input types.
func tjBatch(c tjCase, rows []tjRow) *vector.Batch {
	types := c.types()
	cols := make([]arrow.Array, len(types))
	ws := make([]int64, len(rows))
	for k, t := range types {
		vals := make([]any, len(rows))
		for i, r := range rows {
			vals[i] = r.vals[k]
			ws[i] = r.mult
		}
		cols[k] = col(t, vals...)
	}
	return weighted(batch(cols...), ws...)
}

func allTJCases() []tjCase {
	var cases []tjCase
	for _, typ := range allJoinTypes {
		for _, residual := range []bool{false, true} {
			for _, retract := range []bool{false, true} {
				cases = append(cases, tjCase{window: true, typ: typ, residual: residual, retract: retract})
				for _, keyed := range []bool{true, false} {
					cases = append(cases, tjCase{keyed: keyed, typ: typ, residual: residual, retract: retract})
					if typ == InnerJoin {
						for open := 1; open <= 2; open++ {
							cases = append(cases, tjCase{keyed: keyed, typ: typ, residual: residual, retract: retract, open: open})
						}
					}
				}
			}
		}
	}
	return cases
}

func TestTimeJoinRandom(t *testing.T) {
	// Random changes and watermarks on both inputs: rows near a common
	// event-time front, some of them late, NULL keys and times, and, with
	// retractions, deletes of rows that are not late. After every change
	// or watermark the output is what the model owes; now and then the
	// instances are checkpointed and replaced by 1 to 3 restored ones.
	// After both inputs end the state is empty.
	for seed, c := range allTJCases() {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		node := c.node(t)
		m := newTJModel(c)
		k := newTJCluster(t, c, node, 1)
		state := memState{}
		front := int64(100)
		for step := range 70 {
			in := rng.IntN(2)
			k.floor = min(m.wm[0], m.wm[1])
			switch r := rng.IntN(20); {
			case r < 11:
				rows := tjChanges(c, m, in, front, rng)
				m.apply(in, rows)
				k.push(in, tjBatch(c, rows))
			case r < 18:
				front += rng.Int64N(6)
				wm := front - 12 + rng.Int64N(12)
				if m.wm[in] != NoWatermark && wm <= m.wm[in] {
					wm = m.wm[in] + 1
				}
				m.wm[in] = wm
				k.watermark(in, wm)
			case r < 19:
				k.flush()
			default:
				instances := 1
				if node.Keys != nil {
					instances = 1 + rng.IntN(3)
				}
				k = k.restart(state, instances, m.wm)
			}
			checkRows(t, fmt.Sprintf("%s step %d", c, step), k.out.rows(), m.want())
			if t.Failed() {
				return
			}
		}
		for _, in := range rng.Perm(2) {
			k.floor = min(m.wm[0], m.wm[1])
			m.wm[in] = EndOfTime
			k.watermark(in, EndOfTime)
		}
		checkRows(t, fmt.Sprintf("%s at the end of time", c), k.out.rows(), m.want())
		if got := k.lateRows(); got != m.late {
			t.Errorf("%s: %d late rows, want %d", c, got, m.late)
		}
		if rows, listed := k.liveRows(); rows != 0 || listed != 0 {
			t.Errorf("%s: %d rows kept and %d times listed at the end of time", c, rows, listed)
		}
		k.checkpoint(state)
		if len(state) != 0 {
			t.Errorf("%s: %d state entries left at the end of time", c, len(state))
		}
	}
}

// tjChanges returns 1 to 3 random changes to side in: rows with times
// around front (late ones among them), NULL keys and times now and then,
// and, for cases with retractions, deletes of one copy of a row the model
// holds that is not late.
func tjChanges(c tjCase, m *tjModel, in int, front int64, rng *rand.Rand) []tjRow {
	var rows []tjRow
	deleted := map[string]int64{} // copies of the model's rows deleted by rows
	for range 1 + rng.IntN(3) {
		if c.retract && rng.IntN(4) == 0 {
			var live []string
			for _, key := range slices.Sorted(maps.Keys(m.rows[in])) {
				if r := m.rows[in][key]; r.mult > deleted[key] && !m.isLate(in, r.vals) {
					live = append(live, key)
				}
			}
			if len(live) > 0 {
				key := live[rng.IntN(len(live))]
				deleted[key]++
				rows = append(rows, tjRow{m.rows[in][key].vals, -1})
				continue
			}
		}
		var k, ts any
		if n := rng.IntN(10); n > 0 {
			k = int32(1 + n%3)
		}
		if rng.IntN(20) > 0 {
			t := front - 12 + rng.Int64N(30)
			if c.window {
				t = floorTo(t, tjSize, 0)
			}
			ts = c.time(t)
		}
		rows = append(rows, tjRow{[]any{k, ts, rng.Int64N(4) * 10}, 1 + rng.Int64N(2)})
	}
	return rows
}

func TestTimeJoinEmitted(t *testing.T) {
	// The changes each step emits, derived by hand, and what the instance
	// keeps and drops.
	type step struct {
		name    string
		in      int
		rows    []tjRow // pushed to input in, or
		wm      int64   // the watermark of input in
		emitted []string
		kept    int // rows kept by both sides after the step
		late    int64
	}
	row := func(k int32, ts, v int64) []any { return []any{k, ts, v} }
	wrow := func(k int32, ts, v int64) []any { return []any{k, vector.TimestampValue(ts), v} }
	cases := []struct {
		c     tjCase
		steps []step
	}{
		{tjCase{keyed: true, typ: LeftJoin}, []step{ // left ts ∈ [right ts - 5, right ts + 10]
			{name: "left row", rows: []tjRow{{row(1, 20, 10), 1}}, kept: 1},
			{name: "its match", in: 1, rows: []tjRow{{row(1, 12, 100), 1}}, emitted: []string{"1|20|10|1|12|100"}, kept: 2},
			{name: "an unmatched left row", rows: []tjRow{{row(2, 22, 20), 1}}, kept: 3},
			{name: "right watermark closes neither", in: 1, wm: 25, kept: 3},
			{name: "right watermark closes both: the matched row is forgotten",
				in: 1, wm: 28, emitted: []string{"2|22|20|NULL|NULL|NULL"}, kept: 1},
			{name: "a left row already closed is output at once", rows: []tjRow{{row(3, 21, 30), 1}},
				emitted: []string{"3|21|30|NULL|NULL|NULL"}, kept: 1},
			{name: "left watermark forgets the right row", wm: 23, kept: 0},
			{name: "a late left row is dropped", rows: []tjRow{{row(1, 22, 40), 1}}, kept: 0, late: 1},
			{name: "a NULL time is output at once", rows: []tjRow{{[]any{int32(1), nil, int64(50)}, 1}},
				emitted: []string{"1|NULL|50|NULL|NULL|NULL"}, late: 1},
		}},
		{tjCase{window: true, typ: FullJoin}, []step{
			{name: "rows of window 0", in: 1, rows: []tjRow{{wrow(1, 0, 100), 1}, {wrow(2, 0, 200), 1}}, kept: 2},
			{name: "a match", rows: []tjRow{{wrow(1, 0, 10), 1}}, emitted: []string{"1|0|10|1|0|100"}, kept: 3},
			{name: "window 0 closed on the left only", wm: 10, kept: 3},
			{name: "a right row of window 0 is late on neither side", in: 1, rows: []tjRow{{wrow(3, 0, 300), 1}}, kept: 4},
			{name: "the right watermark short of window 0's end", in: 1, wm: 9, kept: 4},
			{name: "closed on both sides", in: 1, wm: 10,
				emitted: []string{"NULL|NULL|NULL|2|0|200", "NULL|NULL|NULL|3|0|300"}},
			{name: "late on the right", in: 1, rows: []tjRow{{wrow(1, 0, 101), 1}}, late: 1},
			{name: "window 10", rows: []tjRow{{wrow(1, 10, 11), 1}}, kept: 1, late: 1},
			{name: "the left input ends", wm: EndOfTime, kept: 1, late: 1},
			{name: "the right input ends", in: 1, wm: EndOfTime, emitted: []string{"1|10|11|NULL|NULL|NULL"}, late: 1},
		}},
	}
	for _, tc := range cases {
		h := newIncHarness(t, tc.c.node(t))
		j := h.op.(*timeJoin)
		for _, s := range tc.steps {
			h.emitted = nil
			var err error
			if s.rows != nil {
				err = j.Push(s.in, tjBatch(tc.c, s.rows), h.emit)
			} else {
				err = j.Watermark(s.in, s.wm, h.emit)
			}
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			name := fmt.Sprintf("%s: %s", tc.c, s.name)
			checkRows(t, name, sorted(h.emitted), s.emitted)
			if kept := j.sides[0].store.live + j.sides[1].store.live; kept != s.kept {
				t.Errorf("%s: %d rows kept, want %d", name, kept, s.kept)
			}
			if late := j.LateRows(); late != s.late {
				t.Errorf("%s: %d late rows, want %d", name, late, s.late)
			}
		}
	}
}

func TestTimeJoinNode(t *testing.T) {
	// What EXPLAIN shows, where the node runs, and the descriptions New
	// refuses.
	two := []vector.Type{vector.Int4, vector.Timestamp}
	src := func() *Node { return NewNode("Source", two) }
	window := Bound{Kind: BoundTumbleStart, Size: 10}
	cases := []struct {
		name   string
		keys   []int
		tm     JoinTime
		detail string // "" when New fails
		keyed  bool
	}{
		{"window join", []int{0, 1}, JoinTime{WindowKey: 1, WindowBound: window},
			"inner on $0 = $2 and $1 = $3, window $1 = $3", true},
		{"interval join", []int{0}, JoinTime{WindowKey: -1, Interval: true, LeftTime: 1, RightTime: 1, Lower: -5_000_000, Upper: 60_000_000},
			"inner on $0 = $2, interval $1 in [$3 - 5s, $3 + 1m0s]", true},
		{"interval join without keys", nil, JoinTime{WindowKey: -1, Interval: true, LeftTime: 1, RightTime: 1},
			"inner, interval $1 in [$3, $3]", false},
		{"both", []int{0, 1}, JoinTime{WindowKey: 1, WindowBound: window, Interval: true, LeftTime: 1, RightTime: 1}, "", true},
		{"neither", []int{0, 1}, JoinTime{WindowKey: -1}, "", true},
		{"window key out of range", []int{0, 1}, JoinTime{WindowKey: 2, WindowBound: window}, "", true},
		{"window without a bound", []int{0, 1}, JoinTime{WindowKey: 1}, "", true},
		{"window of a non-time key", []int{0, 1}, JoinTime{WindowKey: 0, WindowBound: window}, "", true},
		{"interval time out of range", nil, JoinTime{WindowKey: -1, Interval: true, LeftTime: 1, RightTime: 2}, "", false},
		{"interval time not a time", nil, JoinTime{WindowKey: -1, Interval: true, LeftTime: 0, RightTime: 1}, "", false},
	}
	for _, c := range cases {
		n := NewTimeJoinNode(src(), src(), InnerJoin, c.keys, c.keys, nil, &vector.EvalContext{}, c.tm)
		if n.Keyed() != c.keyed {
			t.Errorf("%s: keyed %v, want %v", c.name, n.Keyed(), c.keyed)
		}
		op, err := n.New()
		switch {
		case c.detail == "" && err == nil:
			t.Errorf("%s: New succeeded", c.name)
		case c.detail == "" && !strings.HasPrefix(err.Error(), "operators: "):
			t.Errorf("%s: error %q", c.name, err)
		case c.detail != "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.detail != "":
			if n.Detail != c.detail {
				t.Errorf("%s: detail %q, want %q", c.name, n.Detail, c.detail)
			}
			if _, ok := op.(interface {
				Stateful
				WatermarkObserver
				LateCounter
			}); !ok {
				t.Errorf("%s: the instance does not observe watermarks, count late rows and checkpoint", c.name)
			}
		}
	}
}
