package planner

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// grouping resolves expressions above a GROUP BY: group expressions and
// aggregate calls (matched by their text) and columns that are grouped.
type grouping struct {
	input *scope
	// byText maps the text of a group expression or aggregate call to its
	// output column.
	byText map[string]int
	// byColumn maps an input column that is grouped on to its output column.
	byColumn map[int]int
	// window is the text of the GROUP BY window call (tumble(…)), whose
	// value is two output columns: byText gives the first.
	window string
}

func (g *grouping) lookup(e tree.Expr) (int, bool) {
	i, ok := g.byText[exprText(e)]
	return i, ok
}

func (g *grouping) column(table, name string) (vector.Expr, error) {
	i, err := g.input.resolve(table, name)
	if err != nil {
		return nil, err
	}
	if o, ok := g.byColumn[i]; ok {
		c := g.input.cols[i]
		return vector.NewColumnRef(o, c.typ, c.name), nil
	}
	c := g.input.cols[i]
	full := c.name
	if c.table != "" {
		full = c.table + "." + c.name
	}
	return nil, vector.Errorf(vector.CodeGroupingError, "column %q must appear in the GROUP BY clause or be used in an aggregate function", full)
}

// exprText is the canonical text of an expression, without enclosing
// parentheses.
func exprText(e tree.Expr) string {
	for {
		p, ok := e.(*tree.ParenExpr)
		if !ok {
			return tree.AsString(e)
		}
		e = p.Expr
	}
}

// needsGrouping reports whether a SELECT aggregates.
func needsGrouping(sc *tree.SelectClause, order tree.OrderBy) bool {
	if len(sc.GroupBy) > 0 || sc.Having != nil {
		return true
	}
	return len(aggregateCalls(sc, order)) > 0
}

// aggregateCalls lists the aggregate calls of the select list, HAVING and
// ORDER BY (not those inside subqueries).
func aggregateCalls(sc *tree.SelectClause, order tree.OrderBy) []*tree.FuncExpr {
	var calls []*tree.FuncExpr
	v := exprVisitor(func(e tree.Expr) bool {
		switch e := e.(type) {
		case *tree.Subquery:
			return false
		case *tree.FuncExpr:
			if isAggregateCall(e) {
				calls = append(calls, e)
				return false
			}
		}
		return true
	})
	for _, s := range sc.Exprs {
		tree.WalkExprConst(v, s.Expr)
	}
	if sc.Having != nil {
		tree.WalkExprConst(v, sc.Having.Expr)
	}
	for _, o := range order {
		tree.WalkExprConst(v, o.Expr)
	}
	return calls
}

