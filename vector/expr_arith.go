package vector

import (
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/apd/v3"
)

// NewBinary builds the binary operator op over l and r, resolving operand
// types as Postgres does: an unknown literal or untyped parameter takes the
// other side's type, mixed numbers widen (int2 < int4 < int8 < numeric <
// float8, float4 with anything else → float8). A combination without an
// operator is 42883 "operator does not exist: integer + text".
func NewBinary(op string, l, r Expr) (Expr, error) {
	switch op {
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		return newCompare(op, l, r)
	case "~~", "~~*", "!~~", "!~~*":
		return NewLike(l, r, nil, op == "~~*" || op == "!~~*", op[0] == '!')
	case "~", "~*", "!~", "!~*":
		return newRegexMatch(l, r, op == "~*" || op == "!~*", op[0] == '!')
	case "||":
		if hasArraySide(l, r) {
			return newArrayConcat("||", concatAuto, l, r)
		}
		return newConcatOp(l, r)
	case "->", "->>", "#>", "#>>", "@>", "<@":
		if (op == "@>" || op == "<@") && hasArraySide(l, r) {
			return newArrayContains(op, l, r)
		}
		return newJSONOp(op, l, r)
	case "&&":
		return newArrayContains(op, l, r)
	case "&", "|", "#", "<<", ">>":
		return newBitwise(op, l, r)
	case "+", "-", "*", "/", "%", "^":
		return newArith(op, l, r)
	}
	return nil, undefinedOperator(op, l, r)
}

// undefinedOperator is Postgres' error for an operator without a match.
func undefinedOperator(op string, l, r Expr) error {
	e := Errorf(CodeUndefinedFunction, "operator does not exist: %s %s %s", l.Type(), op, r.Type())
	e.Hint = "No operator matches the given name and argument types. You might need to add explicit type casts."
	return e
}

// resolveUnknown gives an unknown side the type of the other side (text
// when both are unknown).
func resolveUnknown(l, r Expr) (Expr, Expr, error) {
	lk, rk := l.Type().Kind, r.Type().Kind
	var err error
	switch {
	case lk == KindUnknown && rk == KindUnknown:
		if l, err = Coerce(l, Text); err == nil {
			r, err = Coerce(r, Text)
		}
	case lk == KindUnknown:
		l, err = Coerce(l, r.Type())
	case rk == KindUnknown:
		r, err = Coerce(r, l.Type())
	}
	return l, r, err
}

// numericCommon is the type two numbers are computed in.
func numericCommon(a, b Type) Type {
	switch {
	case a.Kind == b.Kind:
		if a.Kind == KindNumeric {
			return Numeric
		}
		return a
	case a.Kind == KindFloat4 || a.Kind == KindFloat8 || b.Kind == KindFloat4 || b.Kind == KindFloat8:
		return Float8
	case a.Kind > b.Kind:
		return Type{Kind: a.Kind}
	}
	return Type{Kind: b.Kind}
}

// coerceBoth coerces l and r to t.
func coerceBoth(l, r Expr, t Type) (Expr, Expr, error) {
	l, err := coerceOperand(l, t)
	if err != nil {
		return nil, nil, err
	}
	r, err = coerceOperand(r, t)
	return l, r, err
}

// coerceOperand coerces an operator's operand to t, leaving it alone when
// its values already have t's physical form and order (numeric(p,s) for
// numeric, varchar and name for text): operators ignore type modifiers.
// "char" is converted to its text form.
func coerceOperand(e Expr, t Type) (Expr, error) {
	k := e.Type().Kind
	if k == t.Kind || (k.IsString() && t.Kind.IsString() && k != KindChar && t.Kind != KindChar) {
		return e, nil
	}
	return Coerce(e, t)
}

