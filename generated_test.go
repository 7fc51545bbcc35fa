package runnel

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestGeneratedImmutable creates a generated column over each expression
// and checks it is refused (42P17) exactly when PostgreSQL 15 refuses it
// as "generation expression is not immutable". Each expression's column
// type is its type in PostgreSQL (pg_typeof).
func TestGeneratedImmutable(t *testing.T) {
	cases := []struct {
		expr, typ string
		immutable bool
	}{
		{`t::date`, "date", false},
		{`t::timestamp`, "timestamp without time zone", false},
		{`t::interval`, "interval", false},
		{`ts::date`, "date", true},
		{`d::timestamp`, "timestamp without time zone", true},
		{`ts - interval '1 hour'`, "timestamp without time zone", true},
		{`ts + interval '1 day'`, "timestamp without time zone", true},
		{`tz - interval '1 hour'`, "timestamp with time zone", false},
		{`date_trunc('hour', ts)`, "timestamp without time zone", true},
		{`date_trunc('hour', tz)`, "timestamp with time zone", false},
		{`extract(epoch from ts)`, "numeric", true},
		{`extract(epoch from tz)`, "numeric", false},
		{`ts::text`, "text", false},
		{`d::text`, "text", false},
		{`iv::text`, "text", false},
		{`(j->>'ts')::timestamptz`, "timestamp with time zone", false},
		{`to_timestamp(n::float8)`, "timestamp with time zone", true},
		{`tz - tz`, "interval", true},
		{`coalesce(tz, tz)`, "timestamp with time zone", true},
		{`case when i > 0 then tz end`, "timestamp with time zone", true},
		{`concat(t, i)`, "text", false},
		{`to_char(ts, 'YYYY')`, "text", false},
		{`age(ts, ts)`, "interval", true},
		{`format('%s', t)`, "text", false},
		{`date '2020-01-01' + i`, "date", true},
		{`interval '1 day' * i`, "interval", true},
		{`d + 1`, "date", true},
		{`ts - ts`, "interval", true},
		{`tz::date`, "date", false},
		{`date_trunc('day', d)`, "timestamp with time zone", false},
		{`date_bin(interval '1 hour', tz, tz)`, "timestamp with time zone", true},
		{`date_bin(interval '1 hour', ts, ts)`, "timestamp without time zone", true},
		{`tz`, "timestamp with time zone", true},
		{`coalesce(ts, ts)`, "timestamp without time zone", true},
		{`iv * 2`, "interval", true},
		{`d - d`, "integer", true},
		{`tz::timestamp`, "timestamp without time zone", false},
		{`ts::timestamptz`, "timestamp with time zone", false},
		{`timestamp '2020-01-01' + iv`, "timestamp without time zone", true},
		{`t::varchar(3)`, "character varying", true},
		{`i::numeric(5,1)`, "numeric", true},
		{`ts > '2020-01-01'`, "boolean", true},
		{`jsonb_build_object('a', i)`, "jsonb", false},
		{`t::numeric`, "numeric", true},
		{`t::int`, "integer", true},
		{`i::text`, "text", true},
		{`n::text`, "text", true},
		{`j ->> 'x'`, "text", true},
		{`length(t)`, "integer", true},
		{`upper(t)`, "text", true},
		{`t || i`, "text", true},
		{`i::bool`, "boolean", true},
		{`md5(t)`, "text", true},
		{`t ~ 'a'`, "boolean", true},
		{`t like 'a%'`, "boolean", true},
		{`lower(t) = 'x'`, "boolean", true},
		{`greatest(i, 1)`, "integer", true},
		{`abs(i)`, "integer", true},
		{`round(n, 2)`, "numeric", true},
		{`i / 2`, "integer", true},
		{`n::float8`, "double precision", true},
		{`now()`, "timestamp with time zone", false},
		{`version()`, "text", false},
		{`pg_typeof(i)::text`, "text", false},
		{`tz at time zone 'UTC'`, "timestamp without time zone", true},
		{`ts at time zone 'UTC'`, "timestamp with time zone", true},
		{`split_part(t, ',', 1)`, "text", true},
		{`i::float8::text`, "text", true},
		{`j -> 'a'`, "jsonb", true},
		{`(j->>'ts')::timestamp`, "timestamp without time zone", false},
		{`i between 1 and 2`, "boolean", true},
		{`t in ('a','b')`, "boolean", true},
		{`time '10:00' + interval '1 hour'`, "time without time zone", true},
		{`ts::time`, "time without time zone", true},
		{`tz::time`, "time without time zone", false},
		{`extract(year from d)`, "numeric", true},
		{`date_part('year', ts)`, "double precision", true},
		{`t::jsonb`, "jsonb", true},
		{`j::text`, "text", true},
		{`nullif(i, 0)`, "integer", true},
		{`i is null`, "boolean", true},
		{`not (i > 0)`, "boolean", true},
		{`random()`, "double precision", false},
		{`ts > tz`, "boolean", false},
		{`d < ts`, "boolean", true},
		{`coalesce(i, 0) + 1`, "integer", true},
		{`case when t is null then 'x' else upper(t) end`, "text", true},
		{`make_timestamp(2020, 1, 1, 0, 0, 0)`, "timestamp without time zone", true},
	}
	s := testSession(t)
	const cols = "i int, n numeric, t text, ts timestamp, tz timestamptz, d date, j jsonb, iv interval"
	for _, c := range cases {
		_, err := execOne(t, s, "CREATE TABLE gen_x ("+cols+", g "+c.typ+" GENERATED ALWAYS AS ("+c.expr+") STORED)")
		if c.immutable {
			if err != nil {
				t.Errorf("%s: %v, want it accepted", c.expr, err)
				continue
			}
			if _, err := execOne(t, s, "DROP TABLE gen_x"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		wantCode(t, c.expr, err, "42P17", "generation expression is not immutable")
	}
}

// TestGeneratedErrors checks the SQLSTATEs of what Postgres refuses about
// generated columns (the messages are checked against PostgreSQL in
// generated.slt).
func TestGeneratedErrors(t *testing.T) {
	s := testSession(t)
	if _, err := execOne(t, s, "CREATE TABLE gen_e (a int, b int GENERATED ALWAYS AS (a + 1) STORED, k int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ sql, code string }{
		{"INSERT INTO gen_e VALUES (1, 2, 3)", "428C9"},
		{"INSERT INTO gen_e (b, k) SELECT 1, 2", "428C9"},
		{"UPDATE gen_e SET b = 1", "428C9"},
		{"INSERT INTO gen_e (k) VALUES (1) ON CONFLICT (k) DO UPDATE SET b = 2", "428C9"},
		{"COPY gen_e (a, b) FROM STDIN", vector.CodeInvalidColumnReference},
		{"COPY gen_e (b) TO STDOUT", vector.CodeInvalidColumnReference},
		{"CREATE TABLE gen_f (a int, b int GENERATED ALWAYS AS (a) STORED, c int GENERATED ALWAYS AS (b) STORED)", "42P17"},
		{"CREATE TABLE gen_f (a int, b float8 GENERATED ALWAYS AS (random()) STORED)", "42P17"},
		{"CREATE TABLE gen_f (a int, b int DEFAULT 0 GENERATED ALWAYS AS (a) STORED)", vector.CodeSyntaxError},
		{"CREATE TABLE gen_f (a int, b int GENERATED ALWAYS AS (a) VIRTUAL)", vector.CodeFeatureNotSupported},
		{"CREATE TABLE gen_f (a int, b int GENERATED ALWAYS AS ((SELECT 1)) STORED)", vector.CodeFeatureNotSupported},
		{"CREATE TABLE gen_f (a int, b int GENERATED ALWAYS AS (max(a)) STORED)", vector.CodeGroupingError},
		{"CREATE TABLE gen_f (a int, b int GENERATED ALWAYS AS (row_number() OVER ()) STORED)", vector.CodeWindowingError},
		{"CREATE TABLE gen_f (a int, b date GENERATED ALWAYS AS (a) STORED)", vector.CodeDatatypeMismatch},
		{"CREATE TABLE gen_f (a int, b int GENERATED ALWAYS AS (zz) STORED)", vector.CodeUndefinedColumn},
	}
	for _, c := range cases {
		_, err := execOne(t, s, c.sql)
		wantCode(t, c.sql, err, c.code, "")
	}
}

// TestGeneratedCopy loads rows with COPY into a table with generated
// columns: without a column list COPY reads the other columns, and the
// generated ones are computed; COPY TO leaves them out as Postgres does.
func TestGeneratedCopy(t *testing.T) {
	s := testSession(t)
	if _, err := execOne(t, s, "CREATE TABLE gen_c (a text, up text GENERATED ALWAYS AS (upper(a)) STORED, n int, twice int GENERATED ALWAYS AS (n * 2) STORED NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if err := copyChunks(t, s, "COPY gen_c FROM STDIN", "x\t1\ny\t2\n", 3); err != nil {
		t.Fatal(err)
	}
	if err := copyChunks(t, s, "COPY gen_c (n, a) FROM STDIN (FORMAT csv)", "3,z\n", 0); err != nil {
		t.Fatal(err)
	}
	err := copyChunks(t, s, "COPY gen_c (a) FROM STDIN", "w\n", 0)
	wantCode(t, "COPY leaving n NULL", err, vector.CodeNotNullViolation, `column "twice"`)
	want := []string{"x|X|1|2", "y|Y|2|4", "z|Z|3|6"}
	if got := tableRows(t, s, "SELECT a, up, n, twice FROM gen_c"); !slices.Equal(got, want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	res, err := execOne(t, s, "COPY gen_c TO STDOUT")
	if err != nil {
		t.Fatal(err)
	}
	if res.CopyOut.Columns != 2 {
		t.Errorf("COPY TO copies %d columns, want 2 (a and n)", res.CopyOut.Columns)
	}
	for lines, err := res.CopyOut.Next(t.Context()); lines != nil || err != nil; lines, err = res.CopyOut.Next(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestGeneratedPersists reopens a database and checks that a generated
// column is still computed.
func TestGeneratedPersists(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	db, s := ddlSession(t, dir)
	if _, err := execOne(t, s, "CREATE TABLE gen_p (a int, b int GENERATED ALWAYS AS (a * a) STORED)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, s = ddlSession(t, dir)
	defer db.Close()
	defer s.Close()
	tab, _ := db.catalog.Table("public", "gen_p")
	if got := tab.Columns[1].Generated; got != "a * a" {
		t.Errorf("generation expression after restart %q, want %q", got, "a * a")
	}
	if _, err := execOne(t, s, "INSERT INTO gen_p VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	if got := tableRows(t, s, "SELECT a, b FROM gen_p"); !slices.Equal(got, []string{"7|49"}) {
		t.Errorf("rows %v, want [7|49]", got)
	}
}