// aggregate plans GROUP BY and the aggregate calls of sc over r. The result
// has the group columns, then one column per distinct aggregate call.
func (p *Planner) aggregate(r *rel, sc *tree.SelectClause, order tree.OrderBy) (*rel, *grouping, error) {
	items := make([]tree.Expr, 0, len(sc.GroupBy))
	for _, item := range sc.GroupBy {
		e, err := groupItem(item, sc, r.sc)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, e)
	}
	r, win, err := p.groupWindow(r, items)
	if err != nil {
		return nil, nil, err
	}
	g := &grouping{input: r.sc, byText: map[string]int{}, byColumn: map[int]int{}}
	in := &binder{p: p, sc: r.sc, what: "GROUP BY"}
	var pre []vector.Expr
	var outCols []column
	for _, e := range items {
		key := exprText(e)
		if _, dup := g.byText[key]; dup {
			continue
		}
		if win.takes(e, r.sc) {
			if win.call.kind != "session" {
				// tumble(…): the two window columns assignWindows added
				g.byText[key], g.window = len(pre), key
				for _, c := range win.cols {
					pre = append(pre, vector.NewColumnRef(c, r.sc.cols[c].typ, r.sc.cols[c].name))
					outCols = append(outCols, win.output(r.sc.cols[c]))
				}
			}
			continue
		}
		x, err := in.bind(e)
		if err != nil {
			return nil, nil, err
		}
		if x, err = resolveUnknown(x); err != nil {
			return nil, nil, err
		}
		g.byText[key] = len(pre)
		c := column{name: columnName(e), typ: x.Type()}
		if i, ok := vector.IsColumnRef(x); ok {
			g.byColumn[i] = len(pre)
			c = r.sc.cols[i]
		}
		pre = append(pre, x)
		outCols = append(outCols, c)
	}
	groupCols := make([]int, len(pre))
	for i := range groupCols {
		groupCols[i] = i
	}
	if win.call.kind == "session" {
		// The session aggregate outputs the other group columns, then
		// window_start and window_end.
		ts := win.cols[0]
		for _, e := range items {
			if win.takes(e, r.sc) {
				g.byText[exprText(e)] = len(outCols) + win.field(e, r.sc)
			}
		}
		g.window = win.text
		for _, f := range []string{"start", "end"} {
			c := column{name: "window_" + f, typ: r.sc.cols[ts].typ}
			if win.text != "" {
				c = column{name: "window", field: f, typ: c.typ}
			}
			if f == "end" {
				c.bound = operators.Bound{Kind: operators.BoundSessionEnd, Lag: r.sc.cols[ts].bound.Lag}
			}
			outCols = append(outCols, c)
		}
		win.tsArg = len(pre)
		pre = append(pre, vector.NewColumnRef(ts, r.sc.cols[ts].typ, r.sc.cols[ts].name))
	}
	nKeys := len(outCols)
	var aggs []operators.Aggregate
	argBinder := &binder{p: p, sc: r.sc, what: "aggregate function calls"}
	// ORDER BY inside aggregate calls: the input is sorted before it is
	// aggregated, so every call must ask for the same order.
	var aggOrder tree.OrderBy
	for _, call := range aggregateCalls(sc, order) {
		key := exprText(call)
		if _, dup := g.byText[key]; dup {
			continue
		}
		name := funcName(call)
		if len(call.OrderBy) > 0 {
			if err := p.notInView("ORDER BY in an aggregate call"); err != nil {
				return nil, nil, err
			}
			if aggOrder != nil && tree.AsString(&aggOrder) != tree.AsString(&call.OrderBy) {
				return nil, nil, unsupported("aggregate calls with different ORDER BY in one query")
			}
			aggOrder = call.OrderBy
		}
		agg := operators.Aggregate{Filter: -1, Distinct: call.Type == tree.DistinctFuncType}
		var argTypes []vector.Type
		for _, a := range call.Exprs {
			if _, star := a.(tree.UnqualifiedStar); star {
				continue // count(*): no arguments
			}
			x, err := argBinder.bind(a)
			if err != nil {
				return nil, nil, err
			}
			if x, err = resolveUnknown(x); err != nil {
				return nil, nil, err
			}
			if x.Type().Kind == vector.KindChar {
				// "char" is aggregated as its text, which min, max and
				// string_agg take it as (count is the same either way).
				if x, err = vector.NewCast(x, vector.Text); err != nil {
					return nil, nil, err
				}
			}
			agg.Args = append(agg.Args, len(pre))
			argTypes = append(argTypes, x.Type())
			pre = append(pre, x)
		}
		fn, typ, err := operators.LookupAggregate(name, argTypes)
		if err != nil {
			return nil, nil, err
		}
		if fn == operators.ArrayAgg {
			if err := p.notInView("array_agg"); err != nil {
				return nil, nil, err
			}
		}
		agg.Func, agg.Type = fn, typ
		if call.Filter != nil {
			fb := &binder{p: p, sc: r.sc, what: "FILTER"}
			x, err := fb.bind(call.Filter)
			if err != nil {
				return nil, nil, err
			}
			if x, err = boolean(x, "FILTER"); err != nil {
				return nil, nil, err
			}
			agg.Filter = len(pre)
			pre = append(pre, x)
		}
		g.byText[key] = nKeys + len(aggs)
		aggs = append(aggs, agg)
		outCols = append(outCols, column{name: name, typ: typ})
	}
	var keys []operators.SortKey
	for _, o := range aggOrder {
		x, err := argBinder.bind(o.Expr)
		if err != nil {
			return nil, nil, err
		}
		k := operators.SortKey{Col: len(pre), Desc: o.Direction == tree.Descending}
		k.NullsFirst = o.NullsOrder == tree.NullsFirst || o.NullsOrder == tree.DefaultNullsOrder && k.Desc
		keys = append(keys, k)
		pre = append(pre, x)
	}
	preCols := make([]column, len(pre))
	for i, x := range pre {
		preCols[i] = column{name: "?agg_input?", typ: x.Type()}
	}
	if win.call.kind == "session" {
		if !p.stream {
			return nil, nil, unsupported("session windows outside a materialized view, pipeline or sink")
		}
		op := operators.NewSessionNode(node(p.project(r, pre, preCols)), groupCols, win.tsArg, win.call.gap, r.sc.cols[win.cols[0]].bound.Lag, aggs)
		return &rel{op: op, sc: &scope{cols: outCols, outer: r.sc.outer}}, g, nil
	}
	if p.stream {
		in := node(p.project(r, pre, preCols))
		var op *operators.Node
		if k := boundedColumn(outCols[:len(groupCols)]); k >= 0 {
			op = operators.NewWindowAggregateNode(in, groupCols, aggs, k, outCols[k].bound)
		} else {
			op = operators.NewAggregateNode(in, groupCols, aggs)
		}
		return &rel{op: op, sc: &scope{cols: outCols, outer: r.sc.outer}}, g, nil
	}
	input := p.project(r, pre, preCols).op
	if len(keys) > 0 {
		input = operators.NewSort(input, keys)
	}
	op := operators.NewHashAggregate(input, groupCols, aggs)
	return &rel{op: op, sc: &scope{cols: outCols, outer: r.sc.outer}}, g, nil
}

// groupItem resolves a GROUP BY item: an ordinal or an output column name
// (when no input column has that name) stands for that select-list
// expression.
func groupItem(item tree.Expr, sc *tree.SelectClause, in *scope) (tree.Expr, error) {
	switch e := item.(type) {
	case *tree.NumVal:
		i, err := e.AsInt64()
		if err != nil || i < 1 || int(i) > len(sc.Exprs) {
			return nil, vector.Errorf(vector.CodeInvalidColumnReference, "GROUP BY position %s is not in select list", e.String())
		}
		return sc.Exprs[i-1].Expr, nil
	case *tree.UnresolvedName:
		if e.NumParts == 1 && !e.Star {
			if _, err := in.resolve("", e.Parts[0]); err != nil {
				for _, s := range sc.Exprs {
					if string(s.As) == e.Parts[0] {
						return s.Expr, nil
					}
				}
			}
		}
	}
	return item, nil
}
