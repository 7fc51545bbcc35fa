package operators

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// The input of the incremental aggregate tests:
// (k text, v int4, f bool, s text, n numeric, x float8, iv interval, t8 int8,
// sep text).
var aggInTypes = []vector.Type{vector.Text, vector.Int4, vector.Bool, vector.Text,
	vector.Numeric, vector.Float8, vector.Interval, vector.Int8, vector.Text}

// aggCall resolves an aggregate over aggInTypes columns as the planner does.
func aggCall(t *testing.T, name string, args []int, distinct bool, filter int) Aggregate {
	t.Helper()
	types := make([]vector.Type, len(args))
	for i, a := range args {
		types[i] = aggInTypes[a]
	}
	f, typ, err := LookupAggregate(name, types)
	if err != nil {
		t.Fatal(err)
	}
	return Aggregate{Func: f, Args: args, Distinct: distinct, Filter: filter, Type: typ}
}

// aggEvery is every aggregate the bounded operator supports, over
// the columns of aggInTypes, with DISTINCT and FILTER variants.
func aggEvery(t *testing.T) []Aggregate {
	const v, f, s, n, x, iv, t8, sep = 1, 2, 3, 4, 5, 6, 7, 8
	one := func(c int) []int { return []int{c} }
	plain := func(name string, c int) Aggregate { return aggCall(t, name, one(c), false, -1) }
	return []Aggregate{
		aggCall(t, "count", nil, false, -1), plain("count", v),
		plain("sum", v), plain("avg", v), plain("min", v), plain("max", v),
		plain("sum", t8), plain("avg", t8), plain("max", t8),
		plain("sum", n), plain("avg", n), plain("min", n), plain("max", n),
		plain("sum", x), plain("avg", x), plain("min", x), plain("max", x),
		plain("sum", iv), plain("avg", iv), plain("min", iv), plain("max", iv),
		plain("min", s), plain("max", s), plain("bool_and", f), plain("bool_or", f),
		aggCall(t, "string_agg", []int{s, sep}, false, -1),
		aggCall(t, "count", one(v), true, -1), aggCall(t, "sum", one(v), true, -1),
		aggCall(t, "avg", one(n), true, -1), aggCall(t, "sum", one(x), true, -1),
		aggCall(t, "max", one(s), true, -1), aggCall(t, "string_agg", []int{s, sep}, true, -1),
		aggCall(t, "count", nil, false, f), aggCall(t, "sum", one(v), false, f),
		aggCall(t, "max", one(s), false, f), aggCall(t, "count", one(s), true, f),
		aggCall(t, "bool_or", one(f), true, f),
	}
}

// aggRandomRow draws a row of aggInTypes from small domains (NULLs
// included), so that groups and values repeat. Floats are exact in binary,
// so that sums do not drift under deletions. The separator is always ",",
// so that string_agg results compare whatever their order.
func aggRandomRow(rng *rand.Rand) []vector.Datum {
	pick := func(vals ...vector.Datum) vector.Datum { return vals[rng.IntN(len(vals))] }
	num := func(s string) vector.Datum {
		if s == "" {
			return nil
		}
		d, err := vector.ParseNumeric(s)
		if err != nil {
			panic(err)
		}
		return d
	}
	return []vector.Datum{
		pick("a", "b", "c", nil),
		pick(int32(1), int32(2), int32(5), int32(-3), nil),
		pick(true, false, nil),
		pick("x", "y", "zz", nil),
		num(pick("1.5", "2.25", "3", "-1.50", "").(string)),
		pick(0.5, 2.0, -1.25, math.Inf(1), math.NaN(), nil),
		pick(vector.IntervalValue{Days: 1}, vector.IntervalValue{Months: 2}, vector.IntervalValue{Micros: -3_600_000_000}, nil),
		pick(int64(9_000_000_000_000_000_000), int64(-5), int64(7), nil),
		",",
	}
}

// aggInput is the current contents of the input: each distinct row with
// its values and multiplicity.
type aggInput struct {
	vals  map[string][]vector.Datum
	count map[string]int64
}

