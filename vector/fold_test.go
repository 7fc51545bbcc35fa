package vector

import "testing"

// A constant expression whose evaluation fails is not folded: Postgres
// raises the error only when the value is needed. Expected values from
// PostgreSQL 15.
func TestFoldingFailureIsLazy(t *testing.T) {
	one, zero := NewConst(int32(1), Int4), NewConst(int32(0), Int4)
	div := func() Expr {
		e, err := NewBinary("/", one, zero)
		if err != nil {
			t.Fatalf("1/0 at construction: %v", err)
		}
		return e
	}
	must := func(e Expr, err error) Expr {
		t.Helper()
		if err != nil {
			t.Fatalf("construction: %v", err)
		}
		return e
	}
	eq := func(l, r Expr) Expr { return must(NewBinary("=", l, r)) }
	tests := []struct {
		name string
		e    Expr
		want string
	}{
		{"CASE WHEN false THEN 1/0 ELSE 0 END",
			must(NewCase(nil, []Expr{NewConst(false, Bool)}, []Expr{div()}, zero)), "0"},
		{"coalesce(1, 1/0)", must(NewCoalesce([]Expr{one, div()})), "1"},
		{"1 = 1 AND 2 = 2 OR 1 / 0 = 1",
			must(NewOr(must(NewAnd(eq(one, one), eq(NewConst(int32(2), Int4), NewConst(int32(2), Int4)))), eq(div(), one))), "t"},
		{"false AND 1/0 = 1", must(NewAnd(NewConst(false, Bool), eq(div(), one))), "f"},
		{"CASE WHEN false THEN 99999::int2 ELSE 0 END",
			must(NewCase(nil, []Expr{NewConst(false, Bool)}, []Expr{must(NewCast(NewConst(int32(99999), Int4), Int2))}, zero)), "0"},
		{"SELECT 1/0", div(), "ERROR 22012: division by zero"},
		{"SELECT 99999::int2", must(NewCast(NewConst(int32(99999), Int4), Int2)), "ERROR 22003: smallint out of range"},
	}
	for _, tc := range tests {
		if got := render(testCtx(), tc.e, &Batch{Len: 1}); len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s = %v, want %s", tc.name, got, tc.want)
		}
	}
	// A literal that is not valid input fails at construction, even where
	// it would not be evaluated ('99999'::int2 in a CASE WHEN false).
	if _, err := NewCast(NewConst("99999", Unknown), Int2); errString(err) != `ERROR 22003: value "99999" is out of range for type smallint` {
		t.Errorf("'99999'::int2: %v", err)
	}
}
