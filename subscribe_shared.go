package runnel

import (
	"sync"

	"github.com/runneldb/runnel/vector"
)

// What the subscriptions of a view share: the result rows of each tick,
// and their encodings for the clients.

// output is the tick's changes as result rows, with the progress column
// or without.
func (t *subscribeTick) output(progress bool) []*sharedBatch {
	k := 0
	if progress {
		k = 1
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.out[k] == nil {
		for _, c := range t.changes {
			if c.Len > 0 {
				t.out[k] = append(t.out[k], &sharedBatch{b: changeRows(t.ts, c, progress)})
			}
		}
	}
	return t.out[k]
}

// sharedBatch is a batch of result rows that every subscription reading a
// tick gets, with the encodings senders made of it (see SharedRows).
type sharedBatch struct {
	b    *vector.Batch
	mu   sync.Mutex
	enc  map[string][]byte
	size int // of enc
}

// subscribeEncodings keeps the encodings of the most recent shared
// batches, up to encodingBytes: the readers of a tick come one after the
// other; a reader far behind encodes for itself.
type subscribeEncodings struct {
	mu    sync.Mutex
	fifo  []*sharedBatch // the batches holding encodings, oldest first
	bytes int
}

// encodingBytes bounds the encodings a view's subscriptions share.
const encodingBytes = 32 << 20

// get returns encoding key of sb, made by encode the first time.
func (e *subscribeEncodings) get(sb *sharedBatch, key string, encode func() []byte) []byte {
	sb.mu.Lock()
	if data, ok := sb.enc[key]; ok {
		sb.mu.Unlock()
		return data
	}
	data := encode()
	first := sb.enc == nil
	if first {
		sb.enc = map[string][]byte{}
	}
	sb.enc[key] = data
	sb.size += len(data)
	sb.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if first {
		e.fifo = append(e.fifo, sb)
	}
	e.bytes += len(data)
	for e.bytes > encodingBytes && len(e.fifo) > 0 {
		old := e.fifo[0]
		e.fifo[0] = nil
		e.fifo = e.fifo[1:]
		old.mu.Lock()
		e.bytes -= old.size
		old.enc, old.size = nil, 0
		old.mu.Unlock()
	}
	return data
}