// newArith builds + - * / % ^ over numbers, dates, timestamps and intervals.
func newArith(op string, l, r Expr) (Expr, error) {
	l, r, err := resolveUnknown(l, r)
	if err != nil {
		return nil, err
	}
	lt, rt := l.Type(), r.Type()
	if !lt.Kind.IsNumeric() || !rt.Kind.IsNumeric() {
		return newTemporalArith(op, l, r)
	}
	t := numericCommon(lt, rt)
	if op == "^" {
		if t.Kind != KindNumeric {
			t = Float8
		}
		l, r, err = coerceBoth(l, r, t)
		if err != nil {
			return nil, err
		}
		return newCall(op, true, t, []Expr{l, r}, powFn(t), immutable)
	}
	if op == "%" && (t.Kind == KindFloat4 || t.Kind == KindFloat8) {
		return nil, undefinedOperator(op, l, r)
	}
	l, r, err = coerceBoth(l, r, t)
	if err != nil {
		return nil, err
	}
	a := arithOps[op]
	var fn evalFn
	switch t.Kind {
	case KindInt2, KindInt4, KindInt8:
		fn = intArithFnFor(a, t)
	case KindFloat4:
		fn = floatArithFn[float32](a, t)
	case KindFloat8:
		fn = floatArithFn[float64](a, t)
	default:
		fn = numericArithFn(a)
	}
	return newCall(op, true, t, []Expr{l, r}, fn, immutable)
}

// arithOp is one of the five arithmetic operators on numbers.
type arithOp uint8

const (
	opAdd arithOp = iota
	opSub
	opMul
	opDiv
	opMod
)

var arithOps = map[string]arithOp{"+": opAdd, "-": opSub, "*": opMul, "/": opDiv, "%": opMod}

// errDivByZero is Postgres' division by zero.
func errDivByZero() error { return Errorf(CodeDivisionByZero, "division by zero") }

// binaryShape evaluates the common preamble of a strict binary kernel: the
// result is all NULL when a constant side is NULL; otherwise it returns the
// output validity.
func binaryShape(t Type, a, b operand, n int) (valid []byte, nulls int, allNull arrow.Array) {
	if a.isNull() || b.isNull() {
		return nil, 0, nullColumn(t, n)
	}
	valid, nulls = andValidity(n, a.arr, b.arr)
	return valid, nulls, nil
}

// scalarOrColumn returns the values of o as a slice of n elements when it
// is a column, or (nil, its constant) when it is a constant.
func scalarOrColumn[T fixed](o operand) ([]T, T) {
	if o.arr != nil {
		var z T
		return values[T](o.arr), z
	}
	return nil, datumAs[T](o.val)
}

// columnValues returns the values of o as n elements: a column's own
// values, or n copies of a constant.
func columnValues[T fixed](o operand, n int) []T {
	v, c := scalarOrColumn[T](o)
	if v == nil {
		return broadcast(c, n)
	}
	return v
}

// broadcast returns n copies of v.
func broadcast[T any](v T, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// intArithFn is + - * / % over a signed integer type T with Postgres'
// checks: overflow is 22003, a zero divisor 22012. Values under NULL
// rows are computed but never raise an error.
func intArithFn[T signed](op arithOp, t Type) evalFn {
	return func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		valid, nulls, allNull := binaryShape(t, args[0], args[1], n)
		if allNull != nil {
			return allNull, nil
		}
		av := columnValues[T](args[0], n)
		bv, bc := scalarOrColumn[T](args[1])
		out := make([]T, n)
		vm := bitmap{bits: valid}
		var bad int
		if bv == nil {
			bad = intArithConst(op, out, av, bc, vm)
		} else {
			bad = intArithCols(op, out, av, bv, vm)
		}
		switch bad {
		case badOverflow:
			return nil, Errorf(CodeNumericValueOutOfRange, "%s", intRangeMsg(t))
		case badZero:
			return nil, errDivByZero()
		}
		return makeFixed(t, out, valid, nulls), nil
	}
}

// Outcomes of an integer kernel.
const (
	badNone = iota
	badOverflow
	badZero
)

