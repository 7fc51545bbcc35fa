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

// The join inputs of these tests: left (k int4, v int8) and right
// (k int4, w int8), joined on k; the residual is v <= w.
var joinSideTypes = []vector.Type{vector.Int4, vector.Int8}

var allJoinTypes = []JoinType{InnerJoin, LeftJoin, RightJoin, FullJoin, SemiJoin, AntiJoin}

func joinResidual(t *testing.T) vector.Expr {
	return binop(t, "<=", colRef(1, vector.Int8), colRef(3, vector.Int8))
}

// jr is a change to a (k, v) row: k an int32 key or nil (NULL), weight w.
type jr struct {
	k any
	v int64
	w int64
}

// jbatch builds a batch of changes.
func jbatch(rows ...jr) *vector.Batch {
	ks, vs, ws := make([]any, len(rows)), make([]any, len(rows)), make([]int64, len(rows))
	for i, r := range rows {
		ks[i], vs[i], ws[i] = r.k, r.v, r.w
	}
	return weighted(batch(col(vector.Int4, ks...), col(vector.Int8, vs...)), ws...)
}

// joinInput is the current contents of a join input: each distinct
// rendered row with its values and multiplicity.
type joinInput struct {
	types []vector.Type
	vals  map[string][]vector.Datum
	count map[string]int64
}

func newJoinInput(types []vector.Type) *joinInput {
	return &joinInput{types: types, vals: map[string][]vector.Datum{}, count: map[string]int64{}}
}

func (in *joinInput) apply(b *vector.Batch) {
	for i := 0; i < b.Len; i++ {
		row := make([]vector.Datum, len(b.Cols))
		text := make([]string, len(b.Cols))
		for c, arr := range b.Cols {
			row[c] = vector.ValueAt(arr, in.types[c], i)
			text[c] = render(row[c])
		}
		key := strings.Join(text, "|")
		in.vals[key] = row
		if in.count[key] += b.Weight(i); in.count[key] == 0 {
			delete(in.count, key)
		}
	}
}

// operator is a bounded operator emitting the contents.
func (in *joinInput) operator() Operator {
	builders := make([]*vector.Builder, len(in.types))
	for c, t := range in.types {
		builders[c] = vector.NewBuilder(t, 0)
	}
	n := 0
	for _, key := range slices.Sorted(maps.Keys(in.count)) {
		for range in.count[key] {
			for c, b := range builders {
				b.Append(in.vals[key][c])
			}
			n++
		}
	}
	if n == 0 {
		return valuesOf(in.types)
	}
	cols := make([]arrow.Array, len(builders))
	for c, b := range builders {
		cols[c] = b.Finish()
	}
	return valuesOf(in.types, batch(cols...))
}

// rows is the contents as insertions.
func (in *joinInput) rows() []jr {
	var rows []jr
	for key, n := range in.count {
		rows = append(rows, jr{in.vals[key][0], in.vals[key][1].(int64), n})
	}
	return rows
}

// joinCase is a join under test with its inputs' current contents.
type joinCase struct {
	t           *testing.T
	typ         JoinType
	residual    vector.Expr
	left, right *joinInput
	node        *Node
}

func newJoinCase(t *testing.T, typ JoinType, residual vector.Expr) *joinCase {
	src := func() *Node { return NewNode("Source", joinSideTypes) }
	return &joinCase{t: t, typ: typ, residual: residual, left: newJoinInput(joinSideTypes), right: newJoinInput(joinSideTypes),
		node: NewJoinNode(src(), src(), typ, []int{0}, []int{0}, residual, &vector.EvalContext{})}
}

// pushes records the changes to both inputs and returns them as pushes:
// left first.
func (c *joinCase) pushes(left, right []jr) []push {
	var ps []push
	if len(left) > 0 {
		b := jbatch(left...)
		c.left.apply(b)
		ps = append(ps, push{0, b})
	}
	if len(right) > 0 {
		b := jbatch(right...)
		c.right.apply(b)
		ps = append(ps, push{1, b})
	}
	return ps
}

// contentPushes are the inputs' contents as insertions, left first.
func (c *joinCase) contentPushes() []push {
	var ps []push
	for in, rows := range [][]jr{c.left.rows(), c.right.rows()} {
		if len(rows) > 0 {
			ps = append(ps, push{in, jbatch(rows...)})
		}
	}
	return ps
}

