package vector

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// Conditional expressions. CASE and COALESCE are lazy per row: a branch
// (or argument) is first evaluated over the whole batch, the fast path; if
// that fails, it is evaluated again on exactly the rows that selected it, so
// an error is raised only when a row that needs the value has one (CASE WHEN
// x = 0 THEN 0 ELSE 1/x END).

// evalSelected evaluates e for the rows idx of b (all rows when idx covers
// the batch): over the whole batch first, over the subset if that fails.
func evalSelected(ctx *EvalContext, e Expr, b *Batch, idx []int32) (arrow.Array, error) {
	arr, err := e.Eval(ctx, b)
	if err == nil || len(idx) == b.Len {
		return arr, err
	}
	return evalOnRows(ctx, e, b, idx)
}

// caseExpr is a searched CASE; the operand form is rewritten to one.
// Invariants: len(conds) == len(thens); every then and els have type typ;
// els is never nil (a missing ELSE is a NULL constant).
type caseExpr struct {
	conds, thens []Expr
	els          Expr
	typ          Type
}

// NewCase is CASE [operand] WHEN … THEN … [ELSE …] END. With an operand,
// WHEN v means operand = v. The result type is the common type of the THEN
// and ELSE expressions.
func NewCase(operand Expr, whens, thens []Expr, els Expr) (Expr, error) {
	if len(whens) == 0 || len(whens) != len(thens) {
		return nil, Errorf(CodeSyntaxError, "CASE needs as many THEN as WHEN clauses")
	}
	conds := make([]Expr, len(whens))
	for i, w := range whens {
		var err error
		if operand != nil {
			conds[i], err = NewBinary("=", operand, w)
		} else {
			conds[i], err = toBool(w, "CASE/WHEN")
		}
		if err != nil {
			return nil, err
		}
	}
	if els == nil {
		els = NewConst(nil, Unknown)
	}
	results, t, err := coerceCommon(append(append([]Expr{}, thens...), els))
	if err != nil {
		return nil, err
	}
	return &caseExpr{conds: conds, thens: results[:len(thens)], els: results[len(thens)], typ: t}, nil
}

// coerceCommon coerces es to their common type (text when all unknown).
func coerceCommon(es []Expr) ([]Expr, Type, error) {
	types := make([]Type, len(es))
	for i, e := range es {
		types[i] = e.Type()
	}
	t, err := CommonType(types)
	if err != nil {
		return nil, Type{}, err
	}
	out := make([]Expr, len(es))
	for i, e := range es {
		if out[i], err = Coerce(e, t); err != nil {
			return nil, Type{}, err
		}
	}
	return out, t, nil
}

func (c *caseExpr) Type() Type { return c.typ }

func (c *caseExpr) String() string {
	var sb strings.Builder
	sb.WriteString("CASE")
	for i := range c.conds {
		sb.WriteString(" WHEN " + c.conds[i].String() + " THEN " + c.thens[i].String())
	}
	sb.WriteString(" ELSE " + c.els.String() + " END")
	return sb.String()
}

// Eval decides each row's branch (which[i]: index into thens, or
// len(thens) for ELSE), evaluates each chosen branch for its rows, and
// gathers the result.
func (c *caseExpr) Eval(ctx *EvalContext, b *Batch) (arrow.Array, error) {
	n := b.Len
	which := make([]int32, n)
	undecided := make([]int32, n)
	for i := range undecided {
		undecided[i] = int32(i)
	}
	for k, cond := range c.conds {
		if len(undecided) == 0 {
			break
		}
		arr, err := evalSelected(ctx, cond, b, undecided)
		if err != nil {
			return nil, err
		}
		val, ok := boolBits(operand{arr: arr}, n)
		rest := undecided[:0]
		for _, i := range undecided {
			if bitutil.BitIsSet(ok, int(i)) && bitutil.BitIsSet(val, int(i)) {
				which[i] = int32(k)
			} else {
				rest = append(rest, i)
			}
		}
		undecided = rest
	}
	for _, i := range undecided {
		which[i] = int32(len(c.thens))
	}
	branches := append(append([]Expr{}, c.thens...), c.els)
	return gatherBranches(ctx, b, c.typ, branches, which)
}

