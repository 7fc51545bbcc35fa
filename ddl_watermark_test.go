package runnel

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// TestRewriteWatermarkFor checks the text WATERMARK FOR becomes: only in
// the column list of a CREATE TABLE, with the column and expression where
// they were.
func TestRewriteWatermarkFor(t *testing.T) {
	cases := []struct{ in, want string }{
		{"CREATE TABLE t (ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')",
			"CREATE TABLE t (ts timestamp, CHECK(ROW(    ts ,  ts - INTERVAL '5 seconds')))"},
		{"create table t (ts timestamptz, watermark for ts)",
			"create table t (ts timestamptz, CHECK(ROW(    ts)))"},
		{"CREATE TABLE IF NOT EXISTS s.t (WATERMARK FOR ts AS ts, ts timestamp)",
			"CREATE TABLE IF NOT EXISTS s.t (CHECK(ROW(    ts ,  ts)), ts timestamp)"},
		{"CREATE TABLE t (WATERMARK FOR ts AS greatest(ts, ts) - INTERVAL '1' SECOND, ts timestamp)",
			"CREATE TABLE t (CHECK(ROW(    ts ,  greatest(ts, ts) - INTERVAL '1' SECOND)), ts timestamp)"},
		{"CREATE TABLE t (ts timestamp, WATERMARK FOR ts AS ts - CAST('1 s' AS interval))",
			"CREATE TABLE t (ts timestamp, CHECK(ROW(    ts ,  ts - CAST('1 s' AS interval))))"},
		{"CREATE TABLE t (ts timestamp, WATERMARK /* c */ FOR ts)",
			"CREATE TABLE t (ts timestamp, CHECK(ROW(            ts)))"},
		{"CREATE TABLE t (ts timestamp, WATERMARK FOR ts) WITH (idle_timeout = '10s')",
			"CREATE TABLE t (ts timestamp, CHECK(ROW(    ts))) WITH (idle_timeout = '10s')"},
		{"SELECT 'WATERMARK FOR x'; CREATE TABLE t (ts timestamp, WATERMARK FOR ts)",
			"SELECT 'WATERMARK FOR x'; CREATE TABLE t (ts timestamp, CHECK(ROW(    ts)))"},
		{"CREATE TABLE a (WATERMARK FOR x); CREATE TABLE b (WATERMARK FOR y AS y)",
			"CREATE TABLE a (CHECK(ROW(    x))); CREATE TABLE b (CHECK(ROW(    y ,  y)))"},
		// Left alone: no CREATE TABLE column list, no WATERMARK FOR
		// element, nothing after FOR.
		{"CREATE VIEW v AS SELECT 1 AS watermark", ""},
		{"INSERT INTO t (watermark) VALUES (1)", ""},
		{"SELECT f(WATERMARK FOR ts)", ""},
		{"CREATE TABLE t AS SELECT f(WATERMARK FOR ts)", ""},
		{"CREATE TABLE \"s\".t (WATERMARK FOR ts)", "CREATE TABLE \"s\".t (CHECK(ROW(    ts)))"},
		{"CREATE TABLE t (watermark int, x int)", ""},
		{"CREATE TABLE t (ts timestamp, WATERMARK FOR)", ""},
		{"CREATE TABLE t (ts timestamp, x text DEFAULT 'WATERMARK FOR ts')", ""},
	}
	for _, c := range cases {
		want := c.want
		if want == "" {
			want = c.in
		}
		got := rewriteWatermarkFor(c.in, lex(c.in))
		if got != want {
			t.Errorf("rewriteWatermarkFor(%q)\n got %q\nwant %q", c.in, got, want)
		}
		// Every rewritten element grows by its two closing parentheses.
		if grown := len(got) - len(c.in); grown != 2*strings.Count(got, "CHECK(ROW(") {
			t.Errorf("rewriteWatermarkFor(%q) grew by %d bytes", c.in, grown)
		}
	}
}

// ddlSession opens a database in dir and connects.
func ddlSession(t *testing.T, dir string) (*DB, *Session) { return openDB(t, dir, Options{}) }

// wantCode fails unless err is a *vector.Error with SQLSTATE code whose
// message contains msg.
func wantCode(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	var ve *vector.Error
	if !errors.As(err, &ve) {
		t.Errorf("%s: got %v, want %s %q", what, err, code, msg)
		return
	}
	if ve.Code != code || !strings.Contains(ve.Message, msg) {
		t.Errorf("%s: got %s %q, want %s %q", what, ve.Code, ve.Message, code, msg)
	}
}

