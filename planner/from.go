package planner

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// fromWhere plans the FROM clause together with the WHERE terms that belong
// inside it: terms over one FROM item filter that item before any join, and
// equalities between items become hash-join keys. It returns the terms left
// to apply on top.
func (p *Planner) fromWhere(f tree.From, where []tree.Expr, outer *scope) (*rel, []tree.Expr, error) {
	if f.AsOf.Expr != nil {
		return nil, nil, unsupported("AS OF SYSTEM TIME")
	}
	if len(f.Tables) == 0 {
		r, err := p.constant(&rel{op: operators.NewValues(nil, []*vector.Batch{{Len: 1}}), sc: &scope{outer: outer}}, "one row")
		if err != nil {
			return nil, nil, err
		}
		return r, where, nil
	}
	items := make([]*rel, len(f.Tables))
	for i, t := range f.Tables {
		var r *rel
		var err error
		if j, ok := t.(*tree.JoinTableExpr); ok && len(f.Tables) == 1 {
			r, where, err = p.joinWhere(j, outer, where)
		} else {
			r, err = p.tableExpr(t, outer)
		}
		if err != nil {
			return nil, nil, err
		}
		items[i] = r
	}
	var err error
	for i := range items {
		if items[i], where, err = p.pushFilters(items[i], where); err != nil {
			return nil, nil, err
		}
	}
	r := items[0]
	for _, next := range items[1:] {
		if r, where, err = p.joinTerms(r, next, where); err != nil {
			return nil, nil, err
		}
	}
	return p.semiJoins(r, where)
}

// pushFilters applies to r the terms that reference only r's columns.
func (p *Planner) pushFilters(r *rel, where []tree.Expr) (*rel, []tree.Expr, error) {
	var rest, mine []tree.Expr
	for _, w := range where {
		if p.bindsIn(w, r.sc) {
			mine = append(mine, w)
		} else {
			rest = append(rest, w)
		}
	}
	if len(mine) == 0 {
		return r, where, nil
	}
	b := &binder{p: p, sc: r.sc, what: "WHERE"}
	pred, err := b.bind(andAll(mine))
	if err != nil {
		return nil, nil, err
	}
	r, err = p.filter(r, pred, "WHERE")
	return r, rest, err
}

// bindsIn reports whether e references only columns of sc (and no
// subquery, which is left where it stands).
func (p *Planner) bindsIn(e tree.Expr, sc *scope) bool {
	ok := true
	tree.WalkExprConst(exprVisitor(func(x tree.Expr) bool {
		switch x := x.(type) {
		case *tree.Subquery:
			ok = false
		case *tree.UnresolvedName:
			if x.Star {
				ok = false
				break
			}
			table, name := nameParts(x)
			if _, err := sc.resolve(table, name); err != nil {
				ok = false
			}
		case *tree.FuncExpr:
			if isAggregateCall(x) {
				ok = false
			}
		}
		return ok
	}), e)
	return ok
}

// exprVisitor adapts a function to tree.Visitor for read-only walks: it is
// called before each node's children and says whether to descend.
type exprVisitor func(tree.Expr) bool

func (v exprVisitor) VisitPre(e tree.Expr) (bool, tree.Expr) { return v(e), e }
func (v exprVisitor) VisitPost(e tree.Expr) tree.Expr        { return e }

// joinTerms joins r and next as an inner join, using the WHERE terms that
// equate a column expression of each side as hash keys.
func (p *Planner) joinTerms(r, next *rel, where []tree.Expr) (*rel, []tree.Expr, error) {
	var keys [][2]tree.Expr
	var rest, inJoin []tree.Expr
	both := joinScope(r, next)
	for _, w := range where {
		if l, rr, ok := p.equiTerm(w, r.sc, next.sc); ok {
			keys = append(keys, [2]tree.Expr{l, rr})
		} else if p.stream && p.bindsIn(w, both) {
			// The join's own condition, where an interval join finds
			// its bounds.
			inJoin = append(inJoin, w)
		} else {
			rest = append(rest, w)
		}
	}
	var residual tree.Expr
	if len(inJoin) > 0 {
		residual = andAll(inJoin)
	}
	j, err := p.buildJoin(r, next, operators.InnerJoin, keys, residual)
	return j, rest, err
}

