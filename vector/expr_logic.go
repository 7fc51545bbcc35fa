package vector

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// Boolean logic is computed a byte (8 rows) at a time on bitmaps: a boolean
// operand is a pair (val, ok) of bitmaps at offset 0, ok marking non-NULL
// rows; val is meaningful only where ok is set.

// boolBits returns the value and validity bitmaps of a boolean operand over
// n rows, as fresh bitmaps at offset 0 (the caller may modify them).
func boolBits(o operand, n int) (val, ok []byte) {
	val, ok = newBits(n), newBits(n)
	if o.arr == nil {
		if o.val != nil {
			bitutil.SetBitsTo(ok, 0, int64(n), true)
			bitutil.SetBitsTo(val, 0, int64(n), o.val.(bool))
		}
		return val, ok
	}
	if n == 0 {
		return val, ok
	}
	off := o.arr.Data().Offset()
	bitutil.CopyBitmap(o.arr.Data().Buffers()[1].Bytes(), off, n, val, 0)
	if v := validity(o.arr); v.bits != nil {
		bitutil.CopyBitmap(v.bits, v.off, n, ok, 0)
	} else {
		bitutil.SetBitsTo(ok, 0, int64(n), true)
	}
	return val, ok
}

// toBool coerces e to boolean for the construct named what ("AND", "IS
// TRUE"): unknown literals are parsed, other types are 42804.
func toBool(e Expr, what string) (Expr, error) {
	switch e.Type().Kind {
	case KindBool:
		return e, nil
	case KindUnknown:
		return Coerce(e, Bool)
	}
	return nil, Errorf(CodeDatatypeMismatch, "argument of %s must be type boolean, not type %s", what, e.Type())
}

// NewAnd is the conjunction of args with three-valued logic: false if any
// argument is false, else NULL if any is NULL, else true. An argument is
// evaluated only on the rows that earlier arguments left undecided when
// evaluating it on every row fails (WHERE x <> 0 AND 1/x > 0).
func NewAnd(args ...Expr) (Expr, error) { return newLogic("AND", args) }

// NewOr is the disjunction of args with three-valued logic: true if any
// argument is true, else NULL if any is NULL, else false.
func NewOr(args ...Expr) (Expr, error) { return newLogic("OR", args) }

// logicExpr is AND or OR over two or more boolean arguments.
type logicExpr struct {
	and  bool
	args []Expr
}

func newLogic(name string, args []Expr) (Expr, error) {
	if len(args) == 1 {
		return toBool(args[0], name)
	}
	bs := make([]Expr, len(args))
	for i, a := range args {
		b, err := toBool(a, name)
		if err != nil {
			return nil, err
		}
		bs[i] = b
	}
	e := &logicExpr{and: name == "AND", args: bs}
	for _, a := range bs {
		if _, ok := IsConst(a); !ok {
			return e, nil
		}
	}
	return foldConst(e), nil
}

func (e *logicExpr) Type() Type { return Bool }

func (e *logicExpr) String() string {
	parts := make([]string, len(e.args))
	for i, a := range e.args {
		parts[i] = a.String()
	}
	op := " OR "
	if e.and {
		op = " AND "
	}
	return "(" + strings.Join(parts, op) + ")"
}

// Eval accumulates, per row, "decided" (some argument is false for AND,
// true for OR) and "all" (every argument is true for AND, false for OR).
func (e *logicExpr) Eval(ctx *EvalContext, b *Batch) (arrow.Array, error) {
	n := b.Len
	decided, all := newBits(n), newBits(n)
	bitutil.SetBitsTo(all, 0, int64(n), true)
	for _, a := range e.args {
		o, err := evalOperand(ctx, a, b)
		if err != nil {
			if o, err = e.evalUndecided(ctx, a, b, decided); err != nil {
				return nil, err
			}
		}
		val, ok := boolBits(o, n)
		for i := range val {
			t, f := ok[i]&val[i], ok[i]&^val[i]
			if e.and {
				decided[i] |= f
				all[i] &= t
			} else {
				decided[i] |= t
				all[i] &= f
			}
		}
	}
	valid := make([]byte, len(all))
	for i := range valid {
		valid[i] = decided[i] | all[i]
	}
	val := all
	if !e.and {
		val = decided
	}
	return makeBool(n, val, valid, n-bitutil.CountSetBits(valid, 0, n)), nil
}

