package operators

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// (p int4, v int4, s text)
var topNTypes = []vector.Type{vector.Int4, vector.Int4, vector.Text}

// topNCase is a configuration of NewTopNNode.
type topNCase struct {
	name          string
	partition     []int
	order         []SortKey
	limit, offset int64
	rank          RankKind
}

func (tc topNCase) node() *Node {
	return NewTopNNode(NewSourceNode("t", topNTypes, nil), tc.partition, tc.order, tc.limit, tc.offset, tc.rank)
}

// expected recomputes the output over the current input with bounded
// operators: the input sorted by order then every column (the tie-breaker
// of NewTopNNode), ranked per partition by NewRankWindow, filtered to the
// ranks in (offset, offset+limit]; or, for ORDER BY … LIMIT over one
// partition, NewSort and NewLimit.
func (tc topNCase) expected(t *testing.T, in *inputRows) []string {
	t.Helper()
	keys := slices.Clone(tc.order)
	for c := range in.types {
		keys = append(keys, SortKey{Col: c})
	}
	sortedIn := NewSort(in.scan(), keys)
	if tc.partition == nil && tc.rank == NoRank {
		return sorted(run(t, NewLimit(sortedIn, tc.limit, tc.offset)))
	}
	rank := tc.rank
	if rank == NoRank {
		rank = RowNumber
	}
	var out []string
	for _, row := range run(t, NewRankWindow(sortedIn, tc.partition, tc.order, rank)) {
		cut := strings.LastIndexByte(row, '|')
		r, err := strconv.ParseInt(row[cut+1:], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if r <= tc.offset || tc.limit >= 0 && r > tc.offset+tc.limit {
			continue
		}
		if tc.rank == NoRank {
			row = row[:cut]
		}
		out = append(out, row)
	}
	return sorted(out)
}

var (
	byVAsc          = []SortKey{{Col: 1}}
	byVDescNullsFst = []SortKey{{Col: 1, Desc: true, NullsFirst: true}}
	byVAscNullsFst  = []SortKey{{Col: 1, NullsFirst: true}}
	byVDesc         = []SortKey{{Col: 1, Desc: true}}
)

var topNCases = []topNCase{
	{"global top 3", nil, byVAsc, 3, 0, NoRank},
	{"global limit 2 offset 1, desc nulls first", nil, byVDescNullsFst, 2, 1, NoRank},
	{"global offset only", nil, byVAsc, -1, 2, NoRank},
	{"per partition top 2, nulls first", []int{0}, byVAscNullsFst, 2, 0, NoRank},
	{"per partition limit 2 offset 1", []int{0}, byVAsc, 2, 1, NoRank},
	{"per partition rank <= 2", []int{0}, byVAsc, 2, 0, Rank},
	{"per partition dense_rank <= 2", []int{0}, byVDesc, 2, 0, DenseRank},
	{"per partition row_number in (1, 3]", []int{0}, byVAsc, 2, 1, RowNumber},
	{"global rank, no limit", nil, byVAsc, -1, 0, Rank},
	{"global row_number <= 4", nil, byVDescNullsFst, 4, 0, RowNumber},
	{"distinct on p order by v desc", []int{0}, byVDesc, 1, 0, NoRank},
	{"partition by text", []int{2}, byVAsc, 1, 0, Rank},
}

// topNSteps changes the input of a top-N step by step: ties, NULLs,
// duplicates, deletes inside and outside the window, updates, a partition
// emptied and refilled.
func topNSteps(t *testing.T, in *inputRows) []func() []*vector.Batch {
	r := func(p, v any, s string) []any { return []any{p, v, s} }
	one := int32(1)
	two := int32(2)
	v := func(x int32) any { return x }
	return []func() []*vector.Batch{
		func() []*vector.Batch {
			return []*vector.Batch{in.change(t, [][]any{
				r(one, v(10), "a"), r(one, v(20), "b"), r(one, v(10), "c"), r(one, v(30), "d"),
				r(two, v(5), "e"), r(two, nil, "f"), r(two, v(5), "g"), r(nil, v(7), "h"),
				r(one, v(10), "a"), // a duplicate
			}, nil)}
		},
		// Delete a row inside the windows: the next one enters.
		func() []*vector.Batch { return []*vector.Batch{in.change(t, nil, [][]any{r(one, v(10), "c")})} },
		// One copy of a duplicate.
		func() []*vector.Batch { return []*vector.Batch{in.change(t, nil, [][]any{r(one, v(10), "a")})} },
		// Ties and NULLs.
		func() []*vector.Batch {
			return []*vector.Batch{in.change(t, [][]any{
				r(one, v(20), "e"), r(one, nil, "n"), r(two, nil, "m"), r(two, v(1), "a"), r(nil, nil, "z"),
			}, nil)}
		},
		// Updates: -old +new, in two batches.
		func() []*vector.Batch {
			return []*vector.Batch{
				in.change(t, [][]any{r(one, v(40), "b")}, [][]any{r(one, v(20), "b")}),
				in.change(t, [][]any{r(two, v(0), "e")}, [][]any{r(two, v(5), "e")}),
			}
		},
		// Changes far outside the windows.
		func() []*vector.Batch {
			return []*vector.Batch{in.change(t, [][]any{r(one, v(99), "y"), r(two, v(99), "y")}, [][]any{r(one, v(40), "b")})}
		},
		// Empty partition 2, then refill it in the same step.
		func() []*vector.Batch {
			del := in.change(t, nil, [][]any{r(two, v(5), "g"), r(two, nil, "f"), r(two, nil, "m"), r(two, v(1), "a"),
				r(two, v(0), "e"), r(two, v(99), "y")})
			return []*vector.Batch{del, in.change(t, [][]any{r(two, v(3), "q")}, nil)}
		},
		// Delete a row, then insert it again, in one step.
		func() []*vector.Batch {
			return []*vector.Batch{in.change(t, nil, [][]any{r(one, v(10), "a")}), in.change(t, [][]any{r(one, v(10), "a")}, nil)}
		},
		// Empty everything.
		func() []*vector.Batch { return []*vector.Batch{in.change(t, nil, slices.Clone(in.rows))} },
	}
}

func TestTopNNode(t *testing.T) {
	for _, tc := range topNCases {
		t.Run(tc.name, func(t *testing.T) {
			in := &inputRows{types: topNTypes}
			c := newCluster(t, tc.node(), 1)
			for k, step := range topNSteps(t, in) {
				got := c.step(step()...)
				checkRows(t, "step "+strconv.Itoa(k), got, tc.expected(t, in))
			}
		})
	}
}

func TestTopNNodeEmitsNetChanges(t *testing.T) {
	r := func(v int32, s string) []any { return []any{int32(1), v, s} }
	tests := []struct {
		name  string
		tc    topNCase
		steps []struct{ ins, dels [][]any }
		want  [][]string
	}{
		{
			name: "top 2",
			tc:   topNCase{"", nil, byVAsc, 2, 0, NoRank},
			steps: []struct{ ins, dels [][]any }{
				{ins: [][]any{r(1, "a"), r(2, "b"), r(3, "c"), r(4, "d")}},
				{ins: [][]any{r(10, "x")}},                          // outside: nothing
				{dels: [][]any{r(4, "d")}},                          // outside: nothing
				{dels: [][]any{r(1, "a")}},                          // inside: c enters
				{ins: [][]any{r(0, "c")}, dels: [][]any{r(3, "c")}}, // update inside
				{ins: [][]any{r(2, "b")}, dels: [][]any{r(0, "c")}}, // a second copy of b enters
			},
			want: [][]string{
				{"1|1|a", "1|2|b"},
				nil,
				nil,
				{"-1|1|a", "1|3|c"},
				{"-1|3|c", "1|0|c"},
				{"-1|0|c", "1|2|b"},
			},
		},
		{
			name: "rank <= 2",
			tc:   topNCase{"", nil, byVAsc, 2, 0, Rank},
			steps: []struct{ ins, dels [][]any }{
				{ins: [][]any{r(1, "a"), r(2, "b"), r(2, "c"), r(3, "d")}},
				{ins: [][]any{r(0, "z")}}, // every rank moves; b, c to rank 3
				{dels: [][]any{r(1, "a")}},
			},
			want: [][]string{
				{"1|1|a|1", "1|2|b|2", "1|2|c|2"},
				{"-1|1|a|1", "-1|2|b|2", "-1|2|c|2", "1|0|z|1", "1|1|a|2"},
				{"-1|1|a|2", "1|2|b|2", "1|2|c|2"},
			},
		},
	}
	for _, tt := range tests {
		in := &inputRows{types: topNTypes}
		c := newCluster(t, tt.tc.node(), 1)
		for k, s := range tt.steps {
			c.step(in.change(t, s.ins, s.dels))
			want := slices.Clone(tt.want[k])
			slices.Sort(want)
			checkRows(t, tt.name+" step "+strconv.Itoa(k), c.emitted, want)
		}
	}
}

func TestTopNNodeRestore(t *testing.T) {
	for _, tc := range []topNCase{topNCases[0], topNCases[5], topNCases[7]} {
		t.Run(tc.name, func(t *testing.T) {
			in := &inputRows{types: topNTypes}
			instances := 1
			if tc.partition != nil {
				instances = 2
			}
			c := newCluster(t, tc.node(), instances)
			steps := topNSteps(t, in)
			m := memState{}
			for _, step := range steps[:4] {
				c.step(step()...)
				c.checkpoint(m)
			}
			restarted := []int{1}
			if tc.partition != nil {
				restarted = []int{1, 3}
			}
			for _, n := range restarted {
				in := &inputRows{types: topNTypes, rows: slices.Clone(in.rows)}
				r := c.restart(m, n)
				got := r.step()
				checkRows(t, "after restore: emitted", r.emitted, nil)
				checkRows(t, "after restore", got, tc.expected(t, in))
				if got := r.checkpoint(memState{}); got != 0 {
					t.Errorf("checkpoint right after restore wrote %d entries", got)
				}
				for k, step := range topNSteps(t, in)[4:] {
					got := r.step(step()...)
					checkRows(t, "after restore, step "+strconv.Itoa(k+4), got, tc.expected(t, in))
				}
			}
		})
	}
}

func TestTopNNodeCheckpointWritesChanges(t *testing.T) {
	in := &inputRows{types: topNTypes}
	c := newCluster(t, topNCases[3].node(), 1)
	m := memState{}
	steps := topNSteps(t, in)
	c.step(steps[0]()...)
	if got := c.checkpoint(m); got != 8 { // 9 rows, a duplicate
		t.Errorf("first checkpoint wrote %d entries, want 8", got)
	}
	c.step(steps[1]()...)
	if got := c.checkpoint(m); got != 1 {
		t.Errorf("second checkpoint wrote %d entries, want 1", got)
	}
	if got := c.checkpoint(m); got != 0 {
		t.Errorf("checkpoint without changes wrote %d entries", got)
	}
	// Many changes to a few rows keep the list of rows changed short.
	row := [][]any{{int32(3), int32(3), "x"}}
	for range 5000 {
		c.step(in.change(t, row, nil), in.change(t, nil, row), in.change(t, nil, [][]any{{int32(1), int32(20), "b"}}),
			in.change(t, [][]any{{int32(1), int32(20), "b"}}, nil))
	}
	if got := len(c.ops[0].(*incTopN).changed); got > BatchSize+4 {
		t.Errorf("%d rows listed as changed, want at most %d", got, BatchSize+4)
	}
	if got := c.checkpoint(m); got != 2 {
		t.Errorf("checkpoint after many changes to 2 rows wrote %d entries, want 2", got)
	}
}

// TestTopNNodeMany checks a top-N over enough rows to split sortedRows'
// blocks, compact the row copies and the partition table.
func TestTopNNodeMany(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []topNCase{
		{"global", nil, byVAsc, 50, 1000, Rank},
		{"many partitions", []int{0}, byVDesc, 3, 0, RowNumber},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &inputRows{types: topNTypes}
			c := newCluster(t, tc.node(), 1)
			m := memState{}
			var rows [][]any
			for i := range 6000 {
				rows = append(rows, []any{int32(rng.IntN(3000)), int32(rng.IntN(2000)), strconv.Itoa(i)})
			}
			got := c.step(in.change(t, rows, nil))
			checkRows(t, "inserted", got, tc.expected(t, in))
			rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
			got = c.step(in.change(t, nil, rows[200:]))
			checkRows(t, "most deleted", got, tc.expected(t, in))
			c.checkpoint(m)
			op := c.ops[0].(*incTopN)
			if inUse := len(op.entries) - len(op.free); op.copied != inUse {
				t.Errorf("copies hold %d rows, state %d: not compacted", op.copied, inUse)
			}
			if tc.partition != nil {
				keys := map[string]bool{}
				for _, r := range in.rows {
					keys[render(r[0])] = true
				}
				if op.parts.len() != len(keys) {
					t.Errorf("%d partitions, %d with rows: not compacted", op.parts.len(), len(keys))
				}
			}
			got = c.step(in.change(t, rows[300:400], rows[:100]))
			checkRows(t, "after compaction", got, tc.expected(t, in))
			c.checkpoint(m)
			r := c.restart(m, 1)
			got = r.step(in.change(t, rows[:50], rows[100:150]))
			checkRows(t, "restored", got, tc.expected(t, in))
		})
	}
}

