// Package runner runs the Nexmark benchmark on an embedded runnel: each
// query of bench.Queries as a pipeline from the Nexmark generator into a
// blackhole sink (or as a materialized view), measured — events/s, per
// core of CPU time used, latency from a row's being generated to its
// result being written out, peak memory — and checked: the checksum of
// what it wrote must equal that of the batch engine's answer to the same
// query over the same events, or the run fails.
package runner

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/bench"
	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/server"
)

// Config says what to run.
type Config struct {
	Queries []bench.Query
	Stream  bench.Stream
	// Parallelism is the number of partitions of every keyed operator and
	// of the sources (0: the number of CPUs).
	Parallelism int
	// Runs is the number of times each query runs (0: once).
	Runs int
	// Views runs each query as a materialized view instead of a pipeline
	// into a blackhole; its contents are checked at the end.
	Views bool
	// CheckpointInterval is the database's (0: its default, 1 s).
	CheckpointInterval time.Duration
	// Dir holds the data directories of the runs (removed after each);
	// "" for the system's temporary directory.
	Dir string
	// Listen, when set, serves each run's database to Postgres clients on
	// this address while it runs, so that its views can be queried.
	Listen string
	// CPUProfile, when set, is where the CPU profile of each query's first
	// run goes (from its CREATE to its last output written): the file
	// itself for one query, else the file with "-qN" before its extension.
	CPUProfile string
	// Progress, when set, is called about ten times a second during a run.
	Progress func(Progress)
	// Log receives what happens (runs starting, checks passing).
	Log *slog.Logger
}

// Progress is how far a run is.
type Progress struct {
	Query string
	Run   int
	// Events is the number of events read so far, of Total.
	Events, Total int64
	// Elapsed is the time since the run started.
	Elapsed time.Duration
}

// Run runs every query of cfg cfg.Runs times and returns the report. A
// result that differs from the batch engine's is an error (after the
// report so far).
func Run(ctx context.Context, cfg Config) (*bench.Report, error) {
	cfg = cfg.withDefaults()
	rep := &bench.Report{Machine: bench.Machine(), Cores: runtime.NumCPU(), Go: runtime.Version(), Stream: cfg.Stream}
	gens, err := measureGenerators(ctx, cfg.Stream, tablesOf(cfg.Queries))
	if err != nil {
		return nil, err
	}
	rep.Generators = gens
	for _, q := range cfg.Queries {
		want, err := batchChecksum(ctx, cfg, q)
		if err != nil {
			return rep, fmt.Errorf("%s: the batch engine: %w", q.Name, err)
		}
		cfg.Log.Info("batch engine", "query", q.Name, "checksum", want.String())
		for run := 1; run <= cfg.Runs; run++ {
			res, err := runOnce(ctx, cfg, q, run)
			if err != nil {
				return rep, fmt.Errorf("%s run %d: %w", q.Name, run, err)
			}
			if !res.Checksum.Equal(want) {
				rep.Results = append(rep.Results, res)
				return rep, fmt.Errorf("%s run %d: the result (checksum %s) differs from the batch engine's over the same events (%s)",
					q.Name, run, res.Checksum, want)
			}
			res.Check = "equals the batch engine's"
			rep.Results = append(rep.Results, res)
		}
	}
	return rep, nil
}

// withDefaults fills in what cfg leaves to defaults.
func (cfg Config) withDefaults() Config {
	if cfg.Parallelism <= 0 {
		cfg.Parallelism = runtime.NumCPU()
	}
	cfg.Stream.Partitions = cfg.Parallelism
	if cfg.Runs <= 0 {
		cfg.Runs = 1
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// tablesOf lists the tables the queries read, in creation order.
func tablesOf(qs []bench.Query) []string {
	var out []string
	for _, name := range bench.TableNames {
		for _, q := range qs {
			if slices.Contains(q.Tables, name) && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// database is a fresh database for one run, with the Nexmark sources.
type database struct {
	dir  string
	db   *runnel.DB
	s    *runnel.Session
	stop func()
	log  *slog.Logger
}

// open opens a fresh database with the sources of q's tables, served on
// cfg.Listen if set.
func open(ctx context.Context, cfg Config, q bench.Query) (*database, error) {
	dir, err := os.MkdirTemp(cfg.Dir, "runnel-bench-")
	if err != nil {
		return nil, err
	}
	db, err := runnel.Open(filepath.Join(dir, "data"), runnel.Options{Partitions: cfg.Parallelism, CheckpointInterval: cfg.CheckpointInterval})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	d := &database{dir: dir, db: db, stop: func() {}, log: cfg.Log}
	if d.s, err = db.Connect(runnel.ConnParams{User: catalog.BootstrapRoleName, Database: runnel.DatabaseName}); err != nil {
		d.close()
		return nil, err
	}
	for _, t := range tablesOf([]bench.Query{q}) {
		if _, err := Exec(ctx, d.s, bench.SourceDDL(t, cfg.Stream)); err != nil {
			d.close()
			return nil, err
		}
	}
	if cfg.Listen != "" {
		ln, err := net.Listen("tcp", cfg.Listen)
		if err != nil {
			d.close()
			return nil, err
		}
		srv := server.New(db, server.Config{}, cfg.Log)
		go srv.Serve(ln) //nolint:errcheck // ends with Shutdown
		d.stop = func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(ctx) //nolint:errcheck // the run is over
		}
	}
	return d, nil
}

func (d *database) close() {
	d.stop()
	if d.s != nil {
		d.s.Close()
	}
	if err := d.db.Close(); err != nil {
		d.log.Warn("closing the database", "err", err)
	}
	os.RemoveAll(d.dir)
}