// want is the bounded hash join over the current inputs.
func (c *joinCase) want() []string {
	c.t.Helper()
	op := NewHashJoin(c.left.operator(), c.right.operator(), c.typ, []int{0}, []int{0}, c.residual, false, &vector.EvalContext{})
	return sorted(run(c.t, op))
}

func (c *joinCase) name() string {
	if c.residual != nil {
		return joinTypeNames[c.typ] + " with residual"
	}
	return joinTypeNames[c.typ]
}

// joinScript exercises inserts, updates and deletes on both sides: keys
// losing and regaining matches, duplicate rows and keys on both sides,
// NULL keys, and pairs failing the residual ((2,20) with (2,15), (5,50)
// with (5,5)).
var joinScript = []struct{ left, right []jr }{
	{[]jr{{int32(1), 10, 1}, {int32(2), 20, 1}, {nil, 30, 1}, {int32(3), 35, 1}},
		[]jr{{int32(2), 200, 1}, {int32(3), 300, 1}, {nil, 400, 1}, {int32(5), 500, 1}}},
	{[]jr{{int32(2), 20, -1}}, []jr{{int32(1), 100, 1}, {int32(2), 15, 1}}},
	{[]jr{{int32(1), 10, -1}, {int32(1), 11, 1}}, []jr{{int32(3), 300, -1}}},
	{[]jr{{int32(2), 20, 2}}, []jr{{int32(2), 200, 1}, {nil, 400, 1}}},
	{[]jr{{nil, 30, -1}}, []jr{{int32(3), 300, 1}}},
	{[]jr{{int32(5), 50, 1}}, []jr{{int32(2), 200, -2}, {int32(2), 15, -1}}},
	{nil, []jr{{int32(5), 500, -1}, {int32(5), 5, 1}}},
	{nil, []jr{{int32(2), 15, 3}, {nil, 400, -2}}},
	{[]jr{{int32(1), 11, -1}, {int32(2), 20, -2}, {int32(3), 35, -1}, {int32(5), 50, -1}}, nil},
	{[]jr{{int32(3), 35, 1}, {int32(5), 50, 2}}, nil},
}

func TestIncJoinScript(t *testing.T) {
	for _, typ := range allJoinTypes {
		for _, residual := range []vector.Expr{nil, joinResidual(t)} {
			c := newJoinCase(t, typ, residual)
			h := newIncHarness(t, c.node)
			for i, s := range joinScript {
				checkRows(t, fmt.Sprintf("%s step %d", c.name(), i), h.step(c.pushes(s.left, s.right)...), c.want())
			}
		}
	}
}

func TestIncJoinEmitted(t *testing.T) {
	// A LEFT JOIN; the changes each step emits, derived by hand.
	c := newJoinCase(t, LeftJoin, nil)
	h := newIncHarness(t, c.node)
	steps := []struct {
		name        string
		left, right []jr
		want        []string
	}{
		{"unmatched", []jr{{int32(1), 10, 1}}, nil, []string{"1|10|NULL|NULL"}},
		{"gains a match", nil, []jr{{int32(1), 100, 1}}, []string{"-1|10|NULL|NULL", "1|10|1|100"}},
		{"match updated: the padded row stays retracted", nil, []jr{{int32(1), 100, -1}, {int32(1), 101, 1}},
			[]string{"-1|10|1|100", "1|10|1|101"}},
		{"loses its match", nil, []jr{{int32(1), 101, -1}}, []string{"-1|10|1|101", "1|10|NULL|NULL"}},
		{"regains a match", nil, []jr{{int32(1), 100, 1}}, []string{"-1|10|NULL|NULL", "1|10|1|100"}},
		{"duplicates multiply", []jr{{int32(2), 20, 2}}, []jr{{int32(2), 200, 3}}, slices.Repeat([]string{"2|20|2|200"}, 6)},
		{"both sides deleted", []jr{{int32(1), 10, -1}}, []jr{{int32(1), 100, -1}}, []string{"-1|10|1|100"}},
		{"NULL key", []jr{{nil, 30, 1}}, []jr{{nil, 300, 1}}, []string{"NULL|30|NULL|NULL"}},
		{"nothing changes", nil, nil, nil},
	}
	for _, s := range steps {
		got := h.step(c.pushes(s.left, s.right)...)
		checkRows(t, s.name+": emitted", sorted(h.emitted), s.want)
		checkRows(t, s.name+": contents", got, c.want())
	}
}

