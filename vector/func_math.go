package vector

import (
	"math"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/apd/v3"
)

// Mathematical functions. An integer argument resolves to the double
// precision overload (the preferred numeric type), as in Postgres.

func init() {
	f1 := []Type{Float8}
	n1 := []Type{Numeric}
	register("abs",
		overload{params: []Type{Int2}, ret: Int2, fn: absInt[int16](Int2)},
		overload{params: []Type{Int4}, ret: Int4, fn: absInt[int32](Int4)},
		overload{params: []Type{Int8}, ret: Int8, fn: absInt[int64](Int8)})
	register("abs",
		overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) { return math.Abs(x), nil })},
		overload{params: n1, ret: Numeric, fn: numeric1(func(x *apd.Decimal) (*apd.Decimal, error) {
			return new(apd.Decimal).Abs(x), nil
		})})
	for _, name := range []string{"ceil", "ceiling"} {
		register(name,
			overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) { return math.Ceil(x), nil })},
			overload{params: n1, ret: Numeric, fn: numeric1(roundingFn(apd.RoundCeiling))})
	}
	register("floor",
		overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) { return math.Floor(x), nil })},
		overload{params: n1, ret: Numeric, fn: numeric1(roundingFn(apd.RoundFloor))})
	register("round",
		overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) { return math.RoundToEven(x), nil })},
		overload{params: n1, ret: Numeric, fn: numeric1(func(x *apd.Decimal) (*apd.Decimal, error) { return NumericRound(x, 0), nil })},
		overload{params: []Type{Numeric, Int4}, ret: Numeric, fn: numericScaleFn(NumericRound)})
	register("trunc",
		overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) { return math.Trunc(x), nil })},
		overload{params: n1, ret: Numeric, fn: numeric1(func(x *apd.Decimal) (*apd.Decimal, error) { return numericTrunc(x, 0), nil })},
		overload{params: []Type{Numeric, Int4}, ret: Numeric, fn: numericScaleFn(numericTrunc)})
	register("sqrt",
		overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) {
			if x < 0 {
				return 0, Errorf(CodeInvalidArgumentForPower, "cannot take square root of a negative number")
			}
			return math.Sqrt(x), nil
		})},
		overload{params: n1, ret: Numeric, fn: numeric1(numericSqrt)})
	register("cbrt", overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) { return math.Cbrt(x), nil })})
	for _, name := range []string{"power", "pow"} {
		register(name,
			overload{params: []Type{Float8, Float8}, ret: Float8, fn: powFn(Float8)},
			overload{params: []Type{Numeric, Numeric}, ret: Numeric, fn: powFn(Numeric)})
	}
	register("exp",
		overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) {
			r := math.Exp(x)
			if math.IsInf(r, 0) && !math.IsInf(x, 0) {
				return 0, Errorf(CodeNumericValueOutOfRange, "value out of range: overflow")
			}
			return r, nil
		})},
		overload{params: n1, ret: Numeric, fn: numeric1(func(x *apd.Decimal) (*apd.Decimal, error) {
			return numericTranscendental(x, (*apd.Context).Exp)
		})})
	register("ln",
		overload{params: f1, ret: Float8, fn: float1(logFn(math.Log))},
		overload{params: n1, ret: Numeric, fn: numeric1(numericLog((*apd.Context).Ln))})
	register("log",
		overload{params: f1, ret: Float8, fn: float1(logFn(math.Log10))},
		overload{params: n1, ret: Numeric, fn: numeric1(numericLog((*apd.Context).Log10))},
		overload{params: []Type{Numeric, Numeric}, ret: Numeric, fn: numericBinary(numericLogBase)})
	register("log10",
		overload{params: f1, ret: Float8, fn: float1(logFn(math.Log10))},
		overload{params: n1, ret: Numeric, fn: numeric1(numericLog((*apd.Context).Log10))})
	for _, t := range []Type{Int2, Int4, Int8} {
		register("mod", overload{params: []Type{t, t}, ret: t, fn: intArithFnFor(opMod, t)})
	}
	register("mod", overload{params: []Type{Numeric, Numeric}, ret: Numeric, fn: numericArithFn(opMod)})
	register("sign",
		overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) {
			switch {
			case x > 0:
				return 1, nil
			case x < 0:
				return -1, nil
			}
			return 0, nil
		})},
		overload{params: n1, ret: Numeric, fn: numeric1(func(x *apd.Decimal) (*apd.Decimal, error) {
			if x.Form == apd.NaN {
				return x, nil
			}
			return apd.New(int64(x.Sign()), 0), nil
		})})
	register("pi", overload{ret: Float8, fn: func(_ *EvalContext, _ []operand, n int) (arrow.Array, error) {
		return makeFixed(Float8, broadcast(math.Pi, n), nil, 0), nil
	}})
	register("degrees", overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) { return x * (180 / math.Pi), nil })})
	register("radians", overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) { return x * (math.Pi / 180), nil })})
	for name, f := range map[string]func(float64) float64{"sin": math.Sin, "cos": math.Cos, "tan": math.Tan, "atan": math.Atan} {
		register(name, overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) {
			if math.IsInf(x, 0) && name != "atan" {
				return 0, Errorf(CodeNumericValueOutOfRange, "input is out of range")
			}
			return f(x), nil
		})})
	}
	for name, f := range map[string]func(float64) float64{"asin": math.Asin, "acos": math.Acos} {
		register(name, overload{params: f1, ret: Float8, fn: float1(func(x float64) (float64, error) {
			if x < -1 || x > 1 {
				return 0, Errorf(CodeNumericValueOutOfRange, "input is out of range")
			}
			return f(x), nil
		})})
	}
	register("atan2", overload{params: []Type{Float8, Float8}, ret: Float8, fn: floatBinary(func(y, x float64) (float64, error) {
		return math.Atan2(y, x), nil
	})})
	register("random", overload{ret: Float8, vol: volatile, fn: func(_ *EvalContext, _ []operand, n int) (arrow.Array, error) {
		out := make([]float64, n)
		for i := range out {
			out[i] = rand.Float64()
		}
		return makeFixed(Float8, out, nil, 0), nil
	}})
	register("div", overload{params: []Type{Numeric, Numeric}, ret: Numeric, fn: numericBinary(func(a, b *apd.Decimal) (string, error) {
		q, err := NumericDiv(a, b)
		if err != nil {
			return "", err
		}
		return FormatNumeric(numericTrunc(q, 0)), nil
	})})
	register("width_bucket", overload{params: []Type{Float8, Float8, Float8, Int4}, ret: Int4, fn: fixedFn(Int4, widthBucket)})
	for _, t := range []Type{Int4, Int8} {
		register("gcd", overload{params: []Type{t, t}, ret: t, fn: gcdLcm(t, false)})
		register("lcm", overload{params: []Type{t, t}, ret: t, fn: gcdLcm(t, true)})
	}
}

