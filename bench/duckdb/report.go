package main

import (
	"fmt"
	"os"
	"slices"
	"text/tabwriter"

	"github.com/runneldb/runnel/bench"
)

// summaryRow is the medians of the runs of a query with a thread count.
type summaryRow struct {
	query   string
	threads int
	runs    int
	// seconds, eventsPerSecond and eventsPerCoreSecond are medians over
	// the runs; bidsPerSecond is bids / seconds.
	seconds, bidsPerSecond, eventsPerSecond, eventsPerCoreSecond float64
	outputRows                                                   int64
	// checksums are the distinct checksums of the runs: one, when DuckDB
	// is consistent.
	checksums []bench.Checksum
}

// summarize sums up the results of the runs of one query with one thread
// count over a stream of bids bids.
func summarize(results []bench.Result, bids int64) summaryRow {
	r := summaryRow{query: results[0].Query, threads: results[0].Parallelism, runs: len(results),
		outputRows: results[0].OutputRows}
	r.seconds = median(results, func(x bench.Result) float64 { return x.Seconds })
	r.eventsPerSecond = median(results, func(x bench.Result) float64 { return x.EventsPerSecond })
	r.eventsPerCoreSecond = median(results, func(x bench.Result) float64 { return x.EventsPerCoreSecond })
	r.bidsPerSecond = float64(bids) / r.seconds
	for _, x := range results {
		if !slices.ContainsFunc(r.checksums, x.Checksum.Equal) {
			r.checksums = append(r.checksums, x.Checksum)
		}
	}
	return r
}

func (r summaryRow) String() string {
	return fmt.Sprintf("DuckDB %s, %d thread(s), median of %d: %.3f s, %s bids/s, %s events/s, %s events/core·s, %d rows, checksum %v",
		r.query, r.threads, r.runs, r.seconds, si(r.bidsPerSecond), si(r.eventsPerSecond), si(r.eventsPerCoreSecond),
		r.outputRows, r.checksums[0])
}

// median is the median of f over results (the mean of the middle two of
// an even number).
func median(results []bench.Result, f func(bench.Result) float64) float64 {
	vals := make([]float64, len(results))
	for i, r := range results {
		vals[i] = f(r)
	}
	slices.Sort(vals)
	n := len(vals)
	if n%2 == 1 {
		return vals[n/2]
	}
	return (vals[n/2-1] + vals[n/2]) / 2
}

func printSummary(rows []summaryRow) {
	fmt.Println("\nDuckDB batch queries (medians):")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "query\tthreads\tseconds\tbids/s\tevents/s\tevents/core·s\trows\tchecksum\t")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%d\t%.3f\t%s\t%s\t%s\t%d\t%v\t\n", r.query, r.threads, r.seconds, si(r.bidsPerSecond),
			si(r.eventsPerSecond), si(r.eventsPerCoreSecond), r.outputRows, r.checksums[0])
	}
	w.Flush()
}

// checkRuns reports whether the runs of a query disagree (and says so).
func checkRuns(rows []summaryRow) (failed bool) {
	first := map[string]bench.Checksum{}
	for _, r := range rows {
		c, seen := first[r.query]
		if !seen {
			c = r.checksums[0]
			first[r.query] = c
		}
		if len(r.checksums) > 1 || !r.checksums[0].Equal(c) {
			fmt.Printf("MISMATCH: DuckDB's runs of %s disagree: %v with %d threads, %v before\n", r.query, r.checksums, r.threads, c)
			failed = true
		}
	}
	return failed
}

// compare prints runnel's streaming rates as ratios to DuckDB's batch
// rates per query and thread count, checks that runnel's checksums equal
// DuckDB's, marking DuckDB's results that agree, and reports whether any
// differs.
func compare(ours, theirs *bench.Report) (failed bool) {
	fmt.Printf("\nrunnel streaming (%s) vs DuckDB batch, %d events:\n", theirs.Machine, ours.Stream.Events)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "query\trunnel events/s\trunnel events/core·s\tDuckDB threads\tDuckDB events/s\tDuckDB events/core·s\truntime ratio\tper-core ratio\t")
	var notes []string
	for _, q := range queryNames(ours) {
		mine := resultsOf(ours, "duckdb", q)
		runnel := resultsOf(theirs, "runnel", q)
		if len(runnel) == 0 {
			notes = append(notes, fmt.Sprintf("%s: not in runnel's report", q))
			continue
		}
		agree := true
		for _, r := range runnel {
			if !r.Checksum.Equal(mine[0].Checksum) {
				notes = append(notes, fmt.Sprintf("MISMATCH: %s: runnel's checksum %v (parallelism %d), DuckDB's %v",
					q, r.Checksum, r.Parallelism, mine[0].Checksum))
				agree = false
			}
		}
		failed = failed || !agree
		if agree {
			for i := range ours.Results {
				if ours.Results[i].Query == q {
					ours.Results[i].Check = "runnel"
				}
			}
			notes = append(notes, fmt.Sprintf("%s: checksum %v, as runnel's", q, mine[0].Checksum))
		}
		rps := median(runnel, func(x bench.Result) float64 { return x.EventsPerSecond })
		rpc := median(runnel, func(x bench.Result) float64 { return x.EventsPerCoreSecond })
		for _, t := range threadCounts(mine) {
			var byT []bench.Result
			for _, x := range mine {
				if x.Parallelism == t {
					byT = append(byT, x)
				}
			}
			dps := median(byT, func(x bench.Result) float64 { return x.EventsPerSecond })
			dpc := median(byT, func(x bench.Result) float64 { return x.EventsPerCoreSecond })
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%.3f\t%.3f\t\n", q, si(rps), si(rpc), t, si(dps), si(dpc), rps/dps, rpc/dpc)
		}
	}
	w.Flush()
	fmt.Println("(ratios: runnel's rate / DuckDB's; events/core·s is events per CPU second of the process)")
	for _, n := range notes {
		fmt.Println(n)
	}
	return failed
}

// queryNames are the queries of r's results, in order.
func queryNames(r *bench.Report) []string {
	var names []string
	for _, x := range r.Results {
		if !slices.Contains(names, x.Query) {
			names = append(names, x.Query)
		}
	}
	return names
}

// resultsOf are r's results of query q by engine.
func resultsOf(r *bench.Report, engine, q string) []bench.Result {
	var out []bench.Result
	for _, x := range r.Results {
		if x.Engine == engine && x.Query == q {
			out = append(out, x)
		}
	}
	return out
}

// threadCounts are the parallelisms of results, in order.
func threadCounts(results []bench.Result) []int {
	var ts []int
	for _, x := range results {
		if !slices.Contains(ts, x.Parallelism) {
			ts = append(ts, x.Parallelism)
		}
	}
	return ts
}

// si shows a rate with a k/M/G prefix.
func si(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