func newAggInput() *aggInput {
	return &aggInput{vals: map[string][]vector.Datum{}, count: map[string]int64{}}
}

func aggRenderRow(row []vector.Datum) string {
	text := make([]string, len(row))
	for c, d := range row {
		text[c] = render(d)
	}
	return strings.Join(text, "|")
}

// change records w more copies of row and returns a batch making that
// change (weights nil when w is 1).
func (in *aggInput) change(row []vector.Datum, w int64) *vector.Batch {
	key := aggRenderRow(row)
	in.vals[key] = row
	if in.count[key] += w; in.count[key] == 0 {
		delete(in.count, key)
	}
	b := aggBatch([][]vector.Datum{row})
	if w != 1 {
		b.Weights = []int64{w}
	}
	return b
}

// rows lists the contents, each row as often as it occurs, in key order.
func (in *aggInput) rows() [][]vector.Datum {
	var rows [][]vector.Datum
	for _, key := range slices.Sorted(maps.Keys(in.count)) {
		for range in.count[key] {
			rows = append(rows, in.vals[key])
		}
	}
	return rows
}

// aggBatch builds a batch of rows of aggInTypes.
func aggBatch(rows [][]vector.Datum) *vector.Batch {
	cols := make([]arrow.Array, len(aggInTypes))
	for c, t := range aggInTypes {
		b := vector.NewBuilder(t, len(rows))
		for _, row := range rows {
			b.Append(row[c])
		}
		cols[c] = b.Finish()
	}
	return vector.NewBatch(cols, len(rows))
}

// aggConcat joins batches of aggInTypes rows into one, with weights.
func aggConcat(bs []*vector.Batch) *vector.Batch {
	var rows [][]vector.Datum
	var w []int64
	for _, b := range bs {
		for i := 0; i < b.Len; i++ {
			row := make([]vector.Datum, len(aggInTypes))
			for c, t := range aggInTypes {
				row[c] = vector.ValueAt(b.Cols[c], t, i)
			}
			rows = append(rows, row)
			w = append(w, b.Weight(i))
		}
	}
	return weighted(aggBatch(rows), w...)
}

// aggCluster runs p instances of an aggregate node as the runtime does:
// rows are routed by the hash of the group columns.
type aggCluster struct {
	t      *testing.T
	node   *Node
	groups []int
	insts  []*incHarness
}

func newAggCluster(t *testing.T, n *Node, groups []int, p int) *aggCluster {
	c := &aggCluster{t: t, node: n, groups: groups}
	for range p {
		c.insts = append(c.insts, newIncHarness(t, n))
	}
	return c
}

// step pushes b, routed, then flushes every instance. It returns the
// output contents and the changes emitted.
func (c *aggCluster) step(b *vector.Batch) (rows, emitted []string) {
	for q, part := range c.route(b) {
		var pushes []push
		if part != nil {
			pushes = append(pushes, push{0, part})
		}
		c.insts[q].step(pushes...)
		emitted = append(emitted, c.insts[q].emitted...)
	}
	return c.contents().rows(), emitted
}

// contents is the output of all instances.
func (c *aggCluster) contents() contents {
	out := contents{}
	for _, h := range c.insts {
		for row, n := range h.out {
			if out[row] += n; out[row] == 0 {
				delete(out, row)
			}
		}
	}
	return out
}

// route splits b by the instance each row's group routes to.
func (c *aggCluster) route(b *vector.Batch) []*vector.Batch {
	p := len(c.insts)
	out := make([]*vector.Batch, p)
	if b == nil {
		return out
	}
	keys := make([]arrow.Array, len(c.groups))
	types := make([]vector.Type, len(c.groups))
	for k, g := range c.groups {
		keys[k], types[k] = b.Cols[g], aggInTypes[g]
	}
	hashes := make([]uint64, b.Len)
	vector.HashColumns(keys, types, b.Len, hashes)
	idx := make([][]int32, p)
	for i, h := range hashes {
		q := PartitionOf(h, p)
		idx[q] = append(idx[q], int32(i))
	}
	for q, rows := range idx {
		if len(rows) > 0 {
			out[q] = vector.TakeRows(b, rows)
		}
	}
	return out
}

