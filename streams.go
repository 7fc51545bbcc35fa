package runnel

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/storage"
	"github.com/runneldb/runnel/vector"
)

// streams runs the materialized views: one dataflow per view, fed the
// changes of the tables it reads in commit order, each round of commits
// followed by a barrier. Every CheckpointInterval a barrier carries a
// checkpoint; once every view has written its state for it, the state and
// a manifest naming the epoch, its commit seq and the views it covers are
// written in one batch. A restart restores each view of the manifest from
// that state and replays the table logs after its seq; views not in it are
// backfilled from the tables as of that seq.
type streams struct {
	db         *DB
	store      *storage.Store
	partitions int
	interval   time.Duration
	// idleTimeout is the default idle timeout of tables with event time.
	idleTimeout time.Duration

	// mu is held while a round of commits is delivered, and while views
	// start and stop (all DDL holds it), so a view starts exactly after
	// the commits delivered so far.
	mu       sync.Mutex
	views    map[uint32]*runningView
	failed   map[uint32]string // pipelines and sinks failed for good (see manifest)
	position uint64            // every commit up to position has been delivered
	round    uint64            // the Round of the last barrier sent
	epoch    uint64            // the last checkpoint epoch begun
	inflight *operators.Checkpoint

	qmu   sync.Mutex
	queue []storage.Commit // published commits not yet delivered
	wake  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	// writing counts the checkpoints being completed.
	writing sync.WaitGroup
	// waiters wait, each for a checkpoint begun after its round (under mu);
	// wantCheckpoint asks the feed for one now.
	waiters        []checkpointWaiter
	wantCheckpoint atomic.Bool
	// subscriptions are the streams of SUBSCRIBE (under mu).
	subscriptions subscribeRegistry
}

// checkpointWaiter is a FLUSH waiting for a checkpoint whose barrier was
// sent after round: it follows every commit published, and every row read
// from a source, before the FLUSH.
type checkpointWaiter struct {
	round uint64
	done  chan struct{}
}

// runningView is a continuous query's dataflow: a materialized view's and
// its contents, or a pipeline's or sink's, whose view stays empty (it only
// tracks progress) and whose output goes to sink.
type runningView struct {
	t    *catalog.Table
	view *operators.View
	flow *operators.Dataflow
	sink *operators.Sink // nil for a materialized view
	in   atomic.Int64    // rows fed to the sources
	// sources is set when the dataflow reads a source table, which
	// feeds it between barriers.
	sources bool
	// tables maps a table id to the sources that read it; fed are the
	// sources the feed delivers barriers to (tables and constants).
	tables map[uint64][]*operators.Node
	fed    []*operators.Node
	// queues hold what each source is yet to take (see feed); the map is
	// made at launch and only read afterwards.
	queues map[*operators.Node]*feedQueue
	// unsubscribe detaches the view from the views it reads.
	unsubscribe []func()
	// status is what its sources report they are working around.
	status sourceStatus
	// latency measures how long rows read from sources take to be
	// written out (a job with a sink).
	latency latencyTracker
}

// manifest describes a complete checkpoint.
type manifest struct {
	Epoch uint64   `json:"epoch"`
	Seq   uint64   `json:"seq"`
	Views []uint32 `json:"views"`
	// Failed are the pipelines and sinks that failed, with why: they stay
	// stopped, since starting them again from the tables would write
	// again what they wrote before.
	Failed map[uint32]string `json:"failed,omitempty"`
}

func stateID(oid uint32) []byte { return binary.BigEndian.AppendUint32(nil, oid) }

