package vector

import (
	"bytes"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The array functions and the || operator on arrays. An argument that
// must be an array and is not fails as a call of an unknown function
// (42883); int2vector and oidvector are taken as arrays from index 0.

// anyArray is an overload parameter standing for any array (checked by
// the overload's build function).
var anyArray = anyType

func init() {
	register("array_to_string",
		overload{params: []Type{anyArray, Text}, ret: Text, build: arrayFunc("array_to_string", Text, arrayToString)},
		overload{params: []Type{anyArray, Text, Text}, ret: Text, build: arrayFunc("array_to_string", Text, arrayToString)})
	for name, f := range map[string]func(a arrayVal) int64{
		"array_upper":  arrayVal.upper,
		"array_lower":  func(a arrayVal) int64 { return int64(a.lower) },
		"array_length": func(a arrayVal) int64 { return int64(a.n()) },
	} {
		register(name, overload{params: []Type{anyArray, Int4}, ret: Int4, build: arrayFunc(name, Int4, dimFunc(f))})
	}
	register("cardinality", overload{params: []Type{anyArray}, ret: Int4, build: arrayFunc("cardinality", Int4,
		func(_ *EvalContext, _ Type, a arrayVal, _ *row) (Datum, error) { return int32(a.n()), nil })})
	register("array_ndims", overload{params: []Type{anyArray}, ret: Int4, build: arrayFunc("array_ndims", Int4,
		func(_ *EvalContext, _ Type, a arrayVal, _ *row) (Datum, error) {
			if a.n() == 0 {
				return nil, nil
			}
			return int32(1), nil
		})})
	register("array_dims", overload{params: []Type{anyArray}, ret: Text, build: arrayFunc("array_dims", Text,
		func(_ *EvalContext, _ Type, a arrayVal, _ *row) (Datum, error) {
			if a.n() == 0 {
				return nil, nil
			}
			return "[" + strconv.Itoa(int(a.lower)) + ":" + strconv.FormatInt(a.upper(), 10) + "]", nil
		})})
	for _, params := range [][]Type{{anyArray, anyType}, {anyArray, anyType, Int4}} {
		register("array_position", overload{params: params, keepUnknown: true, ret: Int4, build: arrayPosition})
	}
	register("array_remove", overload{params: []Type{anyArray, anyType}, keepUnknown: true, build: arrayRemove})
	register("string_to_array",
		overload{params: []Type{Text, Text}, ret: ArrayOfKind(KindText), fn: stringToArray},
		overload{params: []Type{Text, Text, Text}, ret: ArrayOfKind(KindText), fn: stringToArray})
	for name, mode := range map[string]concatMode{"array_cat": concatArrays, "array_append": concatAppend, "array_prepend": concatPrepend} {
		register(name, overload{params: []Type{anyType, anyType}, keepUnknown: true, build: func(args []Expr) (Expr, error) {
			return newArrayConcat(name, mode, args[0], args[1])
		}})
	}
}

// arrayBody computes a function of a non-NULL array a (of type t) at the
// current row r (whose argument 0 is the array). A nil result is NULL.
type arrayBody func(ctx *EvalContext, t Type, a arrayVal, r *row) (Datum, error)

// arrayFunc builds a strict function of an array (argument 0) and other
// arguments, returning ret. A function returning text of an array of
// timestamptz depends on the session's time zone.
func arrayFunc(name string, ret Type, body arrayBody) func(args []Expr) (Expr, error) {
	return func(args []Expr) (Expr, error) {
		t := args[0].Type()
		if !t.Kind.IsArray() {
			return nil, undefinedFunction(name, args)
		}
		vol := immutable
		if ret.Kind == KindText && t.ElemType().Kind == KindTimestampTZ {
			vol = stable
		}
		return newCall(name, false, ret, args, func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
			rd := &arrayReader{t: t, o: ops[0]}
			r := newRow(ops)
			out := NewBuilder(ret, n)
			for r.i = 0; r.i < n; r.i++ {
				if r.null(0) {
					out.AppendNull()
					continue
				}
				a, err := rd.at(r.i)
				if err != nil {
					return nil, err
				}
				d, err := body(ctx, t, a, r)
				if err != nil {
					return nil, err
				}
				out.Append(d)
			}
			return out.Finish(), nil
		}, vol)
	}
}

