package runnel

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// Tests of pipelines and sinks as SQL uses them: what reaches a file sink
// or a target table after each FLUSH, the refusals, DROP, SHOW, restarts
// and file sources. Every expected row is derived by hand from the
// statements of the test.

// jobParts returns the lines of each part file the file sink writing into
// dir made, in commit order (part files are named by epoch).
func jobParts(t *testing.T, dir string) [][]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "part-*"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	var parts [][]string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"))
	}
	return parts
}

// jobLines returns every line the file sink writing into dir wrote, sorted.
func jobLines(t *testing.T, dir string) []string {
	t.Helper()
	var lines []string
	for _, p := range jobParts(t, dir) {
		lines = append(lines, p...)
	}
	slices.Sort(lines)
	return lines
}

// jobRow returns the fields of the row of job name in show (SHOW
// PIPELINES or SHOW SINKS): Name, State, Rows In, Rows Out, Watermark,
// Late Rows, Bad Rows, Lag; nil when it is not listed.
func jobRow(t *testing.T, s *Session, show, name string) []string {
	t.Helper()
	for _, row := range rowsOf(t, s, show) {
		if f := strings.Split(row, "|"); f[0] == name {
			return f
		}
	}
	return nil
}

// jobAwait waits until the state of job name in show starts with state,
// and returns its row.
func jobAwait(t *testing.T, s *Session, show, name, state string) []string {
	t.Helper()
	var row []string
	eventually(t, func() string {
		if row = jobRow(t, s, show, name); row != nil && strings.HasPrefix(row[1], state) {
			return ""
		}
		return fmt.Sprintf("%s: %s is %q, want state %q", show, name, row, state)
	})
	return row
}

// jobSteps runs each statement followed by FLUSH, so that each is its own
// checkpoint epoch, then calls check with its index.
func jobSteps(t *testing.T, s *Session, steps []string, check func(i int)) {
	t.Helper()
	for i, sql := range steps {
		run(t, s, sql)
		run(t, s, "FLUSH")
		check(i)
	}
}

// TestSinkFromView writes materialized views to file sinks: a view that
// only inserts in json, from its contents at CREATE SINK on; a view that
// updates its rows is refused in json and written as changes in
// debezium_json, one part file per epoch holding the retraction of the old
// row and the insertion of the new one.
func TestSinkFromView(t *testing.T) {
	dir := t.TempDir()
	db, s := openEventTime(t, filepath.Join(dir, "db"))
	defer db.Close()
	run(t, s, `CREATE TABLE t (id INT PRIMARY KEY, k TEXT, v INT)`)
	run(t, s, `CREATE MATERIALIZED VIEW big AS SELECT id, k FROM t WHERE v > 10`)
	run(t, s, `CREATE MATERIALIZED VIEW agg AS SELECT k, count(*) AS n, sum(v) AS s FROM t GROUP BY k`)
	run(t, s, `INSERT INTO t VALUES (1, 'a', 5), (2, 'b', 20)`)
	with := func(name, format string) string {
		return `WITH (connector = 'file', path = '` + filepath.Join(dir, name) + `', format = '` + format + `')`
	}
	run(t, s, `CREATE SINK s_big FROM big `+with("big", "json"))
	run(t, s, `INSERT INTO t VALUES (3, 'c', 30), (4, 'd', 10)`)
	run(t, s, "FLUSH")
	want := []string{`{"id":2,"k":"b"}`, `{"id":3,"k":"c"}`}
	if got := jobLines(t, filepath.Join(dir, "big")); !slices.Equal(got, want) {
		t.Errorf("sink from big: got %q, want %q", got, want)
	}

	_, err := execOne(t, s, `CREATE SINK s_bad FROM agg `+with("bad", "json"))
	wantCode(t, "json sink from an updating view", err, vector.CodeFeatureNotSupported, "updates rows")
	if row := jobRow(t, s, "SHOW SINKS", "s_bad"); row != nil {
		t.Errorf("the refused sink is listed: %q", row)
	}

	run(t, s, `DROP SINK s_big`) // it only appends: the deletions would fail it
	run(t, s, `DELETE FROM t`)
	run(t, s, "FLUSH") // see TestJobStartsAfterSessionWrites
	run(t, s, `CREATE SINK s_dz FROM agg `+with("dz", "debezium_json"))
	const (
		a1  = `{"k":"a","n":1,"s":5}`
		a2  = `{"k":"a","n":2,"s":12}`
		a2b = `{"k":"a","n":2,"s":17}`
		a1b = `{"k":"a","n":1,"s":10}`
	)
	c := func(row string) string { return `{"before":null,"after":` + row + `,"op":"c"}` }
	d := func(row string) string { return `{"before":` + row + `,"after":null,"op":"d"}` }
	steps := []string{
		`INSERT INTO t VALUES (1, 'a', 5)`,
		`INSERT INTO t VALUES (2, 'a', 7)`,
		`UPDATE t SET v = 10 WHERE id = 1`,
		`DELETE FROM t WHERE id = 2`,
		`DELETE FROM t WHERE id = 1`,
	}
	// Each step changes the one group a: its old row goes, its new comes.
	wantParts := [][]string{{c(a1)}, {d(a1), c(a2)}, {d(a2), c(a2b)}, {d(a2b), c(a1b)}, {d(a1b)}}
	jobSteps(t, s, steps, func(i int) {
		if got := jobParts(t, filepath.Join(dir, "dz")); !slices.EqualFunc(got, wantParts[:i+1], slices.Equal) {
			t.Errorf("after %s: debezium parts %q, want %q", steps[i], got, wantParts[:i+1])
		}
	})
	if row := jobRow(t, s, "SHOW SINKS", "s_dz"); row == nil || row[1] != "running" || row[3] != "8" {
		t.Errorf("SHOW SINKS s_dz: %q, want running with 8 rows out", row)
	}
}

