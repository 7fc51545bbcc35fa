package planner

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// An uncorrelated subquery used as an expression runs once, the first time
// the expression is evaluated, and its result is then a constant.

// subqueryExpr is a scalar subquery, or EXISTS when exists is set.
type subqueryExpr struct {
	op     operators.Operator
	typ    vector.Type
	exists bool
	text   string

	once  sync.Once
	value vector.Datum
	err   error
}

func (s *subqueryExpr) Type() vector.Type { return s.typ }
func (s *subqueryExpr) String() string    { return s.text }

func (s *subqueryExpr) Eval(ctx *vector.EvalContext, b *vector.Batch) (arrow.Array, error) {
	s.once.Do(func() { s.value, s.err = s.run() })
	if s.err != nil {
		return nil, s.err
	}
	return vector.ConstArray(s.typ, s.value, b.Len), nil
}

func (s *subqueryExpr) run() (vector.Datum, error) {
	st := operators.Open(context.Background(), s.op)
	defer st.Close()
	var value vector.Datum
	rows := 0
	for {
		b, err := st.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		if b.Len == 0 {
			continue
		}
		if s.exists {
			return true, nil
		}
		if rows+b.Len > 1 {
			return nil, vector.Errorf(vector.CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
		}
		value = vector.ValueAt(b.Cols[0], s.typ, 0)
		rows += b.Len
	}
	if s.exists {
		return false, nil
	}
	return value, nil
}

// inSubqueryExpr is `x [NOT] IN (SELECT …)`: the subquery's values become
// the list of an IN expression, built on first evaluation.
type inSubqueryExpr struct {
	left vector.Expr
	op   operators.Operator
	typ  vector.Type
	not  bool
	text string

	once sync.Once
	in   vector.Expr
	err  error
}

func (s *inSubqueryExpr) Type() vector.Type { return vector.Bool }
func (s *inSubqueryExpr) String() string    { return s.text }

func (s *inSubqueryExpr) Eval(ctx *vector.EvalContext, b *vector.Batch) (arrow.Array, error) {
	s.once.Do(func() { s.in, s.err = s.build() })
	if s.err != nil {
		return nil, s.err
	}
	return s.in.Eval(ctx, b)
}

func (s *inSubqueryExpr) build() (vector.Expr, error) {
	st := operators.Open(context.Background(), s.op)
	defer st.Close()
	var list []vector.Expr
	seen := map[any]bool{}
	for {
		b, err := st.Next()
		if err != nil {
			return nil, err
		}
		if b == nil {
			break
		}
		for i := 0; i < b.Len; i++ {
			d := vector.ValueAt(b.Cols[0], s.typ, i)
			if k := datumKey(d); k != nil {
				if seen[k] {
					continue
				}
				seen[k] = true
			}
			list = append(list, vector.NewConst(d, s.typ))
		}
	}
	if len(list) == 0 {
		return vector.NewConst(s.not, vector.Bool), nil
	}
	return vector.NewIn(s.left, list, s.not)
}

// datumKey is a comparable key for de-duplicating IN lists, or nil when the
// value is not comparable as a Go map key.
func datumKey(d vector.Datum) any {
	switch d.(type) {
	case []byte, vector.NumericValue:
		return nil
	}
	return d
}

// subPlan plans a subquery with the current scope as its outer scope.
func (b *binder) subPlan(e *tree.Subquery) (*rel, error) {
	sel, ok := e.Select.(*tree.ParenSelect)
	if !ok {
		return nil, unsupported("subquery %s", tree.AsString(e))
	}
	r, err := b.p.selectStmt(sel.Select, b.sc)
	if err != nil {
		return nil, err
	}
	return b.p.visibleOnly(r), nil
}

func (b *binder) subquery(e *tree.Subquery) (vector.Expr, error) {
	r, err := b.subPlan(e)
	if err != nil {
		return nil, err
	}
	if e.Exists {
		return &subqueryExpr{op: r.op, typ: vector.Bool, exists: true, text: tree.AsString(e)}, nil
	}
	if len(r.sc.cols) != 1 {
		return nil, vector.Errorf(vector.CodeSyntaxError, "subquery must return only one column")
	}
	return &subqueryExpr{op: r.op, typ: r.sc.cols[0].typ, text: tree.AsString(e)}, nil
}

func (b *binder) inSubquery(left vector.Expr, e *tree.Subquery, not bool) (vector.Expr, error) {
	r, err := b.subPlan(e)
	if err != nil {
		return nil, err
	}
	if len(r.sc.cols) != 1 {
		return nil, vector.Errorf(vector.CodeSyntaxError, "subquery has too many columns")
	}
	t, err := vector.CommonType([]vector.Type{left.Type(), r.sc.cols[0].typ})
	if err != nil {
		return nil, vector.Errorf(vector.CodeUndefinedFunction, "operator does not exist: %s = %s", left.Type().Name(), r.sc.cols[0].typ.Name())
	}
	if left, err = vector.Coerce(left, t); err != nil {
		return nil, err
	}
	op := r.op
	if t != r.sc.cols[0].typ {
		cast, err := vector.Coerce(vector.NewColumnRef(0, r.sc.cols[0].typ, r.sc.cols[0].name), t)
		if err != nil {
			return nil, err
		}
		op = operators.NewProject(op, []vector.Expr{cast}, b.p.ectx)
	}
	return &inSubqueryExpr{left: left, op: op, typ: t, not: not, text: tree.AsString(e)}, nil
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

// semiJoinTerm recognises EXISTS (…), NOT EXISTS (…) and x IN (SELECT …).
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
		if s, ok := e.Right.(*tree.Subquery); ok && e.Operator.Symbol == treecmp.In {
			return s, e.Left, false
		}
	}
	return nil, nil, false
}

// semiJoin decorrelates one subquery term: the subquery's WHERE terms that
// equate an inner and an outer expression become join keys. It reports
// false when the subquery is not correlated.
func (p *Planner) semiJoin(r *rel, sub *tree.Subquery, left tree.Expr, anti bool) (*rel, bool, error) {
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
		if hasSubquery(t) {
			return nil, false, nil
		}
		return nil, false, vector.Errorf(vector.CodeFeatureNotSupported, "correlated subquery condition %s is not supported (only equalities with the outer query)", tree.AsString(t))
	}
	if len(keys) == 0 {
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

func hasSubquery(e tree.Expr) bool {
	found := false
	tree.WalkExprConst(exprVisitor(func(x tree.Expr) bool {
		if _, ok := x.(*tree.Subquery); ok {
			found = true
		}
		return !found
	}), e)
	return found
}
