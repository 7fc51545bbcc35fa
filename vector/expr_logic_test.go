package vector

import "testing"

// truthValues are the three SQL truth values.
var truthValues = []Datum{true, false, nil}

func TestAndOrTruthTables(t *testing.T) {
	// The SQL three-valued tables (Postgres: select a AND b, a OR b).
	and := map[[2]Datum]string{
		{true, true}: "t", {true, false}: "f", {true, nil}: "NULL",
		{false, true}: "f", {false, false}: "f", {false, nil}: "f",
		{nil, true}: "NULL", {nil, false}: "f", {nil, nil}: "NULL",
	}
	or := map[[2]Datum]string{
		{true, true}: "t", {true, false}: "t", {true, nil}: "t",
		{false, true}: "t", {false, false}: "f", {false, nil}: "NULL",
		{nil, true}: "t", {nil, false}: "NULL", {nil, nil}: "NULL",
	}
	var andCases, orCases []callCase
	for _, a := range truthValues {
		for _, b := range truthValues {
			andCases = append(andCases, callCase{args(a, b), and[[2]Datum{a, b}]})
			orCases = append(orCases, callCase{args(a, b), or[[2]Datum{a, b}]})
		}
	}
	ctx := testCtx()
	bb := []Type{Bool, Bool}
	checkCall(t, "AND", ctx, func(a []Expr) (Expr, error) { return NewAnd(a...) }, bb, andCases)
	checkCall(t, "OR", ctx, func(a []Expr) (Expr, error) { return NewOr(a...) }, bb, orCases)
	checkCall(t, "NOT", ctx, func(a []Expr) (Expr, error) { return NewUnary("NOT", a[0]) }, []Type{Bool},
		[]callCase{{args(true), "f"}, {args(false), "t"}, {args(nil), "NULL"}})
}

func TestAndIsLazyOnError(t *testing.T) {
	// WHERE x <> 0 AND 10 / x > 1: rows with x = 0 are decided by the first
	// argument, so the division never fails for them.
	x := NewColumnRef(0, Int4, "x")
	ne, _ := NewBinary("<>", x, NewConst(int32(0), Int4))
	div, _ := NewBinary("/", NewConst(int32(10), Int4), x)
	gt, _ := NewBinary(">", div, NewConst(int32(1), Int4))
	e, err := NewAnd(ne, gt)
	if err != nil {
		t.Fatal(err)
	}
	b := batchOf([]Type{Int4}, []Datum{int32(0), int32(5), nil, int32(20)})
	want := []string{"f", "t", "NULL", "f"}
	if got := render(testCtx(), e, b); !equalStrings(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// OR: x = 0 OR 10 / x > 1.
	eq, _ := NewBinary("=", x, NewConst(int32(0), Int4))
	e, _ = NewOr(eq, gt)
	want = []string{"t", "t", "NULL", "f"}
	if got := render(testCtx(), e, b); !equalStrings(got, want) {
		t.Errorf("OR: got %v, want %v", got, want)
	}
}

func TestLogicTypeErrors(t *testing.T) {
	if _, err := NewAnd(NewConst(int32(1), Int4), NewConst(true, Bool)); errString(err) != "ERROR 42804: argument of AND must be type boolean, not type integer" {
		t.Errorf("AND int: %v", err)
	}
	if _, err := NewIsBool(NewConst(int32(1), Int4), true, false, false); errString(err) != "ERROR 42804: argument of IS TRUE must be type boolean, not type integer" {
		t.Errorf("IS TRUE int: %v", err)
	}
	// 't' AND true: the literal is parsed as boolean.
	e, err := NewAnd(NewConst("t", Unknown), NewConst(true, Bool))
	if err != nil || render(testCtx(), e, &Batch{Len: 1})[0] != "t" {
		t.Errorf("'t' AND true: %v %v", e, err)
	}
}

func TestIsPredicates(t *testing.T) {
	ctx := testCtx()
	type is struct {
		name               string
		want, unknown, not bool
		out                [3]string // for true, false, NULL
	}
	for _, tc := range []is{
		{"IS TRUE", true, false, false, [3]string{"t", "f", "f"}},
		{"IS NOT TRUE", true, false, true, [3]string{"f", "t", "t"}},
		{"IS FALSE", false, false, false, [3]string{"f", "t", "f"}},
		{"IS NOT FALSE", false, false, true, [3]string{"t", "f", "t"}},
		{"IS UNKNOWN", false, true, false, [3]string{"f", "f", "t"}},
		{"IS NOT UNKNOWN", false, true, true, [3]string{"t", "t", "f"}},
	} {
		checkCall(t, tc.name, ctx, func(a []Expr) (Expr, error) { return NewIsBool(a[0], tc.want, tc.unknown, tc.not) },
			[]Type{Bool}, []callCase{{args(true), tc.out[0]}, {args(false), tc.out[1]}, {args(nil), tc.out[2]}})
	}
	checkCall(t, "IS NULL", ctx, func(a []Expr) (Expr, error) { return NewIsNull(a[0], false), nil },
		[]Type{Text}, []callCase{{args("x"), "f"}, {args(nil), "t"}})
	checkCall(t, "IS NOT NULL", ctx, func(a []Expr) (Expr, error) { return NewIsNull(a[0], true), nil },
		[]Type{Text}, []callCase{{args("x"), "t"}, {args(nil), "f"}})
	distinct := []callCase{
		{args(int32(1), int32(1)), "f"}, {args(int32(1), int32(2)), "t"},
		{args(int32(1), nil), "t"}, {args(nil, int32(1)), "t"}, {args(nil, nil), "f"},
	}
	checkCall(t, "IS DISTINCT FROM", ctx, func(a []Expr) (Expr, error) { return NewIsDistinct(a[0], a[1], false) },
		[]Type{Int4, Int4}, distinct)
	for i := range distinct {
		distinct[i].want = map[string]string{"t": "f", "f": "t"}[distinct[i].want]
	}
	checkCall(t, "IS NOT DISTINCT FROM", ctx, func(a []Expr) (Expr, error) { return NewIsDistinct(a[0], a[1], true) },
		[]Type{Int4, Int4}, distinct)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
