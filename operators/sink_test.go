package operators

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/runneldb/runnel/vector"
)

var sinkTypes = []vector.Type{vector.Int4, vector.Text}

// sinkTarget is a SinkWriter that records every Commit and keeps the
// output of each epoch once, as a SinkWriter must.
type sinkTarget struct {
	calls []uint64            // the epochs of every Commit, in order
	out   map[uint64][]string // per epoch committed: its changes, rendered
	fail  error               // returned by Commit when set
}

func newSinkTarget() *sinkTarget { return &sinkTarget{out: map[uint64][]string{}} }

func (s *sinkTarget) Commit(epoch uint64, changesOf []*vector.Batch) error {
	if s.fail != nil {
		return s.fail
	}
	s.calls = append(s.calls, epoch)
	if _, ok := s.out[epoch]; ok {
		return nil
	}
	rows := []string{}
	for _, b := range changesOf {
		rows = append(rows, changes(sinkTypes, b)...)
	}
	s.out[epoch] = rows
	return nil
}

// sinkState is the state of a sink, written for one epoch at a time.
type sinkState struct {
	memState
	epoch uint64
}

func (s *sinkState) Epoch() uint64 { return s.epoch }

// sinkRun is a sink node's instance and its state.
type sinkRun struct {
	t     *testing.T
	sink  *Sink
	op    Incremental
	state *sinkState
}

func newSinkRun(t *testing.T, w SinkWriter, retractions bool) *sinkRun {
	s := NewSink(w, sinkTypes, retractions)
	op, err := NewSinkNode(NewSourceNode("t", sinkTypes, nil), s).New()
	if err != nil {
		t.Fatal(err)
	}
	return &sinkRun{t: t, sink: s, op: op, state: &sinkState{memState: memState{}}}
}

func (r *sinkRun) push(b *vector.Batch) {
	r.t.Helper()
	if err := r.op.Push(0, b, nil); err != nil {
		r.t.Fatalf("Push: %v", err)
	}
}

func (r *sinkRun) checkpoint(epoch uint64) {
	r.t.Helper()
	r.state.epoch = epoch
	if err := r.op.(Stateful).Checkpoint(r.state); err != nil {
		r.t.Fatalf("Checkpoint %d: %v", epoch, err)
	}
}

func (r *sinkRun) commit(epoch uint64) {
	r.t.Helper()
	if err := r.sink.Commit(epoch); err != nil {
		r.t.Fatalf("Commit %d: %v", epoch, err)
	}
}

// restart returns a new sink over w restored from r's state.
func (r *sinkRun) restart(w SinkWriter) *sinkRun {
	r.t.Helper()
	n := newSinkRun(r.t, w, true)
	n.state.memState = maps.Clone(r.state.memState)
	for _, k := range slices.Sorted(maps.Keys(n.state.memState)) {
		if err := n.op.(Stateful).Restore([]byte(k), []byte(n.state.memState[k])); err != nil {
			r.t.Fatalf("Restore: %v", err)
		}
	}
	return n
}

// sinkRows are the batches of the sink tests, with their rendering.
var sinkRows = []struct {
	b    func() *vector.Batch
	rows []string
}{
	{func() *vector.Batch { return batch(col(vector.Int4, int32(1), int32(2)), col(vector.Text, "a", nil)) }, []string{"1|a", "2|NULL"}},
	{func() *vector.Batch { return batch(col(vector.Int4, int32(3)), col(vector.Text, "c")) }, []string{"3|c"}},
	{func() *vector.Batch {
		return weighted(batch(col(vector.Int4, int32(4), nil), col(vector.Text, "d", "e")), 2, 1)
	}, []string{"4|d", "4|d", "NULL|e"}},
	{func() *vector.Batch {
		return weighted(batch(col(vector.Int4, int32(1)), col(vector.Text, "a")), -1)
	}, []string{"-1|a"}},
}

func TestSinkCommitsCheckpoints(t *testing.T) {
	w := newSinkTarget()
	r := newSinkRun(t, w, true)
	r.push(sinkRows[0].b())
	r.checkpoint(1)
	r.push(sinkRows[1].b())
	r.push(sinkRows[2].b())
	r.checkpoint(2)
	r.checkpoint(3) // nothing since 2
	r.push(sinkRows[3].b())
	r.checkpoint(4)
	r.push(sinkRows[0].b()) // staged by checkpoint 5 only
	checkInts(t, "epochs written before any commit", toInt64s(w.calls), nil)

	steps := []struct {
		name  string
		upTo  uint64
		calls []uint64
		rows  int64
	}{
		{"up to 2", 2, []uint64{1, 2}, 5},
		{"up to 2 again", 2, nil, 5},
		{"up to 3, which has nothing", 3, nil, 5},
		{"up to 10", 10, []uint64{4}, 6},
	}
	for _, s := range steps {
		w.calls = nil
		r.commit(s.upTo)
		checkInts(t, s.name+": epochs committed", toInt64s(w.calls), toInt64s(s.calls))
		if got := r.sink.Rows(); got != s.rows {
			t.Errorf("%s: %d rows committed, want %d", s.name, got, s.rows)
		}
	}
	want := map[uint64][]string{1: sinkRows[0].rows, 2: slices.Concat(sinkRows[1].rows, sinkRows[2].rows), 4: sinkRows[3].rows}
	checkSinkOutput(t, "output", w.out, want)
	// One entry per batch staged: epoch 1's, epoch 2's two, epoch 4's.
	if len(r.state.memState) != 4 {
		t.Errorf("%d state entries before the checkpoint after the commits, want 4", len(r.state.memState))
	}
	r.checkpoint(5)
	if len(r.state.memState) != 1 {
		t.Errorf("%d state entries after the checkpoint after the commits, want the one of epoch 5", len(r.state.memState))
	}
}