// checkpoint writes every instance's changed state into m.
func (c *aggCluster) checkpoint(m memState) {
	for _, h := range c.insts {
		if err := h.op.(Stateful).Checkpoint(m); err != nil {
			c.t.Fatalf("Checkpoint: %v", err)
		}
	}
}

// restart replaces the instances with p new ones restored from m, each
// given the entries whose hash routes to it, and carries the output over.
// A Flush right after must emit nothing.
func (c *aggCluster) restart(m memState, p int) {
	c.t.Helper()
	out := c.contents()
	parts := make([]memState, p)
	for q := range parts {
		parts[q] = memState{}
	}
	for k, v := range m {
		parts[PartitionOf(binary.BigEndian.Uint64([]byte(k)), p)][k] = v
	}
	c.insts = nil
	for q := range p {
		h := restoreInto(c.t, c.node, parts[q])
		if rows := h.step(); len(rows) != 0 {
			c.t.Fatalf("instance %d of %d emitted %q right after restore", q, p, rows)
		}
		c.insts = append(c.insts, h)
	}
	c.insts[0].out = out
}

// aggBounded is what NewHashAggregate computes over rows.
func aggBounded(t *testing.T, rows [][]vector.Datum, groups []int, aggs []Aggregate) []string {
	var in Operator = valuesOf(aggInTypes)
	if len(rows) > 0 {
		in = valuesOf(aggInTypes, aggBatch(rows))
	}
	return sorted(run(t, NewHashAggregate(in, groups, aggs)))
}

// aggNormalize sorts the comma-separated parts of the given output
// columns of each row, then the rows: string_agg's order is unspecified,
// and the bounded operator follows input order.
func aggNormalize(rows []string, cols []int) []string {
	out := make([]string, len(rows))
	for i, row := range rows {
		vals := strings.Split(row, "|")
		for _, c := range cols {
			parts := strings.Split(vals[c], ",")
			slices.Sort(parts)
			vals[c] = strings.Join(parts, ",")
		}
		out[i] = strings.Join(vals, "|")
	}
	slices.Sort(out)
	return out
}

// aggStringCols are the output columns of the string_agg calls of aggs.
func aggStringCols(groups []int, aggs []Aggregate) []int {
	var cols []int
	for i, a := range aggs {
		if a.Func == StringAgg {
			cols = append(cols, len(groups)+i)
		}
	}
	return cols
}

// aggCheckNet fails when a step emitted a row both retracted and added: the
// changes of a step must be net.
func aggCheckNet(t *testing.T, step int, emitted []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range emitted {
		seen[r] = true
	}
	for _, r := range emitted {
		if seen["-"+r] {
			t.Fatalf("step %d: %q both retracted and added", step, r)
		}
	}
}

// TestAggregateNodeRandom applies random inserts, deletes and updates
// (weighted, several per step) to every aggregate, grouped by one column,
// by two, and globally, and after each step compares the output with the
// bounded operator over the current input. Along the way it checkpoints
// and restarts from the checkpoint into another number of instances.
func TestAggregateNodeRandom(t *testing.T) {
	aggs := aggEvery(t)
	tests := []struct {
		name   string
		groups []int
		p      []int // instances after each restart
	}{
		{"by k", []int{0}, []int{2, 1, 3}},
		{"by k, f", []int{0, 2}, []int{1, 2, 2}},
		{"global", nil, []int{1, 1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(tc.groups))))
			node := NewAggregateNode(NewSourceNode("t", aggInTypes, nil), tc.groups, aggs)
			c := newAggCluster(t, node, tc.groups, tc.p[0])
			in := newAggInput()
			state := memState{}
			strCols := aggStringCols(tc.groups, aggs)
			const steps = 60
			for step := range steps {
				var changes []*vector.Batch
				for range 1 + rng.IntN(6) {
					existing := in.rows()
					switch op := rng.IntN(10); {
					case op < 3 && len(existing) > 0: // delete
						changes = append(changes, in.change(existing[rng.IntN(len(existing))], -1))
					case op < 5 && len(existing) > 0: // update
						changes = append(changes, in.change(existing[rng.IntN(len(existing))], -1),
							in.change(aggRandomRow(rng), 1))
					default:
						changes = append(changes, in.change(aggRandomRow(rng), int64(1+rng.IntN(2))))
					}
				}
				got, emitted := c.step(aggConcat(changes))
				aggCheckNet(t, step, emitted)
				want := aggBounded(t, in.rows(), tc.groups, aggs)
				checkRows(t, fmt.Sprintf("step %d", step), aggNormalize(got, strCols), aggNormalize(want, strCols))
				if t.Failed() {
					return
				}
				restart := step == steps/3 || step == 2*steps/3
				if step%4 == 3 || restart {
					c.checkpoint(state)
				}
				if restart {
					c.restart(state, tc.p[step*3/steps])
				}
			}
		})
	}
}

