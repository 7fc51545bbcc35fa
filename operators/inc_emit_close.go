package operators

import (
	"encoding/binary"

	"github.com/runneldb/runnel/vector"
)

// incEmitOnClose is EMIT ON WINDOW CLOSE: it holds the changes of its
// input until the watermark closes their window, then emits the net change
// of each row of that window, which is final.
//
// State: a groupTable of the rows held (all columns are the key) with each
// row's net multiplicity, indexed by window. A window's rows are forgotten
// once emitted; forgotten rows stay in the table until a compaction.
type incEmitOnClose struct {
	types  []vector.Type
	table  *groupTable
	counts []int64 // per row: net multiplicity held
	dirty  []int32 // rows changed since the last Checkpoint
	flags  []groupFlag
	live   int // rows with a positive count
	win    *windowed
	ids    []int32

	restored restoredRows
}

// NewEmitOnCloseNode holds the changes of in until the watermark closes
// the window of column col (related to the watermark by bound).
func NewEmitOnCloseNode(in *Node, col int, bound Bound) *Node {
	types := in.Types()
	all := make([]int, len(types))
	for i := range all {
		all[i] = i
	}
	n := NewNode("EmitOnWindowClose", types, in)
	n.Detail = keyNames([]int{col})
	n.State = "the rows of each open window, with their multiplicities; forgotten when the window closes"
	n.Keys = [][]int{all}
	n.New = func() (Incremental, error) {
		return &incEmitOnClose{types: types, table: newGroupTable(types), win: newWindowed(col, bound),
			restored: restoredRows{types: types}}, nil
	}
	return n
}

func (e *incEmitOnClose) Push(_ int, b *vector.Batch, _ Emit) error {
	if err := e.settle(); err != nil {
		return err
	}
	if b = e.win.dropLate(b); b.Len > 0 {
		e.apply(b)
	}
	return nil
}

// apply adds the changes of b to the rows held.
func (e *incEmitOnClose) apply(b *vector.Batch) {
	e.ids = grow(e.ids, b.Len)
	first := int32(e.table.len())
	e.table.insert(b.Cols, b.Len, e.ids)
	e.win.added(b.Cols[e.win.col], e.ids, first)
	e.counts = extend(e.counts, e.table.len())
	e.flags = extend(e.flags, e.table.len())
	for i, g := range e.ids {
		before := e.counts[g]
		e.counts[g] += b.Weight(i)
		switch {
		case before <= 0 && e.counts[g] > 0:
			e.live++
		case before > 0 && e.counts[g] <= 0:
			e.live--
		}
		e.touch(g)
	}
}

func (e *incEmitOnClose) touch(g int32) {
	if e.flags[g]&inDirty == 0 {
		e.flags[g] |= inDirty
		e.dirty = append(e.dirty, g)
	}
}

func (e *incEmitOnClose) Flush(Emit) error { return e.settle() }

func (e *incEmitOnClose) LateRows() int64 { return e.win.late }

// Watermark emits the rows of the windows t closes and forgets them.
func (e *incEmitOnClose) Watermark(_ int, t int64, emit Emit) error {
	if err := e.settle(); err != nil {
		return err
	}
	e.win.wm = t
	var rows []int32
	var weights []int64
	err := e.win.exp.expire(t, func(_ int64, g int32) error {
		switch n := e.counts[g]; {
		case n < 0:
			return errNegativeMultiplicity
		case n > 0:
			rows, weights = append(rows, g), append(weights, n)
			e.counts[g] = 0
			e.live--
			e.touch(g)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for lo := 0; lo < len(rows); lo += BatchSize {
		hi := min(lo+BatchSize, len(rows))
		b := vector.NewBatch(e.table.keyColumnsOf(rows[lo:hi]), hi-lo)
		b.Weights = weights[lo:hi]
		if err := emit(b); err != nil {
			return err
		}
	}
	return nil
}

// Checkpoint writes each row changed since the last Checkpoint with its
// multiplicity (deleting the rows emitted).
func (e *incEmitOnClose) Checkpoint(w StateWriter) error {
	if err := e.settle(); err != nil {
		return err
	}
	cols := e.table.keyColumnsOf(e.dirty)
	for k, g := range e.dirty {
		e.flags[g] &^= inDirty
		key := binary.BigEndian.AppendUint64(nil, e.table.hashes[g])
		key = vector.AppendRow(key, cols, e.types, k)
		if err := putCount(w, key, max(e.counts[g], 0)); err != nil {
			return err
		}
	}
	e.dirty = e.dirty[:0]
	if worthCompacting(e.table.len(), e.live) {
		live := make([]int32, 0, e.live)
		for g, n := range e.counts {
			if n > 0 {
				live = append(live, int32(g))
			}
		}
		e.table = compactTable(e.table, live)
		e.counts, e.flags = gatherAt(e.counts, live), gatherAt(e.flags, live)
		e.win.reindex(e.table, e.win.col)
	}
	return nil
}

func (e *incEmitOnClose) Restore(key, value []byte) error {
	if len(key) < 8 {
		return errCorruptCounts
	}
	return e.restored.add(key[8:], value)
}

// settle adds the rows restored to the state.
func (e *incEmitOnClose) settle() error {
	b := e.restored.take()
	if b == nil {
		return nil
	}
	e.apply(b)
	for _, g := range e.dirty {
		e.flags[g] &^= inDirty
	}
	e.dirty = e.dirty[:0]
	return nil
}
