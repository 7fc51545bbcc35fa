package operators

import (
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestArrayAggregates: array_agg keeps each group's values in input order,
// NULLs included, and with DISTINCT each value once, sorted with NULL
// last; min and max order arrays element by element.
func TestArrayAggregates(t *testing.T) {
	intArr := vector.ArrayOfKind(vector.KindInt4)
	types := []vector.Type{vector.Text, vector.Int4, intArr}
	in := valuesOf(types,
		batch(col(vector.Text, "a", "b", "a"), col(vector.Int4, int32(3), int32(1), nil),
			col(intArr, vector.ArrayValue("{1,2}"), vector.ArrayValue("{}"), vector.ArrayValue("{1,10}"))),
		batch(col(vector.Text, "a", "a"), col(vector.Int4, int32(3), int32(2)), col(intArr, nil, vector.ArrayValue("{1,2,0}"))))
	agg := func(name string, arg int, distinct bool) Aggregate {
		f, typ, err := LookupAggregate(name, []vector.Type{types[arg]})
		if err != nil {
			t.Fatal(err)
		}
		return Aggregate{Func: f, Args: []int{arg}, Distinct: distinct, Filter: -1, Type: typ}
	}
	aggs := []Aggregate{agg("array_agg", 1, false), agg("array_agg", 1, true), agg("min", 2, false), agg("max", 2, false)}
	got := run(t, NewHashAggregate(in, []int{0}, aggs))
	checkRows(t, "array_agg, min, max by k", sorted(got), []string{
		"a|{3,NULL,3,2}|{2,3,NULL}|{1,2}|{1,10}",
		"b|{1}|{1}|{}|{}",
	})
	if _, _, err := LookupAggregate("array_agg", []vector.Type{intArr}); err == nil {
		t.Error("array_agg of arrays (a multidimensional result) is accepted")
	}
}
