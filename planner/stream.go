package planner

import (
	"context"
	"fmt"

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

// View is a planned materialized view: Root's output is the view's rows.
type View struct {
	Columns []Column
	Root    *operators.Node
}

// View plans the defining query of a materialized view.
func (p *Planner) View(s *tree.Select) (*View, error) {
	p.stream = true
	r, err := p.selectStmt(s, nil)
	if err != nil {
		return nil, err
	}
	r = p.visibleOnly(r)
	return &View{Columns: r.columns(), Root: node(r)}, nil
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
	return &rel{op: op, sc: &scope{cols: l.sc.cols, outer: outer}}, nil
}

// expandView plans a reference to a (not materialized) view: its defining
// query, planned in place, its columns named as the view's.
func (p *Planner) expandView(t *catalog.Table) (*rel, error) {
	stmts, err := parser.ParseWithInt(t.Query, types.Int4)
	if err != nil || len(stmts) != 1 {
		return nil, fmt.Errorf("planner: view %s: stored query does not parse: %v", t.Name, err)
	}
	sel, ok := stmts[0].AST.(*tree.Select)
	if !ok {
		return nil, fmt.Errorf("planner: view %s: stored query is not a SELECT", t.Name)
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
