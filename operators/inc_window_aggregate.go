package operators

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// windowed is what a keyed operator needs when one of its key columns is a
// window (a column with a Bound, such as window_start): the input
// watermark, the index of its entries by window, and the count of late
// rows — those for windows the watermark has already closed, which it
// drops.
type windowed struct {
	col  int // the window column of the operator's input
	exp  *expiry
	wm   int64
	late int64
	keep []int32
}

func newWindowed(col int, b Bound) *windowed {
	return &windowed{col: col, exp: newExpiry(b), wm: NoWatermark}
}

// windowValues returns the window column of b as int64s (timestamps are
// µs).
func windowValues(c arrow.Array) []int64 {
	switch c := c.(type) {
	case *array.Timestamp:
		vals := c.TimestampValues()
		return unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(vals))), len(vals))
	case *array.Int64:
		return c.Int64Values()
	}
	return nil
}

// dropLate returns b without the rows whose window is closed (or NULL),
// counting them.
func (w *windowed) dropLate(b *vector.Batch) *vector.Batch {
	if w.wm == NoWatermark {
		return b
	}
	c := b.Cols[w.col]
	vals := windowValues(c)
	limit := w.exp.bound.Of(w.wm)
	w.keep = w.keep[:0]
	for i := range b.Len {
		if c.IsValid(i) && vals[i] >= limit {
			w.keep = append(w.keep, int32(i))
		}
	}
	if len(w.keep) == b.Len {
		return b
	}
	w.late += int64(b.Len - len(w.keep))
	return vector.TakeRows(b, w.keep)
}

// added indexes new entries: ids[i] is the entry of row i of a batch
// whose window column is col, and the entries numbered from first on are
// new, numbered in order of their first row.
func (w *windowed) added(col arrow.Array, ids []int32, first int32) {
	vals := windowValues(col)
	next := first
	for i, id := range ids {
		if id == next {
			w.exp.add(vals[i], id)
			next++
		}
	}
}

// reindex rebuilds the index from a table whose key column col is the
// window, after a compaction renumbered its entries.
func (w *windowed) reindex(t *groupTable, col int) {
	w.exp = newExpiry(w.exp.bound)
	ids := make([]int32, t.len())
	for g := range ids {
		ids[g] = int32(g)
	}
	w.added(t.keyColumnsOf(ids)[col], ids, 0)
}

// closing reports whether watermark t closes any window indexed.
func (w *windowed) closing(t int64) bool {
	return w.exp.closing(t)
}

// NewWindowAggregateNode is NewAggregateNode where group column
// groupCols[window] is a window of the input, related to its watermark by
// bound. Once the watermark closes a window, its groups get no more rows:
// the operator forgets them (their output rows stay, as emitted); rows that
// still come for a closed window are dropped as late.
func NewWindowAggregateNode(in *Node, groupCols []int, aggs []Aggregate, window int, bound Bound) *Node {
	n := NewAggregateNode(in, groupCols, aggs)
	n.State = "per open window and group: key, row count and accumulators; forgotten when the watermark closes the window"
	newAgg := n.New
	n.New = func() (Incremental, error) {
		op, err := newAgg()
		if err != nil {
			return nil, err
		}
		a := op.(*incAggregate)
		a.win = newWindowed(groupCols[window], bound)
		a.winKey = window
		return a, nil
	}
	return n
}

func (a *incAggregate) LateRows() int64 {
	if a.win == nil {
		return 0
	}
	return a.win.late
}

// reindexWindows rebuilds the index of groups by window after compaction
// renumbered them.
func (a *incAggregate) reindexWindows() {
	if a.win != nil {
		a.win.reindex(a.table, a.winKey)
	}
}

// Watermark forgets the groups of the windows t closes, after emitting
// what they owe.
func (a *incAggregate) Watermark(_ int, t int64, emit Emit) error {
	w := a.win
	if w == nil {
		return nil
	}
	if err := a.settle(); err != nil {
		return err
	}
	w.wm = t
	if !w.closing(t) {
		return nil
	}
	if err := a.Flush(emit); err != nil {
		return err
	}
	return w.exp.expire(t, func(_ int64, g int32) error {
		if int(g) >= len(a.rows) || a.rows[g] <= 0 {
			return nil
		}
		a.rows[g] = 0
		a.live--
		if a.flags[g]&aggDirty == 0 {
			a.flags[g] |= aggDirty
			a.dirty = append(a.dirty, g)
		}
		return nil
	})
}
