package runnel

import (
	"sync"

	"github.com/runneldb/runnel/vector"
)

// subscription is one subscriber's place in a hub's stream: the ticks
// queued for it to read, at most limit rows (beyond, it fails). The hub
// fills it under the hub's mu; its reader drains it.
type subscription struct {
	hub      *subscribeHub
	after    int64 // only ticks with a larger timestamp are queued
	limit    int
	progress bool

	mu     sync.Mutex
	queue  []*subscribeTick
	queued int   // rows in queue
	upTo   int64 // every tick up to upTo was queued (or is before after)
	err    error
	wake   chan struct{} // signalled when there is something to read
}

// deliver queues the tick of a barrier stamped ts (nil when the barrier
// changed nothing). It reports false once the subscription has failed:
// it fell further behind than its limit allows (a single tick larger than
// the limit is let through when nothing else waits).
func (s *subscription) deliver(t *subscribeTick, ts int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return false
	}
	s.upTo = ts
	queued := t != nil && t.ts > s.after
	if queued {
		s.queue = append(s.queue, t)
		s.queued += t.rows
		if s.queued > s.limit && len(s.queue) > 1 {
			e := vector.Errorf(codeSubscriberBehind, "subscriber fell too far behind: %d rows of changes to %s waited to be read (the limit is %d)", s.queued, s.hub.name, s.limit)
			e.Hint = "Read the subscription faster, or raise the server's subscribe buffer."
			s.failLocked(e)
			return false
		}
	}
	if queued || s.progress {
		s.signal()
	}
	return true
}

// fail ends the subscription with err.
func (s *subscription) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLocked(err)
}

func (s *subscription) failLocked(err error) {
	if s.err == nil {
		s.err = err
		s.queue, s.queued = nil, 0
		s.signal()
	}
}

// signal wakes the reader; the caller holds mu.
func (s *subscription) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// take returns the next tick to read; else, when progress is wanted and
// the stream has passed lastProgress, the timestamp below which every
// change has been queued (and taken); else the channel signalled when
// there may be more.
func (s *subscription) take(lastProgress int64) (*subscribeTick, int64, <-chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, 0, nil, s.err
	}
	if len(s.queue) > 0 {
		t := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.queued -= t.rows
		return t, 0, nil, nil
	}
	if s.progress && s.upTo+1 > lastProgress {
		return nil, s.upTo + 1, nil, nil
	}
	return nil, 0, s.wake, nil
}

// close ends the subscription.
func (s *subscription) close() { s.hub.remove(s) }
