package planner

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"

	"github.com/runneldb/runnel/vector"
)

// The array expressions of the grammar: ARRAY[…], ARRAY(SELECT …),
// subscripts, field selection from a record, and op ANY|ALL (array).

// arrayExpr binds an array constructor, an ARRAY subquery, a subscript or
// a field selection.
func (b *binder) arrayExpr(e tree.Expr) (vector.Expr, error) {
	switch e := e.(type) {
	case *tree.Array:
		elems, err := b.bindAll(e.Exprs)
		if err != nil {
			return nil, err
		}
		return vector.NewArrayCtor(elems)
	case *tree.ArrayFlatten:
		return b.arraySubquery(e)
	case *tree.IndirectionExpr:
		x, err := b.bind(e.Expr)
		if err != nil {
			return nil, err
		}
		for _, s := range e.Indirection {
			if x, err = b.subscript(x, s); err != nil {
				return nil, err
			}
		}
		return x, nil
	case *tree.ColumnAccessExpr:
		if e.ByIndex {
			return nil, unsupported("field selection by position")
		}
		x, err := b.bind(e.Expr)
		if err != nil {
			return nil, err
		}
		return vector.NewFieldSelect(x, string(e.ColName))
	}
	return nil, unsupported("expression %s", tree.AsString(e))
}

// subscript binds one subscript [i] or slice [lower:upper] of x.
func (b *binder) subscript(x vector.Expr, s *tree.ArraySubscript) (vector.Expr, error) {
	if !s.Slice {
		i, err := b.bind(s.Begin)
		if err != nil {
			return nil, err
		}
		return vector.NewSubscript(x, i)
	}
	bounds := make([]vector.Expr, 2)
	for k, e := range []tree.Expr{s.Begin, s.End} {
		if e == nil {
			continue
		}
		var err error
		if bounds[k], err = b.bind(e); err != nil {
			return nil, err
		}
	}
	return vector.NewSlice(x, bounds[0], bounds[1])
}

// arraySubquery binds ARRAY(SELECT …): the values of the subquery's one
// column as an array, {} when it has no rows.
func (b *binder) arraySubquery(e *tree.ArrayFlatten) (vector.Expr, error) {
	sub, ok := e.Subquery.(*tree.Subquery)
	if !ok {
		return nil, unsupported("ARRAY(%s)", tree.AsString(e.Subquery))
	}
	s, r, err := b.subPlan(sub, subArray)
	if err != nil {
		return nil, err
	}
	switch {
	case len(r.sc.cols) != 1:
		return nil, vector.Errorf(vector.CodeSyntaxError, "subquery must return only one column")
	case s.col.Kind.IsArray():
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "multidimensional arrays are not supported")
	}
	s.typ = vector.ArrayOfKind(s.col.Kind)
	if s.typ.OID() == 0 {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "arrays of %s are not supported", s.col.Name())
	}
	return s, nil
}

// arrayCompare binds `left op ANY|SOME|ALL (array)`.
func (b *binder) arrayCompare(e *tree.ComparisonExpr, op string) (vector.Expr, error) {
	l, r, err := b.bind2(e.Left, e.Right)
	if err != nil {
		return nil, err
	}
	return vector.NewArrayCompare(op, l, r, e.Operator.Symbol == treecmp.All)
}

// emptyArray types ARRAY[]::t[]: an empty array of the cast's type. ok is
// false for any other cast.
func emptyArray(e *tree.CastExpr, t vector.Type) (vector.Expr, bool) {
	a, isArray := e.Expr.(*tree.Array)
	if !isArray || len(a.Exprs) > 0 || t.Kind != vector.KindArray {
		return nil, false
	}
	return vector.NewConst(vector.NewArrayValue(t.ElemType(), nil), t), true
}
