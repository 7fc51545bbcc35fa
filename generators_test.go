package runnel

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/runneldb/runnel/vector"
)

// openGenerators opens a DB in dir that checkpoints often, so that a
// restart lands in the middle of a generator's rows.
func openGenerators(t *testing.T, dir string) (*DB, *Session) {
	return openDB(t, dir, Options{Partitions: 2, CheckpointInterval: 20 * time.Millisecond})
}

// awaitRows runs sql (after a FLUSH) until done says its rows are
// complete, and returns them; it fails the test after 10 seconds.
func awaitRows(t *testing.T, s *Session, sql string, done func(rows []string) bool) []string {
	t.Helper()
	var rows []string
	eventually(t, func() string {
		run(t, s, "FLUSH")
		if rows = rowsOf(t, s, sql); len(rows) > 0 && done(rows) {
			return ""
		}
		return fmt.Sprintf("%s: %q is incomplete", sql, rows)
	})
	return rows
}

// TestDatagenMaterializedView keeps a view over a bounded datagen table
// (ids a sequence 1..n, v random in 1..6, s half NULL): the count, the sum
// of the ids (the arithmetic series n(n+1)/2) and the range of v are known
// by hand, and the view equals the same query over a fresh read of the
// table. The table is paced, and the database restarted while the view
// reads it: afterwards no row is missing or counted twice.
func TestDatagenMaterializedView(t *testing.T) {
	const n = 2000
	dir := t.TempDir()
	db, s := openGenerators(t, dir)
	defer func() { db.Close() }()
	run(t, s, `CREATE TABLE gen (id BIGINT, v INT, s TEXT, at TIMESTAMP) WITH (connector = 'datagen', type = 'source', seed = 3, rate = 4000,
		"fields.id.kind" = 'sequence', "fields.id.start" = 1, "fields.id.end" = `+strconv.Itoa(n)+`,
		"fields.v.start" = 1, "fields.v.end" = 6, "fields.s.null_rate" = 0.5, "fields.s.length" = 4)`)
	const query = `SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(id) AS total, min(v) AS lo, max(v) AS hi, count(s) AS named,
		sum(v) AS vs, min(at) AS first FROM gen`
	run(t, s, `CREATE MATERIALIZED VIEW g AS `+query)
	// Restart once the view has read a quarter of the rows (and
	// checkpointed some), before it has read them all.
	eventually(t, func() string {
		row := jobRow(t, s, "SHOW MATERIALIZED VIEWS", "g")
		in := 0
		if row != nil {
			in, _ = strconv.Atoi(row[2])
		}
		if in < n/4 {
			return fmt.Sprintf("SHOW MATERIALIZED VIEWS: g is %q, want rows read", row)
		}
		if row[1] != "running" {
			t.Logf("the view had read all the rows before the restart: %q", row)
		}
		return ""
	})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, s = openGenerators(t, dir)
	jobAwait(t, s, "SHOW MATERIALIZED VIEWS", "g", "finished")
	// The view has read every row; wait until it has counted them all
	// (more would be duplicates, and end the wait too).
	got := awaitRows(t, s, "SELECT * FROM g", func(rows []string) bool {
		count, _ := strconv.Atoi(strings.Split(rows[0], "|")[0])
		return count >= n
	})
	wantPrefix := strconv.Itoa(n) + "|" + strconv.Itoa(n) + "|" + strconv.Itoa(n*(n+1)/2) + "|1|6|"
	if !strings.HasPrefix(got[0], wantPrefix) {
		t.Errorf("view g: %q, want count, distinct ids, sum of ids, least and greatest v %q", got[0], wantPrefix)
	}
	if fresh := rowsOf(t, s, query); !slices.Equal(got, fresh) {
		t.Errorf("view g: %q, but the query over a fresh read: %q", got, fresh)
	}
}

