package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/runneldb/runnel/bench"
)

// jobName is the name of the pipeline (a sink) or view a run creates.
func jobName(q bench.Query) string { return "nexmark_" + q.Name }

// runOnce runs q once in a fresh database and measures it: from the
// statement that starts it until its last output is written out (the
// checkpoint after its sources ended).
func runOnce(ctx context.Context, cfg Config, q bench.Query, run int) (bench.Result, error) {
	cfg = cfg.withDefaults()
	res := bench.Result{Engine: "runnel", Query: q.Name, Run: run, Events: cfg.Stream.Events, Parallelism: cfg.Parallelism}
	d, err := open(ctx, cfg, q)
	if err != nil {
		return res, err
	}
	defer d.close()
	var rowsIn int64 // what the sources hold
	for _, t := range q.Tables {
		rowsIn += tableRows(t, cfg.Stream.Events)
	}
	name := jobName(q)
	create := fmt.Sprintf("CREATE SINK %s AS %s WITH (connector = 'blackhole')", name, q.SQL)
	if cfg.Views {
		create = fmt.Sprintf("CREATE MATERIALIZED VIEW %s AS %s", name, q.SQL)
	}
	cfg.Log.Info("run", "query", q.Name, "run", run, "events", cfg.Stream.Events, "parallelism", cfg.Parallelism)
	stopProfile, err := startProfile(cfg, q, run)
	if err != nil {
		return res, err
	}
	defer stopProfile()
	mem := sampleMemory()
	start, cpu0 := time.Now(), cpuTime()
	if _, err := Exec(ctx, d.s, create); err != nil {
		mem.end()
		return res, err
	}
	in, err := awaitFinished(ctx, cfg, d, q, run, rowsIn)
	if err == nil {
		// A checkpoint begun now writes out the rest.
		_, err = Exec(ctx, d.s, "FLUSH")
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	stopProfile()
	res.PeakMemoryBytes = mem.end()
	if err != nil {
		return res, err
	}
	if in != rowsIn {
		return res, fmt.Errorf("the sources fed %d rows, want %d", in, rowsIn)
	}
	res.Seconds, res.CPUSeconds = elapsed.Seconds(), cpu.Seconds()
	res.EventsPerSecond = float64(res.Events) / res.Seconds
	res.EventsPerCoreSecond = float64(res.Events) / res.CPUSeconds
	if res.StateEntries, res.StateBytes, err = d.s.StateSize("", name); err != nil {
		return res, err
	}
	if cfg.Views {
		res.Checksum, err = QueryChecksum(ctx, d.s, "SELECT * FROM "+name)
		res.OutputRows = res.Checksum.Rows
		return res, err
	}
	st, err := d.s.JobStats("", name)
	if err != nil {
		return res, err
	}
	if st.Checksum == nil {
		return res, fmt.Errorf("the blackhole keeps no checksum")
	}
	res.Checksum, res.OutputRows = *st.Checksum, st.RowsOut
	res.LatencyP50Ms = float64(st.LatencyP50) / float64(time.Millisecond)
	res.LatencyP99Ms = float64(st.LatencyP99) / float64(time.Millisecond)
	return res, nil
}

// awaitFinished waits until the job of q has read all its input and made
// its output of it, reporting progress meanwhile; it returns the rows its
// sources fed.
func awaitFinished(ctx context.Context, cfg Config, d *database, q bench.Query, run int, rowsIn int64) (int64, error) {
	start := time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := d.s.JobStats("", jobName(q))
		if err != nil {
			return 0, err
		}
		if cfg.Progress != nil {
			cfg.Progress(Progress{Query: q.Name, Run: run, Events: cfg.Stream.Events * st.RowsIn / max(rowsIn, 1),
				Total: cfg.Stream.Events, Elapsed: time.Since(start)})
		}
		switch {
		case st.State == "finished":
			return st.RowsIn, nil
		case strings.HasPrefix(st.State, "failed"):
			return 0, fmt.Errorf("%s", st.State)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// startProfile starts the CPU profile of run of q if cfg asks for one,
// and returns what stops it (which may be called more than once).
func startProfile(cfg Config, q bench.Query, run int) (func(), error) {
	if cfg.CPUProfile == "" || run != 1 {
		return func() {}, nil
	}
	path := cfg.CPUProfile
	if len(cfg.Queries) > 1 {
		ext := filepath.Ext(path)
		path = strings.TrimSuffix(path, ext) + "-" + q.Name + ext
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}, nil
}
