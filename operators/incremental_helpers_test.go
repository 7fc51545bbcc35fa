package operators

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// changes renders a batch of changes as "v1|v2|…" rows, each repeated
// |weight| times with a leading "-" for negative weights.
func changes(types []vector.Type, b *vector.Batch) []string {
	var out []string
	for i := 0; i < b.Len; i++ {
		vals := make([]string, len(b.Cols))
		for c, arr := range b.Cols {
			vals[c] = render(vector.ValueAt(arr, types[c], i))
		}
		row := strings.Join(vals, "|")
		w := b.Weight(i)
		for ; w > 0; w-- {
			out = append(out, row)
		}
		for ; w < 0; w++ {
			out = append(out, "-"+row)
		}
	}
	return out
}

// contents is a relation kept from the changes an incremental operator
// emits: each rendered row with its multiplicity.
type contents map[string]int64

// apply adds a batch of changes to c.
func (c contents) apply(types []vector.Type, b *vector.Batch) {
	for i := 0; i < b.Len; i++ {
		vals := make([]string, len(b.Cols))
		for k, arr := range b.Cols {
			vals[k] = render(vector.ValueAt(arr, types[k], i))
		}
		row := strings.Join(vals, "|")
		c[row] += b.Weight(i)
		if c[row] == 0 {
			delete(c, row)
		}
	}
}

// rows lists the contents sorted, each row as many times as it occurs. A
// negative multiplicity (an operator retracting what it never emitted)
// shows as "!row".
func (c contents) rows() []string {
	var out []string
	for row, n := range c {
		for ; n > 0; n-- {
			out = append(out, row)
		}
		if n < 0 {
			out = append(out, "!"+row)
		}
	}
	slices.Sort(out)
	return out
}

// incHarness drives one instance of an incremental operator the way the
// runtime does: batches are pushed, and each step ends with a barrier
// (Flush). It keeps the operator's output as contents.
type incHarness struct {
	t     *testing.T
	op    Incremental
	types []vector.Type
	out   contents
	// emitted is every batch emitted during the last step, rendered.
	emitted []string
}

func newIncHarness(t *testing.T, n *Node) *incHarness {
	t.Helper()
	op, err := n.New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &incHarness{t: t, op: op, types: n.Types(), out: contents{}}
}

func (h *incHarness) emit(b *vector.Batch) error {
	if b.Len == 0 {
		return fmt.Errorf("empty batch emitted")
	}
	if len(b.Cols) != len(h.types) {
		return fmt.Errorf("batch of %d columns, want %d", len(b.Cols), len(h.types))
	}
	h.out.apply(h.types, b)
	h.emitted = append(h.emitted, changes(h.types, b)...)
	return nil
}

// step pushes batches (input index, batch) then flushes, and returns the
// operator's output contents afterwards.
func (h *incHarness) step(pushes ...push) []string {
	h.t.Helper()
	h.emitted = nil
	for _, p := range pushes {
		if err := h.op.Push(p.in, p.b, h.emit); err != nil {
			h.t.Fatalf("Push: %v", err)
		}
	}
	if err := h.op.Flush(h.emit); err != nil {
		h.t.Fatalf("Flush: %v", err)
	}
	return h.out.rows()
}

// push is one batch for incHarness.step.
type push struct {
	in int
	b  *vector.Batch
}

// weighted returns b with the given weights.
func weighted(b *vector.Batch, w ...int64) *vector.Batch {
	return &vector.Batch{Cols: b.Cols, Len: b.Len, Weights: w}
}

// memState is a StateWriter over a map, for checkpoint/restore tests.
type memState map[string]string

func (m memState) Put(k, v []byte) error { m[string(k)] = string(v); return nil }
func (m memState) Delete(k []byte) error { delete(m, string(k)); return nil }

// restoreInto makes a new instance of n and restores every entry of m
// into it, in key order, as the runtime does after a restart.
func restoreInto(t *testing.T, n *Node, m memState) *incHarness {
	t.Helper()
	h := newIncHarness(t, n)
	s, ok := h.op.(Stateful)
	if !ok {
		t.Fatalf("%s is not Stateful", n.Name)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := s.Restore([]byte(k), []byte(m[k])); err != nil {
			t.Fatalf("Restore: %v", err)
		}
	}
	return h
}

// heapAfterGC is the heap in use after a collection: the difference of two
// readings is what the code between them keeps.
func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
