package operators

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// inputRows is the current input of an incremental operator under test: a
// multiset of rows of Datums, kept to recompute the expected output with
// bounded operators.
type inputRows struct {
	types []vector.Type
	rows  [][]any
}

// change returns a batch inserting rows (weight +1) and deleting dels (weight
// -1), and applies it to the input.
func (in *inputRows) change(t *testing.T, rows, dels [][]any) *vector.Batch {
	t.Helper()
	if len(dels) > 0 {
		at := map[string][]int{} // rendered row → its indexes in the input
		for i, r := range in.rows {
			k := renderRow(r)
			at[k] = append(at[k], i)
		}
		gone := make([]bool, len(in.rows))
		for _, d := range dels {
			k := renderRow(d)
			if len(at[k]) == 0 {
				t.Fatalf("deleting %v, not in the input", d)
			}
			gone[at[k][0]], at[k] = true, at[k][1:]
		}
		var kept [][]any
		for i, r := range in.rows {
			if !gone[i] {
				kept = append(kept, r)
			}
		}
		in.rows = kept
	}
	in.rows = append(in.rows, rows...)
	b := rowsBatch(in.types, append(slices.Clone(rows), dels...))
	if len(dels) > 0 {
		b.Weights = make([]int64, b.Len)
		for i := range b.Weights {
			b.Weights[i] = 1
			if i >= len(rows) {
				b.Weights[i] = -1
			}
		}
	}
	return b
}

// scan is the current input as a bounded operator.
func (in *inputRows) scan() Operator {
	if len(in.rows) == 0 {
		return valuesOf(in.types)
	}
	return valuesOf(in.types, rowsBatch(in.types, in.rows))
}

// rowsBatch builds a batch of rows (each a Datum per column, nil for NULL).
func rowsBatch(types []vector.Type, rows [][]any) *vector.Batch {
	cols := make([]arrow.Array, len(types))
	for c, typ := range types {
		vals := make([]any, len(rows))
		for i, r := range rows {
			vals[i] = r[c]
		}
		cols[c] = col(typ, vals...)
	}
	return vector.NewBatch(cols, len(rows))
}

func renderRow(r []any) string {
	vals := make([]string, len(r))
	for c, v := range r {
		vals[c] = render(v)
	}
	return strings.Join(vals, "|")
}

// cluster runs a node as the runtime does: as instances, each pushed the
// rows whose key hash routes to it, all flushed at each step. Its contents
// are the sum of everything every instance emitted.
type cluster struct {
	t    *testing.T
	node *Node
	ops  []Incremental
	out  contents
	// emitted is every change emitted during the last step, sorted.
	emitted []string
}

func newCluster(t *testing.T, n *Node, instances int) *cluster {
	t.Helper()
	c := &cluster{t: t, node: n, out: contents{}}
	for range instances {
		op, err := n.New()
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		c.ops = append(c.ops, op)
	}
	return c
}

func (c *cluster) emit(b *vector.Batch) error {
	if b.Len == 0 {
		c.t.Fatalf("empty batch emitted")
	}
	for _, w := range b.Weights {
		if w == 0 {
			c.t.Fatalf("weight 0 emitted")
		}
	}
	c.out.apply(c.node.Types(), b)
	c.emitted = append(c.emitted, changes(c.node.Types(), b)...)
	return nil
}

// step routes and pushes batches, flushes every instance, and returns the
// contents.
func (c *cluster) step(batches ...*vector.Batch) []string {
	c.t.Helper()
	c.emitted = nil
	for _, b := range batches {
		for i, part := range c.route(b) {
			if part == nil {
				continue
			}
			if err := c.ops[i].Push(0, part, c.emit); err != nil {
				c.t.Fatalf("Push: %v", err)
			}
		}
	}
	for _, op := range c.ops {
		if err := op.Flush(c.emit); err != nil {
			c.t.Fatalf("Flush: %v", err)
		}
	}
	slices.Sort(c.emitted)
	return c.out.rows()
}

// route splits b by instance, as the hash exchange does.
func (c *cluster) route(b *vector.Batch) []*vector.Batch {
	parts := make([]*vector.Batch, len(c.ops))
	if c.node.Keys == nil {
		parts[0] = b
		return parts
	}
	keys := c.node.Keys[0]
	cols := make([]arrow.Array, len(keys))
	types := make([]vector.Type, len(keys))
	for k, col := range keys {
		cols[k], types[k] = b.Cols[col], c.node.Inputs[0].Types()[col]
	}
	hashes := make([]uint64, b.Len)
	vector.HashColumns(cols, types, b.Len, hashes)
	idx := make([][]int32, len(c.ops))
	for i, h := range hashes {
		p := PartitionOf(h, len(c.ops))
		idx[p] = append(idx[p], int32(i))
	}
	for p, rows := range idx {
		if len(rows) > 0 {
			parts[p] = vector.TakeRows(b, rows)
		}
	}
	return parts
}

// checkpoint writes every instance's changed state into m and returns the
// number of entries written.
func (c *cluster) checkpoint(m memState) int {
	c.t.Helper()
	w := &countingState{memState: m}
	for _, op := range c.ops {
		if err := op.(Stateful).Checkpoint(w); err != nil {
			c.t.Fatalf("Checkpoint: %v", err)
		}
	}
	return w.n
}