func TestTopNNodeKeepsRowsAsWritten(t *testing.T) {
	// Values that sort as equal but are written differently are different
	// rows: the output shows each as written, and deleting one leaves the
	// other.
	num := func(s string) any {
		d, err := vector.ParseNumeric(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		typ             vector.Type
		equal1, equal2  any
		greater         any
		want, wantAfter []string
	}{
		{vector.Numeric, num("1.5"), num("1.50"), num("2"), []string{"1.5", "1.50"}, []string{"1.50", "2"}},
		{vector.Float8, 0.0, math.Copysign(0, -1), 1.0, []string{"-0", "0"}, []string{"-0", "1"}},
		{vector.Interval, vector.IntervalValue{Months: 1}, vector.IntervalValue{Days: 30}, vector.IntervalValue{Days: 31},
			[]string{"0mon30d0us", "1mon0d0us"}, []string{"0mon30d0us", "0mon31d0us"}},
	}
	for _, tc := range tests {
		types := []vector.Type{tc.typ}
		in := &inputRows{types: types}
		c := newCluster(t, NewTopNNode(NewSourceNode("t", types, nil), nil, []SortKey{{Col: 0}}, 2, 0, NoRank), 1)
		got := c.step(in.change(t, [][]any{{tc.equal1}, {tc.equal2}, {tc.greater}}, nil))
		checkRows(t, tc.typ.String()+": both", got, tc.want)
		got = c.step(in.change(t, nil, [][]any{{tc.equal1}}))
		checkRows(t, tc.typ.String()+": one deleted", got, tc.wantAfter)
	}
}

func TestTopNDetail(t *testing.T) {
	n := NewTopNNode(NewSourceNode("t", topNTypes, nil), []int{0}, []SortKey{{Col: 1, Desc: true}, {Col: 2, NullsFirst: true}}, 3, 1, DenseRank)
	if want := "partition by $0 order by $1 desc nulls last, $2 nulls first limit 3 offset 1 dense_rank"; n.Detail != want {
		t.Errorf("Detail %q, want %q", n.Detail, want)
	}
	if got := n.Types(); len(got) != 4 || got[3] != vector.Int8 {
		t.Errorf("types %v, want the input's and int8", got)
	}
}

// (w timestamptz, p int4, v int4): w is a tumbling window of 10 s.
var windowTopNTypes = []vector.Type{vector.TimestampTZ, vector.Int4, vector.Int4}

// windowTopNCase is the top 2 by v per window and p.
var windowTopNCase = topNCase{"per window and p, top 2", []int{0, 1}, byVAsc, 2, 0, NoRank}

func newWindowTopNNode() *Node {
	tc := windowTopNCase
	return NewWindowTopNNode(NewSourceNode("t", windowTopNTypes, nil), tc.partition, []SortKey{{Col: 2}}, tc.limit,
		tc.offset, tc.rank, 0, Bound{Kind: BoundTumbleStart, Size: 10_000_000})
}

// windowTopNExpected recomputes the output over the input with bounded
// operators (see topNCase.expected), ordered by v.
func windowTopNExpected(t *testing.T, in *inputRows) []string {
	tc := windowTopNCase
	tc.order = []SortKey{{Col: 2}}
	return tc.expected(t, in)
}

func TestWindowTopNNode(t *testing.T) {
	r := func(w int64, p, v int32) []any { return []any{sec(w), p, v} }
	in := &inputRows{types: windowTopNTypes}
	c := newCluster(t, newWindowTopNNode(), 2)
	m := memState{}
	got := c.step(in.change(t, [][]any{r(0, 1, 5), r(0, 1, 3), r(0, 1, 4), r(0, 2, 1), r(10, 1, 2), r(10, 1, 9)}, nil))
	checkRows(t, "inserted", got, windowTopNExpected(t, in))
	c.checkpoint(m)

	// A change pending in window 0 when the watermark closes it is
	// emitted by the watermark; the flush after has nothing left.
	for i, part := range c.route(in.change(t, [][]any{r(0, 1, 1)}, nil)) {
		if part != nil {
			if err := c.ops[i].Push(0, part, c.emit); err != nil {
				t.Fatal(err)
			}
		}
	}
	emitted := clusterWatermark(c, int64(sec(10)))
	checkRows(t, "emitted by the watermark", emitted, []string{"-0|1|4", "0|1|1"})
	got = c.step()
	checkRows(t, "flushed after the watermark", c.emitted, nil)
	checkRows(t, "after the watermark", got, windowTopNExpected(t, in))

	// Window 0's rows leave the state; its output stays.
	c.checkpoint(m)
	if len(m) != 2 {
		t.Errorf("%d rows in state, want window 10's 2", len(m))
	}

	// Rows for window 0 are late now, a deletion as an insertion.
	late := rowsBatch(windowTopNTypes, [][]any{r(0, 1, 0), r(0, 3, 1)})
	del := weighted(rowsBatch(windowTopNTypes, [][]any{r(0, 2, 1)}), -1)
	got = c.step(late, del, in.change(t, [][]any{r(10, 1, 1)}, nil))
	checkRows(t, "late rows dropped", got, windowTopNExpected(t, in))
	if n := clusterLateRows(c); n != 3 {
		t.Errorf("%d late rows, want 3", n)
	}
	c.checkpoint(m)

	// Restored, the operator goes on; the end of time empties the state.
	for _, n := range []int{1, 3} {
		in := &inputRows{types: windowTopNTypes, rows: slices.Clone(in.rows)}
		state := maps.Clone(m)
		rc := c.restart(state, n)
		got := rc.step(in.change(t, [][]any{r(10, 1, 0), r(20, 1, 7)}, nil))
		checkRows(t, "restored into "+strconv.Itoa(n), got, windowTopNExpected(t, in))
		if emitted := clusterWatermark(rc, EndOfTime); len(emitted) != 0 {
			t.Errorf("the end of time emitted %q", emitted)
		}
		rc.checkpoint(state)
		if len(state) != 0 {
			t.Errorf("restored into %d: %d rows in state after the end of time", n, len(state))
		}
	}
}

// TestWindowTopNNodeCompacts closes most partitions, so that compaction
// renumbers the others: the watermark must still find them.
func TestWindowTopNNodeCompacts(t *testing.T) {
	in := &inputRows{types: windowTopNTypes}
	c := newCluster(t, newWindowTopNNode(), 1)
	op := c.ops[0].(*incTopN)
	m := memState{}
	var rows [][]any
	for p := range int32(1500) {
		rows = append(rows, []any{sec(0), p, p})
	}
	for p := range int32(10) {
		rows = append(rows, []any{sec(10), p, p})
	}
	got := c.step(in.change(t, rows, nil))
	checkRows(t, "inserted", got, windowTopNExpected(t, in))
	c.checkpoint(m)
	clusterWatermark(c, int64(sec(10)))
	c.checkpoint(m)
	if len(m) != 10 || op.parts.len() != 10 {
		t.Errorf("after closing window 0: %d rows in state and %d partitions, want 10 and 10", len(m), op.parts.len())
	}
	got = c.step(in.change(t, [][]any{{sec(10), int32(3), int32(-1)}}, nil))
	checkRows(t, "after compaction", got, windowTopNExpected(t, in))
	clusterWatermark(c, int64(sec(20)))
	c.checkpoint(m)
	if len(m) != 0 {
		t.Errorf("%d rows in state after closing window 10", len(m))
	}
	checkRows(t, "closed", c.out.rows(), windowTopNExpected(t, in))
}

func TestTopNNodeWithoutWindowIgnoresWatermarks(t *testing.T) {
	in := &inputRows{types: topNTypes}
	c := newCluster(t, topNCases[3].node(), 1)
	c.step(topNSteps(t, in)[0]()...)
	if emitted := clusterWatermark(c, EndOfTime); len(emitted) != 0 {
		t.Errorf("watermark emitted %q", emitted)
	}
	got := c.step(topNSteps(t, in)[1]()...)
	checkRows(t, "after the watermark", got, topNCases[3].expected(t, in))
	if n := clusterLateRows(c); n != 0 {
		t.Errorf("%d late rows", n)
	}
}
