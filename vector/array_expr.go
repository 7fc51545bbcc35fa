package vector

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// Array expressions: the ARRAY[…] constructor, subscripts, op ANY|ALL
// (array) and concatenation.

// arrayReader takes apart the rows of an array operand, reusing the last
// value when a row holds the same text (always, for a constant).
type arrayReader struct {
	t    Type
	o    operand
	last []byte
	val  arrayVal
	ok   bool
}

// at is the array of row i, which must not be NULL.
func (r *arrayReader) at(i int) (arrayVal, error) {
	var s []byte
	switch {
	case r.o.arr == nil && r.ok:
		return r.val, nil
	case r.o.arr == nil:
		s = []byte(r.o.val.(ArrayValue))
	default:
		s = rowBytes(r.o.arr, i)
	}
	if r.ok && string(s) == string(r.last) {
		return r.val, nil
	}
	v, err := decodeArray(r.t, string(s))
	if err != nil {
		return arrayVal{}, err
	}
	r.last, r.val, r.ok = append(r.last[:0], s...), v, true
	return v, nil
}

// NewArrayCtor is ARRAY[elems…]: an array of the common type of the
// elements (text when all are unknown). ARRAY[] cannot be typed (42P18:
// the planner types ARRAY[]::t[] itself); elements that are arrays would
// make a multidimensional array (0A000).
func NewArrayCtor(elems []Expr) (Expr, error) {
	if len(elems) == 0 {
		e := Errorf(CodeIndeterminateDatatype, "cannot determine type of empty array")
		e.Hint = "Explicitly cast to the desired type, for example ARRAY[]::integer[]."
		return nil, e
	}
	types := make([]Type, len(elems))
	for i, e := range elems {
		types[i] = e.Type()
	}
	t, err := CommonTypeIn("ARRAY", types)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Kind.IsArray():
		return nil, errMultiDim()
	case ArrayOfKind(t.Kind).OID() == 0:
		return nil, Errorf(CodeFeatureNotSupported, "arrays of %s are not supported", t.Name())
	}
	elem := Type{Kind: t.Kind}
	args := make([]Expr, len(elems))
	for i, e := range elems {
		if args[i], err = Coerce(e, elem); err != nil {
			return nil, err
		}
	}
	at := ArrayOfKind(elem.Kind)
	return newCall("ARRAY", false, at, args, func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		cols := make([]arrow.Array, len(ops))
		for k, o := range ops {
			cols[k] = o.column(elem, n)
		}
		sb := newStringBuilder(n, n*8*len(cols))
		var scratch []byte
		for i := 0; i < n; i++ {
			sb.data = append(sb.data, '{')
			for k, c := range cols {
				if k > 0 {
					sb.data = append(sb.data, ',')
				}
				if c.IsNull(i) {
					sb.data = append(sb.data, "NULL"...)
					continue
				}
				scratch = AppendText(scratch[:0], c, elem, i, time.UTC)
				sb.data = appendArrayElem(sb.data, scratch)
			}
			sb.data = append(sb.data, '}')
			sb.next()
		}
		return sb.finish(at), nil
	}, immutable)
}

// NewSubscript is base[index]: the element of an array at that index
// (counted from the array's first index: 1, or 0 for int2vector and
// oidvector), NULL when out of range; for a name, its byte at a 0-based
// index as a "char". Other types cannot be subscripted (42804).
func NewSubscript(base, index Expr) (Expr, error) {
	bt := base.Type()
	if !bt.Kind.IsArray() && bt.Kind != KindName {
		return nil, Errorf(CodeDatatypeMismatch, "cannot subscript type %s because it does not support subscripting", bt.Name())
	}
	idx, err := Coerce(index, Int4)
	if err != nil {
		return nil, Errorf(CodeDatatypeMismatch, "array subscript must have type integer")
	}
	if bt.Kind == KindName {
		return newCall("[]", false, Char, []Expr{base, idx}, textFn(Char, true, nameByte), immutable)
	}
	elem := bt.ElemType()
	return newCall("[]", false, elem, []Expr{base, idx}, func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		rd := &arrayReader{t: bt, o: ops[0]}
		r := newRow(ops)
		out := NewBuilder(elem, n)
		for r.i = 0; r.i < n; r.i++ {
			if r.anyNull() {
				out.AppendNull()
				continue
			}
			a, err := rd.at(r.i)
			if err != nil {
				return nil, err
			}
			pos := r.int(1) - int64(a.lower)
			if pos < 0 || pos >= int64(a.n()) {
				out.AppendNull()
				continue
			}
			out.AppendFrom(a.elems, int(pos))
		}
		return out.Finish(), nil
	}, immutable)
}

