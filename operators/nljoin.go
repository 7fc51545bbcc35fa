package operators

import (
	"context"

	"github.com/runneldb/runnel/vector"
)

// nestedLoopJoin pairs every left row with every right row and keeps the
// pairs where a condition holds: joins without equality keys (cross joins,
// ON a.x < b.y). State: the right input, materialized.
type nestedLoopJoin struct {
	left, right Operator
	typ         JoinType
	cond        vector.Expr
	ectx        *vector.EvalContext
}

// NewNestedLoopJoin joins left and right where cond (over the left columns
// then the right columns; nil means true) holds, for every join type, with
// the same output as NewHashJoin.
func NewNestedLoopJoin(left, right Operator, typ JoinType, cond vector.Expr, ectx *vector.EvalContext) Operator {
	return &nestedLoopJoin{left: left, right: right, typ: typ, cond: cond, ectx: ectx}
}

func (n *nestedLoopJoin) Types() []vector.Type {
	return joinTypes(n.typ, n.left.Types(), n.right.Types())
}

func (n *nestedLoopJoin) Run(ctx context.Context, out chan<- Message) error {
	right, rows, err := materialize(ctx, n.right)
	if err != nil {
		return err
	}
	j := newJoiner(ctx, out, n.typ, n.cond, n.ectx, n.left.Types(), n.right.Types(), right, rows)
	err = forEachBatch(ctx, n.left, func(b *vector.Batch) error {
		j.startLeft(b)
		for i := range int32(b.Len) {
			for r := range int32(rows) {
				if err := j.pair(i, r); err != nil {
					return err
				}
			}
		}
		return j.finishLeft()
	})
	if err != nil {
		return err
	}
	return j.finishRight()
}
