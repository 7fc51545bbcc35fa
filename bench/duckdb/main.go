// Command duckdb runs Nexmark queries of runnel's benchmark (bench.Queries)
// as batch queries in an embedded DuckDB, over the bids runnel's own
// generator makes for the same stream, and compares: each result's
// checksum must equal that of runnel's streaming run, and runnel's
// streaming rate is shown as a ratio to DuckDB's batch rate. It is a module
// of its own so that runnel never links DuckDB.
//
//	go run . [--events N] [--seed S] [--runs R] [--queries q5,q7]
//	         [--threads 1,2] [--runnel runnel.json] [--json duckdb.json]
//
// The bids are loaded into an in-memory table first (not timed); then each
// query runs R times per DuckDB thread count, timed from sending it to
// reading its last row. Rates count the events of the whole stream, as
// runnel's do. With --runnel (a report of `runnel bench nexmark --json`)
// the stream is that report's unless --events or --seed say otherwise (an
// error), and a checksum differing from runnel's makes the exit status 1.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/runneldb/runnel/bench"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "duckdb:", err)
		os.Exit(1)
	}
}

// config is what the flags ask for.
type config struct {
	stream     bench.Stream
	runs       int
	queries    []bench.Query
	threads    []int
	runnelFile string
	jsonFile   string
}

func parseFlags() (*config, error) {
	events := flag.Int64("events", 10_000_000, "events of the Nexmark stream, of every kind")
	seed := flag.Int64("seed", 0, "seed of the stream")
	runs := flag.Int("runs", 5, "runs of each query per thread count (the median is reported)")
	queries := flag.String("queries", "q5,q7", "queries to run, comma-separated")
	threads := flag.String("threads", "", "DuckDB thread counts, comma-separated (default: 1 and the number of cores)")
	runnelFile := flag.String("runnel", "", "JSON report of `runnel bench nexmark --json` to compare with")
	jsonFile := flag.String("json", "", "file to write the report to, as JSON")
	flag.Parse()
	c := &config{runs: *runs, runnelFile: *runnelFile, jsonFile: *jsonFile,
		stream: bench.Stream{Events: *events, Seed: *seed, Partitions: runtime.NumCPU()}}
	if c.runs < 1 {
		return nil, fmt.Errorf("--runs %d: want at least 1", c.runs)
	}
	for _, name := range strings.Split(*queries, ",") {
		q, ok := bench.QueryNamed(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("--queries: no query %q (there are %s)", name, bench.Names(bench.Queries))
		}
		c.queries = append(c.queries, q)
	}
	if *threads == "" {
		c.threads = []int{1}
		if n := runtime.NumCPU(); n > 1 {
			c.threads = append(c.threads, n)
		}
	}
	for _, s := range strings.Split(*threads, ",") {
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--threads: %q is not a positive number", s)
		}
		c.threads = append(c.threads, n)
	}
	return c, nil
}

func run() error {
	c, err := parseFlags()
	if err != nil {
		return err
	}
	var theirs *bench.Report
	if c.runnelFile != "" {
		if theirs, err = readReport(c.runnelFile); err != nil {
			return err
		}
		if err := adoptStream(&c.stream, theirs.Stream); err != nil {
			return err
		}
	}
	ctx := context.Background()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()

	start := time.Now()
	bids, err := loadBids(ctx, conn, c.stream)
	if err != nil {
		return err
	}
	fmt.Printf("DuckDB: %d events (seed %d): %d bids loaded in %.1f s (not timed)\n",
		c.stream.Events, c.stream.Seed, bids, time.Since(start).Seconds())

	ours := &bench.Report{Machine: bench.Machine(), Cores: runtime.NumCPU(), Go: runtime.Version(), Stream: c.stream}
	var rows []summaryRow
	for _, q := range c.queries {
		text, err := duckDBSQL(q)
		if err != nil {
			return err
		}
		for _, t := range c.threads {
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET threads = %d", t)); err != nil {
				return err
			}
			var results []bench.Result
			for run := 1; run <= c.runs; run++ {
				r, err := runQuery(ctx, conn, text)
				if err != nil {
					return fmt.Errorf("%s: %w", q.Name, err)
				}
				results = append(results, duckDBResult(q, c.stream, t, run, r))
			}
			row := summarize(results, bids)
			fmt.Println(row)
			rows = append(rows, row)
			ours.Results = append(ours.Results, results...)
		}
	}
	printSummary(rows)
	failed := checkRuns(rows)
	if theirs != nil {
		failed = compare(ours, theirs) || failed
	}
	if c.jsonFile != "" {
		if err := writeReport(c.jsonFile, ours); err != nil {
			return err
		}
	}
	if failed {
		os.Exit(1)
	}
	return nil
}

// adoptStream makes s the stream of runnel's report (its partitions too,
// though they change no row), unless a flag asked for another (an error:
// the checksums would not compare).
func adoptStream(s *bench.Stream, theirs bench.Stream) error {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["events"] && s.Events != theirs.Events || set["seed"] && s.Seed != theirs.Seed {
		return fmt.Errorf("--events %d --seed %d: runnel's report is of a stream of %d events, seed %d",
			s.Events, s.Seed, theirs.Events, theirs.Seed)
	}
	*s = theirs
	return nil
}

// duckDBResult is the bench.Result of run r, numbered run, of q with t
// threads.
func duckDBResult(q bench.Query, s bench.Stream, t, run int, r *queryRun) bench.Result {
	res := bench.Result{Engine: "duckdb", Query: q.Name, Run: run, Events: s.Events, Parallelism: t,
		Seconds: r.seconds, CPUSeconds: r.cpuSeconds, OutputRows: int64(r.rows.Len), Checksum: r.checksum()}
	res.EventsPerSecond = float64(s.Events) / r.seconds
	if r.cpuSeconds > 0 {
		res.EventsPerCoreSecond = float64(s.Events) / r.cpuSeconds
	}
	return res
}

func readReport(file string) (*bench.Report, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var r bench.Report
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &r, nil
}

func writeReport(file string, r *bench.Report) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(data, '\n'), 0o644)
}
