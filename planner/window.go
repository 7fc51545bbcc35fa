package planner

import (
	"slices"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// Window functions. As in Postgres, a SELECT computes its window calls
// after WHERE, GROUP BY and HAVING, and before DISTINCT, ORDER BY and
// LIMIT: windowCalls finds them (in the select list, DISTINCT ON and ORDER
// BY) before anything is planned, and windows adds a column per distinct
// call to the rows HAVING leaves, which the calls then bind to. Only the
// ranking functions row_number(), rank() and dense_rank() are supported.
//
// A materialized view keeps a rank up to date only in the top-N-per-group
// pattern
//
//	SELECT … FROM (SELECT …, rank() OVER (PARTITION BY p ORDER BY o) AS r FROM …) s WHERE r <= n
//
// which is one continuous top-N keeping, per partition, the rows ranked up
// to n. fromWhereRanked recognises it from the enclosing query and plans
// the subquery with that bound (a rankBound), and windows plans the rank
// and the bound together. Any other window call in a view is refused.

// rankKinds are the supported window functions.
var rankKinds = map[string]operators.RankKind{
	"row_number": operators.RowNumber,
	"rank":       operators.Rank,
	"dense_rank": operators.DenseRank,
}

// windowCall is one distinct window call of a SELECT: a ranking function
// over a window, named windows resolved.
type windowCall struct {
	call *tree.FuncExpr // as first written
	kind operators.RankKind
	// window has the PARTITION BY and ORDER BY only: a frame does not
	// change a rank.
	window *tree.WindowDef
	// texts are the ways the call is written (exprText), which bind to its
	// column.
	texts []string
}

// rankBound is the bound the enclosing query's WHERE puts on the rank a
// FROM subquery computes: only rows ranked at most limit are kept.
type rankBound struct{ limit int64 }

// windowCalls lists the distinct window calls of sc's select list,
// DISTINCT ON and ORDER BY (not those in subqueries). It refuses what
// cannot be computed: other window functions, and window calls in HAVING;
// those elsewhere are refused by the binder of their clause (see
// binder.window).
func windowCalls(sc *tree.SelectClause, order tree.OrderBy) ([]*windowCall, error) {
	for i, w := range sc.Window {
		if slices.ContainsFunc(sc.Window[:i], func(v *tree.WindowDef) bool { return v.Name == w.Name }) {
			return nil, vector.Errorf(vector.CodeWindowingError, "window %q is already defined", string(w.Name))
		}
	}
	if sc.Having != nil && hasWindowCall(sc.Having.Expr) {
		return nil, vector.Errorf(vector.CodeWindowingError, "window functions are not allowed in HAVING")
	}
	var calls []*windowCall
	byKey := map[string]*windowCall{} // by function and window
	var err error
	v := exprVisitor(func(e tree.Expr) bool {
		if err != nil {
			return false
		}
		switch e := e.(type) {
		case *tree.Subquery:
			return false
		case *tree.FuncExpr:
			if e.WindowDef == nil {
				return true
			}
			var c *windowCall
			if c, err = newWindowCall(e, sc.Window); err != nil {
				return false
			}
			key := c.kind.String() + tree.AsString(c.window)
			if seen, ok := byKey[key]; ok {
				seen.texts = append(seen.texts, c.texts...)
			} else {
				byKey[key] = c
				calls = append(calls, c)
			}
			return false
		}
		return true
	})
	for _, s := range sc.Exprs {
		tree.WalkExprConst(v, s.Expr)
	}
	for _, e := range sc.DistinctOn {
		tree.WalkExprConst(v, e)
	}
	for _, o := range order {
		tree.WalkExprConst(v, o.Expr)
	}
	return calls, err
}

// hasWindowCall reports whether e calls a window function (not in a
// subquery).
func hasWindowCall(e tree.Expr) bool {
	found := false
	tree.WalkExprConst(exprVisitor(func(x tree.Expr) bool {
		switch x := x.(type) {
		case *tree.Subquery:
			return false
		case *tree.FuncExpr:
			found = found || x.WindowDef != nil
		}
		return !found
	}), e)
	return found
}

// newWindowCall checks a window call and resolves its window.
func newWindowCall(e *tree.FuncExpr, named tree.Window) (*windowCall, error) {
	name := funcName(e)
	kind, ok := rankKinds[name]
	switch {
	case !ok:
		return nil, unsupported("window function %s()", name)
	case e.Filter != nil:
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "FILTER is not implemented for non-aggregate window functions")
	case e.Type == tree.DistinctFuncType:
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "DISTINCT is not implemented for window functions")
	case len(e.OrderBy) > 0:
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "aggregate ORDER BY is not implemented for window functions")
	}
	w, err := resolveWindow(e.WindowDef, named)
	if err != nil {
		return nil, err
	}
	return &windowCall{call: e, kind: kind, window: w, texts: []string{exprText(e)}}, nil
}

