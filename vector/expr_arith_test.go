package vector

import (
	"fmt"
	"math"
	"testing"
)

func TestIntArithmetic(t *testing.T) {
	checkBinary(t, "+", Int4, Int4, []binCase{
		{int32(1), int32(2), "3"},
		{nil, int32(2), "NULL"},
		{int32(1), nil, "NULL"},
		{int32(math.MaxInt32), int32(1), "ERROR 22003: integer out of range"},
		{int32(math.MinInt32), int32(-1), "ERROR 22003: integer out of range"},
	})
	checkBinary(t, "-", Int8, Int8, []binCase{
		{int64(5), int64(7), "-2"},
		{int64(math.MinInt64), int64(1), "ERROR 22003: bigint out of range"},
	})
	checkBinary(t, "*", Int2, Int2, []binCase{
		{int16(-300), int16(100), "-30000"},
		{int16(300), int16(200), "ERROR 22003: smallint out of range"},
	})
	checkBinary(t, "*", Int8, Int8, []binCase{
		{int64(3037000499), int64(3037000499), "9223372030926249001"},
		{int64(3037000500), int64(3037000500), "ERROR 22003: bigint out of range"},
		{int64(math.MinInt64), int64(-1), "ERROR 22003: bigint out of range"},
		{int64(-4611686018427387904), int64(2), "-9223372036854775808"},
	})
	checkBinary(t, "/", Int4, Int4, []binCase{
		{int32(7), int32(-2), "-3"},
		{int32(-7), int32(2), "-3"},
		{nil, int32(0), "NULL"},
		{int32(1), int32(0), "ERROR 22012: division by zero"},
		{int32(math.MinInt32), int32(-1), "ERROR 22003: integer out of range"},
	})
	checkBinary(t, "%", Int4, Int4, []binCase{
		{int32(7), int32(-2), "1"},
		{int32(-7), int32(2), "-1"},
		{int32(math.MinInt32), int32(-1), "0"},
		{int32(5), int32(0), "ERROR 22012: division by zero"},
	})
}

func TestMixedArithmetic(t *testing.T) {
	// select 2::int2 + 3::int8 → bigint 5; 1 + 2.5 → numeric 3.5; 1 + 0.5::float8 → 1.5
	checkBinary(t, "+", Int2, Int8, []binCase{{int16(2), int64(3), "5"}})
	checkBinary(t, "+", Int4, Numeric, []binCase{{int32(1), dec("2.5"), "3.5"}})
	checkBinary(t, "+", Int4, Float8, []binCase{{int32(1), 0.5, "1.5"}})
	checkBinary(t, "*", Float4, Int4, []binCase{{float32(1.5), int32(3), "4.5"}})
	// 1 + '2' resolves the literal as integer.
	checkBinary(t, "+", Int4, Unknown, []binCase{{int32(1), "2", "3"}, {int32(1), "x", `ERROR 22P02: invalid input syntax for type integer: "x"`}})
	e, err := NewBinary("+", NewConst(int32(1), Int4), NewConst("x", Text))
	if err == nil {
		t.Fatalf("integer + text built %v", e)
	}
	if got := errString(err); got != "ERROR 42883: operator does not exist: integer + text" {
		t.Errorf("got %s", got)
	}
}

func TestFloatAndNumericArithmetic(t *testing.T) {
	checkBinary(t, "/", Float8, Float8, []binCase{
		{1.0, 4.0, "0.25"},
		{1.0, 0.0, "ERROR 22012: division by zero"},
		{math.Inf(1), 2.0, "Infinity"},
	})
	checkBinary(t, "*", Float8, Float8, []binCase{
		{1e308, 10.0, "ERROR 22003: value out of range: overflow"},
		{1e-308, 1e-308, "ERROR 22003: value out of range: underflow"},
	})
	checkBinary(t, "/", Numeric, Numeric, []binCase{
		{dec("1"), dec("3"), "0.33333333333333333333"},
		{dec("1"), dec("0"), "ERROR 22012: division by zero"},
	})
	checkBinary(t, "^", Int4, Int4, []binCase{{int32(2), int32(10), "1024"}})
	checkBinary(t, "^", Numeric, Numeric, []binCase{{dec("2.0"), dec("3"), "8.0000000000000000"}})
	if _, err := NewBinary("%", NewColumnRef(0, Float8, "f"), NewConst(int32(2), Int4)); errString(err) != "ERROR 42883: operator does not exist: double precision % integer" {
		t.Errorf("float %% int: %v", err)
	}
}

func dec(s string) Datum {
	d, err := ParseNumeric(s)
	if err != nil {
		panic(err)
	}
	return d
}

// benchInts is a batch of two int64 columns of 4096 rows.
func benchInts() *Batch {
	a, c := make([]Datum, 4096), make([]Datum, 4096)
	for i := range a {
		a[i], c[i] = int64(i*7919), int64(i%100+1)
	}
	return batchOf([]Type{Int8, Int8}, a, c)
}

