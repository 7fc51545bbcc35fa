package connectors

import (
	"sync/atomic"

	"github.com/runneldb/runnel/vector"
)

// Blackhole is a sink that discards its input and counts the rows: it
// measures a pipeline without the cost of writing its output. It takes
// every change, retractions included.
type Blackhole struct {
	rows atomic.Int64
	next uint64 // the lowest epoch not committed yet
}

func openBlackhole(map[string]string, []Column, string) (Sink, error) { return &Blackhole{}, nil }

// Retractions is true: a blackhole takes deletions as well.
func (b *Blackhole) Retractions() bool { return true }

// Commit counts the rows of changes, unless epoch was committed already.
func (b *Blackhole) Commit(epoch uint64, changes []*vector.Batch) error {
	if epoch < b.next {
		return nil
	}
	b.next = epoch + 1
	var n int64
	for _, c := range changes {
		if c.Weights == nil {
			n += int64(c.Len)
			continue
		}
		for _, w := range c.Weights {
			n += max(w, -w)
		}
	}
	b.rows.Add(n)
	return nil
}

// Rows is the number of rows committed so far, a row of weight ±n counting
// n. It may be called while another goroutine commits.
func (b *Blackhole) Rows() int64 { return b.rows.Load() }

// Close does nothing.
func (b *Blackhole) Close() error { return nil }