// resolveWindow returns the window of an OVER clause: the named window it
// names (OVER w), or the one it defines, which may refine a named window
// (OVER (w ORDER BY …)) under Postgres' rules.
func resolveWindow(w *tree.WindowDef, named tree.Window) (*tree.WindowDef, error) {
	if w.Name != "" {
		return namedWindow(w.Name, named)
	}
	if w.RefName == "" {
		return &tree.WindowDef{Partitions: w.Partitions, OrderBy: w.OrderBy}, nil
	}
	base, err := namedWindow(w.RefName, named)
	if err != nil {
		return nil, err
	}
	switch {
	case len(w.Partitions) > 0:
		return nil, vector.Errorf(vector.CodeWindowingError, "cannot override PARTITION BY clause of window %q", string(w.RefName))
	case len(base.OrderBy) > 0 && len(w.OrderBy) > 0:
		return nil, vector.Errorf(vector.CodeWindowingError, "cannot override ORDER BY clause of window %q", string(w.RefName))
	case base.Frame != nil:
		return nil, vector.Errorf(vector.CodeWindowingError, "cannot copy window %q because it has a frame clause", string(w.RefName))
	}
	out := &tree.WindowDef{Partitions: base.Partitions, OrderBy: w.OrderBy}
	if len(base.OrderBy) > 0 {
		out.OrderBy = base.OrderBy
	}
	return out, nil
}

// namedWindow finds a window of the WINDOW clause, which may refine one
// defined before it. Unlike resolveWindow's, its result keeps its frame.
func namedWindow(name tree.Name, named tree.Window) (*tree.WindowDef, error) {
	for i, w := range named {
		if w.Name != name {
			continue
		}
		if w.RefName == "" {
			return w, nil
		}
		def := *w
		def.Name = ""
		r, err := resolveWindow(&def, named[:i])
		if err != nil {
			return nil, err
		}
		r.Frame = w.Frame
		return r, nil
	}
	return nil, vector.Errorf(vector.CodeUndefinedObject, "window %q does not exist", string(name))
}

// windows computes calls over r, the rows WHERE, GROUP BY and HAVING
// leave, which b binds. It returns r with a hidden int8 column appended
// per call, and a copy of b that binds each call to its column. In stream
// mode the only window call a view can compute is a single rank bounded by
// the enclosing query (bound, see fromWhereRanked).
func (p *Planner) windows(r *rel, b *binder, calls []*windowCall, bound *rankBound) (*rel, *binder, error) {
	if len(calls) == 0 {
		return r, b, nil
	}
	if p.stream && len(calls) > 1 {
		return nil, nil, p.notInView("more than one window function in a SELECT")
	}
	if p.stream && bound == nil {
		return nil, nil, p.notInView("window function %s() without a bound in the enclosing query (SELECT … FROM (SELECT …, %[1]s() OVER (…) AS r FROM …) s WHERE r <= n)", calls[0].kind)
	}
	// The PARTITION BY and ORDER BY expressions of every call, in turn.
	wb := &binder{p: p, sc: r.sc, grouped: b.grouped, what: "window definitions"}
	var keys []vector.Expr
	for _, c := range calls {
		if len(c.call.Exprs) > 0 {
			return nil, nil, b.noSuchFunction(c.call)
		}
		exprs := slices.Clone(c.window.Partitions)
		for _, o := range c.window.OrderBy {
			if o.OrderType != tree.OrderByColumn {
				return nil, nil, unsupported("ORDER BY INDEX")
			}
			exprs = append(exprs, o.Expr)
		}
		for _, e := range exprs {
			x, err := wb.bind(e)
			if err != nil {
				return nil, nil, err
			}
			if x, err = resolveUnknown(x); err != nil {
				return nil, nil, err
			}
			keys = append(keys, x)
		}
	}
	in, cols := p.withKeys(r, keys)
	op := in.op
	sc := &scope{cols: slices.Clone(in.sc.cols), outer: in.sc.outer}
	out := *b
	out.sc, out.windows = sc, map[string]int{}
	for _, c := range calls {
		partition := cols[:len(c.window.Partitions)]
		order := make([]operators.SortKey, len(c.window.OrderBy))
		for k, o := range c.window.OrderBy {
			order[k] = sortKey(cols[len(partition)+k], o)
		}
		cols = cols[len(partition)+len(order):]
		if p.stream {
			op = p.topNNode(op.(*operators.Node), in.sc, partition, order, bound.limit, c.kind)
		} else {
			op = operators.NewRankWindow(op, partition, order, c.kind)
		}
		for _, t := range c.texts {
			out.windows[t] = len(sc.cols)
		}
		sc.cols = append(sc.cols, column{name: c.kind.String(), typ: vector.Int8, hidden: true})
	}
	return &rel{op: op, sc: sc}, &out, nil
}

