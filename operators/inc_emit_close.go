package operators

import "github.com/runneldb/runnel/vector"

// incEmitOnClose is EMIT ON WINDOW CLOSE: it holds the changes of its
// input until the watermark closes their window, then emits the net change
// of each row of that window, which is final.
//
// State: the rows held with their net multiplicities (countedRows),
// indexed by window. A window's rows are forgotten once emitted; forgotten
// rows stay in the table until a compaction.
type incEmitOnClose struct {
	rows countedRows
	win  *windowed
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
		return &incEmitOnClose{rows: newCountedRows(types), win: newWindowed(col, bound)}, nil
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
	ids, first := e.rows.add(b)
	e.win.added(b.Cols[e.win.col], ids, first)
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
		switch n := e.rows.counts[g]; {
		case n < 0:
			return errNegativeMultiplicity
		case n > 0:
			rows, weights = append(rows, g), append(weights, n)
			e.rows.set(g, 0)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return e.rows.emit(rows, weights, emit)
}

// Checkpoint writes each row changed since the last Checkpoint with its
// multiplicity (deleting the rows emitted), then compacts.
func (e *incEmitOnClose) Checkpoint(w StateWriter) error {
	if err := e.settle(); err != nil {
		return err
	}
	if err := e.rows.checkpoint(w); err != nil {
		return err
	}
	if e.rows.compact() {
		e.win.reindex(e.rows.table, e.win.col)
	}
	return nil
}

func (e *incEmitOnClose) Restore(key, value []byte) error { return e.rows.restore(key, value) }

// settle adds the rows restored to the state.
func (e *incEmitOnClose) settle() error {
	if b := e.rows.restored.take(); b != nil {
		e.apply(b)
		e.rows.clean()
	}
	return nil
}
