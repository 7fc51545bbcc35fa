package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Crash test of windowed pipelines: the server is killed with SIGKILL while
// a writer inserts events slightly out of order, and while pipelines
// checkpoint the windows they close into JSON file sinks. In the end the
// sinks must hold exactly what a run without crashes makes of the committed
// events: each closed window once, with its final aggregates.

// pipeEvent is a row of table ev: seq numbers the events in the order the
// writer inserts them, one statement each, so that commit order is seq
// order. ts is in µs since 1970.
type pipeEvent struct {
	seq  int64
	k    string
	v    int64
	ts   int64
	late bool // set by pipeKept
}

// pipeStream generates the events, the same for a seed whatever happens to
// the server: event i is the i-th the generator makes. Event time runs a
// clock forward by up to 300 ms an event, less up to disorder; one event in
// ten is on the edge of lateness instead: at the largest event time so far
// less delay (on time), or 1 µs before (late, unless the event that made
// that largest time did not commit).
type pipeStream struct {
	rng             *rand.Rand
	clock, maxTS    int64
	delay, disorder int64 // µs
	events          []pipeEvent
}

// pipeBase is the event time of the first event: 2024-01-01 00:00:00 UTC.
var pipeBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

func newPipeStream(seed uint64, delay, disorder time.Duration) *pipeStream {
	return &pipeStream{rng: rand.New(rand.NewPCG(seed, 0x71be)), clock: pipeBase, maxTS: pipeBase,
		delay: delay.Microseconds(), disorder: disorder.Microseconds()}
}

// at returns event seq, generating the events up to it.
func (p *pipeStream) at(seq int64) pipeEvent {
	for int64(len(p.events)) <= seq {
		p.clock += int64(p.rng.IntN(300)) * 1000
		e := pipeEvent{seq: int64(len(p.events)), k: string(rune('a' + p.rng.IntN(4))), v: int64(p.rng.IntN(100))}
		switch p.rng.IntN(20) {
		case 0:
			e.ts = p.maxTS - p.delay
		case 1:
			e.ts = p.maxTS - p.delay - 1
		default:
			e.ts = p.clock - p.rng.Int64N(p.disorder/1000+1)*1000
		}
		p.maxTS = max(p.maxTS, e.ts)
		p.events = append(p.events, e)
	}
	return p.events[seq]
}

// pipeTime renders µs since 1970 as Postgres renders a timestamp.
func pipeTime(us int64) string {
	return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999")
}

// pipeWriter inserts the events of a stream in seq order, one INSERT each.
// acked holds the events the server acknowledged, sent those it was sent
// (acknowledged or not: a statement in flight at a crash may or may not
// have committed).
type pipeWriter struct {
	stream      *pipeStream
	next        int64
	acked, sent map[int64]bool
}

// run inserts events until the server is gone, counting the acknowledged
// ones in acks. An error the server reports fails the test.
func (w *pipeWriter) run(t *testing.T, ctx context.Context, srv *process, acks *atomic.Int64) {
	c, err := pgx.Connect(ctx, srv.url())
	if err != nil {
		return
	}
	defer c.Close(ctx)
	for {
		e := w.stream.at(w.next)
		w.next++
		w.sent[e.seq] = true
		sql := fmt.Sprintf("INSERT INTO ev VALUES (%d, '%s', %d, '%s')", e.seq, e.k, e.v, pipeTime(e.ts))
		if _, err := c.Exec(ctx, sql); err != nil {
			if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) {
				t.Errorf("%s: %v", sql, err)
			}
			return
		}
		w.acked[e.seq] = true
		acks.Add(1)
	}
}