// NewSlice is base[lower:upper]: the elements of an array from index
// lower to upper (an omitted bound, nil, is the array's own), an array
// from index 1 of the array type base acts as; empty when the range holds
// no element, NULL when a bound is NULL.
func NewSlice(base, lower, upper Expr) (Expr, error) {
	bt := base.Type()
	if !bt.Kind.IsArray() {
		return nil, Errorf(CodeDatatypeMismatch, "cannot subscript type %s because it does not support subscripting", bt.Name())
	}
	args := []Expr{base}
	bounds := []int{-1, -1} // argument of each bound, -1 when omitted
	for k, b := range []Expr{lower, upper} {
		if b == nil {
			continue
		}
		x, err := Coerce(b, Int4)
		if err != nil {
			return nil, Errorf(CodeDatatypeMismatch, "array subscript must have type integer")
		}
		bounds[k] = len(args)
		args = append(args, x)
	}
	at, elem := bt.AsArray(), bt.ElemType()
	return newCall("[:]", false, at, args, func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		rd := &arrayReader{t: bt, o: ops[0]}
		r := newRow(ops)
		out := NewBuilder(at, n)
		for r.i = 0; r.i < n; r.i++ {
			if r.anyNull() {
				out.AppendNull()
				continue
			}
			a, err := rd.at(r.i)
			if err != nil {
				return nil, err
			}
			lo, hi := int64(a.lower), a.upper()
			if bounds[0] > 0 {
				lo = max(lo, r.int(bounds[0]))
			}
			if bounds[1] > 0 {
				hi = min(hi, r.int(bounds[1]))
			}
			eb := NewBuilder(elem, int(max(hi-lo+1, 0)))
			for k := lo; k <= hi; k++ {
				eb.AppendFrom(a.elems, int(k-int64(a.lower)))
			}
			out.Append(encodeArray(at, arrayVal{lower: 1, elems: eb.Finish()}))
		}
		return out.Finish(), nil
	}, immutable)
}

// nameByte is name[i]: the byte at 0-based index i of a name, the zero
// "char" past its end within the type's 64 bytes, NULL beyond.
func nameByte(dst []byte, r *row) ([]byte, bool, error) {
	s, i := r.str(0), r.int(1)
	switch {
	case i < 0 || i > nameMaxBytes:
		return dst, true, nil
	case i < int64(len(s)):
		return append(dst, s[i]), false, nil
	}
	return dst, false, nil
}

