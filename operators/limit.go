package operators

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// limit skips offset rows, then passes at most limit rows.
type limit struct {
	in            Operator
	limit, offset int64
}

// NewLimit implements LIMIT limit OFFSET offset; limit < 0 means no limit.
// Once limit rows have passed it stops reading in, which cancels in (and
// everything below it).
func NewLimit(in Operator, lim, offset int64) Operator {
	return &limit{in: in, limit: lim, offset: offset}
}

func (l *limit) Types() []vector.Type { return l.in.Types() }

// errLimitReached ends the read loop once the limit is satisfied.
var errLimitReached = errors.New("limit reached")

func (l *limit) Run(ctx context.Context, out chan<- Message) error {
	skip, left := l.offset, l.limit
	if left == 0 {
		return nil
	}
	err := forEachBatch(ctx, l.in, func(b *vector.Batch) error {
		from, to := int64(0), int64(b.Len)
		if skip > 0 {
			from = min(skip, to)
			skip -= from
		}
		if left >= 0 {
			to = min(to, from+left)
			left -= to - from
		}
		if from < to {
			if err := Send(ctx, out, Message{Batch: sliceBatch(b, from, to)}); err != nil {
				return err
			}
		}
		if left == 0 {
			return errLimitReached
		}
		return nil
	})
	if err == errLimitReached {
		return nil
	}
	return err
}

// sliceBatch returns rows [from, to) of b without copying.
func sliceBatch(b *vector.Batch, from, to int64) *vector.Batch {
	if from == 0 && to == int64(b.Len) {
		return b
	}
	cols := make([]arrow.Array, len(b.Cols))
	for c, col := range b.Cols {
		cols[c] = array.NewSlice(col, from, to)
	}
	return vector.NewBatch(cols, int(to-from))
}
