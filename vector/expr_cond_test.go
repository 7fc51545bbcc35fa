package vector

import "testing"

func TestCaseIsLazy(t *testing.T) {
	// CASE WHEN x = 0 THEN 0 ELSE 100 / x END never divides by zero.
	x := NewColumnRef(0, Int4, "x")
	zero := NewConst(int32(0), Int4)
	eq, _ := NewBinary("=", x, zero)
	div, _ := NewBinary("/", NewConst(int32(100), Int4), x)
	e, err := NewCase(nil, []Expr{eq}, []Expr{zero}, div)
	if err != nil {
		t.Fatal(err)
	}
	b := batchOf([]Type{Int4}, []Datum{int32(0), int32(7), nil, int32(-50)})
	want := []string{"0", "14", "NULL", "-2"}
	if got := render(testCtx(), e, b); !equalStrings(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A row that does select the failing branch still fails.
	e, _ = NewCase(nil, []Expr{eq}, []Expr{div}, zero)
	if got := render(testCtx(), e, b); got[0] != "ERROR 22012: division by zero" {
		t.Errorf("got %v", got)
	}
}

func TestCaseForms(t *testing.T) {
	ctx := testCtx()
	// CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' END; NULL matches nothing.
	checkCall(t, "simple CASE", ctx, func(a []Expr) (Expr, error) {
		return NewCase(a[0], []Expr{NewConst("1", Unknown), NewConst("2", Unknown)},
			[]Expr{NewConst("one", Unknown), NewConst("two", Unknown)}, nil)
	}, []Type{Int4}, []callCase{{args(int32(1)), "one"}, {args(int32(2)), "two"}, {args(int32(3)), "NULL"}, {args(nil), "NULL"}})
	// Searched CASE, result type numeric from int and numeric branches;
	// a NULL condition is not true.
	checkCall(t, "searched CASE", ctx, func(a []Expr) (Expr, error) {
		return NewCase(nil, []Expr{a[0]}, []Expr{NewConst(int32(1), Int4)}, NewConst(dec("2.5"), Numeric))
	}, []Type{Bool}, []callCase{{args(true), "1"}, {args(false), "2.5"}, {args(nil), "2.5"}})
	if _, err := NewCase(nil, []Expr{NewConst(int32(1), Int4)}, []Expr{NewConst(int32(1), Int4)}, nil); errString(err) != "ERROR 42804: argument of CASE/WHEN must be type boolean, not type integer" {
		t.Errorf("CASE WHEN 1: %v", err)
	}
}

func TestCoalesceNullIfGreatest(t *testing.T) {
	ctx := testCtx()
	checkCall(t, "coalesce", ctx, func(a []Expr) (Expr, error) { return NewCoalesce(a) },
		[]Type{Int4, Int8, Int4}, []callCase{
			{args(int32(1), int64(2), int32(3)), "1"},
			{args(nil, int64(2), int32(3)), "2"},
			{args(nil, nil, int32(3)), "3"},
			{args(nil, nil, nil), "NULL"},
		})
	// COALESCE(x, 1 / y) does not evaluate 1 / y where x is not NULL.
	div, _ := NewBinary("/", NewConst(int32(1), Int4), NewColumnRef(1, Int4, "y"))
	e, _ := NewCoalesce([]Expr{NewColumnRef(0, Int4, "x"), div})
	b := batchOf([]Type{Int4, Int4}, []Datum{int32(5), nil}, []Datum{int32(0), int32(1)})
	if got := render(ctx, e, b); !equalStrings(got, []string{"5", "1"}) {
		t.Errorf("lazy coalesce: %v", got)
	}
	checkCall(t, "nullif", ctx, func(a []Expr) (Expr, error) { return NewNullIf(a[0], a[1]) },
		[]Type{Int4, Int4}, []callCase{
			{args(int32(1), int32(1)), "NULL"}, {args(int32(1), int32(2)), "1"},
			{args(nil, int32(1)), "NULL"}, {args(int32(1), nil), "1"},
		})
	checkCall(t, "greatest", ctx, func(a []Expr) (Expr, error) { return NewGreatestLeast(true, a) },
		[]Type{Int4, Float8}, []callCase{
			{args(int32(1), 2.5), "2.5"}, {args(int32(3), nil), "3"}, {args(nil, nil), "NULL"},
		})
	checkCall(t, "least", ctx, func(a []Expr) (Expr, error) { return NewGreatestLeast(false, a) },
		[]Type{Text, Text}, []callCase{{args("b", "a"), "a"}, {args(nil, "z"), "z"}})
}

func TestIn(t *testing.T) {
	ctx := testCtx()
	// x IN (1, 2, NULL): true on a match, NULL otherwise (the NULL might be
	// x); x NOT IN (1, 2, NULL) is never true.
	list := func(withNull bool) []Expr {
		l := []Expr{NewConst(int32(1), Int4), NewConst(int32(2), Int4)}
		if withNull {
			l = append(l, NewConst(nil, Unknown))
		}
		return l
	}
	for _, tc := range []struct {
		name          string
		withNull, not bool
		want          [3]string // for 1, 3, NULL
	}{
		{"IN", false, false, [3]string{"t", "f", "NULL"}},
		{"IN with NULL", true, false, [3]string{"t", "NULL", "NULL"}},
		{"NOT IN", false, true, [3]string{"f", "t", "NULL"}},
		{"NOT IN with NULL", true, true, [3]string{"f", "NULL", "NULL"}},
	} {
		checkCall(t, tc.name, ctx, func(a []Expr) (Expr, error) { return NewIn(a[0], list(tc.withNull), tc.not) },
			[]Type{Int8}, []callCase{{args(int64(1)), tc.want[0]}, {args(int64(3)), tc.want[1]}, {args(nil), tc.want[2]}})
	}
	// Strings through the set, and a non-constant list through equalities.
	checkCall(t, "text IN", ctx, func(a []Expr) (Expr, error) {
		return NewIn(a[0], []Expr{NewConst("a", Unknown), NewConst("b", Unknown)}, false)
	}, []Type{Text}, []callCase{{args("a"), "t"}, {args("c"), "f"}})
	checkCall(t, "IN columns", ctx, func(a []Expr) (Expr, error) { return NewIn(a[0], a[1:], false) },
		[]Type{Float8, Float8, Float8}, []callCase{
			{args(1.0, 2.0, 1.0), "t"}, {args(1.0, 2.0, nil), "NULL"}, {args(1.0, 2.0, 3.0), "f"},
		})
}
