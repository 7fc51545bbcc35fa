package planner

import (
	"go/constant"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// binder turns parsed expressions into compiled vector expressions over the
// columns of a scope.
type binder struct {
	p  *Planner
	sc *scope
	// grouped is set when binding above a GROUP BY: group expressions and
	// aggregate calls then resolve to the aggregate's output columns.
	grouped *grouping
	// what names the clause for error messages ("WHERE", "JOIN/ON", …)
	// where aggregates are not allowed; "" allows them (select list).
	what string
	// windows maps the text of a window call computed below to its column
	// (see windows).
	windows map[string]int
	// srfs maps the text of a set-returning call computed below to its
	// column (see setReturning).
	srfs map[string]int
}

func (b *binder) bind(e tree.Expr) (vector.Expr, error) {
	if b.grouped != nil {
		if i, ok := b.grouped.lookup(e); ok {
			return vector.NewColumnRef(i, b.sc.cols[i].typ, b.sc.cols[i].name), nil
		}
	}
	switch e := e.(type) {
	case *tree.ParenExpr:
		return b.bind(e.Expr)
	case *tree.UnresolvedName:
		return b.column(e)
	case *tree.NumVal:
		return numConst(e)
	case *tree.StrVal:
		return vector.NewConst(e.RawString(), vector.Unknown), nil
	case *tree.DBool:
		return vector.NewConst(bool(*e), vector.Bool), nil
	case *tree.Placeholder:
		return vector.NewParam(int(e.Idx), b.p.params), nil
	case tree.Datum:
		if e == tree.DNull {
			return vector.NewConst(nil, vector.Unknown), nil
		}
		if s, ok := e.(*tree.DString); ok {
			return vector.NewConst(string(*s), vector.Unknown), nil
		}
		return nil, unsupported("constant %s", e.String())
	case *tree.CastExpr:
		if x, ok, err := intervalWithField(e); ok || err != nil {
			return x, err
		}
		t, err := ResolveType(e.Type)
		if err != nil {
			return nil, err
		}
		if x, ok := emptyArray(e, t); ok {
			return x, nil
		}
		x, err := b.bind(e.Expr)
		if err != nil {
			return nil, err
		}
		return vector.NewCast(x, t)
	case *tree.AndExpr:
		l, r, err := b.bind2(e.Left, e.Right)
		if err != nil {
			return nil, err
		}
		return vector.NewAnd(l, r)
	case *tree.OrExpr:
		l, r, err := b.bind2(e.Left, e.Right)
		if err != nil {
			return nil, err
		}
		return vector.NewOr(l, r)
	case *tree.NotExpr:
		x, err := b.bind(e.Expr)
		if err != nil {
			return nil, err
		}
		return vector.NewUnary("NOT", x)
	case *tree.IsNullExpr:
		x, err := b.bind(e.Expr)
		if err != nil {
			return nil, err
		}
		return vector.NewIsNull(x, false), nil
	case *tree.IsNotNullExpr:
		x, err := b.bind(e.Expr)
		if err != nil {
			return nil, err
		}
		return vector.NewIsNull(x, true), nil
	case *tree.UnaryExpr:
		x, err := b.bind(e.Expr)
		if err != nil {
			return nil, err
		}
		return vector.NewUnary(e.Operator.String(), x)
	case *tree.BinaryExpr:
		l, r, err := b.bind2(e.Left, e.Right)
		if err != nil {
			return nil, err
		}
		return vector.NewBinary(e.Operator.String(), l, r)
	case *tree.ComparisonExpr:
		return b.comparison(e)
	case *tree.RangeCond:
		return b.between(e)
	case *tree.CaseExpr:
		return b.caseExpr(e)
	case *tree.CoalesceExpr:
		args, err := b.bindAll(e.Exprs)
		if err != nil {
			return nil, err
		}
		return vector.NewCoalesce(args)
	case *tree.NullIfExpr:
		l, r, err := b.bind2(e.Expr1, e.Expr2)
		if err != nil {
			return nil, err
		}
		return vector.NewNullIf(l, r)
	case *tree.FuncExpr:
		return b.function(e)
	case *tree.Subquery:
		return b.subquery(e)
	case *tree.Array, *tree.ArrayFlatten, *tree.IndirectionExpr, *tree.ColumnAccessExpr:
		return b.arrayExpr(e)
	case *tree.Tuple:
		if len(e.Exprs) == 1 {
			return b.bind(e.Exprs[0])
		}
		return nil, unsupported("row constructors")
	}
	return nil, unsupported("expression %s", tree.AsString(e))
}

func (b *binder) bind2(l, r tree.Expr) (vector.Expr, vector.Expr, error) {
	le, err := b.bind(l)
	if err != nil {
		return nil, nil, err
	}
	re, err := b.bind(r)
	if err != nil {
		return nil, nil, err
	}
	return le, re, nil
}

func (b *binder) bindAll(es tree.Exprs) ([]vector.Expr, error) {
	out := make([]vector.Expr, len(es))
	for i, e := range es {
		x, err := b.bind(e)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// column resolves a column reference.
func (b *binder) column(n *tree.UnresolvedName) (vector.Expr, error) {
	if n.Star {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "%s is not allowed here", n.String())
	}
	table, name := nameParts(n)
	var x vector.Expr
	var err error
	if b.grouped != nil {
		x, err = b.grouped.column(table, name)
	} else {
		var i int
		if i, err = b.sc.resolve(table, name); err == nil {
			c := b.sc.cols[i]
			if c.session != nil {
				return nil, vector.Errorf(vector.CodeWindowingError, "SESSION windows are computed by GROUP BY: group by %s", c.name)
			}
			x = vector.NewColumnRef(i, c.typ, c.name)
		}
	}
	if err == nil {
		return x, nil
	}
	if ve, ok := err.(*vector.Error); !ok || ve.Code != vector.CodeUndefinedColumn && ve.Code != vector.CodeUndefinedTable {
		return nil, err
	}
	// A column of the enclosing query: an outer reference of a subquery.
	if o := b.sc.outer; o != nil {
		if oi, oerr := o.resolve(table, name); oerr == nil {
			if c := b.p.corr; c != nil && c.outer == o {
				col := o.cols[oi]
				return &outerRef{corr: c, slot: c.slot(oi), typ: col.typ, name: col.name}, nil
			}
			return nil, errCorrelated
		}
	}
	return nil, err
}

// nameParts splits a column reference into its qualifier and name.
func nameParts(n *tree.UnresolvedName) (table, name string) {
	name = n.Parts[0]
	if n.NumParts > 1 {
		table = n.Parts[1]
	}
	return table, name
}

// errCorrelated refuses a reference to a column of a query more than one
// level out.
var errCorrelated = vector.Errorf(vector.CodeFeatureNotSupported, "references to columns of a query two or more levels out are not supported")

func numConst(n *tree.NumVal) (vector.Expr, error) {
	v := n.AsConstantValue()
	if v.Kind() == constant.Int {
		if i, ok := constant.Int64Val(v); ok {
			if int64(int32(i)) == i {
				return vector.NewConst(int32(i), vector.Int4), nil
			}
			return vector.NewConst(i, vector.Int8), nil
		}
	}
	d, err := vector.ParseNumeric(tree.AsString(n))
	if err != nil {
		return nil, err
	}
	return vector.NewConst(d, vector.Numeric), nil
}

var comparisonOps = map[treecmp.ComparisonOperatorSymbol]string{
	treecmp.EQ: "=", treecmp.NE: "<>", treecmp.LT: "<", treecmp.LE: "<=", treecmp.GT: ">", treecmp.GE: ">=",
	treecmp.RegMatch: "~", treecmp.NotRegMatch: "!~", treecmp.RegIMatch: "~*", treecmp.NotRegIMatch: "!~*",
	treecmp.Contains: "@>", treecmp.ContainedBy: "<@", treecmp.JSONExists: "?", treecmp.Overlaps: "&&",
}

func (b *binder) comparison(e *tree.ComparisonExpr) (vector.Expr, error) {
	op := e.Operator.Symbol
	switch op {
	case treecmp.In, treecmp.NotIn:
		return b.in(e.Left, e.Right, op == treecmp.NotIn)
	case treecmp.Like, treecmp.NotLike, treecmp.ILike, treecmp.NotILike:
		l, r, err := b.bind2(e.Left, e.Right)
		if err != nil {
			return nil, err
		}
		return vector.NewLike(l, r, nil, op == treecmp.ILike || op == treecmp.NotILike, op == treecmp.NotLike || op == treecmp.NotILike)
	case treecmp.IsDistinctFrom, treecmp.IsNotDistinctFrom:
		l, r, err := b.bind2(e.Left, e.Right)
		if err != nil {
			return nil, err
		}
		return vector.NewIsDistinct(l, r, op == treecmp.IsNotDistinctFrom)
	case treecmp.Any, treecmp.Some, treecmp.All:
		sub, ok := e.Right.(*tree.Subquery)
		sym, known := comparisonOps[e.SubOperator.Symbol]
		if !ok && known {
			return b.arrayCompare(e, sym)
		}
		if !ok || !known {
			return nil, unsupported("%s %s with %s", e.SubOperator.String(), e.Operator.String(), tree.AsString(e.Right))
		}
		l, err := b.bind(e.Left)
		if err != nil {
			return nil, err
		}
		return b.compareSubquery(l, sub, sym, op == treecmp.All)
	}
	sym, ok := comparisonOps[op]
	if !ok {
		return nil, unsupported("operator %s", e.Operator.String())
	}
	l, r, err := b.bind2(e.Left, e.Right)
	if err != nil {
		return nil, err
	}
	return vector.NewBinary(sym, l, r)
}

func (b *binder) in(left, right tree.Expr, not bool) (vector.Expr, error) {
	l, err := b.bind(left)
	if err != nil {
		return nil, err
	}
	switch r := right.(type) {
	case *tree.Tuple:
		list, err := b.bindAll(r.Exprs)
		if err != nil {
			return nil, err
		}
		return vector.NewIn(l, list, not)
	case *tree.Subquery:
		if not {
			return b.compareSubquery(l, r, "<>", true)
		}
		return b.compareSubquery(l, r, "=", false)
	}
	return nil, unsupported("IN %s", tree.AsString(right))
}

func (b *binder) between(e *tree.RangeCond) (vector.Expr, error) {
	x, err := b.bind(e.Left)
	if err != nil {
		return nil, err
	}
	lo, hi, err := b.bind2(e.From, e.To)
	if err != nil {
		return nil, err
	}
	in := func(lo, hi vector.Expr) (vector.Expr, error) {
		ge, err := vector.NewBinary(">=", x, lo)
		if err != nil {
			return nil, err
		}
		le, err := vector.NewBinary("<=", x, hi)
		if err != nil {
			return nil, err
		}
		return vector.NewAnd(ge, le)
	}
	r, err := in(lo, hi)
	if err != nil {
		return nil, err
	}
	if e.Symmetric {
		swapped, err := in(hi, lo)
		if err != nil {
			return nil, err
		}
		if r, err = vector.NewOr(r, swapped); err != nil {
			return nil, err
		}
	}
	if e.Not {
		return vector.NewUnary("NOT", r)
	}
	return r, nil
}

func (b *binder) caseExpr(e *tree.CaseExpr) (vector.Expr, error) {
	var operand, els vector.Expr
	var err error
	if e.Expr != nil {
		if operand, err = b.bind(e.Expr); err != nil {
			return nil, err
		}
	}
	whens := make([]vector.Expr, len(e.Whens))
	thens := make([]vector.Expr, len(e.Whens))
	for i, w := range e.Whens {
		if whens[i], thens[i], err = b.bind2(w.Cond, w.Val); err != nil {
			return nil, err
		}
	}
	if e.Else != nil {
		if els, err = b.bind(e.Else); err != nil {
			return nil, err
		}
	}
	return vector.NewCase(operand, whens, thens, els)
}

// function binds a call of a scalar function; aggregate calls are bound by
// the grouping (see aggregate.go) and are refused anywhere else.
func (b *binder) function(e *tree.FuncExpr) (vector.Expr, error) {
	name := funcName(e)
	if isAggregateCall(e) {
		if b.what != "" {
			return nil, vector.Errorf(vector.CodeGroupingError, "aggregate functions are not allowed in %s", b.what)
		}
		return nil, vector.Errorf(vector.CodeGroupingError, "aggregate function calls cannot be nested")
	}
	if e.WindowDef != nil {
		return b.window(e)
	}
	if isSetReturning(name) {
		return b.setColumn(e)
	}
	switch name {
	case "greatest", "least":
		args, err := b.bindAll(e.Exprs)
		if err != nil {
			return nil, err
		}
		return vector.NewGreatestLeast(name == "greatest", args)
	case "like_escape", "not_like_escape", "ilike_escape", "not_ilike_escape":
		args, err := b.bindAll(e.Exprs)
		if err != nil {
			return nil, err
		}
		return vector.NewLike(args[0], args[1], args[2], strings.Contains(name, "ilike"), strings.HasPrefix(name, "not_"))
	}
	if err := b.p.checkVolatile(name); err != nil {
		return nil, err
	}
	args, err := b.bindAll(e.Exprs)
	if err != nil {
		return nil, err
	}
	return vector.NewFunc(name, args)
}

// funcName is the lower-case unqualified name of a called function
// ("pg_catalog." is accepted and dropped).
func funcName(e *tree.FuncExpr) string {
	name := strings.ToLower(strings.ReplaceAll(e.Func.String(), `"`, ""))
	return strings.TrimPrefix(name, "pg_catalog.")
}

// isAggregateCall reports whether e calls an aggregate function.
func isAggregateCall(e *tree.FuncExpr) bool {
	return e.WindowDef == nil && operators.IsAggregate(funcName(e))
}

func unsupported(format string, args ...any) error {
	return vector.Errorf(vector.CodeFeatureNotSupported, format+" is not supported", args...)
}
