package operators

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/runneldb/runnel/vector"
)

// View is the contents of a materialized view: the multiset of rows its
// dataflow has produced, as of the last barrier.
//
// Invariants: rows numbers every distinct row ever present since the last
// compaction; count[g] is the multiplicity of row g (0 for a row that left,
// kept until the next compaction), live the number of g with count[g] > 0,
// total the sum of counts. Changes are applied a barrier at a time under mu,
// so readers see the view as of one barrier: frontier.
type View struct {
	types []vector.Type

	mu       sync.RWMutex
	rows     *groupTable
	count    []int64
	live     int
	total    int64
	frontier uint64
	round    uint64        // the Round of the last barrier applied
	started  bool          // a first barrier was applied: frontier means something
	wm       int64         // the watermark of the rows as of the last barrier
	advanced chan struct{} // closed (and replaced) when frontier advances
	failed   error
	// subscribers receive each barrier's changes, in order, from the
	// dataflow's sink goroutine.
	subscribers []func(changes []*vector.Batch, b *Barrier) error
	// dirty lists the rows changed since the last checkpoint.
	dirty map[int32]struct{}
	// snap caches the batches of the contents for readers (see snapshot):
	// nil after any change, set by a reader under mu's read lock, so a
	// cached snapshot is always the current contents. Readers share its
	// batches, which nothing modifies.
	snap atomic.Pointer[[]*vector.Batch]
}

// NewView returns an empty view of rows of the given types.
func NewView(types []vector.Type) *View {
	return &View{types: types, rows: newGroupTable(types), advanced: make(chan struct{}), dirty: map[int32]struct{}{}, wm: NoWatermark}
}

// Types describes the view's columns.
func (v *View) Types() []vector.Type { return v.types }

// Frontier is the barrier the view's contents are as of.
func (v *View) Frontier() uint64 {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.frontier
}

// Watermark is the watermark of the view's rows as of its frontier:
// EndOfTime once every input has ended and the view shows all of it.
func (v *View) Watermark() int64 {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.wm
}

// Fail marks the view failed: readers get err from now on.
func (v *View) Fail(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.failed == nil {
		v.failed = err
		close(v.advanced)
	}
}

// Wait returns once the view is as of commit seq or later (it has applied
// at least one barrier), or the view failed (its error), or ctx is done.
func (v *View) Wait(ctx context.Context, seq uint64) error {
	return v.wait(ctx, func() bool { return v.started && v.frontier >= seq })
}

// WaitRound is Wait for the barrier of round round: once it returns, no
// barrier up to that round is left in the view's dataflow.
func (v *View) WaitRound(ctx context.Context, round uint64) error {
	return v.wait(ctx, func() bool { return v.started && v.round >= round })
}

