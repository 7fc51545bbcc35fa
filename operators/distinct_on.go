package operators

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runneldb/runnel/vector"
)

// distinctOn keeps the first row of each run of consecutive rows with equal
// key columns (NULLs equal): over input sorted by the keys it implements
// SELECT DISTINCT ON. State: the key values of the last row passed.
type distinctOn struct {
	in   Operator
	keys []int
}

// NewDistinctOn keeps, of each run of rows of in with equal values in the
// key columns, the first.
func NewDistinctOn(in Operator, keys []int) Operator { return &distinctOn{in: in, keys: keys} }

func (d *distinctOn) Types() []vector.Type { return d.in.Types() }

func (d *distinctOn) Run(ctx context.Context, out chan<- Message) error {
	types := d.in.Types()
	var last []arrow.Array // key columns of the batch holding the last row kept
	lastRow := -1
	var idx []int32
	return forEachBatch(ctx, d.in, func(b *vector.Batch) error {
		idx = idx[:0]
		for i := 0; i < b.Len; i++ {
			if lastRow >= 0 && d.sameKey(types, last, lastRow, b.Cols, i) {
				continue
			}
			idx = append(idx, int32(i))
			last, lastRow = b.Cols, i
		}
		return sendRows(ctx, out, b, idx)
	})
}

func (d *distinctOn) sameKey(types []vector.Type, a []arrow.Array, i int, b []arrow.Array, j int) bool {
	for _, k := range d.keys {
		if !vector.EqualAt(a[k], i, b[k], j, types[k]) {
			return false
		}
	}
	return true
}