// TestWatermarkDDL creates tables with WATERMARK FOR, WITH options and
// connectors, and checks the catalog entries they make, and each error.
func TestWatermarkDDL(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.json")
	if err := os.WriteFile(input, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	const sec = int64(1e6)
	ok := []struct {
		sql       string
		table     string
		kind      catalog.Kind
		watermark *catalog.Watermark
		options   map[string]string
	}{
		{"CREATE TABLE w_plain (a int, ts timestamp, WATERMARK FOR ts)", "w_plain",
			catalog.KindTable, &catalog.Watermark{Column: 1}, nil},
		{"CREATE TABLE w_self (ts timestamptz, WATERMARK FOR ts AS ts)", "w_self",
			catalog.KindTable, &catalog.Watermark{Column: 0}, nil},
		{"CREATE TABLE w_delay (WATERMARK FOR ts AS ts - INTERVAL '5 seconds', a int, ts timestamptz)", "w_delay",
			catalog.KindTable, &catalog.Watermark{Column: 1, Delay: 5 * sec}, nil},
		{"CREATE TABLE w_field (ts timestamp, WATERMARK FOR ts AS (ts - INTERVAL '5' MINUTE))", "w_field",
			catalog.KindTable, &catalog.Watermark{Delay: 300 * sec}, nil},
		{"CREATE TABLE w_cast (ts timestamp, WATERMARK FOR ts AS ts - '1 day 2 hours'::interval)", "w_cast",
			catalog.KindTable, &catalog.Watermark{Delay: 26 * 3600 * sec}, nil},
		{"CREATE TABLE w_ms (ts timestamp, WATERMARK FOR ts AS ts - CAST('1.5 ms' AS interval))", "w_ms",
			catalog.KindTable, &catalog.Watermark{Delay: 1500}, nil},
		{"CREATE TABLE w_idle (ts timestamp, WATERMARK FOR ts) WITH (idle_timeout = '10s')", "w_idle",
			catalog.KindTable, &catalog.Watermark{IdleTimeout: 10 * sec}, nil},
		{"CREATE TABLE w_idle2 (ts timestamp, WATERMARK FOR ts) WITH (IDLE_TIMEOUT = '2 minutes')", "w_idle2",
			catalog.KindTable, &catalog.Watermark{IdleTimeout: 120 * sec}, nil},
		{"CREATE TABLE w_gen (a bigint, ts timestamptz GENERATED ALWAYS AS (to_timestamp(a)) STORED, WATERMARK FOR ts AS ts - INTERVAL '1 second')", "w_gen",
			catalog.KindTable, &catalog.Watermark{Column: 1, Delay: sec}, nil},
		{"CREATE TABLE w_src (a int, ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '2 s') WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source')", "w_src",
			catalog.KindSource, &catalog.Watermark{Column: 1, Delay: 2 * sec},
			map[string]string{"connector": "file", "path": input, "format": "json", "type": "source"}},
		{"CREATE TABLE w_src_field (a int, ts timestamptz) WITH (connector = 'file', path = '" + input + "', format = 'json', type = source, event_time_field = 'ts', idle_timeout = '1 s')", "w_src_field",
			catalog.KindSource, &catalog.Watermark{Column: 1, IdleTimeout: sec},
			map[string]string{"connector": "file", "path": input, "format": "json", "type": "source", "event_time_field": "ts", "idle_timeout": "1 s"}},
		{"CREATE TABLE w_src_wm (ts timestamp, a int) WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source', watermark_field = 'ts')", "w_src_wm",
			catalog.KindSource, &catalog.Watermark{Column: 0},
			map[string]string{"connector": "file", "path": input, "format": "json", "type": "source", "watermark_field": "ts"}},
		{"CREATE TABLE w_sink (id int PRIMARY KEY, n bigint) WITH (connector = 'file', path = '" + out + "', format = 'json', type = 'sink')", "w_sink",
			catalog.KindSink, nil,
			map[string]string{"connector": "file", "path": out, "format": "json", "type": "sink"}},
		{"CREATE TABLE w_hole (n bigint) WITH (connector = 'blackhole', type = 'sink')", "w_hole",
			catalog.KindSink, nil, map[string]string{"connector": "blackhole", "type": "sink"}},
	}
	db, s := ddlSession(t, filepath.Join(dir, "db"))
	for _, c := range ok {
		if _, err := execOne(t, s, c.sql); err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
	}
	check := func(when string) {
		for _, c := range ok {
			tab, found := db.catalog.Table("public", c.table)
			if !found {
				t.Fatalf("%s: table %s missing", when, c.table)
			}
			if tab.Kind != c.kind || !reflect.DeepEqual(tab.Watermark, c.watermark) || !reflect.DeepEqual(tab.Options, c.options) {
				t.Errorf("%s: %s: kind %s watermark %+v options %v, want %s %+v %v", when, c.table,
					tab.Kind, tab.Watermark, tab.Options, c.kind, c.watermark, c.options)
			}
		}
	}
	check("created")
	if info, err := os.Stat(out); err != nil || !info.IsDir() {
		t.Errorf("the file sink's directory was not made: %v", err)
	}

	errs := []struct{ sql, code, msg string }{
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR nope)", vector.CodeUndefinedColumn, `column "nope" does not exist`},
		{"CREATE TABLE e (ts date, WATERMARK FOR ts)", vector.CodeDatatypeMismatch, `watermark column "ts" must be of type timestamp or timestamptz`},
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR ts, WATERMARK FOR ts AS ts)", vector.CodeInvalidTableDefinition, `multiple watermarks for table "e" are not allowed`},
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR ts AS ts + INTERVAL '1 s')", vector.CodeFeatureNotSupported, "watermark expression ts + '1 s'::INTERVAL is not supported"},
		{"CREATE TABLE e (ts timestamp, t2 timestamp, WATERMARK FOR ts AS t2 - INTERVAL '1 s')", vector.CodeFeatureNotSupported, "watermark expression t2 - '1 s'::INTERVAL is not supported"},
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR ts AS date_trunc('minute', ts))", vector.CodeFeatureNotSupported, "is not supported"},
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '1 month')", vector.CodeFeatureNotSupported, "a month has no fixed length"},
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '-5 seconds')", vector.CodeInvalidParameterValue, "must not be negative"},
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR ts AS ts - INTERVAL 'soon')", vector.CodeInvalidDatetimeFormat, "invalid input syntax for type interval"},
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR 5)", vector.CodeSyntaxError, "WATERMARK FOR needs a column name"},
		{"CREATE TABLE e (ts timestamp, CHECK (ts > '2020-01-01'))", vector.CodeFeatureNotSupported, "CHECK"},
		{"CREATE TABLE e (ts timestamp) WITH (idle_timeout = '10s')", vector.CodeInvalidParameterValue, "idle_timeout needs a watermark"},
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR ts) WITH (idle_timeout = 'never')", vector.CodeInvalidParameterValue, `invalid value for parameter "idle_timeout"`},
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR ts) WITH (idle_timeout = '1 month')", vector.CodeInvalidParameterValue, `invalid value for parameter "idle_timeout"`},
		{"CREATE TABLE e (ts timestamp) WITH (fillfactor = 70)", vector.CodeInvalidParameterValue, `unrecognized parameter "fillfactor"`},
		{"CREATE TABLE e (ts timestamp) WITH (type = 'source')", vector.CodeInvalidParameterValue, `unrecognized parameter "type"`},
		{"CREATE TABLE e (ts timestamp) WITH (connector = 'blackhole')", vector.CodeInvalidParameterValue, `source connector "blackhole" does not exist`},
		{"CREATE TABLE e (ts timestamp) WITH (connector = 'blackhole', type = 'table')", vector.CodeInvalidParameterValue, `invalid value for parameter "type"`},
		{"CREATE TABLE e (ts timestamp) WITH (connector = 'blackhole', type = 'sink', type = 'sink')", vector.CodeInvalidParameterValue, `parameter "type" specified more than once`},
		{"CREATE TABLE e (ts timestamp) WITH (connector = 'blackhole', type = 'sink', event_time_field = 'ts')", vector.CodeInvalidParameterValue, `parameter "event_time_field" is valid only for a source`},
		{"CREATE TABLE e (ts timestamp) WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source', event_time_field = 'nope')", vector.CodeUndefinedColumn, `column "nope" does not exist`},
		{"CREATE TABLE e (ts timestamp, WATERMARK FOR ts) WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source', event_time_field = 'ts')", vector.CodeInvalidTableDefinition, "multiple watermarks"},
		{"CREATE TABLE e (ts timestamp) WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source', event_time_field = 'ts', watermark_field = 'ts')", vector.CodeInvalidTableDefinition, "multiple watermarks"},
		{"CREATE TABLE e (id int PRIMARY KEY) WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source')", vector.CodeFeatureNotSupported, "primary keys on source tables are not supported"},
		{"CREATE TABLE e (a int, b int GENERATED ALWAYS AS (a) STORED) WITH (connector = 'blackhole', type = 'sink')", vector.CodeFeatureNotSupported, `generated columns are not supported in a table with a connector (column "b")`},
		{"CREATE TABLE e (a int, b int GENERATED ALWAYS AS (a) STORED) WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source')", vector.CodeFeatureNotSupported, `generated columns are not supported in a table with a connector (column "b")`},
		{"CREATE TABLE e (a int, b int GENERATED ALWAYS AS (a) STORED) WITH (connector = 'file', path = '" + input + "', format = 'json')", vector.CodeFeatureNotSupported, `generated columns are not supported in a table with a connector (column "b")`},
		{"CREATE TABLE e (a int, o bigint METADATA FROM 'offset') WITH (connector = 'file', path = '" + input + "', format = 'json')", vector.CodeFeatureNotSupported, `column "o": METADATA FROM is supported only in tables and sources with connector 'kafka'`},
		{"CREATE TABLE e (a int, o bigint METADATA FROM 'offset')", vector.CodeFeatureNotSupported, `column "o": METADATA FROM is supported only`},
		{"CREATE TABLE e (a int, o bigint METADATA FROM 'colour') WITH (connector = 'file', path = '" + input + "', format = 'json')", vector.CodeInvalidParameterValue, `unknown metadata "colour" for column "o"`},
		{"CREATE TABLE e (a int, o bigint CHECK (o > 0) METADATA FROM 'offset') WITH (connector = 'file', path = '" + input + "', format = 'json')", vector.CodeFeatureNotSupported, `CHECK constraints are not supported (column "o")`},
		{"CREATE TABLE e (a int, b text) WITH (connector = 'file', path = '" + input + "', format = 'debezium_json')", vector.CodeInvalidTableDefinition, `table "e" reads changes (updates and deletes) from its connector and needs a primary key`},
		{"CREATE TABLE e (a int PRIMARY KEY, b text) WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source', upsert = 'true')", vector.CodeFeatureNotSupported, "primary keys on source tables"},
		{"CREATE TABLE e (a int, b text) WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source', upsert = 'true')", vector.CodeFeatureNotSupported, `source "e" cannot apply upserts`},
		{"CREATE TABLE e (a int) WITH (connector = 'nowhere', type = 'source')", vector.CodeInvalidParameterValue, `connector "nowhere" does not exist`},
		{"CREATE TABLE e (a int) WITH (connector = 'file', format = 'json', type = 'source')", vector.CodeInvalidParameterValue, `requires option "path"`},
		{"CREATE TABLE e (a int) WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source', colour = 'red')", vector.CodeInvalidParameterValue, `unrecognized option "colour"`},
	}
	for _, c := range errs {
		_, err := execOne(t, s, c.sql)
		wantCode(t, c.sql, err, c.code, c.msg)
	}
	if _, found := db.catalog.Table("public", "e"); found {
		t.Error("a failed CREATE TABLE left table e behind")
	}

	// The fields survive a restart.
	s.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, s = ddlSession(t, filepath.Join(dir, "db"))
	defer db.Close()
	defer s.Close()
	check("reopened")
}