func TestIncJoinSelfJoin(t *testing.T) {
	// The same changes pushed to both inputs, as for t JOIN t.
	script := [][]jr{
		{{int32(1), 10, 1}, {int32(1), 11, 1}, {int32(2), 20, 1}, {nil, 30, 1}},
		{{int32(1), 10, -1}, {int32(1), 12, 2}},
		{{int32(2), 20, -1}, {int32(2), 21, 1}, {nil, 30, -1}},
		{{int32(1), 11, -1}, {int32(1), 12, -2}},
	}
	for _, typ := range allJoinTypes {
		c := newJoinCase(t, typ, joinResidual(t))
		h := newIncHarness(t, c.node)
		for i, rows := range script {
			checkRows(t, fmt.Sprintf("%s self join step %d", c.name(), i), h.step(c.pushes(rows, rows)...), c.want())
		}
	}
}

func TestIncJoinManyUpdates(t *testing.T) {
	// 3000 keys a side; each round updates a random half of the rows,
	// of which a half fail the residual. The rows of removed entries are
	// compacted away: after a Flush, a store holds at most twice its
	// live rows and a batch.
	c := newJoinCase(t, FullJoin, joinResidual(t))
	h := newIncHarness(t, c.node)
	rng := rand.New(rand.NewPCG(3, 4))
	vals := make([]int64, 3000)
	for round := range 12 {
		var left, right []jr
		for k := range int32(len(vals)) {
			if round > 0 && rng.IntN(2) == 0 {
				continue
			}
			if round > 0 {
				left = append(left, jr{k, vals[k], -1})
				right = append(right, jr{k, vals[k] - int64(k%2), -1})
			}
			vals[k] = int64(round)
			left = append(left, jr{k, vals[k], 1})
			right = append(right, jr{k, vals[k] - int64(k%2), 1})
		}
		checkRows(t, fmt.Sprintf("round %d", round), h.step(c.pushes(left, right)...), c.want())
		for in, s := range h.op.(*incJoin).sides {
			if st := s.store; st.stored > 2*st.live+BatchSize {
				t.Errorf("round %d: side %d stores %d rows for %d entries", round, in, st.stored, st.live)
			}
		}
	}
}

func TestIncJoinRandom(t *testing.T) {
	// Random changes on a few keys, checked after every step; every
	// fourth step the instance is checkpointed and replaced by one
	// restored from the checkpoints so far.
	rng := rand.New(rand.NewPCG(1, 2))
	change := func(in *joinInput) []jr {
		var rows []jr
		left := maps.Clone(in.count) // copies not yet deleted by rows
		for range rng.IntN(4) {
			if len(left) > 0 && rng.IntN(3) == 0 { // delete some copies of a row
				keys := slices.Sorted(maps.Keys(left))
				key := keys[rng.IntN(len(keys))]
				n := 1 + rng.Int64N(left[key])
				if left[key] -= n; left[key] == 0 {
					delete(left, key)
				}
				rows = append(rows, jr{in.vals[key][0], in.vals[key][1].(int64), -n})
				continue
			}
			var k any
			if n := rng.IntN(4); n > 0 {
				k = int32(n)
			}
			rows = append(rows, jr{k, rng.Int64N(4) * 10, 1 + rng.Int64N(2)})
		}
		return rows
	}
	for _, typ := range allJoinTypes {
		for _, residual := range []vector.Expr{nil, joinResidual(t)} {
			c := newJoinCase(t, typ, residual)
			h := newIncHarness(t, c.node)
			state := memState{}
			for step := range 60 {
				ps := c.pushes(change(c.left), nil)
				ps = append(ps, c.pushes(nil, change(c.right))...)
				if rng.IntN(2) == 0 {
					slices.Reverse(ps)
				}
				checkRows(t, c.name()+" random", h.step(ps...), c.want())
				if step%4 == 3 {
					h = restartJoin(t, c.node, h, state)
				}
			}
		}
	}
}

// restartJoin checkpoints h's instance into state, restores a new one
// from state and checks that it owes nothing.
func restartJoin(t *testing.T, n *Node, h *incHarness, state memState) *incHarness {
	t.Helper()
	if err := h.op.(Stateful).Checkpoint(state); err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	r := restoreInto(t, n, state)
	r.out = h.out
	r.step()
	checkRows(t, "flush after restore", r.emitted, nil)
	return r
}

