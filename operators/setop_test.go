package operators

import (
	"testing"

	"github.com/runneldb/runnel/vector"
)

func TestSetOps(t *testing.T) {
	// left: 1,1,1,2,NULL,NULL ; right: 1,NULL,3,3. Checked against PostgreSQL
	// (values (1),(1),(1),(2),(null),(null) intersect all values (1),(null),(3),(3) …).
	types := []vector.Type{vector.Int4}
	left := func() Operator {
		return valuesOf(types, batch(col(vector.Int4, int32(1), int32(1), int32(1), int32(2), nil, nil)))
	}
	right := func() Operator {
		return valuesOf(types, batch(col(vector.Int4, int32(1), nil, int32(3), int32(3))))
	}
	tests := []struct {
		name string
		op   SetOp
		all  bool
		want []string
	}{
		{"union", Union, false, []string{"1", "2", "3", "NULL"}},
		{"union all", Union, true, []string{"1", "1", "1", "1", "2", "3", "3", "NULL", "NULL", "NULL"}},
		{"intersect", Intersect, false, []string{"1", "NULL"}},
		{"intersect all", Intersect, true, []string{"1", "NULL"}},
		{"except", Except, false, []string{"2"}},
		{"except all", Except, true, []string{"1", "1", "2", "NULL"}},
	}
	for _, tc := range tests {
		checkRows(t, tc.name, sorted(run(t, NewSetOp(left(), right(), tc.op, tc.all))), tc.want)
	}
}

func TestDistinct(t *testing.T) {
	types := []vector.Type{vector.Text, vector.Float8}
	in := valuesOf(types,
		batch(col(vector.Text, "a", "a", nil, "a"), col(vector.Float8, 1.0, 1.0, nil, 2.0)),
		batch(col(vector.Text, nil, "a"), col(vector.Float8, nil, 2.0)))
	// First occurrences, in input order.
	checkRows(t, "distinct", run(t, NewDistinct(in)), []string{"a|1", "NULL|NULL", "a|2"})
}

func TestUnionAllOrder(t *testing.T) {
	types := []vector.Type{vector.Int4}
	a := valuesOf(types, batch(col(vector.Int4, int32(1))))
	b := valuesOf(types)
	c := valuesOf(types, batch(col(vector.Int4, int32(2), int32(3))))
	checkRows(t, "union all", run(t, NewUnionAll(a, b, c)), []string{"1", "2", "3"})
}