// wait waits until done holds, under mu.
func (v *View) wait(ctx context.Context, done func() bool) error {
	for {
		v.mu.RLock()
		ok, adv, failed := done(), v.advanced, v.failed
		v.mu.RUnlock()
		if failed != nil {
			return failed
		}
		if ok {
			return nil
		}
		select {
		case <-adv:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Subscribe adds fn, which receives every later barrier's changes to the
// view. The caller must make sure no barrier is in flight (the dataflow is
// quiescent), so that fn starts exactly after the current contents.
func (v *View) Subscribe(fn func(changes []*vector.Batch, b *Barrier) error) func() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.subscribers = append(v.subscribers, fn)
	k := len(v.subscribers) - 1
	return func() {
		v.mu.Lock()
		defer v.mu.Unlock()
		// A new slice: a barrier may be calling the old one's functions.
		subs := slices.Clone(v.subscribers)
		subs[k] = nil
		v.subscribers = subs
	}
}

// Scan calls emit with the view's rows, as of its frontier.
func (v *View) Scan(emit func(*vector.Batch) error) error {
	batches, err := v.snapshot()
	if err != nil {
		return err
	}
	for _, b := range batches {
		if err := emit(b); err != nil {
			return err
		}
	}
	return nil
}

// Len is the number of rows in the view.
func (v *View) Len() int64 {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.total
}

// snapshot copies the rows out as batches, each of the rows of at most
// BatchSize distinct rows.
func (v *View) snapshot() ([]*vector.Batch, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.failed != nil {
		return nil, v.failed
	}
	if snap := v.snap.Load(); snap != nil {
		return *snap, nil
	}
	var out []*vector.Batch
	n := v.rows.len()
	var idx []int32
	for lo := 0; lo < n; lo += BatchSize {
		hi := min(n, lo+BatchSize)
		idx = idx[:0]
		for g := lo; g < hi; g++ {
			for c := v.count[g]; c > 0; c-- {
				idx = append(idx, int32(g-lo))
			}
		}
		if len(idx) == 0 {
			continue
		}
		out = append(out, vector.NewBatch(vector.TakeColumns(v.rows.keyColumns(lo, hi), idx), len(idx)))
	}
	v.snap.Store(&out)
	return out, nil
}

// apply adds a batch of changes; the caller holds mu.
func (v *View) apply(b *vector.Batch, ids []int32) error {
	v.snap.Store(nil)
	v.rows.insert(b.Cols, b.Len, ids)
	v.count = growTo(v.count, v.rows.len())
	for i, g := range ids {
		w := b.Weight(i)
		before := v.count[g]
		after := before + w
		if after < 0 {
			return fmt.Errorf("operators: view row retracted more times than inserted")
		}
		v.count[g] = after
		v.total += w
		switch {
		case before == 0 && after > 0:
			v.live++
		case before > 0 && after == 0:
			v.live--
		}
		v.dirty[g] = struct{}{}
	}
	return nil
}

// compact renumbers the rows dropping those that left, once they are most
// of the table. The caller holds mu and has no dirty rows pending.
func (v *View) compact() {
	if !worthCompacting(v.rows.len(), v.live) {
		return
	}
	keep := make([]int32, 0, v.live)
	count := make([]int64, 0, v.live)
	for g, c := range v.count {
		if c > 0 {
			keep = append(keep, int32(g))
			count = append(count, c)
		}
	}
	v.rows, v.count = compactTable(v.rows, keep), count
}

// growTo extends s with zeros to length n.
func growTo[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	return append(s, make([]T, n-len(s))...)
}

// viewSink is the root of a view's dataflow: it applies each barrier's
// changes to the View, then publishes them to the view's subscribers.
//
// State: the view's rows (see View); checkpoints write each row changed
// since the last one, keyed by its hash and encoding, with its count.
type viewSink struct {
	v        *View
	wm       int64 // the input watermark
	pending  []*vector.Batch
	ids      []int32
	buf      []byte
	restored restoredRows
}

// NewViewNode returns the sink node that keeps the output of in in v.
func NewViewNode(in *Node, v *View) *Node {
	n := NewNode("Materialize", in.Types(), in)
	n.State = "every row of the view with its multiplicity; grows with the view"
	n.New = func() (Incremental, error) {
		return &viewSink{v: v, wm: NoWatermark, restored: restoredRows{types: v.types}}, nil
	}
	return n
}

// Watermark notes the input's watermark, which the view's rows have at the
// next barrier.
func (s *viewSink) Watermark(_ int, t int64, _ Emit) error {
	s.wm = t
	return nil
}

func (s *viewSink) Push(_ int, b *vector.Batch, _ Emit) error {
	s.pending = append(s.pending, b)
	return nil
}

// Flush applies the changes of the barrier to the view (before Checkpoint
// writes them); Barrier then publishes them.
func (s *viewSink) Flush(Emit) error {
	v := s.v
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.failed != nil {
		return v.failed
	}
	if r := s.restored.take(); r != nil {
		if err := s.applyRestored(r); err != nil {
			return err
		}
	}
	for _, c := range s.pending {
		if cap(s.ids) < c.Len {
			s.ids = make([]int32, c.Len)
		}
		if err := v.apply(c, s.ids[:c.Len]); err != nil {
			return err
		}
	}
	return nil
}

// Barrier advances the view's frontier and hands the barrier's changes to
// the subscribers.
func (s *viewSink) Barrier(b *Barrier) error {
	v := s.v
	v.mu.Lock()
	if v.failed != nil {
		v.mu.Unlock()
		return v.failed
	}
	v.frontier = max(v.frontier, b.Seq)
	v.round = max(v.round, b.Round)
	v.wm = s.wm
	v.started = true
	if len(v.dirty) == 0 {
		v.compact()
	}
	close(v.advanced)
	v.advanced = make(chan struct{})
	subs := v.subscribers
	v.mu.Unlock()
	changes := s.pending
	s.pending = nil
	for _, fn := range subs {
		if fn != nil {
			if err := fn(changes, b); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *viewSink) Checkpoint(w StateWriter) error {
	v := s.v
	v.mu.Lock()
	defer v.mu.Unlock()
	dirty := make([]int32, 0, len(v.dirty))
	for g := range v.dirty {
		dirty = append(dirty, g)
	}
	cols := v.rows.keyColumnsOf(dirty)
	for i, g := range dirty {
		key := binary.BigEndian.AppendUint64(s.buf[:0], v.rows.hashes[g])
		key = vector.AppendRow(key, cols, v.types, i)
		if err := putCount(w, key, v.count[g]); err != nil {
			return err
		}
	}
	clear(v.dirty)
	v.compact()
	return nil
}

func (s *viewSink) Restore(key, value []byte) error {
	return s.restored.add(key[8:], value)
}

// applyRestored adds the restored rows to the view, as already
// checkpointed; the caller holds mu.
func (s *viewSink) applyRestored(b *vector.Batch) error {
	err := s.v.apply(b, make([]int32, b.Len))
	clear(s.v.dirty)
	return err
}
