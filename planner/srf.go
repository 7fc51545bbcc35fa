package planner

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// Set-returning functions: unnest, generate_series,
// information_schema._pg_expandarray and pg_options_to_table, in FROM and
// in a select list. Both run as a ProjectSet (see operators.NewProjectSet):
// in a select list over the rows of the query, each call a column that the
// select list reads; in FROM over one empty row, the calls evaluated when
// the query runs (so they may read the outer query's columns).

// setReturning names the set-returning functions, without schema.
var setReturning = map[string]bool{"unnest": true, "generate_series": true, "_pg_expandarray": true, "pg_options_to_table": true}

// isSetReturning reports whether name (as funcName gives it) is a
// set-returning function.
func isSetReturning(name string) bool {
	return setReturning[name] || name == "information_schema._pg_expandarray"
}

// setCalls binds a call of a set-returning function into the calls it
// runs as: one, or one per argument for unnest(a, b, …) in FROM
// (multiple is set), which yields the arrays side by side.
func (b *binder) setCalls(f *tree.FuncExpr, multiple bool) ([]*operators.SetCall, error) {
	if f.Type != 0 || f.Filter != nil || f.WindowDef != nil || len(f.OrderBy) > 0 {
		return nil, unsupported("%s", tree.AsString(f))
	}
	args, err := b.bindAll(f.Exprs)
	if err != nil {
		return nil, err
	}
	name := funcName(f)
	undefined := func() error {
		e := vector.Errorf(vector.CodeUndefinedFunction, "function %s(%s) does not exist", name, argTypes(args))
		e.Hint = "No function matches the given name and argument types. You might need to add explicit type casts."
		return e
	}
	switch name {
	case "generate_series":
		args, t, err := seriesArgs(args)
		if err != nil {
			return nil, err
		}
		return []*operators.SetCall{operators.NewSeriesCall(args, t)}, nil
	case "unnest":
		if len(args) == 0 || len(args) > 1 && !multiple {
			return nil, undefined()
		}
		var calls []*operators.SetCall
		for _, a := range args {
			if !a.Type().Kind.IsArray() {
				return nil, undefined()
			}
			calls = append(calls, operators.NewUnnest(a))
		}
		return calls, nil
	case "pg_options_to_table":
		if len(args) != 1 {
			return nil, undefined()
		}
		opts, err := vector.Coerce(args[0], vector.ArrayOfKind(vector.KindText))
		if err != nil {
			return nil, undefined()
		}
		return []*operators.SetCall{operators.NewOptionsToTable(opts)}, nil
	}
	if len(args) != 1 || !args[0].Type().Kind.IsArray() {
		return nil, undefined()
	}
	return []*operators.SetCall{operators.NewExpandArray(args[0])}, nil
}

// argTypes lists the names of the types of args, comma-separated.
func argTypes(args []vector.Expr) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += ", "
		}
		s += a.Type().Name()
	}
	return s
}

// selectSetCalls lists the calls of set-returning functions in a select
// list, outside subqueries, each once.
func selectSetCalls(items tree.SelectExprs) []*tree.FuncExpr {
	var calls []*tree.FuncExpr
	seen := map[string]bool{}
	v := exprVisitor(func(e tree.Expr) bool {
		switch e := e.(type) {
		case *tree.Subquery:
			return false
		case *tree.FuncExpr:
			if isSetReturning(funcName(e)) {
				if key := exprText(e); !seen[key] {
					seen[key] = true
					calls = append(calls, e)
				}
				return false
			}
		}
		return true
	})
	for _, item := range items {
		tree.WalkExprConst(v, item.Expr)
	}
	return calls
}

// setReturning runs the set-returning calls of a select list over r, as
// Postgres' ProjectSet: each input row yields as many rows as its longest
// call, the calls side by side. It returns r with one more column per
// call and a binder that reads a call as its column.
func (p *Planner) setReturning(r *rel, b *binder, items tree.SelectExprs) (*rel, *binder, error) {
	fs := selectSetCalls(items)
	if len(fs) == 0 {
		return r, b, nil
	}
	if err := p.notInView("set-returning functions in the select list"); err != nil {
		return nil, nil, err
	}
	ab := *b
	ab.what = "arguments of set-returning functions"
	var calls []*operators.SetCall
	cols := append([]column(nil), r.sc.cols...)
	nb := *b
	nb.srfs = map[string]int{}
	for _, f := range fs {
		c, err := ab.setCalls(f, false)
		if err != nil {
			return nil, nil, err
		}
		nb.srfs[exprText(f)] = len(cols)
		calls = append(calls, c[0])
		cols = append(cols, column{name: c[0].Name, typ: c[0].Type})
	}
	nb.sc = &scope{cols: cols, outer: r.sc.outer}
	op := operators.NewProjectSet(r.op, calls, false, p.ectx)
	return &rel{op: op, sc: nb.sc}, &nb, nil
}

