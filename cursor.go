package runnel

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/vector"
)

// Cursors: DECLARE name CURSOR FOR query | SUBSCRIBE …, FETCH, MOVE and
// CLOSE, inside a transaction block (or the implicit transaction of a
// multi-statement message). A cursor lives until CLOSE or the end of its
// transaction, and only moves forward. A query's cursor reads its rows as
// FETCH asks for them; a SUBSCRIBE's returns what has arrived: FETCH waits
// for a first row (up to its WITH (timeout = …), when given), then takes
// the rows already there, up to its count.

// cursor is an open cursor: its rows and what was read of them.
//
// Invariants: batch[pos:] are the rows read from rows and not fetched yet;
// live is rows when the cursor is a SUBSCRIBE's; once done, rows are
// exhausted (a query's only).
type cursor struct {
	columns []Column
	rows    Rows
	live    *subscribeRows
	batch   *vector.Batch
	pos     int
	done    bool
}

// fetchAll is the count of FETCH ALL.
const fetchAll = -1

// declareStmt is DECLARE.
type declareStmt struct {
	streamStmtBase
	name  string
	query *tree.Select   // DECLARE … FOR query, or
	sub   *subscribeStmt // DECLARE … FOR SUBSCRIBE …
}

func (d *declareStmt) describe(st *statement) ([]Column, error) {
	if d.sub != nil {
		_, err := d.sub.describe(st)
		return nil, err
	}
	_, err := st.plan.Query(d.query)
	return nil, err
}

func (d *declareStmt) run(ctx context.Context, st *statement) (*Result, error) {
	s := st.s
	if !st.inBlock() {
		return nil, st.finish(vector.Errorf(vector.CodeNoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks"))
	}
	if _, dup := s.cursors[d.name]; dup {
		return nil, vector.Errorf(vector.CodeDuplicateCursor, "cursor \"%s\" already exists", d.name)
	}
	// statement_timeout bounds each FETCH, not the cursor.
	st.deadline = time.Time{}
	c := &cursor{}
	if d.sub != nil {
		rows, err := st.subscribe(ctx, d.sub)
		if err != nil {
			return nil, err
		}
		c.columns, c.rows, c.live = rows.columns, rows, rows
	} else {
		res, err := st.query(ctx, d.query)
		if err != nil {
			return nil, err
		}
		c.columns, c.rows = res.Columns, res.Rows
	}
	if s.cursors == nil {
		s.cursors = map[string]*cursor{}
	}
	s.cursors[d.name] = c
	return &Result{Tag: "DECLARE CURSOR"}, nil
}

// fetchStmt is FETCH, or MOVE (which fetches without returning the rows).
type fetchStmt struct {
	streamStmtBase
	name  string
	count int64 // or fetchAll
	move  bool
	// timeout (µs), when set, bounds the wait of a SUBSCRIBE cursor.
	timeout *int64
}

func (f *fetchStmt) describe(st *statement) ([]Column, error) {
	if c := st.s.cursors[f.name]; c != nil && !f.move {
		return c.columns, nil
	}
	return nil, nil // as Postgres, which describes no rows for a cursor it does not know
}

func (f *fetchStmt) run(ctx context.Context, st *statement) (*Result, error) {
	st.finish(errDescribeOnly) //nolint:errcheck // a cursor reads in its own transaction
	c := st.s.cursors[f.name]
	if c == nil {
		return nil, vector.Errorf(vector.CodeUndefinedCursor, "cursor \"%s\" does not exist", f.name)
	}
	batches, n, err := c.fetch(ctx, f.count, f.timeout, f.move)
	if err != nil {
		return nil, err
	}
	if f.move {
		return &Result{Tag: fmt.Sprintf("MOVE %d", n)}, nil
	}
	return &Result{Columns: c.columns, Rows: &batchRows{batches: batches}, Tag: "FETCH", Counted: true}, nil
}

// fetch reads up to count rows (all of them for fetchAll) and returns
// them (none when discard) and how many there were. A SUBSCRIBE cursor
// waits for the first row — until timeout (µs) when given — and then takes
// only the rows already there.
func (c *cursor) fetch(ctx context.Context, count int64, timeout *int64, discard bool) ([]*vector.Batch, int64, error) {
	wait := ctx
	if timeout != nil && c.live != nil {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, time.Duration(*timeout)*time.Microsecond)
		defer cancel()
	}
	var out []*vector.Batch
	var n int64
	for count == fetchAll || n < count {
		if c.batch == nil || c.pos == c.batch.Len {
			b, err := c.read(ctx, wait, n == 0)
			if err != nil {
				return nil, 0, err
			}
			if b == nil {
				break
			}
			c.batch, c.pos = b, 0
			continue
		}
		k := int64(c.batch.Len - c.pos)
		if count != fetchAll {
			k = min(k, count-n)
		}
		if !discard {
			out = append(out, sliceBatch(c.batch, c.pos, c.pos+int(k)))
		}
		c.pos += int(k)
		n += k
	}
	return out, n, nil
}

// read returns the cursor's next batch, nil at the end of a query's rows
// or when a SUBSCRIBE has nothing ready (after waiting, when first, for a
// row until wait ends).
func (c *cursor) read(ctx, wait context.Context, first bool) (*vector.Batch, error) {
	if c.live == nil {
		if c.done {
			return nil, nil
		}
		b, err := c.rows.Next(ctx)
		if err != nil || b == nil {
			c.done = true
		}
		return b, err
	}
	b, err := c.live.next(wait, first)
	if err != nil && wait.Err() != nil && ctx.Err() == nil {
		return nil, nil // the timeout of FETCH: what arrived is all there is
	}
	return b, err
}

// sliceBatch is rows [from, to) of b.
func sliceBatch(b *vector.Batch, from, to int) *vector.Batch {
	if from == 0 && to == b.Len {
		return b
	}
	cols := make([]arrow.Array, len(b.Cols))
	for i, col := range b.Cols {
		cols[i] = array.NewSlice(col, int64(from), int64(to))
	}
	return vector.NewBatch(cols, to-from)
}

// closeStmt is CLOSE.
type closeStmt struct {
	streamStmtBase
	name string
	all  bool
}

func (c *closeStmt) describe(*statement) ([]Column, error) { return nil, nil }

func (c *closeStmt) run(_ context.Context, st *statement) (*Result, error) {
	st.finish(errDescribeOnly) //nolint:errcheck // nothing to commit
	s := st.s
	if c.all {
		s.closeCursors()
		return &Result{Tag: "CLOSE CURSOR ALL"}, nil
	}
	cur := s.cursors[c.name]
	if cur == nil {
		return nil, vector.Errorf(vector.CodeUndefinedCursor, "cursor \"%s\" does not exist", c.name)
	}
	delete(s.cursors, c.name)
	cur.rows.Close()
	return &Result{Tag: "CLOSE CURSOR"}, nil
}

// closeCursors closes every cursor: the transaction they belong to ended.
func (s *Session) closeCursors() {
	for name, c := range s.cursors {
		c.rows.Close()
		delete(s.cursors, name)
	}
}

// CursorColumns describes the rows of the open cursor called name, which
// the extended protocol's Describe can name as a portal.
func (s *Session) CursorColumns(name string) ([]Column, bool) {
	c := s.cursors[name]
	if c == nil {
		return nil, false
	}
	return c.columns, true
}
