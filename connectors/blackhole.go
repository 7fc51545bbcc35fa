package connectors

import (
	"sync"

	"github.com/runneldb/runnel/vector"
)

// Blackhole is a sink that discards its input: it measures a pipeline
// without the cost of writing its output. It counts the rows and sums them
// up (vector.Checksum), so that what a pipeline produced can be compared
// with another run of the same query. It takes every change, retractions
// included.
type Blackhole struct {
	types []vector.Type

	mu   sync.Mutex
	sum  vector.Checksum
	rows int64
	next uint64 // the lowest epoch not committed yet
}

func openBlackhole(_ map[string]string, cols []Column, _ string) (Sink, error) {
	b := &Blackhole{types: make([]vector.Type, len(cols))}
	for i, c := range cols {
		b.types[i] = c.Type
	}
	return b, nil
}

// Retractions is true: a blackhole takes deletions as well.
func (b *Blackhole) Retractions() bool { return true }

// Commit counts and sums up the rows of changes, unless epoch was
// committed already.
func (b *Blackhole) Commit(epoch uint64, changes []*vector.Batch) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if epoch < b.next {
		return nil
	}
	b.next = epoch + 1
	for _, c := range changes {
		b.sum.Add(c, b.types)
		if c.Weights == nil {
			b.rows += int64(c.Len)
			continue
		}
		for _, w := range c.Weights {
			b.rows += max(w, -w)
		}
	}
	return nil
}

// Rows is the number of rows committed so far, a row of weight ±n counting
// n. It may be called while another goroutine commits.
func (b *Blackhole) Rows() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rows
}

// Checksum sums up the changes committed so far: for an updating query,
// the result as of the last commit.
func (b *Blackhole) Checksum() vector.Checksum {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sum
}

// Close does nothing.
func (b *Blackhole) Close() error { return nil }
