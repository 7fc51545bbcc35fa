package vector

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Mem is the allocator behind every Arrow buffer runnel builds. It is the Go
// allocator, so buffers are garbage collected: code never needs to call
// Release on arrays or batches, and may share arrays between batches freely.
var Mem memory.Allocator = memory.DefaultAllocator

// Batch is a set of rows stored column by column: a change to a relation.
//
// Invariants: every column has exactly Len rows; column i holds values of the
// i-th type of the relation's schema in that type's physical representation
// (see Type); Weights is nil (every row is +1, an insertion — the append-only
// case) or has exactly Len entries, each non-zero: +n inserts n copies of the
// row, -n deletes n copies. An update is a deletion of the old row and an
// insertion of the new one. Batches are immutable once sent to another
// operator.
type Batch struct {
	Cols    []arrow.Array
	Len     int
	Weights []int64
}

// NewBatch returns a batch of the given columns, all of length n, each row +1.
func NewBatch(cols []arrow.Array, n int) *Batch {
	return &Batch{Cols: cols, Len: n}
}

// Weight is the weight of row i (+1 when the batch has no weights).
func (b *Batch) Weight(i int) int64 {
	if b.Weights == nil {
		return 1
	}
	return b.Weights[i]
}
