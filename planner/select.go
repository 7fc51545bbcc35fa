package planner

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// Query plans a SELECT (or VALUES, or a set operation) as a bounded query;
// its reg* columns come out as the names of their objects (see
// regNamesAsText). It reads only the columns of sources it uses (see
// prune.go).
func (p *Planner) Query(s *tree.Select) (*Query, error) {
	return pruned(p, func() (*Query, error) { return p.query(s) })
}

// query plans Query once.
func (p *Planner) query(s *tree.Select) (*Query, error) {
	r, err := p.selectStmt(s, nil)
	if err != nil {
		return nil, err
	}
	if r, err = p.regNamesAsText(p.visibleOnly(r)); err != nil {
		return nil, err
	}
	return &Query{Columns: r.columns(), Root: r.op}, nil
}

// selectStmt plans any query expression; outer is the scope of an enclosing
// query (for subqueries) or nil.
func (p *Planner) selectStmt(s *tree.Select, outer *scope) (*rel, error) {
	if s.With != nil {
		if s.With.Recursive {
			return nil, unsupported("WITH RECURSIVE")
		}
		defer p.pushCTEs(s.With)()
	}
	if s.Locking != nil && len(s.Locking) > 0 {
		return nil, unsupported("SELECT … FOR UPDATE/SHARE")
	}
	if body, ok := s.Select.(*tree.SelectClause); ok {
		return p.selectClause(body, s.OrderBy, s.Limit, outer, nil)
	}
	r, err := p.selectBody(s.Select, outer)
	if err != nil {
		return nil, err
	}
	return p.orderAndLimit(outputOnly(r), s.OrderBy, s.Limit, nil)
}

// selectBody plans the parts of a query expression that are not a plain
// SELECT clause.
func (p *Planner) selectBody(s tree.SelectStatement, outer *scope) (*rel, error) {
	switch s := s.(type) {
	case *tree.SelectClause:
		return p.selectClause(s, nil, nil, outer, nil)
	case *tree.ParenSelect:
		return p.selectStmt(s.Select, outer)
	case *tree.UnionClause:
		return p.setOp(s, outer)
	case *tree.ValuesClause:
		return p.values(s, outer)
	}
	return nil, unsupported("%T", s)
}

// selectClause plans SELECT … FROM … WHERE … GROUP BY … HAVING, its window
// calls, and its ORDER BY and LIMIT. bound, when not nil, is what the
// enclosing query keeps of the rank the select list computes (see
// fromWhereRanked).
func (p *Planner) selectClause(sc *tree.SelectClause, order tree.OrderBy, limit *tree.Limit, outer *scope, bound *rankBound) (*rel, error) {
	calls, err := windowCalls(sc, order)
	if err != nil {
		return nil, err
	}
	keepUnknown := p.keepUnknown
	p.keepUnknown = false
	var where []tree.Expr
	if sc.Where != nil {
		where = splitAnd(sc.Where.Expr)
	}
	r, where, err := p.fromWhereRanked(sc.From, where, outer)
	if err != nil {
		return nil, err
	}
	if len(where) > 0 {
		b := &binder{p: p, sc: r.sc, what: "WHERE"}
		pred, err := b.bind(andAll(where))
		if err != nil {
			return nil, err
		}
		if r, err = p.filter(r, pred, "WHERE"); err != nil {
			return nil, err
		}
	}
	b := &binder{p: p, sc: r.sc}
	if aggOrder := withWindowTerms(order, calls); needsGrouping(sc, aggOrder) {
		var g *grouping
		if r, g, err = p.aggregate(r, sc, aggOrder); err != nil {
			return nil, err
		}
		b = &binder{p: p, sc: r.sc, grouped: g}
		if sc.Having != nil {
			hb := *b
			pred, err := hb.bind(sc.Having.Expr)
			if err != nil {
				return nil, err
			}
			if r, err = p.filter(r, pred, "HAVING"); err != nil {
				return nil, err
			}
		}
	}
	if r, b, err = p.windows(r, b, calls, bound); err != nil {
		return nil, err
	}
	if r, b, err = p.setReturning(r, b, sc.Exprs); err != nil {
		return nil, err
	}
	out, err := p.selectList(r, b, sc.Exprs, keepUnknown)
	if err != nil {
		return nil, err
	}
	if sc.DistinctOn != nil {
		return p.distinctOn(out, b, sc.DistinctOn, order, limit)
	}
	if sc.Distinct {
		return p.distinctOrdered(out, b, order, limit)
	}
	return p.orderAndLimit(out, order, limit, b)
}