// TestConnectorTableWrites checks that writes into source and sink tables
// are refused, and that DROP TABLE drops them.
func TestConnectorTableWrites(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.json")
	if err := os.WriteFile(input, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := testSession(t)
	for _, sql := range []string{
		"CREATE TABLE src (a int, b text) WITH (connector = 'file', path = '" + input + "', format = 'json', type = 'source')",
		"CREATE TABLE snk (a int, b text) WITH (connector = 'blackhole', type = 'sink')",
	} {
		if _, err := execOne(t, s, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	for _, c := range []struct{ sql, msg string }{
		{"INSERT INTO src VALUES (1, 'x')", `cannot insert into source "src"`},
		{"UPDATE src SET a = 2", `cannot update source "src"`},
		{"DELETE FROM src", `cannot delete from source "src"`},
		{"COPY src FROM STDIN", `cannot copy to source "src"`},
		{"INSERT INTO snk VALUES (1, 'x')", `cannot insert into sink "snk"`},
		{"UPDATE snk SET a = 2", `cannot update sink "snk"`},
		{"DELETE FROM snk", `cannot delete from sink "snk"`},
		{"COPY snk (a) FROM STDIN", `cannot copy to sink "snk"`},
	} {
		_, err := execOne(t, s, c.sql)
		wantCode(t, c.sql, err, vector.CodeWrongObjectType, c.msg)
		if ve := (*vector.Error)(nil); errors.As(err, &ve) && ve.Hint == "" {
			t.Errorf("%s: no hint", c.sql)
		}
	}
	_, err := execOne(t, s, "INSERT INTO snk VALUES (1, 'x')")
	if ve := (*vector.Error)(nil); !errors.As(err, &ve) || !strings.Contains(ve.Hint, "CREATE PIPELINE") {
		t.Errorf("writing a sink: hint %v, want one naming CREATE PIPELINE", err)
	}
	_, err = execOne(t, s, "DROP VIEW src")
	wantCode(t, "DROP VIEW src", err, vector.CodeWrongObjectType, `"src" is not a view`)
	for _, sql := range []string{"DROP TABLE src", "DROP TABLE IF EXISTS snk"} {
		if _, err := execOne(t, s, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	for _, name := range []string{"src", "snk"} {
		if _, found := s.db.catalog.Table("public", name); found {
			t.Errorf("DROP TABLE left %s", name)
		}
	}
}