// TestJobStartsAfterSessionWrites creates pipelines into a table without
// primary key right after a row was inserted and deleted: each starts from
// the table as the session left it (empty), so it has nothing to retract
// and keeps running, its target empty. Each round is one chance for a job
// that started from an older state to see the deletion and fail.
func TestJobStartsAfterSessionWrites(t *testing.T) {
	db, s := openEventTime(t, t.TempDir())
	defer db.Close()
	run(t, s, `CREATE TABLE t (id INT PRIMARY KEY, k TEXT)`)
	for i := range 40 {
		target, name := fmt.Sprintf("a%d", i), fmt.Sprintf("p%d", i)
		run(t, s, `CREATE TABLE `+target+` (id INT, k TEXT)`)
		run(t, s, `INSERT INTO t VALUES (1, 'x')`)
		run(t, s, `DELETE FROM t`)
		if _, err := execOne(t, s, `CREATE PIPELINE `+name+` AS INSERT INTO `+target+` SELECT id, k FROM t`); err != nil {
			t.Fatalf("round %d: CREATE PIPELINE after INSERT and DELETE: %v", i, err)
		}
		run(t, s, "FLUSH")
		if row := jobRow(t, s, "SHOW PIPELINES", name); row == nil || row[1] != "running" {
			t.Fatalf("round %d: SHOW PIPELINES %q, want running", i, row)
		}
		if got := rowsOf(t, s, "SELECT * FROM "+target); len(got) != 0 {
			t.Fatalf("round %d: %s holds %q, want nothing", i, target, got)
		}
	}
}

// TestSinkEmitOnWindowCloseCSV writes a windowed query with EMIT ON WINDOW
// CLOSE to a csv file: a window reaches the file once the watermark passes
// its end, whole and once; a late event is dropped and counted.
func TestSinkEmitOnWindowCloseCSV(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	db, s := openEventTime(t, filepath.Join(dir, "db"))
	defer db.Close()
	run(t, s, `CREATE TABLE ev (k TEXT, ts TIMESTAMP, WATERMARK FOR ts)`)
	run(t, s, `CREATE SINK s AS SELECT k, window_start, count(*) AS n FROM TUMBLE(ev, ts, INTERVAL '1 minute')
		GROUP BY k, window_start EMIT ON WINDOW CLOSE WITH (connector = 'file', path = '`+out+`', format = 'csv')`)
	first := []string{`"a,""q""",2024-01-01 00:00:00,1`, `a,2024-01-01 00:00:00,2`, `b,2024-01-01 00:00:00,1`}
	steps := []string{
		`INSERT INTO ev VALUES ('a', '2024-01-01 00:00:01'), ('a,"q"', '2024-01-01 00:00:30'), ('a', '2024-01-01 00:00:31'), ('b', '2024-01-01 00:00:59')`,
		// The watermark moves to 00:01:05: the first window closes.
		`INSERT INTO ev VALUES ('a', '2024-01-01 00:01:05')`,
		// 00:00:40 is before the watermark: late.
		`INSERT INTO ev VALUES ('c', '2024-01-01 00:00:40'), ('a', '2024-01-01 00:01:30')`,
		// The watermark reaches the end of the second window: no event of
		// it can come any more.
		`INSERT INTO ev VALUES ('b', '2024-01-01 00:02:00')`,
	}
	wantParts := [][][]string{
		nil,
		{first},
		{first},
		{first, {`a,2024-01-01 00:01:00,2`}},
	}
	jobSteps(t, s, steps, func(i int) {
		got := jobParts(t, out)
		for _, p := range got {
			slices.Sort(p) // the rows of one epoch come in no particular order
		}
		if !slices.EqualFunc(got, wantParts[i], slices.Equal) {
			t.Errorf("after %s: csv parts %q, want %q", steps[i], got, wantParts[i])
		}
	})
	want := []string{"s", "running", "8", "4", "2024-01-01 00:02:00", "1", "0", "0"}
	if got := jobRow(t, s, "SHOW SINKS", "s"); !slices.Equal(got, want) {
		t.Errorf("SHOW SINKS: %q, want %q", got, want)
	}
}