// filter keeps the rows of r where pred is true.
func (p *Planner) filter(r *rel, pred vector.Expr, clause string) (*rel, error) {
	b, err := boolean(pred, clause)
	if err != nil {
		return nil, err
	}
	if p.stream {
		return &rel{op: operators.NewFilterNode(node(r), b, p.ectx), sc: r.sc}, nil
	}
	return &rel{op: operators.NewFilter(r.op, b, p.ectx), sc: r.sc}, nil
}

// boolean checks that a condition of the given clause is boolean (an
// unknown literal or parameter becomes one).
func boolean(x vector.Expr, clause string) (vector.Expr, error) {
	b, err := vector.Coerce(x, vector.Bool)
	if err != nil {
		return nil, vector.Errorf(vector.CodeDatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, x.Type().Name())
	}
	return b, nil
}

// selected is a projected select list: the projection's expressions, with
// the AST each came from so ORDER BY can refer to them.
type selected struct {
	*rel
	exprs []vector.Expr
	asts  []tree.Expr
	input *rel
}

// selectList projects the select list over r, expanding *. A bare literal
// gets type text unless keepUnknown is set.
func (p *Planner) selectList(r *rel, b *binder, items tree.SelectExprs, keepUnknown bool) (*selected, error) {
	s := &selected{input: r}
	var cols []column
	for _, item := range items {
		if n, ok := item.Expr.(*tree.UnresolvedName); ok && n.Star {
			if err := p.expandStar(r, b, n, s, &cols); err != nil {
				return nil, err
			}
			continue
		}
		if _, ok := item.Expr.(tree.UnqualifiedStar); ok {
			if err := p.expandStar(r, b, nil, s, &cols); err != nil {
				return nil, err
			}
			continue
		}
		if g := b.grouped; g != nil && g.window != "" && exprText(item.Expr) == g.window {
			// A window value: its start and end.
			first := g.byText[g.window]
			for k := first; k < first+2; k++ {
				c := r.sc.cols[k]
				if item.As != "" {
					c.name = string(item.As)
				}
				s.exprs = append(s.exprs, vector.NewColumnRef(k, c.typ, c.name))
				s.asts = append(s.asts, item.Expr)
				cols = append(cols, c)
			}
			continue
		}
		x, err := b.bind(item.Expr)
		if err != nil {
			return nil, err
		}
		if !keepUnknown {
			if x, err = resolveUnknown(x); err != nil {
				return nil, err
			}
		}
		c := column{name: string(item.As), typ: x.Type()}
		if c.name == "" {
			c.name = columnName(item.Expr)
		}
		if n, ok := item.Expr.(*tree.UnresolvedName); ok && b.grouped == nil {
			table, name := nameParts(n)
			if i, err := r.sc.resolve(table, name); err == nil {
				c.tableOID, c.attr = r.sc.cols[i].tableOID, r.sc.cols[i].attr
			}
		}
		s.exprs = append(s.exprs, x)
		s.asts = append(s.asts, item.Expr)
		cols = append(cols, c)
	}
	s.rel = p.project(r, s.exprs, cols)
	return s, nil
}

// expandStar adds the columns * (n nil) or t.* stands for.
func (p *Planner) expandStar(r *rel, b *binder, n *tree.UnresolvedName, s *selected, cols *[]column) error {
	table := ""
	if n != nil && n.NumParts > 1 {
		table = n.Parts[1]
		if !r.sc.hasTable(table) {
			return vector.Errorf(vector.CodeUndefinedTable, "missing FROM-clause entry for table %q", table)
		}
	}
	any := false
	for _, c := range b.sc.cols {
		if c.hidden || (table != "" && c.table != table) {
			continue
		}
		any = true
		ref := &tree.UnresolvedName{NumParts: 2, Parts: tree.NameParts{c.name, c.table}}
		if c.table == "" {
			ref = &tree.UnresolvedName{NumParts: 1, Parts: tree.NameParts{c.name}}
		}
		x, err := b.bind(ref)
		if err != nil {
			return err
		}
		s.exprs = append(s.exprs, x)
		s.asts = append(s.asts, ref)
		*cols = append(*cols, column{name: c.name, typ: c.typ, tableOID: c.tableOID, attr: c.attr})
	}
	if !any && table == "" && len(b.sc.cols) > 0 && b.grouped == nil {
		return vector.Errorf(vector.CodeSyntaxError, "SELECT * with no tables specified is not valid")
	}
	return nil
}

