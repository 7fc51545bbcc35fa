package runnel

import (
	"context"
	"errors"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// query starts a SELECT; its rows are computed as the caller reads them.
// An implicit transaction ends when the rows are exhausted or closed.
func (st *statement) query(ctx context.Context, ast *tree.Select) (*Result, error) {
	q, err := st.plan.Query(ast)
	if err != nil {
		return nil, st.finish(err)
	}
	rows := &streamRows{st: st}
	// The dataflow outlives this call (a portal may be read over several
	// Execute messages); Next watches each caller's context instead.
	rows.stream = operators.Open(context.WithoutCancel(ctx), q.Root)
	return &Result{Columns: columnsOf(q.Columns), Rows: rows, Tag: "SELECT", Counted: true}, nil
}

// streamRows reads a running dataflow.
type streamRows struct {
	st     *statement
	stream *operators.Stream
	once   sync.Once
}

func (r *streamRows) Next(ctx context.Context) (*vector.Batch, error) {
	if !r.st.deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, r.st.deadline)
		defer cancel()
	}
	b, err := r.stream.NextContext(ctx)
	if err != nil || b == nil {
		r.end(err)
		if ctx.Err() != nil {
			return nil, ctxError(ctx)
		}
	}
	return b, err
}

func (r *streamRows) Close() { r.end(nil) }

func (r *streamRows) end(err error) {
	r.once.Do(func() {
		r.stream.Close()
		r.st.finish(err) //nolint:errcheck // a read-only transaction has nothing to commit
	})
}

// ctxError is the error of a statement whose context ended: cancelled by
// the client, or past its statement_timeout.
func ctxError(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return vector.Errorf(vector.CodeQueryCanceled, "canceling statement due to statement timeout")
	}
	return vector.Errorf(vector.CodeQueryCanceled, "canceling statement due to user request")
}

// batchRows serves rows computed in advance.
type batchRows struct {
	batches []*vector.Batch
}

func (r *batchRows) Next(context.Context) (*vector.Batch, error) {
	if len(r.batches) == 0 {
		return nil, nil
	}
	b := r.batches[0]
	r.batches = r.batches[1:]
	return b, nil
}

func (r *batchRows) Close() { r.batches = nil }

// textRows is a result of text columns computed in advance.
func textRows(names []string, rows [][]vector.Datum, tag string) *Result {
	cols := textColumns(names)
	builders := make([]*vector.Builder, len(names))
	for i := range names {
		builders[i] = vector.NewBuilder(vector.Text, len(rows))
	}
	for _, row := range rows {
		for i, d := range row {
			builders[i].Append(d)
		}
	}
	arrs := make([]arrow.Array, len(names))
	for i, b := range builders {
		arrs[i] = b.Finish()
	}
	res := &Result{Columns: cols, Rows: &batchRows{batches: []*vector.Batch{vector.NewBatch(arrs, len(rows))}}, Tag: tag}
	if tag == "SELECT" {
		res.Counted = true
	}
	return res
}
