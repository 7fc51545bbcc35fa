package planner

import (
	"context"
	"fmt"
	"slices"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/runneldb/runnel/catalog"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// A materialized view is planned like a query, but every operator is built
// in its continuous form (an *operators.Node, see operators/incremental.go):
// the planner is in stream mode. Constructs with no continuous form are
// refused with 0A000 naming them, never planned into a view that would
// answer wrong.

// View is a planned continuous query (of a materialized view, a pipeline
// or a sink): Root's output is its rows.
type View struct {
	Columns []Column
	Root    *operators.Node
	// AppendOnly is set when the output only ever inserts rows, given
	// inputs that only insert: no operator in it retracts what it emitted.
	AppendOnly bool
	// Bounds relate each output column to the output's watermark.
	Bounds []operators.Bound
	// window is the first output column with a bound, -1 when none.
	window int
	bound  operators.Bound
}

// View plans the defining query of a continuous query. With emitOnClose,
// its rows are held until the watermark closes their window, and then are
// final. It reads only the columns of sources it uses (see prune.go).
func (p *Planner) View(s *tree.Select, emitOnClose bool) (*View, error) {
	return pruned(p, func() (*View, error) { return p.view(s, emitOnClose) })
}

// view plans View once.
func (p *Planner) view(s *tree.Select, emitOnClose bool) (*View, error) {
	p.stream = true
	r, err := p.selectStmt(s, nil)
	if err != nil {
		return nil, err
	}
	r = p.visibleOnly(r)
	for _, c := range r.sc.cols {
		if c.session != nil {
			return nil, vector.Errorf(vector.CodeWindowingError, "SESSION windows are computed by GROUP BY: group by %s", c.name)
		}
	}
	v := &View{Columns: r.columns(), Root: node(r), window: -1}
	for _, c := range r.sc.cols {
		v.Bounds = append(v.Bounds, c.bound)
	}
	if k := boundedColumn(r.sc.cols); k >= 0 {
		v.window, v.bound = k, r.sc.cols[k].bound
	}
	v.AppendOnly = p.appendOnly(v.Root)
	if emitOnClose {
		if err := v.EmitOnClose(); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// EmitOnClose holds the view's rows until the watermark closes their
// window: then they are final, and the output only inserts.
func (v *View) EmitOnClose() error {
	if v.window < 0 {
		return vector.Errorf(vector.CodeFeatureNotSupported, "EMIT ON WINDOW CLOSE needs a window column in the output: select window_start or window_end (or an event-time column)")
	}
	v.Root = operators.NewEmitOnCloseNode(v.Root, v.window, v.bound)
	v.AppendOnly = true
	return nil
}

// Windowed reports whether the output has a column whose windows close.
func (v *View) Windowed() bool { return v.window >= 0 }

// appendOnly reports whether n's output only inserts: it is made of
// operators that never retract what they emitted, over tables and views
// that only insert.
func (p *Planner) appendOnly(n *operators.Node) bool {
	switch n.Name {
	case "Source":
		return !p.updating[n]
	case "Filter", "Project", "UnionAll", "WindowAssign", "EmitOnWindowClose", "TimeJoin":
	default:
		return false
	}
	for _, in := range n.Inputs {
		if !p.appendOnly(in) {
			return false
		}
	}
	return true
}

// viewStream describes materialized view t as a stream, from its query
// planned again: whether it retracts rows it has shown, and the bound of
// each column (the view passes its watermark on to the views and
// pipelines that read it). A view that no longer plans updates, with no
// bounds.
func (p *Planner) viewStream(t *catalog.Table) (updates bool, bounds []operators.Bound) {
	sel, err := parseStored(t)
	if err != nil {
		return true, nil
	}
	v, err := New(p.env, p.ectx, &vector.ParamTypes{}).view(sel, t.EmitOnClose)
	if err != nil || len(v.Bounds) != len(t.Columns) {
		return true, nil
	}
	return !v.AppendOnly, v.Bounds
}

// parseStored parses the stored query of view t.
func parseStored(t *catalog.Table) (*tree.Select, error) {
	stmts, err := parser.ParseWithInt(t.Query, types.Int4)
	if err != nil || len(stmts) != 1 {
		return nil, fmt.Errorf("planner: view %s: stored query does not parse: %v", t.Name, err)
	}
	sel, ok := stmts[0].AST.(*tree.Select)
	if !ok {
		return nil, fmt.Errorf("planner: view %s: stored query is not a SELECT", t.Name)
	}
	return sel, nil
}

// node is the continuous operator of r, in stream mode.
func node(r *rel) *operators.Node { return r.op.(*operators.Node) }

// ConstantSource identifies a source node whose rows are fixed when the
// view is planned (VALUES, generate_series): it emits them once.
type ConstantSource struct {
	Batches []*vector.Batch
}

// constant makes a bounded operator over constants usable in stream mode:
// it is run now, and its rows become a constant source.
func (p *Planner) constant(r *rel, what string) (*rel, error) {
	if !p.stream {
		return r, nil
	}
	var batches []*vector.Batch
	s := operators.Open(context.Background(), r.op)
	defer s.Close()
	for {
		b, err := s.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		batches = append(batches, b)
	}
	return &rel{op: operators.NewSourceNode(what, r.op.Types(), &ConstantSource{Batches: batches}), sc: r.sc}, nil
}

// notInView refuses a construct in stream mode.
func (p *Planner) notInView(format string, args ...any) error {
	if !p.stream {
		return nil
	}
	return vector.Errorf(vector.CodeFeatureNotSupported, "%s is not supported in a materialized view", fmt.Sprintf(format, args...))
}

// volatile functions give another answer each time: a view maintained
// incrementally cannot keep them right, so stream mode refuses them.
var volatile = map[string]bool{
	"now": true, "random": true, "clock_timestamp": true, "statement_timestamp": true,
	"transaction_timestamp": true, "timeofday": true, "current_timestamp": true,
	"current_date": true, "current_time": true, "localtimestamp": true, "localtime": true,
	"gen_random_uuid": true, "pg_backend_pid": true,
}

// checkVolatile refuses a volatile function call in stream mode.
func (p *Planner) checkVolatile(name string) error {
	if volatile[name] {
		return p.notInView("the non-deterministic function %s()", name)
	}
	return nil
}

// streamLimit is ORDER BY … LIMIT in stream mode: a top-N. ORDER BY alone
// orders nothing in a view (as in Postgres, a view's rows have no order);
// LIMIT alone would pick arbitrary rows, so it is refused.
func (p *Planner) streamLimit(r *rel, keys []operators.SortKey, count, offset int64) (*rel, error) {
	if count < 0 && offset == 0 {
		return r, nil
	}
	if len(keys) == 0 {
		return nil, p.notInView("LIMIT or OFFSET without ORDER BY")
	}
	return &rel{op: operators.NewTopNNode(node(r), nil, keys, count, offset, operators.NoRank), sc: r.sc}, nil
}

// streamSetOp is UNION [ALL] in stream mode; l and r are already coerced
// to the result types.
func (p *Planner) streamSetOp(u *tree.UnionClause, l, r *rel, outer *scope) (*rel, error) {
	if u.Type != tree.UnionOp {
		return nil, p.notInView("%s", u.Type.String())
	}
	var op operators.Operator = operators.NewUnionAllNode(node(l), node(r))
	if !u.All {
		op = operators.NewDistinctNode(op.(*operators.Node))
	}
	cols := append([]column(nil), l.sc.cols...)
	for i := range cols {
		if cols[i].bound != r.sc.cols[i].bound {
			cols[i].bound = operators.Bound{} // each input bounds it differently
		}
	}
	return &rel{op: op, sc: &scope{cols: cols, outer: outer}}, nil
}

// expandView plans a reference to a (not materialized) view: its defining
// query, planned in place, its columns named as the view's.
func (p *Planner) expandView(t *catalog.Table) (*rel, error) {
	sel, err := parseStored(t)
	if err != nil {
		return nil, err
	}
	saved := p.ctes
	p.ctes = nil
	r, err := p.selectStmt(sel, nil)
	p.ctes = saved
	if err != nil {
		return nil, err
	}
	names := make(tree.ColumnDefList, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = tree.ColumnDef{Name: tree.Name(c.Name)}
	}
	return p.alias(p.visibleOnly(r), tree.AliasClause{Alias: tree.Name(t.Name), Cols: names})
}

// topNNode is the top-N of each partition; a partition by a window column
// is a windowed top-N, which forgets a window's partition once the
// watermark closes it.
func (p *Planner) topNNode(in *operators.Node, sc *scope, partition []int, order []operators.SortKey, limit int64, rank operators.RankKind) *operators.Node {
	for k, c := range partition {
		if b := sc.cols[c].bound; b.Valid() {
			return operators.NewWindowTopNNode(in, partition, order, limit, 0, rank, k, b)
		}
	}
	return operators.NewTopNNode(in, partition, order, limit, 0, rank)
}

// Into makes the view's rows rows of table t, as INSERT INTO t (cols)
// SELECT does: output column i goes to the column of t named cols[i] (t's
// columns in order when cols is empty), converted as INSERT converts; the
// other columns take their defaults, and generated columns are computed.
func (v *View) Into(t *catalog.Table, cols []string, ectx *vector.EvalContext) error {
	p := New(nil, ectx, &vector.ParamTypes{})
	target := make([]int, len(v.Columns))
	if len(cols) == 0 {
		if len(v.Columns) > len(t.Columns) {
			return vector.Errorf(vector.CodeSyntaxError, "INSERT has more expressions than target columns")
		}
		for i := range target {
			target[i] = i
		}
	} else {
		if len(cols) != len(v.Columns) {
			return vector.Errorf(vector.CodeSyntaxError, "INSERT has %d target columns but the query has %d", len(cols), len(v.Columns))
		}
		for i, name := range cols {
			target[i] = slices.IndexFunc(t.Columns, func(c catalog.Column) bool { return c.Name == name })
			if target[i] < 0 {
				return vector.Errorf(vector.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, t.Name)
			}
		}
	}
	exprs := make([]vector.Expr, len(t.Columns))
	for j := range t.Columns {
		x, err := p.DefaultExpr(t, j)
		if err != nil {
			return err
		}
		exprs[j] = x
	}
	for i, j := range target {
		if t.Columns[j].Generated != "" {
			return errGeneratedWrite(t.Columns[j], false)
		}
		x, err := assign(vector.NewColumnRef(i, v.Columns[i].Type, v.Columns[i].Name), t.Columns[j])
		if err != nil {
			return err
		}
		exprs[j] = x
	}
	v.Root = operators.NewProjectNode(v.Root, exprs, ectx)
	gen, err := p.Generated(t)
	if err != nil {
		return err
	}
	if gen != nil {
		v.Root = operators.NewProjectNode(v.Root, gen, ectx)
	}
	v.Columns = make([]Column, len(t.Columns))
	for j, c := range t.Columns {
		v.Columns[j] = Column{Name: c.Name, Type: c.Type}
	}
	return nil
}
