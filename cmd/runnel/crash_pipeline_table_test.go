package main

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Crash test of pipelines into tables and of session windows: the server
// is killed with SIGKILL while a writer inserts events slightly out of
// order (the stream of crash_pipeline_test.go) and pipelines write, a
// checkpoint at a time, into a table without primary key (tumbling
// windows, appended once closed), into a table with a primary key (an
// updating GROUP BY, upserted and deleted by key) and into a JSON file
// (session windows). In the end each target must hold exactly what a run
// without crashes makes of the committed events.

const (
	tableSessionGap = 800_000 // µs: the gap of the session pipeline
	tableModulus    = 7       // tot groups by k and v % tableModulus
)

// tableSession is a session of key k over [start, end).
type tableSession struct {
	k          string
	start, end int64
}

// tableSessions groups the events not late of each key into sessions: in
// time order, an event less than gap after the previous one is in its
// session, which spans [first event time, last event time + gap). It
// returns each session's count of events.
func tableSessions(events []pipeEvent, gap int64) map[tableSession]int64 {
	byKey := map[string][]pipeEvent{}
	for _, e := range events {
		if !e.late {
			byKey[e.k] = append(byKey[e.k], e)
		}
	}
	out := map[tableSession]int64{}
	for k, es := range byKey {
		slices.SortFunc(es, func(a, b pipeEvent) int { return cmp.Compare(a.ts, b.ts) })
		for i := 0; i < len(es); {
			j := i + 1
			for j < len(es) && es[j].ts-es[j-1].ts < gap {
				j++
			}
			out[tableSession{k, es[i].ts, es[j-1].ts + gap}] = int64(j - i)
			i = j
		}
	}
	return out
}

// tableTarget is a pipeline under test: the statements creating its
// target (a file sink writes into dir) and itself, how its output is read
// back (rows rendered as "a|b|…", sorted) and the rows a crash-free run
// writes.
type tableTarget struct {
	name   string
	create func(dir string) []string
	read   func(t *testing.T, ctx context.Context, conn *pgx.Conn, dir string) []string
	want   func(events []pipeEvent, watermark int64) []string
}

// tableTargets are the pipelines of the test. The first reuses the
// tumbling window pipeline of crash_pipeline_test.go, into a table.
func tableTargets() []tableTarget {
	tumble := pipeSinks[slices.IndexFunc(pipeSinks, func(p pipeSink) bool { return p.table == "tumble_out" })]
	return []tableTarget{
		{
			name: "p_tumble",
			create: func(string) []string {
				return []string{
					fmt.Sprintf("CREATE TABLE tumble_out (%s)", tumble.columns),
					"CREATE PIPELINE p_tumble AS INSERT INTO tumble_out " + tumble.query,
				}
			},
			read: func(t *testing.T, ctx context.Context, conn *pgx.Conn, _ string) []string {
				return queryRows(t, ctx, conn, "SELECT "+strings.Join(pipeColumnNames(tumble.columns), ", ")+" FROM tumble_out")
			},
			want: tumble.want,
		},
		{
			name: "p_tot",
			create: func(string) []string {
				return []string{
					"CREATE TABLE tot (k TEXT, r INT, n BIGINT, s BIGINT, PRIMARY KEY (k, r))",
					// HAVING makes groups come and go: their rows are deleted by key.
					fmt.Sprintf("CREATE PIPELINE p_tot AS INSERT INTO tot SELECT k, v %% %d, count(*), sum(v) FROM ev GROUP BY k, v %% %[1]d HAVING count(*) %% 4 <> 0", tableModulus),
				}
			},
			read: func(t *testing.T, ctx context.Context, conn *pgx.Conn, _ string) []string {
				return queryRows(t, ctx, conn, "SELECT k, r, n, s FROM tot")
			},
			want: func(events []pipeEvent, _ int64) []string {
				type group struct {
					k string
					r int64
				}
				n, s := map[group]int64{}, map[group]int64{}
				for _, e := range events {
					if !e.late {
						g := group{e.k, e.v % tableModulus}
						n[g]++
						s[g] += e.v
					}
				}
				var rows []string
				for g, c := range n {
					if c%4 != 0 {
						rows = append(rows, fmt.Sprintf("%s|%d|%d|%d", g.k, g.r, c, s[g]))
					}
				}
				return rows
			},
		},
		{
			name: "p_session",
			create: func(dir string) []string {
				return []string{
					fmt.Sprintf("CREATE TABLE session_out (k TEXT, window_start TIMESTAMP, window_end TIMESTAMP, n BIGINT) WITH (connector = 'file', path = '%s', format = 'json', type = 'sink')", dir),
					fmt.Sprintf("CREATE PIPELINE p_session AS INSERT INTO session_out SELECT k, window_start, window_end, count(*) FROM SESSION(ev, ts, INTERVAL '%d milliseconds') GROUP BY k, window_start, window_end", tableSessionGap/1000),
				}
			},
			read: func(t *testing.T, _ context.Context, _ *pgx.Conn, dir string) []string {
				return pipeReadSink(t, dir, []string{"k", "window_start", "window_end", "n"})
			},
			want: func(events []pipeEvent, watermark int64) []string {
				var rows []string
				for w, n := range tableSessions(events, tableSessionGap) {
					if w.end <= watermark {
						rows = append(rows, fmt.Sprintf("%s|%s|%s|%d", w.k, pipeTime(w.start), pipeTime(w.end), n))
					}
				}
				return rows
			},
		},
	}
}

