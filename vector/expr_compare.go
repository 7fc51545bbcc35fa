package vector

import (
	"bytes"

	"github.com/cockroachdb/apd/v3"

	"github.com/apache/arrow-go/v18/arrow"
)

// cmpOp is a comparison operator.
type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpNe
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

var cmpOps = map[string]cmpOp{"=": cmpEq, "<>": cmpNe, "!=": cmpNe, "<": cmpLt, "<=": cmpLe, ">": cmpGt, ">=": cmpGe}

// holds reports whether a three-way comparison result c satisfies op.
func (op cmpOp) holds(c int) bool {
	switch op {
	case cmpEq:
		return c == 0
	case cmpNe:
		return c != 0
	case cmpLt:
		return c < 0
	case cmpLe:
		return c <= 0
	case cmpGt:
		return c > 0
	}
	return c >= 0
}

// base splits op into a base comparison (eq, lt or gt) and whether the
// result is its negation: ne = !eq, ge = !lt, le = !gt. Only valid for
// totally ordered values (floats fix NaN rows afterwards).
func (op cmpOp) base() (cmpOp, bool) {
	switch op {
	case cmpNe:
		return cmpEq, true
	case cmpGe:
		return cmpLt, true
	case cmpLe:
		return cmpGt, true
	}
	return op, false
}

// mirror is the operator with its sides swapped: a < b is b > a.
func (op cmpOp) mirror() cmpOp {
	switch op {
	case cmpLt:
		return cmpGt
	case cmpGt:
		return cmpLt
	case cmpLe:
		return cmpGe
	case cmpGe:
		return cmpLe
	}
	return op
}

// compareType is the type both sides of a comparison are converted to, or
// false when the types have no comparison operator.
func compareType(a, b Type) (Type, bool) {
	ak, bk := a.Kind, b.Kind
	switch {
	case ak.IsArray() || bk.IsArray():
		return arrayCompareType(a, b)
	case ak.IsNumeric() && bk.IsNumeric():
		return numericCommon(a, b), true
	case ak.IsString() && bk.IsString():
		if ak == bk {
			return Type{Kind: ak}, true
		}
		return Text, true
	case isDateTime(ak) && isDateTime(bk):
		return Type{Kind: max(ak, bk)}, true
	case ak.IsOID() || bk.IsOID():
		return oidCompareType(ak, bk)
	case ak == bk:
		return Type{Kind: ak}, true
	}
	return Type{}, false
}

// isDateTime reports date, timestamp or timestamptz (comparable together).
func isDateTime(k Kind) bool { return k == KindDate || k == KindTimestamp || k == KindTimestampTZ }

// compareOperands prepares l and r for the comparison op: it resolves
// untyped literals against the other side and returns both (not yet
// coerced) with the type they compare in, or undefinedOperator(op) when
// they do not compare.
func compareOperands(op string, l, r Expr) (Expr, Expr, Type, error) {
	l, r, err := resolveUnknown(l, r)
	if err != nil {
		return nil, nil, Type{}, err
	}
	t, ok := compareType(l.Type(), r.Type())
	if !ok {
		return nil, nil, Type{}, undefinedOperator(op, l, r)
	}
	return l, r, t, nil
}

// newCompare builds = <> < <= > >= for any pair of comparable types.
func newCompare(opName string, l, r Expr) (Expr, error) {
	l, r, t, err := compareOperands(opName, l, r)
	if err != nil {
		return nil, err
	}
	l, r, err = coerceBoth(l, r, t)
	if err != nil {
		return nil, err
	}
	op := cmpOps[opName]
	return newCall(opName, true, Bool, []Expr{l, r}, func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		return compareColumns(op, t, args[0], args[1], n), nil
	}, immutable)
}

// compareColumns evaluates a op b over n rows of type t into a boolean
// column, NULL where either side is NULL.
func compareColumns(op cmpOp, t Type, a, b operand, n int) arrow.Array {
	valid, nulls, allNull := binaryShape(Bool, a, b, n)
	if allNull != nil {
		return allNull
	}
	out := newBits(n)
	switch t.Kind {
	case KindInt2:
		compareFixed[int16](op, a, b, n, out)
	case KindInt4, KindDate:
		compareFixed[int32](op, a, b, n, out)
	case KindInt8, KindTime, KindTimestamp, KindTimestampTZ, KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		compareFixed[int64](op, a, b, n, out)
	case KindFloat4:
		compareFixed[float32](op, a, b, n, out)
		fixNaN[float32](op, a, b, n, out)
	case KindFloat8:
		compareFixed[float64](op, a, b, n, out)
		fixNaN[float64](op, a, b, n, out)
	case KindText, KindVarchar, KindBytea, KindUnknown, KindName, KindChar:
		compareBytes(op, a, b, n, out)
	case KindInterval:
		x, y := intervalGetter(a), intervalGetter(b)
		compareRows(op, n, bitmap{bits: valid}, out, func(i int) int { return CompareInterval(x(i), y(i)) })
	default:
		compareRows(op, n, bitmap{bits: valid}, out, func(i int) int { return compareAny(t, a, b, i) })
	}
	return makeBool(n, out, valid, nulls)
}

