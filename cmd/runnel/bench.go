package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/runneldb/runnel/bench"
	"github.com/runneldb/runnel/bench/runner"
)

// benchCommand runs `runnel bench nexmark …`.
func benchCommand(args []string) int {
	if len(args) == 0 || args[0] != "nexmark" {
		fmt.Fprintf(os.Stderr, "Usage: runnel bench nexmark [options]\n")
		return 2
	}
	fs := flag.NewFlagSet("bench nexmark", flag.ContinueOnError)
	queries := fs.String("queries", bench.Names(bench.Queries), "the queries to run, comma-separated")
	events := fs.Int64("events", 10_000_000, "events of the Nexmark stream (persons, auctions and bids)")
	parallelism := fs.Int("parallelism", 0, "partitions of the sources and of every keyed operator (default: the number of CPUs)")
	runs := fs.Int("runs", 1, "runs of each query; the summary shows medians")
	seed := fs.Int64("seed", 0, "the stream's seed")
	jsonOut := fs.Bool("json", false, "write the report as JSON on standard output instead of a table")
	output := fs.String("output", "", "also write the report as JSON into this file")
	views := fs.Bool("views", false, "run each query as a materialized view instead of a pipeline into a blackhole")
	listen := fs.String("listen", "", "serve each run's database to Postgres clients on this address while it runs")
	checkpoint := fs.Duration("checkpoint-interval", time.Second, "how often the running query checkpoints")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of each query's first run (the run alone) into this file; with several queries, into the file with -qN before its extension")
	dir := fs.String("dir", "", "where the runs' data directories go (default: the temporary directory)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: runnel bench nexmark [options]\n\n"+
			"Runs Nexmark queries on an embedded runnel, each as a pipeline from the generator into a\n"+
			"blackhole sink, checks every result against the batch engine's over the same events, and\n"+
			"prints events/s, events/s per core used, latency, peak memory and the result's checksum.\n\nOptions:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	var qs []bench.Query
	for _, name := range strings.Split(*queries, ",") {
		q, ok := bench.QueryNamed(strings.TrimSpace(name))
		if !ok {
			fmt.Fprintf(os.Stderr, "runnel bench: no query %q (there are %s)\n", name, bench.Names(bench.Queries))
			return 2
		}
		qs = append(qs, q)
	}
	if *events <= 0 || *runs <= 0 || *parallelism < 0 {
		fmt.Fprintf(os.Stderr, "runnel bench: --events and --runs must be positive, --parallelism not negative\n")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgressBar(os.Stderr)
	cfg := runner.Config{Queries: qs, Stream: bench.Stream{Events: *events, Seed: *seed}, Parallelism: *parallelism,
		Runs: *runs, Views: *views, CheckpointInterval: *checkpoint, Dir: *dir, Listen: *listen, CPUProfile: *cpuProfile, Progress: bar.update,
		Log: slog.New(slog.NewTextHandler(bar, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	rep, err := runner.Run(ctx, cfg)
	bar.finish()
	if rep != nil {
		if *output != "" {
			if werr := writeJSON(*output, rep); werr != nil {
				fmt.Fprintf(os.Stderr, "runnel bench: %v\n", werr)
				return 1
			}
		}
		if *jsonOut {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			enc.Encode(rep) //nolint:errcheck // standard output
		} else {
			printReport(os.Stdout, rep)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "runnel bench: %v\n", err)
		return 1
	}
	return 0
}

func writeJSON(path string, rep *bench.Report) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// printReport prints a line per query: the medians over its runs.
func printReport(w io.Writer, rep *bench.Report) {
	fmt.Fprintf(w, "Nexmark, %d events (seed %d), %s, %s\n", rep.Stream.Events, rep.Stream.Seed, rep.Machine, rep.Go)
	for _, g := range rep.Generators {
		fmt.Fprintf(w, "generator alone, table %s (%d rows, every column): %.0f K events/s per core\n",
			g.Table, g.Rows, g.EventsPerCoreSecond/1e3)
	}
	fmt.Fprintf(w, "\n%-5s %4s %4s %11s %12s %8s %8s %9s %13s %12s  %s\n",
		"query", "runs", "par", "K events/s", "K ev/s/core", "p50 ms", "p99 ms", "peak MiB", "state entries", "output rows", "checksum")
	for _, q := range resultQueries(rep.Results) {
		rs := q.results
		r := rs[0]
		fmt.Fprintf(w, "%-5s %4d %4d %11.0f %12.0f %8.1f %8.1f %9.0f %13s %12d  %s %s\n", r.Query, len(rs), r.Parallelism,
			median(rs, func(r bench.Result) float64 { return r.EventsPerSecond })/1e3,
			median(rs, func(r bench.Result) float64 { return r.EventsPerCoreSecond })/1e3,
			median(rs, func(r bench.Result) float64 { return r.LatencyP50Ms }),
			median(rs, func(r bench.Result) float64 { return r.LatencyP99Ms }),
			median(rs, func(r bench.Result) float64 { return float64(r.PeakMemoryBytes) })/(1<<20),
			stateText(r), r.OutputRows, r.Checksum, checkText(r))
	}
}

// stateText shows the state's entries and their mean size.
func stateText(r bench.Result) string {
	if r.StateEntries == 0 {
		return "0"
	}
	return fmt.Sprintf("%d×%dB", r.StateEntries, r.StateBytes/r.StateEntries)
}

func checkText(r bench.Result) string {
	if r.Check == "" {
		return "(unchecked)"
	}
	return "(" + r.Check + ")"
}

// queryResults are the runs of one query.
type queryResults struct {
	name    string
	results []bench.Result
}

// resultQueries groups results by query, in their order.
func resultQueries(rs []bench.Result) []queryResults {
	var out []queryResults
	for _, r := range rs {
		if len(out) == 0 || out[len(out)-1].name != r.Query {
			out = append(out, queryResults{name: r.Query})
		}
		out[len(out)-1].results = append(out[len(out)-1].results, r)
	}
	return out
}

// median is the median of f over rs (the mean of the middle two for an
// even count).
func median(rs []bench.Result, f func(bench.Result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

// progressBar shows a run's progress: redrawn in place on a terminal, a
// plain line every few seconds otherwise. Log lines written through it
// (it is an io.Writer) do not mix with the bar.
type progressBar struct {
	w        *os.File
	terminal bool
	drawn    bool
	last     time.Time
}

func newProgressBar(w *os.File) *progressBar {
	fi, err := w.Stat()
	return &progressBar{w: w, terminal: err == nil && fi.Mode()&os.ModeCharDevice != 0}
}

func (b *progressBar) update(p runner.Progress) {
	if !b.terminal && time.Since(b.last) < 2*time.Second {
		return // plain lines: one every 2 s
	}
	b.last = time.Now()
	frac := float64(p.Events) / float64(max(p.Total, 1))
	rate, eta := "?", "?"
	if s := p.Elapsed.Seconds(); s >= 0.2 && p.Events > 0 {
		r := float64(p.Events) / s
		rate = fmt.Sprintf("%.0f", r/1e3)
		eta = time.Duration(float64(p.Total-p.Events) / r * float64(time.Second)).Round(time.Second).String()
	}
	line := fmt.Sprintf("%s run %d: %d/%d events (%3.0f%%), %s K events/s, ETA %s",
		p.Query, p.Run, p.Events, p.Total, frac*100, rate, eta)
	if !b.terminal {
		fmt.Fprintln(b.w, line)
		return
	}
	const width = 30
	filled := int(frac * width)
	fmt.Fprintf(b.w, "\r\033[K[%s%s] %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), line)
	b.drawn = true
}

// Write passes a log line through, clearing the bar first.
func (b *progressBar) Write(p []byte) (int, error) {
	b.finish()
	return b.w.Write(p)
}

// finish ends the bar's line.
func (b *progressBar) finish() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
		b.drawn = false
	}
}
