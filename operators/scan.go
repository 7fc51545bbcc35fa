package operators

import (
	"context"

	"github.com/runneldb/runnel/vector"
)

// scan emits the batches a source function produces.
type scan struct {
	types  []vector.Type
	source func(ctx context.Context, emit func(*vector.Batch) error) error
}

// NewScan returns an operator that runs source, which calls emit once per
// batch and returns when it has no more. emit fails once ctx is cancelled
// (the consumer stopped reading); source should then return that error.
func NewScan(types []vector.Type, source func(ctx context.Context, emit func(*vector.Batch) error) error) Operator {
	return &scan{types: types, source: source}
}

func (s *scan) Types() []vector.Type { return s.types }

func (s *scan) Run(ctx context.Context, out chan<- Message) error {
	return s.source(ctx, func(b *vector.Batch) error {
		if b.Len == 0 {
			return ctx.Err()
		}
		return Send(ctx, out, Message{Batch: b})
	})
}
