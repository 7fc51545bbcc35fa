package operators

import (
	"context"

	"github.com/runneldb/runnel/vector"
)

// distinct passes the first occurrence of each distinct row (NULLs equal
// to each other, as SELECT DISTINCT sees them). State: a groupTable of
// every distinct row seen; output is streamed as new rows appear.
type distinct struct{ in Operator }

// NewDistinct removes duplicate rows (over all columns) from in.
func NewDistinct(in Operator) Operator { return &distinct{in: in} }

func (d *distinct) Types() []vector.Type { return d.in.Types() }

func (d *distinct) Run(ctx context.Context, out chan<- Message) error {
	table := newGroupTable(d.in.Types())
	var ids, idx []int32
	return forEachBatch(ctx, d.in, func(b *vector.Batch) error {
		ids = grow(ids, b.Len)
		idx = table.insertFirst(b.Cols, b.Len, ids, idx[:0])
		return sendRows(ctx, out, b, idx)
	})
}