// evalUndecided evaluates a only on rows whose result is not decided yet.
func (e *logicExpr) evalUndecided(ctx *EvalContext, a Expr, b *Batch, decided []byte) (operand, error) {
	var idx []int32
	for i := 0; i < b.Len; i++ {
		if !bitutil.BitIsSet(decided, i) {
			idx = append(idx, int32(i))
		}
	}
	arr, err := evalOnRows(ctx, a, b, idx)
	return operand{arr: arr}, err
}

// newNot is NOT e: NULL stays NULL.
func newNot(e Expr) (Expr, error) {
	e, err := toBool(e, "NOT")
	if err != nil {
		return nil, err
	}
	return newCall("NOT", true, Bool, []Expr{e}, func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		val, ok := boolBits(args[0], n)
		for i := range val {
			val[i] = ^val[i]
		}
		return makeBool(n, val, ok, n-bitutil.CountSetBits(ok, 0, n)), nil
	}, immutable)
}

// NewIsNull is e IS NULL (not: IS NOT NULL); never NULL itself.
func NewIsNull(e Expr, not bool) Expr {
	name := "IS NULL"
	if not {
		name = "IS NOT NULL"
	}
	return &callExpr{name: name, args: []Expr{e}, typ: Bool, fn: func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		out := validBits(args[0], n)
		if !not {
			for i := range out {
				out[i] = ^out[i]
			}
		}
		return makeBool(n, out, nil, 0), nil
	}}
}

// NewIsBool is e IS [NOT] TRUE / FALSE (want) or, with unknown, IS [NOT]
// UNKNOWN; never NULL itself.
func NewIsBool(e Expr, want bool, unknown bool, not bool) (Expr, error) {
	name := "IS "
	if not {
		name += "NOT "
	}
	switch {
	case unknown:
		name += "UNKNOWN"
	case want:
		name += "TRUE"
	default:
		name += "FALSE"
	}
	e, err := toBool(e, strings.Replace(name, "NOT ", "", 1))
	if err != nil {
		return nil, err
	}
	return newCall(name, true, Bool, []Expr{e}, func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		val, ok := boolBits(args[0], n)
		for i := range val {
			var r byte
			switch {
			case unknown:
				r = ^ok[i]
			case want:
				r = ok[i] & val[i]
			default:
				r = ok[i] &^ val[i]
			}
			if not {
				r = ^r
			}
			val[i] = r
		}
		return makeBool(n, val, nil, 0), nil
	}, immutable)
}

// NewIsDistinct is l IS [NOT] DISTINCT FROM r: like <> (=) but NULL is
// equal to NULL and different from any value; never NULL itself.
func NewIsDistinct(l, r Expr, not bool) (Expr, error) {
	l, r, t, err := compareOperands("=", l, r)
	if err != nil {
		return nil, err
	}
	if l, r, err = coerceBoth(l, r, t); err != nil {
		return nil, err
	}
	name := "IS DISTINCT FROM"
	if not {
		name = "IS NOT DISTINCT FROM"
	}
	return newCall(name, true, Bool, []Expr{l, r}, func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		a, b := args[0], args[1]
		out := newBits(n)
		aok, bok := validBits(a, n), validBits(b, n)
		if !a.isNull() && !b.isNull() {
			ne := compareColumns(cmpNe, t, a, b, n)
			bitutil.CopyBitmap(ne.Data().Buffers()[1].Bytes(), 0, n, out, 0)
		}
		for i := range out {
			// Both present: a <> b; exactly one present: distinct; none: not.
			d := (aok[i] & bok[i] & out[i]) | (aok[i] ^ bok[i])
			if not {
				d = ^d
			}
			out[i] = d
		}
		return makeBool(n, out, nil, 0), nil
	}, immutable)
}

// validBits is the validity of any operand as a fresh bitmap at offset 0.
func validBits(o operand, n int) []byte {
	ok := newBits(n)
	switch {
	case o.arr == nil:
		bitutil.SetBitsTo(ok, 0, int64(n), o.val != nil)
	case o.arr.NullN() == 0:
		bitutil.SetBitsTo(ok, 0, int64(n), true)
	default:
		v := validity(o.arr)
		bitutil.CopyBitmap(v.bits, v.off, n, ok, 0)
	}
	return ok
}