// compareAny compares row i of two operands of any type (the slow path for
// rare types: bool, numeric, jsonb).
func compareAny(t Type, a, b operand, i int) int {
	if a.arr != nil && b.arr != nil {
		return CompareAt(a.arr, i, b.arr, i, t)
	}
	return CompareDatum(t, datumAt(a, t, i), datumAt(b, t, i))
}

// datumAt is row i of an operand as a Datum (slow path for rare types).
func datumAt(o operand, t Type, i int) Datum {
	if o.arr == nil {
		return o.val
	}
	return ValueAt(o.arr, t, i)
}

// compareFixed sets out's bits where a op b, for fixed-width values.
func compareFixed[T fixed](op cmpOp, a, b operand, n int, out []byte) {
	base, negate := op.base()
	av, ac := scalarOrColumn[T](a)
	bv, bc := scalarOrColumn[T](b)
	switch {
	case av != nil && bv != nil:
		cmpColCol(base, av, bv, out)
	case av != nil:
		cmpColConst(base, av, bc, out)
	case bv != nil:
		// c op x is x op' c with the comparison mirrored.
		cmpColConst(base.mirror(), bv, ac, out)
	default:
		cmpColConst(base, broadcast(ac, n), bc, out)
	}
	if negate {
		for i := range out {
			out[i] = ^out[i]
		}
	}
}

// b2u is 1 for true.
func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// cmpColCol sets bit i of out to a[i] op b[i] (op: eq, lt or gt).
func cmpColCol[T fixed](op cmpOp, a, b []T, out []byte) {
	b = b[:len(a)]
	switch op {
	case cmpEq:
		for i := range a {
			out[i>>3] |= b2u(a[i] == b[i]) << (i & 7)
		}
	case cmpLt:
		for i := range a {
			out[i>>3] |= b2u(a[i] < b[i]) << (i & 7)
		}
	default:
		for i := range a {
			out[i>>3] |= b2u(a[i] > b[i]) << (i & 7)
		}
	}
}

// cmpColConst sets bit i of out to a[i] op c (op: eq, lt or gt).
func cmpColConst[T fixed](op cmpOp, a []T, c T, out []byte) {
	switch op {
	case cmpEq:
		for i := range a {
			out[i>>3] |= b2u(a[i] == c) << (i & 7)
		}
	case cmpLt:
		for i := range a {
			out[i>>3] |= b2u(a[i] < c) << (i & 7)
		}
	default:
		for i := range a {
			out[i>>3] |= b2u(a[i] > c) << (i & 7)
		}
	}
}

// fixNaN recomputes the rows where a side is NaN: Postgres orders NaN above
// every other value and equal to itself.
func fixNaN[T float32 | float64](op cmpOp, a, b operand, n int, out []byte) {
	av, ac := scalarOrColumn[T](a)
	bv, bc := scalarOrColumn[T](b)
	for i := 0; i < n; i++ {
		x, y := ac, bc
		if av != nil {
			x = av[i]
		}
		if bv != nil {
			y = bv[i]
		}
		if x == x && y == y {
			continue
		}
		if op.holds(CompareFloat(float64(x), float64(y))) {
			out[i>>3] |= 1 << (i & 7)
		} else {
			out[i>>3] &^= 1 << (i & 7)
		}
	}
}

// compareBytes sets out's bits where a op b, comparing strings bytewise
// (the C collation).
func compareBytes(op cmpOp, a, b operand, n int, out []byte) {
	var ao, bo []int32
	var ad, bd, ac, bc []byte
	if a.arr != nil {
		ao, ad = RawBytes(a.arr)
	} else {
		ac = constBytes(a.val)
	}
	if b.arr != nil {
		bo, bd = RawBytes(b.arr)
	} else {
		bc = constBytes(b.val)
	}
	for i := 0; i < n; i++ {
		x, y := ac, bc
		if ao != nil {
			x = ad[ao[i]:ao[i+1]]
		}
		if bo != nil {
			y = bd[bo[i]:bo[i+1]]
		}
		var ok bool
		if op == cmpEq || op == cmpNe {
			ok = bytes.Equal(x, y) == (op == cmpEq)
		} else {
			ok = op.holds(bytes.Compare(x, y))
		}
		out[i>>3] |= b2u(ok) << (i & 7)
	}
}

// constBytes is the bytes of a string-like constant.
func constBytes(d Datum) []byte {
	switch v := d.(type) {
	case string:
		return []byte(v)
	case []byte:
		return v
	case JSONValue:
		return []byte(v)
	case ArrayValue:
		return []byte(v)
	case *apd.Decimal:
		return []byte(FormatNumeric(v))
	}
	return nil
}

// compareRows sets out's bits where cmp(i) satisfies op, for the valid
// rows of vm.
func compareRows(op cmpOp, n int, vm bitmap, out []byte, cmp func(i int) int) {
	for i := 0; i < n; i++ {
		if vm.get(i) {
			out[i>>3] |= b2u(op.holds(cmp(i))) << (i & 7)
		}
	}
}