// aggExpectEmitted pushes batches into h, flushes, and checks the changes
// emitted.
func aggExpectEmitted(t *testing.T, h *incHarness, name string, want []string, bs ...*vector.Batch) {
	t.Helper()
	var pushes []push
	for _, b := range bs {
		pushes = append(pushes, push{0, b})
	}
	h.step(pushes...)
	checkRows(t, name, sorted(h.emitted), sorted(want))
}

// aggCheckpoint writes h's changed state into m.
func aggCheckpoint(t *testing.T, h *incHarness, m memState) {
	t.Helper()
	if err := h.op.(Stateful).Checkpoint(m); err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
}

// aggKV is a row (k, v) of aggInTypes with the other columns NULL.
func aggKV(k any, v any) []vector.Datum {
	row := make([]vector.Datum, len(aggInTypes))
	row[0], row[1] = k, v
	return row
}

// aggWeighted is a batch of rows with weights.
func aggWeighted(rows [][]vector.Datum, w ...int64) *vector.Batch {
	return weighted(aggBatch(rows), w...)
}

// TestAggregateNodeEmitted checks the changes emitted step by step, by hand:
// retracting the current max, net changes, a group emptying and coming back.
func TestAggregateNodeEmitted(t *testing.T) {
	aggs := []Aggregate{aggCall(t, "sum", []int{1}, false, -1), aggCall(t, "max", []int{1}, false, -1)}
	node := NewAggregateNode(NewSourceNode("t", aggInTypes, nil), []int{0}, aggs)
	if node.Detail != "GROUP BY $0: sum($1), max($1)" || !slices.Equal(node.Keys[0], []int{0}) {
		t.Errorf("Detail %q, Keys %v", node.Detail, node.Keys)
	}
	h := newIncHarness(t, node)
	a1, a5, a0, b2 := aggKV("a", int32(1)), aggKV("a", int32(5)), aggKV("a", int32(0)), aggKV("b", int32(2))
	rows := func(r ...[]vector.Datum) [][]vector.Datum { return r }
	aggExpectEmitted(t, h, "insert", []string{"a|6|5", "b|2|2"}, aggBatch(rows(a1, a5, b2)))
	aggExpectEmitted(t, h, "delete the max", []string{"-a|6|5", "a|1|1"}, aggWeighted(rows(a5), -1))
	aggExpectEmitted(t, h, "delete and reinsert", nil, aggWeighted(rows(b2, b2), -1, 1))
	aggExpectEmitted(t, h, "delete and reinsert in two batches", nil, aggWeighted(rows(b2), -1), aggBatch(rows(b2)))
	aggExpectEmitted(t, h, "insert changing nothing", nil, aggBatch(rows(a0)))
	aggExpectEmitted(t, h, "insert a NULL value", nil, aggBatch(rows(aggKV("a", nil))))
	aggExpectEmitted(t, h, "group empties", []string{"-a|1|1"}, aggWeighted(rows(a1, a0, aggKV("a", nil)), -1, -1, -1))
	aggExpectEmitted(t, h, "group comes back", []string{"a|10|5"}, aggWeighted(rows(a5), 2))
	aggExpectEmitted(t, h, "delete one of two copies", []string{"-a|10|5", "a|5|5"}, aggWeighted(rows(a5), -1))
	aggExpectEmitted(t, h, "NULL group", []string{"NULL|3|3"}, aggBatch(rows(aggKV(nil, int32(3)))))
	aggExpectEmitted(t, h, "a group's values all NULL", []string{"-NULL|3|3", "NULL|NULL|NULL"},
		aggWeighted(rows(aggKV(nil, int32(3)), aggKV(nil, nil)), -1, 1))
}

