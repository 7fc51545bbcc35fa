package runnel

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// SubscribeOptions bound what SUBSCRIBE keeps in memory. Zero fields take
// their defaults.
type SubscribeOptions struct {
	// Retention is how long the changes of a subscribed view are kept for
	// SUBSCRIBE … AS OF to resume from, and how long a view's stream of
	// changes (for a SUBSCRIBE of a query, its dataflow) outlives its last
	// subscriber (default 1 minute).
	Retention time.Duration
	// HistoryRows bounds those changes, per view: beyond it the oldest go
	// first (default 1,000,000 rows).
	HistoryRows int
	// BufferRows is how many rows of changes may wait for one subscriber
	// to read them; a subscriber further behind is ended with 53400
	// (default 1,000,000 rows).
	BufferRows int
}

// withDefaults fills the zero fields of o.
func (o SubscribeOptions) withDefaults() SubscribeOptions {
	if o.Retention <= 0 {
		o.Retention = time.Minute
	}
	if o.HistoryRows <= 0 {
		o.HistoryRows = 1_000_000
	}
	if o.BufferRows <= 0 {
		o.BufferRows = 1_000_000
	}
	return o
}

// codeSubscriberBehind is configuration_limit_exceeded: a subscriber fell
// further behind than the buffer bound allows.
const codeSubscriberBehind = "53400"

// subscribeTick is one barrier's changes to a view, all at one timestamp.
// Ticks are immutable, shared by the view's history and the queues of its
// subscriptions.
type subscribeTick struct {
	ts      int64
	changes []*vector.Batch // weighted
	rows    int

	mu sync.Mutex
	// out are the changes as rows of a SUBSCRIBE's result, without and
	// with the runnel_progressed column; made by the first reader.
	out [2][]*sharedBatch
}

// subscribeHub streams the changes of one running view (a materialized
// view's, or the transient dataflow of a SUBSCRIBE of a query) to its
// subscriptions, and keeps a bounded history of them to resume from.
//
// Timestamps: each barrier the view applies gets the wall clock in
// microseconds since the Unix epoch, raised to one more than the previous
// barrier's when the clock did not move on; the view's contents are as of
// ts, the last one. Changes are stamped with their barrier's timestamp, so
// each timestamp's changes arrive together, after those of every smaller
// one.
//
// Invariants (under mu): history holds, oldest first, every tick with a
// timestamp above from; every tick has a timestamp above from and at most
// ts; round is the last barrier round the hub saw; subs are the open
// subscriptions, each of which queued every tick up to ts (above its AS
// OF); once err is set, every subscription has ended with it. The barrier
// callback never blocks: a subscription too far behind is ended instead.
type subscribeHub struct {
	sm   *streams
	id   uint32
	name string // of the view, for messages
	view *operators.View
	opts SubscribeOptions
	// deps are the relations a transient dataflow reads, with their
	// names: once one is dropped its subscriptions end. Nil for a
	// materialized view, whose own drop ends them.
	deps     []uint32
	depNames []string

	mu       sync.Mutex
	ts       int64
	round    uint64
	from     int64
	history  []*subscribeTick
	histRows int
	subs     map[*subscription]struct{}
	err      error
	advanced chan struct{} // closed (and replaced) at each barrier
	linger   *time.Timer   // releases the hub, set while it has no subscriber
	released bool

	encodings subscribeEncodings

	unsubscribe func()
	stopWatch   context.CancelFunc
}

// newSubscribeHub starts streaming the changes of view id. The caller
// holds sm.mu, and the view is as of round sm.round with no barrier in
// flight, so the hub starts exactly after its current contents.
func newSubscribeHub(sm *streams, id uint32, name string, rv *runningView, deps []uint32) *subscribeHub {
	now := time.Now().UnixMicro()
	h := &subscribeHub{sm: sm, id: id, name: name, view: rv.view, opts: sm.subscriptions.opts.withDefaults(), deps: deps,
		ts: now, from: now, round: sm.round, subs: map[*subscription]struct{}{}, advanced: make(chan struct{})}
	for _, id := range deps {
		name := fmt.Sprint(id)
		if t, ok := sm.db.catalog.TableByID(id); ok {
			name = t.Name
		}
		h.depNames = append(h.depNames, name)
	}
	h.unsubscribe = rv.view.Subscribe(h.onBarrier)
	ctx, cancel := context.WithCancel(context.Background())
	h.stopWatch = cancel
	go func() {
		// The view fails, or is dropped: every subscription ends.
		err := rv.view.Wait(ctx, math.MaxUint64)
		if gone := h.depsGone(); gone != nil {
			err = gone // the dataflow failed because of it
		}
		if ctx.Err() == nil {
			h.fail(err)
		}
	}()
	return h
}

