package operators

import (
	"fmt"
	"strings"

	"github.com/runneldb/runnel/vector"
)

// The stateless continuous operators: filter, projection and
// UNION ALL. A change passes through them row by row with its weight, so
// they keep nothing, Flush has nothing to emit, and they run partition-local
// (Node.PartitionLocal).

// passThrough emits every batch it is pushed, unchanged.
type passThrough struct{}

func (passThrough) Push(_ int, b *vector.Batch, emit Emit) error { return emit(b) }
func (passThrough) Flush(Emit) error                             { return nil }

// NewUnionAllNode returns the changes of every input: UNION ALL.
func NewUnionAllNode(ins ...*Node) *Node {
	n := NewNode("UnionAll", ins[0].Types(), ins...)
	n.PartitionLocal = true
	n.New = func() (Incremental, error) { return passThrough{}, nil }
	return n
}

// incFilter passes on the changes to rows where the predicate is true.
type incFilter struct {
	pred vector.Expr
	ectx *vector.EvalContext
	idx  []int32
}

// NewFilterNode keeps the changes of rows of in where pred is true.
func NewFilterNode(in *Node, pred vector.Expr, ectx *vector.EvalContext) *Node {
	n := NewNode("Filter", in.Types(), in)
	n.PartitionLocal = true
	n.Detail = pred.String()
	n.New = func() (Incremental, error) { return &incFilter{pred: pred, ectx: ectx}, nil }
	return n
}

func (f *incFilter) Push(_ int, b *vector.Batch, emit Emit) error {
	var err error
	f.idx, err = selectTrue(f.ectx, f.pred, b, f.idx[:0])
	if err != nil || len(f.idx) == 0 {
		return err
	}
	return emit(vector.TakeRows(b, f.idx))
}

func (f *incFilter) Flush(Emit) error { return nil }

// incProject computes its expressions over each change, keeping weights.
type incProject struct {
	exprs []vector.Expr
	ectx  *vector.EvalContext
}

// NewProjectNode computes exprs over the changes of in.
func NewProjectNode(in *Node, exprs []vector.Expr, ectx *vector.EvalContext) *Node {
	types := make([]vector.Type, len(exprs))
	names := make([]string, len(exprs))
	for i, e := range exprs {
		types[i], names[i] = e.Type(), e.String()
	}
	n := NewNode("Project", types, in)
	n.PartitionLocal = true
	n.Detail = strings.Join(names, ", ")
	n.New = func() (Incremental, error) { return &incProject{exprs: exprs, ectx: ectx}, nil }
	return n
}

func (p *incProject) Push(_ int, b *vector.Batch, emit Emit) error {
	cols, err := evalAll(p.exprs, p.ectx, b)
	if err != nil {
		return err
	}
	return emit(&vector.Batch{Cols: cols, Len: b.Len, Weights: b.Weights})
}

func (p *incProject) Flush(Emit) error { return nil }

// keyNames renders column indexes for EXPLAIN.
func keyNames(cols []int) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("$%d", c)
	}
	return strings.Join(parts, ", ")
}
