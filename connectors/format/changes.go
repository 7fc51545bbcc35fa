package format

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// Changes is a batch of changes under construction: one builder per column
// and a weight per row. A decoder appends a row by appending one value to
// every column (Col) and then calling EndRow; Negate turns the last rows
// into deletions.
//
// A record that fails to decode is undone (see mark and undo) without
// truncating the builders, which cannot shrink: its rows are padded to equal
// length with NULLs and kept with weight 0, and Finish drops them. So
// decoding good records appends straight to the builders, with no per-row
// allocation besides the builders' own growth.
//
// Invariants between rows: every builder holds len(weights) values;
// weights[i] is +1 or -1 for a row of a decoded record, 0 for a row of an
// undone one; live counts the non-zero weights.
type Changes struct {
	cols    []*vector.Builder
	weights []int64
	live    int
	// signed is true when some weight is -1, and may stay true when the
	// rows negated are undone.
	signed bool
}

// NewChanges returns an empty batch of changes of cols.
func NewChanges(cols []Column) *Changes {
	c := &Changes{cols: make([]*vector.Builder, len(cols))}
	for i, col := range cols {
		c.cols[i] = vector.NewBuilder(col.Type, 0)
	}
	return c
}

// Col is the builder of column i, to which a row's value is appended.
func (c *Changes) Col(i int) *vector.Builder { return c.cols[i] }

// EndRow ends the row whose values were just appended, one to each column,
// as an insertion (weight +1).
func (c *Changes) EndRow() {
	c.weights = append(c.weights, 1)
	c.live++
}

// Len is the number of rows appended since the last Finish.
func (c *Changes) Len() int { return c.live }

// Negate turns the rows from index from (counted as Len counts) to the end
// into deletions (weight -1).
func (c *Changes) Negate(from int) {
	for i, k := len(c.weights)-1, c.live-from; k > 0 && i >= 0; i-- {
		if c.weights[i] != 0 {
			c.weights[i] = -1
			c.signed = true
			k--
		}
	}
}

// Finish returns the rows appended since the last Finish, Len of them, and
// resets c for the next batch. The batch's Weights are nil when every row
// is an insertion. Finish returns nil when Len is 0.
func (c *Changes) Finish() *vector.Batch {
	arrs := make([]arrow.Array, len(c.cols))
	for i, b := range c.cols {
		arrs[i] = b.Finish()
	}
	weights, live, signed := c.weights, c.live, c.signed
	c.weights, c.live, c.signed = c.weights[:0], 0, false
	if live == 0 {
		return nil
	}
	b := vector.NewBatch(arrs, len(weights))
	if live == len(weights) {
		if signed {
			b.Weights = weights
			c.weights = nil // the batch keeps weights
		}
		return b
	}
	// Drop the rows of undone records. Deletions among them do not count.
	idx := make([]int32, 0, live)
	signed = false
	for i, w := range weights {
		if w != 0 {
			idx = append(idx, int32(i))
			signed = signed || w < 0
		}
	}
	if signed {
		b.Weights = weights
	}
	return vector.TakeRows(b, idx) // copies the weights it keeps
}

// mark is where the rows a decoder appends next start: the mark to undo to.
func (c *Changes) mark() int { return len(c.weights) }

// undo drops the rows appended since mark, ended or not: they stay in the
// builders, padded to a whole row with NULLs, with weight 0.
func (c *Changes) undo(mark int) {
	for i := mark; i < len(c.weights); i++ {
		if c.weights[i] != 0 {
			c.weights[i] = 0
			c.live--
		}
	}
	n := len(c.weights)
	for _, b := range c.cols {
		n = max(n, b.Len())
	}
	for _, b := range c.cols {
		for b.Len() < n {
			b.AppendNull()
		}
	}
	for len(c.weights) < n {
		c.weights = append(c.weights, 0)
	}
}