// intArithCols computes out[i] = a[i] op b[i]; it reports the first error
// met on a valid row. Addition and subtraction accumulate the overflow
// flags without branching and look for the culprit row only when one is set.
func intArithCols[T signed](op arithOp, out, a, b []T, vm bitmap) int {
	b = b[:len(a)]
	out = out[:len(a)]
	var ovf T
	switch op {
	case opAdd:
		for i := range a {
			r := a[i] + b[i]
			ovf |= addOverflow(a[i], b[i], r)
			out[i] = r
		}
		if ovf < 0 {
			return firstBad(vm, overflowRows(a, b, out, addOverflow))
		}
	case opSub:
		for i := range a {
			r := a[i] - b[i]
			ovf |= subOverflow(a[i], b[i], r)
			out[i] = r
		}
		if ovf < 0 {
			return firstBad(vm, overflowRows(a, b, out, subOverflow))
		}
	case opMul:
		for i := range a {
			r, bad := mulChecked(a[i], b[i])
			if bad && vm.get(i) {
				return badOverflow
			}
			out[i] = r
		}
	default:
		for i := range a {
			r, bad := divMod(op, a[i], b[i])
			if bad != badNone && vm.get(i) {
				return bad
			}
			out[i] = r
		}
	}
	return badNone
}

// firstBad reports overflow when some valid row is among the rows that
// overflowed. It is the slow path, taken only when some row overflowed;
// keeping it out of line keeps the hot loops free of closures.
func firstBad(vm bitmap, rows []int) int {
	for _, i := range rows {
		if vm.get(i) {
			return badOverflow
		}
	}
	return badNone
}

// addOverflow is negative exactly when a + b = r overflowed: r's sign
// differs from the signs of both a and b.
func addOverflow[T signed](a, b, r T) T { return (a ^ r) & (b ^ r) }

// subOverflow is negative exactly when a - b = r overflowed: a and b differ
// in sign and r's sign differs from a's.
func subOverflow[T signed](a, b, r T) T { return (a ^ b) & (a ^ r) }

// overflowRows lists the rows i where ovf(a[i], b[i], r[i]) is negative,
// ovf being addOverflow or subOverflow.
func overflowRows[T signed](a, b, r []T, ovf func(a, b, r T) T) []int {
	var rows []int
	for i := range a {
		if ovf(a[i], b[i], r[i]) < 0 {
			rows = append(rows, i)
		}
	}
	return rows
}

// intArithConst computes out[i] = a[i] op c.
func intArithConst[T signed](op arithOp, out, a []T, c T, vm bitmap) int {
	out = out[:len(a)]
	var ovf T
	switch op {
	case opAdd:
		for i := range a {
			r := a[i] + c
			ovf |= addOverflow(a[i], c, r)
			out[i] = r
		}
		if ovf < 0 {
			return firstBad(vm, overflowRows(a, broadcast(c, len(a)), out, addOverflow))
		}
	case opSub:
		for i := range a {
			r := a[i] - c
			ovf |= subOverflow(a[i], c, r)
			out[i] = r
		}
		if ovf < 0 {
			return firstBad(vm, overflowRows(a, broadcast(c, len(a)), out, subOverflow))
		}
	case opMul:
		for i := range a {
			r, bad := mulChecked(a[i], c)
			if bad && vm.get(i) {
				return badOverflow
			}
			out[i] = r
		}
	default:
		if c == 0 {
			for i := range a {
				if vm.get(i) {
					return badZero
				}
			}
			return badNone
		}
		if c == -1 {
			for i := range a {
				r, bad := divMod(op, a[i], c)
				if bad != badNone && vm.get(i) {
					return bad
				}
				out[i] = r
			}
			return badNone
		}
		// A divisor other than 0 and -1 cannot fail.
		if op == opDiv {
			for i := range a {
				out[i] = a[i] / c
			}
		} else {
			for i := range a {
				out[i] = a[i] % c
			}
		}
	}
	return badNone
}

// mulChecked multiplies with overflow detection.
func mulChecked[T signed](a, b T) (T, bool) {
	if unsafe.Sizeof(a) < 8 {
		w := int64(a) * int64(b)
		return T(w), int64(T(w)) != w
	}
	r, ovf := mulOverflow64(int64(a), int64(b))
	return T(r), ovf
}