// TestPipelineIntoTables runs a pipeline into a table without primary key,
// which gets the query's rows appended (converted to the column types),
// and one of an updating GROUP BY into a table with a primary key, which
// equals the query's result after every FLUSH: rows upserted and deleted
// by key.
func TestPipelineIntoTables(t *testing.T) {
	db, s := openEventTime(t, t.TempDir())
	defer db.Close()
	run(t, s, `CREATE TABLE log (k TEXT, v INT)`)
	run(t, s, `CREATE TABLE app (k TEXT, v BIGINT)`)
	run(t, s, `CREATE PIPELINE p_app AS INSERT INTO app SELECT k, v FROM log WHERE v > 1`)
	run(t, s, `CREATE TABLE t (id INT PRIMARY KEY, k TEXT, v INT)`)
	run(t, s, `INSERT INTO t VALUES (9, 'z', 4)`)
	run(t, s, `CREATE TABLE tot (k TEXT PRIMARY KEY, n BIGINT, s BIGINT)`)
	run(t, s, `CREATE PIPELINE p_tot AS INSERT INTO tot SELECT k, count(*), sum(v) FROM t GROUP BY k`)

	appSteps := []struct {
		sql  string
		want []string
	}{
		{`INSERT INTO log VALUES ('a', 1), ('b', 2)`, []string{"b|4"}},
		{`INSERT INTO log VALUES ('b', 2), ('c', 2000000000)`, []string{"b|4", "b|4", "c|4000000000"}},
	}
	for _, st := range appSteps {
		run(t, s, st.sql)
		run(t, s, "FLUSH")
		// app.v is bigint: doubling 2000000000 does not overflow.
		if got := rowsOf(t, s, "SELECT k, v * 2 FROM app"); !slices.Equal(got, st.want) {
			t.Errorf("after %s: app %q, want %q", st.sql, got, st.want)
		}
	}

	totSteps := []struct {
		sql  string
		want []string
	}{
		{`DELETE FROM t WHERE id = 9`, nil}, // the row the pipeline started with
		{`INSERT INTO t VALUES (1, 'a', 5), (2, 'a', 7), (3, 'b', 1)`, []string{"a|2|12", "b|1|1"}},
		{`UPDATE t SET v = 10 WHERE id = 1`, []string{"a|2|17", "b|1|1"}},
		{`UPDATE t SET k = 'b' WHERE id = 2`, []string{"a|1|10", "b|2|8"}},
		{`DELETE FROM t WHERE k = 'a'`, []string{"b|2|8"}},
		{`INSERT INTO t VALUES (4, 'a', 3), (5, 'c', NULL)`, []string{"a|1|3", "b|2|8", "c|1|NULL"}},
		{`DELETE FROM t`, nil},
	}
	run(t, s, "FLUSH")
	if got, want := rowsOf(t, s, "SELECT * FROM tot"), []string{"z|1|4"}; !slices.Equal(got, want) {
		t.Errorf("tot at start: %q, want %q", got, want)
	}
	for _, st := range totSteps {
		run(t, s, st.sql)
		run(t, s, "FLUSH")
		got := rowsOf(t, s, "SELECT * FROM tot")
		if !slices.Equal(got, st.want) {
			t.Errorf("after %s: tot %q, want %q", st.sql, got, st.want)
		}
		if q := rowsOf(t, s, "SELECT k, count(*), sum(v) FROM t GROUP BY k"); !slices.Equal(got, q) {
			t.Errorf("after %s: tot %q, its query %q", st.sql, got, q)
		}
	}
	for _, name := range []string{"p_app", "p_tot"} {
		jobAwait(t, s, "SHOW PIPELINES", name, "running")
	}
}

// TestWindowedPipelineIntoAppendTable runs a TUMBLE pipeline without EMIT
// ON WINDOW CLOSE into a table without primary key: the table receives
// each window's final rows once the watermark passes its end, never the
// partial counts a view of the same query shows.
func TestWindowedPipelineIntoAppendTable(t *testing.T) {
	db, s := openEventTime(t, t.TempDir())
	defer db.Close()
	run(t, s, `CREATE TABLE ev (k TEXT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '2 seconds')`)
	run(t, s, `CREATE TABLE wins (k TEXT, ws TIMESTAMP, n BIGINT)`)
	const query = `SELECT k, window_start, count(*) FROM TUMBLE(ev, ts, INTERVAL '10 seconds') GROUP BY k, window_start`
	run(t, s, `CREATE PIPELINE pw AS INSERT INTO wins `+query)
	run(t, s, `CREATE MATERIALIZED VIEW partial AS `+query)
	closed := []string{"a|2024-01-01 00:00:00|3", "b|2024-01-01 00:00:00|1"}
	steps := []struct {
		sql          string
		wins, latest []string // latest: the view
	}{
		// Watermark 00:00:07: the window [0 s, 10 s) is open.
		{`INSERT INTO ev VALUES ('a', '2024-01-01 00:00:01'), ('a', '2024-01-01 00:00:05'), ('b', '2024-01-01 00:00:09')`,
			nil, []string{"a|2024-01-01 00:00:00|2", "b|2024-01-01 00:00:00|1"}},
		// 8 s is not late (the watermark is 7 s when it comes); then 9 s.
		{`INSERT INTO ev VALUES ('a', '2024-01-01 00:00:08'), ('b', '2024-01-01 00:00:11')`,
			nil, []string{"a|2024-01-01 00:00:00|3", "b|2024-01-01 00:00:00|1", "b|2024-01-01 00:00:10|1"}},
		// Watermark 11 s: the first window closes.
		{`INSERT INTO ev VALUES ('a', '2024-01-01 00:00:13')`,
			closed, []string{"a|2024-01-01 00:00:00|3", "a|2024-01-01 00:00:10|1", "b|2024-01-01 00:00:00|1", "b|2024-01-01 00:00:10|1"}},
		// 7 s is late and dropped.
		{`INSERT INTO ev VALUES ('b', '2024-01-01 00:00:07'), ('b', '2024-01-01 00:00:12')`,
			closed, []string{"a|2024-01-01 00:00:00|3", "a|2024-01-01 00:00:10|1", "b|2024-01-01 00:00:00|1", "b|2024-01-01 00:00:10|2"}},
		// Watermark 23 s: the second window closes.
		{`INSERT INTO ev VALUES ('c', '2024-01-01 00:00:25')`,
			append(slices.Clone(closed), "a|2024-01-01 00:00:10|1", "b|2024-01-01 00:00:10|2"),
			[]string{"a|2024-01-01 00:00:00|3", "a|2024-01-01 00:00:10|1", "b|2024-01-01 00:00:00|1", "b|2024-01-01 00:00:10|2", "c|2024-01-01 00:00:20|1"}},
	}
	for _, st := range steps {
		run(t, s, st.sql)
		run(t, s, "FLUSH")
		want := slices.Sorted(slices.Values(st.wins))
		if got := rowsOf(t, s, "SELECT k, ws::text, n FROM wins"); !slices.Equal(got, want) {
			t.Errorf("after %s: wins %q, want %q", st.sql, got, want)
		}
		if got := rowsOf(t, s, "SELECT k, window_start::text, count FROM partial"); !slices.Equal(got, st.latest) {
			t.Errorf("after %s: view %q, want %q", st.sql, got, st.latest)
		}
	}
	// Name, State, Rows In, Rows Out, Watermark, Late Rows (not Lag: the
	// pipeline's own writes are commits it may not have seen yet).
	want := []string{"pw", "running", "9", "4", "2024-01-01 00:00:23", "1"}
	if got := jobRow(t, s, "SHOW PIPELINES", "pw"); len(got) != 8 || !slices.Equal(got[:6], want) {
		t.Errorf("SHOW PIPELINES: %q, want %q", got, want)
	}
}