func TestIncJoinCheckpoint(t *testing.T) {
	// Checkpoints written after each step add up to the state of an
	// instance fed the final contents at once; an instance restored from
	// them continues the script.
	for _, typ := range allJoinTypes {
		c := newJoinCase(t, typ, joinResidual(t))
		h := newIncHarness(t, c.node)
		state := memState{}
		for i, s := range joinScript[:6] {
			h.step(c.pushes(s.left, s.right)...)
			if err := h.op.(Stateful).Checkpoint(state); err != nil {
				t.Fatal(err)
			}
			checkRows(t, fmt.Sprintf("%s step %d: state restored", c.name(), i), joinStateRows(t, c.node, state),
				joinStateRows(t, c.node, joinCaseState(t, c)))
		}
		h = restartJoin(t, c.node, h, state)
		for _, s := range joinScript[6:] {
			checkRows(t, c.name()+" after restore", h.step(c.pushes(s.left, s.right)...), c.want())
		}
	}
}

func TestIncJoinCheckpointRuns(t *testing.T) {
	// The rows new at a checkpoint are saved in runs of up to maxRunRows
	// rows of one key; a run is written again when one of its rows
	// changes, and deleted once it has none.
	c := newJoinCase(t, InnerJoin, nil)
	h := newIncHarness(t, c.node)
	state := memState{}
	checkpoint := func() {
		t.Helper()
		if err := h.op.(Stateful).Checkpoint(state); err != nil {
			t.Fatal(err)
		}
	}
	var rows []jr
	for v := range 2*maxRunRows + 10 { // key 1: three runs
		rows = append(rows, jr{int32(1), int64(v), 1})
	}
	rows = append(rows, jr{int32(2), 0, 1}, jr{int32(2), 1, 1}) // key 2: one run
	h.step(c.pushes(rows, nil)...)
	checkpoint()
	if len(state) != 4 {
		t.Fatalf("%d state keys, want 4: three runs of key 1, one of key 2", len(state))
	}
	before := maps.Clone(state)
	h.step(c.pushes([]jr{{int32(2), 1, 1}}, nil)...) // a second copy of (2, 1)
	written := memState{}
	if err := h.op.(Stateful).Checkpoint(written); err != nil {
		t.Fatal(err)
	}
	maps.Copy(state, written)
	if len(written) != 1 || len(state) != 4 {
		t.Errorf("after a change to a row of key 2: wrote %d keys, want 1 (its run, again); %d in all, want 4", len(written), len(state))
	}
	for k := range written {
		if before[k] == written[k] {
			t.Errorf("the run of key 2 was written unchanged")
		}
	}
	checkRows(t, "state restored", joinStateRows(t, c.node, state), joinStateRows(t, c.node, joinCaseState(t, c)))
	var gone []jr
	for _, r := range c.left.rows() {
		gone = append(gone, jr{r.k, r.v, -r.w})
	}
	h.step(c.pushes(gone, nil)...)
	checkpoint()
	if len(state) != 0 {
		t.Errorf("%d state keys left once every row is deleted, want 0", len(state))
	}
}