// noSuchFunction refuses a ranking function called with arguments.
func (b *binder) noSuchFunction(call *tree.FuncExpr) error {
	args, err := b.bindAll(call.Exprs)
	if err != nil {
		return err
	}
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.Type().Name()
	}
	return vector.Errorf(vector.CodeUndefinedFunction, "function %s(%s) does not exist", funcName(call), strings.Join(names, ", "))
}

// window binds a window call to the column computing it (see windows); a
// call in a clause that computes none (b.what) is refused. (A select list
// computes its window calls, and windowCalls refuses those in HAVING.)
func (b *binder) window(e *tree.FuncExpr) (vector.Expr, error) {
	if i, ok := b.windows[exprText(e)]; ok {
		return vector.NewColumnRef(i, b.sc.cols[i].typ, b.sc.cols[i].name), nil
	}
	if b.what == "aggregate function calls" {
		return nil, vector.Errorf(vector.CodeGroupingError, "aggregate function calls cannot contain window function calls")
	}
	return nil, vector.Errorf(vector.CodeWindowingError, "window functions are not allowed in %s", b.what)
}

// sortKey is the sort key on column col that o asks for: NULLs sort after
// all values ascending and before them descending unless o says otherwise.
func sortKey(col int, o *tree.Order) operators.SortKey {
	k := operators.SortKey{Col: col, Desc: o.Direction == tree.Descending}
	k.NullsFirst = o.NullsOrder == tree.NullsFirst || o.NullsOrder == tree.DefaultNullsOrder && k.Desc
	return k
}

// withWindowTerms is order with the PARTITION BY and ORDER BY expressions
// of calls appended: where to look for aggregate calls (see
// aggregateCalls), as the grouping computes those in window definitions
// too.
func withWindowTerms(order tree.OrderBy, calls []*windowCall) tree.OrderBy {
	out := slices.Clip(order)
	for _, c := range calls {
		for _, e := range c.window.Partitions {
			out = append(out, &tree.Order{OrderType: tree.OrderByColumn, Expr: e})
		}
		out = append(out, c.window.OrderBy...)
	}
	return out
}

// fromWhereRanked is fromWhere that, in stream mode, recognises the
// top-N-per-group pattern: FROM a single subquery whose select list has a
// bare window call, its column r, and WHERE terms bounding r from above,
// r <= n, r < n or r = n (either way round, n an integer). The subquery is
// planned to keep only the rows ranked up to the least such bound (which
// implies the terms r <= n and r < n); the other terms filter its rows as
// usual.
func (p *Planner) fromWhereRanked(f tree.From, where []tree.Expr, outer *scope) (*rel, []tree.Expr, error) {
	if !p.stream {
		return p.fromWhere(f, where, outer)
	}
	t, sel, name := rankedSubquery(f)
	if t == nil {
		return p.fromWhere(f, where, outer)
	}
	alias := string(t.As.Alias)
	bound, rest := upperBounds(where, func(e tree.Expr) bool {
		n, ok := e.(*tree.UnresolvedName)
		return ok && !n.Star && (n.NumParts == 1 || n.NumParts == 2 && n.Parts[1] == alias) && n.Parts[0] == name
	})
	if bound == nil {
		return p.fromWhere(f, where, outer)
	}
	r, err := p.selectClause(sel.Select.(*tree.SelectClause), sel.OrderBy, nil, outer, bound)
	if err != nil {
		return nil, nil, err
	}
	if r, err = p.alias(p.visibleOnly(r), t.As); err != nil {
		return nil, nil, err
	}
	// The name must stand for the rank alone (not also for a column *
	// stands for).
	if _, err := r.sc.resolve("", name); err != nil {
		return nil, nil, err
	}
	if r, rest, err = p.pushFilters(r, rest); err != nil {
		return nil, nil, err
	}
	return p.semiJoins(r, rest)
}

