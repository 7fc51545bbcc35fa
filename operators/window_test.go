package operators

import (
	"testing"

	"github.com/runneldb/runnel/vector"
)

func TestRankWindow(t *testing.T) {
	// (p int4, v int4, tag text), tags a..h in input order.
	types := []vector.Type{vector.Int4, vector.Int4, vector.Text}
	in := func() Operator {
		return valuesOf(types,
			batch(col(vector.Int4, int32(1), int32(1), int32(1), int32(2)),
				col(vector.Int4, int32(10), int32(20), int32(10), nil),
				col(vector.Text, "a", "b", "c", "d")),
			batch(col(vector.Int4, int32(1), int32(2), int32(2), nil),
				col(vector.Int4, int32(30), int32(5), nil, int32(1)),
				col(vector.Text, "e", "f", "g", "h")))
	}
	byV := []SortKey{{Col: 1}}                                   // ASC NULLS LAST
	byVDesc := []SortKey{{Col: 1, Desc: true, NullsFirst: true}} // DESC NULLS FIRST
	// Partitions come out in order 1, 2, NULL. Within partition 1 by v:
	// a(10) c(10) b(20) e(30); partition 2: f(5) d(NULL) g(NULL); then h.
	ascRows := []string{"1|10|a", "1|10|c", "1|20|b", "1|30|e", "2|5|f", "2|NULL|d", "2|NULL|g", "NULL|1|h"}
	// By v descending, NULLs first: e(30) b(20) a(10) c(10); d g f; h.
	descRows := []string{"1|30|e", "1|20|b", "1|10|a", "1|10|c", "2|NULL|d", "2|NULL|g", "2|5|f", "NULL|1|h"}
	// No partition, by v: h(1) f(5) a c b e d g.
	allRows := []string{"NULL|1|h", "2|5|f", "1|10|a", "1|10|c", "1|20|b", "1|30|e", "2|NULL|d", "2|NULL|g"}
	tests := []struct {
		name      string
		partition []int
		order     []SortKey
		rank      RankKind
		rows      []string
		ranks     []string
	}{
		{"row_number", []int{0}, byV, RowNumber, ascRows, []string{"1", "2", "3", "4", "1", "2", "3", "1"}},
		{"rank", []int{0}, byV, Rank, ascRows, []string{"1", "1", "3", "4", "1", "2", "2", "1"}},
		{"dense_rank", []int{0}, byV, DenseRank, ascRows, []string{"1", "1", "2", "3", "1", "2", "2", "1"}},
		{"rank desc nulls first", []int{0}, byVDesc, Rank, descRows, []string{"1", "2", "3", "3", "1", "1", "3", "1"}},
		{"dense_rank desc nulls first", []int{0}, byVDesc, DenseRank, descRows, []string{"1", "2", "3", "3", "1", "1", "2", "1"}},
		{"rank, one partition", nil, byV, Rank, allRows, []string{"1", "2", "3", "3", "5", "6", "7", "7"}},
		{"dense_rank, one partition", nil, byV, DenseRank, allRows, []string{"1", "2", "3", "3", "4", "5", "6", "6"}},
	}
	for _, tc := range tests {
		want := make([]string, len(tc.rows))
		for i, r := range tc.rows {
			want[i] = r + "|" + tc.ranks[i]
		}
		checkRows(t, tc.name, run(t, NewRankWindow(in(), tc.partition, tc.order, tc.rank)), want)
	}
}

func TestRankWindowEmpty(t *testing.T) {
	in := valuesOf([]vector.Type{vector.Int4})
	checkRows(t, "empty", run(t, NewRankWindow(in, nil, []SortKey{{Col: 0}}, Rank)), nil)
}
