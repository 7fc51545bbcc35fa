package runnel

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runneldb/runnel/vector"
)

// openEventTime opens the database in dir, with two partitions.
func openEventTime(t *testing.T, dir string) (*DB, *Session) {
	return openDB(t, dir, Options{Partitions: 2})
}

// TestTumbleViews checks a tumbling-window count in both dialects, partial
// and EMIT ON WINDOW CLOSE, and that late rows are dropped, against
// results derived by hand.
func TestTumbleViews(t *testing.T) {
	db, s := openEventTime(t, t.TempDir())
	defer db.Close()
	run(t, s, `CREATE TABLE ev (k TEXT, v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`)
	run(t, s, `CREATE MATERIALIZED VIEW partial AS SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s
		FROM TUMBLE(ev, ts, INTERVAL '10 seconds') GROUP BY k, window_start, window_end`)
	run(t, s, `CREATE MATERIALIZED VIEW final AS SELECT k, window_start, count(*) AS n
		FROM TUMBLE(ev, ts, INTERVAL '10 seconds') GROUP BY k, window_start EMIT ON WINDOW CLOSE`)
	run(t, s, `CREATE MATERIALIZED VIEW arroyo AS SELECT window.start, window.end, n FROM
		(SELECT tumble(INTERVAL '10 seconds') AS window, count(*) AS n FROM ev GROUP BY window)`)
	run(t, s, `INSERT INTO ev VALUES ('a', 1, '2024-01-01 00:00:01'), ('b', 2, '2024-01-01 00:00:03'), ('a', 3, '2024-01-01 00:00:09')`)
	if got := rowsOf(t, s, "SELECT * FROM final"); len(got) != 0 {
		t.Fatalf("final before the window closed: %v", got)
	}
	want := []string{"a|2024-01-01 00:00:00|2024-01-01 00:00:10|2|4", "b|2024-01-01 00:00:00|2024-01-01 00:00:10|1|2"}
	if got := rowsOf(t, s, "SELECT k, window_start::text, window_end::text, n, s FROM partial"); !slices.Equal(got, want) {
		t.Fatalf("partial: got %v, want %v", got, want)
	}
	// ts 16 moves the watermark to 11: window [0, 10) closes. ts 00:00:05
	// is then late (5 < 11) and dropped; 12 is not.
	run(t, s, `INSERT INTO ev VALUES ('a', 1, '2024-01-01 00:00:16')`)
	run(t, s, `INSERT INTO ev VALUES ('b', 1, '2024-01-01 00:00:05'), ('b', 1, '2024-01-01 00:00:12')`)
	want = []string{"a|2024-01-01 00:00:00|2", "b|2024-01-01 00:00:00|1"}
	if got := rowsOf(t, s, "SELECT k, window_start::text, n FROM final"); !slices.Equal(got, want) {
		t.Fatalf("final: got %v, want %v", got, want)
	}
	want = []string{"a|2024-01-01 00:00:00|2024-01-01 00:00:10|2|4", "a|2024-01-01 00:00:10|2024-01-01 00:00:20|1|1",
		"b|2024-01-01 00:00:00|2024-01-01 00:00:10|1|2", "b|2024-01-01 00:00:10|2024-01-01 00:00:20|1|1"}
	if got := rowsOf(t, s, "SELECT k, window_start::text, window_end::text, n, s FROM partial"); !slices.Equal(got, want) {
		t.Fatalf("partial: got %v, want %v", got, want)
	}
	// Each view was fed the 6 rows, dropped the one late row, and is at
	// watermark 16 - 5 = 11 s. partial holds 4 rows, final 2, arroyo 2.
	want = []string{
		"arroyo|running|6|2|2024-01-01 00:00:11|1|0|0",
		"final|running|6|2|2024-01-01 00:00:11|1|0|0",
		"partial|running|6|4|2024-01-01 00:00:11|1|0|0",
	}
	run(t, s, "FLUSH")
	if got := rowsOf(t, s, "SHOW MATERIALIZED VIEWS"); !slices.Equal(got, want) {
		t.Fatalf("SHOW MATERIALIZED VIEWS: got %v, want %v", got, want)
	}
	want = []string{"2024-01-01 00:00:00|2024-01-01 00:00:10|3", "2024-01-01 00:00:10|2024-01-01 00:00:20|2"}
	if got := rowsOf(t, s, "SELECT start::text, \"end\"::text, n FROM arroyo"); !slices.Equal(got, want) {
		t.Fatalf("arroyo: got %v, want %v", got, want)
	}
}