func checkSinkOutput(t *testing.T, name string, got, want map[uint64][]string) {
	t.Helper()
	for _, e := range slices.Sorted(maps.Keys(want)) {
		checkRows(t, name, sorted(got[e]), sorted(want[e]))
	}
	for e := range got {
		if _, ok := want[e]; !ok {
			t.Errorf("%s: epoch %d written", name, e)
		}
	}
}

func toInt64s(s []uint64) []int64 {
	var out []int64
	for _, v := range s {
		out = append(out, int64(v))
	}
	return out
}

// TestSinkRestore: after a restart, the epochs checkpointed but not yet
// committed are committed from the state, and the epochs whose commit the
// state recorded are not.
func TestSinkRestore(t *testing.T) {
	cases := []struct {
		name string
		// after epoch 1 is committed, epoch 3 is checkpointed, which
		// records it
		recorded bool
		calls    []uint64
	}{
		{"the commit recorded", true, []uint64{2, 3}},
		// The state still holds epoch 1: it is handed again, and the
		// writer ignores it.
		{"the commit not recorded", false, []uint64{1, 2}},
	}
	for _, c := range cases {
		w := newSinkTarget()
		r := newSinkRun(t, w, true)
		r.push(sinkRows[0].b())
		r.checkpoint(1)
		r.push(sinkRows[1].b())
		r.checkpoint(2)
		r.commit(1)
		want := map[uint64][]string{1: sinkRows[0].rows, 2: sinkRows[1].rows}
		if c.recorded {
			r.push(sinkRows[2].b())
			r.push(sinkRows[3].b())
			r.checkpoint(3)
			want[3] = slices.Concat(sinkRows[2].rows, sinkRows[3].rows)
		}
		r.push(sinkRows[0].b()) // lost in the crash: never committed

		w.calls = nil
		n := r.restart(w)
		n.commit(3)
		checkInts(t, c.name+": epochs committed after restore", toInt64s(w.calls), toInt64s(c.calls))
		checkSinkOutput(t, c.name+": output", w.out, want)
		w.calls = nil
		n.commit(3)
		checkInts(t, c.name+": epochs committed again", toInt64s(w.calls), nil)
		n.checkpoint(4)
		if len(n.state.memState) != 0 {
			t.Errorf("%s: %d state entries after every epoch was committed", c.name, len(n.state.memState))
		}
	}
}

// TestSinkFailedCommit: an epoch whose commit failed stays staged and is
// committed by the next Commit.
func TestSinkFailedCommit(t *testing.T) {
	w := newSinkTarget()
	r := newSinkRun(t, w, true)
	r.push(sinkRows[1].b())
	r.checkpoint(1)
	w.fail = errors.New("target down")
	if err := r.sink.Commit(1); !errors.Is(err, w.fail) {
		t.Fatalf("Commit = %v, want the writer's error", err)
	}
	w.fail = nil
	r.commit(1)
	checkInts(t, "epochs committed", toInt64s(w.calls), []int64{1})
	if got := r.sink.Rows(); got != 1 {
		t.Errorf("%d rows committed, want 1", got)
	}
}

func TestSinkAppendOnly(t *testing.T) {
	cases := []struct {
		name string
		b    *vector.Batch
		ok   bool
	}{
		{"insertions", sinkRows[0].b(), true},
		{"insertions with weights", sinkRows[2].b(), true},
		{"a retraction", sinkRows[3].b(), false},
		{"a retraction among insertions", weighted(batch(col(vector.Int4, int32(1), int32(2)), col(vector.Text, "a", "b")), 1, -1), false},
	}
	for _, c := range cases {
		r := newSinkRun(t, newSinkTarget(), false)
		err := r.op.Push(0, c.b, nil)
		if (err == nil) != c.ok {
			t.Errorf("%s: Push = %v", c.name, err)
		}
	}
}

func TestSinkNeedsEpoch(t *testing.T) {
	r := newSinkRun(t, newSinkTarget(), true)
	r.push(sinkRows[0].b())
	if err := r.op.(Stateful).Checkpoint(memState{}); err == nil {
		t.Error("a checkpoint without an epoch was accepted")
	}
}