// TestPipelineColumns runs pipelines with a column list, whose other
// columns are NULL and whose values are converted to the column types, and
// one that violates NOT NULL: it fails, writing nothing of the epoch that
// holds the NULL. Mismatched columns are refused at CREATE.
func TestPipelineColumns(t *testing.T) {
	db, s := openEventTime(t, t.TempDir())
	defer db.Close()
	run(t, s, `CREATE TABLE t (id INT PRIMARY KEY, k TEXT, v INT)`)
	run(t, s, `CREATE TABLE wide (a BIGINT, b TEXT, c INT, d TEXT)`)
	run(t, s, `CREATE TABLE nn (k TEXT, v INT NOT NULL)`)
	run(t, s, `CREATE PIPELINE p_cols AS INSERT INTO wide (b, a) SELECT k, v FROM t`)
	run(t, s, `CREATE PIPELINE p_nn AS INSERT INTO nn SELECT k, v FROM t`)
	for _, c := range []struct{ sql, code, msg string }{
		{`CREATE PIPELINE x AS INSERT INTO wide (c) SELECT k FROM t`, vector.CodeDatatypeMismatch, `column "c" is of type integer but expression is of type text`},
		{`CREATE PIPELINE x AS INSERT INTO wide (a, b) SELECT v FROM t`, vector.CodeSyntaxError, "INSERT has 2 target columns but the query has 1"},
		{`CREATE PIPELINE x AS INSERT INTO wide SELECT v, k, v, k, v FROM t`, vector.CodeSyntaxError, "INSERT has more expressions than target columns"},
		{`CREATE PIPELINE x AS INSERT INTO wide (a, zz) SELECT v, k FROM t`, vector.CodeUndefinedColumn, `column "zz" of relation "wide" does not exist`},
	} {
		_, err := execOne(t, s, c.sql)
		wantCode(t, c.sql, err, c.code, c.msg)
	}

	run(t, s, `INSERT INTO t VALUES (1, 'x', 5), (2, NULL, 2000000000)`)
	run(t, s, "FLUSH")
	want := []string{"2000000000|NULL|NULL|NULL", "5|x|NULL|NULL"}
	if got := rowsOf(t, s, "SELECT * FROM wide"); !slices.Equal(got, want) {
		t.Errorf("wide: %q, want %q", got, want)
	}
	// a is bigint: 2000000000 * 10 does not overflow.
	want = []string{"20000000000", "50"}
	if got := rowsOf(t, s, "SELECT a * 10 FROM wide"); !slices.Equal(got, want) {
		t.Errorf("a * 10: %q, want %q", got, want)
	}
	jobAwait(t, s, "SHOW PIPELINES", "p_nn", "running")

	run(t, s, `INSERT INTO t VALUES (3, 'y', NULL), (4, 'z', 4)`)
	run(t, s, "FLUSH")
	row := jobAwait(t, s, "SHOW PIPELINES", "p_nn", "failed")
	if !strings.Contains(row[1], `null value in column "v" of relation "nn" violates not-null constraint`) {
		t.Errorf("p_nn state %q does not name the violation", row[1])
	}
	want = []string{"NULL|2000000000", "x|5"}
	if got := rowsOf(t, s, "SELECT * FROM nn"); !slices.Equal(got, want) {
		t.Errorf("nn: %q, want the rows before the violation only, %q", got, want)
	}
	jobAwait(t, s, "SHOW PIPELINES", "p_cols", "running")
}

// TestPipelineGeneratedColumn runs a pipeline into a table with a stored
// generated column: as for INSERT, the column is computed from the row
// written, and a pipeline that lists it is refused (428C9).
func TestPipelineGeneratedColumn(t *testing.T) {
	db, s := openEventTime(t, t.TempDir())
	defer db.Close()
	run(t, s, `CREATE TABLE t (id INT PRIMARY KEY, v INT)`)
	run(t, s, `CREATE TABLE gen (v INT, w INT GENERATED ALWAYS AS (v * 2) STORED)`)
	_, err := execOne(t, s, `CREATE PIPELINE x AS INSERT INTO gen SELECT v, v FROM t`)
	wantCode(t, "a pipeline writing a generated column", err, "428C9", `cannot insert a non-DEFAULT value into column "w"`)
	run(t, s, `CREATE PIPELINE p AS INSERT INTO gen (v) SELECT v FROM t`)
	run(t, s, `INSERT INTO t VALUES (1, 5), (2, NULL)`)
	run(t, s, "FLUSH")
	want := []string{"5|10", "NULL|NULL"}
	if got := rowsOf(t, s, "SELECT v, w FROM gen"); !slices.Equal(got, want) {
		t.Errorf("gen: %q, want %q", got, want)
	}
}

