package vector

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// The leaves of every expression: constants, column references and
// statement parameters.

// constExpr is a literal value; unknown-typed constants hold a string (the
// untyped 'literal') or nil.
type constExpr struct {
	d Datum
	t Type
}

// NewConst is a literal of type t. t may be Unknown with d a string (an
// untyped 'literal') or nil (an untyped NULL).
func NewConst(d Datum, t Type) Expr { return &constExpr{d: d, t: t} }

// IsConst returns the value of e when e is a constant.
func IsConst(e Expr) (Datum, bool) {
	if c, ok := e.(*constExpr); ok {
		return c.d, true
	}
	return nil, false
}

func (c *constExpr) Type() Type { return c.t }

func (c *constExpr) Eval(_ *EvalContext, b *Batch) (arrow.Array, error) {
	return ConstArray(c.t, c.d, b.Len), nil
}

// String renders the constant as SQL: NULL, numbers and booleans bare,
// everything else quoted with its type ('x'::text).
func (c *constExpr) String() string {
	if c.d == nil {
		return "NULL"
	}
	s := FormatDatum(c.d, c.t, nil)
	switch c.t.Kind {
	case KindInt2, KindInt4, KindInt8, KindNumeric, KindFloat8:
		if !strings.ContainsAny(s, "aIn-") { // NaN, Infinity and negatives need quoting
			return s
		}
	case KindBool:
		return strconv.FormatBool(c.d.(bool))
	case KindUnknown:
		return sqlQuote(s)
	}
	return sqlQuote(s) + "::" + c.t.String()
}

// sqlQuote quotes s as a SQL string literal.
func sqlQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// columnRef reads a column of the input batch.
type columnRef struct {
	index int
	t     Type
	name  string
}

// NewColumnRef refers to column index (of type t) of the input batch; name
// is used for display.
func NewColumnRef(index int, t Type, name string) Expr {
	return &columnRef{index: index, t: t, name: name}
}

func (c *columnRef) Type() Type { return c.t }

func (c *columnRef) Eval(_ *EvalContext, b *Batch) (arrow.Array, error) {
	return b.Cols[c.index], nil
}

func (c *columnRef) String() string { return c.name }

// ParamTypes holds the types of the parameters of one statement, shared by
// every parameter node; Unknown means not yet inferred. Coercing a parameter
// whose slot is Unknown fixes the slot's type.
type ParamTypes struct{ Types []Type }

// paramExpr is $index+1.
type paramExpr struct {
	index int
	slots *ParamTypes
}

// NewParam is the parameter $index+1; its type is slots.Types[index] at the
// time of evaluation (the slots grow as needed).
func NewParam(index int, slots *ParamTypes) Expr {
	for len(slots.Types) <= index {
		slots.Types = append(slots.Types, Unknown)
	}
	return &paramExpr{index: index, slots: slots}
}

func (p *paramExpr) Type() Type { return p.slots.Types[p.index] }

// Eval is the bound value for every row. A value that is not bound (fewer
// values than parameters) is NULL.
func (p *paramExpr) Eval(ctx *EvalContext, b *Batch) (arrow.Array, error) {
	return ConstArray(p.Type(), p.value(ctx), b.Len), nil
}

// value is the bound value: the same for every row, so kernels take it as
// a scalar operand, as they take a constant.
func (p *paramExpr) value(ctx *EvalContext) Datum {
	if ctx != nil && p.index < len(ctx.Params) {
		return ctx.Params[p.index]
	}
	return nil
}

func (p *paramExpr) String() string { return "$" + strconv.Itoa(p.index+1) }

// IsColumnRef returns the column index when e is a bare column reference.
func IsColumnRef(e Expr) (int, bool) {
	if c, ok := e.(*columnRef); ok {
		return c.index, true
	}
	return 0, false
}