// gatherBranches evaluates each branch on the rows that chose it (which[i]
// is the branch of row i, -1 for NULL) and assembles the result.
func gatherBranches(ctx *EvalContext, b *Batch, t Type, branches []Expr, which []int32) (arrow.Array, error) {
	rows := make([][]int32, len(branches))
	for i, k := range which {
		if k >= 0 {
			rows[k] = append(rows[k], int32(i))
		}
	}
	srcs := make([]arrow.Array, len(branches))
	for k, e := range branches {
		if len(rows[k]) == 0 {
			srcs[k] = nullColumn(t, b.Len)
			continue
		}
		if len(rows[k]) == b.Len {
			// One branch for every row: its column is the result.
			return evalSelected(ctx, e, b, rows[k])
		}
		arr, err := evalSelected(ctx, e, b, rows[k])
		if err != nil {
			return nil, err
		}
		srcs[k] = arr
	}
	return gather(t.ArrowType(), b.Len, srcs, which, nil), nil
}

// coalesceExpr is COALESCE(args…), all of type typ.
type coalesceExpr struct {
	args []Expr
	typ  Type
}

// NewCoalesce is COALESCE(args…): per row, the first non-NULL argument; an
// argument is evaluated only for rows that are still NULL (lazily, see
// evalSelected).
func NewCoalesce(args []Expr) (Expr, error) {
	coerced, t, err := coerceCommon(args)
	if err != nil {
		return nil, err
	}
	return &coalesceExpr{args: coerced, typ: t}, nil
}

func (c *coalesceExpr) Type() Type { return c.typ }

func (c *coalesceExpr) String() string { return "COALESCE(" + joinExprs(c.args) + ")" }

// joinExprs renders expressions separated by commas.
func joinExprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

func (c *coalesceExpr) Eval(ctx *EvalContext, b *Batch) (arrow.Array, error) {
	n := b.Len
	which := make([]int32, n)
	pending := make([]int32, n)
	for i := range pending {
		pending[i] = int32(i)
		which[i] = -1
	}
	srcs := make([]arrow.Array, len(c.args))
	for k, e := range c.args {
		if len(pending) == 0 {
			srcs[k] = nullColumn(c.typ, n)
			continue
		}
		arr, err := evalSelected(ctx, e, b, pending)
		if err != nil {
			return nil, err
		}
		if k == 0 && arr.NullN() == 0 {
			return arr, nil
		}
		srcs[k] = arr
		rest := pending[:0]
		for _, i := range pending {
			if arr.IsValid(int(i)) {
				which[i] = int32(k)
			} else {
				rest = append(rest, i)
			}
		}
		pending = rest
	}
	return gather(c.typ.ArrowType(), n, srcs, which, nil), nil
}

// NewNullIf is NULLIF(a, b): NULL where a = b, else a (of a's type).
func NewNullIf(a, b Expr) (Expr, error) {
	l, r, t, err := compareOperands("=", a, b)
	if err != nil {
		return nil, err
	}
	lc, rc, err := coerceBoth(l, r, t)
	if err != nil {
		return nil, err
	}
	return newCall("nullif", false, l.Type(), []Expr{l, lc, rc}, func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		eq := compareColumns(cmpEq, t, ops[1], ops[2], n)
		val, ok := boolBits(operand{arr: eq}, n)
		which := make([]int32, n)
		for i := range which {
			if bitutil.BitIsSet(ok, i) && bitutil.BitIsSet(val, i) {
				which[i] = -1
			}
		}
		return gather(l.Type().ArrowType(), n, []arrow.Array{ops[0].column(l.Type(), n)}, which, nil), nil
	}, immutable)
}

