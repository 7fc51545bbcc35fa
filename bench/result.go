package bench

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/runneldb/runnel/vector"
)

// Checksum sums up a result (see vector.Checksum).
type Checksum = vector.Checksum

// Result is what one run of one query measured. Rates count the events of
// the whole stream (persons, auctions and bids), as Nexmark figures do,
// whichever tables the query reads.
type Result struct {
	// Engine is "runnel", or "duckdb" for a batch run of bench/duckdb.
	Engine string `json:"engine"`
	Query  string `json:"query"`
	// Run numbers the repetitions of a query, from 1.
	Run    int   `json:"run"`
	Events int64 `json:"events"`
	// Parallelism is the number of partitions the run used.
	Parallelism int `json:"parallelism"`
	// Seconds is the wall time from the start of the query to the last
	// of its output written (for a batch engine, the query's time).
	Seconds float64 `json:"seconds"`
	// CPUSeconds is the CPU time of the process (user + system) meanwhile.
	CPUSeconds float64 `json:"cpu_seconds"`
	// EventsPerSecond is Events / Seconds.
	EventsPerSecond float64 `json:"events_per_second"`
	// EventsPerCoreSecond is Events / CPUSeconds: the rate per core used,
	// the generator's work included (see Report.Generators for it alone).
	EventsPerCoreSecond float64 `json:"events_per_core_second"`
	// LatencyP50Ms and LatencyP99Ms are the quantiles, over the rows read,
	// of the time from a row's being read from the generator to the
	// output it leads to being written to the sink, in milliseconds.
	LatencyP50Ms float64 `json:"latency_p50_ms,omitempty"`
	LatencyP99Ms float64 `json:"latency_p99_ms,omitempty"`
	// PeakMemoryBytes is the most memory the Go runtime held from the OS
	// during the run (heap and stacks, sampled).
	PeakMemoryBytes int64 `json:"peak_memory_bytes,omitempty"`
	// StateEntries and StateBytes are the query's state as of its last
	// checkpoint: its entries (a group, a row kept by a join, a window's
	// aggregate) and their bytes. Windowed operators forget a window once
	// the watermark passes it, so after the end of input they hold little.
	StateEntries int64 `json:"state_entries"`
	StateBytes   int64 `json:"state_bytes"`
	// OutputRows is the number of changes written to the sink.
	OutputRows int64 `json:"output_rows"`
	// Checksum sums up the result (see Checksum).
	Checksum Checksum `json:"checksum"`
	// Check says how the result was checked: "batch engine" when the batch
	// engine's result over the same events has the same checksum.
	Check string `json:"check,omitempty"`
}

// Report is the output of a run: the machine, the stream and a result per
// query (and per repetition).
type Report struct {
	Machine string   `json:"machine"`
	Cores   int      `json:"cores"`
	Go      string   `json:"go"`
	Stream  Stream   `json:"stream"`
	Results []Result `json:"results"`
	// Generators is what generating each table's rows costs alone.
	Generators []Generator `json:"generators,omitempty"`
}

// Generator is the cost of generating the rows of one Nexmark table of the
// stream, every column of it, with nothing reading them.
type Generator struct {
	Table      string  `json:"table"`
	Rows       int64   `json:"rows"`
	CPUSeconds float64 `json:"cpu_seconds"`
	// EventsPerCoreSecond is the stream's events / CPUSeconds.
	EventsPerCoreSecond float64 `json:"events_per_core_second"`
}

// Machine describes the machine a run is on: its CPU model, CPUs and
// platform.
func Machine() string {
	suffix := fmt.Sprintf("%d CPUs, %s/%s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return suffix
	}
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v) + ", " + suffix
		}
	}
	return suffix
}