// equiTerm recognises `a = b` with a over left only and b over right only
// (in either order).
func (p *Planner) equiTerm(e tree.Expr, left, right *scope) (tree.Expr, tree.Expr, bool) {
	for {
		pe, ok := e.(*tree.ParenExpr)
		if !ok {
			break
		}
		e = pe.Expr
	}
	c, ok := e.(*tree.ComparisonExpr)
	if !ok || c.Operator.Symbol != treecmp.EQ {
		return nil, nil, false
	}
	switch {
	case p.bindsIn(c.Left, left) && p.bindsIn(c.Right, right):
		return c.Left, c.Right, true
	case p.bindsIn(c.Right, left) && p.bindsIn(c.Left, right):
		return c.Right, c.Left, true
	}
	return nil, nil, false
}

// buildJoin joins l and r on the key pairs (expressions over each side) and
// the residual condition over both; with no keys it is a nested-loop join.
func (p *Planner) buildJoin(l, r *rel, typ operators.JoinType, keys [][2]tree.Expr, residual tree.Expr) (*rel, error) {
	if len(keys) == 0 {
		both := joinScope(l, r)
		cond, err := p.joinCondition(both, residual)
		if err != nil {
			return nil, err
		}
		if p.stream && residual != nil {
			if tm, ok := p.intervalJoin(l.sc, r.sc, splitAnd(residual), typ == operators.InnerJoin); ok {
				return p.timeJoin(l, r, typ, nil, nil, cond, tm), nil
			}
		}
		if err := p.notInView("a join without an equality condition"); err != nil {
			return nil, err
		}
		return &rel{op: operators.NewNestedLoopJoin(l.op, r.op, typ, cond, p.ectx), sc: both}, nil
	}
	lx := make([]vector.Expr, len(keys))
	rx := make([]vector.Expr, len(keys))
	for i, k := range keys {
		var err error
		if lx[i], err = (&binder{p: p, sc: l.sc, what: "JOIN conditions"}).bind(k[0]); err != nil {
			return nil, err
		}
		if rx[i], err = (&binder{p: p, sc: r.sc, what: "JOIN conditions"}).bind(k[1]); err != nil {
			return nil, err
		}
		if lx[i], rx[i], err = commonPair(lx[i], rx[i]); err != nil {
			return nil, err
		}
	}
	l2, lk := p.withKeys(l, lx)
	r2, rk := p.withKeys(r, rx)
	both := joinScope(l2, r2)
	cond, err := p.joinCondition(both, residual)
	if err != nil {
		return nil, err
	}
	var op operators.Operator
	if p.stream {
		if typ != operators.SemiJoin && typ != operators.AntiJoin {
			if k, b := windowJoinKey(l2.sc, r2.sc, lk, rk); k >= 0 {
				return p.timeJoin(l2, r2, typ, lk, rk, cond, operators.JoinTime{WindowKey: k, WindowBound: b}), nil
			}
			if residual != nil {
				if tm, ok := p.intervalJoin(l2.sc, r2.sc, splitAnd(residual), typ == operators.InnerJoin); ok {
					return p.timeJoin(l2, r2, typ, lk, rk, cond, tm), nil
				}
			}
			both.cols = withoutBounds(both.cols)
		}
		op = operators.NewJoinNode(node(l2), node(r2), typ, lk, rk, cond, p.ectx)
	} else {
		op = operators.NewHashJoin(l2.op, r2.op, typ, lk, rk, cond, false, p.ectx)
	}
	if typ == operators.SemiJoin || typ == operators.AntiJoin {
		return &rel{op: op, sc: l2.sc}, nil
	}
	return &rel{op: op, sc: both}, nil
}

// timeJoin plans a join on event time (see timejoin.go): its output keeps
// the bounds of the window columns it joins, or of the interval-joined
// times.
func (p *Planner) timeJoin(l, r *rel, typ operators.JoinType, lk, rk []int, cond vector.Expr, tm operators.JoinTime) *rel {
	both := joinScope(l, r)
	both.cols = withoutBounds(both.cols)
	nl := len(l.sc.cols)
	if tm.Interval {
		both.cols[tm.LeftTime].bound, both.cols[nl+tm.RightTime].bound = intervalBounds(tm, l.sc, r.sc)
	} else {
		both.cols[lk[tm.WindowKey]].bound = tm.WindowBound
		both.cols[nl+rk[tm.WindowKey]].bound = tm.WindowBound
	}
	return &rel{op: operators.NewTimeJoinNode(node(l), node(r), typ, lk, rk, cond, p.ectx, tm), sc: both}
}

