package runnel

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// readSource feeds source src of rv from the connector of source table t:
// what follows the positions its restored state holds (src.Positions),
// then, for a bounded input, the end of time, which closes every window.
// It reads in the background, slowed by the dataflow (Feed blocks), and
// stops with the dataflow.
func (s *streams) readSource(rv *runningView, src *operators.Node, t *catalog.Table) error {
	in, err := openSourceRead(src.Source.(*planner.SourceRead))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-rv.flow.Failed()
		cancel()
	}()
	out := &dataflowFeed{rv: rv, src: src, name: t.Name}
	from := source.Position(maps.Clone(src.Positions))
	go func() {
		err := in.Read(ctx, from, out)
		if err == nil {
			err = rv.flow.Feed(src, operators.Message{Watermark: &operators.Watermark{T: operators.EndOfTime}})
		}
		if err != nil && ctx.Err() == nil {
			rv.flow.Fail(fmt.Errorf("source \"%s\": %w", t.Name, err))
		}
	}()
	return nil
}

// dataflowFeed is the output of a source read by a running view: each
// chunk goes to the source node with its position.
type dataflowFeed struct {
	rv   *runningView
	src  *operators.Node
	name string
}

func (f *dataflowFeed) Emit(c source.Chunk) error {
	read := time.Now()
	if c.Rows != nil {
		f.rv.in.Add(int64(c.Rows.Len))
	}
	adv := &operators.Advance{Split: c.Split, Next: c.Next, Skipped: c.Skipped}
	if err := f.rv.flow.Feed(f.src, operators.Message{Batch: c.Rows, Advance: adv}); err != nil {
		return err
	}
	if c.Rows != nil {
		// Timed from when it was read, noted once in the source's
		// channel: a barrier sent from now on follows it.
		f.rv.latency.read(read, c.Rows.Len)
	}
	return nil
}

func (f *dataflowFeed) Status(s string) { f.rv.status.set(f.name, s) }

// sourceStatus holds what the sources of a job report they are working
// around (see source.Output.Status), by source.
type sourceStatus struct {
	mu sync.Mutex
	m  map[string]string
}

func (st *sourceStatus) set(name, s string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s == "" {
		delete(st.m, name)
		return
	}
	if st.m == nil {
		st.m = map[string]string{}
	}
	st.m[name] = s
}

// String lists the conditions reported, "" when there is none.
func (st *sourceStatus) String() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(st.m)) {
		parts = append(parts, fmt.Sprintf("source \"%s\": %s", name, st.m[name]))
	}
	return strings.Join(parts, "; ")
}

// readBounded reads the columns r reads of all of bounded source r.Table,
// for a SELECT.
func readBounded(ctx context.Context, r *planner.SourceRead, emit func(*vector.Batch) error) error {
	in, err := openSourceRead(r)
	if err != nil {
		return err
	}
	if !in.Bounded() {
		return vector.Errorf(vector.CodeFeatureNotSupported, "source \"%s\" never ends: read it in a materialized view, a pipeline or a sink", r.Table.Name)
	}
	return in.Read(ctx, nil, batchOutput(emit))
}

// batchOutput is a source output that passes the rows of each chunk to
// emit.
type batchOutput func(*vector.Batch) error

func (o batchOutput) Emit(c source.Chunk) error {
	if c.Rows == nil || c.Rows.Len == 0 {
		return nil
	}
	return o(c.Rows)
}

func (batchOutput) Status(string) {}