// dimFunc makes array_upper, array_lower or array_length: NULL unless the
// dimension asked is 1 and the array is not empty.
func dimFunc(f func(a arrayVal) int64) arrayBody {
	return func(_ *EvalContext, _ Type, a arrayVal, r *row) (Datum, error) {
		if r.null(1) || r.int(1) != 1 || a.n() == 0 {
			return nil, nil
		}
		return int32(f(a)), nil
	}
}

// arrayToString is array_to_string(array, sep [, null_string]): the
// elements' text joined by sep; NULL elements are skipped, or shown as
// null_string when it is given and not NULL.
func arrayToString(ctx *EvalContext, t Type, a arrayVal, r *row) (Datum, error) {
	if r.null(1) {
		return nil, nil
	}
	var out []byte
	sep := r.str(1)
	var nullText []byte
	hasNull := len(r.ops) > 2 && !r.null(2)
	if hasNull {
		nullText = r.str(2)
	}
	elem := t.ElemType()
	first := true
	for i := 0; i < a.n(); i++ {
		if a.elems.IsNull(i) && !hasNull {
			continue
		}
		if !first {
			out = append(out, sep...)
		}
		first = false
		if a.elems.IsNull(i) {
			out = append(out, nullText...)
			continue
		}
		out = AppendText(out, a.elems, elem, i, ctx.location())
	}
	return string(out), nil
}

// arrayPosition is array_position(array, value [, start]): the index of
// the first element not distinct from value (at or after start), or NULL.
func arrayPosition(args []Expr) (Expr, error) {
	t := args[0].Type()
	if !t.Kind.IsArray() {
		return nil, undefinedFunction("array_position", args)
	}
	elem := t.ElemType()
	v, err := Coerce(args[1], elem)
	if err != nil {
		return nil, undefinedFunction("array_position", args)
	}
	args = append([]Expr{args[0], v}, args[2:]...)
	return newCall("array_position", false, Int4, args, func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		rd := &arrayReader{t: t, o: ops[0]}
		r := newRow(ops)
		out := NewBuilder(Int4, n)
		for r.i = 0; r.i < n; r.i++ {
			if r.null(0) || len(ops) > 2 && r.null(2) {
				out.AppendNull()
				continue
			}
			a, err := rd.at(r.i)
			if err != nil {
				return nil, err
			}
			from := 0
			if len(ops) > 2 {
				from = int(max(r.int(2)-int64(a.lower), 0))
			}
			pos := findElem(a, elem, datumAt(ops[1], elem, r.i), from)
			if pos < 0 {
				out.AppendNull()
				continue
			}
			out.Append(int32(int64(pos) + int64(a.lower)))
		}
		return out.Finish(), nil
	}, immutable)
}

// findElem is the position (0-based) of the first element of a at or
// after from that is not distinct from v (of type elem), or -1.
func findElem(a arrayVal, elem Type, v Datum, from int) int {
	for k := from; k < a.n(); k++ {
		if elemIs(a.elems, elem, k, v) {
			return k
		}
	}
	return -1
}

// elemIs reports whether element k of elems (of type elem) is not
// distinct from v.
func elemIs(elems arrow.Array, elem Type, k int, v Datum) bool {
	if elems.IsNull(k) || v == nil {
		return elems.IsNull(k) && v == nil
	}
	return CompareDatum(elem, ValueAt(elems, elem, k), v) == 0
}

