package operators

import (
	"context"

	"github.com/runneldb/runnel/vector"
)

// unionAll emits every batch of each input, one input after the other.
type unionAll struct{ ins []Operator }

// NewUnionAll concatenates its inputs (UNION ALL). The inputs must have the
// same column types.
func NewUnionAll(ins ...Operator) Operator { return &unionAll{ins: ins} }

func (u *unionAll) Types() []vector.Type { return u.ins[0].Types() }

func (u *unionAll) Run(ctx context.Context, out chan<- Message) error {
	for _, in := range u.ins {
		if err := forEachBatch(ctx, in, func(b *vector.Batch) error {
			return Send(ctx, out, Message{Batch: b})
		}); err != nil {
			return err
		}
	}
	return nil
}

// forEachBatch runs in and calls f on each batch it sends, stopping in at
// the first error.
func forEachBatch(ctx context.Context, in Operator, f func(*vector.Batch) error) error {
	s := Open(ctx, in)
	defer s.Close()
	for {
		b, err := s.Next()
		if err != nil || b == nil {
			return err
		}
		if err := f(b); err != nil {
			return err
		}
	}
}

// collect runs in to its end and returns every batch it sent.
func collect(ctx context.Context, in Operator) ([]*vector.Batch, error) {
	var bs []*vector.Batch
	err := forEachBatch(ctx, in, func(b *vector.Batch) error {
		bs = append(bs, b)
		return nil
	})
	return bs, err
}
