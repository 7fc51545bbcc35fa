package vector

import (
	"math"
	"testing"
)

// Expected values from Postgres 15.
func TestMathFunctions(t *testing.T) {
	f, n, nn := []Type{Float8}, []Type{Numeric}, []Type{Numeric, Numeric}
	ni := []Type{Numeric, Int4}
	checkFunc(t, "abs", []Type{Int4}, []callCase{{args(int32(-5)), "5"}, {args(int32(math.MinInt32)), "ERROR 22003: integer out of range"}})
	checkFunc(t, "abs", f, []callCase{{args(-2.5), "2.5"}})
	checkFunc(t, "abs", n, []callCase{{args(dec("-2.50")), "2.50"}})
	checkFunc(t, "ceil", f, []callCase{{args(-0.5), "-0"}})
	checkFunc(t, "ceiling", n, []callCase{{args(dec("1.2")), "2"}})
	checkFunc(t, "floor", n, []callCase{{args(dec("-1.5")), "-2"}})
	checkFunc(t, "floor", f, []callCase{{args(1.5), "1"}})
	checkFunc(t, "round", f, []callCase{{args(2.5), "2"}, {args(3.5), "4"}})
	checkFunc(t, "round", n, []callCase{{args(dec("-2.5")), "-3"}})
	checkFunc(t, "round", ni, []callCase{{args(dec("1234.5678"), int32(2)), "1234.57"}, {args(dec("1234.5678"), int32(-2)), "1200"}})
	checkFunc(t, "trunc", f, []callCase{{args(-2.7), "-2"}})
	checkFunc(t, "trunc", ni, []callCase{{args(dec("1234.5678"), int32(2)), "1234.56"}, {args(dec("-1234.5678"), int32(-2)), "-1200"}})
	checkFunc(t, "sqrt", n, []callCase{
		{args(dec("2")), "1.414213562373095"}, {args(dec("0.5")), "0.70710678118654752"},
		{args(dec("1e10")), "100000.00000000000"}, {args(dec("12345.678")), "111.1111065555555"},
	})
	checkFunc(t, "sqrt", f, []callCase{{args(16.0), "4"}, {args(-1.0), "ERROR 2201F: cannot take square root of a negative number"}})
	checkFunc(t, "exp", n, []callCase{{args(dec("1")), "2.7182818284590452"}, {args(dec("10")), "22026.465794806717"}})
	checkFunc(t, "ln", n, []callCase{{args(dec("2")), "0.6931471805599453"}, {args(dec("1e10")), "23.025850929940457"}})
	checkFunc(t, "ln", f, []callCase{{args(0.0), "ERROR 2201E: cannot take logarithm of zero"}})
	checkFunc(t, "log", n, []callCase{{args(dec("100")), "2.0000000000000000"}, {args(dec("-1")), "ERROR 2201E: cannot take logarithm of a negative number"}})
	checkFunc(t, "log", nn, []callCase{{args(dec("2"), dec("8")), "3.0000000000000000"}})
	checkFunc(t, "power", []Type{Float8, Float8}, []callCase{{args(2.0, 10.0), "1024"}})
	checkFunc(t, "mod", []Type{Int4, Int4}, []callCase{{args(int32(-7), int32(3)), "-1"}})
	checkFunc(t, "mod", nn, []callCase{{args(dec("7.5"), dec("2")), "1.5"}})
	checkFunc(t, "sign", n, []callCase{{args(dec("-3.2")), "-1"}})
	checkFunc(t, "sign", f, []callCase{{args(0.0), "0"}})
	checkFunc(t, "degrees", f, []callCase{{args(math.Pi), "180"}})
	checkFunc(t, "radians", f, []callCase{{args(180.0), "3.141592653589793"}})
	checkFunc(t, "asin", f, []callCase{{args(2.0), "ERROR 22003: input is out of range"}})
	checkFunc(t, "atan2", []Type{Float8, Float8}, []callCase{{args(1.0, 1.0), "0.7853981633974483"}})
	checkFunc(t, "div", nn, []callCase{{args(dec("7.5"), dec("2")), "3"}})
	checkFunc(t, "gcd", []Type{Int4, Int4}, []callCase{{args(int32(12), int32(18)), "6"}, {args(int32(math.MinInt32), int32(0)), "ERROR 22003: integer out of range"}})
	checkFunc(t, "lcm", []Type{Int4, Int4}, []callCase{{args(int32(4), int32(6)), "12"}})
}

func TestMathResolution(t *testing.T) {
	// An integer argument resolves to the double precision overload:
	// pg_typeof(round(5)) and pg_typeof(sqrt(4)) are double precision.
	for _, name := range []string{"round", "sqrt", "ceil", "ln"} {
		e, err := NewFunc(name, []Expr{NewConst(int32(5), Int4)})
		if err != nil || e.Type() != Float8 {
			t.Errorf("%s(integer): %v %v", name, e, err)
		}
	}
	if e, err := NewFunc("abs", []Expr{NewConst(int32(5), Int4)}); err != nil || e.Type() != Int4 {
		t.Errorf("abs(integer): %v %v", e, err)
	}
	e, err := NewFunc("random", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, folded := IsConst(e); folded {
		t.Error("random() was folded")
	}
	arr, _ := e.Eval(testCtx(), &Batch{Len: 100})
	for i, v := range values[float64](arr) {
		if v < 0 || v >= 1 {
			t.Fatalf("random() row %d = %v", i, v)
		}
	}
}

func TestWidthBucket(t *testing.T) {
	// Expected values from Postgres 15.
	checkFunc(t, "width_bucket", []Type{Float8, Float8, Float8, Int4}, []callCase{
		{args(5.35, 0.024, 10.06, int32(5)), "3"},
		{args(-1.0, 0.0, 10.0, int32(5)), "0"},
		{args(10.0, 0.0, 10.0, int32(5)), "6"},
		{args(9.0, 10.0, 0.0, int32(5)), "1"},
		{args(1.0, 0.0, 10.0, int32(0)), "ERROR 2201G: count must be greater than zero"},
	})
}