// divMod is truncating division or remainder as Postgres computes them:
// min / -1 overflows, min % -1 is 0.
func divMod[T signed](op arithOp, a, b T) (T, int) {
	if b == 0 {
		return 0, badZero
	}
	if b == -1 {
		if op == opMod {
			return 0, badNone
		}
		if a == minOf[T]() {
			return 0, badOverflow
		}
		return -a, badNone
	}
	if op == opDiv {
		return a / b, badNone
	}
	return a % b, badNone
}

// floatArithFn is + - * / over float32 or float64 with Postgres' checks: a
// finite computation that yields ±Inf is "value out of range: overflow", a
// non-zero product or quotient that yields 0 is "underflow", x / 0 is
// division by zero.
func floatArithFn[T float32 | float64](op arithOp, t Type) evalFn {
	return func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		valid, nulls, allNull := binaryShape(t, args[0], args[1], n)
		if allNull != nil {
			return allNull, nil
		}
		av, bv := columnValues[T](args[0], n), columnValues[T](args[1], n)
		bv = bv[:len(av)]
		out := make([]T, n)
		switch op {
		case opAdd:
			for i := range av {
				out[i] = av[i] + bv[i]
			}
		case opSub:
			for i := range av {
				out[i] = av[i] - bv[i]
			}
		case opMul:
			for i := range av {
				out[i] = av[i] * bv[i]
			}
		case opDiv:
			for i := range av {
				out[i] = av[i] / bv[i]
			}
		}
		if err := checkFloats(op, out, av, bv, bitmap{bits: valid}); err != nil {
			return nil, err
		}
		return makeFixed(t, out, valid, nulls), nil
	}
}

// checkFloats reports the Postgres error of a float computation, if any
// valid row has one.
func checkFloats[T float32 | float64](op arithOp, out, a, b []T, vm bitmap) error {
	for i, r := range out {
		if !isFinite(r) || r == 0 || (op == opDiv && b[i] == 0) {
			if !vm.get(i) {
				continue
			}
			switch {
			case op == opDiv && b[i] == 0:
				return errDivByZero()
			case isInf(r) && !isInf(a[i]) && !isInf(b[i]):
				return Errorf(CodeNumericValueOutOfRange, "value out of range: overflow")
			case r == 0 && (op == opMul || op == opDiv) && a[i] != 0 && (op == opDiv || b[i] != 0) && !isInf(b[i]):
				return Errorf(CodeNumericValueOutOfRange, "value out of range: underflow")
			}
		}
	}
	return nil
}

func isInf[T float32 | float64](f T) bool    { return math.IsInf(float64(f), 0) }
func isFinite[T float32 | float64](f T) bool { return !math.IsInf(float64(f), 0) && f == f }

// numericArithFn is + - * / % over numeric: + - * on int64 coefficients
// when the operands and the result fit (see scaledNumeric), else one
// decimal per row.
func numericArithFn(op arithOp) evalFn {
	apply := [...]func(a, b *apd.Decimal) (*apd.Decimal, error){
		opAdd: NumericAdd, opSub: NumericSub, opMul: NumericMul, opDiv: NumericDiv, opMod: NumericMod,
	}[op]
	fast := [...]func(a, b scaledNumeric) (scaledNumeric, bool){opAdd: scaledAdd, opSub: scaledSub, opMul: scaledMul, opMod: nil}[op]
	return numericScaledBinary(fast, func(a, b *apd.Decimal) (string, error) {
		r, err := apply(a, b)
		if err != nil {
			return "", err
		}
		return FormatNumeric(r), nil
	})
}

// numericBinary applies f to each pair of non-NULL numeric values of two
// numeric operands, building a numeric column of its results.
func numericBinary(f func(a, b *apd.Decimal) (string, error)) evalFn {
	return numericScaledBinary(nil, f)
}

