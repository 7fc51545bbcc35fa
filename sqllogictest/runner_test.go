package sqllogictest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// writeFile writes a test file into dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runnerFile exercises every record kind; the records on the lines listed
// in runnerFailLines must fail, all others pass. Its table is temporary, so
// runs do not interfere.
const runnerFile = `statement ok
CREATE TEMP TABLE slt_runner (a int, b text)

statement count 3
INSERT INTO slt_runner VALUES (1, 'x y'), (2, ''), (NULL, NULL)

query IT rowsort
SELECT a, b FROM slt_runner
----
1 x   y
2 (empty)
NULL NULL

query I valuesort
SELECT a FROM slt_runner
----
1
2
NULL

query I nosort
SELECT a FROM slt_runner ORDER BY a DESC
----
1
2
NULL

statement error division by zero
SELECT 1/0

statement error 22012
SELECT 1/0

query error relation "nope" does not exist
SELECT * FROM nope

statement ok
SELECT 1/0

statement error
SELECT 1

skipif postgres
statement ok
SELECT 1/0

onlyif runnel
statement ok
SELECT 1/0

hash-threshold 2

query I rowsort
SELECT a FROM slt_runner
----
3 values hashing to 947ac7611a144a747fd1ba4cb9205642

statement count 5
DELETE FROM slt_runner

connection other
statement ok
CREATE TEMP TABLE slt_runner (c int)

halt

statement ok
SELECT 1/0
`

var runnerFailLines = []int{21, 37, 40, 58}

func TestRunFile(t *testing.T) {
	url := pgURL(t)
	for _, extended := range []bool{false, true} {
		path := writeFile(t, t.TempDir(), "runner.slt", runnerFile)
		rep, err := RunFile(context.Background(), path, Options{URL: url, Extended: extended})
		if err != nil {
			t.Fatal(err)
		}
		var lines []int
		for _, f := range rep.Failures {
			lines = append(lines, f.Line)
		}
		if !slices.Equal(lines, runnerFailLines) {
			t.Errorf("extended=%v: failures at lines %v, want %v:\n%v", extended, lines, runnerFailLines, rep.Failures)
		}
		if rep.Skipped != 2 || rep.Passed != 9 {
			t.Errorf("extended=%v: passed %d skipped %d, want 9 and 2", extended, rep.Passed, rep.Skipped)
		}
	}
}

func TestComplete(t *testing.T) {
	url := pgURL(t)
	const in = `# header comment
query T rowsort
SELECT x FROM (VALUES ('b'), ('a')) v(x)

query X nosort lbl
SELECT 1, true, 2.5::float8, 'x'
----
stale

statement error
SELECT 1/0

query error
SELECT * FROM nope
`
	const want = `# header comment
query T rowsort
SELECT x FROM (VALUES ('b'), ('a')) v(x)
----
a
b

query IBRT nosort lbl
SELECT 1, true, 2.5::float8, 'x'
----
1 t 2.5 x

statement error division by zero
SELECT 1/0

query error relation "nope" does not exist
SELECT * FROM nope
`
	path := writeFile(t, t.TempDir(), "c.slt", in)
	rep, err := RunFile(context.Background(), path, Options{URL: url, Complete: true})
	if err != nil || len(rep.Failures) > 0 {
		t.Fatalf("complete: %v %v", err, rep.Failures)
	}
	got, _ := os.ReadFile(path)
	if string(got) != want {
		t.Errorf("completed file:\n%s\nwant:\n%s", got, want)
	}
	rep, err = RunFile(context.Background(), path, Options{URL: url})
	if err != nil || len(rep.Failures) > 0 || rep.Passed != 4 {
		t.Errorf("rerun of the completed file: %v passed %d, failures %v", err, rep.Passed, rep.Failures)
	}
}

func TestForOracle(t *testing.T) {
	for _, c := range []struct {
		in, want string
		run      bool
	}{
		{"CREATE MATERIALIZED VIEW mv AS SELECT 1", "CREATE VIEW mv AS SELECT 1", true},
		{"create  materialized\n  view mv (a) as select 1", "create  view mv (a) as select 1", true},
		{"DROP MATERIALIZED VIEW IF EXISTS mv, mw CASCADE", "DROP VIEW IF EXISTS mv, mw CASCADE", true},
		{"CREATE VIEW v AS SELECT 'CREATE MATERIALIZED VIEW'", "CREATE VIEW v AS SELECT 'CREATE MATERIALIZED VIEW'", true},
		{"CREATE MATERIALIZED VIEWS", "CREATE MATERIALIZED VIEWS", true},
		{"SELECT * FROM mv", "SELECT * FROM mv", true},
		{"FLUSH", "", false},
		{" flush ;", "", false},
		{"SELECT flush FROM t", "SELECT flush FROM t", true},
	} {
		got, run := forOracle(c.in)
		if got != c.want || run != c.run {
			t.Errorf("forOracle(%q) = %q, %v; want %q, %v", c.in, got, run, c.want, c.run)
		}
	}
}