// absInt is abs over the integer type T: abs of the minimum overflows.
func absInt[T signed](t Type) evalFn {
	return func(_ *EvalContext, args []operand, n int) (arrow.Array, error) {
		o := args[0]
		if o.isNull() {
			return nullColumn(t, n), nil
		}
		in, c := scalarOrColumn[T](o)
		if in == nil {
			in = broadcast(c, n)
		}
		vm := validity(o.arr)
		lowest := minOf[T]()
		out := make([]T, n)
		for i, v := range in {
			if v < 0 {
				if v == lowest && vm.get(i) {
					return nil, Errorf(CodeNumericValueOutOfRange, "%s", intRangeMsg(t))
				}
				v = -v
			}
			out[i] = v
		}
		valid, nulls := andValidity(n, o.arr)
		return makeFixed(t, out, valid, nulls), nil
	}
}

// float1 is a strict double precision function of one argument.
func float1(f func(x float64) (float64, error)) evalFn {
	return fixedFn(Float8, func(r *row) (float64, bool, error) {
		v, err := f(r.flt(0))
		return v, false, err
	})
}

// logFn is ln or log10 over double precision with Postgres' errors.
func logFn(f func(float64) float64) func(x float64) (float64, error) {
	return func(x float64) (float64, error) {
		switch {
		case x == 0:
			return 0, Errorf(CodeInvalidArgumentForLog, "cannot take logarithm of zero")
		case x < 0:
			return 0, Errorf(CodeInvalidArgumentForLog, "cannot take logarithm of a negative number")
		}
		return f(x), nil
	}
}

// numeric1 is a strict numeric function of one argument.
func numeric1(f func(x *apd.Decimal) (*apd.Decimal, error)) evalFn {
	return numericBinary(func(a, _ *apd.Decimal) (string, error) {
		r, err := f(a)
		if err != nil {
			return "", err
		}
		return FormatNumeric(r), nil
	}).withUnusedSecond()
}