// setColumn binds a call of a set-returning function to the column the
// select list's ProjectSet computed for it; anywhere else such a call is
// 0A000, as in Postgres.
func (b *binder) setColumn(f *tree.FuncExpr) (vector.Expr, error) {
	if i, ok := b.srfs[exprText(f)]; ok {
		return vector.NewColumnRef(i, b.sc.cols[i].typ, b.sc.cols[i].name), nil
	}
	what := b.what
	if what == "" {
		what = "this context"
	}
	return nil, vector.Errorf(vector.CodeFeatureNotSupported, "set-returning functions are not allowed in %s", what)
}

// functionTable plans ROWS FROM (f(…), …) [WITH ORDINALITY] AS alias(…):
// the set-returning calls side by side over one row (shorter results
// padded with NULLs; a scalar function yields one row), the columns of a
// record-returning call (_pg_expandarray) spread out, then the ordinality
// column. A single call yielding one
// column takes the table alias as its column name too. ok is false for a
// FROM item that is not a function call, and for the window functions
// (TUMBLE, HOP, SESSION), planned elsewhere.
func (p *Planner) functionTable(t *tree.AliasedTableExpr, outer *scope) (r *rel, ok bool, err error) {
	rf, isFunc := t.Expr.(*tree.RowsFromExpr)
	if !isFunc {
		return nil, false, nil
	}
	if len(rf.Items) == 1 {
		if _, _, isWindow := isWindowFunc(rf.Items[0]); isWindow {
			return nil, false, nil
		}
	}
	b := &binder{p: p, sc: &scope{outer: outer}, what: "functions in FROM"}
	var calls []*operators.SetCall
	for _, item := range rf.Items {
		f, isCall := item.(*tree.FuncExpr)
		if !isCall {
			return nil, true, unsupported("FROM item %s", tree.AsString(item))
		}
		if !isSetReturning(funcName(f)) {
			// A scalar function in FROM is a table of one row.
			x, err := b.bind(f)
			if err == nil {
				x, err = resolveUnknown(x)
			}
			if err != nil {
				return nil, true, err
			}
			calls = append(calls, operators.NewScalarCall(columnName(f), x))
			continue
		}
		c, err := b.setCalls(f, true)
		if err != nil {
			return nil, true, err
		}
		calls = append(calls, c...)
	}
	one := operators.NewValues(nil, []*vector.Batch{{Len: 1}})
	table := calls[0].Name
	var setCols []column
	for _, c := range calls {
		setCols = append(setCols, column{name: c.Name, typ: c.Type})
	}
	if t.Ordinality {
		setCols = append(setCols, column{name: "ordinality", typ: vector.Int8})
	}
	set, err := p.constant(&rel{op: operators.NewProjectSet(one, calls, t.Ordinality, p.ectx), sc: &scope{cols: setCols, outer: outer}}, table)
	if err != nil {
		return nil, true, err
	}
	var exprs []vector.Expr
	var cols []column
	for i, c := range calls {
		ref := vector.NewColumnRef(i, c.Type, c.Name)
		if c.Type.Kind != vector.KindRecord {
			exprs = append(exprs, ref)
			cols = append(cols, column{table: table, name: c.Name, typ: c.Type})
			continue
		}
		for _, name := range c.Type.Record.Names {
			x, err := vector.NewFieldSelect(ref, name)
			if err != nil {
				return nil, true, err
			}
			exprs = append(exprs, x)
			cols = append(cols, column{table: table, name: name, typ: x.Type()})
		}
	}
	if t.Ordinality {
		exprs = append(exprs, vector.NewColumnRef(len(calls), vector.Int8, "ordinality"))
		cols = append(cols, column{table: table, name: "ordinality", typ: vector.Int8})
	}
	r = p.project(set, exprs, cols)
	as := t.As
	if len(as.Cols) == 0 && as.Alias != "" && len(cols) == 1 {
		as.Cols = tree.ColumnDefList{{Name: as.Alias}}
	}
	r, err = p.alias(r, as)
	return r, true, err
}
