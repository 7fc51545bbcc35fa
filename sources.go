package runnel

import (
	"context"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/connectors"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// readSource feeds source src of rv from the connector of source table t:
// the rows after those its restored state has taken (src.Offset), then the
// end of time, which closes every window. It reads in the background,
// slowed by the dataflow (Feed blocks), and stops with the dataflow.
func (s *streams) readSource(rv *runningView, src *operators.Node, t *catalog.Table) error {
	in, err := connectors.OpenSource(t.Options, connectorColumns(t))
	if err != nil {
		return err
	}
	var skip int64
	if src.Offset != nil {
		skip = src.Offset.Load()
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-rv.flow.Failed()
		cancel()
	}()
	go func() {
		err := in.Read(ctx, skip, func(b *vector.Batch) error {
			rv.in.Add(int64(b.Len))
			return rv.flow.Feed(src, operators.Message{Batch: b})
		})
		if err == nil {
			err = rv.flow.Feed(src, operators.Message{Watermark: &operators.Watermark{T: operators.EndOfTime}})
		}
		if err != nil && ctx.Err() == nil {
			rv.flow.Fail(err)
		}
	}()
	return nil
}
