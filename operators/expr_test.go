package operators

import (
	"testing"

	"github.com/runneldb/runnel/vector"
)

// binop builds l op r, failing the test on error.
func binop(t *testing.T, op string, l, r vector.Expr) vector.Expr {
	t.Helper()
	e, err := vector.NewBinary(op, l, r)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func colRef(i int, typ vector.Type) vector.Expr { return vector.NewColumnRef(i, typ, "") }

func TestFilter(t *testing.T) {
	types := []vector.Type{vector.Int8}
	in := func() Operator {
		return valuesOf(types,
			batch(col(vector.Int8, int64(1), int64(5), nil, int64(7))),
			batch(col(vector.Int8, int64(9), int64(10))),
			batch(col(vector.Int8, int64(0))))
	}
	ectx := &vector.EvalContext{}
	// v > 4: NULL rows are dropped, like false ones.
	gt := binop(t, ">", colRef(0, vector.Int8), vector.NewConst(int64(4), vector.Int8))
	checkRows(t, "v > 4", run(t, NewFilter(in(), gt, ectx)), []string{"5", "7", "9", "10"})
	// A failing predicate reports its error.
	div := binop(t, "=", binop(t, "/", vector.NewConst(int64(1), vector.Int8), colRef(0, vector.Int8)), vector.NewConst(int64(1), vector.Int8))
	if _, err := runErr(NewFilter(in(), div, ectx)); err == nil {
		t.Errorf("1/v over v = 0: want division by zero")
	} else if e, ok := err.(*vector.Error); !ok || e.Code != vector.CodeDivisionByZero {
		t.Errorf("1/v over v = 0: got %v, want 22012", err)
	}
}

func TestProject(t *testing.T) {
	types := []vector.Type{vector.Int4, vector.Text}
	in := valuesOf(types, batch(col(vector.Int4, int32(1), nil, int32(3)), col(vector.Text, "a", "b", "c")))
	exprs := []vector.Expr{colRef(1, vector.Text), binop(t, "*", colRef(0, vector.Int4), vector.NewConst(int32(2), vector.Int4))}
	checkRows(t, "project", run(t, NewProject(in, exprs, &vector.EvalContext{})), []string{"a|2", "b|NULL", "c|6"})

	// A bare column reference passes the input array through.
	arr := col(vector.Int4, int32(1))
	s := Open(t.Context(), NewProject(valuesOf(types[:1], batch(arr)), []vector.Expr{colRef(0, vector.Int4)}, &vector.EvalContext{}))
	defer s.Close()
	if b, err := s.Next(); err != nil || b.Cols[0] != arr {
		t.Errorf("column reference was copied (err %v)", err)
	}
}

func TestJoinResidual(t *testing.T) {
	// joinInputs ON a = b AND s > 'l3', as a hash join with a residual and
	// as a nested-loop join. A pair failing the residual is no match, so
	// outer joins pad l2 (whose key matches r1 and r5) with NULLs. Derived
	// by hand.
	ectx := &vector.EvalContext{}
	keysEq := func() vector.Expr {
		return binop(t, "=", colRef(0, vector.Int4), colRef(2, vector.Int4))
	}
	residual := func() vector.Expr {
		return binop(t, ">", colRef(1, vector.Text), vector.NewConst("l3", vector.Text))
	}
	tests := []struct {
		name string
		typ  JoinType
		want []string
	}{
		{"inner", InnerJoin, []string{"2|l5|2|r1", "2|l5|2|r5", "3|l4|3|r2"}},
		{"left", LeftJoin, []string{"1|l1|NULL|NULL", "2|l2|NULL|NULL", "2|l5|2|r1", "2|l5|2|r5", "3|l4|3|r2", "NULL|l3|NULL|NULL"}},
		{"right", RightJoin, []string{"2|l5|2|r1", "2|l5|2|r5", "3|l4|3|r2", "NULL|NULL|4|r4", "NULL|NULL|NULL|r3"}},
		{"full", FullJoin, []string{"1|l1|NULL|NULL", "2|l2|NULL|NULL", "2|l5|2|r1", "2|l5|2|r5", "3|l4|3|r2", "NULL|NULL|4|r4", "NULL|NULL|NULL|r3", "NULL|l3|NULL|NULL"}},
		{"semi", SemiJoin, []string{"2|l5", "3|l4"}},
		{"anti", AntiJoin, []string{"1|l1", "2|l2", "NULL|l3"}},
	}
	for _, tc := range tests {
		l, r := joinInputs()
		got := run(t, NewHashJoin(l, r, tc.typ, []int{0}, []int{0}, residual(), false, ectx))
		checkRows(t, "hash "+tc.name, sorted(got), tc.want)
		l, r = joinInputs()
		cond, err := vector.NewAnd(keysEq(), residual())
		if err != nil {
			t.Fatal(err)
		}
		got = run(t, NewNestedLoopJoin(l, r, tc.typ, cond, ectx))
		checkRows(t, "nested loop "+tc.name, sorted(got), tc.want)
	}
}

func TestNestedLoopCrossAndInequality(t *testing.T) {
	ectx := &vector.EvalContext{}
	types := []vector.Type{vector.Int4}
	ints := func(vals ...any) Operator { return valuesOf(types, batch(col(vector.Int4, vals...))) }
	checkRows(t, "cross join", sorted(run(t, NewNestedLoopJoin(ints(int32(1), int32(2)), ints(int32(3), nil), InnerJoin, nil, ectx))),
		[]string{"1|3", "1|NULL", "2|3", "2|NULL"})
	lt := binop(t, "<", colRef(0, vector.Int4), colRef(1, vector.Int4))
	checkRows(t, "a < b full join", sorted(run(t, NewNestedLoopJoin(ints(int32(1), int32(5)), ints(int32(3), nil), FullJoin, lt, ectx))),
		[]string{"1|3", "5|NULL", "NULL|NULL"})
}

func TestNestedLoopManyPairs(t *testing.T) {
	// 100 × 100 rows: more candidate pairs than one batch holds.
	types := []vector.Type{vector.Int4}
	var vals []any
	for i := range int32(100) {
		vals = append(vals, i)
	}
	ints := func() Operator { return valuesOf(types, batch(col(vector.Int4, vals...))) }
	if got := len(run(t, NewNestedLoopJoin(ints(), ints(), InnerJoin, nil, nil))); got != 10000 {
		t.Errorf("cross join: %d rows, want 10000", got)
	}
	// a > b: row a matches a rows; row 0 matches none and is padded.
	gt := binop(t, ">", colRef(0, vector.Int4), colRef(1, vector.Int4))
	if got := len(run(t, NewNestedLoopJoin(ints(), ints(), LeftJoin, gt, &vector.EvalContext{}))); got != 4950+1 {
		t.Errorf("left join a > b: %d rows, want 4951", got)
	}
}
