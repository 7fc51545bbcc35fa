package operators

import (
	"encoding/binary"
	"errors"

	"github.com/runneldb/runnel/vector"
)

// countedRows is the state the operators keeping a multiset of rows share
// (DISTINCT, EMIT ON WINDOW CLOSE): a groupTable of the distinct rows seen
// (all columns are the key) with each row's multiplicity, the rows changed
// since the last checkpoint, and the rows restored but not yet added.
//
// Invariants: counts and flags have an entry per row of table; dirty
// lists, once each, the rows whose inDirty flag is set. A row whose
// multiplicity returned to zero stays in the table until compact.
type countedRows struct {
	types    []vector.Type
	table    *groupTable
	counts   []int64
	flags    []groupFlag
	live     int // rows with a positive multiplicity
	dirty    []int32
	ids      []int32 // scratch: the row of each row of a batch
	restored restoredRows
}

func newCountedRows(types []vector.Type) countedRows {
	return countedRows{types: types, table: newGroupTable(types), restored: restoredRows{types: types}}
}

// add adds the changes of b to the multiplicities and marks the rows
// dirty. It returns the row of each row of b (valid until the next add)
// and the first row number that is new.
func (c *countedRows) add(b *vector.Batch) (ids []int32, first int32) {
	c.ids = grow(c.ids, b.Len)
	first = int32(c.table.len())
	c.table.insert(b.Cols, b.Len, c.ids)
	c.counts = extend(c.counts, c.table.len())
	c.flags = extend(c.flags, c.table.len())
	for i, g := range c.ids {
		c.set(g, c.counts[g]+b.Weight(i))
	}
	return c.ids, first
}

// set sets the multiplicity of row g.
func (c *countedRows) set(g int32, n int64) {
	switch before := c.counts[g]; {
	case before <= 0 && n > 0:
		c.live++
	case before > 0 && n <= 0:
		c.live--
	}
	c.counts[g] = n
	c.markDirty(g)
}

// markDirty lists row g as changed since the last checkpoint.
func (c *countedRows) markDirty(g int32) {
	if c.flags[g]&inDirty == 0 {
		c.flags[g] |= inDirty
		c.dirty = append(c.dirty, g)
	}
}

// clean forgets the dirty rows: what was just added is as checkpointed
// (restored state).
func (c *countedRows) clean() {
	for _, g := range c.dirty {
		c.flags[g] &^= inDirty
	}
	c.dirty = c.dirty[:0]
}

// checkpoint writes each row changed since the last checkpoint, keyed by
// its hash and its encoding, with its multiplicity (deleting the rows at
// zero).
func (c *countedRows) checkpoint(w StateWriter) error {
	if len(c.dirty) == 0 {
		return nil
	}
	cols := c.table.keyColumnsOf(c.dirty)
	for k, g := range c.dirty {
		key := binary.BigEndian.AppendUint64(nil, c.table.hashes[g])
		key = vector.AppendRow(key, cols, c.types, k)
		if err := putCount(w, key, c.counts[g]); err != nil {
			return err
		}
	}
	c.clean()
	return nil
}

// compact drops the rows at zero from the table once they are most of it,
// renumbering the others in order; it reports whether it did. It must run
// when no row number is held elsewhere (the operator's own lists).
func (c *countedRows) compact() bool {
	if !worthCompacting(c.table.len(), c.live) {
		return false
	}
	keep := make([]int32, 0, c.live)
	for g, n := range c.counts {
		if n > 0 {
			keep = append(keep, int32(g))
		}
	}
	c.table = compactTable(c.table, keep)
	c.counts, c.flags = gatherAt(c.counts, keep), gatherAt(c.flags, keep)
	return true
}

// emit emits rows with the given weights (nil: each once), in batches.
func (c *countedRows) emit(rows []int32, weights []int64, emit Emit) error {
	for lo := 0; lo < len(rows); lo += BatchSize {
		hi := min(lo+BatchSize, len(rows))
		b := vector.NewBatch(c.table.keyColumnsOf(rows[lo:hi]), hi-lo)
		if weights != nil {
			b.Weights = weights[lo:hi]
		}
		if err := emit(b); err != nil {
			return err
		}
	}
	return nil
}

// restore loads a row written by checkpoint.
func (c *countedRows) restore(key, value []byte) error {
	if len(key) < 8 {
		return errCorruptCounts
	}
	return c.restored.add(key[8:], value)
}

// Pieces that the stateful operators keeping rows with multiplicities
// share.

var (
	errNegativeMultiplicity = errors.New("operators: a row was deleted more times than it was inserted")
	errCorruptCounts        = errors.New("operators: corrupt row count state")
)

// putCount writes multiplicity n under key: deletes the key when n is 0.
func putCount(w StateWriter, key []byte, n int64) error {
	switch {
	case n < 0:
		return errNegativeMultiplicity
	case n == 0:
		return w.Delete(key)
	}
	return w.Put(key, binary.AppendUvarint(nil, uint64(n)))
}

// worthCompacting reports whether a table of n groups, of which live are
// in use, is worth rebuilding with the live ones only.
func worthCompacting(n, live int) bool { return n >= 1024 && 2*live <= n }

// compactTable returns a table of the groups keep of t, numbered 0, 1, …
// in the order of keep.
func compactTable(t *groupTable, keep []int32) *groupTable {
	table := newGroupTable(t.types)
	table.reserve(len(keep))
	table.insert(t.keyColumnsOf(keep), len(keep), make([]int32, len(keep)))
	return table
}

// discard drops a batch: it stands for the output of restored state, which
// was emitted before the restart.
func discard(*vector.Batch) error { return nil }

// restoredRows collects the rows Restore loads, each with its multiplicity,
// until the operator takes them as one batch (at its first Push, Flush or
// Checkpoint), so that restoring adds rows to state a batch at a time.
type restoredRows struct {
	types []vector.Type
	rows  *changeBuilder // nil when empty
	row   []vector.Datum
}

// add decodes a row encoded by vector.AppendRow, which must fill src, and
// its multiplicity, value, as written by putCount.
func (r *restoredRows) add(src, value []byte) error {
	if r.rows == nil {
		r.rows = newChangeBuilder(r.types)
		r.row = make([]vector.Datum, len(r.types))
	}
	rest, err := vector.DecodeRow(src, r.types, r.row)
	if err != nil {
		return err
	}
	n, k := binary.Uvarint(value)
	if len(rest) != 0 || k != len(value) || n == 0 {
		return errCorruptCounts
	}
	r.rows.addDatums(r.row, int64(n))
	return nil
}

// take returns the rows collected, weighted by their multiplicities, and
// forgets them; nil when there are none.
func (r *restoredRows) take() *vector.Batch {
	if r.rows == nil {
		return nil
	}
	var b *vector.Batch
	r.rows.flush(func(rows *vector.Batch) error { b = rows; return nil })
	r.rows, r.row = nil, nil
	return b
}