// rankedSubquery recognises a FROM of one aliased subquery without WITH,
// LIMIT, OFFSET or DISTINCT ON, whose select list has a bare window call.
// It returns the FROM item, the subquery, and the name of the first such
// call's column.
func rankedSubquery(f tree.From) (*tree.AliasedTableExpr, *tree.Select, string) {
	if len(f.Tables) != 1 || f.AsOf.Expr != nil {
		return nil, nil, ""
	}
	t, ok := f.Tables[0].(*tree.AliasedTableExpr)
	if !ok || t.Lateral || t.Ordinality {
		return nil, nil, ""
	}
	sub, ok := t.Expr.(*tree.Subquery)
	if !ok {
		return nil, nil, ""
	}
	paren, ok := sub.Select.(*tree.ParenSelect)
	if !ok {
		return nil, nil, ""
	}
	sel := paren.Select
	body, ok := sel.Select.(*tree.SelectClause)
	if !ok || sel.With != nil || sel.Limit != nil || len(sel.Locking) > 0 || body.DistinctOn != nil {
		return nil, nil, ""
	}
	star := false
	for i, item := range body.Exprs {
		if n, ok := item.Expr.(*tree.UnresolvedName); ok && n.Star {
			star = true
		}
		if _, ok := item.Expr.(tree.UnqualifiedStar); ok {
			star = true
		}
		call, ok := item.Expr.(*tree.FuncExpr)
		if !ok || call.WindowDef == nil {
			continue
		}
		name := string(item.As)
		if name == "" {
			name = columnName(call)
		}
		if len(t.As.Cols) > 0 {
			if star {
				return nil, nil, "" // its position among the columns is not known yet
			}
			if i < len(t.As.Cols) {
				name = string(t.As.Cols[i].Name)
			}
		}
		return t, sel, name
	}
	return nil, nil, ""
}

// flipped is the comparison with its operands swapped.
var flipped = map[treecmp.ComparisonOperatorSymbol]treecmp.ComparisonOperatorSymbol{
	treecmp.LT: treecmp.GT, treecmp.LE: treecmp.GE, treecmp.GT: treecmp.LT, treecmp.GE: treecmp.LE, treecmp.EQ: treecmp.EQ,
}

// upperBounds finds the terms of where that bound a column (isCol) from
// above by an integer: c <= n, c < n and c = n, either way round. It
// returns the least bound (nil when there is none), and the other terms
// with c = n, which the bound does not imply.
func upperBounds(where []tree.Expr, isCol func(tree.Expr) bool) (*rankBound, []tree.Expr) {
	var bound *rankBound
	var rest []tree.Expr
	for _, w := range where {
		n, implied, ok := upperBound(w, isCol)
		if !ok {
			rest = append(rest, w)
			continue
		}
		if bound == nil || n < bound.limit {
			bound = &rankBound{limit: max(n, 0)}
		}
		if !implied {
			rest = append(rest, w)
		}
	}
	return bound, rest
}

// upperBound recognises a term bounding a column from above by an integer,
// and reports whether the term says no more than that.
func upperBound(w tree.Expr, isCol func(tree.Expr) bool) (n int64, implied, ok bool) {
	for {
		p, isParen := w.(*tree.ParenExpr)
		if !isParen {
			break
		}
		w = p.Expr
	}
	c, ok := w.(*tree.ComparisonExpr)
	if !ok {
		return 0, false, false
	}
	col, val, op := c.Left, c.Right, c.Operator.Symbol
	if !isCol(col) {
		if op, ok = flipped[op]; !ok {
			return 0, false, false
		}
		col, val = val, col
	}
	num, ok := val.(*tree.NumVal)
	if !ok || !isCol(col) {
		return 0, false, false
	}
	if n, err := num.AsInt64(); err == nil {
		switch op {
		case treecmp.LE:
			return n, true, true
		case treecmp.LT:
			return n - 1, true, true
		case treecmp.EQ:
			return n, false, true
		}
	}
	return 0, false, false
}