// arrayRemove is array_remove(array, value): the array without the
// elements not distinct from value.
func arrayRemove(args []Expr) (Expr, error) {
	t := args[0].Type()
	if !t.Kind.IsArray() {
		return nil, undefinedFunction("array_remove", args)
	}
	at, elem := t.AsArray(), t.ElemType()
	v, err := Coerce(args[1], elem)
	if err != nil {
		return nil, undefinedFunction("array_remove", args)
	}
	return newCall("array_remove", false, at, []Expr{args[0], v}, func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		rd := &arrayReader{t: t, o: ops[0]}
		out := NewBuilder(at, n)
		for i := 0; i < n; i++ {
			if operandIsNull(ops[0], i) {
				out.AppendNull()
				continue
			}
			a, err := rd.at(i)
			if err != nil {
				return nil, err
			}
			x := datumAt(ops[1], elem, i)
			keep := NewBuilder(elem, a.n())
			for k := 0; k < a.n(); k++ {
				if !elemIs(a.elems, elem, k, x) {
					keep.AppendFrom(a.elems, k)
				}
			}
			kept := arrayVal{lower: a.lower, elems: keep.Finish()}
			if kept.n() == 0 || t.Kind != KindArray {
				kept.lower = 1
			}
			out.Append(encodeArray(at, kept))
		}
		return out.Finish(), nil
	}, immutable)
}

// operandIsNull reports whether operand o is NULL at row i.
func operandIsNull(o operand, i int) bool {
	if o.arr == nil {
		return o.val == nil
	}
	return o.arr.IsNull(i)
}

// stringToArray is string_to_array(text, sep [, null_string]): text split
// at each sep (each character when sep is NULL, not at all when it is
// empty; an empty text is an empty array), elements equal to null_string
// NULL.
func stringToArray(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
	r := newRow(ops)
	out := NewBuilder(ArrayOfKind(KindText), n)
	for r.i = 0; r.i < n; r.i++ {
		if r.null(0) {
			out.AppendNull()
			continue
		}
		s := r.str(0)
		var parts [][]byte
		switch {
		case len(s) == 0:
		case r.null(1):
			for _, c := range string(s) {
				parts = append(parts, []byte(string(c)))
			}
		case len(r.str(1)) == 0:
			parts = [][]byte{s}
		default:
			parts = bytes.Split(s, r.str(1))
		}
		vals := make([]Datum, len(parts))
		for k, p := range parts {
			if len(ops) > 2 && !r.null(2) && bytes.Equal(p, r.str(2)) {
				continue
			}
			vals[k] = string(p)
		}
		out.Append(NewArrayValue(Text, vals))
	}
	return out.Finish(), nil
}

// concatMode says what an array concatenation joins.
type concatMode uint8

const (
	concatAuto    concatMode = iota // ||: by the types of its sides
	concatArrays                    // array_cat(array, array)
	concatAppend                    // array_append(array, element)
	concatPrepend                   // array_prepend(element, array)
)

// hasArraySide reports whether a side of a binary operator is an array:
// then || concatenates arrays, @> and <@ test containment of elements.
func hasArraySide(l, r Expr) bool { return l.Type().Kind.IsArray() || r.Type().Kind.IsArray() }

// newArrayConcat builds array_cat, array_append, array_prepend or || on
// arrays. The result is an array of the common type of the elements of
// both sides; an untyped literal beside an array is an array. Concatenated
// arrays keep the first index of the left one (of the right one when the
// left is empty); appending or prepending keeps the array's. A NULL array
// counts as empty, unless both sides of array_cat are NULL.
func newArrayConcat(name string, mode concatMode, l, r Expr) (Expr, error) {
	lt, rt := l.Type(), r.Type()
	if mode == concatAuto {
		switch {
		case lt.Kind.IsArray() && (rt.Kind.IsArray() || rt.Kind == KindUnknown),
			lt.Kind == KindUnknown && rt.Kind.IsArray():
			mode = concatArrays
		case lt.Kind.IsArray():
			mode = concatAppend
		default:
			mode = concatPrepend
		}
	}
	lArr, rArr := mode != concatPrepend, mode != concatAppend
	fail := func() error {
		if name == "||" {
			return undefinedOperator(name, l, r)
		}
		return undefinedFunction(name, []Expr{l, r})
	}
	var elems []Type
	for _, s := range []struct {
		t     Type
		array bool
	}{{lt, lArr}, {rt, rArr}} {
		switch {
		case s.t.Kind == KindUnknown:
		case s.array != s.t.Kind.IsArray():
			return nil, fail()
		case s.array:
			elems = append(elems, s.t.ElemType())
		default:
			elems = append(elems, s.t)
		}
	}
	e, err := CommonTypeIn("", elems)
	if err != nil {
		return nil, fail()
	}
	elem := Type{Kind: e.Kind}
	at := ArrayOfKind(elem.Kind)
	sideType := func(isArr bool) Type {
		if isArr {
			return at
		}
		return elem
	}
	if l, err = Coerce(l, sideType(lArr)); err != nil {
		return nil, err
	}
	if r, err = Coerce(r, sideType(rArr)); err != nil {
		return nil, err
	}
	return newCall(name, name == "||", at, []Expr{l, r}, func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		side := func(k int, isArr bool) func(i int) (arrayVal, bool, error) {
			if isArr {
				rd := &arrayReader{t: at, o: ops[k]}
				return func(i int) (arrayVal, bool, error) {
					if operandIsNull(ops[k], i) {
						return arrayVal{lower: 1, elems: nullColumn(elem, 0)}, false, nil
					}
					a, err := rd.at(i)
					return a, true, err
				}
			}
			col := ops[k].column(elem, n)
			return func(i int) (arrayVal, bool, error) {
				return arrayVal{lower: 1, elems: array.NewSlice(col, int64(i), int64(i+1))}, true, nil
			}
		}
		left, right := side(0, lArr), side(1, rArr)
		out := NewBuilder(at, n)
		for i := 0; i < n; i++ {
			a, aok, err := left(i)
			if err != nil {
				return nil, err
			}
			b, bok, err := right(i)
			if err != nil {
				return nil, err
			}
			if !aok && !bok {
				out.AppendNull()
				continue
			}
			out.Append(encodeArray(at, joinArrays(elem, a, b, mode)))
		}
		return out.Finish(), nil
	}, immutable)
}