// TestAggregateNodeGlobal: without group columns there is exactly one row,
// emitted at the first Flush even over empty input, back to count 0 and
// NULLs once every row is deleted, and not emitted again after a restore.
func TestAggregateNodeGlobal(t *testing.T) {
	aggs := []Aggregate{aggCall(t, "count", nil, false, -1), aggCall(t, "sum", []int{1}, false, -1),
		aggCall(t, "max", []int{1}, false, -1), aggCall(t, "string_agg", []int{3, 0}, false, -1)}
	node := NewAggregateNode(NewSourceNode("t", aggInTypes, nil), nil, aggs)
	if node.Keys != nil {
		t.Errorf("Keys %v, want nil", node.Keys)
	}
	h := newIncHarness(t, node)
	aggExpectEmitted(t, h, "first flush", []string{"0|NULL|NULL|NULL"})
	checkRows(t, "empty input", h.out.rows(), aggBounded(t, nil, nil, aggs))
	aggExpectEmitted(t, h, "second flush", nil)
	state := memState{}
	aggCheckpoint(t, h, state)
	if len(state) != 1 {
		t.Fatalf("aggCheckpoint of the empty global aggregate: %d entries", len(state))
	}
	rows := [][]vector.Datum{aggKV("a", int32(4)), aggKV("b", int32(-1))}
	rows[0][3], rows[1][3] = "x", "y"
	aggExpectEmitted(t, h, "insert", []string{"-0|NULL|NULL|NULL", "2|3|4|xby"}, aggBatch(rows))
	checkRows(t, "after insert", h.out.rows(), aggBounded(t, rows, nil, aggs))
	aggExpectEmitted(t, h, "delete all", []string{"-2|3|4|xby", "0|NULL|NULL|NULL"}, aggWeighted(rows, -1, -1))

	// A new instance restored from the checkpoint of the empty input knows
	// its row was emitted.
	h = restoreInto(t, node, state)
	aggExpectEmitted(t, h, "flush after restore", nil)
	aggExpectEmitted(t, h, "insert after restore", []string{"-0|NULL|NULL|NULL", "1|4|4|x"}, aggBatch(rows[:1]))
}