// withUnusedSecond adapts a two-argument numeric evalFn to one argument.
func (fn evalFn) withUnusedSecond() evalFn {
	one := apd.New(1, 0)
	return func(ctx *EvalContext, args []operand, n int) (arrow.Array, error) {
		return fn(ctx, []operand{args[0], {val: one}}, n)
	}
}

// numericScaleFn is f(x numeric, scale int4) → numeric, e.g. round(x, 2).
func numericScaleFn(f func(x *apd.Decimal, scale int32) *apd.Decimal) evalFn {
	return textFn(Numeric, true, func(dst []byte, r *row) ([]byte, bool, error) {
		x, err := ParseNumeric(string(r.str(0)))
		if err != nil {
			return nil, false, err
		}
		return append(dst, FormatNumeric(f(x, int32(max(min(r.int(1), 1000), -1000))))...), false, nil
	})
}

// roundingFn rounds to an integer with the given apd rounding (ceil, floor).
func roundingFn(mode apd.Rounder) func(x *apd.Decimal) (*apd.Decimal, error) {
	return func(x *apd.Decimal) (*apd.Decimal, error) {
		if x.Form != apd.Finite {
			return x, nil
		}
		ctx := apd.BaseContext.WithPrecision(1000)
		ctx.Rounding = mode
		var r apd.Decimal
		_, err := ctx.Quantize(&r, x, 0)
		return &r, err
	}
}

// numericTrunc truncates x toward zero to scale digits after the point.
func numericTrunc(x *apd.Decimal, scale int32) *apd.Decimal {
	if x.Form != apd.Finite || -x.Exponent <= scale {
		return x
	}
	ctx := apd.BaseContext.WithPrecision(1000)
	ctx.Rounding = apd.RoundDown
	var r apd.Decimal
	if _, err := ctx.Quantize(&r, x, -scale); err != nil {
		return x
	}
	if scale < 0 {
		// Keep Postgres' display: trunc(1234.5, -2) is 1200, not 1.2E+3.
		var z apd.Decimal
		ctx.Quantize(&z, &r, 0)
		return &z
	}
	return &r
}

// resultScale is Postgres' display scale for an inexact numeric result of
// about magnitude v: 16 significant digits, at least the inputs' scales.
func resultScale(v float64, inputs ...*apd.Decimal) int32 {
	weight := int32(0)
	if v != 0 && !math.IsInf(v, 0) && !math.IsNaN(v) {
		weight = int32(math.Log10(math.Abs(v)))
	}
	scale := 16 - weight
	for _, in := range inputs {
		scale = max(scale, -in.Exponent)
	}
	return min(max(scale, 0), 1000)
}

// numericSqrt is sqrt(numeric), scaled as Postgres' numeric_sqrt.
func numericSqrt(x *apd.Decimal) (*apd.Decimal, error) {
	if x.Negative && !x.IsZero() {
		return nil, Errorf(CodeInvalidArgumentForPower, "cannot take square root of a negative number")
	}
	if x.Form != apd.Finite {
		return x, nil
	}
	var r apd.Decimal
	ctx := apd.BaseContext.WithPrecision(1100)
	if _, err := ctx.Sqrt(&r, x); err != nil {
		return nil, Errorf(CodeNumericValueOutOfRange, "value overflows numeric format")
	}
	// Postgres: 16 significant digits from the argument's weight, counted
	// in base-10000 digits.
	weight := int32(0)
	if d := int32(x.NumDigits()) + x.Exponent; x.IsZero() {
		weight = 0
	} else if d > 0 {
		weight = (d - 1) / 4
	} else {
		weight = -(-d)/4 - 1
	}
	scale := 16 - ((weight+1)*4/2 - 1)
	scale = min(max(scale, -x.Exponent, 0), 1000)
	return NumericRound(&r, scale), nil
}

// numericTranscendental applies exp-like f at high precision and rounds to
// Postgres' display scale.
func numericTranscendental(x *apd.Decimal, f func(*apd.Context, *apd.Decimal, *apd.Decimal) (apd.Condition, error)) (*apd.Decimal, error) {
	var r apd.Decimal
	ctx := apd.BaseContext.WithPrecision(60)
	if _, err := f(ctx, &r, x); err != nil {
		return nil, Errorf(CodeNumericValueOutOfRange, "value overflows numeric format")
	}
	v, _ := r.Float64()
	return NumericRound(&r, resultScale(v, x)), nil
}