// TestJobErrors checks the refusals of CREATE PIPELINE, CREATE SINK, DROP
// and SHOW CREATE: each SQLSTATE and message, and that nothing is created.
func TestJobErrors(t *testing.T) {
	dir := t.TempDir()
	db, s := openEventTime(t, filepath.Join(dir, "db"))
	defer db.Close()
	out := filepath.Join(dir, "out")
	for _, sql := range []string{
		`CREATE TABLE t (id INT PRIMARY KEY, k TEXT, v INT)`,
		`CREATE TABLE app (k TEXT, v INT)`,
		`CREATE MATERIALIZED VIEW mv AS SELECT k, v FROM t`,
		`CREATE VIEW pv AS SELECT k, v FROM t`,
		`CREATE TABLE snk (k TEXT, n BIGINT) WITH (connector = 'file', path = '` + out + `', format = 'json', type = 'sink')`,
		`CREATE PIPELINE p AS INSERT INTO app SELECT k, v FROM t`,
	} {
		run(t, s, sql)
	}
	for _, c := range []struct{ sql, code, msg string }{
		{`CREATE PIPELINE x AS INSERT INTO t SELECT id + 100, k, v FROM t`, vector.CodeInvalidTableDefinition, `pipeline "x" would feed itself`},
		{`CREATE PIPELINE x AS INSERT INTO mv SELECT k, v FROM t`, vector.CodeWrongObjectType, `cannot insert into materialized view "mv"`},
		{`CREATE PIPELINE x AS INSERT INTO pv SELECT k, v FROM t`, vector.CodeWrongObjectType, `cannot insert into view "pv"`},
		{`CREATE PIPELINE x AS INSERT INTO nosuch SELECT k, v FROM t`, vector.CodeUndefinedTable, `relation "nosuch" does not exist`},
		{`CREATE PIPELINE x AS INSERT INTO app SELECT k, v FROM nosuch`, vector.CodeUndefinedTable, `relation "nosuch" does not exist`},
		{`CREATE PIPELINE x AS INSERT INTO app SELECT k, n::int FROM snk`, vector.CodeWrongObjectType, `cannot read from sink "snk"`},
		{`CREATE PIPELINE x AS INSERT INTO snk SELECT k, count(*) FROM t GROUP BY k`, vector.CodeFeatureNotSupported, `the query of pipeline "x" updates rows it has output`},
		{`CREATE PIPELINE p AS INSERT INTO app SELECT k, v FROM t`, vector.CodeDuplicateTable, `relation "p" already exists`},
		{`CREATE PIPELINE x AS SELECT k FROM t`, vector.CodeSyntaxError, "a pipeline is INSERT INTO table [(columns)] SELECT"},
		{`CREATE PIPELINE x AS INSERT INTO app SELECT k, v FROM t ON CONFLICT DO NOTHING`, vector.CodeSyntaxError, "a pipeline is INSERT INTO table [(columns)] SELECT"},
		{`CREATE PIPELINE x INSERT INTO app SELECT k, v FROM t`, vector.CodeSyntaxError, "expected CREATE PIPELINE name AS INSERT INTO"},
		{`CREATE SINK x AS SELECT k FROM t`, vector.CodeSyntaxError, "a sink needs WITH (connector = …)"},
		{`CREATE SINK x FROM mv`, vector.CodeSyntaxError, "a sink needs WITH (connector = …)"},
		{`CREATE SINK x AS SELECT k FROM t WITH (connector = 'nexmark')`, vector.CodeInvalidParameterValue, `sink connector "nexmark" does not exist (sink connectors: blackhole, file, kafka)`},
		{`CREATE SINK x AS SELECT k FROM t WITH (path = '/tmp')`, vector.CodeInvalidParameterValue, `missing required option "connector"`},
		{`CREATE SINK x AS SELECT k FROM t WITH (connector = 'file', format = 'json')`, vector.CodeInvalidParameterValue, `connector "file" requires option "path"`},
		{`CREATE SINK x AS SELECT k FROM t WITH (connector = 'file', path = '` + out + `', format = 'xml')`, vector.CodeInvalidParameterValue, `format "xml" does not exist`},
		{`CREATE SINK x AS SELECT k FROM t WITH (connector = 'blackhole', colour = 'red')`, vector.CodeInvalidParameterValue, `unrecognized option "colour" for connector "blackhole"`},
		{`CREATE SINK x FROM nosuch WITH (connector = 'blackhole')`, vector.CodeUndefinedTable, `relation "nosuch" does not exist`},
		{`CREATE SINK x AS SELECT k, count(*) FROM t GROUP BY k WITH (connector = 'file', path = '` + out + `', format = 'csv')`, vector.CodeFeatureNotSupported, `the query of sink "x" updates rows it has output`},
		{`CREATE SINK p AS SELECT k FROM t WITH (connector = 'blackhole')`, vector.CodeDuplicateTable, `relation "p" already exists`},
		{`DROP PIPELINE nosuch`, vector.CodeUndefinedTable, `pipeline "nosuch" does not exist`},
		{`DROP SINK nosuch`, vector.CodeUndefinedTable, `sink "nosuch" does not exist`},
		{`DROP SINK p`, vector.CodeWrongObjectType, `"p" is not a sink`},
		{`DROP PIPELINE app`, vector.CodeWrongObjectType, `"app" is not a pipeline`},
		{`DROP PIPELINE p q`, vector.CodeSyntaxError, `syntax error at or near "q"`},
		{`SHOW CREATE SINK p`, vector.CodeWrongObjectType, `"p" is not a sink`},
		{`SHOW CREATE PIPELINE nosuch`, vector.CodeUndefinedTable, `relation "nosuch" does not exist`},
	} {
		_, err := execOne(t, s, c.sql)
		wantCode(t, c.sql, err, c.code, c.msg)
	}
	if got := rowsOf(t, s, "SHOW PIPELINES"); len(got) != 1 || !strings.HasPrefix(got[0], "p|") {
		t.Errorf("SHOW PIPELINES after the refusals: %q, want p alone", got)
	}
	if got := rowsOf(t, s, "SHOW SINKS"); len(got) != 0 {
		t.Errorf("SHOW SINKS after the refusals: %q, want none", got)
	}
	for _, sql := range []string{`DROP PIPELINE IF EXISTS nosuch`, `DROP SINK IF EXISTS nosuch`} {
		res, err := execOne(t, s, sql)
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		if len(res.Notices) != 1 || !strings.Contains(res.Notices[0].Message, `"nosuch" does not exist, skipping`) {
			t.Errorf("%s: notices %v, want one saying it skips", sql, res.Notices)
		}
	}
}

