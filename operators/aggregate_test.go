package operators

import (
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestAggregateTypes checks global aggregates over one column of each
// type; expected values from PostgreSQL 15, e.g.
// select sum(x), avg(x), min(x), max(x) from (values (1.50::numeric), (2), (NULL)) v(x).
func TestAggregateTypes(t *testing.T) {
	iv := func(m, d int32, us int64) vector.IntervalValue {
		return vector.IntervalValue{Months: m, Days: d, Micros: us}
	}
	tests := []struct {
		name string
		typ  vector.Type
		in   []any
		want string // sum|avg|min|max
	}{
		{"int2", vector.Int2, []any{int16(1), int16(2), nil, int16(2)}, "5|1.6666666666666667|1|2"},
		{"int4", vector.Int4, []any{int32(-7), int32(2)}, "-5|-2.5000000000000000|-7|2"},
		{"int8 beyond 64 bits", vector.Int8, []any{int64(9223372036854775807), int64(9223372036854775807), int64(3)},
			"18446744073709551617|6148914691236517206|3|9223372036854775807"},
		{"numeric", vector.Numeric, []any{"1.50", "2", nil}, "3.50|1.7500000000000000|1.50|2"},
		{"float4", vector.Float4, []any{float32(0.1), float32(0.2), float32(0.3)}, "0.6|0.2000000054637591|0.1|0.3"},
		{"float8", vector.Float8, []any{1.0, 2.0, 4.0}, "7|2.3333333333333335|1|4"},
		{"interval", vector.Interval, []any{iv(1, 0, 0), iv(0, 1, 0), iv(0, 0, 3_600_000_000)},
			"1mon1d3600000000us|0mon10d30000000000us|0mon0d3600000000us|1mon0d0us"},
	}
	for _, tc := range tests {
		var aggs []Aggregate
		for _, name := range []string{"sum", "avg", "min", "max"} {
			f, typ, err := LookupAggregate(name, []vector.Type{tc.typ})
			if err != nil {
				t.Fatal(err)
			}
			aggs = append(aggs, Aggregate{Func: f, Args: []int{0}, Filter: -1, Type: typ})
		}
		in := valuesOf([]vector.Type{tc.typ}, batch(col(tc.typ, tc.in...)))
		checkRows(t, tc.name, run(t, NewHashAggregate(in, nil, aggs)), []string{tc.want})
	}
}

func TestAggregateText(t *testing.T) {
	// select min(s), max(s), string_agg(s, sep) from (values ('b', ','), ('a', NULL),
	// (NULL, ';'), ('c', ';')) v(s, sep)  →  a | c | ba;c
	types := []vector.Type{vector.Text, vector.Text}
	in := valuesOf(types, batch(col(vector.Text, "b", "a", nil, "c"), col(vector.Text, ",", nil, ";", ";")))
	aggs := []Aggregate{
		{Func: Min, Args: []int{0}, Filter: -1, Type: vector.Text},
		{Func: Max, Args: []int{0}, Filter: -1, Type: vector.Text},
		{Func: StringAgg, Args: []int{0, 1}, Filter: -1, Type: vector.Text},
	}
	checkRows(t, "text aggregates", run(t, NewHashAggregate(in, nil, aggs)), []string{"a|c|ba;c"})
}

func TestLookupAggregate(t *testing.T) {
	tests := []struct {
		name string
		args []vector.Type
		fn   AggFunc
		typ  vector.Type
		err  string
	}{
		{"count", nil, CountStar, vector.Int8, ""},
		{"count", []vector.Type{vector.Text}, Count, vector.Int8, ""},
		{"sum", []vector.Type{vector.Int4}, Sum, vector.Int8, ""},
		{"sum", []vector.Type{vector.Int8}, Sum, vector.Numeric, ""},
		{"avg", []vector.Type{vector.Float4}, Avg, vector.Float8, ""},
		{"min", []vector.Type{vector.Varchar}, Min, vector.Text, ""},
		{"every", []vector.Type{vector.Bool}, BoolAnd, vector.Bool, ""},
		{"sum", []vector.Type{vector.Text}, 0, vector.Type{}, "function sum(text) does not exist"},
		{"min", []vector.Type{vector.Bool}, 0, vector.Type{}, "function min(boolean) does not exist"},
		{"foo", []vector.Type{vector.Int4}, 0, vector.Type{}, "function foo(integer) does not exist"},
	}
	for _, tc := range tests {
		fn, typ, err := LookupAggregate(tc.name, tc.args)
		if tc.err != "" {
			e, ok := err.(*vector.Error)
			if !ok || e.Code != vector.CodeUndefinedFunction || e.Message != tc.err {
				t.Errorf("%s%v: error %v, want 42883 %q", tc.name, tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || fn != tc.fn || typ != tc.typ {
			t.Errorf("%s%v = %v, %v, %v; want %v, %v", tc.name, tc.args, fn, typ, err, tc.fn, tc.typ)
		}
	}
	if !IsAggregate("bool_or") || IsAggregate("lower") {
		t.Errorf("IsAggregate wrong")
	}
}
