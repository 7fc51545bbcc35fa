package operators

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// Tests of partition-parallel dataflows: a source of splits running as
// several instances, the partition-local chain after it, and the restore
// of its splits with another number of instances.

// parTypes is the input of the tests: (k int4, ts timestamp, v int8).
var parTypes = []vector.Type{vector.Int4, vector.Timestamp, vector.Int8}

// parRow is one change of a parTypes source.
type parRow struct {
	k  int32
	ts int64
	v  int64
	w  int64
}

// parBatch builds the batch of rows.
func parBatch(rows ...parRow) *vector.Batch {
	ks, ts, vs, ws := make([]int32, len(rows)), make([]arrow.Timestamp, len(rows)), make([]int64, len(rows)), make([]int64, len(rows))
	for i, r := range rows {
		ks[i], ts[i], vs[i], ws[i] = r.k, arrow.Timestamp(r.ts), r.v, r.w
	}
	b := batch(fixedColumn(vector.Int4, ks, nil), fixedColumn(vector.Timestamp, ts, nil), fixedColumn(vector.Int8, vs, nil))
	return weighted(b, ws...)
}

// parAt is the message of a split's rows inserted at the given times (k and
// v zero), after which the split is at next, skipped records left out.
func parAt(split int32, next int64, skipped int64, ts ...int64) Message {
	m := Message{Advance: &Advance{Split: split, Next: next, Skipped: skipped}}
	if len(ts) > 0 {
		rows := make([]parRow, len(ts))
		for i, t := range ts {
			rows[i] = parRow{ts: t, w: 1}
		}
		m.Batch = parBatch(rows...)
	}
	return m
}

// parStore is the state a dataflow checkpointed, by full key.
type parStore map[string][]byte

func (s parStore) apply(es []StateEntry) {
	for _, e := range es {
		if e.Value == nil {
			delete(s, string(e.Key))
		} else {
			s[string(e.Key)] = e.Value
		}
	}
}

