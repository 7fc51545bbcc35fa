package operators

import (
	"testing"

	"github.com/runneldb/runnel/vector"
)

// joinInputs: left (a int4, s text) and right (b int4, t text):
//
//	left:  (1,'l1') (2,'l2') (NULL,'l3') (3,'l4') (2,'l5')
//	right: (2,'r1') (3,'r2') (NULL,'r3') (4,'r4') (2,'r5')
func joinInputs() (left, right Operator) {
	types := []vector.Type{vector.Int4, vector.Text}
	left = valuesOf(types,
		batch(col(vector.Int4, int32(1), int32(2), nil), col(vector.Text, "l1", "l2", "l3")),
		batch(col(vector.Int4, int32(3), int32(2)), col(vector.Text, "l4", "l5")))
	right = valuesOf(types,
		batch(col(vector.Int4, int32(2), int32(3), nil, int32(4), int32(2)), col(vector.Text, "r1", "r2", "r3", "r4", "r5")))
	return left, right
}

func TestHashJoin(t *testing.T) {
	// Expected rows derived by hand (NULL keys never match).
	tests := []struct {
		name string
		typ  JoinType
		want []string
	}{
		{"inner", InnerJoin, []string{"2|l2|2|r1", "2|l2|2|r5", "2|l5|2|r1", "2|l5|2|r5", "3|l4|3|r2"}},
		{"left", LeftJoin, []string{"1|l1|NULL|NULL", "2|l2|2|r1", "2|l2|2|r5", "2|l5|2|r1", "2|l5|2|r5", "3|l4|3|r2", "NULL|l3|NULL|NULL"}},
		{"right", RightJoin, []string{"2|l2|2|r1", "2|l2|2|r5", "2|l5|2|r1", "2|l5|2|r5", "3|l4|3|r2", "NULL|NULL|4|r4", "NULL|NULL|NULL|r3"}},
		{"full", FullJoin, []string{"1|l1|NULL|NULL", "2|l2|2|r1", "2|l2|2|r5", "2|l5|2|r1", "2|l5|2|r5", "3|l4|3|r2", "NULL|NULL|4|r4", "NULL|NULL|NULL|r3", "NULL|l3|NULL|NULL"}},
		{"semi", SemiJoin, []string{"2|l2", "2|l5", "3|l4"}},
		{"anti", AntiJoin, []string{"1|l1", "NULL|l3"}},
	}
	for _, tc := range tests {
		l, r := joinInputs()
		got := run(t, NewHashJoin(l, r, tc.typ, []int{0}, []int{0}, nil, false, nil))
		checkRows(t, tc.name, sorted(got), tc.want)
	}
}

func TestHashJoinNotIn(t *testing.T) {
	types := []vector.Type{vector.Int4}
	ints := func(vals ...any) Operator {
		if len(vals) == 0 {
			return valuesOf(types)
		}
		return valuesOf(types, batch(col(vector.Int4, vals...)))
	}
	// Checked against PostgreSQL: select x from l where x not in (select y from r).
	tests := []struct {
		name        string
		left, right Operator
		want        []string
	}{
		{"no nulls", ints(int32(1), int32(2), int32(3)), ints(int32(2)), []string{"1", "3"}},
		{"null on the right", ints(int32(1), int32(2)), ints(int32(2), nil), nil},
		{"null on the left", ints(int32(1), nil), ints(int32(2)), []string{"1"}},
		{"null on the left, empty right", ints(int32(1), nil), ints(), []string{"1", "NULL"}},
	}
	for _, tc := range tests {
		got := run(t, NewHashJoin(tc.left, tc.right, AntiJoin, []int{0}, []int{0}, nil, true, nil))
		checkRows(t, tc.name, sorted(got), tc.want)
	}
}

func TestHashJoinEmptySides(t *testing.T) {
	types := []vector.Type{vector.Int4, vector.Text}
	l, _ := joinInputs()
	checkRows(t, "left join empty right", sorted(run(t, NewHashJoin(l, valuesOf(types), LeftJoin, []int{0}, []int{0}, nil, false, nil))),
		[]string{"1|l1|NULL|NULL", "2|l2|NULL|NULL", "2|l5|NULL|NULL", "3|l4|NULL|NULL", "NULL|l3|NULL|NULL"})
	_, r := joinInputs()
	checkRows(t, "inner join empty left", run(t, NewHashJoin(valuesOf(types), r, InnerJoin, []int{0}, []int{0}, nil, false, nil)), nil)
}

func TestHashJoinMultiKeyAndManyRows(t *testing.T) {
	// 10000 left rows (i, i%7) joined to 7 right rows (k, k) on both
	// columns: exactly the rows with i == i%7, i.e. i in 0..6.
	types := []vector.Type{vector.Int8, vector.Int8}
	var a, b []any
	for i := range int64(10000) {
		a, b = append(a, i), append(b, i%7)
	}
	left := valuesOf(types, batch(col(vector.Int8, a...), col(vector.Int8, b...)))
	var k []any
	for i := range int64(7) {
		k = append(k, i)
	}
	right := valuesOf(types, batch(col(vector.Int8, k...), col(vector.Int8, k...)))
	got := run(t, NewHashJoin(left, right, InnerJoin, []int{0, 1}, []int{0, 1}, nil, false, nil))
	checkRows(t, "multi-key", sorted(got), []string{"0|0|0|0", "1|1|1|1", "2|2|2|2", "3|3|3|3", "4|4|4|4", "5|5|5|5", "6|6|6|6"})
}
