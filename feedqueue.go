package runnel

import (
	"sync"

	"github.com/runneldb/runnel/operators"
)

// feedQueue is the unbounded queue in front of a view's source: a
// goroutine hands its messages to the source in order, for as long as the
// dataflow runs.
type feedQueue struct {
	mu    sync.Mutex
	items []operators.Message
	wake  chan struct{}
}

func newFeedQueue(flow *operators.Dataflow, src *operators.Node) *feedQueue {
	q := &feedQueue{wake: make(chan struct{}, 1)}
	go func() {
		for {
			select {
			case <-q.wake:
			case <-flow.Failed():
				return
			}
			q.mu.Lock()
			items := q.items
			q.items = nil
			q.mu.Unlock()
			for _, m := range items {
				if flow.Feed(src, m) != nil {
					return
				}
			}
		}
	}()
	return q
}

func (q *feedQueue) push(m operators.Message) {
	q.mu.Lock()
	q.items = append(q.items, m)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}
