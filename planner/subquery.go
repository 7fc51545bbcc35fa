package planner

import (
	"context"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// A subquery used as an expression is planned when the enclosing query is;
// it runs when the expression is first evaluated. An uncorrelated subquery
// runs once. A correlated one runs once per distinct combination of the
// outer values it references (memoized), each run planned afresh with those
// values as constants.

// subqueryKind is what a subquery expression computes.
type subqueryKind uint8

const (
	subScalar  subqueryKind = iota // (SELECT x …): its single value, or NULL
	subExists                      // EXISTS (SELECT …)
	subCompare                     // x op ANY|ALL (SELECT …), x [NOT] IN (SELECT …)
	subArray                       // ARRAY(SELECT …): its values as an array
)

// correlation holds the outer columns a subquery references. Each outer
// column gets a slot; during a run, values holds the current outer row's
// values of the slots.
type correlation struct {
	outer  *scope
	cols   []int // outer column of each slot
	values []vector.Datum
}

func (c *correlation) slot(col int) int {
	for i, oc := range c.cols {
		if oc == col {
			return i
		}
	}
	c.cols = append(c.cols, col)
	return len(c.cols) - 1
}

// outerRef reads a slot of a correlation: a column of the enclosing
// query's current row, constant within one run of the subquery.
type outerRef struct {
	corr *correlation
	slot int
	typ  vector.Type
	name string
}

func (o *outerRef) Type() vector.Type { return o.typ }
func (o *outerRef) String() string    { return o.name }
func (o *outerRef) Eval(_ *vector.EvalContext, b *vector.Batch) (arrow.Array, error) {
	return vector.ConstArray(o.typ, o.corr.values[o.slot], b.Len), nil
}

// subqueryExpr evaluates a subquery as an expression.
type subqueryExpr struct {
	kind subqueryKind
	typ  vector.Type // of the result
	col  vector.Type // of the subquery's column (subScalar, subCompare)
	text string
	// compare builds the test of subCompare: the left value against the
	// subquery's values (a list of constants of type col).
	compare func(left vector.Expr, list []vector.Expr) (vector.Expr, error)
	left    vector.Expr
	// plan makes a fresh plan of the subquery for the current outer values.
	plan func() (operators.Operator, error)
	corr *correlation // nil when uncorrelated

	mu    sync.Mutex
	memo  map[string]any // outer values → rows ([]vector.Datum) or error
	rows0 []vector.Datum // the rows of an uncorrelated subquery, once run
	done0 bool
}

func (s *subqueryExpr) Type() vector.Type { return s.typ }
func (s *subqueryExpr) String() string    { return s.text }

func (s *subqueryExpr) Eval(ctx *vector.EvalContext, b *vector.Batch) (arrow.Array, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.corr == nil {
		if !s.done0 {
			rows, err := s.run()
			if err != nil {
				return nil, err
			}
			s.rows0, s.done0 = rows, true
		}
		if s.kind == subCompare {
			x, err := s.compare(s.left, constList(s.rows0, s.col))
			if err != nil {
				return nil, err
			}
			return x.Eval(ctx, b)
		}
		d, err := s.result(ctx, s.rows0, nil)
		if err != nil {
			return nil, err
		}
		return vector.ConstArray(s.typ, d, b.Len), nil
	}
	var left arrow.Array
	if s.kind == subCompare {
		var err error
		if left, err = s.left.Eval(ctx, b); err != nil {
			return nil, err
		}
	}
	out := vector.NewBuilder(s.typ, b.Len)
	for i := 0; i < b.Len; i++ {
		rows, err := s.rowsFor(b, i)
		if err != nil {
			return nil, err
		}
		var l vector.Datum
		if left != nil {
			l = vector.ValueAt(left, s.left.Type(), i)
		}
		d, err := s.result(ctx, rows, l)
		if err != nil {
			return nil, err
		}
		out.Append(d)
	}
	return out.Finish(), nil
}

// rowsFor runs (or recalls) the subquery for outer row i of b.
func (s *subqueryExpr) rowsFor(b *vector.Batch, i int) ([]vector.Datum, error) {
	var key strings.Builder
	for k, c := range s.corr.cols {
		t := s.corr.outer.cols[c].typ
		d := vector.ValueAt(b.Cols[c], t, i)
		s.corr.values[k] = d
		if d == nil {
			key.WriteString("\x01")
		} else {
			key.WriteString(vector.FormatDatum(d, t, nil))
		}
		key.WriteByte(0)
	}
	if m, ok := s.memo[key.String()]; ok {
		if err, isErr := m.(error); isErr {
			return nil, err
		}
		return m.([]vector.Datum), nil
	}
	rows, err := s.run()
	if err != nil {
		s.memo[key.String()] = err
		return nil, err
	}
	s.memo[key.String()] = rows
	return rows, nil
}

// run plans and runs the subquery, returning the values of its first
// column (for EXISTS, at most one row is read).
func (s *subqueryExpr) run() ([]vector.Datum, error) {
	op, err := s.plan()
	if err != nil {
		return nil, err
	}
	st := operators.Open(context.Background(), op)
	defer st.Close()
	var rows []vector.Datum
	for {
		b, err := st.Next()
		if err != nil || b == nil {
			return rows, err
		}
		for i := 0; i < b.Len; i++ {
			if s.kind == subExists {
				return []vector.Datum{true}, nil
			}
			rows = append(rows, vector.ValueAt(b.Cols[0], s.col, i))
			if s.kind == subScalar && len(rows) > 1 {
				return nil, vector.Errorf(vector.CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
			}
		}
	}
}

// result is the expression's value given the subquery's rows (and, for
// comparisons, the left value).
func (s *subqueryExpr) result(ctx *vector.EvalContext, rows []vector.Datum, left vector.Datum) (vector.Datum, error) {
	switch s.kind {
	case subExists:
		return len(rows) > 0, nil
	case subScalar:
		if len(rows) == 0 {
			return nil, nil
		}
		return rows[0], nil
	case subArray:
		return vector.NewArrayValue(s.col, rows), nil
	}
	x, err := s.compare(vector.NewConst(left, s.left.Type()), constList(rows, s.col))
	if err != nil {
		return nil, err
	}
	arr, err := x.Eval(ctx, &vector.Batch{Len: 1})
	if err != nil {
		return nil, err
	}
	return vector.ValueAt(arr, vector.Bool, 0), nil
}

// constList turns values into constant expressions, without repeats.
func constList(rows []vector.Datum, t vector.Type) []vector.Expr {
	list := make([]vector.Expr, 0, len(rows))
	seen := map[any]bool{}
	for _, d := range rows {
		if k := datumKey(d); k != nil {
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		list = append(list, vector.NewConst(d, t))
	}
	return list
}

// datumKey is a comparable key for de-duplicating value lists, or nil when
// the value is not comparable as a Go map key.
func datumKey(d vector.Datum) any {
	switch d.(type) {
	case []byte, vector.NumericValue:
		return nil
	}
	return d
}

// subPlan plans a subquery whose outer scope is the binder's. References
// to the outer query's columns become outer references of a correlation.
func (b *binder) subPlan(e *tree.Subquery, kind subqueryKind) (*subqueryExpr, *rel, error) {
	sel, ok := e.Select.(*tree.ParenSelect)
	if !ok {
		return nil, nil, unsupported("subquery %s", tree.AsString(e))
	}
	if err := b.p.notInView("a subquery in an expression (only [NOT] EXISTS and IN in WHERE, as joins)"); err != nil {
		return nil, nil, err
	}
	corr := &correlation{outer: b.sc}
	sub := *b.p
	sub.corr = corr
	r, err := sub.selectStmt(sel.Select, b.sc)
	if err != nil {
		return nil, nil, err
	}
	r = sub.visibleOnly(r)
	s := &subqueryExpr{kind: kind, text: tree.AsString(e), memo: map[string]any{}}
	if len(corr.cols) > 0 {
		s.corr = corr
		corr.values = make([]vector.Datum, len(corr.cols))
	}
	first := true
	s.plan = func() (operators.Operator, error) {
		if first {
			first = false
			return r.op, nil
		}
		again := sub
		again.prune = nil // planned alone, over all its columns
		r, err := again.selectStmt(sel.Select, b.sc)
		if err != nil {
			return nil, err
		}
		return again.visibleOnly(r).op, nil
	}
	switch {
	case kind == subScalar && len(r.sc.cols) != 1:
		return nil, nil, vector.Errorf(vector.CodeSyntaxError, "subquery must return only one column")
	case kind == subCompare && len(r.sc.cols) > 1:
		return nil, nil, vector.Errorf(vector.CodeSyntaxError, "subquery has too many columns")
	case kind == subCompare && len(r.sc.cols) == 0:
		return nil, nil, vector.Errorf(vector.CodeSyntaxError, "subquery has too few columns")
	}
	if kind != subExists {
		s.col = r.sc.cols[0].typ
	}
	return s, r, nil
}

func (b *binder) subquery(e *tree.Subquery) (vector.Expr, error) {
	kind := subScalar
	if e.Exists {
		kind = subExists
	}
	s, _, err := b.subPlan(e, kind)
	if err != nil {
		return nil, err
	}
	s.typ = s.col
	if kind == subExists {
		s.typ = vector.Bool
	}
	return s, nil
}

// compareSubquery plans `left op ANY|ALL (subquery)`; IN is = ANY and
// NOT IN is <> ALL.
func (b *binder) compareSubquery(left vector.Expr, e *tree.Subquery, op string, all bool) (vector.Expr, error) {
	s, _, err := b.subPlan(e, subCompare)
	if err != nil {
		return nil, err
	}
	t, err := vector.CommonType([]vector.Type{left.Type(), s.col})
	if err != nil {
		return nil, vector.Errorf(vector.CodeUndefinedFunction, "operator does not exist: %s %s %s", left.Type().Name(), op, s.col.Name())
	}
	if s.left, err = vector.Coerce(left, t); err != nil {
		return nil, err
	}
	col := s.col
	s.typ = vector.Bool
	s.compare = func(l vector.Expr, list []vector.Expr) (vector.Expr, error) {
		for i, x := range list {
			c, err := vector.Coerce(x, t)
			if err != nil {
				return nil, err
			}
			list[i] = c
		}
		switch {
		case len(list) == 0:
			return vector.NewConst(all, vector.Bool), nil
		case op == "=" && !all:
			return vector.NewIn(l, list, false)
		case op == "<>" && all:
			return vector.NewIn(l, list, true)
		}
		terms := make([]vector.Expr, len(list))
		for i, x := range list {
			c, err := vector.NewBinary(op, l, x)
			if err != nil {
				return nil, err
			}
			terms[i] = c
		}
		if all {
			return vector.NewAnd(terms...)
		}
		return vector.NewOr(terms...)
	}
	// Fail now, not at evaluation, when the operator does not apply.
	if _, err := s.compare(s.left, []vector.Expr{vector.NewConst(nil, col)}); err != nil {
		return nil, err
	}
	return s, nil
}

// semiJoins turns the WHERE terms that are correlated EXISTS, NOT EXISTS or
// IN subqueries into semi and anti joins with r. Uncorrelated subqueries
// are left to be evaluated once as expressions.
func (p *Planner) semiJoins(r *rel, where []tree.Expr) (*rel, []tree.Expr, error) {
	var rest []tree.Expr
	for _, w := range where {
		sub, left, anti := semiJoinTerm(w)
		if sub == nil {
			rest = append(rest, w)
			continue
		}
		j, ok, err := p.semiJoin(r, sub, left, anti)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			rest = append(rest, w)
			continue
		}
		r = j
	}
	return r, rest, nil
}

// semiJoinTerm recognises EXISTS (…), NOT EXISTS (…), x IN (SELECT …) and
// x NOT IN (SELECT …) (anti with left set: not an anti join when NULLs
// are about; see semiJoin).
func semiJoinTerm(w tree.Expr) (sub *tree.Subquery, left tree.Expr, anti bool) {
	switch e := w.(type) {
	case *tree.ParenExpr:
		return semiJoinTerm(e.Expr)
	case *tree.Subquery:
		if e.Exists {
			return e, nil, false
		}
	case *tree.NotExpr:
		if s, ok := e.Expr.(*tree.Subquery); ok && s.Exists {
			return s, nil, true
		}
	case *tree.ComparisonExpr:
		if s, ok := e.Right.(*tree.Subquery); ok && (e.Operator.Symbol == treecmp.In || e.Operator.Symbol == treecmp.NotIn) {
			return s, e.Left, e.Operator.Symbol == treecmp.NotIn
		}
	}
	return nil, nil, false
}

// semiJoin decorrelates one subquery term: the subquery's WHERE terms that
// equate an inner and an outer expression become join keys. It reports
// false when the subquery is not correlated that way (it is then evaluated
// as an expression).
func (p *Planner) semiJoin(r *rel, sub *tree.Subquery, left tree.Expr, anti bool) (*rel, bool, error) {
	if anti && left != nil {
		// NOT IN is false or NULL, not true, when the subquery has a NULL:
		// an anti join would keep those rows.
		return nil, false, p.notInView("NOT IN (subquery) (its NULL semantics; write NOT EXISTS)")
	}
	ps, ok := sub.Select.(*tree.ParenSelect)
	if !ok {
		return nil, false, nil
	}
	sc, ok := ps.Select.Select.(*tree.SelectClause)
	if !ok || ps.Select.With != nil || ps.Select.Limit != nil || sc.Distinct || len(sc.GroupBy) > 0 || sc.Having != nil || needsGrouping(sc, nil) {
		return nil, false, nil
	}
	var terms []tree.Expr
	if sc.Where != nil {
		terms = splitAnd(sc.Where.Expr)
	}
	inner, terms, err := p.fromWhere(sc.From, terms, r.sc)
	if err != nil {
		return nil, false, err
	}
	var keys [][2]tree.Expr
	var local []tree.Expr
	for _, t := range terms {
		if p.bindsIn(t, inner.sc) {
			local = append(local, t)
			continue
		}
		if o, i, ok := p.equiTerm(t, r.sc, inner.sc); ok {
			keys = append(keys, [2]tree.Expr{o, i})
			continue
		}
		// Another kind of correlation: evaluated per outer row instead.
		return nil, false, nil
	}
	if len(keys) == 0 && !(p.stream && left != nil) {
		return nil, false, nil
	}
	if left != nil {
		if len(sc.Exprs) != 1 {
			return nil, false, vector.Errorf(vector.CodeSyntaxError, "subquery has too many columns")
		}
		keys = append(keys, [2]tree.Expr{left, sc.Exprs[0].Expr})
	}
	if len(local) > 0 {
		b := &binder{p: p, sc: inner.sc, what: "WHERE"}
		pred, err := b.bind(andAll(local))
		if err != nil {
			return nil, false, err
		}
		if inner, err = p.filter(inner, pred, "WHERE"); err != nil {
			return nil, false, err
		}
	}
	typ := operators.SemiJoin
	if anti {
		typ = operators.AntiJoin
	}
	j, err := p.buildJoin(r, inner, typ, keys, nil)
	return j, err == nil, err
}