// TestPipelineToFile runs a windowed pipeline into a JSON file sink: only
// closed windows reach it, once each.
func TestPipelineToFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	db, s := openEventTime(t, filepath.Join(dir, "db"))
	defer db.Close()
	run(t, s, `CREATE TABLE ev (k TEXT, ts TIMESTAMP, WATERMARK FOR ts)`)
	run(t, s, `CREATE TABLE counts (k TEXT, window_start TIMESTAMP, n BIGINT) WITH (connector = 'file', path = '`+out+`', format = 'json', type = 'sink')`)
	run(t, s, `CREATE PIPELINE p AS INSERT INTO counts SELECT k, window_start, count(*) FROM TUMBLE(ev, ts, INTERVAL '1 minute') GROUP BY k, window_start`)
	run(t, s, `INSERT INTO ev VALUES ('a', '2024-01-01 00:00:01'), ('a', '2024-01-01 00:00:30'), ('b', '2024-01-01 00:00:59')`)
	run(t, s, `INSERT INTO ev VALUES ('a', '2024-01-01 00:01:01')`)
	run(t, s, "FLUSH")
	var lines []string
	files, _ := filepath.Glob(filepath.Join(out, "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(strings.TrimSpace(string(data)), "\n")...)
	}
	slices.Sort(lines)
	want := []string{`{"k":"a","window_start":"2024-01-01 00:00:00","n":2}`, `{"k":"b","window_start":"2024-01-01 00:00:00","n":1}`}
	if !slices.Equal(lines, want) {
		t.Fatalf("sink files: got %v, want %v", lines, want)
	}
	got := rowsOf(t, s, "SHOW PIPELINES")
	if len(got) != 1 || !strings.HasPrefix(got[0], "p|running|4|2|2024-01-01 00:01:01|0|") {
		t.Fatalf("SHOW PIPELINES: %v", got)
	}
}

// TestFileSourceFinishes reads a bounded JSON file through a windowed
// pipeline into a table: at the end of the file every window closes, the
// table holds every window's final count, and the pipeline is finished.
func TestFileSourceFinishes(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	var lines []string
	// 25 events, one every 5 s from 00:00:00: windows of 1 minute hold
	// 12, 12 and 1 of them.
	for i := range 25 {
		lines = append(lines, fmt.Sprintf(`{"id": %d, "ts": "2024-01-01 00:%02d:%02d"}`, i, i*5/60, i*5%60))
	}
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db, s := openEventTime(t, filepath.Join(dir, "db"))
	defer db.Close()
	run(t, s, `CREATE TABLE events (id INT, ts TIMESTAMP) WITH (connector = 'file', path = '`+in+`', format = 'json', type = 'source', event_time_field = 'ts')`)
	if got := rowsOf(t, s, "SELECT count(*) FROM events"); !slices.Equal(got, []string{"25"}) {
		t.Fatalf("SELECT from the file: %v", got)
	}
	run(t, s, `CREATE TABLE counts (window_start TIMESTAMP, n BIGINT)`)
	run(t, s, `CREATE PIPELINE p AS INSERT INTO counts SELECT window_start, count(*) FROM TUMBLE(events, ts, INTERVAL '1 minute') GROUP BY window_start`)
	eventually(t, func() string {
		if got := rowsOf(t, s, "SHOW PIPELINES"); len(got) != 1 || !strings.HasPrefix(got[0], "p|finished|25|3|infinity|0|0|") {
			return fmt.Sprintf("SHOW PIPELINES: %v", got)
		}
		return ""
	})
	run(t, s, "FLUSH")
	want := []string{"2024-01-01 00:00:00|12", "2024-01-01 00:01:00|12", "2024-01-01 00:02:00|1"}
	if got := rowsOf(t, s, "SELECT window_start::text, n FROM counts"); !slices.Equal(got, want) {
		t.Fatalf("counts: got %v, want %v", got, want)
	}
}

