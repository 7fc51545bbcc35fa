package datagen

import (
	"context"
	"time"

	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// maxWait is the longest a paced read sleeps at once; it then looks at the
// clock again (a very low rate would otherwise overflow a time.Duration).
const maxWait = time.Hour

// readRows is the Read of a generator of total rows (unbounded: it never
// ends) whose rows from..from+n-1 build makes. It is a source of one split,
// split 0, whose position is the number of rows generated: it emits the
// rows after the first from[0] to out in chunks of at most
// operators.BatchSize rows, in order, each with the position after it, and
// returns nil after the last one. A position of another split, or a
// negative one, is an error.
//
// Pacing: with rate > 0 (rows per second), the k-th row emitted (k from 0)
// is not emitted before k/rate seconds after the read began, and a chunk
// holds only the rows due, so a slow generator emits small chunks on time
// and a fast one full chunks; rate 0 emits as fast as out takes them. A
// done ctx ends the read with ctx.Err(), also while it waits.
func readRows(ctx context.Context, from source.Position, total int64, rate float64,
	build func(from int64, n int) *vector.Batch, out source.Output) error {
	for split, pos := range from {
		if split != 0 || pos < 0 {
			return vector.Errorf(vector.CodeInternalError, "a generator of one split cannot resume split %d at position %d", split, pos)
		}
	}
	skip := from[0]
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
		if err := out.Emit(source.Chunk{Next: row + n, Rows: build(row, int(n))}); err != nil {
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
