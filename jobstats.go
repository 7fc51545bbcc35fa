package runnel

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/runneldb/runnel/vector"
)

// latencyTracker measures how long the rows a job reads from its sources
// take to reach its output: a row read now is written out when the sink
// commits the first checkpoint whose barrier follows it. Rows are noted as
// they are fed (read), in groups by the time they came; a checkpoint
// barrier cuts the groups read so far off under its epoch (cut), and the
// sink's commit of that epoch turns each group into a sample of its age
// (written).
//
// A group fed after a cut but before the barrier reaches the source
// counts towards the next epoch: the measure errs on the long side.
type latencyTracker struct {
	mu      sync.Mutex
	open    []readGroup            // read since the last cut
	byEpoch map[uint64][]readGroup // cut off, not written out yet
	samples []latencySample        // the most recent maxLatencySamples
	next    int                    // where the next sample goes once samples is full
}

// readGroup is rows read at one time.
type readGroup struct {
	at   time.Time
	rows int64
}

// latencySample is rows that took d from being read to being written out.
type latencySample struct {
	d    time.Duration
	rows int64
}

// maxLatencySamples bounds the samples kept: one per batch read, so the
// most recent ones of a long run.
const maxLatencySamples = 1 << 16

// read notes rows read at time at, now fed to the dataflow.
func (l *latencyTracker) read(at time.Time, rows int) {
	l.mu.Lock()
	l.open = append(l.open, readGroup{at: at, rows: int64(rows)})
	l.mu.Unlock()
}

// cut assigns the rows read so far to checkpoint epoch.
func (l *latencyTracker) cut(epoch uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.open) == 0 {
		return
	}
	if l.byEpoch == nil {
		l.byEpoch = map[uint64][]readGroup{}
	}
	l.byEpoch[epoch] = l.open
	l.open = nil
}

// written records that every epoch up to epoch was written out at now.
func (l *latencyTracker) written(epoch uint64, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for e, groups := range l.byEpoch {
		if e > epoch {
			continue
		}
		for _, g := range groups {
			s := latencySample{d: now.Sub(g.at), rows: g.rows}
			if len(l.samples) < maxLatencySamples {
				l.samples = append(l.samples, s)
				continue
			}
			l.samples[l.next] = s
			l.next = (l.next + 1) % maxLatencySamples
		}
		delete(l.byEpoch, e)
	}
}

// quantiles returns, for each q in qs (0 < q ≤ 1), the latency that a
// fraction q of the rows sampled took at most; zeros before any sample.
func (l *latencyTracker) quantiles(qs ...float64) []time.Duration {
	l.mu.Lock()
	samples := slices.Clone(l.samples)
	l.mu.Unlock()
	out := make([]time.Duration, len(qs))
	slices.SortFunc(samples, func(a, b latencySample) int { return int(a.d - b.d) })
	var total int64
	for _, s := range samples {
		total += s.rows
	}
	if total == 0 {
		return out
	}
	for k, q := range qs {
		want := int64(q * float64(total))
		var acc int64
		for _, s := range samples {
			if acc += s.rows; acc >= want {
				out[k] = s.d
				break
			}
		}
	}
	return out
}

// JobStats is what a running pipeline or sink has done so far.
type JobStats struct {
	// State is "running", "finished" or "failed: …", as SHOW PIPELINES
	// says.
	State string
	// RowsIn counts the rows fed to the job's sources.
	RowsIn int64
	// RowsOut counts the changes its sink wrote out (a view: its rows).
	RowsOut int64
	// LatencyP50 and LatencyP99 are quantiles, over the rows read from
	// its sources, of the time from a row's being read to the checkpoint
	// that holds what it led to being written out by the sink.
	LatencyP50, LatencyP99 time.Duration
	// Checksum sums up the changes written out, when the sink keeps one
	// (a blackhole does); nil otherwise.
	Checksum *vector.Checksum
}

// JobStats returns the figures of continuous query name (a materialized
// view, pipeline or sink; schema "" for the search path's first). A
// materialized view has no sink: its RowsOut is the rows it holds, and it
// keeps no latency or checksum.
func (s *Session) JobStats(schema, name string) (JobStats, error) {
	t, err := s.lookupTable(schema, name)
	if err != nil {
		return JobStats{}, err
	}
	if !isJob(t) {
		return JobStats{}, vector.Errorf(vector.CodeWrongObjectType, "\"%s\" is not a materialized view, pipeline or sink", t.Name)
	}
	sm := s.db.streams
	sm.mu.Lock()
	rv, why := sm.views[t.ID], sm.failed[t.ID]
	sm.mu.Unlock()
	if rv == nil {
		return JobStats{State: "failed: " + why}, nil
	}
	st := JobStats{State: rv.state(), RowsIn: rv.in.Load(), RowsOut: rv.view.Len()}
	if rv.sink != nil {
		st.RowsOut = rv.sink.Rows()
		if c, ok := rv.sink.Writer().(interface{ Checksum() vector.Checksum }); ok {
			sum := c.Checksum()
			st.Checksum = &sum
		}
	}
	q := rv.latency.quantiles(0.5, 0.99)
	st.LatencyP50, st.LatencyP99 = q[0], q[1]
	return st, nil
}

// String shows the figures on one line.
func (st JobStats) String() string {
	return fmt.Sprintf("%s: %d rows in, %d out, latency p50 %v p99 %v", st.State, st.RowsIn, st.RowsOut, st.LatencyP50, st.LatencyP99)
}

// StateSize returns the number of state entries continuous query name
// (a materialized view, pipeline or sink) has stored as of its last
// checkpoint, and their bytes, keys included.
func (s *Session) StateSize(schema, name string) (entries, bytes int64, err error) {
	t, err := s.lookupTable(schema, name)
	if err != nil {
		return 0, 0, err
	}
	if !isJob(t) {
		return 0, 0, vector.Errorf(vector.CodeWrongObjectType, "\"%s\" is not a materialized view, pipeline or sink", t.Name)
	}
	err = s.db.store.LoadState(stateID(t.ID), func(key, value []byte) error {
		entries++
		bytes += int64(len(key) + len(value))
		return nil
	})
	return entries, bytes, err
}
