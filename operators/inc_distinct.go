package operators

import (
	"encoding/binary"
	"errors"

	"github.com/runneldb/runnel/vector"
)

// incDistinct is SELECT DISTINCT over changes: a row is in the output while
// its net multiplicity is positive.
//
// State: a groupTable of every row seen (all columns are the key, compared
// as DISTINCT compares them: NULLs equal, 1.5 equal to 1.50) with each
// row's multiplicity. The output row of a group is the first row of it
// seen, as Postgres outputs one unspecified row of equal ones. A row whose
// multiplicity returns to zero stays in the table until the table is
// compacted, at a Checkpoint once such rows are most of it.
type incDistinct struct {
	types   []vector.Type
	table   *groupTable
	counts  []int64     // per group: net multiplicity
	flags   []groupFlag // per group
	live    int         // groups in the output
	touched []int32     // groups changed since the last Flush
	dirty   []int32     // groups changed since the last Checkpoint
	ids     []int32     // scratch: the group of each row of a batch

	restored restoredRows
}

// groupFlag records where a group of incDistinct stands.
type groupFlag uint8

const (
	inOutput groupFlag = 1 << iota // emitted with +1 (as of the last Flush)
	inTouched
	inDirty
)

// NewDistinctNode removes duplicate rows from in: SELECT DISTINCT.
func NewDistinctNode(in *Node) *Node {
	types := in.Types()
	all := make([]int, len(types))
	for i := range all {
		all[i] = i
	}
	n := NewNode("Distinct", types, in)
	n.Detail = keyNames(all)
	n.State = "per distinct row: the row and its multiplicity (deleted rows until a compaction); unbounded"
	n.Keys = [][]int{all}
	n.New = func() (Incremental, error) {
		return &incDistinct{types: types, table: newGroupTable(types), restored: restoredRows{types: types}}, nil
	}
	return n
}

func (d *incDistinct) Push(_ int, b *vector.Batch, _ Emit) error {
	if err := d.settle(); err != nil {
		return err
	}
	d.apply(b)
	return nil
}

// apply adds the changes of b to the multiplicities.
func (d *incDistinct) apply(b *vector.Batch) {
	d.ids = grow(d.ids, b.Len)
	d.table.insert(b.Cols, b.Len, d.ids)
	d.counts = extend(d.counts, d.table.len())
	d.flags = extend(d.flags, d.table.len())
	for i, g := range d.ids {
		d.counts[g] += b.Weight(i)
		if d.flags[g]&inTouched == 0 {
			d.touched = append(d.touched, g)
		}
		if d.flags[g]&inDirty == 0 {
			d.dirty = append(d.dirty, g)
		}
		d.flags[g] |= inTouched | inDirty
	}
}

// Flush emits +1 for each row whose multiplicity became positive since the
// last Flush and -1 for each whose multiplicity returned to zero.
func (d *incDistinct) Flush(emit Emit) error {
	if err := d.settle(); err != nil {
		return err
	}
	var groups []int32
	var weights []int64
	deleted := false
	for _, g := range d.touched {
		d.flags[g] &^= inTouched
		n, out := d.counts[g], d.flags[g]&inOutput != 0
		switch {
		case n < 0:
			return errNegativeMultiplicity
		case n > 0 && !out:
			groups, weights = append(groups, g), append(weights, 1)
			d.flags[g] |= inOutput
			d.live++
		case n == 0 && out:
			groups, weights = append(groups, g), append(weights, -1)
			d.flags[g] &^= inOutput
			d.live--
			deleted = true
		}
	}
	d.touched = d.touched[:0]
	for lo := 0; lo < len(groups); lo += BatchSize {
		hi := min(lo+BatchSize, len(groups))
		b := vector.NewBatch(d.table.keyColumnsOf(groups[lo:hi]), hi-lo)
		if deleted {
			b.Weights = weights[lo:hi]
		}
		if err := emit(b); err != nil {
			return err
		}
	}
	return nil
}

// Checkpoint writes each row changed since the last Checkpoint, keyed by
// its hash and its encoding, with its multiplicity.
func (d *incDistinct) Checkpoint(w StateWriter) error {
	if err := d.settle(); err != nil {
		return err
	}
	if len(d.dirty) == 0 {
		return nil
	}
	cols := d.table.keyColumnsOf(d.dirty)
	for k, g := range d.dirty {
		d.flags[g] &^= inDirty
		key := binary.BigEndian.AppendUint64(nil, d.table.hashes[g])
		key = vector.AppendRow(key, cols, d.types, k)
		if err := putCount(w, key, d.counts[g]); err != nil {
			return err
		}
	}
	d.dirty = d.dirty[:0]
	d.compact()
	return nil
}

// compact drops the rows out of the output from the table once they are
// most of it. It runs right after a Flush and a Checkpoint, when no group
// is touched or dirty, so that group numbers are held nowhere else.
func (d *incDistinct) compact() {
	if !worthCompacting(d.table.len(), d.live) {
		return
	}
	live := make([]int32, 0, d.live)
	for g, n := range d.counts {
		if n > 0 {
			live = append(live, int32(g))
		}
	}
	d.table = compactTable(d.table, live)
	d.counts, d.flags = gatherAt(d.counts, live), gatherAt(d.flags, live)
}

func (d *incDistinct) Restore(key, value []byte) error {
	if len(key) < 8 {
		return errCorruptCounts
	}
	return d.restored.add(key[8:], value)
}

// settle adds the rows restored to the state, once Restore is done.
func (d *incDistinct) settle() error {
	b := d.restored.take()
	if b == nil {
		return nil
	}
	d.apply(b)
	for _, g := range d.dirty {
		d.flags[g] &^= inDirty
	}
	d.dirty = d.dirty[:0]
	return d.Flush(discard)
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
