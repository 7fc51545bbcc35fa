// Package operators holds runnel's dataflow operators and their runtime.
//
// An operator consumes streams of messages from its inputs and produces one
// stream of messages. Each running operator is a goroutine; operators are
// connected by bounded channels, so a slow consumer slows its producers
// (backpressure) instead of growing memory. A bounded query (a SELECT) runs
// operators until every input ends; a continuous query runs the same kind of
// operators forever, with watermarks and barriers flowing between batches.
package operators

import (
	"context"

	"github.com/runneldb/runnel/vector"
)

// Message is what flows on an edge between two operators: a batch of
// changes, or (in continuous dataflows) a barrier or a watermark, ordered
// with the batches around it.
type Message struct {
	Batch     *vector.Batch
	Barrier   *Barrier
	Watermark *Watermark
	// Advance, on a message fed to a positioned source, says where its
	// input is once Batch (if any) is taken.
	Advance *Advance
}

// Operator is a node of a dataflow. Run starts the operator's inputs (see
// Open), sends its output on out until it is done or ctx is cancelled, and
// returns the first error. Run does not close out; Open does that.
//
// Types describes the columns of every batch the operator sends.
type Operator interface {
	Types() []vector.Type
	Run(ctx context.Context, out chan<- Message) error
}

// channelDepth bounds every edge: how many messages a producer may run ahead
// of its consumer.
const channelDepth = 4

// Stream is the consuming end of a running operator.
type Stream struct {
	c      <-chan Message
	err    error
	done   chan struct{}
	cancel context.CancelFunc
}

// Open starts op in its own goroutine and returns the stream of its output.
// The caller must read the stream to its end or Close it.
func Open(ctx context.Context, op Operator) *Stream {
	ctx, cancel := context.WithCancel(ctx)
	c := make(chan Message, channelDepth)
	s := &Stream{c: c, done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(s.done)
		defer close(c)
		s.err = op.Run(ctx, c)
	}()
	return s
}

// Next returns the next batch, or nil at the end of the stream. The error of
// the operator, if any, is returned once its output is exhausted.
func (s *Stream) Next() (*vector.Batch, error) {
	for m := range s.c {
		if m.Batch != nil {
			return m.Batch, nil
		}
	}
	<-s.done
	return nil, s.err
}

// NextContext is Next that gives up when ctx is done (returning ctx.Err()).
func (s *Stream) NextContext(ctx context.Context) (*vector.Batch, error) {
	for {
		select {
		case m, ok := <-s.c:
			if !ok {
				<-s.done
				return nil, s.err
			}
			if m.Batch != nil {
				return m.Batch, nil
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Close stops the operator and waits for it to finish.
func (s *Stream) Close() {
	s.cancel()
	for range s.c {
	}
	<-s.done
}

// Send delivers m on out unless ctx is cancelled first.
func Send(ctx context.Context, out chan<- Message, m Message) error {
	select {
	case out <- m:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