// joinCaseState is the checkpoint of a new instance of c's join fed c's
// current contents.
func joinCaseState(t *testing.T, c *joinCase) memState {
	t.Helper()
	fresh := newIncHarness(t, c.node)
	fresh.step(c.contentPushes()...)
	m := memState{}
	if err := fresh.op.(Stateful).Checkpoint(m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestIncJoinRestoreRowByRow(t *testing.T) {
	// State an older version wrote, an entry per state key (the hash of
	// the key, the side, the key and the row as state key; multiplicity
	// and match count as value), restores; the next checkpoint deletes
	// those keys and saves the entries in runs.
	for _, typ := range allJoinTypes {
		c := newJoinCase(t, typ, joinResidual(t))
		h := newIncHarness(t, c.node)
		for _, s := range joinScript[:6] {
			h.step(c.pushes(s.left, s.right)...)
		}
		old := memState{}
		j := h.op.(*incJoin)
		for in, s := range j.sides {
			for e := range int32(s.ents.len()) {
				if !s.store.has(e) {
					continue
				}
				cols := s.store.gather([]int32{e})
				hash := make([]uint64, 1)
				vector.HashColumns(cols[:1], joinSideTypes[:1], 1, hash)
				key := binary.BigEndian.AppendUint64(nil, hash[0])
				key = append(key, byte(in))
				key = vector.AppendRow(key, cols[:1], joinSideTypes[:1], 0)
				key = vector.AppendRow(key, cols, joinSideTypes, 0)
				val := binary.AppendVarint(binary.AppendVarint(nil, s.store.mult(e)), s.ents.at(e).matches)
				old[string(key)] = string(val)
			}
		}
		r := restoreInto(t, c.node, old)
		r.out = h.out
		r.step()
		checkRows(t, c.name()+": flush after restore", r.emitted, nil)
		state := maps.Clone(old)
		if err := r.op.(Stateful).Checkpoint(state); err != nil {
			t.Fatal(err)
		}
		for k := range state {
			if k[8] < runTag {
				t.Fatalf("%s: a state key of the older version is left after a checkpoint", c.name())
			}
		}
		checkRows(t, c.name()+": state restored", joinStateRows(t, c.node, state), joinStateRows(t, c.node, joinCaseState(t, c)))
		for _, s := range joinScript[6:] {
			checkRows(t, c.name()+" after restore", r.step(c.pushes(s.left, s.right)...), c.want())
		}
	}
}

func TestIncJoinRepartition(t *testing.T) {
	// Two instances each get the rows whose key routes to them; their
	// checkpoints are restored into three instances, which continue.
	for _, typ := range allJoinTypes {
		c := newJoinCase(t, typ, joinResidual(t))
		var all []*incHarness // every instance, for the union of outputs
		run := func(hs []*incHarness, from, to int) {
			for _, s := range joinScript[from:to] {
				parts := make([][]push, len(hs))
				for _, p := range c.pushes(s.left, s.right) {
					for q, b := range routeByKey(p.b, len(hs)) {
						if b != nil {
							parts[q] = append(parts[q], push{p.in, b})
						}
					}
				}
				for q, h := range hs {
					h.step(parts[q]...)
				}
				union := contents{}
				for _, h := range all {
					for row, n := range h.out {
						union[row] += n
					}
				}
				maps.DeleteFunc(union, func(_ string, n int64) bool { return n == 0 })
				checkRows(t, c.name()+" partitioned", union.rows(), c.want())
			}
		}
		two := []*incHarness{newIncHarness(t, c.node), newIncHarness(t, c.node)}
		all = append(all, two...)
		run(two, 0, 5)
		state := memState{}
		for q, h := range two {
			written := memState{}
			if err := h.op.(Stateful).Checkpoint(written); err != nil {
				t.Fatal(err)
			}
			for k, v := range written {
				if got := PartitionOf(binary.BigEndian.Uint64([]byte(k)), 2); got != q {
					t.Errorf("%s: instance %d wrote a key routing to %d", c.name(), q, got)
				}
				state[k] = v
			}
		}
		var three []*incHarness
		for q := range 3 {
			share := maps.Clone(state)
			maps.DeleteFunc(share, func(k, _ string) bool { return PartitionOf(binary.BigEndian.Uint64([]byte(k)), 3) != q })
			h := restoreInto(t, c.node, share)
			h.step()
			checkRows(t, "flush after restore", h.emitted, nil)
			three = append(three, h)
		}
		all = append(all, three...)
		run(three, 5, len(joinScript))
	}
}

// joinStateRows restores a join instance of n from m and lists its
// entries, as "side|row|multiplicity|match count".
func joinStateRows(t *testing.T, n *Node, m memState) []string {
	t.Helper()
	j := restoreInto(t, n, m).op.(*incJoin)
	j.settle()
	var out []string
	for in, s := range j.sides {
		for e := range int32(s.ents.len()) {
			if !s.store.has(e) {
				continue
			}
			row := changes(s.types, &vector.Batch{Cols: s.store.gather([]int32{e}), Len: 1})[0]
			out = append(out, fmt.Sprintf("%d|%s|%d|%d", in, row, s.store.mult(e), s.ents.at(e).matches))
		}
	}
	slices.Sort(out)
	return out
}

// routeByKey splits a batch of join input rows by the instance (of p)
// their key routes to.
func routeByKey(b *vector.Batch, p int) []*vector.Batch {
	hashes := make([]uint64, b.Len)
	vector.HashColumns(b.Cols[:1], joinSideTypes[:1], b.Len, hashes)
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