// TestExplainEventTime prints the dataflows of an EMIT ON WINDOW CLOSE view
// and of a pipeline: the operators event time adds, and the state they
// forget.
func TestExplainEventTime(t *testing.T) {
	db, s := openEventTime(t, t.TempDir())
	defer db.Close()
	run(t, s, `CREATE TABLE ev (k TEXT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`)
	run(t, s, `CREATE TABLE counts (k TEXT, n BIGINT)`)
	for _, c := range []struct {
		sql  string
		want []string
	}{
		{`EXPLAIN CREATE MATERIALIZED VIEW v AS SELECT k, window_start, count(*) FROM TUMBLE(ev, ts, INTERVAL '1 minute') GROUP BY k, window_start EMIT ON WINDOW CLOSE`,
			[]string{"Materialize", "  EmitOnWindowClose $1", "    Aggregate", "forgotten when the watermark closes the window", "WindowAssign tumble($1, 1m0s)", "Source public.ev, event time $1 less 5s"}},
		{`EXPLAIN CREATE PIPELINE p AS INSERT INTO counts SELECT k, count(*) FROM ev GROUP BY k`,
			[]string{"Sink into counts", "  Aggregate", "Source public.ev"}},
	} {
		got := strings.Join(rowsOf(t, s, c.sql), "\n")
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: no %q in\n%s", c.sql, w, got)
			}
		}
	}
}

// TestPipelineCycles refuses a pipeline that would feed itself, directly
// or through views and other pipelines.
func TestPipelineCycles(t *testing.T) {
	db, s := openEventTime(t, t.TempDir())
	defer db.Close()
	run(t, s, `CREATE TABLE a (x INT)`)
	run(t, s, `CREATE TABLE b (x INT)`)
	run(t, s, `CREATE TABLE c (x INT)`)
	run(t, s, `CREATE PIPELINE ab AS INSERT INTO b SELECT x FROM a`)
	run(t, s, `CREATE MATERIALIZED VIEW bv AS SELECT x FROM b`)
	run(t, s, `CREATE PIPELINE bc AS INSERT INTO c SELECT x FROM bv`)
	for _, sql := range []string{
		`CREATE PIPELINE aa AS INSERT INTO a SELECT x FROM a`,
		`CREATE PIPELINE ba AS INSERT INTO a SELECT x FROM b`,
		`CREATE PIPELINE ca AS INSERT INTO a SELECT x FROM c`,
		`CREATE PIPELINE cb AS INSERT INTO b SELECT x FROM c`, // b → bv → c
	} {
		wantCode(t, sql, execAll(s, sql), vector.CodeInvalidTableDefinition, "would feed itself")
	}
	run(t, s, `CREATE TABLE d (x INT)`)
	run(t, s, `CREATE PIPELINE cd AS INSERT INTO d SELECT x FROM c`) // nothing leads back from d
}

// TestFailedPipelineStaysFailed: a pipeline that failed after writing
// stays failed across a restart, rather than starting over and writing
// its rows again.
func TestFailedPipelineStaysFailed(t *testing.T) {
	dir := t.TempDir()
	db, s := openEventTime(t, dir)
	run(t, s, `CREATE TABLE src (x INT)`)
	run(t, s, `CREATE TABLE dst (x INT NOT NULL)`)
	run(t, s, `CREATE PIPELINE p AS INSERT INTO dst SELECT x FROM src`)
	run(t, s, `INSERT INTO src VALUES (1), (2)`)
	run(t, s, "FLUSH")
	// A retraction fails the pipeline when written out (dst has no
	// primary key). Started over from src, it would write 2 again.
	run(t, s, `DELETE FROM src WHERE x = 1`)
	jobAwait(t, s, "SHOW PIPELINES", "p", "failed: ")
	run(t, s, "FLUSH") // a checkpoint records the failure
	db.Close()
	db, s = openEventTime(t, dir)
	defer db.Close()
	jobAwait(t, s, "SHOW PIPELINES", "p", "failed: ")
	if got := rowsOf(t, s, "SELECT x FROM dst"); !slices.Equal(got, []string{"1", "2"}) {
		t.Fatalf("dst after the restart: %v", got)
	}
}