// joinArrays is a's elements followed by b's, from the first index of the
// array side that is not empty (the left one first; for a prepend, b's).
func joinArrays(elem Type, a, b arrayVal, mode concatMode) arrayVal {
	eb := NewBuilder(elem, a.n()+b.n())
	for _, s := range []arrayVal{a, b} {
		for k := 0; k < s.n(); k++ {
			eb.AppendFrom(s.elems, k)
		}
	}
	lower := int32(1)
	switch {
	case mode == concatPrepend:
		if b.n() > 0 {
			lower = b.lower
		}
	case a.n() > 0:
		lower = a.lower
	case mode == concatArrays && b.n() > 0:
		lower = b.lower
	}
	return arrayVal{lower: lower, elems: eb.Finish()}
}

// newArrayContains builds @> (left contains every element of right), <@
// (left is contained in right) and && (the arrays share an element) over
// two arrays of one type; an untyped literal is an array of the other
// side's type. NULL elements match nothing: '{1,NULL}' @> '{NULL}' is
// false.
func newArrayContains(op string, l, r Expr) (Expr, error) {
	l, r, err := resolveUnknown(l, r)
	if err != nil {
		return nil, err
	}
	lt, rt := l.Type(), r.Type()
	if !lt.Kind.IsArray() || lt.unmodified() != rt.unmodified() {
		return nil, undefinedOperator(op, l, r)
	}
	elem := lt.ElemType()
	return newCall(op, true, Bool, []Expr{l, r}, func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		left, right := &arrayReader{t: lt, o: ops[0]}, &arrayReader{t: rt, o: ops[1]}
		return boolFn(func(r *row) (bool, error) {
			a, err := left.at(r.i)
			if err != nil {
				return false, err
			}
			b, err := right.at(r.i)
			if err != nil {
				return false, err
			}
			switch op {
			case "@>":
				return containsAll(elem, a, b), nil
			case "<@":
				return containsAll(elem, b, a), nil
			}
			for k := 0; k < b.n(); k++ {
				if !b.elems.IsNull(k) && findElem(a, elem, ValueAt(b.elems, elem, k), 0) >= 0 {
					return true, nil
				}
			}
			return false, nil
		})(ctx, ops, n)
	}, immutable)
}

// containsAll reports whether every element of b is a non-NULL element of
// a.
func containsAll(elem Type, a, b arrayVal) bool {
	for k := 0; k < b.n(); k++ {
		if b.elems.IsNull(k) || findElem(a, elem, ValueAt(b.elems, elem, k), 0) < 0 {
			return false
		}
	}
	return true
}