// TestAggregateNodeCompaction empties thousands of groups: compaction
// forgets them (their checkpointed state is deleted), and the live groups
// keep their results through it and through a restart.
func TestAggregateNodeCompaction(t *testing.T) {
	aggs := []Aggregate{aggCall(t, "count", nil, false, -1), aggCall(t, "max", []int{1}, false, -1),
		aggCall(t, "count", []int{1}, true, -1)}
	const k = 0
	node := NewAggregateNode(NewSourceNode("t", aggInTypes, nil), []int{k}, aggs)
	if want := "GROUP BY $0: count(*), max($1), count(DISTINCT $1)"; node.Detail != want {
		t.Errorf("Detail %q, want %q", node.Detail, want)
	}
	h := newIncHarness(t, node)
	in := newAggInput()
	state := memState{}
	var changes []*vector.Batch
	for i := range 3 * compactMin {
		changes = append(changes, in.change(aggKV(fmt.Sprint(i), int32(i%7)), 1))
	}
	h.step(push{0, aggConcat(changes)})
	aggCheckpoint(t, h, state)
	changes = nil
	for i := range 3 * compactMin {
		if i%10 != 0 {
			changes = append(changes, in.change(aggKV(fmt.Sprint(i), int32(i%7)), -1))
		}
	}
	got := h.step(push{0, aggConcat(changes)})
	checkRows(t, "after deletes", got, aggBounded(t, in.rows(), []int{k}, aggs))
	a := h.op.(*incAggregate)
	if n := a.table.len(); n != len(in.rows()) {
		t.Errorf("%d groups after compaction, want %d", n, len(in.rows()))
	}
	aggCheckpoint(t, h, state)
	if len(state) != len(in.rows()) {
		t.Errorf("%d state entries, want %d", len(state), len(in.rows()))
	}
	changes = []*vector.Batch{in.change(aggKV("10", int32(9)), 1), in.change(aggKV("11", int32(1)), 1)}
	got = h.step(push{0, aggConcat(changes)})
	checkRows(t, "after compaction", got, aggBounded(t, in.rows(), []int{k}, aggs))
	aggCheckpoint(t, h, state)
	h = restoreInto(t, node, state)
	h.out = contents{}
	for _, r := range got {
		h.out[r]++
	}
	changes = []*vector.Batch{in.change(aggKV("10", int32(9)), -1), in.change(aggKV("20", int32(3)), 1)}
	got = h.step(push{0, aggConcat(changes)})
	checkRows(t, "after restart", got, aggBounded(t, in.rows(), []int{k}, aggs))
}

// TestAggregateNodeSumOverflow: sum(int8) is numeric and exact beyond
// int8's range, under deletions too, as in the bounded operator.
func TestAggregateNodeSumOverflow(t *testing.T) {
	aggs := []Aggregate{aggCall(t, "sum", []int{7}, false, -1), aggCall(t, "avg", []int{7}, false, -1)}
	node := NewAggregateNode(NewSourceNode("t", aggInTypes, nil), nil, aggs)
	h := newIncHarness(t, node)
	big := make([]vector.Datum, len(aggInTypes))
	big[7] = int64(math.MaxInt64)
	small := slices.Clone(big)
	small[7] = int64(math.MinInt64)
	checkRows(t, "3 × max", h.step(push{0, aggWeighted([][]vector.Datum{big}, 3)}),
		aggBounded(t, [][]vector.Datum{big, big, big}, nil, aggs))
	checkRows(t, "2 × max, 4 × min", h.step(push{0, aggWeighted([][]vector.Datum{big, small}, -1, 4)}),
		aggBounded(t, [][]vector.Datum{big, big, small, small, small, small}, nil, aggs))
}

// TestAggregateNodeFloatSumRestarts: deleting floats leaves rounding
// residue in a sum ((0.1 + 0.2) - 0.1 - 0.2 is not 0); once a group has no
// finite value left, its sum restarts from exactly 0.
func TestAggregateNodeFloatSumRestarts(t *testing.T) {
	aggs := []Aggregate{aggCall(t, "sum", []int{5}, false, -1)}
	node := NewAggregateNode(NewSourceNode("t", aggInTypes, nil), nil, aggs)
	h := newIncHarness(t, node)
	x := func(f float64) []vector.Datum {
		row := make([]vector.Datum, len(aggInTypes))
		row[5] = f
		return row
	}
	h.step(push{0, aggBatch([][]vector.Datum{x(0.1), x(0.2), x(math.Inf(1))})})
	h.step(push{0, aggWeighted([][]vector.Datum{x(0.1), x(0.2)}, -1, -1)})
	got := h.step(push{0, aggWeighted([][]vector.Datum{x(math.Inf(1)), x(1e-30)}, -1, 1)})
	checkRows(t, "sum", got, []string{"1e-30"})
}

