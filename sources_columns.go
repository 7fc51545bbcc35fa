package runnel

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runneldb/runnel/connectors"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// A query reads from a source only the columns it uses (planner.SourceRead).
// A connector whose rows are the same whichever of the table's columns it
// is asked for is asked for those only: the nexmark generator draws each
// column on its own. Any other reads every column and its rows are
// narrowed as they come: csv fields are positional, a record is skipped
// when any of its values fails to decode, and a datagen sequence column
// can end the input.

// readsColumnsAlone lists the connectors whose rows do not depend on the
// columns they are asked for.
var readsColumnsAlone = map[string]bool{"nexmark": true}

// ScanSource reads a bounded source, for a SELECT.
func (e *env) ScanSource(r *planner.SourceRead) func(ctx context.Context, emit func(*vector.Batch) error) error {
	return func(ctx context.Context, emit func(*vector.Batch) error) error { return readBounded(ctx, r, emit) }
}

// openSourceRead opens the connector of the source r reads, for rows of
// the columns r reads.
func openSourceRead(r *planner.SourceRead) (connectors.Source, error) {
	cols := connectorColumns(r.Table)
	if r.Columns == nil {
		return connectors.OpenSource(r.Table.Options, cols)
	}
	if readsColumnsAlone[r.Table.Options["connector"]] {
		asked := make([]connectors.Column, len(r.Columns))
		for i, c := range r.Columns {
			asked[i] = cols[c]
		}
		return connectors.OpenSource(r.Table.Options, asked)
	}
	in, err := connectors.OpenSource(r.Table.Options, cols)
	if err != nil {
		return nil, err
	}
	return &narrowedSource{Source: in, cols: r.Columns}, nil
}

// narrowedSource passes on the rows of a source with only columns cols
// (positions, in order).
type narrowedSource struct {
	connectors.Source
	cols []int
}

func (s *narrowedSource) Read(ctx context.Context, from source.Position, out source.Output) error {
	return s.Source.Read(ctx, from, &narrowedOutput{Output: out, cols: s.cols})
}

// narrowedOutput is the output of a narrowedSource.
type narrowedOutput struct {
	source.Output
	cols []int
}

func (o *narrowedOutput) Emit(c source.Chunk) error {
	if b := c.Rows; b != nil {
		rows := &vector.Batch{Cols: make([]arrow.Array, len(o.cols)), Len: b.Len, Weights: b.Weights}
		for i, k := range o.cols {
			rows.Cols[i] = b.Cols[k]
		}
		c.Rows = rows
	}
	return o.Output.Emit(c)
}
