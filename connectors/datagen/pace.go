package datagen

import (
	"context"
	"time"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// maxWait is the longest a paced read sleeps at once; it then looks at the
// clock again (a very low rate would otherwise overflow a time.Duration).
const maxWait = time.Hour

// readRows is the Read of a generator of total rows (unbounded: it never
// ends) whose rows from..from+n-1 build makes. It emits the rows after the
// first skip in batches of at most operators.BatchSize rows, in order, and
// returns nil after the last one.
//
// Pacing: with rate > 0 (rows per second), the k-th row emitted (k from 0)
// is not emitted before k/rate seconds after the read began, and a batch
// holds only the rows due, so a slow generator emits small batches on time
// and a fast one full batches; rate 0 emits as fast as emit returns. A done
// ctx ends the read with ctx.Err(), also while it waits.
func readRows(ctx context.Context, skip, total int64, rate float64,
	build func(from int64, n int) *vector.Batch, emit func(*vector.Batch) error) error {
	began := time.Now()
	for row := skip; row < total; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(total-row, operators.BatchSize)
		if rate > 0 {
			end := total // the rows before end are due by now
			if k := time.Since(began).Seconds() * rate; k < float64(total-skip-1) {
				end = skip + int64(k) + 1
			}
			if end <= row {
				wait := min(float64(row-skip)/rate-time.Since(began).Seconds(), maxWait.Seconds())
				if err := sleep(ctx, time.Duration(wait*float64(time.Second))); err != nil {
					return err
				}
				continue
			}
			n = min(n, end-row)
		}
		if err := emit(build(row, int(n))); err != nil {
			return err
		}
		row += n
	}
	return nil
}

// sleep waits for d, or until ctx is done (ctx.Err()).
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