func (s parStore) load(prefix []byte, fn func(key, value []byte) error) error {
	for _, k := range slices.Sorted(maps.Keys(s)) {
		if rest, ok := strings.CutPrefix(k, string(prefix)); ok {
			if err := fn([]byte(rest), s[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// parRecorder is the root of the test dataflows: it keeps the contents of
// its input.
type parRecorder struct {
	mu    *sync.Mutex
	out   contents
	types []vector.Type
}

func (r parRecorder) Push(_ int, b *vector.Batch, _ Emit) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.out.apply(r.types, b)
	return nil
}

func (parRecorder) Flush(Emit) error { return nil }

// parFlow is a running dataflow of sources into a parRecorder; feed
// feeds the first.
type parFlow struct {
	t     *testing.T
	flow  *Dataflow
	src   *Node
	store parStore
	mu    sync.Mutex
	out   contents
	epoch uint64
}

// parStart runs the graph from src to in, recorded, with p partitions,
// restored from store when it holds anything; every checkpoint goes to
// store.
func parStart(t *testing.T, src, in *Node, p int, store parStore) *parFlow {
	t.Helper()
	f := &parFlow{t: t, src: src, store: store, out: contents{}}
	root := NewNode("Record", in.Types(), in)
	root.New = func() (Incremental, error) { return parRecorder{mu: &f.mu, out: f.out, types: in.Types()}, nil }
	cfg := DataflowConfig{ID: "par", Partitions: p, StatePrefix: []byte("par/")}
	if len(store) > 0 {
		cfg.LoadState = store.load
	}
	flow, err := StartDataflow(root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.flow = flow
	t.Cleanup(flow.Stop)
	return f
}

func (f *parFlow) feed(ms ...Message) {
	f.t.Helper()
	for _, m := range ms {
		if err := f.flow.Feed(f.src, m); err != nil {
			f.t.Fatalf("Feed: %v", err)
		}
	}
}

// sync sends a checkpoint barrier through every source and waits until
// the root has it: every message fed before has been handled, and the
// checkpoint is in the store.
func (f *parFlow) sync() {
	f.t.Helper()
	f.epoch++
	c := NewCheckpoint(f.epoch, f.epoch, []string{"par"})
	for _, src := range f.flow.Sources() {
		if err := f.flow.Feed(src, Message{Barrier: &Barrier{Seq: f.epoch, Round: f.epoch, Checkpoint: c}}); err != nil {
			f.t.Fatalf("Feed: %v", err)
		}
	}
	select {
	case <-c.Done():
	case <-f.flow.Failed():
		f.t.Fatalf("dataflow failed: %v", f.flow.Err())
	}
	f.store.apply(c.Entries())
}

func (f *parFlow) rows() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.out.rows()
}

// instances lists the running instances of n.
func (f *parFlow) instances(n *Node) []*instance {
	var out []*instance
	for _, inst := range f.flow.insts {
		if inst.node == n {
			out = append(out, inst)
		}
	}
	return out
}

// parSource is a positioned source of parTypes with event time ts, less
// delay.
func parSource(delay int64) *Node {
	return NewTimedSourceNode("t", parTypes, nil, &EventTime{Col: 1, Delay: delay}, true)
}

// TestParallelSourceChain: a source of two splits, a filter, a projection
// and a keyed aggregate give with two partitions what they give with one;
// the source and the chain after it run as one instance per partition.
func TestParallelSourceChain(t *testing.T) {
	// k, ts, v: v > 0 passes the filter; the aggregate is count(*), sum(v)
	// by k.
	msgs := []Message{
		{Advance: &Advance{Split: 0}},
		{Advance: &Advance{Split: 1}},
		{Advance: &Advance{Split: 0, Next: 3}, Batch: parBatch(parRow{1, 10, 5, 1}, parRow{2, 11, -3, 1}, parRow{1, 12, 7, 1})},
		{Advance: &Advance{Split: 1, Next: 2}, Batch: parBatch(parRow{1, 15, 2, 1}, parRow{3, 16, 0, 1})},
		{Advance: &Advance{Split: 0, Next: 5}, Batch: parBatch(parRow{3, 20, 4, 1}, parRow{2, 21, 6, 1})},
		{Advance: &Advance{Split: 1, Next: 4}, Batch: parBatch(parRow{2, 25, 8, 1}, parRow{1, 15, 2, -1})},
	}
	// k = 1: 5, 7 (2 retracted); k = 2: 6, 8 (-3 filtered); k = 3: 4 (0 filtered).
	want := []string{"1|2|12", "2|2|14", "3|1|4"}
	count, countType, err := LookupAggregate("count", nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, sumType, err := LookupAggregate("sum", []vector.Type{vector.Int8})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []int{1, 2} {
		src := parSource(1000)
		filter := NewFilterNode(src, binop(t, ">", colRef(2, vector.Int8), vector.NewConst(int64(0), vector.Int8)), &vector.EvalContext{})
		project := NewProjectNode(filter, []vector.Expr{colRef(0, vector.Int4), colRef(2, vector.Int8)}, &vector.EvalContext{})
		agg := NewAggregateNode(project, []int{0}, []Aggregate{
			{Func: count, Filter: -1, Type: countType},
			{Func: sum, Args: []int{1}, Filter: -1, Type: sumType},
		})
		f := parStart(t, src, agg, p, parStore{})
		// The chain reads one to one; the aggregate reads every instance.
		for n, channels := range map[*Node]int{src: 1, filter: 1, project: 1, agg: p} {
			insts := f.instances(n)
			if len(insts) != p {
				t.Errorf("P=%d: %s runs as %d instances", p, n.Name, len(insts))
			}
			for i, inst := range insts {
				if len(inst.ins) != channels {
					t.Errorf("P=%d: %s instance %d reads %d channels, want %d", p, n.Name, i, len(inst.ins), channels)
				}
			}
		}
		f.feed(msgs...)
		f.sync()
		checkRows(t, fmt.Sprintf("P=%d", p), f.rows(), want)
		f.flow.Stop()
	}
}

// TestParallelSourceWatermark: the watermark of a source of splits run as
// several instances is the least over its splits, as with one instance; an
// instance reading no split holds nothing back once the splits are
// announced, while an announced split without rows holds everything back.
func TestParallelSourceWatermark(t *testing.T) {
	cases := []struct {
		name   string
		splits int32
		steps  []Message
		want   []int64 // the dataflow's watermark after each step
	}{
		{"one split, the other instances idle", 1,
			[]Message{parAt(0, 1, 0, 100), parAt(0, 2, 0, 130)},
			[]int64{95, 125}},
		{"split 1 holds back until its rows", 2,
			[]Message{parAt(0, 1, 0, 100), parAt(1, 1, 0, 50), parAt(1, 2, 0, 200), parAt(0, 2, 0, 300)},
			[]int64{NoWatermark, 45, 95, 195}},
	}
	for _, c := range cases {
		for _, p := range []int{1, 2, 3} {
			src := parSource(5)
			f := parStart(t, src, src, p, parStore{})
			for k := range c.splits {
				f.feed(Message{Advance: &Advance{Split: k}})
			}
			f.sync()
			if got := f.flow.Watermark(); got != NoWatermark {
				t.Errorf("%s, P=%d: watermark %d before any rows", c.name, p, got)
			}
			for i, m := range c.steps {
				f.feed(m)
				f.sync()
				if got := f.flow.Watermark(); got != c.want[i] {
					t.Errorf("%s, P=%d: watermark %d after step %d, want %d", c.name, p, got, i, c.want[i])
				}
			}
			f.flow.Stop()
		}
	}
}

// TestParallelSourceRestore checkpoints a source of three splits run as
// two instances and restores it as one and as three: every split's
// position, watermark and counts come back, each split into the instance
// that reads it, and the late and skipped counts are counted once.
func TestParallelSourceRestore(t *testing.T) {
	store := parStore{}
	src := parSource(5)
	f := parStart(t, src, src, 2, store)
	f.feed(
		Message{Advance: &Advance{Split: 0}}, Message{Advance: &Advance{Split: 1}}, Message{Advance: &Advance{Split: 2}},
		parAt(0, 2, 1, 100),     // split 0 at 95
		parAt(2, 4, 0, 120, 80), // 80 is below splits 0 and 2, in instance 0: late
		parAt(1, 5, 2, 50, 40),  // 40 is below split 1's 45: late
	)
	f.sync()
	check := func(name string, f *parFlow, p int, positions map[int32]int64, late, skipped, wm int64) {
		t.Helper()
		if !maps.Equal(f.src.Positions, positions) {
			t.Errorf("%s: positions %v, want %v", name, f.src.Positions, positions)
		}
		insts := f.instances(f.src)
		if len(insts) != p {
			t.Fatalf("%s: %d source instances, want %d", name, len(insts), p)
		}
		for i, inst := range insts {
			got := slices.Sorted(maps.Keys(inst.op.(*timedSource).splits))
			var want []int32
			for k := range int32(3) {
				if int(k)%p == i {
					want = append(want, k)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: instance %d holds splits %v, want %v", name, i, got, want)
			}
		}
		if got := f.flow.LateRows(); got != late {
			t.Errorf("%s: %d late rows, want %d", name, got, late)
		}
		if got := f.flow.SkippedRows(); got != skipped {
			t.Errorf("%s: %d skipped records, want %d", name, got, skipped)
		}
		if got := f.flow.Watermark(); got != wm {
			t.Errorf("%s: watermark %d, want %d", name, got, wm)
		}
	}
	check("before the restart", f, 2, map[int32]int64{}, 2, 3, 45)
	f.flow.Stop()
	at := map[int32]int64{0: 2, 1: 5, 2: 4}
	for _, p := range []int{1, 3} {
		src := parSource(5)
		r := parStart(t, src, src, p, maps.Clone(store))
		r.sync()
		check(fmt.Sprintf("restored as %d", p), r, p, at, 2, 3, 45)
		// Split 1 goes on from its watermark: 44 is late, 60 is not.
		r.feed(parAt(1, 7, 1, 44, 60))
		r.sync()
		check("after more rows", r, p, at, 3, 4, 55)
		r.flow.Stop()
		// Restored again, as two instances: the counts once.
		src = parSource(5)
		again := parStart(t, src, src, 2, maps.Clone(r.store))
		again.sync()
		check("restored again", again, 2, map[int32]int64{0: 2, 1: 7, 2: 4}, 3, 4, 55)
		again.flow.Stop()
	}
}

// TestParallelSourceNoSplit: an instance without splits holds back the
// watermark until it learns that the splits are all announced (another
// instance's split may be on its way to it before then), not after.
func TestParallelSourceNoSplit(t *testing.T) {
	h := newIncHarness(t, parSource(5))
	src := h.op.(WatermarkSource)
	if got := src.CurrentWatermark(); got != (Watermark{T: NoWatermark}) {
		t.Errorf("before the announcement: %+v, want NoWatermark, not idle", got)
	}
	h.op.(Advancer).Advance(&Advance{announced: true})
	if got := src.CurrentWatermark(); got != (Watermark{T: NoWatermark, Idle: true}) {
		t.Errorf("after the announcement: %+v, want idle", got)
	}
	// A split that appears later (a partition added) holds it back again.
	h.op.(Advancer).Advance(&Advance{Split: 4})
	if got := src.CurrentWatermark(); got != (Watermark{T: NoWatermark}) {
		t.Errorf("with a split: %+v, want NoWatermark, not idle", got)
	}
}

// TestParallelUnion: UNION ALL of two sources of splits runs as one
// instance per partition, instance i reading instance i of each source; it
// passes every row, and the watermark is the least over both sources.
func TestParallelUnion(t *testing.T) {
	a, b := parSource(5), parSource(5)
	union := NewUnionAllNode(a, b)
	f := parStart(t, a, union, 2, parStore{})
	if got := len(f.instances(union)); got != 2 {
		t.Fatalf("UnionAll runs as %d instances, want 2", got)
	}
	for i, inst := range f.instances(union) {
		if len(inst.ins) != 2 {
			t.Errorf("UnionAll instance %d reads %d channels, want 2 (one of each source)", i, len(inst.ins))
		}
	}
	feed := func(src *Node, ms ...Message) {
		for _, m := range ms {
			if err := f.flow.Feed(src, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	announce := []Message{{Advance: &Advance{Split: 0}}, {Advance: &Advance{Split: 1}}}
	feed(a, announce...)
	feed(b, announce...)
	feed(a, parAt(0, 1, 0, 100), parAt(1, 1, 0, 110))
	feed(b, parAt(0, 1, 0, 200), parAt(1, 2, 0, 70, 210))
	f.sync()
	// Rows as parAt makes them: k 0, v 0, at the times fed (µs); none is
	// late, 70 being the first of its split.
	want := []string{"0|100|0", "0|110|0", "0|200|0", "0|210|0", "0|70|0"}
	checkRows(t, "rows", f.rows(), want)
	// a: splits at 95 and 105; b: 195 and 205.
	if got := f.flow.Watermark(); got != 95 {
		t.Errorf("watermark %d, want 95", got)
	}
}