// numericLog is ln or log10 over numeric with Postgres' errors.
func numericLog(f func(*apd.Context, *apd.Decimal, *apd.Decimal) (apd.Condition, error)) func(x *apd.Decimal) (*apd.Decimal, error) {
	return func(x *apd.Decimal) (*apd.Decimal, error) {
		switch {
		case x.IsZero():
			return nil, Errorf(CodeInvalidArgumentForLog, "cannot take logarithm of zero")
		case x.Negative:
			return nil, Errorf(CodeInvalidArgumentForLog, "cannot take logarithm of a negative number")
		}
		return numericTranscendental(x, f)
	}
}

// numericLogBase is log(b, x) = ln(x) / ln(b).
func numericLogBase(b, x *apd.Decimal) (string, error) {
	for _, v := range []*apd.Decimal{b, x} {
		switch {
		case v.IsZero():
			return "", Errorf(CodeInvalidArgumentForLog, "cannot take logarithm of zero")
		case v.Negative:
			return "", Errorf(CodeInvalidArgumentForLog, "cannot take logarithm of a negative number")
		}
	}
	ctx := apd.BaseContext.WithPrecision(60)
	var lb, lx, r apd.Decimal
	ctx.Ln(&lb, b)
	ctx.Ln(&lx, x)
	if lb.IsZero() {
		return "", errDivByZero()
	}
	ctx.Quo(&r, &lx, &lb)
	v, _ := r.Float64()
	return FormatNumeric(NumericRound(&r, resultScale(v, b, x))), nil
}

// gcdLcm is gcd or lcm over int4 or int8; results that do not fit (gcd of
// the minimum with 0) are out of range.
func gcdLcm(t Type, lcm bool) evalFn {
	bits := 8 * int(t.Size())
	return fixedFnInt(t, func(r *row) (int64, bool, error) {
		a, b := r.int(0), r.int(1)
		g := gcd(a, b)
		v := g
		if lcm {
			if a == 0 || b == 0 {
				return 0, false, nil
			}
			p, ovf := mulOverflow64(a/g, b)
			if ovf {
				return 0, false, Errorf(CodeNumericValueOutOfRange, "%s", intRangeMsg(t))
			}
			v = p
		}
		if v < 0 {
			v = -v
		}
		if v < 0 || v != v<<(64-bits)>>(64-bits) {
			return 0, false, Errorf(CodeNumericValueOutOfRange, "%s", intRangeMsg(t))
		}
		return v, false, nil
	})
}

// gcd is Euclid's algorithm on magnitudes (possibly the negative minimum).
func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// fixedFnInt is fixedFn for an integer type t with the body computing in int64.
func fixedFnInt(t Type, body func(r *row) (int64, bool, error)) evalFn {
	switch t.Kind {
	case KindInt2:
		return fixedFn(t, func(r *row) (int16, bool, error) { v, null, err := body(r); return int16(v), null, err })
	case KindInt4:
		return fixedFn(t, func(r *row) (int32, bool, error) { v, null, err := body(r); return int32(v), null, err })
	}
	return fixedFn(t, body)
}

// widthBucket is width_bucket(operand, low, high, count): the 1-based
// bucket of operand among count equal buckets from low to high (either
// direction), 0 before the range and count+1 after it.
func widthBucket(r *row) (int32, bool, error) {
	x, low, high, count := r.flt(0), r.flt(1), r.flt(2), r.int(3)
	switch {
	case count <= 0:
		return 0, false, Errorf(CodeInvalidArgumentForWidthBucket, "count must be greater than zero")
	case math.IsNaN(x) || math.IsNaN(low) || math.IsNaN(high):
		return 0, false, Errorf(CodeInvalidArgumentForWidthBucket, "operand, lower bound, and upper bound cannot be NaN")
	case math.IsInf(low, 0) || math.IsInf(high, 0):
		return 0, false, Errorf(CodeInvalidArgumentForWidthBucket, "lower and upper bounds must be finite")
	case low == high:
		return 0, false, Errorf(CodeInvalidArgumentForWidthBucket, "lower bound cannot equal upper bound")
	}
	if low > high {
		x, low, high = -x, -low, -high
	}
	switch {
	case x < low:
		return 0, false, nil
	case x >= high:
		if count == math.MaxInt32 {
			return 0, false, Errorf(CodeNumericValueOutOfRange, "integer out of range")
		}
		return int32(count + 1), false, nil
	}
	return int32(math.Floor((x-low)/(high-low)*float64(count))) + 1, false, nil
}