// NewArrayCompare is `left op ANY (array)` (all false) or `left op ALL
// (array)`: op compares left with each element, and the results combine
// as OR (ANY) or AND (ALL) with SQL's NULL logic; an empty array gives
// false for ANY and true for ALL, a NULL array NULL. An untyped literal on
// the right is read as an array of left's type. A right side that is not
// an array is 42809.
func NewArrayCompare(op string, left, arr Expr, all bool) (Expr, error) {
	cop, ok := cmpOps[op]
	if !ok {
		return nil, Errorf(CodeFeatureNotSupported, "operator %s with ANY/ALL (array) is not supported", op)
	}
	if arr.Type().Kind == KindUnknown {
		lt := left.Type()
		if lt.Kind == KindUnknown {
			lt = Text
		}
		var err error
		if arr, err = Coerce(arr, ArrayOfKind(lt.Kind)); err != nil {
			return nil, err
		}
	}
	at := arr.Type()
	if !at.Kind.IsArray() {
		return nil, Errorf(CodeWrongObjectType, "op ANY/ALL (array) requires array on right side")
	}
	elem := at.ElemType()
	l, _, t, err := compareOperands(op, left, NewConst(nil, elem))
	if err != nil {
		return nil, err
	}
	if l, err = Coerce(l, t); err != nil {
		return nil, err
	}
	name := op + " ANY"
	if all {
		name = op + " ALL"
	}
	return newCall(name, true, Bool, []Expr{l, arr}, func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		x, a := ops[0], ops[1]
		if a.isNull() {
			return nullColumn(Bool, n), nil
		}
		rd := &arrayReader{t: at, o: a}
		cast := func(v arrayVal) (arrow.Array, error) { return castArray(ctx, v.elems, elem, t, false) }
		if a.arr == nil {
			v, err := rd.at(0)
			if err != nil {
				return nil, err
			}
			elems, err := cast(v)
			if err != nil {
				return nil, err
			}
			acc := newQuantified(n, all)
			for k := 0; k < elems.Len(); k++ {
				acc.add(compareColumns(cop, t, x, operand{val: ValueAt(elems, t, k)}, n))
			}
			return acc.finish(), nil
		}
		acc := newQuantified(n, all)
		for i := 0; i < n; i++ {
			if a.arr.IsNull(i) {
				acc.setNull(i)
				continue
			}
			v, err := rd.at(i)
			if err != nil {
				return nil, err
			}
			elems, err := cast(v)
			if err != nil {
				return nil, err
			}
			c := compareColumns(cop, t, operand{val: datumAt(x, t, i)}, operand{arr: elems}, elems.Len())
			acc.addRow(i, c)
		}
		return acc.finish(), nil
	}, immutable)
}

// quantified accumulates ANY (OR) or ALL (AND) over comparison results per
// row, with SQL's NULL logic: for ANY a true decides, else a NULL makes
// NULL; for ALL a false decides, else a NULL makes NULL. A row that saw no
// comparison is false for ANY and true for ALL.
type quantified struct {
	all      bool
	decided  []byte // rows whose result is fixed (a true for ANY, a false for ALL)
	sawNull  []byte
	nullRows []byte // rows that are NULL whatever follows (a NULL array)
	n        int
}

func newQuantified(n int, all bool) *quantified {
	return &quantified{all: all, decided: newBits(n), sawNull: newBits(n), nullRows: newBits(n), n: n}
}

// add folds one comparison per row (a boolean column of n rows).
func (q *quantified) add(c arrow.Array) {
	for i := 0; i < q.n; i++ {
		q.fold(i, c, i)
	}
}

// addRow folds every comparison of column c into row i.
func (q *quantified) addRow(i int, c arrow.Array) {
	for k := 0; k < c.Len(); k++ {
		q.fold(i, c, k)
	}
}

// fold folds value k of the boolean column c into row i.
func (q *quantified) fold(i int, c arrow.Array, k int) {
	switch {
	case c.IsNull(k):
		bitutil.SetBit(q.sawNull, i)
	case c.(*array.Boolean).Value(k) != q.all:
		bitutil.SetBit(q.decided, i)
	}
}

// setNull makes row i NULL.
func (q *quantified) setNull(i int) { bitutil.SetBit(q.nullRows, i) }

// finish builds the boolean result.
func (q *quantified) finish() arrow.Array {
	bits, valid := newBits(q.n), newBits(q.n)
	nulls := 0
	for i := 0; i < q.n; i++ {
		decided := bitutil.BitIsSet(q.decided, i)
		switch {
		case bitutil.BitIsSet(q.nullRows, i), !decided && bitutil.BitIsSet(q.sawNull, i):
			nulls++
			continue
		case decided != q.all:
			bitutil.SetBit(bits, i)
		}
		bitutil.SetBit(valid, i)
	}
	return makeBool(q.n, bits, valid, nulls)
}