// NewGreatestLeast is GREATEST(args…) (greatest) or LEAST(args…): NULL
// arguments are ignored; the result is NULL only when all are.
func NewGreatestLeast(greatest bool, args []Expr) (Expr, error) {
	coerced, t, err := coerceCommon(args)
	if err != nil {
		return nil, err
	}
	name := "least"
	if greatest {
		name = "greatest"
	}
	return newCall(name, false, t, coerced, func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		cols := make([]arrow.Array, len(ops))
		for k, o := range ops {
			cols[k] = o.column(t, n)
		}
		which := make([]int32, n)
		for i := range which {
			best := int32(-1)
			for k, c := range cols {
				if c.IsNull(i) {
					continue
				}
				if best < 0 {
					best = int32(k)
					continue
				}
				d := CompareAt(c, i, cols[best], i, t)
				if (greatest && d > 0) || (!greatest && d < 0) {
					best = int32(k)
				}
			}
			which[i] = best
		}
		return gather(t.ArrowType(), n, cols, which, nil), nil
	}, immutable)
}

// NewIn is e [NOT] IN (list…) with SQL NULL semantics: true when e equals
// an element; otherwise NULL when e or some element is NULL, else false.
// A list of constants of an integer or string type is a set lookup;
// any other list is the OR of equalities.
func NewIn(e Expr, list []Expr, not bool) (Expr, error) {
	all, t, err := coerceCommon(append([]Expr{e}, list...))
	if err != nil {
		return nil, err
	}
	e, list = all[0], all[1:]
	set, ok := newConstSet(t, list)
	if !ok {
		eqs := make([]Expr, len(list))
		for i, x := range list {
			if eqs[i], err = newCompare("=", e, x); err != nil {
				return nil, err
			}
		}
		in, err := NewOr(eqs...)
		if err != nil || !not {
			return in, err
		}
		return newNot(in)
	}
	name := "IN"
	if not {
		name = "NOT IN"
	}
	return newCall(name, true, Bool, []Expr{e, &listExpr{list}}, func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		return set.probe(ops[0], n, not), nil
	}, immutable)
}

// listExpr renders an IN list; it is never evaluated (the set holds it).
type listExpr struct{ items []Expr }

func (l *listExpr) Type() Type     { return Unknown }
func (l *listExpr) String() string { return "(" + joinExprs(l.items) + ")" }
func (l *listExpr) Eval(_ *EvalContext, b *Batch) (arrow.Array, error) {
	return nullColumn(Unknown, b.Len), nil
}

// constSet is the set of constants of an IN list. Invariant: exactly one
// of ints and strs is used, according to the probed type.
type constSet struct {
	t       Type
	ints    map[int64]struct{}
	strs    map[string]struct{}
	hasNull bool
}

// newConstSet builds the set for a list of constants of an integer, oid
// or string type; false when the list or type does not qualify.
func newConstSet(t Type, list []Expr) (*constSet, bool) {
	s := &constSet{t: t}
	switch {
	case t.Kind.IsInteger() || t.Kind.IsOID():
		s.ints = map[int64]struct{}{}
	case t.Kind.IsString():
		s.strs = map[string]struct{}{}
	default:
		return nil, false
	}
	for _, x := range list {
		d, ok := IsConst(x)
		if !ok {
			return nil, false
		}
		switch v := d.(type) {
		case nil:
			s.hasNull = true
		case string:
			s.strs[v] = struct{}{}
		case int16:
			s.ints[int64(v)] = struct{}{}
		case int32:
			s.ints[int64(v)] = struct{}{}
		case int64:
			s.ints[v] = struct{}{}
		default:
			return nil, false
		}
	}
	return s, true
}

// probe answers IN (NOT IN when not) for every row of o.
func (s *constSet) probe(o operand, n int, not bool) arrow.Array {
	if o.isNull() {
		return nullColumn(Bool, n)
	}
	r := newRow([]operand{o})
	bits, valid := newBits(n), validBits(o, n)
	for r.i = 0; r.i < n; r.i++ {
		if !bitutil.BitIsSet(valid, r.i) {
			continue
		}
		var found bool
		if s.ints != nil {
			_, found = s.ints[r.int(0)]
		} else {
			_, found = s.strs[string(r.str(0))]
		}
		switch {
		case found:
			bitutil.SetBitTo(bits, r.i, !not)
		case s.hasNull:
			bitutil.ClearBit(valid, r.i)
		default:
			bitutil.SetBitTo(bits, r.i, not)
		}
	}
	return makeBool(n, bits, valid, n-bitutil.CountSetBits(valid, 0, n))
}