// numericScaledBinary is numericBinary that first tries fast (when not
// nil) on the pairs whose values are scaledNumerics, and uses f for the
// others and when fast reports an overflow.
func numericScaledBinary(fast func(a, b scaledNumeric) (scaledNumeric, bool), f func(a, b *apd.Decimal) (string, error)) evalFn {
	return func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		valid, _, allNull := binaryShape(Numeric, args[0], args[1], n)
		if allNull != nil {
			return allNull, nil
		}
		vm := bitmap{bits: valid}
		ga, gb := numericGetter(args[0]), numericGetter(args[1])
		ta, tb := numericText(args[0]), numericText(args[1])
		sb := newStringBuilder(n, n*8)
		for i := 0; i < n; i++ {
			if !vm.get(i) {
				sb.appendNull()
				continue
			}
			if fast != nil {
				if a, ok := parseScaled(ta(i)); ok {
					if b, ok := parseScaled(tb(i)); ok {
						if r, ok := fast(a, b); ok {
							sb.data = appendScaled(sb.data, r)
							sb.next()
							continue
						}
					}
				}
			}
			a, err := ga(i)
			if err != nil {
				return nil, err
			}
			b, err := gb(i)
			if err != nil {
				return nil, err
			}
			s, err := f(a, b)
			if err != nil {
				return nil, err
			}
			sb.appendString(s)
		}
		return sb.finish(Numeric), nil
	}
}

// numericText returns the text of row i of a numeric operand.
func numericText(o operand) func(i int) []byte {
	if o.arr == nil {
		text := []byte(FormatNumeric(o.val.(*apd.Decimal)))
		return func(int) []byte { return text }
	}
	offs, data := RawBytes(o.arr)
	return func(i int) []byte { return data[offs[i]:offs[i+1]] }
}

// numericGetter returns the decimal of row i of a numeric operand.
func numericGetter(o operand) func(i int) (*apd.Decimal, error) {
	if o.arr == nil {
		d := o.val.(*apd.Decimal)
		return func(int) (*apd.Decimal, error) { return d, nil }
	}
	offs, data := RawBytes(o.arr)
	return func(i int) (*apd.Decimal, error) {
		return ParseNumeric(string(data[offs[i]:offs[i+1]]))
	}
}

// powFn is ^ over float8 or numeric.
func powFn(t Type) evalFn {
	if t.Kind == KindNumeric {
		return numericBinary(numericPow)
	}
	return floatBinary(func(a, b float64) (float64, error) { return pgPow(a, b) })
}

// numericPow is numeric ^ numeric, shown with 16 fractional digits (as
// Postgres shows most powers; it shows fewer for some large results).
func numericPow(a, b *apd.Decimal) (string, error) {
	if a.IsZero() && b.Negative {
		return "", Errorf(CodeInvalidArgumentForPower, "zero raised to a negative power is undefined")
	}
	if a.Negative && !isIntegral(b) {
		return "", Errorf(CodeInvalidArgumentForPower, "a negative number raised to a non-integer power yields a complex result")
	}
	var r apd.Decimal
	ctx := apd.BaseContext.WithPrecision(40)
	if _, err := ctx.Pow(&r, a, b); err != nil {
		return "", Errorf(CodeNumericValueOutOfRange, "value out of range: overflow")
	}
	return FormatNumeric(NumericRound(&r, 16)), nil
}

// isIntegral reports whether d has no fractional part.
func isIntegral(d *apd.Decimal) bool {
	var frac apd.Decimal
	d.Modf(nil, &frac)
	return frac.IsZero()
}