// TestMultisetChunks adds and removes thousands of values in random order,
// so that chunks split and empty, and checks the entries against counts
// kept in a map.
func TestMultisetChunks(t *testing.T) {
	types := []vector.Type{vector.Int8}
	cmp := datumRowOrder(types)
	rng := rand.New(rand.NewPCG(3, 4))
	var m multiset[[]vector.Datum]
	want := map[int64]int64{}
	for i := range 20_000 {
		v := rng.Int64N(3000)
		w := int64(1)
		if i > 10_000 && want[v] > 0 {
			w = -want[v]
		}
		_, before, after := m.add([]vector.Datum{v}, w, cmp)
		if before != want[v] || after != want[v]+w {
			t.Fatalf("add %d × %d: counts %d → %d, want %d → %d", w, v, before, after, want[v], want[v]+w)
		}
		if want[v] += w; want[v] == 0 {
			delete(want, v)
		}
	}
	var got []int64
	for e := range m.all() {
		if e.n != want[e.row[0].(int64)] {
			t.Errorf("%d: count %d, want %d", e.row[0], e.n, want[e.row[0].(int64)])
		}
		got = append(got, e.row[0].(int64))
	}
	if keys := slices.Sorted(maps.Keys(want)); !slices.Equal(got, keys) {
		t.Errorf("%d entries, want %d, in order", len(got), len(keys))
	}
	if m.size() != len(want) || m.first()[0] != got[0] || m.last()[0] != got[len(got)-1] {
		t.Errorf("size %d first %v last %v, want %d %d %d", m.size(), m.first(), m.last(), len(want), got[0], got[len(got)-1])
	}
	if len(m.chunks) < 2 {
		t.Errorf("%d chunks: the test should split chunks", len(m.chunks))
	}
}

// TestIntMinMaxState checks min and max over integer-like types, kept as
// int64s: the extremes as values come and go, and state byte for byte
// the same as the general accumulator's, which each restores.
func TestIntMinMaxState(t *testing.T) {
	for _, typ := range []vector.Type{vector.Int2, vector.Int4, vector.Int8, vector.Date, vector.Timestamp} {
		for _, isMax := range []bool{false, true} {
			general := &incMinMax{valueSets: newValueSets([]vector.Type{typ}), max: isMax, typ: typ}
			typed := &incIntMinMax{max: isMax, typ: typ}
			name := fmt.Sprintf("%s max=%v", typ, isMax)
			ids := []int32{0, 0, 0, 0, 0, 0}
			vals := intColumn(typ, []int64{-5, 3, 3, 7, 100, 0}, []bool{true, true, true, true, true, false})
			for _, acc := range []incAccumulator{general, typed} {
				acc.resize(1)
				if err := acc.update([]arrow.Array{vals}, ids, []int64{1, 1, 1, 1, 1, 1}); err != nil {
					t.Fatal(err)
				}
			}
			want := map[bool]int64{false: -5, true: 100}[isMax]
			checkIntResult(t, name, typed, typ, want)
			if got, gen := typed.appendState(nil, 0), general.appendState(nil, 0); string(got) != string(gen) {
				t.Errorf("%s: state %x, want %x", name, got, gen)
			}
			restored := &incIntMinMax{max: isMax, typ: typ}
			restored.resize(1)
			r := &stateReader{src: general.appendState(nil, 0)}
			restored.restoreState(r, 0)
			if r.err != nil || len(r.src) != 0 {
				t.Fatalf("%s: restore: %v, %d bytes left", name, r.err, len(r.src))
			}
			// Deleting the extreme reveals the next one.
			gone := intColumn(typ, []int64{-5, 100}, nil)
			if err := restored.update([]arrow.Array{gone}, ids[:2], []int64{-1, -1}); err != nil {
				t.Fatal(err)
			}
			want = map[bool]int64{false: 3, true: 7}[isMax]
			checkIntResult(t, name+" after deletes", restored, typ, want)
		}
	}
}

// checkIntResult checks that group 0 of acc has the result want.
func checkIntResult(t *testing.T, name string, acc *incIntMinMax, typ vector.Type, want int64) {
	t.Helper()
	got, err := acc.result([]int32{0})
	if err != nil {
		t.Fatal(err)
	}
	if v := intValues(got, nil); got.IsNull(0) || v[0] != want {
		t.Errorf("%s: result %v, want %d", name, v, want)
	}
}
