package nexmark

import (
	"context"
	"time"
)

// pacer paces the read of a split at rate events per second: its event i
// (counted within the split) is due (i - first)/rate seconds after the
// read started, first being the position the read starts at.
type pacer struct {
	rate  float64
	first int64
	start time.Time
}

// newPacer starts pacing a read of a split from position first.
func newPacer(rate float64, first int64) *pacer {
	return &pacer{rate: rate, first: first, start: time.Now()}
}

// due waits until event next of the split is due, and returns the position
// after the events due by then, at most limit (next < limit). It returns
// ctx's error if ctx is done first.
func (p *pacer) due(ctx context.Context, next, limit int64) (int64, error) {
	for {
		elapsed := time.Since(p.start).Seconds()
		if end := p.first + int64(elapsed*p.rate) + 1; end > next {
			return min(limit, end), nil
		}
		at := time.Duration(float64(next-p.first) / p.rate * float64(time.Second))
		t := time.NewTimer(at - time.Since(p.start))
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		case <-t.C:
		}
	}
}