// resolveUnknown gives an expression still of unknown type (a bare string
// literal in a select list) the type text, as Postgres does.
func resolveUnknown(x vector.Expr) (vector.Expr, error) {
	if x.Type().Kind == vector.KindUnknown {
		return vector.Coerce(x, vector.Text)
	}
	return x, nil
}

// sortKeys binds ORDER BY items over the select list s: an ordinal or an
// output column name refers to that column; anything else is computed from
// the input and added as a hidden column.
func (p *Planner) sortKeys(s *selected, b *binder, order tree.OrderBy, hiddenOK bool) ([]operators.SortKey, error) {
	var keys []operators.SortKey
	for _, o := range order {
		if o.OrderType != tree.OrderByColumn {
			return nil, unsupported("ORDER BY INDEX")
		}
		col, err := p.sortColumn(s, b, o.Expr, hiddenOK)
		if err != nil {
			return nil, err
		}
		keys = append(keys, sortKey(col, o))
	}
	return keys, nil
}

func (p *Planner) sortColumn(s *selected, b *binder, e tree.Expr, hiddenOK bool) (int, error) {
	if n, ok := e.(*tree.NumVal); ok {
		i, err := n.AsInt64()
		if err != nil || i < 1 || int(i) > visibleCount(s.rel) {
			return 0, vector.Errorf(vector.CodeInvalidColumnReference, "ORDER BY position %s is not in select list", n.String())
		}
		return int(i) - 1, nil
	}
	if n, ok := e.(*tree.UnresolvedName); ok && n.NumParts == 1 && !n.Star {
		match := -1
		for i, c := range s.sc.cols {
			if !c.hidden && c.name == n.Parts[0] {
				if match >= 0 && tree.AsString(s.asts[match]) != tree.AsString(s.asts[i]) {
					return 0, vector.Errorf(vector.CodeAmbiguousColumn, "ORDER BY %q is ambiguous", n.Parts[0])
				}
				if match < 0 {
					match = i
				}
			}
		}
		if match >= 0 {
			return match, nil
		}
	}
	key := tree.AsString(e)
	for i, a := range s.asts {
		if a != nil && tree.AsString(a) == key {
			return i, nil
		}
	}
	if s.input == nil || b == nil {
		return 0, vector.Errorf(vector.CodeUndefinedColumn, "column %q does not exist", key)
	}
	if !hiddenOK {
		return 0, vector.Errorf(vector.CodeInvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
	}
	x, err := b.bind(e)
	if err != nil {
		return 0, err
	}
	s.exprs = append(s.exprs, x)
	s.asts = append(s.asts, e)
	cols := append(append([]column(nil), s.sc.cols...), column{name: columnName(e), typ: x.Type(), hidden: true})
	s.rel = p.project(s.input, s.exprs, cols)
	return len(cols) - 1, nil
}

// outputOnly wraps a relation whose ORDER BY may name only its output
// columns (the result of a set operation or VALUES).
func outputOnly(r *rel) *selected {
	return &selected{rel: r, asts: make([]tree.Expr, len(r.sc.cols))}
}

func visibleCount(r *rel) int {
	n := 0
	for _, c := range r.sc.cols {
		if !c.hidden {
			n++
		}
	}
	return n
}

// orderAndLimit applies ORDER BY, LIMIT and OFFSET. b binds ORDER BY
// expressions over the input of the select list (nil: output columns only).
func (p *Planner) orderAndLimit(s *selected, order tree.OrderBy, limit *tree.Limit, b *binder) (*rel, error) {
	keys, err := p.sortKeys(s, b, order, true)
	if err != nil {
		return nil, err
	}
	return p.sortLimit(s.rel, keys, limit)
}

// distinctOrdered applies SELECT DISTINCT, then ORDER BY and LIMIT.
func (p *Planner) distinctOrdered(s *selected, b *binder, order tree.OrderBy, limit *tree.Limit) (*rel, error) {
	keys, err := p.sortKeys(s, b, order, false)
	if err != nil {
		return nil, err
	}
	d := &rel{op: operators.NewDistinct(s.op), sc: s.sc}
	if p.stream {
		d.op = operators.NewDistinctNode(node(s.rel))
	}
	return p.sortLimit(d, keys, limit)
}

// distinctOn applies SELECT DISTINCT ON (exprs): the rows are sorted by
// ORDER BY (which must start with the DISTINCT ON expressions) and then by
// those expressions, and the first row of each group is kept.
func (p *Planner) distinctOn(s *selected, b *binder, on tree.DistinctOn, order tree.OrderBy, limit *tree.Limit) (*rel, error) {
	onCols := make([]int, len(on))
	isOn := map[int]bool{}
	for i, e := range on {
		c, err := p.sortColumn(s, b, e, true)
		if err != nil {
			return nil, err
		}
		onCols[i] = c
		isOn[c] = true
	}
	keys, err := p.sortKeys(s, b, order, true)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(keys) && i < len(onCols); i++ {
		if !isOn[keys[i].Col] {
			return nil, vector.Errorf(vector.CodeInvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
		}
	}
	sorted := map[int]bool{}
	for _, k := range keys {
		sorted[k.Col] = true
	}
	for _, c := range onCols {
		if !sorted[c] {
			keys = append(keys, operators.SortKey{Col: c})
		}
	}
	if p.stream {
		r := &rel{op: operators.NewTopNNode(node(s.rel), onCols, keys, 1, 0, operators.NoRank), sc: s.sc}
		return p.sortLimit(r, nil, limit)
	}
	r := &rel{op: operators.NewDistinctOn(operators.NewSort(s.op, keys), onCols), sc: s.sc}
	return p.sortLimit(r, nil, limit)
}

func (p *Planner) sortLimit(r *rel, keys []operators.SortKey, limit *tree.Limit) (*rel, error) {
	count, offset := int64(-1), int64(0)
	if limit != nil {
		var err error
		if limit.Count != nil {
			if count, err = p.limitValue(limit.Count, "LIMIT", -1); err != nil {
				return nil, err
			}
		}
		if limit.Offset != nil {
			if offset, err = p.limitValue(limit.Offset, "OFFSET", 0); err != nil {
				return nil, err
			}
		}
	}
	if p.stream {
		return p.streamLimit(r, keys, count, offset)
	}
	switch {
	case len(keys) > 0 && count >= 0:
		return &rel{op: operators.NewTopN(r.op, keys, count, offset), sc: r.sc}, nil
	case len(keys) > 0:
		r = &rel{op: operators.NewSort(r.op, keys), sc: r.sc}
	}
	if count >= 0 || offset > 0 {
		r = &rel{op: operators.NewLimit(r.op, count, offset), sc: r.sc}
	}
	return r, nil
}

// limitValue evaluates a LIMIT or OFFSET expression; NULL means none.
func (p *Planner) limitValue(e tree.Expr, what string, null int64) (int64, error) {
	d, err := p.constValue(e, vector.Int8)
	if err != nil {
		return 0, err
	}
	if d == nil {
		return null, nil
	}
	v := d.(int64)
	if v < 0 {
		if what == "LIMIT" {
			return 0, vector.Errorf(vector.CodeInvalidRowCountInLimit, "LIMIT must not be negative")
		}
		return 0, vector.Errorf(vector.CodeInvalidRowCountInOffset, "OFFSET must not be negative")
	}
	return v, nil
}

// constValue evaluates an expression that references no columns.
func (p *Planner) constValue(e tree.Expr, t vector.Type) (vector.Datum, error) {
	b := &binder{p: p, sc: &scope{}, what: "this context"}
	x, err := b.bind(e)
	if err != nil {
		return nil, err
	}
	if x, err = vector.NewAssignmentCast(x, t); err != nil {
		return nil, err
	}
	return p.evalOne(x)
}

// evalOne evaluates a column-free expression once.
func (p *Planner) evalOne(x vector.Expr) (vector.Datum, error) {
	if p.describe {
		return nil, nil
	}
	arr, err := x.Eval(p.ectx, &vector.Batch{Len: 1})
	if err != nil {
		return nil, err
	}
	return vector.ValueAt(arr, x.Type(), 0), nil
}

// splitAnd flattens a conjunction into its terms.
func splitAnd(e tree.Expr) []tree.Expr {
	switch x := e.(type) {
	case *tree.AndExpr:
		return append(splitAnd(x.Left), splitAnd(x.Right)...)
	case *tree.ParenExpr:
		if _, ok := x.Expr.(*tree.AndExpr); ok {
			return splitAnd(x.Expr)
		}
	}
	return []tree.Expr{e}
}

// andAll joins terms into one conjunction.
func andAll(es []tree.Expr) tree.Expr {
	e := es[0]
	for _, x := range es[1:] {
		e = &tree.AndExpr{Left: e, Right: x}
	}
	return e
}