// TestDropJobs drops pipelines and sinks, directly and by dropping what
// they read or write: without CASCADE that is refused (2BP01), with it the
// job goes, and a dropped job writes nothing more.
func TestDropJobs(t *testing.T) {
	dir := t.TempDir()
	db, s := openEventTime(t, filepath.Join(dir, "db"))
	defer db.Close()
	for _, sql := range []string{
		`CREATE TABLE t (id INT PRIMARY KEY, k TEXT, v INT)`,
		`CREATE TABLE app (k TEXT, v INT)`,
		`CREATE TABLE app2 (k TEXT, v INT)`,
		`CREATE MATERIALIZED VIEW mv AS SELECT k, v FROM t WHERE v > 0`,
		`CREATE PIPELINE p AS INSERT INTO app SELECT k, v FROM t`,
		`CREATE PIPELINE p2 AS INSERT INTO app2 SELECT k, v FROM t`,
		`CREATE SINK s AS SELECT k, v FROM t WITH (connector = 'blackhole')`,
		`CREATE SINK s_mv FROM mv WITH (connector = 'file', path = '` + filepath.Join(dir, "mv") + `', format = 'json')`,
		`INSERT INTO t VALUES (1, 'a', 1)`,
		`FLUSH`,
	} {
		run(t, s, sql)
	}
	for _, c := range []struct{ sql, msg string }{
		{`DROP TABLE app`, "cannot drop table app because other objects depend on it"},
		{`DROP TABLE t`, "cannot drop table t because other objects depend on it"},
		{`DROP MATERIALIZED VIEW mv`, "cannot drop materialized view mv because other objects depend on it"},
	} {
		_, err := execOne(t, s, c.sql)
		wantCode(t, c.sql, err, vector.CodeDependentObjectsStillExist, c.msg)
	}
	run(t, s, `DROP TABLE app CASCADE`)
	run(t, s, `DROP PIPELINE p2`)
	run(t, s, `DROP MATERIALIZED VIEW mv CASCADE`)
	run(t, s, `DROP SINK s`)
	run(t, s, `INSERT INTO t VALUES (2, 'b', 2)`)
	run(t, s, `FLUSH`)
	for _, show := range []string{"SHOW PIPELINES", "SHOW SINKS"} {
		if got := rowsOf(t, s, show); len(got) != 0 {
			t.Errorf("%s after the drops: %q", show, got)
		}
	}
	if got, want := rowsOf(t, s, "SELECT * FROM app2"), []string{"a|1"}; !slices.Equal(got, want) {
		t.Errorf("app2 after DROP PIPELINE p2: %q, want %q", got, want)
	}
	if got, want := jobLines(t, filepath.Join(dir, "mv")), []string{`{"k":"a","v":1}`}; !slices.Equal(got, want) {
		t.Errorf("sink of mv after DROP … CASCADE: %q, want %q", got, want)
	}
	run(t, s, `DROP TABLE t`)
}

// TestShowJobs checks SHOW CREATE PIPELINE | SINK against statements
// written by hand, and that each shown statement, executed after the job
// is dropped, makes a job with the same SHOW CREATE that works; and the
// columns of SHOW PIPELINES and SHOW SINKS.
func TestShowJobs(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	db, s := openEventTime(t, filepath.Join(dir, "db"))
	defer db.Close()
	for _, sql := range []string{
		`CREATE TABLE t (id INT PRIMARY KEY, k TEXT, v INT)`,
		`CREATE TABLE ev (k TEXT, ts TIMESTAMP, WATERMARK FOR ts)`,
		`CREATE TABLE wide (a BIGINT, b TEXT)`,
		`CREATE TABLE wins (k TEXT, ws TIMESTAMP, n BIGINT)`,
		`CREATE MATERIALIZED VIEW mv AS SELECT k, v FROM t`,
	} {
		run(t, s, sql)
	}
	jobs := []struct {
		kind, name, create, shown string
	}{
		{"PIPELINE", "p_cols", `CREATE PIPELINE p_cols AS INSERT INTO wide (b, a) SELECT k, v FROM t WHERE v > 1`,
			`CREATE PIPELINE public.p_cols AS INSERT INTO public.wide (b, a) SELECT k, v FROM t WHERE v > 1`},
		{"PIPELINE", "p_win", `CREATE PIPELINE p_win AS INSERT INTO wins SELECT k, window_start, count(*) FROM TUMBLE(ev, ts, INTERVAL '1 minute') GROUP BY k, window_start EMIT ON WINDOW CLOSE`, ""},
		{"SINK", "s_mv", `CREATE SINK s_mv FROM mv WITH (connector = 'file', path = '` + out + `', format = 'json')`,
			`CREATE SINK public.s_mv AS SELECT * FROM public.mv WITH (connector = 'file', format = 'json', path = '` + out + `')`},
		{"SINK", "s_bh", `CREATE SINK s_bh AS SELECT k, sum(v) AS total FROM t GROUP BY k WITH (connector = 'blackhole')`,
			`CREATE SINK public.s_bh AS SELECT k, sum(v) AS total FROM t GROUP BY k WITH (connector = 'blackhole')`},
	}
	shown := map[string]string{}
	for _, j := range jobs {
		run(t, s, j.create)
		rows := rowsOf(t, s, "SHOW CREATE "+j.kind+" "+j.name)
		name, sql, _ := strings.Cut(rows[0], "|")
		if len(rows) != 1 || name != "public."+j.name {
			t.Fatalf("SHOW CREATE %s %s: %q", j.kind, j.name, rows)
		}
		if j.shown != "" && sql != j.shown {
			t.Errorf("SHOW CREATE %s %s:\n got %s\nwant %s", j.kind, j.name, sql, j.shown)
		}
		shown[j.name] = sql
	}
	for _, j := range jobs {
		run(t, s, "DROP "+j.kind+" "+j.name)
		if _, err := execOne(t, s, shown[j.name]); err != nil {
			t.Errorf("%s: %v", shown[j.name], err)
			continue
		}
		if got := rowsOf(t, s, "SHOW CREATE "+j.kind+" "+j.name); len(got) != 1 || got[0] != "public."+j.name+"|"+shown[j.name] {
			t.Errorf("SHOW CREATE %s %s after recreating it: %q, want %q", j.kind, j.name, got, shown[j.name])
		}
	}
	run(t, s, `INSERT INTO t VALUES (1, 'a', 5), (2, 'a', 1)`)
	run(t, s, `INSERT INTO ev VALUES ('a', '2024-01-01 00:00:10'), ('a', '2024-01-01 00:01:10')`)
	run(t, s, "FLUSH")
	checks := []struct{ sql, want string }{
		{"SELECT a, b FROM wide", "5|a"},
		{"SELECT k, ws::text, n FROM wins", "a|2024-01-01 00:00:00|1"},
	}
	for _, c := range checks {
		if got := rowsOf(t, s, c.sql); !slices.Equal(got, []string{c.want}) {
			t.Errorf("%s from the recreated jobs: %q, want %q", c.sql, got, c.want)
		}
	}
	if got, want := jobLines(t, out), []string{`{"k":"a","v":1}`, `{"k":"a","v":5}`}; !slices.Equal(got, want) {
		t.Errorf("recreated sink s_mv: %q, want %q", got, want)
	}

	cols := []string{"Name", "State", "Rows In", "Rows Out", "Watermark", "Late Rows", "Bad Rows", "Lag"}
	for _, show := range []string{"SHOW PIPELINES", "SHOW SINKS"} {
		res := run(t, s, show)
		res.Rows.Close()
		var got []string
		for _, c := range res.Columns {
			got = append(got, c.Name)
		}
		if !slices.Equal(got, cols) {
			t.Errorf("%s columns: %q, want %q", show, got, cols)
		}
	}
	// Without Lag: the pipelines' writes are commits the sinks may not
	// have seen yet.
	for _, want := range [][]string{{"s_bh", "running", "2", "1", "NULL", "0"}, {"s_mv", "running", "2", "2", "NULL", "0"}} {
		if got := jobRow(t, s, "SHOW SINKS", want[0]); len(got) != 8 || !slices.Equal(got[:6], want) {
			t.Errorf("SHOW SINKS: %q, want %q", got, want)
		}
	}
}