// onBarrier receives a barrier's changes to the view, from its dataflow.
// It never blocks and never fails the view.
func (h *subscribeHub) onBarrier(changes []*vector.Batch, b *operators.Barrier) error {
	now := time.Now().UnixMicro()
	if err := h.depsGone(); err != nil {
		h.fail(err)
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil || h.released {
		return nil
	}
	h.ts = max(h.ts+1, now)
	h.round = max(h.round, b.Round)
	var tick *subscribeTick
	if n := rowCount(changes); n > 0 {
		tick = &subscribeTick{ts: h.ts, changes: changes, rows: n}
		h.history = append(h.history, tick)
		h.histRows += n
	}
	h.evict(now)
	for s := range h.subs {
		if !s.deliver(tick, h.ts) {
			delete(h.subs, s)
		}
	}
	h.idleLocked()
	close(h.advanced)
	h.advanced = make(chan struct{})
	return nil
}

// rowCount is the number of rows of batches.
func rowCount(batches []*vector.Batch) int {
	n := 0
	for _, b := range batches {
		n += b.Len
	}
	return n
}

// evict drops the ticks older than the retention, and the oldest while
// the history holds more rows than its bound. The caller holds mu.
func (h *subscribeHub) evict(now int64) {
	oldest := now - h.opts.Retention.Microseconds()
	k := 0
	for k < len(h.history) && (h.histRows > h.opts.HistoryRows || h.history[k].ts < oldest) {
		h.from = h.history[k].ts
		h.histRows -= h.history[k].rows
		k++
	}
	if k > 0 {
		clear(h.history[:k])
		h.history = h.history[k:]
	}
}

// depsGone returns an error naming the first relation a transient
// dataflow reads that was dropped, or nil.
func (h *subscribeHub) depsGone() error {
	for i, id := range h.deps {
		if _, ok := h.sm.db.catalog.TableByID(id); !ok {
			return vector.Errorf(vector.CodeUndefinedTable, "relation \"%s\" read by %s was dropped", h.depNames[i], h.name)
		}
	}
	return nil
}

// waitRound waits until the hub saw the barrier of round, the view
// failed, or ctx ended.
func (h *subscribeHub) waitRound(ctx context.Context, round uint64) error {
	for {
		h.mu.Lock()
		ok, err, adv := h.round >= round, h.err, h.advanced
		h.mu.Unlock()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-adv:
		case <-ctx.Done():
			return ctxError(ctx)
		}
	}
}

// subscribeStart says where a subscription starts.
type subscribeStart struct {
	// asOf, when set, is the timestamp to start from: the snapshot is as
	// of it and the changes after it follow. Otherwise the subscription
	// starts at the view's current timestamp.
	asOf     *int64
	snapshot bool
	progress bool
}

// open adds a subscription starting at start: it returns the subscription
// and, with start.snapshot, the view's contents as of the start (weighted
// batches) and its timestamp. The caller holds sm.mu and the hub saw the
// last round delivered, so the view is as of h.ts.
func (h *subscribeHub) open(start subscribeStart) (*subscription, []*vector.Batch, int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return nil, nil, 0, h.err
	}
	at := h.ts
	if start.asOf != nil {
		at = *start.asOf
		if at < h.from {
			return nil, nil, 0, h.tooOld(at)
		}
		if start.snapshot && at > h.ts {
			return nil, nil, 0, vector.Errorf(vector.CodeInvalidParameterValue,
				"AS OF %d is later than the latest timestamp of %s, %d: a SNAPSHOT needs a timestamp already reached (or use WITH (SNAPSHOT = false))", at, h.name, h.ts)
		}
	}
	var snap []*vector.Batch
	if start.snapshot {
		var err error
		if snap, err = h.snapshotAt(at); err != nil {
			return nil, nil, 0, err
		}
	}
	s := &subscription{hub: h, after: at, limit: h.opts.BufferRows, progress: start.progress, upTo: h.ts, wake: make(chan struct{}, 1)}
	for _, t := range h.history {
		if t.ts > at {
			s.queue = append(s.queue, t)
			s.queued += t.rows
		}
	}
	h.subs[s] = struct{}{}
	if h.linger != nil {
		h.linger.Stop()
		h.linger = nil
	}
	return s, snap, at, nil
}

