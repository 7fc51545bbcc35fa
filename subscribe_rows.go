package runnel

import (
	"context"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runneldb/runnel/vector"
)

// The rows of a SUBSCRIBE, as a result reads them.

// LiveRows is implemented by the rows of a result that never end by
// themselves (SUBSCRIBE): Next waits for the next change. Whoever sends
// them flushes what it has sent before calling Next, so that rows reach
// the client as they happen.
type LiveRows interface {
	Rows
	Live()
}

// SharedRows is implemented by rows whose batches many readers get (the
// subscriptions of one view): whoever encodes a whole batch for a client
// shares the encoding with the others through Encoded.
type SharedRows interface {
	Rows
	// Encoded returns the encoding called key of b, the batch Next last
	// returned, made by encode unless a reader made it already.
	Encoded(b *vector.Batch, key string, encode func() []byte) []byte
}

// pendingRows are rows a subscription took and has not returned yet:
// shared rows of a tick, or changes of its own (the snapshot) stamped ts.
type pendingRows struct {
	shared *sharedBatch
	ts     int64
	b      *vector.Batch
}

// subscribeRows are the rows of a SUBSCRIBE: the snapshot, then the
// changes as they come and, with progress, a progress row whenever the
// stream has passed a timestamp and nothing else is to be read.
type subscribeRows struct {
	sub      *subscription
	columns  []Column
	progress bool
	pending  []pendingRows
	// last is the shared batch Next returned last, if it did.
	last         *sharedBatch
	lastProgress int64
	deadline     time.Time // statement_timeout, or zero
	once         sync.Once
}

// Live marks the rows as never ending.
func (r *subscribeRows) Live() {}

func (r *subscribeRows) Next(ctx context.Context) (*vector.Batch, error) {
	if !r.deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, r.deadline)
		defer cancel()
	}
	b, err := r.next(ctx, true)
	if err != nil {
		r.Close()
	}
	return b, err
}

// next returns the next batch of rows; when there is none yet, it waits
// for one (wait) or returns nil.
func (r *subscribeRows) next(ctx context.Context, wait bool) (*vector.Batch, error) {
	r.last = nil
	for {
		if len(r.pending) > 0 {
			p := r.pending[0]
			r.pending[0] = pendingRows{}
			r.pending = r.pending[1:]
			if p.shared != nil {
				r.last = p.shared
				return p.shared.b, nil
			}
			if p.b.Len > 0 {
				return changeRows(p.ts, p.b, r.progress), nil
			}
			continue
		}
		t, progress, wake, err := r.sub.take(r.lastProgress)
		switch {
		case err != nil:
			return nil, err
		case t != nil:
			for _, sb := range t.output(r.progress) {
				r.pending = append(r.pending, pendingRows{shared: sb})
			}
			continue
		case progress != 0:
			r.lastProgress = progress
			return r.progressRow(progress), nil
		case !wait:
			return nil, nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctxError(ctx)
		}
	}
}

// Encoded shares the encodings of the batches of ticks.
func (r *subscribeRows) Encoded(b *vector.Batch, key string, encode func() []byte) []byte {
	if r.last == nil || r.last.b != b {
		return encode()
	}
	return r.sub.hub.encodings.get(r.last, key, encode)
}

// changeRows renders changes b stamped ts as rows of the result (with a
// runnel_progressed column when progress).
func changeRows(ts int64, b *vector.Batch, progress bool) *vector.Batch {
	n := b.Len
	cols := make([]arrow.Array, 0, len(b.Cols)+3)
	cols = append(cols, vector.ConstArray(vector.Int8, ts, n))
	if progress {
		cols = append(cols, vector.ConstArray(vector.Bool, false, n))
	}
	if b.Weights == nil {
		cols = append(cols, vector.ConstArray(vector.Int8, int64(1), n))
	} else {
		diff := array.NewInt64Builder(vector.Mem)
		diff.AppendValues(b.Weights, nil)
		cols = append(cols, diff.NewArray())
	}
	return vector.NewBatch(append(cols, b.Cols...), n)
}

// progressRow is the row saying that every change stamped below ts has
// been sent.
func (r *subscribeRows) progressRow(ts int64) *vector.Batch {
	cols := make([]arrow.Array, len(r.columns))
	cols[0] = vector.ConstArray(vector.Int8, ts, 1)
	cols[1] = vector.ConstArray(vector.Bool, true, 1)
	for i := 2; i < len(cols); i++ {
		cols[i] = vector.ConstArray(r.columns[i].Type, nil, 1)
	}
	return vector.NewBatch(cols, 1)
}

// Close ends the subscription.
func (r *subscribeRows) Close() { r.once.Do(r.sub.close) }