// TestJobsRestart closes and reopens the database between writes: the
// pipelines (into tables with and without primary key) and the file sinks
// (json, and csv with EMIT ON WINDOW CLOSE, whose open window survives)
// resume where they were, write nothing twice, and are listed again.
func TestJobsRestart(t *testing.T) {
	dir := t.TempDir()
	dbDir := filepath.Join(dir, "db")
	db, s := openEventTime(t, dbDir)
	for _, sql := range []string{
		`CREATE TABLE t (id INT PRIMARY KEY, k TEXT)`,
		`CREATE TABLE log (k TEXT, v INT)`,
		`CREATE TABLE ev (k TEXT, ts TIMESTAMP, WATERMARK FOR ts)`,
		`CREATE TABLE tot (k TEXT PRIMARY KEY, n BIGINT)`,
		`CREATE TABLE app (k TEXT, v INT)`,
		`CREATE PIPELINE p_tot AS INSERT INTO tot SELECT k, count(*) FROM t GROUP BY k`,
		`CREATE PIPELINE p_app AS INSERT INTO app SELECT k, v FROM log`,
		`CREATE SINK s_log AS SELECT k, v FROM log WITH (connector = 'file', path = '` + filepath.Join(dir, "log") + `', format = 'json')`,
		`CREATE SINK s_win AS SELECT k, window_start, count(*) FROM TUMBLE(ev, ts, INTERVAL '1 minute') GROUP BY k, window_start EMIT ON WINDOW CLOSE
			WITH (connector = 'file', path = '` + filepath.Join(dir, "win") + `', format = 'csv')`,
	} {
		run(t, s, sql)
	}
	type state struct{ tot, app, log, win []string }
	check := func(when string, want state) {
		t.Helper()
		got := state{rowsOf(t, s, "SELECT * FROM tot"), rowsOf(t, s, "SELECT * FROM app"),
			jobLines(t, filepath.Join(dir, "log")), jobLines(t, filepath.Join(dir, "win"))}
		if !slices.Equal(got.tot, want.tot) || !slices.Equal(got.app, want.app) || !slices.Equal(got.log, want.log) || !slices.Equal(got.win, want.win) {
			t.Errorf("%s:\n got %q\nwant %q", when, got, want)
		}
		for show, names := range map[string][]string{"SHOW PIPELINES": {"p_app", "p_tot"}, "SHOW SINKS": {"s_log", "s_win"}} {
			for _, name := range names {
				if row := jobRow(t, s, show, name); row == nil || row[1] != "running" {
					t.Errorf("%s: %s %q, want running", when, show, row)
				}
			}
		}
	}
	reopen := func() {
		t.Helper()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db, s = openEventTime(t, dbDir)
		run(t, s, "FLUSH")
	}
	defer func() { db.Close() }()

	for _, sql := range []string{
		`INSERT INTO t VALUES (1, 'a'), (2, 'b')`,
		`INSERT INTO log VALUES ('x', 1), ('y', 2)`,
		// The second event closes the first window; its own stays open.
		`INSERT INTO ev VALUES ('a', '2024-01-01 00:00:01'), ('a', '2024-01-01 00:01:05')`,
		`FLUSH`,
	} {
		run(t, s, sql)
	}
	first := state{
		tot: []string{"a|1", "b|1"},
		app: []string{"x|1", "y|2"},
		log: []string{`{"k":"x","v":1}`, `{"k":"y","v":2}`},
		win: []string{"a,2024-01-01 00:00:00,1"},
	}
	check("before the restart", first)
	reopen()
	check("after the restart", first)
	for _, sql := range []string{
		`INSERT INTO t VALUES (3, 'a')`,
		`DELETE FROM t WHERE id = 2`,
		`INSERT INTO log VALUES ('z', 3)`,
		`INSERT INTO ev VALUES ('b', '2024-01-01 00:02:10')`,
		`FLUSH`,
	} {
		run(t, s, sql)
	}
	second := state{
		tot: []string{"a|2"},
		app: []string{"x|1", "y|2", "z|3"},
		log: []string{`{"k":"x","v":1}`, `{"k":"y","v":2}`, `{"k":"z","v":3}`},
		win: []string{"a,2024-01-01 00:00:00,1", "a,2024-01-01 00:01:00,1"},
	}
	check("after writes since the restart", second)
	reopen()
	check("after a second restart", second)
}