// pgPow is float8 power with Postgres' errors.
func pgPow(a, b float64) (float64, error) {
	if a == 0 && b < 0 {
		return 0, Errorf(CodeInvalidArgumentForPower, "zero raised to a negative power is undefined")
	}
	if a < 0 && math.Floor(b) != b && !math.IsInf(b, 0) {
		return 0, Errorf(CodeInvalidArgumentForPower, "a negative number raised to a non-integer power yields a complex result")
	}
	r := math.Pow(a, b)
	if math.IsInf(r, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		return 0, Errorf(CodeNumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && a != 0 && !math.IsInf(b, 0) {
		return 0, Errorf(CodeNumericValueOutOfRange, "value out of range: underflow")
	}
	return r, nil
}

// floatBinary applies a scalar float8 function of two arguments row by row
// to the valid rows.
func floatBinary(f func(a, b float64) (float64, error)) evalFn {
	return func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		valid, nulls, allNull := binaryShape(Float8, args[0], args[1], n)
		if allNull != nil {
			return allNull, nil
		}
		av, bv := columnValues[float64](args[0], n), columnValues[float64](args[1], n)
		vm := bitmap{bits: valid}
		out := make([]float64, n)
		for i := range out {
			if !vm.get(i) {
				continue
			}
			r, err := f(av[i], bv[i])
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return makeFixed(Float8, out, valid, nulls), nil
	}
}

// NewUnary builds the prefix operator op: "-" (negation; the most negative
// integer overflows), "+", "NOT", "~" (bitwise not of an integer).
func NewUnary(op string, e Expr) (Expr, error) {
	if op == "NOT" {
		return newNot(e)
	}
	t := e.Type()
	switch {
	case op == "+" && (t.Kind.IsNumeric() || t.Kind == KindInterval):
		return e, nil
	case op == "-" && t.Kind.IsInteger():
		zero := map[Kind]Datum{KindInt2: int16(0), KindInt4: int32(0), KindInt8: int64(0)}[t.Kind]
		sub := intArithFnFor(opSub, t)
		return newUnaryCall(op, e, func(ctx *EvalContext, args []operand, n int) (arrow.Array, error) {
			return sub(ctx, []operand{{val: zero}, args[0]}, n)
		})
	case op == "-" && (t.Kind == KindFloat4 || t.Kind == KindFloat8):
		return newUnaryCall(op, e, func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
			if t.Kind == KindFloat4 {
				return mapFixed(args[0], t, n, func(v float32) float32 { return -v }), nil
			}
			return mapFixed(args[0], t, n, func(v float64) float64 { return -v }), nil
		})
	case op == "-" && t.Kind == KindNumeric:
		return newUnaryCall(op, e, func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
			return numericBinary(func(a, _ *apd.Decimal) (string, error) {
				var r apd.Decimal
				r.Neg(a)
				return FormatNumeric(&r), nil
			})(nil, []operand{args[0], {val: apd.New(0, 0)}}, n)
		})
	case op == "-" && t.Kind == KindInterval:
		return newUnaryCall(op, e, func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
			return mapIntervals(args[0], n, func(v arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, error) {
				if v.Months == math.MinInt32 || v.Days == math.MinInt32 || v.Nanoseconds == math.MinInt64 {
					return v, Errorf(CodeDatetimeFieldOverflow, "interval out of range")
				}
				return arrow.MonthDayNanoInterval{Months: -v.Months, Days: -v.Days, Nanoseconds: -v.Nanoseconds}, nil
			})
		})
	case op == "~" && t.Kind.IsInteger():
		return newUnaryCall(op, e, func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
			switch t.Kind {
			case KindInt2:
				return mapFixed(args[0], t, n, func(v int16) int16 { return ^v }), nil
			case KindInt4:
				return mapFixed(args[0], t, n, func(v int32) int32 { return ^v }), nil
			}
			return mapFixed(args[0], t, n, func(v int64) int64 { return ^v }), nil
		})
	}
	if t.Kind == KindUnknown {
		e := Errorf(CodeAmbiguousFunction, "operator is not unique: %s unknown", op)
		e.Hint = "Could not choose a best candidate operator. You might need to add explicit type casts."
		return nil, e
	}
	err := Errorf(CodeUndefinedFunction, "operator does not exist: %s %s", op, t)
	err.Hint = "No operator matches the given name and argument type. You might need to add an explicit type cast."
	return nil, err
}

// newUnaryCall builds an immutable prefix operator call of e's type.
func newUnaryCall(op string, e Expr, fn evalFn) (Expr, error) {
	return newCall(op, true, e.Type(), []Expr{e}, fn, immutable)
}

// intArithFnFor is intArithFn for the integer type t.
func intArithFnFor(op arithOp, t Type) evalFn {
	switch t.Kind {
	case KindInt2:
		return intArithFn[int16](op, t)
	case KindInt4:
		return intArithFn[int32](op, t)
	}
	return intArithFn[int64](op, t)
}

// intRangeMsg is Postgres' overflow message for the integer type t.
func intRangeMsg(t Type) string {
	switch t.Kind {
	case KindInt2:
		return "smallint out of range"
	case KindInt4:
		return "integer out of range"
	}
	return "bigint out of range"
}