// restart returns the cluster restarted from m with the given number of
// instances, each restored with the keys that route to it, in key order.
// Its contents go on from c's.
func (c *cluster) restart(m memState, instances int) *cluster {
	c.t.Helper()
	r := newCluster(c.t, c.node, instances)
	r.out = contents{}
	for row, n := range c.out {
		r.out[row] = n
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		op := r.ops[PartitionOf(binary.BigEndian.Uint64([]byte(k)), instances)].(Stateful)
		if err := op.Restore([]byte(k), []byte(m[k])); err != nil {
			c.t.Fatalf("Restore: %v", err)
		}
	}
	return r
}

// countingState is a memState that counts the entries written to it.
type countingState struct {
	memState
	n int
}

func (s *countingState) Put(k, v []byte) error { s.n++; return s.memState.Put(k, v) }
func (s *countingState) Delete(k []byte) error { s.n++; return s.memState.Delete(k) }

var distinctTypes = []vector.Type{vector.Int4, vector.Text}

func TestDistinctNode(t *testing.T) {
	in := &inputRows{types: distinctTypes}
	n := NewDistinctNode(NewSourceNode("t", distinctTypes, nil))
	c := newCluster(t, n, 1)
	one, two, nulls := []any{int32(1), "a"}, []any{int32(2), "b"}, []any{nil, nil}
	steps := []struct {
		name    string
		batches func() []*vector.Batch
		emitted []string
	}{
		{"duplicates", func() []*vector.Batch {
			return []*vector.Batch{in.change(t, [][]any{one, one, two, nulls, nulls}, nil)}
		}, []string{"1|a", "2|b", "NULL|NULL"}},
		{"delete one copy", func() []*vector.Batch {
			return []*vector.Batch{in.change(t, nil, [][]any{one, nulls})}
		}, nil},
		{"delete the last copy, insert another", func() []*vector.Batch {
			return []*vector.Batch{in.change(t, [][]any{{int32(3), "c"}}, [][]any{one})}
		}, []string{"-1|a", "3|c"}},
		{"insert and delete between barriers", func() []*vector.Batch {
			return []*vector.Batch{in.change(t, [][]any{one}, nil), in.change(t, nil, [][]any{one})}
		}, nil},
		{"update", func() []*vector.Batch {
			return []*vector.Batch{in.change(t, [][]any{{int32(2), "B"}}, [][]any{two})}
		}, []string{"-2|b", "2|B"}},
		{"delete before insert", func() []*vector.Batch {
			return []*vector.Batch{in.change(t, nil, [][]any{nulls}), in.change(t, [][]any{nulls, two}, nil)}
		}, []string{"2|b"}},
	}
	for _, s := range steps {
		got := c.step(s.batches()...)
		checkRows(t, s.name, got, sorted(run(t, NewDistinct(in.scan()))))
		checkRows(t, s.name+": emitted", c.emitted, s.emitted)
	}
}

func TestDistinctNodeRestore(t *testing.T) {
	in := &inputRows{types: distinctTypes}
	n := NewDistinctNode(NewSourceNode("t", distinctTypes, nil))
	c := newCluster(t, n, 2)
	var rows [][]any
	for i := range 20 {
		rows = append(rows, []any{int32(i % 7), string(rune('a' + i%3))})
	}
	rows = append(rows, []any{nil, "x"}, []any{int32(1), nil})
	c.step(in.change(t, rows, nil))
	m := memState{}
	c.checkpoint(m)
	c.step(in.change(t, nil, rows[:5]))
	// Only the rows changed since the checkpoint are written.
	if got := c.checkpoint(m); got != 5 {
		t.Errorf("second checkpoint wrote %d entries, want 5", got)
	}
	for _, instances := range []int{1, 3} {
		in := &inputRows{types: distinctTypes, rows: slices.Clone(in.rows)}
		r := c.restart(m, instances)
		got := r.step()
		checkRows(t, "after restore: emitted", r.emitted, nil)
		checkRows(t, "after restore", got, sorted(run(t, NewDistinct(in.scan()))))
		if got := r.checkpoint(memState{}); got != 0 {
			t.Errorf("checkpoint right after restore wrote %d entries", got)
		}
		got = r.step(in.change(t, [][]any{{int32(9), "z"}, rows[0]}, rows[5:15]))
		checkRows(t, "after restore, changed", got, sorted(run(t, NewDistinct(in.scan()))))
	}
}

func TestDistinctNodeCompacts(t *testing.T) {
	in := &inputRows{types: distinctTypes}
	n := NewDistinctNode(NewSourceNode("t", distinctTypes, nil))
	c := newCluster(t, n, 1)
	var rows [][]any
	for i := range 2000 {
		rows = append(rows, []any{int32(i), "r"})
	}
	c.step(in.change(t, rows, nil))
	c.step(in.change(t, nil, rows[:1500]))
	m := memState{}
	c.checkpoint(m)
	if got := c.ops[0].(*incDistinct).rows.table.len(); got != 500 {
		t.Errorf("table of %d rows after compaction, want 500", got)
	}
	got := c.step(in.change(t, rows[:10], rows[1500:1510]))
	checkRows(t, "after compaction", got, sorted(run(t, NewDistinct(in.scan()))))
	checkRows(t, "after compaction: emitted", c.emitted[:1], []string{"-1500|r"})
	if len(c.emitted) != 20 {
		t.Errorf("emitted %d changes, want 20", len(c.emitted))
	}
	c.checkpoint(m)
	r := c.restart(m, 2)
	got = r.step(in.change(t, nil, rows[1510:1520]))
	checkRows(t, "restored after compaction", got, sorted(run(t, NewDistinct(in.scan()))))
}
