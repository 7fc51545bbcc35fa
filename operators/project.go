package operators

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// project computes one output column per expression.
type project struct {
	in    Operator
	exprs []vector.Expr
	types []vector.Type
	ectx  *vector.EvalContext
}

// NewProject outputs, for each batch of in, the columns exprs evaluate to.
// Evaluating a bare column reference returns the input array itself, so
// passing a column through copies nothing.
func NewProject(in Operator, exprs []vector.Expr, ectx *vector.EvalContext) Operator {
	types := make([]vector.Type, len(exprs))
	for i, e := range exprs {
		types[i] = e.Type()
	}
	return &project{in: in, exprs: exprs, types: types, ectx: ectx}
}

func (p *project) Types() []vector.Type { return p.types }

func (p *project) Run(ctx context.Context, out chan<- Message) error {
	return forEachBatch(ctx, p.in, func(b *vector.Batch) error {
		cols, err := evalAll(p.exprs, p.ectx, b)
		if err != nil {
			return err
		}
		return Send(ctx, out, Message{Batch: vector.NewBatch(cols, b.Len)})
	})
}

// evalAll evaluates each expression over b: the columns of a projection.
func evalAll(exprs []vector.Expr, ectx *vector.EvalContext, b *vector.Batch) ([]arrow.Array, error) {
	cols := make([]arrow.Array, len(exprs))
	for i, e := range exprs {
		col, err := e.Eval(ectx, b)
		if err != nil {
			return nil, err
		}
		cols[i] = col
	}
	return cols, nil
}
