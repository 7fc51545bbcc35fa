package operators

import "github.com/runneldb/runnel/vector"

// incDistinct is SELECT DISTINCT over changes: a row is in the output while
// its net multiplicity is positive.
//
// State: the rows seen with their multiplicities (countedRows; rows are
// compared as DISTINCT compares them: NULLs equal, 1.5 equal to 1.50). The
// output row of a group is the first row of it seen, as Postgres outputs
// one unspecified row of equal ones. A row whose multiplicity returns to
// zero stays until a compaction, at a Checkpoint once such rows are most
// of them.
type incDistinct struct {
	rows    countedRows
	touched []int32 // rows changed since the last Flush
}

// groupFlag records where a row of countedRows stands.
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
	n.New = func() (Incremental, error) { return &incDistinct{rows: newCountedRows(types)}, nil }
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
	ids, _ := d.rows.add(b)
	for _, g := range ids {
		if d.rows.flags[g]&inTouched == 0 {
			d.rows.flags[g] |= inTouched
			d.touched = append(d.touched, g)
		}
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
	flags := d.rows.flags
	for _, g := range d.touched {
		flags[g] &^= inTouched
		n, out := d.rows.counts[g], flags[g]&inOutput != 0
		switch {
		case n < 0:
			return errNegativeMultiplicity
		case n > 0 && !out:
			groups, weights = append(groups, g), append(weights, 1)
			flags[g] |= inOutput
		case n == 0 && out:
			groups, weights = append(groups, g), append(weights, -1)
			flags[g] &^= inOutput
			deleted = true
		}
	}
	d.touched = d.touched[:0]
	if !deleted {
		weights = nil // all +1
	}
	return d.rows.emit(groups, weights, emit)
}

// Checkpoint writes each row changed since the last Checkpoint with its
// multiplicity, then compacts: right after a Flush and a Checkpoint no row
// is touched or dirty, so that row numbers are held nowhere else.
func (d *incDistinct) Checkpoint(w StateWriter) error {
	if err := d.settle(); err != nil {
		return err
	}
	if err := d.rows.checkpoint(w); err != nil {
		return err
	}
	d.rows.compact()
	return nil
}

func (d *incDistinct) Restore(key, value []byte) error { return d.rows.restore(key, value) }

// settle adds the rows restored to the state, once Restore is done.
func (d *incDistinct) settle() error {
	b := d.rows.restored.take()
	if b == nil {
		return nil
	}
	d.apply(b)
	d.rows.clean()
	return d.Flush(discard)
}
