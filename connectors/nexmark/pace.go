package nexmark

import (
	"context"
	"time"
)

// pacer paces a read at rate events per second: event e is due
// (e - first)/rate seconds after the read started, first being the event
// the read starts at.
type pacer struct {
	rate  float64
	first int64
	start time.Time
}

// newPacer starts pacing a read whose first event is first.
func newPacer(rate, first int64) *pacer {
	return &pacer{rate: float64(rate), first: first, start: time.Now()}
}

// due waits until row, the next row of kind's table to emit, is due, and
// returns how many of the n rows from it are due by then (at least one).
// It returns ctx's error if ctx is done first.
func (p *pacer) due(ctx context.Context, kind *nexmarkKind, row, n int64) (int64, error) {
	for {
		elapsed := time.Since(p.start).Seconds()
		last := p.first + int64(elapsed*p.rate) // the last event due
		if ready := kind.rowsBefore(last+1) - row; ready > 0 {
			return min(n, ready), nil
		}
		at := time.Duration(float64(kind.event(row)-p.first) / p.rate * float64(time.Second))
		t := time.NewTimer(at - time.Since(p.start))
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		case <-t.C:
		}
	}
}