// mapFixed applies f to every value of a fixed-width operand; NULLs stay.
func mapFixed[T fixed](o operand, t Type, n int, f func(T) T) arrow.Array {
	if o.isNull() {
		return nullColumn(t, n)
	}
	in, c := scalarOrColumn[T](o)
	if in == nil {
		in = broadcast(c, n)
	}
	out := make([]T, n)
	for i, v := range in {
		out[i] = f(v)
	}
	valid, nulls := andValidity(n, o.arr)
	return makeFixed(t, out, valid, nulls)
}

// bitOps are the integer bitwise operators.
var bitOps = map[string]func(a, b int64) int64{
	"&":  func(a, b int64) int64 { return a & b },
	"|":  func(a, b int64) int64 { return a | b },
	"#":  func(a, b int64) int64 { return a ^ b },
	"<<": func(a, b int64) int64 { return a << uint64(b) },
	">>": func(a, b int64) int64 { return a >> uint64(b) },
}

// newBitwise builds & | # << >> over integers. Shifts take an int4 count
// and keep the left operand's type (Postgres shifts modulo the width).
func newBitwise(op string, l, r Expr) (Expr, error) {
	l, r, err := resolveUnknown(l, r)
	if err != nil {
		return nil, err
	}
	lt, rt := l.Type(), r.Type()
	if !lt.Kind.IsInteger() || !rt.Kind.IsInteger() {
		return nil, undefinedOperator(op, l, r)
	}
	t := numericCommon(lt, rt)
	if op == "<<" || op == ">>" {
		t = lt
		if r, err = Coerce(r, Int4); err != nil {
			return nil, err
		}
	} else if l, r, err = coerceBoth(l, r, t); err != nil {
		return nil, err
	}
	// Postgres shifts in C: the count is taken modulo the width of the
	// computation, which is 32 bits for smallint too.
	width := int64(max(32, 8*t.Size()))
	f := bitOps[op]
	return newCall(op, true, t, []Expr{l, r}, func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		valid, nulls, allNull := binaryShape(t, args[0], args[1], n)
		if allNull != nil {
			return allNull, nil
		}
		a, b := intsOf(args[0], t, n), intsOf(args[1], r.Type(), n)
		out := make([]int64, n)
		for i := range out {
			y := b[i]
			if op == "<<" || op == ">>" {
				y &= width - 1
			}
			out[i] = f(a[i], y)
		}
		return intsTo(t, out, valid, nulls), nil
	}, immutable)
}

// intsOf widens an integer operand to n int64 values.
func intsOf(o operand, t Type, n int) []int64 {
	out := make([]int64, n)
	switch t.Kind {
	case KindInt2:
		widenInts(out, o, int16(0))
	case KindInt4:
		widenInts(out, o, int32(0))
	default:
		widenInts(out, o, int64(0))
	}
	return out
}

func widenInts[T signed](out []int64, o operand, _ T) {
	in, c := scalarOrColumn[T](o)
	for i := range out {
		if in != nil {
			c = in[i]
		}
		out[i] = int64(c)
	}
}

// intsTo narrows int64 results to a column of the integer type t
// (truncating, as bitwise results of narrower operands always fit).
func intsTo(t Type, v []int64, valid []byte, nulls int) arrow.Array {
	switch t.Kind {
	case KindInt2:
		return makeFixed(t, narrow[int16](v), valid, nulls)
	case KindInt4:
		return makeFixed(t, narrow[int32](v), valid, nulls)
	}
	return makeFixed(t, v, valid, nulls)
}

func narrow[T signed](v []int64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}

// mapIntervals applies f to every non-NULL value of an interval operand.
func mapIntervals(o operand, n int, f func(arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, error)) (arrow.Array, error) {
	return rowwise(nil, Interval, n, []operand{o}, func(_ *EvalContext, args []operand) func(int) (arrow.MonthDayNanoInterval, error) {
		g := intervalGetter(args[0])
		return func(i int) (arrow.MonthDayNanoInterval, error) { return f(g(i)) }
	})
}
