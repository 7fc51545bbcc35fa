package operators

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// filter keeps the rows for which a boolean predicate is true.
type filter struct {
	in   Operator
	pred vector.Expr
	ectx *vector.EvalContext
}

// NewFilter keeps the rows of in where pred (a boolean expression over in's
// columns) is true; rows where it is false or NULL are dropped.
func NewFilter(in Operator, pred vector.Expr, ectx *vector.EvalContext) Operator {
	return &filter{in: in, pred: pred, ectx: ectx}
}

func (f *filter) Types() []vector.Type { return f.in.Types() }

func (f *filter) Run(ctx context.Context, out chan<- Message) error {
	var idx []int32
	return forEachBatch(ctx, f.in, func(b *vector.Batch) error {
		var err error
		idx, err = selectTrue(f.ectx, f.pred, b, idx[:0])
		if err != nil {
			return err
		}
		switch len(idx) {
		case 0:
			return nil
		case b.Len:
			return Send(ctx, out, Message{Batch: b})
		}
		return Send(ctx, out, Message{Batch: vector.NewBatch(takeCols(b.Cols, idx), len(idx))})
	})
}

// selectTrue evaluates pred over b and appends to idx the rows where it is
// true (not false, not NULL).
func selectTrue(ectx *vector.EvalContext, pred vector.Expr, b *vector.Batch, idx []int32) ([]int32, error) {
	arr, err := pred.Eval(ectx, b)
	if err != nil {
		return idx, err
	}
	bools := arr.(*array.Boolean)
	nulls := bools.NullN() > 0
	for i := 0; i < b.Len; i++ {
		if bools.Value(i) && (!nulls || bools.IsValid(i)) {
			idx = append(idx, int32(i))
		}
	}
	return idx, nil
}
