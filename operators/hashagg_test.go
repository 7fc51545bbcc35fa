package operators

import (
	"testing"

	"github.com/runneldb/runnel/vector"
)

func TestHashAggregate(t *testing.T) {
	// Input (k text, v int4, f bool):
	//   ('a', 1, t) ('b', 2, f) ('a', NULL, t) (NULL, 4, t) ('b', 2, t) (NULL, 5, f)
	types := []vector.Type{vector.Text, vector.Int4, vector.Bool}
	in := func() Operator {
		return valuesOf(types,
			batch(col(vector.Text, "a", "b", "a"), col(vector.Int4, int32(1), int32(2), nil), col(vector.Bool, true, false, true)),
			batch(col(vector.Text, nil, "b", nil), col(vector.Int4, int32(4), int32(2), int32(5)), col(vector.Bool, true, true, false)))
	}
	agg := func(name string, args []int, distinct bool, filter int) Aggregate {
		argTypes := make([]vector.Type, len(args))
		for i, a := range args {
			argTypes[i] = types[a]
		}
		f, typ, err := LookupAggregate(name, argTypes)
		if err != nil {
			t.Fatal(err)
		}
		return Aggregate{Func: f, Args: args, Distinct: distinct, Filter: filter, Type: typ}
	}
	tests := []struct {
		name  string
		group []int
		aggs  []Aggregate
		want  []string
	}{
		{"count star and count(v) by k", []int{0},
			[]Aggregate{agg("count", nil, false, -1), agg("count", []int{1}, false, -1)},
			[]string{"NULL|2|2", "a|2|1", "b|2|2"}},
		{"sum avg min max by k", []int{0},
			[]Aggregate{agg("sum", []int{1}, false, -1), agg("avg", []int{1}, false, -1), agg("min", []int{1}, false, -1), agg("max", []int{1}, false, -1)},
			[]string{"NULL|9|4.5000000000000000|4|5", "a|1|1.00000000000000000000|1|1", "b|4|2.0000000000000000|2|2"}},
		{"distinct and filter", []int{0},
			[]Aggregate{agg("count", []int{1}, true, -1), agg("sum", []int{1}, true, -1), agg("count", nil, false, 2), agg("sum", []int{1}, false, 2)},
			[]string{"NULL|2|9|1|4", "a|1|1|2|1", "b|1|2|1|2"}},
		{"bool_and bool_or by k", []int{0},
			[]Aggregate{agg("bool_and", []int{2}, false, -1), agg("every", []int{2}, false, -1), agg("bool_or", []int{2}, false, -1)},
			[]string{"NULL|false|false|true", "a|true|true|true", "b|false|false|true"}},
		{"string_agg by v", []int{1},
			[]Aggregate{agg("string_agg", []int{0, 0}, false, -1)},
			[]string{"1|a", "2|bbb", "4|NULL", "5|NULL", "NULL|a"}},
		{"global", nil,
			[]Aggregate{agg("count", nil, false, -1), agg("sum", []int{1}, false, -1), agg("min", []int{0}, false, -1), agg("max", []int{0}, false, -1)},
			[]string{"6|14|a|b"}},
	}
	for _, tc := range tests {
		got := run(t, NewHashAggregate(in(), tc.group, tc.aggs))
		checkRows(t, tc.name, sorted(got), tc.want)
	}
}

func TestHashAggregateEmptyInput(t *testing.T) {
	types := []vector.Type{vector.Int8}
	aggs := []Aggregate{
		{Func: CountStar, Filter: -1, Type: vector.Int8},
		{Func: Count, Args: []int{0}, Filter: -1, Type: vector.Int8},
		{Func: Sum, Args: []int{0}, Filter: -1, Type: vector.Numeric},
		{Func: Max, Args: []int{0}, Filter: -1, Type: vector.Int8},
	}
	checkRows(t, "global over empty", run(t, NewHashAggregate(valuesOf(types), nil, aggs)), []string{"0|0|NULL|NULL"})
	checkRows(t, "grouped over empty", run(t, NewHashAggregate(valuesOf(types), []int{0}, aggs)), nil)
}
