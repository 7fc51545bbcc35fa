package operators

import (
	"context"

	"github.com/runneldb/runnel/vector"
)

// values emits a fixed list of batches.
type values struct {
	types   []vector.Type
	batches []*vector.Batch
}

// NewValues returns an operator that emits batches (of the given column
// types) in order. Empty batches are skipped.
func NewValues(types []vector.Type, batches []*vector.Batch) Operator {
	return &values{types: types, batches: batches}
}

func (v *values) Types() []vector.Type { return v.types }

func (v *values) Run(ctx context.Context, out chan<- Message) error {
	for _, b := range v.batches {
		if b.Len == 0 {
			continue
		}
		if err := Send(ctx, out, Message{Batch: b}); err != nil {
			return err
		}
	}
	return nil
}