func benchExpr(b *testing.B, e Expr, err error) {
	if err != nil {
		b.Fatal(err)
	}
	batch, ctx := benchInts(), testCtx()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Eval(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddInt64 is a + b over 4096 int64 rows.
func BenchmarkAddInt64(b *testing.B) {
	e, err := NewBinary("+", NewColumnRef(0, Int8, "a"), NewColumnRef(1, Int8, "b"))
	benchExpr(b, e, err)
}

// BenchmarkModEqZero is a % 123 = 0 over 4096 int64 rows.
func BenchmarkModEqZero(b *testing.B) {
	m, err := NewBinary("%", NewColumnRef(0, Int8, "a"), NewConst(int32(123), Int4))
	if err != nil {
		b.Fatal(err)
	}
	e, err := NewBinary("=", m, NewConst(int32(0), Int4))
	benchExpr(b, e, err)
}

// Expected values from Postgres 15.
func TestUnaryAndBitwise(t *testing.T) {
	ctx := testCtx()
	neg := func(a []Expr) (Expr, error) { return NewUnary("-", a[0]) }
	checkCall(t, "-", ctx, neg, []Type{Int4}, []callCase{{args(int32(5)), "-5"}, {args(nil), "NULL"}, {args(int32(math.MinInt32)), "ERROR 22003: integer out of range"}})
	checkCall(t, "-", ctx, neg, []Type{Int2}, []callCase{{args(int16(2)), "-2"}})
	checkCall(t, "-", ctx, neg, []Type{Numeric}, []callCase{{args(dec("2.5")), "-2.5"}})
	checkCall(t, "-", ctx, neg, []Type{Float4}, []callCase{{args(float32(1.5)), "-1.5"}})
	checkCall(t, "~", ctx, func(a []Expr) (Expr, error) { return NewUnary("~", a[0]) }, []Type{Int4}, []callCase{{args(int32(5)), "-6"}})
	if e, err := NewUnary("+", NewColumnRef(0, Int8, "a")); err != nil || e.Type() != Int8 {
		t.Errorf("+a: %v %v", e, err)
	}
	checkBinary(t, "&", Int4, Int4, []binCase{{int32(5), int32(3), "1"}, {nil, int32(3), "NULL"}})
	checkBinary(t, "|", Int4, Int4, []binCase{{int32(5), int32(3), "7"}})
	checkBinary(t, "#", Int4, Int4, []binCase{{int32(5), int32(3), "6"}})
	checkBinary(t, "<<", Int4, Int4, []binCase{{int32(1), int32(4), "16"}, {int32(1), int32(33), "2"}})
	checkBinary(t, ">>", Int4, Int4, []binCase{{int32(-8), int32(1), "-4"}})
	checkBinary(t, "<<", Int2, Int4, []binCase{{int16(1), int32(20), "0"}})
	if e, err := NewBinary("&", NewColumnRef(0, Int2, "a"), NewColumnRef(1, Int8, "b")); err != nil || e.Type() != Int8 {
		t.Errorf("int2 & int8: %v %v", e, err)
	}
}

func TestUndefinedTemporalOperators(t *testing.T) {
	// Postgres 15: operator does not exist for each of these.
	for _, tc := range []struct {
		op   string
		l, r Type
	}{
		{"^", Date, Int4}, {"+", Date, Int8}, {"-", Int4, Date}, {"+", Timestamp, Timestamp}, {"*", Date, Int4},
	} {
		_, err := NewBinary(tc.op, NewColumnRef(0, tc.l, "l"), NewColumnRef(1, tc.r, "r"))
		want := "ERROR 42883: operator does not exist: " + tc.l.String() + " " + tc.op + " " + tc.r.String()
		if errString(err) != want {
			t.Errorf("%s %s %s: got %v, want %s", tc.l, tc.op, tc.r, err, want)
		}
	}
	checkBinary(t, "||", Bytea, Bytea, []binCase{{[]byte("ab"), []byte{0}, `\x616200`}})
}

func TestDivisionByConstant(t *testing.T) {
	// col / c and col % c take the multiply-by-magic path for |c| >= 2.
	for _, c := range []int32{1, 2, -3, 7, 123, math.MaxInt32, math.MinInt32} {
		var cases []binCase
		for _, a := range []int32{0, 1, -1, 122, 123, -246, 1000001, math.MaxInt32, math.MinInt32 + 1} {
			cases = append(cases, binCase{a, c, fmt.Sprint(a / c)})
		}
		checkBinary(t, "/", Int4, Int4, cases)
		for i := range cases {
			cases[i].want = fmt.Sprint(cases[i].l.(int32) % c)
		}
		checkBinary(t, "%", Int4, Int4, cases)
	}
}