// startStreams restores every materialized view and starts the feed.
func startStreams(db *DB, opts Options) (*streams, error) {
	s := &streams{db: db, store: db.store, partitions: opts.Partitions, interval: opts.CheckpointInterval, idleTimeout: opts.IdleTimeout,
		views: map[uint32]*runningView{}, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		subscriptions: subscribeRegistry{opts: opts.Subscribe}}
	var m manifest
	data, err := s.store.Manifest()
	if err != nil {
		return nil, err
	}
	if data != nil {
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("runnel: corrupt checkpoint manifest: %w", err)
		}
	}
	s.position, s.epoch = m.Seq, m.Epoch
	s.failed = map[uint32]string{}
	for id, why := range m.Failed {
		if t, ok := db.catalog.TableByID(id); ok && isJob(t) {
			s.failed[id] = why
		}
	}
	restored := map[uint32]bool{}
	for _, id := range m.Views {
		restored[id] = true
	}
	// State of views gone or not in the manifest is stale.
	var mvs []*catalog.Table
	for _, t := range db.catalog.Tables() {
		if isJob(t) {
			mvs = append(mvs, t)
		}
	}
	err = s.store.StatePrefixes(4, func(p []byte) error {
		id := binary.BigEndian.Uint32(p)
		if restored[id] && slices.ContainsFunc(mvs, func(t *catalog.Table) bool { return t.ID == id }) {
			return nil
		}
		if t, ok := db.catalog.TableByID(id); ok && isIngested(t) {
			return nil // the positions of a table read from a connector
		}
		return s.store.DeleteState(p)
	})
	if err != nil {
		return nil, err
	}
	s.store.SetFeed(s.enqueue)
	last := s.store.LastSeq()
	for _, t := range mvs { // in OID order: a view after the views it reads
		if _, failed := s.failed[t.ID]; failed {
			continue
		}
		if _, err := s.startView(t, restored[t.ID]); err != nil {
			if t.Kind == catalog.KindMaterializedView {
				return nil, fmt.Errorf("runnel: %s %s: %w", t.Kind, t.Name, err)
			}
			// A pipeline or sink that cannot start (its connector
			// fails) stays stopped; the database opens.
			s.failed[t.ID] = err.Error()
		}
	}
	// Replay only the logs of tables some view reads.
	var tables []uint64
	for _, rv := range s.views {
		for id := range rv.tables {
			if !slices.Contains(tables, id) {
				tables = append(tables, id)
			}
		}
	}
	var replay []storage.Commit
	err = s.store.ReadCommits(tables, s.position, last, func(c storage.Commit) error {
		replay = append(replay, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.qmu.Lock()
	s.queue = append(replay, s.queue...)
	s.qmu.Unlock()
	if last > s.position {
		s.enqueue(storage.Commit{Seq: last}) // a barrier even when nothing was replayed
	}
	// Open returns once every view has caught up with the logs.
	s.mu.Lock()
	err = s.quiesce(context.Background())
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	go s.run()
	return s, nil
}

// enqueue receives a published commit from storage.
func (s *streams) enqueue(c storage.Commit) {
	s.qmu.Lock()
	s.queue = append(s.queue, c)
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run delivers commits as they come, and begins a checkpoint every
// interval.
func (s *streams) run() {
	defer close(s.done)
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	for {
		checkpoint := false
		select {
		case <-s.wake:
			checkpoint = s.wantCheckpoint.Swap(false)
		case <-tick.C:
			checkpoint = true
		case <-s.stop:
			return
		}
		s.deliver(checkpoint)
	}
}

// deliver sends the queued commits to every view, then a barrier; with
// checkpoint, a checkpoint barrier when none is in flight.
func (s *streams) deliver(checkpoint bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliverLocked(checkpoint)
}

// deliverLocked is deliver for a caller holding mu. The queue is taken
// under mu, so that commits are delivered in order whoever delivers them.
func (s *streams) deliverLocked(checkpoint bool) {
	s.qmu.Lock()
	commits := s.queue
	s.queue = nil
	s.qmu.Unlock()
	last := s.position
	for _, c := range commits {
		if c.Seq <= s.position {
			continue // replayed already
		}
		for _, ch := range c.Changes {
			for _, rv := range s.views {
				for _, src := range rv.tables[ch.Table] {
					rv.in.Add(int64(ch.Batch.Len))
					rv.feed(src, operators.Message{Batch: ch.Batch})
				}
			}
		}
		last = c.Seq
	}
	b := &operators.Barrier{Seq: last, Round: s.round + 1}
	if checkpoint && s.inflight == nil {
		s.epoch++
		var ids []string
		var views []uint32
		for id, rv := range s.views {
			if rv.flow.Err() == nil && !isTransientView(id) {
				ids = append(ids, string(stateID(id)))
				views = append(views, id)
			}
		}
		b.Checkpoint = operators.NewCheckpoint(s.epoch, last, ids)
		for _, rv := range s.views {
			rv.latency.cut(s.epoch)
		}
		s.inflight = b.Checkpoint
		s.writing.Add(1)
		go s.complete(b.Checkpoint, b.Round, views)
	} else if last == s.position {
		return
	}
	s.position, s.round = last, b.Round
	for _, rv := range s.views {
		for _, src := range rv.fed {
			rv.feed(src, operators.Message{Barrier: b})
		}
	}
}

// feed queues m for a source of the view. It never blocks: a view waiting
// for another (a join aligning a barrier from a view it reads) must not
// hold up the feed or the views upstream, which would close a cycle.
func (rv *runningView) feed(src *operators.Node, m operators.Message) {
	rv.queues[src].push(m)
}

// quiesce delivers the commits published so far (a session's own writes
// among them: storage publishes a commit before acknowledging it) and
// waits until every view reflects them. The caller holds mu, so no other
// commit is delivered meanwhile: a view or pipeline started now starts
// exactly after them.
func (s *streams) quiesce(ctx context.Context) error {
	s.deliverLocked(false)
	for _, rv := range s.views {
		if err := rv.view.WaitRound(ctx, s.round); err != nil && ctx.Err() != nil {
			return err
		}
	}
	return nil
}

// planJob plans the query of continuous query t (its catalog entry, maybe
// not created yet) as seen by env: the plan, and the relations it reads.
// A system relation is refused (0A000): its rows are computed when read,
// not kept as a stream of changes.
func (s *streams) planJob(t *catalog.Table, e *env) (*planner.View, []uint32, error) {
	sel, err := parseSelect(t.Query)
	if err != nil {
		return nil, nil, err
	}
	p := planner.New(e, viewEvalContext(), &vector.ParamTypes{})
	p.IdleTimeout = s.idleTimeout
	plan, err := p.View(sel, t.EmitOnClose)
	if err != nil {
		return nil, nil, err
	}
	deps := p.Dependencies()
	for _, id := range deps {
		if r, ok := s.db.catalog.RelationByOID(id); ok && r.Table.Kind == catalog.KindSystem {
			what := fmt.Sprintf("%s %s", t.Kind, t.Name)
			if t.Name == "" {
				what = "SUBSCRIBE" // a subscription's transient dataflow
			}
			return nil, nil, vector.Errorf(vector.CodeFeatureNotSupported, "%s cannot read system relation %s.%s: its rows are not kept as a stream of changes",
				what, r.Schema, r.Name)
		}
	}
	return plan, deps, nil
}

// plan plans the defining query of view t after a restart.
func (s *streams) plan(t *catalog.Table) (*planner.View, error) {
	plan, _, err := s.planJob(t, &env{s: s.db.systemSession(t.Schema)})
	return plan, err
}

// isJob reports whether t is a continuous query: a materialized view, a
// pipeline, or a sink with a query (not a sink table).
func isJob(t *catalog.Table) bool {
	switch t.Kind {
	case catalog.KindMaterializedView, catalog.KindPipeline:
		return true
	case catalog.KindSink:
		return t.Query != ""
	}
	return false
}

// viewEvalContext is the context view expressions are evaluated in: UTC,
// whatever the session that created the view had set, so that a view means
// the same after a restart.
func viewEvalContext() *vector.EvalContext {
	return &vector.EvalContext{Location: time.UTC}
}

// startView plans and starts the dataflow of t: restored from its state,
// or backfilled from the tables (and the views it reads) as of position.
// The caller holds mu (or is startStreams).
func (s *streams) startView(t *catalog.Table, restore bool) (*runningView, error) {
	plan, err := s.plan(t)
	if err != nil {
		return nil, err
	}
	return s.launch(t, plan, restore)
}

// launch starts the dataflow of plan as view t.
func (s *streams) launch(t *catalog.Table, plan *planner.View, restore bool) (*runningView, error) {
	root := plan.Root
	var sink *operators.Sink
	if t.Kind != catalog.KindMaterializedView {
		var err error
		if sink, err = s.openSink(t, plan); err != nil {
			return nil, err
		}
		root = operators.NewSinkNode(plan.Root, sink)
	}
	v := operators.NewView(root.Types())
	cfg := operators.DataflowConfig{ID: string(stateID(t.ID)), Partitions: s.partitions, StatePrefix: stateID(t.ID)}
	if restore {
		cfg.LoadState = s.store.LoadState
	}
	flow, err := operators.StartDataflow(operators.NewViewNode(root, v), cfg)
	if err != nil {
		return nil, err
	}
	if sink != nil && restore {
		// Epochs checkpointed but not written out before the restart.
		if err := sink.Commit(s.epoch); err != nil {
			flow.Stop()
			return nil, err
		}
	}
	rv := &runningView{t: t, view: v, flow: flow, sink: sink, tables: map[uint64][]*operators.Node{}, queues: map[*operators.Node]*feedQueue{}}
	for _, src := range flow.Sources() {
		rv.queues[src] = newFeedQueue(flow, src)
	}
	go func() {
		<-flow.Failed()
		v.Fail(fmt.Errorf("%s \"%s\" failed: %w", t.Kind, t.Name, flow.Err()))
		s.mu.Lock()
		if s.inflight != nil {
			s.inflight.Ack(cfg.ID)
		}
		s.mu.Unlock()
	}()
	if err := s.attach(rv, restore); err != nil {
		flow.Stop()
		return nil, err
	}
	s.views[t.ID] = rv
	return rv, nil
}

// attach connects rv's sources: tables to the feed, views to their
// upstream view; unless restored, it first feeds each source its contents
// as of position, then a barrier.
func (s *streams) attach(rv *runningView, restored bool) error {
	barrier := operators.Message{Barrier: &operators.Barrier{Seq: s.position, Round: s.round}}
	for _, src := range rv.flow.Sources() {
		switch from := src.Source.(type) {
		case *planner.ConstantSource:
			rv.fed = append(rv.fed, src)
			if !restored {
				for _, b := range from.Batches {
					rv.feed(src, operators.Message{Batch: b})
				}
			}
		case *planner.SourceRead:
			rv.fed = append(rv.fed, src)
			rv.sources = true
			if err := s.readSource(rv, src, from.Table); err != nil {
				return err
			}
		case *catalog.Table:
			if from.Kind == catalog.KindMaterializedView {
				if err := s.attachView(rv, src, from, restored); err != nil {
					return err
				}
				continue
			}
			rv.tables[uint64(from.ID)] = append(rv.tables[uint64(from.ID)], src)
			rv.fed = append(rv.fed, src)
			if !restored {
				x := s.store.BeginAt(s.position)
				err := x.Scan(context.Background(), uint64(from.ID), false, func(b *vector.Batch, _ []storage.RowID) error {
					rv.in.Add(int64(b.Len))
					rv.feed(src, operators.Message{Batch: b})
					return nil
				})
				x.Rollback()
				if err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("source of unknown kind %T", src.Source)
		}
	}
	for _, src := range rv.fed {
		rv.feed(src, barrier)
	}
	return nil
}

// attachView connects source src of rv to the view it reads: once that
// view is as of position (so that no barrier of it is in flight), src gets
// its contents (unless rv is restored) and the barrier of position, then
// every later change.
func (s *streams) attachView(rv *runningView, src *operators.Node, from *catalog.Table, restored bool) error {
	up := s.views[from.ID]
	if up == nil {
		return fmt.Errorf("materialized view %s is not running", from.Name)
	}
	if err := up.view.WaitRound(context.Background(), s.round); err != nil {
		return err
	}
	if !restored {
		err := up.view.Scan(func(b *vector.Batch) error {
			rv.in.Add(int64(b.Len))
			rv.feed(src, operators.Message{Batch: b})
			return nil
		})
		if err != nil {
			return err
		}
	}
	rv.feed(src, operators.Message{Barrier: &operators.Barrier{Seq: s.position, Round: s.round}})
	go func() { // a view is no better than the views it reads
		select {
		case <-up.flow.Failed():
			rv.flow.Fail(fmt.Errorf("it reads %s: %w", from.Name, up.flow.Err()))
		case <-rv.flow.Failed():
		}
	}()
	rv.unsubscribe = append(rv.unsubscribe, up.view.Subscribe(func(changes []*vector.Batch, b *operators.Barrier) error {
		for _, c := range changes {
			rv.in.Add(int64(c.Len))
			rv.feed(src, operators.Message{Batch: c})
		}
		// The upstream view's watermark as of the barrier: it holds for
		// every change it published so far.
		if wm := up.flow.Watermark(); wm != operators.NoWatermark {
			rv.feed(src, operators.Message{Watermark: &operators.Watermark{T: wm}})
		}
		rv.feed(src, operators.Message{Barrier: b})
		return nil
	}))
	return nil
}

// dropView stops view id and forgets its state. The caller holds mu.
func (s *streams) dropView(id uint32) {
	delete(s.failed, id)
	rv := s.views[id]
	if rv == nil {
		return
	}
	delete(s.views, id)
	for _, u := range rv.unsubscribe {
		u()
	}
	// Readers learn why first: stopping fails the view too.
	rv.view.Fail(vector.Errorf(vector.CodeUndefinedTable, "materialized view \"%s\" was dropped", rv.t.Name))
	rv.flow.Stop()
	if s.inflight != nil {
		s.inflight.Ack(string(stateID(id)))
	}
	s.store.DeleteState(stateID(id)) //nolint:errcheck // leftover state is deleted at the next start
}

// view returns the running view id, after waiting until it reflects every
// commit up to seq.
func (s *streams) view(ctx context.Context, id uint32, seq uint64) (*operators.View, error) {
	s.mu.Lock()
	rv := s.views[id]
	s.mu.Unlock()
	if rv == nil {
		return nil, vector.Errorf(vector.CodeObjectNotInPrerequisiteState, "materialized view %d is not running", id)
	}
	return rv.view, rv.view.Wait(ctx, seq)
}

// close stops the feed and every dataflow.
func (s *streams) close() {
	close(s.stop)
	<-s.done
	s.writing.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rv := range s.views {
		rv.flow.Stop()
	}
}

// state is what SHOW PIPELINES says of the job: running, finished (every
// input ended and what the job made of them is in the view, or staged for
// the sink), or failed with the error.
func (rv *runningView) state() string {
	if err := rv.flow.Err(); err != nil {
		return "failed: " + err.Error()
	}
	if rv.view.Watermark() == operators.EndOfTime {
		return "finished"
	}
	if st := rv.status.String(); st != "" {
		return "running; " + st
	}
	return "running"
}