// tooOld is the error of an AS OF before the history kept.
func (h *subscribeHub) tooOld(at int64) error {
	e := vector.Errorf(vector.CodeObjectNotInPrerequisiteState,
		"AS OF %d is too old: the changes of %s are kept from timestamp %d on", at, h.name, h.from)
	e.Hint = fmt.Sprintf("Subscribe AS OF %d or later, or without AS OF.", h.from)
	return e
}

// snapshotAt is the view's contents as of timestamp at (at most h.ts):
// the current contents without the changes stamped after at. The caller
// holds mu.
func (h *subscribeHub) snapshotAt(at int64) ([]*vector.Batch, error) {
	var cur []*vector.Batch
	if err := h.view.Scan(func(b *vector.Batch) error {
		cur = append(cur, b)
		return nil
	}); err != nil {
		return nil, err
	}
	var undo []*vector.Batch
	for _, t := range h.history {
		if t.ts > at {
			undo = append(undo, t.changes...)
		}
	}
	if len(undo) == 0 {
		return cur, nil
	}
	return subtractChanges(h.view.Types(), cur, undo)
}

// subtractChanges is the multiset rows minus the changes undo (weighted
// batches): one weighted row per distinct row left.
func subtractChanges(types []vector.Type, rows, undo []*vector.Batch) ([]*vector.Batch, error) {
	type slot struct {
		batch  int
		row    int32
		weight int64
	}
	all := append(append([]*vector.Batch(nil), rows...), undo...)
	index := map[string]*slot{}
	var order []*slot
	var key []byte
	for bi, b := range all {
		sign := int64(1)
		if bi >= len(rows) {
			sign = -1
		}
		for i := 0; i < b.Len; i++ {
			key = vector.AppendRow(key[:0], b.Cols, types, i)
			sl := index[string(key)]
			if sl == nil {
				sl = &slot{batch: bi, row: int32(i)}
				index[string(key)] = sl
				order = append(order, sl)
			}
			sl.weight += sign * b.Weight(i)
		}
	}
	var out []*vector.Batch
	pick := map[int][]*slot{}
	var batches []int
	for _, sl := range order {
		switch {
		case sl.weight < 0:
			return nil, fmt.Errorf("subscribe: the history of the view retracts a row it does not hold")
		case sl.weight > 0:
			if pick[sl.batch] == nil {
				batches = append(batches, sl.batch)
			}
			pick[sl.batch] = append(pick[sl.batch], sl)
		}
	}
	for _, bi := range batches {
		slots := pick[bi]
		idx := make([]int32, len(slots))
		weights := make([]int64, len(slots))
		for k, sl := range slots {
			idx[k], weights[k] = sl.row, sl.weight
		}
		b := vector.NewBatch(vector.TakeColumns(all[bi].Cols, idx), len(idx))
		b.Weights = weights
		out = append(out, b)
	}
	return out, nil
}

// remove ends subscription s; a hub left without subscribers is released
// after the retention.
func (h *subscribeHub) remove(s *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
	h.idleLocked()
}

// idleLocked starts the release of a hub that has no subscriber left.
// The caller holds mu.
func (h *subscribeHub) idleLocked() {
	if len(h.subs) == 0 && h.linger == nil && !h.released {
		h.linger = time.AfterFunc(h.opts.Retention, h.release)
	}
}

// fail ends every subscription with err (the view failed or was dropped)
// and releases the hub.
func (h *subscribeHub) fail(err error) {
	h.mu.Lock()
	if h.err != nil {
		h.mu.Unlock()
		return
	}
	h.err = err
	for s := range h.subs {
		s.fail(err)
	}
	clear(h.subs)
	close(h.advanced)
	h.advanced = make(chan struct{})
	h.mu.Unlock()
	go h.release()
}

// release detaches the hub from its view, once it has no subscriber (or
// failed); the transient dataflow of a query stops with it.
func (h *subscribeHub) release() {
	sm := h.sm
	sm.mu.Lock()
	defer sm.mu.Unlock()
	select {
	case <-sm.stop:
		return // the database is closing: its dataflows stop anyway
	default:
	}
	h.mu.Lock()
	if h.released || len(h.subs) > 0 {
		h.mu.Unlock()
		return
	}
	h.released = true
	h.history, h.histRows = nil, 0
	h.mu.Unlock()
	h.stopWatch()
	h.unsubscribe()
	if sm.subscriptions.hubs[h.id] == h {
		sm.subscriptions.forget(sm, h.id)
	}
}