// committed reads ev back and checks it against the writer: every
// acknowledged event is there, every event there was sent, as generated.
// It returns the events in seq order, which is commit order.
func (w *pipeWriter) committed(t *testing.T, ctx context.Context, c *pgx.Conn) []pipeEvent {
	t.Helper()
	rows, err := c.Query(ctx, "SELECT seq, k, v, ts FROM ev ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	var got []pipeEvent
	for rows.Next() {
		var e pipeEvent
		var ts time.Time
		if err := rows.Scan(&e.seq, &e.k, &e.v, &ts); err != nil {
			t.Fatal(err)
		}
		e.ts = ts.UnixMicro()
		got = append(got, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	present := map[int64]bool{}
	for _, e := range got {
		present[e.seq] = true
		if !w.sent[e.seq] {
			t.Errorf("event %d is in ev but was never sent", e.seq)
		} else if want := w.stream.at(e.seq); e != want {
			t.Errorf("event %d is %+v in ev, written as %+v", e.seq, e, want)
		}
	}
	for seq := range w.acked {
		if !present[seq] {
			t.Errorf("acknowledged event %d is missing from ev", seq)
		}
	}
	return got
}

// pipeKept marks the late events of a stream in commit order, as the
// source of a dataflow does: an event is late when its event time is below
// the largest event time of the events before it that were not late, less
// delay. It returns the number of late events and the final watermark.
func pipeKept(events []pipeEvent, delay int64) (late int, watermark int64) {
	maxTS := int64(-1 << 63)
	for i := range events {
		e := &events[i]
		if maxTS != -1<<63 && e.ts < maxTS-delay {
			e.late = true
			late++
			continue
		}
		maxTS = max(maxTS, e.ts)
	}
	return late, maxTS - delay
}

// pipeFloor is the start of the window of size µs aligned to 1970 that
// holds ts (ts ≥ 0).
func pipeFloor(ts, size int64) int64 { return ts - ts%size }

// pipeSink is a pipeline under test: the sink table it writes into, its
// columns, and the rows a crash-free run writes, as rendered by render:
// the columns joined by "|", sorted.
type pipeSink struct {
	table, columns, query string
	want                  func(events []pipeEvent, watermark int64) []string
}

const (
	pipeTumble = 10_000_000 // µs
	pipeSlide  = 5_000_000
	pipeHop    = 15_000_000
)

var pipeSinks = []pipeSink{
	{
		table:   "tumble_out",
		columns: "k TEXT, window_start TIMESTAMP, n BIGINT, s BIGINT",
		query:   "SELECT k, window_start, count(*), sum(v) FROM TUMBLE(ev, ts, INTERVAL '10 seconds') GROUP BY k, window_start",
		want: func(events []pipeEvent, watermark int64) []string {
			type group struct {
				k     string
				start int64
			}
			n, s := map[group]int64{}, map[group]int64{}
			for _, e := range events {
				if g := (group{e.k, pipeFloor(e.ts, pipeTumble)}); !e.late && g.start+pipeTumble <= watermark {
					n[g]++
					s[g] += e.v
				}
			}
			var rows []string
			for g := range n {
				rows = append(rows, fmt.Sprintf("%s|%s|%d|%d", g.k, pipeTime(g.start), n[g], s[g]))
			}
			return rows
		},
	},
	{
		table:   "hop_out",
		columns: "k TEXT, window_start TIMESTAMP, window_end TIMESTAMP, n BIGINT",
		query:   "SELECT k, window_start, window_end, count(*) FROM HOP(ev, ts, INTERVAL '5 seconds', INTERVAL '15 seconds') GROUP BY k, window_start, window_end",
		want: func(events []pipeEvent, watermark int64) []string {
			type group struct {
				k     string
				start int64
			}
			n := map[group]int64{}
			for _, e := range events {
				if e.late {
					continue
				}
				// The windows holding ts start at its slide and the two before.
				for start := pipeFloor(e.ts, pipeSlide); start > e.ts-pipeHop; start -= pipeSlide {
					if start+pipeHop <= watermark {
						n[group{e.k, start}]++
					}
				}
			}
			var rows []string
			for g, c := range n {
				rows = append(rows, fmt.Sprintf("%s|%s|%s|%d", g.k, pipeTime(g.start), pipeTime(g.start+pipeHop), c))
			}
			return rows
		},
	},
}

// pipeReadSink reads the rows of the part files of dir, each rendered as its
// values in the order of columns joined by "|", sorted.
func pipeReadSink(t *testing.T, dir string, columns []string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "part-*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
			dec.UseNumber()
			var rec map[string]any
			if err := dec.Decode(&rec); err != nil {
				t.Fatalf("%s: %q: %v", f, sc.Text(), err)
			}
			vals := make([]string, len(columns))
			for i, c := range columns {
				vals[i] = fmt.Sprint(rec[c])
			}
			if len(rec) != len(columns) {
				t.Errorf("%s: record %q has other fields than %v", f, sc.Text(), columns)
			}
			rows = append(rows, strings.Join(vals, "|"))
		}
	}
	slices.Sort(rows)
	return rows
}

// pipeColumnNames are the names of a column list "name TYPE, …".
func pipeColumnNames(columns string) []string {
	var names []string
	for _, c := range strings.Split(columns, ",") {
		names = append(names, strings.Fields(c)[0])
	}
	return names
}

// TestCrashWindowedPipelines kills the server at random moments while a
// writer inserts out-of-order events into a table with event time, read
// by a tumbling and a hopping window pipeline into JSON file sinks, with
// checkpoints every 20 ms (kills land during checkpoints), every 50 ms or
// never, and a different partition count at each restart. After the last
// restart an event far ahead closes every window; after FLUSH each sink
// must hold exactly the rows computed here from the committed events, with
// the late ones dropped in commit order, and SHOW PIPELINES must count
// those late events.
func TestCrashWindowedPipelines(t *testing.T) {
	tests := []struct {
		name     string
		seed     uint64
		delay    time.Duration // of the watermark
		disorder time.Duration // how far an event's time may be behind the clock
	}{
		{"delay 0s", 1, 0, 2 * time.Second},
		{"delay 5s", 2, 5 * time.Second, 7 * time.Second},
	}
	rounds := []crashRound{
		{"20ms", 2, 200, 40},
		{"1h", 1, 200, 40},
		{"20ms", 3, 200, 40},
		{"50ms", 1, 200, 40},
		{"20ms", 2, 200, 40},
		{"1h", 3, 200, 40},
		{"20ms", 1, 200, 40},
		{"20ms", 2, 200, 40},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			crashPipelines(t, tc.seed, tc.delay, tc.disorder, rounds)
		})
	}
}

