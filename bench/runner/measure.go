package runner

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/bench"
	"github.com/runneldb/runnel/connectors"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/vector"
)

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// memorySampler records the most memory the Go runtime holds from the OS
// (everything it mapped less what it returned), sampled every 20 ms.
type memorySampler struct {
	peak atomic.Int64
	stop chan struct{}
	done chan struct{}
}

// sampleMemory collects garbage, returns what it can to the OS and starts
// sampling.
func sampleMemory() *memorySampler {
	runtime.GC()
	debug.FreeOSMemory()
	m := &memorySampler{stop: make(chan struct{}), done: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	read := func() {
		metrics.Read(samples)
		held := int64(samples[0].Value.Uint64() - samples[1].Value.Uint64())
		if held > m.peak.Load() {
			m.peak.Store(held)
		}
	}
	read()
	go func() {
		defer close(m.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				read()
			case <-m.stop:
				read()
				return
			}
		}
	}()
	return m
}

// end stops sampling and returns the peak.
func (m *memorySampler) end() int64 {
	close(m.stop)
	<-m.done
	return m.peak.Load()
}

// tableRows is the number of rows of Nexmark table name among the first
// events events: event e is a person when e % 50 = 0, an auction when it
// is 1, 2 or 3, and a bid otherwise.
func tableRows(name string, events int64) int64 {
	per := map[string]int64{"person": 1, "auction": 3, "bid": 46}[name]
	full, rest := events/50, events%50
	n := full * per
	switch name {
	case "person":
		n += min(rest, 1)
	case "auction":
		n += min(max(rest-1, 0), 3)
	default:
		n += max(rest-4, 0)
	}
	return n
}

// columnTypes maps the type names of bench.TableColumns to types.
var columnTypes = map[string]vector.Type{"BIGINT": vector.Int8, "VARCHAR": vector.Text, "TIMESTAMP": vector.Timestamp}

// tableColumns are the columns of Nexmark table name.
func tableColumns(name string) []connectors.Column {
	var cols []connectors.Column
	for _, c := range strings.Split(bench.TableColumns[name], ", ") {
		n, t, _ := strings.Cut(c, " ")
		cols = append(cols, connectors.Column{Name: n, Type: columnTypes[t]})
	}
	return cols
}

// discard is a source output that counts the rows and drops them.
type discard struct{ rows int64 }

func (d *discard) Emit(c source.Chunk) error {
	if c.Rows != nil {
		d.rows += int64(c.Rows.Len)
	}
	return nil
}

func (*discard) Status(string) {}

// measureGenerators measures generating each of tables alone, every
// column, with the stream's partitions.
func measureGenerators(ctx context.Context, s bench.Stream, tables []string) ([]bench.Generator, error) {
	var out []bench.Generator
	for _, t := range tables {
		opts := map[string]string{"connector": "nexmark", "table": t, "events": fmt.Sprint(s.Events),
			"seed": fmt.Sprint(s.Seed), "partitions": fmt.Sprint(max(s.Partitions, 1))}
		src, err := connectors.OpenSource(opts, tableColumns(t))
		if err != nil {
			return nil, err
		}
		var d discard
		c0 := cpuTime()
		if err := src.Read(ctx, nil, &d); err != nil {
			return nil, err
		}
		cpu := (cpuTime() - c0).Seconds()
		if d.rows != tableRows(t, s.Events) {
			return nil, fmt.Errorf("the generator made %d rows of %s, want %d", d.rows, t, tableRows(t, s.Events))
		}
		out = append(out, bench.Generator{Table: t, Rows: d.rows, CPUSeconds: cpu, EventsPerCoreSecond: float64(s.Events) / cpu})
	}
	return out, nil
}

// Exec runs one statement in session s.
func Exec(ctx context.Context, s *runnel.Session, sql string) (*runnel.Result, error) {
	stmts, err := s.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, fmt.Errorf("want one statement, got %d", len(stmts))
	}
	p, err := s.Prepare(stmts[0], nil)
	if err != nil {
		return nil, err
	}
	return s.Execute(ctx, p, nil)
}

// QueryChecksum runs query sql in session s and sums up its rows.
func QueryChecksum(ctx context.Context, s *runnel.Session, sql string) (vector.Checksum, error) {
	var sum vector.Checksum
	res, err := Exec(ctx, s, sql)
	if err != nil {
		return sum, err
	}
	if res.Rows == nil {
		return sum, fmt.Errorf("%q returns no rows", sql)
	}
	defer res.Rows.Close()
	types := make([]vector.Type, len(res.Columns))
	for i, c := range res.Columns {
		types[i] = c.Type
	}
	for {
		b, err := res.Rows.Next(ctx)
		if err != nil {
			return sum, err
		}
		if b == nil {
			return sum, nil
		}
		sum.Add(b, types)
	}
}

// batchChecksum runs q as a SELECT over bounded sources of the same
// stream and sums up its answer.
func batchChecksum(ctx context.Context, cfg Config, q bench.Query) (vector.Checksum, error) {
	d, err := open(ctx, Config{Stream: cfg.Stream, Parallelism: cfg.Parallelism, Dir: cfg.Dir}.withDefaults(), q)
	if err != nil {
		return vector.Checksum{}, err
	}
	defer d.close()
	return QueryChecksum(ctx, d.s, q.SQL)
}