// joinScope is the scope of a join's output: the left columns, then the
// right.
func joinScope(l, r *rel) *scope {
	return &scope{cols: append(append([]column(nil), l.sc.cols...), r.sc.cols...), outer: l.sc.outer}
}

// joinCondition binds a join's residual condition (nil when there is none).
func (p *Planner) joinCondition(both *scope, residual tree.Expr) (vector.Expr, error) {
	if residual == nil {
		return nil, nil
	}
	x, err := (&binder{p: p, sc: both, what: "JOIN conditions"}).bind(residual)
	if err != nil {
		return nil, err
	}
	return boolean(x, "JOIN/ON")
}

// commonPair casts two join keys to their common type.
func commonPair(a, b vector.Expr) (vector.Expr, vector.Expr, error) {
	t, err := vector.CommonType([]vector.Type{a.Type(), b.Type()})
	if err != nil {
		return nil, nil, vector.Errorf(vector.CodeUndefinedFunction, "operator does not exist: %s = %s", a.Type().Name(), b.Type().Name())
	}
	if a, err = vector.Coerce(a, t); err != nil {
		return nil, nil, err
	}
	if b, err = vector.Coerce(b, t); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// withKeys makes each key expression a column of r: a plain column
// reference is used as it is; anything else is computed into a hidden column.
func (p *Planner) withKeys(r *rel, keys []vector.Expr) (*rel, []int) {
	idx := make([]int, len(keys))
	var extra []vector.Expr
	for i, k := range keys {
		if c, ok := vector.IsColumnRef(k); ok {
			idx[i] = c
			continue
		}
		idx[i] = len(r.sc.cols) + len(extra)
		extra = append(extra, k)
	}
	if len(extra) == 0 {
		return r, idx
	}
	exprs := make([]vector.Expr, 0, len(r.sc.cols)+len(extra))
	cols := append([]column(nil), r.sc.cols...)
	for i, c := range r.sc.cols {
		exprs = append(exprs, vector.NewColumnRef(i, c.typ, c.name))
	}
	for _, k := range extra {
		exprs = append(exprs, k)
		cols = append(cols, column{name: "?key?", typ: k.Type(), hidden: true})
	}
	return p.project(r, exprs, cols), idx
}

// tableExpr plans one FROM item.
func (p *Planner) tableExpr(t tree.TableExpr, outer *scope) (*rel, error) {
	switch t := t.(type) {
	case *tree.AliasedTableExpr:
		if t.Lateral {
			return nil, unsupported("LATERAL")
		}
		if r, ok, err := p.functionTable(t, outer); ok {
			return r, err
		}
		if t.Ordinality {
			return nil, unsupported("WITH ORDINALITY")
		}
		r, err := p.tableSource(t.Expr, t.As, outer)
		if err != nil {
			return nil, err
		}
		return p.alias(r, t.As)
	case *tree.ParenTableExpr:
		return p.tableExpr(t.Expr, outer)
	case *tree.JoinTableExpr:
		return p.join(t, outer)
	case *tree.TableName:
		return p.tableSource(t, tree.AliasClause{}, outer)
	}
	return nil, unsupported("FROM item %s", tree.AsString(t))
}

// tableSource plans a table, a subquery or a table function.
func (p *Planner) tableSource(t tree.TableExpr, as tree.AliasClause, outer *scope) (*rel, error) {
	switch t := t.(type) {
	case *tree.TableName:
		if t.ExplicitCatalog {
			return nil, unsupported("cross-database references")
		}
		if !t.ExplicitSchema {
			if r, ok, err := p.cte(string(t.ObjectName), outer); ok || err != nil {
				return r, err
			}
		}
		return p.scanTable(string(t.SchemaName), string(t.ObjectName), false, outer)
	case *tree.Subquery:
		sel, ok := t.Select.(*tree.ParenSelect)
		if !ok {
			return nil, unsupported("subquery %s", tree.AsString(t))
		}
		r, err := p.selectStmt(sel.Select, outer)
		if err != nil {
			return nil, err
		}
		return p.visibleOnly(r), nil
	case *tree.RowsFromExpr:
		if len(t.Items) != 1 {
			return nil, unsupported("ROWS FROM with several functions")
		}
		f, ok := t.Items[0].(*tree.FuncExpr)
		if !ok {
			return nil, unsupported("FROM item %s", tree.AsString(t))
		}
		return p.tableFunction(f, outer)
	case *tree.ParenTableExpr:
		return p.tableExpr(t.Expr, outer)
	}
	return nil, unsupported("FROM item %s", tree.AsString(t))
}

// scanTable plans a scan of a stored table, its columns qualified by the
// table's name; with rowIDs a hidden row id column comes last (a source,
// which is never written, has none).
func (p *Planner) scanTable(schema, name string, rowIDs bool, outer *scope) (*rel, error) {
	t, err := p.env.Table(schema, name)
	if err != nil {
		return nil, err
	}
	p.deps[t.ID] = true
	switch t.Kind {
	case catalog.KindView:
		return p.expandView(t)
	case catalog.KindSink:
		return nil, vector.Errorf(vector.CodeWrongObjectType, "cannot read from sink \"%s\"", t.Name)
	case catalog.KindPipeline:
		return nil, vector.Errorf(vector.CodeWrongObjectType, "\"%s\" is a pipeline, not a relation: read its target", t.Name)
	}
	cols := make([]column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = column{table: t.Name, name: c.Name, typ: c.Type, tableOID: t.ID, attr: int16(i + 1)}
	}
	if wm := t.Watermark; wm != nil {
		cols[wm.Column].bound = operators.Bound{Kind: operators.BoundTime}
	}
	if t.Kind == catalog.KindSource {
		return p.scanSource(t, cols, outer), nil
	}
	for _, h := range catalog.HiddenColumns(t) {
		cols = append(cols, column{table: t.Name, name: h.Name, typ: h.Type, hidden: true, byName: true})
	}
	if rowIDs {
		cols = append(cols, column{table: t.Name, name: "ctid", typ: vector.Int8, hidden: true})
	}
	sc := &scope{cols: cols, outer: outer}
	types := sc.types()
	if !p.stream {
		return &rel{op: operators.NewScan(types, p.env.Scan(t, rowIDs)), sc: sc}, nil
	}
	label := t.Schema + "." + t.Name
	if wm := t.Watermark; wm != nil {
		return &rel{op: operators.NewTimedSourceNode(label, types, t, p.eventTime(wm, wm.Column), false), sc: sc}, nil
	}
	n := operators.NewSourceNode(label, types, t)
	if t.Kind == catalog.KindMaterializedView {
		updates, bounds := p.viewStream(t)
		p.updating[n] = updates
		for i, b := range bounds {
			cols[i].bound = b
		}
	}
	return &rel{op: n, sc: sc}, nil
}

// alias renames a FROM item's table and columns.
func (p *Planner) alias(r *rel, as tree.AliasClause) (*rel, error) {
	if as.Alias == "" {
		return r, nil
	}
	cols := append([]column(nil), r.sc.cols...)
	visible := 0
	for i := range cols {
		cols[i].table = string(as.Alias)
		if cols[i].hidden {
			continue
		}
		if visible < len(as.Cols) {
			cols[i].name = string(as.Cols[visible].Name)
			cols[i].markUsed() // renamed by its position, which must hold
		}
		visible++
	}
	if len(as.Cols) > visible {
		return nil, vector.Errorf(vector.CodeInvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", as.Alias, visible, len(as.Cols))
	}
	return &rel{op: r.op, sc: &scope{cols: cols, outer: r.sc.outer}}, nil
}

// join plans an explicit JOIN.
func (p *Planner) join(j *tree.JoinTableExpr, outer *scope) (*rel, error) {
	r, _, err := p.joinWhere(j, outer, nil)
	return r, err
}

// joinWhere plans join j, offered the terms of the WHERE clause above it.
// In a continuous query, an inner join with ON takes those over both of
// its sides (for an inner join, WHERE and ON mean the same), so that a
// condition on event time there bounds the join's state as one in ON
// does (Nexmark q7's BETWEEN on a window's end), and filters each side by
// the terms over it alone before joining, so that it keeps only the rows
// that can be output (q3). It returns the terms it did not take.
func (p *Planner) joinWhere(j *tree.JoinTableExpr, outer *scope, where []tree.Expr) (*rel, []tree.Expr, error) {
	l, err := p.tableExpr(j.Left, outer)
	if err != nil {
		return nil, nil, err
	}
	r, err := p.tableExpr(j.Right, outer)
	if err != nil {
		return nil, nil, err
	}
	var typ operators.JoinType
	switch j.JoinType {
	case "", tree.AstInner, tree.AstCross:
		typ = operators.InnerJoin
	case tree.AstLeft:
		typ = operators.LeftJoin
	case tree.AstRight:
		typ = operators.RightJoin
	case tree.AstFull:
		typ = operators.FullJoin
	default:
		return nil, nil, unsupported("%s JOIN", j.JoinType)
	}
	switch cond := j.Cond.(type) {
	case nil:
		rel, err := p.buildJoin(l, r, typ, nil, nil)
		return rel, where, err
	case *tree.OnJoinCond:
		var keys [][2]tree.Expr
		var rest []tree.Expr
		terms := splitAnd(cond.Expr)
		if p.stream && typ == operators.InnerJoin {
			// A term over one side filters that side before the join,
			// which then keeps fewer rows.
			if l, where, err = p.pushFilters(l, where); err != nil {
				return nil, nil, err
			}
			if r, where, err = p.pushFilters(r, where); err != nil {
				return nil, nil, err
			}
			both, left := joinScope(l, r), where[:0:0]
			for _, w := range where {
				if p.bindsIn(w, both) && !p.bindsIn(w, l.sc) && !p.bindsIn(w, r.sc) {
					terms = append(terms, w)
				} else {
					left = append(left, w)
				}
			}
			where = left
		}
		for _, w := range terms {
			if a, b, ok := p.equiTerm(w, l.sc, r.sc); ok {
				keys = append(keys, [2]tree.Expr{a, b})
			} else {
				rest = append(rest, w)
			}
		}
		var residual tree.Expr
		if len(rest) > 0 {
			residual = andAll(rest)
		}
		rel, err := p.buildJoin(l, r, typ, keys, residual)
		return rel, where, err
	case *tree.UsingJoinCond:
		names := make([]string, len(cond.Cols))
		for i, c := range cond.Cols {
			names[i] = string(c)
		}
		rel, err := p.usingJoin(l, r, typ, names)
		return rel, where, err
	case tree.NaturalJoinCond:
		var names []string
		for _, c := range l.sc.cols {
			if c.hidden {
				continue
			}
			for _, rc := range r.sc.cols {
				if !rc.hidden && rc.name == c.name {
					names = append(names, c.name)
				}
			}
		}
		rel, err := p.usingJoin(l, r, typ, names)
		return rel, where, err
	}
	return nil, nil, unsupported("join condition %T", j.Cond)
}

// usingJoin plans JOIN … USING (names): the join columns appear once, first
// (from the left for inner and left joins, from the right for right joins,
// merged with COALESCE for full joins), then the other columns of each side.
func (p *Planner) usingJoin(l, r *rel, typ operators.JoinType, names []string) (*rel, error) {
	keys := make([][2]tree.Expr, len(names))
	for i, n := range names {
		if _, err := l.sc.resolve("", n); err != nil {
			return nil, vector.Errorf(vector.CodeUndefinedColumn, "column %q specified in USING clause does not exist in left table", n)
		}
		if _, err := r.sc.resolve("", n); err != nil {
			return nil, vector.Errorf(vector.CodeUndefinedColumn, "column %q specified in USING clause does not exist in right table", n)
		}
		ref := &tree.UnresolvedName{NumParts: 1, Parts: tree.NameParts{n}}
		keys[i] = [2]tree.Expr{ref, ref}
	}
	j, err := p.buildJoin(l, r, typ, keys, nil)
	if err != nil {
		return nil, err
	}
	nl := len(l.sc.cols)
	isKey := map[string]bool{}
	var exprs []vector.Expr
	var cols []column
	for _, n := range names {
		isKey[n] = true
		li, _ := l.sc.resolve("", n)
		ri, _ := r.sc.resolve("", n)
		lref := vector.NewColumnRef(li, j.sc.cols[li].typ, n)
		rref := vector.NewColumnRef(nl+ri, j.sc.cols[nl+ri].typ, n)
		var x vector.Expr = lref
		switch typ {
		case operators.RightJoin:
			x = rref
		case operators.FullJoin:
			if x, err = vector.NewCoalesce([]vector.Expr{lref, rref}); err != nil {
				return nil, err
			}
		}
		exprs = append(exprs, x)
		cols = append(cols, column{name: n, typ: x.Type()})
	}
	for i, c := range j.sc.cols {
		if isKey[c.name] {
			c.hidden, c.qualified = true, true // the merged column above stands for it
		}
		exprs = append(exprs, vector.NewColumnRef(i, c.typ, c.name))
		cols = append(cols, c)
	}
	return p.project(j, exprs, cols), nil
}