func crashPipelines(t *testing.T, seed uint64, delay, disorder time.Duration, rounds []crashRound) {
	ctx := context.Background()
	out := t.TempDir()
	conn, events, late, watermark := crashPipelineRounds(t, seed, delay, disorder, rounds, func() []string {
		var sqls []string
		for _, p := range pipeSinks {
			sqls = append(sqls,
				fmt.Sprintf("CREATE TABLE %s (%s) WITH (connector = 'file', path = '%s', format = 'json', type = 'sink')",
					p.table, p.columns, filepath.Join(out, p.table)),
				fmt.Sprintf("CREATE PIPELINE p_%s AS INSERT INTO %s %s", p.table, p.table, p.query))
		}
		return sqls
	})
	for _, p := range pipeSinks {
		want := p.want(events, watermark)
		if len(want) == 0 {
			t.Fatalf("sink %s: no window closed", p.table)
		}
		slices.Sort(want)
		got := pipeReadSink(t, filepath.Join(out, p.table), pipeColumnNames(p.columns))
		if !slices.Equal(got, want) {
			t.Errorf("sink %s (%s): %d rows, want %d\n%s", p.table, p.query, len(got), len(want), multisetDiff(got, want))
		}
	}
	var want []string
	for _, p := range pipeSinks {
		want = append(want, fmt.Sprintf("p_%s|running|%s|%d", p.table, pipeTime(watermark), late))
	}
	slices.Sort(want)
	var got []string
	for _, row := range queryRows(t, ctx, conn, "SHOW PIPELINES") {
		f := strings.Split(row, "|") // Name, State, Rows In, Rows Out, Watermark, Late Rows, Bad Rows, Lag
		got = append(got, strings.Join([]string{f[0], f[1], f[4], f[5]}, "|"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("SHOW PIPELINES (name, state, watermark, late rows): got %q, want %q", got, want)
	}
}

// crashPipelineRounds creates the table ev (with event time, delay behind)
// and what setup returns (targets and pipelines), then writes events
// through the crash rounds: each round's server is killed at a random time
// after acks writes, and the next one starts. After the last restart an
// event a day ahead closes every window and session, and FLUSH waits for
// the pipelines to write out. It returns a connection to the running
// server (killed at the end of the test), the committed events, how many
// are late and the final watermark.
func crashPipelineRounds(t *testing.T, seed uint64, delay, disorder time.Duration, rounds []crashRound, setup func() []string) (*pgx.Conn, []pipeEvent, int, int64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0xde1a))
	f := newFixture(t)
	flags := func(r crashRound) []string {
		return []string{"--checkpoint-interval", r.interval, "--partitions", fmt.Sprint(r.partitions)}
	}
	srv := f.start(t, flags(rounds[0])...)
	conn := srv.connect(t)
	sqls := append([]string{fmt.Sprintf("CREATE TABLE ev (seq BIGINT PRIMARY KEY, k TEXT, v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '%d seconds')",
		int(delay.Seconds()))}, setup()...)
	for _, sql := range sqls {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	conn.Close(ctx)

	w := &pipeWriter{stream: newPipeStream(seed, delay, disorder), acked: map[int64]bool{}, sent: map[int64]bool{}}
	var acks atomic.Int64
	for i, r := range rounds {
		done := make(chan struct{})
		go func() {
			defer close(done)
			w.run(t, ctx, srv, &acks)
		}()
		for began := time.Now(); acks.Load() < int64(r.acks) && time.Since(began) < 10*time.Second; {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(r.jitter+1)) * time.Millisecond)
		srv.kill()
		<-done
		if n := acks.Swap(0); n == 0 {
			t.Fatalf("round %d: no event was acknowledged before the kill", i)
		}
		srv = f.start(t, flags(rounds[(i+1)%len(rounds)])...)
	}
	t.Cleanup(srv.kill)

	conn = srv.connect(t)
	t.Cleanup(func() { conn.Close(ctx) })
	events := w.committed(t, ctx, conn)
	t.Logf("%d events committed, %d acknowledged", len(events), len(w.acked))
	far := pipeEvent{seq: w.next, k: "z", ts: events[len(events)-1].ts + 24*time.Hour.Microseconds()}
	if _, err := conn.Exec(ctx, fmt.Sprintf("INSERT INTO ev VALUES (%d, '%s', %d, '%s')", far.seq, far.k, far.v, pipeTime(far.ts))); err != nil {
		t.Fatal(err)
	}
	events = append(events, far)
	if _, err := conn.Exec(ctx, "FLUSH"); err != nil {
		t.Fatal(err)
	}
	late, watermark := pipeKept(events, delay.Microseconds())
	t.Logf("%d late", late)
	if late == 0 {
		t.Fatalf("none of %d events is late: the stream does not test the late rule", len(events))
	}
	return conn, events, late, watermark
}
