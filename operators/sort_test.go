package operators

import (
	"testing"

	"github.com/runneldb/runnel/vector"
)

func sortInput() Operator {
	// (k int4, tag text): rows in input order a..g, two batches.
	types := []vector.Type{vector.Int4, vector.Text}
	return valuesOf(types,
		batch(col(vector.Int4, int32(2), nil, int32(1), int32(2)), col(vector.Text, "a", "b", "c", "d")),
		batch(col(vector.Int4, int32(1), nil, int32(3)), col(vector.Text, "e", "f", "g")))
}

func TestSort(t *testing.T) {
	// Ties keep input order (stable); PostgreSQL defaults: ASC NULLS LAST,
	// DESC NULLS FIRST.
	tests := []struct {
		name string
		keys []SortKey
		want []string
	}{
		{"asc nulls last", []SortKey{{Col: 0}}, []string{"1|c", "1|e", "2|a", "2|d", "3|g", "NULL|b", "NULL|f"}},
		{"asc nulls first", []SortKey{{Col: 0, NullsFirst: true}}, []string{"NULL|b", "NULL|f", "1|c", "1|e", "2|a", "2|d", "3|g"}},
		{"desc nulls first", []SortKey{{Col: 0, Desc: true, NullsFirst: true}}, []string{"NULL|b", "NULL|f", "3|g", "2|a", "2|d", "1|c", "1|e"}},
		{"desc nulls last", []SortKey{{Col: 0, Desc: true}}, []string{"3|g", "2|a", "2|d", "1|c", "1|e", "NULL|b", "NULL|f"}},
		{"two keys", []SortKey{{Col: 0}, {Col: 1, Desc: true}}, []string{"1|e", "1|c", "2|d", "2|a", "3|g", "NULL|f", "NULL|b"}},
	}
	for _, tc := range tests {
		checkRows(t, tc.name, run(t, NewSort(sortInput(), tc.keys)), tc.want)
		// TopN agrees with sort + limit.
		checkRows(t, tc.name+" topN", run(t, NewTopN(sortInput(), tc.keys, 3, 2)), tc.want[2:5])
	}
}

func TestSortTypes(t *testing.T) {
	tests := []struct {
		name string
		typ  vector.Type
		in   []any
		want []string
	}{
		{"numeric by value", vector.Numeric, []any{"10", "9.5", "-1", "NaN", "0.00", "9.50"}, []string{"-1", "0.00", "9.5", "9.50", "10", "NaN"}},
		{"text bytewise", vector.Text, []any{"b", "B", "a", "", "ab"}, []string{"", "B", "a", "ab", "b"}},
		{"float NaN greatest", vector.Float8, []any{1.5, -2.0, 0.0}, []string{"-2", "0", "1.5"}},
	}
	for _, tc := range tests {
		in := valuesOf([]vector.Type{tc.typ}, batch(col(tc.typ, tc.in...)))
		checkRows(t, tc.name, run(t, NewSort(in, []SortKey{{Col: 0}})), tc.want)
	}
}

func TestTopNOffsetPastEnd(t *testing.T) {
	checkRows(t, "offset past end", run(t, NewTopN(sortInput(), []SortKey{{Col: 0}}, 5, 10)), nil)
	checkRows(t, "limit 0", run(t, NewTopN(sortInput(), []SortKey{{Col: 0}}, 0, 0)), nil)
	checkRows(t, "no limit, offset 5", run(t, NewTopN(sortInput(), []SortKey{{Col: 0}}, -1, 5)), []string{"NULL|b", "NULL|f"})
}