// TestBlackholeSink counts the changes a blackhole sink takes, a row
// update being a retraction and an insertion, in a sink of a query and in
// a blackhole sink table written by an updating pipeline.
func TestBlackholeSink(t *testing.T) {
	db, s := openEventTime(t, t.TempDir())
	defer db.Close()
	run(t, s, `CREATE TABLE t (id INT PRIMARY KEY, k TEXT, v INT)`)
	run(t, s, `CREATE SINK bh AS SELECT id, v FROM t WITH (connector = 'blackhole')`)
	run(t, s, `CREATE TABLE bt (k TEXT, n BIGINT) WITH (connector = 'blackhole', type = 'sink')`)
	run(t, s, `CREATE PIPELINE p AS INSERT INTO bt SELECT k, count(*) FROM t GROUP BY k`)
	steps := []string{
		`INSERT INTO t VALUES (1, 'a', 1), (2, 'a', 2), (3, 'b', 3)`,
		`UPDATE t SET v = 4 WHERE id = 1`,
		`DELETE FROM t WHERE id IN (2, 3)`,
	}
	// In and out of bh: 3 insertions; the update −1 +1; 2 deletions. Out
	// of p: groups a and b appear (2); the update keeps their counts (0);
	// a changes, −1 +1, and b goes, −1 (3).
	wantBH := [][2]string{{"3", "3"}, {"5", "5"}, {"7", "7"}}
	wantP := []string{"2", "2", "5"}
	jobSteps(t, s, steps, func(i int) {
		if row := jobRow(t, s, "SHOW SINKS", "bh"); row == nil || row[2] != wantBH[i][0] || row[3] != wantBH[i][1] {
			t.Errorf("after %s: SHOW SINKS bh %q, want rows in %s, out %s", steps[i], row, wantBH[i][0], wantBH[i][1])
		}
		if row := jobRow(t, s, "SHOW PIPELINES", "p"); row == nil || row[3] != wantP[i] {
			t.Errorf("after %s: SHOW PIPELINES p %q, want rows out %s", steps[i], row, wantP[i])
		}
	})
}

// TestFileSourceCSV reads a directory of csv files (in name order, hidden
// files skipped) as a source with event_time_field: SELECT reads every
// row, a windowed pipeline drops the event that is late in file order,
// and once the files end it closes every window and is finished.
func TestFileSourceCSV(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	files := map[string]string{
		"a.csv":       "1,x,2024-01-01 00:00:10\n2,y,2024-01-01 00:00:20\n",
		"b.csv":       "3,x,2024-01-01 00:01:10\n4,,2024-01-01 00:00:50\n5,\"y,z\",2024-01-01 00:02:00\n",
		".hidden.csv": "9,x,2024-01-01 00:00:10\n",
	}
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(in, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, s := openEventTime(t, filepath.Join(dir, "db"))
	defer db.Close()
	run(t, s, `CREATE TABLE src (id INT, k TEXT, ts TIMESTAMP) WITH (connector = 'file', path = '`+in+`', format = 'csv', type = 'source', event_time_field = 'ts')`)
	want := []string{"1|x|2024-01-01 00:00:10", "2|y|2024-01-01 00:00:20", "3|x|2024-01-01 00:01:10", "4|NULL|2024-01-01 00:00:50", "5|y,z|2024-01-01 00:02:00"}
	if got := rowsOf(t, s, "SELECT id, k, ts::text FROM src"); !slices.Equal(got, want) {
		t.Errorf("SELECT from the source: %q, want %q", got, want)
	}
	run(t, s, `CREATE TABLE counts (ws TIMESTAMP, n BIGINT, ids TEXT)`)
	run(t, s, `CREATE PIPELINE p AS INSERT INTO counts
		SELECT window_start, count(*), string_agg(id::text, ',') FROM TUMBLE(src, ts, INTERVAL '1 minute') GROUP BY window_start`)
	run(t, s, `CREATE SINK all_rows AS SELECT * FROM src WITH (connector = 'blackhole')`)
	// 00:00:50 comes after 00:01:10 with no delay: late. Finished, the
	// jobs have read everything; FLUSH writes out what they made of it.
	jobAwait(t, s, "SHOW PIPELINES", "p", "finished")
	jobAwait(t, s, "SHOW SINKS", "all_rows", "finished")
	run(t, s, "FLUSH")
	// Without Lag: p's writes into counts are commits the jobs may not
	// have seen yet.
	if row, want := jobRow(t, s, "SHOW PIPELINES", "p"), []string{"p", "finished", "5", "3", "infinity", "1"}; len(row) != 8 || !slices.Equal(row[:6], want) {
		t.Errorf("SHOW PIPELINES: %q, want %q", row, want)
	}
	if row, want := jobRow(t, s, "SHOW SINKS", "all_rows"), []string{"all_rows", "finished", "5", "4", "infinity", "1"}; len(row) != 8 || !slices.Equal(row[:6], want) {
		t.Errorf("SHOW SINKS: %q, want %q", row, want)
	}
	want = []string{"2024-01-01 00:00:00|2|1,2", "2024-01-01 00:01:00|1|3", "2024-01-01 00:02:00|1|5"}
	if got := rowsOf(t, s, "SELECT ws::text, n, ids FROM counts"); !slices.Equal(got, want) {
		t.Errorf("counts: %q, want %q", got, want)
	}
}
