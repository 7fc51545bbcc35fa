package runnel

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/storage"
	"github.com/runneldb/runnel/vector"
)

// Checkpoints of the continuous queries: completing one (writing its
// state and manifest, then letting the sinks write out), and FLUSH, which
// waits for views and, when needed, for a checkpoint.

// complete writes checkpoint c, whose barrier was sent in round round, once
// every continuous query has acknowledged it. The manifest names those of
// views (the queries the checkpoint began with) that still run — a query
// started since wrote no state for it — and the pipelines and sinks that
// failed for good. Then the sinks write out what the checkpoint staged.
func (s *streams) complete(c *operators.Checkpoint, round uint64, views []uint32) {
	defer s.writing.Done()
	select {
	case <-c.Done():
	case <-s.stop:
		return
	}
	s.mu.Lock()
	m := manifest{Epoch: c.Epoch, Seq: c.Seq}
	for id, rv := range s.views {
		if err := rv.flow.Err(); err != nil && rv.sink != nil {
			s.failed[id] = err.Error()
		}
	}
	if len(s.failed) > 0 {
		m.Failed = maps.Clone(s.failed)
	}
	live := map[string]bool{}
	for _, id := range views {
		if rv := s.views[id]; rv != nil && rv.flow.Err() == nil {
			m.Views = append(m.Views, id)
			live[string(stateID(id))] = true
		}
	}
	s.mu.Unlock()
	slices.Sort(m.Views)
	entries := make([]storage.StateEntry, 0, len(c.Entries()))
	for _, e := range c.Entries() {
		if live[string(e.Key[:4])] {
			entries = append(entries, storage.StateEntry{Key: e.Key, Value: e.Value})
		}
	}
	data, _ := json.Marshal(m)
	err := s.store.WriteCheckpoint(entries, data)
	if err == nil {
		s.commitSinks(c.Epoch, m.Views)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkpointed(round)
	if err != nil {
		// The operators dropped what they wrote: every view is now ahead
		// of its stored state, so they fail and restart from a backfill.
		for _, rv := range s.views {
			rv.view.Fail(fmt.Errorf("checkpoint %d failed: %w", c.Epoch, err))
		}
		return
	}
	s.inflight = nil
}

// commitSinks writes out, in the sinks of the jobs of a checkpoint just
// made durable, what the checkpoint staged. A sink that fails fails its
// job.
func (s *streams) commitSinks(epoch uint64, jobs []uint32) {
	for _, id := range jobs {
		s.mu.Lock()
		rv := s.views[id]
		s.mu.Unlock()
		if rv == nil || rv.sink == nil {
			continue
		}
		if err := rv.sink.Commit(epoch); err != nil {
			rv.flow.Fail(fmt.Errorf("writing out checkpoint %d: %w", epoch, err))
			continue
		}
		rv.latency.written(epoch, time.Now())
	}
}

// checkpointed wakes the waiters the checkpoint of barrier round round
// satisfies, and asks for another checkpoint for the others. The caller
// holds mu.
func (s *streams) checkpointed(round uint64) {
	rest := s.waiters[:0]
	for _, w := range s.waiters {
		if w.round < round {
			close(w.done)
		} else {
			rest = append(rest, w)
		}
	}
	s.waiters = rest
	if len(rest) > 0 {
		s.requestCheckpoint()
	}
}

// requestCheckpoint asks the feed for a checkpoint now.
func (s *streams) requestCheckpoint() {
	s.wantCheckpoint.Store(true)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// checkpoint waits for a checkpoint of commit seq or later to be written
// out, sinks included.
func (s *streams) checkpoint(ctx context.Context) error {
	s.mu.Lock()
	w := checkpointWaiter{round: s.round, done: make(chan struct{})}
	s.waiters = append(s.waiters, w)
	s.mu.Unlock()
	s.requestCheckpoint()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.stop:
		return errClosedStreams
	}
}

var errClosedStreams = vector.Errorf(vector.CodeAdminShutdown, "the database is closing")

// flush waits until every view reflects every commit published so far,
// and every pipeline and sink has written out what they make of them.
// Pipelines and sinks write out at checkpoints, and what a view reads from
// a source (a file, a generator) shows at the next barrier: with either,
// flush waits for a checkpoint.
func (s *streams) flush(ctx context.Context) error {
	seq := s.store.LastSeq()
	s.mu.Lock()
	checkpoint := false
	for _, rv := range s.views {
		checkpoint = checkpoint || rv.sink != nil || rv.sources
	}
	s.mu.Unlock()
	if err := s.flushViews(ctx, seq); err != nil || !checkpoint {
		return err
	}
	return s.checkpoint(ctx)
}

// flushViews waits until every view reflects every commit up to seq.
func (s *streams) flushViews(ctx context.Context, seq uint64) error {
	s.mu.Lock()
	views := make([]*runningView, 0, len(s.views))
	for _, rv := range s.views {
		views = append(views, rv)
	}
	s.mu.Unlock()
	for _, rv := range views {
		if err := rv.view.Wait(ctx, seq); err != nil && ctx.Err() != nil {
			return err
		}
	}
	return nil
}