// TestWatermarkAcrossViews: a view over a view with event time gets its
// watermark: windows over it close, EMIT ON WINDOW CLOSE shows them.
func TestWatermarkAcrossViews(t *testing.T) {
	db, s := openEventTime(t, t.TempDir())
	defer db.Close()
	run(t, s, `CREATE TABLE ev (k TEXT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '2 seconds')`)
	run(t, s, `CREATE MATERIALIZED VIEW kept AS SELECT k, ts FROM ev WHERE k <> 'x'`)
	run(t, s, `CREATE MATERIALIZED VIEW closed AS SELECT window_start, count(*) AS n
		FROM TUMBLE(kept, ts, INTERVAL '10 seconds') GROUP BY window_start EMIT ON WINDOW CLOSE`)
	run(t, s, `INSERT INTO ev VALUES ('a', '2024-01-01 00:00:01'), ('x', '2024-01-01 00:00:02'), ('b', '2024-01-01 00:00:09')`)
	run(t, s, "FLUSH")
	if got := rowsOf(t, s, "SELECT * FROM closed"); len(got) != 0 {
		t.Fatalf("closed before the watermark passed 00:00:10: %v", got)
	}
	// 00:00:13 moves the watermark to 00:00:11: [0, 10) closes, with a
	// and b (x was filtered out upstream).
	run(t, s, `INSERT INTO ev VALUES ('c', '2024-01-01 00:00:13')`)
	run(t, s, "FLUSH")
	if got := rowsOf(t, s, "SELECT window_start::text, n FROM closed"); !slices.Equal(got, []string{"2024-01-01 00:00:00|2"}) {
		t.Fatalf("closed: %v", got)
	}
}

// TestIdleInputReleasesJoin: in a left window join, outer rows wait for
// both inputs' watermarks; once the right table has been idle for its
// idle_timeout, the left one's watermark alone closes the windows.
func TestIdleInputReleasesJoin(t *testing.T) {
	db, err := Open(t.TempDir(), Options{CheckpointInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		t.Fatal(err)
	}
	run(t, s, `CREATE TABLE l (k INT, ts TIMESTAMP, WATERMARK FOR ts) WITH (idle_timeout = '1 hour')`)
	run(t, s, `CREATE TABLE r (k INT, ts TIMESTAMP, WATERMARK FOR ts) WITH (idle_timeout = '200ms')`)
	run(t, s, `CREATE MATERIALIZED VIEW j AS SELECT a.k, a.window_start, b.k AS rk
		FROM TUMBLE(l, ts, INTERVAL '10 seconds') a LEFT JOIN TUMBLE(r, ts, INTERVAL '10 seconds') b
		ON a.window_start = b.window_start AND a.k = b.k`)
	// l's watermark passes the window [0, 10) at once; r has none yet.
	run(t, s, `INSERT INTO l VALUES (1, '2024-01-01 00:00:01'), (2, '2024-01-01 00:00:20')`)
	want := []string{"1|2024-01-01 00:00:00|NULL"}
	eventually(t, func() string {
		got := rowsOf(t, s, "SELECT k, window_start::text, rk FROM j")
		switch {
		case slices.Equal(got, want):
			return ""
		case len(got) != 0:
			t.Fatalf("j: got %v, want nothing or %v", got, want)
		}
		return "the idle right input holds back the window join"
	})
}

// TestCreateSource: CREATE SOURCE is a table read from its connector, not
// stored; DROP SOURCE drops only sources.
func TestCreateSource(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("1,a\n2,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db, s := openEventTime(t, filepath.Join(dir, "db"))
	defer db.Close()
	run(t, s, `CREATE SOURCE src (id INT, name TEXT) WITH (connector = 'file', path = '`+in+`', format = 'csv')`)
	run(t, s, `CREATE SOURCE IF NOT EXISTS src (id INT, name TEXT) WITH (connector = 'file', path = '`+in+`', format = 'csv')`)
	if got := rowsOf(t, s, "SELECT id, name FROM src"); !slices.Equal(got, []string{"1|a", "2|b"}) {
		t.Fatalf("SELECT from the source: %v", got)
	}
	run(t, s, `CREATE TABLE plain (x INT)`)
	for _, c := range []struct{ sql, code string }{
		{`DROP SOURCE plain`, vector.CodeWrongObjectType},
		{`DROP SOURCE nothing`, vector.CodeUndefinedTable},
		{`CREATE SOURCE bad (x INT)`, vector.CodeInvalidParameterValue},
		{`INSERT INTO src VALUES (3, 'c')`, vector.CodeWrongObjectType},
	} {
		wantCode(t, c.sql, execAll(s, c.sql), c.code, "")
	}
	run(t, s, `DROP SOURCE IF EXISTS nothing`)
	run(t, s, `DROP SOURCE src`)
	if got := rowsOf(t, s, "SELECT count(*) FROM plain"); !slices.Equal(got, []string{"0"}) {
		t.Fatalf("plain: %v", got)
	}
}