// TestImpulseTumble counts an impulse, 25 rows 5 s apart from its default
// start, in 1-minute tumbling windows: 12, 12 and 1 rows, whose counters
// sum to 0+…+11, 12+…+23 and 24. The view is the same after a restart.
func TestImpulseTumble(t *testing.T) {
	dir := t.TempDir()
	db, s := openGenerators(t, dir)
	defer func() { db.Close() }()
	run(t, s, `CREATE TABLE ticks (counter BIGINT, ts TIMESTAMP) WITH (connector = 'impulse', type = 'source',
		interval = '5 s', count = 25, rate = 'unlimited', event_time_field = 'ts')`)
	run(t, s, `CREATE MATERIALIZED VIEW w AS SELECT window_start, count(*) AS n, sum(counter) AS s
		FROM TUMBLE(ticks, ts, INTERVAL '1 minute') GROUP BY window_start EMIT ON WINDOW CLOSE`)
	want := []string{"2000-01-01 00:00:00|12|66", "2000-01-01 00:01:00|12|210", "2000-01-01 00:02:00|1|24"}
	check := func(when string) {
		t.Helper()
		jobAwait(t, s, "SHOW MATERIALIZED VIEWS", "w", "finished")
		// The end of the input closes every window; wait until the view
		// holds as many as expected (more would end the wait too).
		got := awaitRows(t, s, "SELECT window_start::text, n, s FROM w", func(rows []string) bool { return len(rows) >= len(want) })
		if !slices.Equal(got, want) {
			t.Errorf("%s: view w %q, want %q", when, got, want)
		}
	}
	check("before the restart")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, s = openGenerators(t, dir)
	check("after the restart")
}

// TestGeneratorTables checks what SQL sees of the generators: a bounded
// one reads like a table, an unbounded one cannot be read by SELECT, and
// bad options fail CREATE TABLE naming them.
func TestGeneratorTables(t *testing.T) {
	db, s := openGenerators(t, filepath.Join(t.TempDir(), "db"))
	defer db.Close()
	run(t, s, `CREATE TABLE seq (n INT, d DATE) WITH (connector = 'datagen', type = 'source', rows = 3,
		"fields.n.kind" = 'sequence', "fields.n.start" = 10, "fields.d.kind" = 'sequence')`)
	want := []string{"10|2000-01-01", "11|2000-01-02", "12|2000-01-03"}
	if got := rowsOf(t, s, "SELECT n, d::text FROM seq"); !slices.Equal(got, want) {
		t.Errorf("SELECT from seq: %q, want %q", got, want)
	}
	run(t, s, `CREATE TABLE forever (counter BIGINT) WITH (connector = 'impulse', type = 'source')`)
	run(t, s, `CREATE TABLE random (x FLOAT8) WITH (connector = 'datagen', type = 'source')`)
	for _, sql := range []string{"SELECT * FROM forever", "SELECT * FROM random"} {
		wantCode(t, sql, execAll(s, sql), vector.CodeFeatureNotSupported, "never ends")
	}
	tests := []struct{ sql, code, msg string }{
		{`CREATE TABLE e (a INT) WITH (connector = 'datagen', type = 'source', colour = 'red')`,
			vector.CodeInvalidParameterValue, `unrecognized option "colour" for connector "datagen"`},
		{`CREATE TABLE e (a INT) WITH (connector = 'datagen', type = 'source', "fields.b.kind" = 'random')`,
			vector.CodeInvalidParameterValue, `option "fields.b.kind" names column "b", which the table does not have`},
		{`CREATE TABLE e (a INT) WITH (connector = 'datagen', type = 'source', "fields.a.start" = 'x')`,
			vector.CodeInvalidTextRepresentation, `option "fields.a.start": invalid input syntax for type integer`},
		{`CREATE TABLE e (a INT) WITH (connector = 'impulse', type = 'source')`,
			vector.CodeInvalidParameterValue, `impulse has no column "a"`},
		{`CREATE TABLE e (counter BIGINT) WITH (connector = 'impulse', type = 'source', "fields.counter.kind" = 'random')`,
			vector.CodeInvalidParameterValue, `unrecognized option "fields.counter.kind" for connector "impulse"`},
		{`CREATE TABLE e (counter BIGINT) WITH (connector = 'datagen', type = 'sink')`,
			vector.CodeInvalidParameterValue, `sink connector "datagen" does not exist`},
	}
	for _, tt := range tests {
		wantCode(t, tt.sql, execAll(s, tt.sql), tt.code, tt.msg)
	}
}