// TestCrashPipelinesIntoTables kills the server at random moments while a
// writer inserts out-of-order events, read by pipelines into a table
// without primary key (tumbling windows), a table with a primary key (an
// updating GROUP BY with HAVING) and a JSON file (session windows), with
// checkpoints every 10 or 20 ms (kills land during checkpoints and
// between a checkpoint and the write of its output, which the restart
// makes again), every 50 ms or never, and a different partition count at
// each restart. After the last restart an event a day ahead closes
// every window; after FLUSH each target must hold exactly the rows
// computed here from the committed events, the late ones dropped in
// commit order.
func TestCrashPipelinesIntoTables(t *testing.T) {
	const (
		seed     = 3
		delay    = 2 * time.Second
		disorder = 3 * time.Second
	)
	rounds := []crashRound{
		{"20ms", 2, 150, 40},
		{"1h", 1, 150, 40},
		{"20ms", 3, 150, 40},
		{"50ms", 1, 150, 40},
		{"20ms", 2, 150, 40},
		{"20ms", 1, 150, 40},
		{"1h", 3, 150, 40},
		{"20ms", 1, 150, 40},
		{"20ms", 2, 150, 40},
		{"10ms", 3, 150, 40},
		{"20ms", 1, 150, 40},
		{"10ms", 2, 150, 40},
		{"20ms", 3, 150, 40},
		{"10ms", 1, 150, 40},
		{"20ms", 2, 150, 40},
		{"10ms", 2, 150, 40},
	}
	ctx := context.Background()
	out := t.TempDir()
	targets := tableTargets()
	conn, events, late, watermark := crashPipelineRounds(t, seed, delay, disorder, rounds, func() []string {
		var sqls []string
		for _, p := range targets {
			sqls = append(sqls, p.create(filepath.Join(out, p.name))...)
		}
		return sqls
	})
	for _, p := range targets {
		want := p.want(events, watermark)
		if len(want) < 10 {
			t.Fatalf("%s: %d rows expected: too few to test anything", p.name, len(want))
		}
		slices.Sort(want)
		got := p.read(t, ctx, conn, filepath.Join(out, p.name))
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d rows, want %d\n%s", p.name, len(got), len(want), multisetDiff(got, want))
		}
	}
	var want, got []string
	for _, p := range targets {
		want = append(want, fmt.Sprintf("%s|running|%d", p.name, late))
	}
	slices.Sort(want)
	for _, row := range queryRows(t, ctx, conn, "SHOW PIPELINES") {
		f := strings.Split(row, "|") // Name, State, Rows In, Rows Out, Watermark, Late Rows, Bad Rows, Lag
		got = append(got, strings.Join([]string{f[0], f[1], f[5]}, "|"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("SHOW PIPELINES (name, state, late rows): got %q, want %q", got, want)
	}
}
