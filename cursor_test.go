package runnel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runneldb/runnel/vector"
)

// outcome runs one statement and renders what a client sees: its tag
// (with the row count of FETCH) and rows "a|b", or "ERROR <SQLSTATE>".
func outcome(t *testing.T, s *Session, sql string) string {
	t.Helper()
	stmts, err := s.Parse(sql)
	if err != nil {
		return "ERROR " + vector.ErrorCode(err)
	}
	p, err := s.Prepare(stmts[0], nil)
	if err != nil {
		return "ERROR " + vector.ErrorCode(err)
	}
	res, err := s.Execute(context.Background(), p, nil)
	if err != nil {
		return "ERROR " + vector.ErrorCode(err)
	}
	if res.Rows == nil {
		return res.Tag
	}
	var rows []string
	for {
		b, err := res.Rows.Next(context.Background())
		if err != nil {
			return "ERROR " + vector.ErrorCode(err)
		}
		if b == nil {
			break
		}
		for i := 0; i < b.Len; i++ {
			var vals []string
			for c, col := range b.Cols {
				vals = append(vals, fmt.Sprint(vector.ValueAt(col, res.Columns[c].Type, i)))
			}
			rows = append(rows, strings.Join(vals, "|"))
		}
	}
	tag := res.Tag
	if res.Counted {
		tag += fmt.Sprint(" ", len(rows))
	}
	return strings.Join(append([]string{tag}, rows...), " ")
}

// TestCursors runs cursors over queries as Postgres does: forward only,
// inside transaction blocks, gone when the block ends. The expectations are
// the rows of generate_series(1, 5) taken in the order of the fetches.
func TestCursors(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	defer db.Close()
	const decl = "DECLARE c CURSOR FOR SELECT g FROM generate_series(1, 5) g"
	cases := []struct {
		name  string
		steps [][2]string // statement, outcome
	}{
		{"fetch and move", [][2]string{
			{"BEGIN", "BEGIN"},
			{decl, "DECLARE CURSOR"},
			{"FETCH 2 FROM c", "FETCH 2 1 2"},
			{"FETCH c", "FETCH 1 3"},
			{"MOVE 1 c", "MOVE 1"},
			{"FETCH ALL IN c", "FETCH 1 5"},
			{"FETCH ALL c", "FETCH 0"},
			{"FETCH NEXT FROM c", "FETCH 0"},
			{"CLOSE c", "CLOSE CURSOR"},
			{"FETCH c", "ERROR 34000"},
			{"ROLLBACK", "ROLLBACK"},
		}},
		{"forward only", [][2]string{
			{"BEGIN", "BEGIN"},
			{decl, "DECLARE CURSOR"},
			{"FETCH FORWARD 3 FROM c", "FETCH 3 1 2 3"},
			{"FETCH PRIOR FROM c", "ERROR 55000"},
			{"ROLLBACK", "ROLLBACK"},
		}},
		{"outside a block", [][2]string{
			{decl, "ERROR 25P01"},
			{"FETCH 1 FROM c", "ERROR 34000"},
			{"CLOSE c", "ERROR 34000"},
		}},
		{"duplicate", [][2]string{
			{"BEGIN", "BEGIN"},
			{decl, "DECLARE CURSOR"},
			{decl, "ERROR 42P03"},
			{"ROLLBACK", "ROLLBACK"},
		}},
		{"ends with the block", [][2]string{
			{"BEGIN", "BEGIN"},
			{decl, "DECLARE CURSOR"},
			{"DECLARE \"D\" CURSOR FOR VALUES (7)", "DECLARE CURSOR"},
			{"FETCH 1 FROM \"D\"", "FETCH 1 7"},
			{"COMMIT", "COMMIT"},
			{"BEGIN", "BEGIN"},
			{"FETCH 1 FROM c", "ERROR 34000"},
			{"ROLLBACK", "ROLLBACK"},
		}},
		{"close all", [][2]string{
			{"BEGIN", "BEGIN"},
			{decl, "DECLARE CURSOR"},
			{"CLOSE ALL", "CLOSE CURSOR ALL"},
			{"FETCH 1 FROM c", "ERROR 34000"},
			{"ROLLBACK", "ROLLBACK"},
		}},
		{"refused forms", [][2]string{
			{"BEGIN", "BEGIN"},
			{"DECLARE c CURSOR WITH HOLD FOR SELECT 1", "ERROR 0A000"},
			{"ROLLBACK", "ROLLBACK"},
			{"BEGIN", "BEGIN"},
			{"DECLARE c SCROLL CURSOR FOR SELECT 1", "ERROR 0A000"},
			{"ROLLBACK", "ROLLBACK"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, step := range c.steps {
				if got := outcome(t, s, step[0]); got != step[1] {
					t.Fatalf("%s: got %q, want %q", step[0], got, step[1])
				}
			}
		})
	}
}

// TestCursorInImplicitTransaction declares and fetches in one
// multi-statement message, whose implicit transaction holds the cursor.
func TestCursorInImplicitTransaction(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	defer db.Close()
	stmts, err := s.Parse("DECLARE c CURSOR FOR VALUES (1), (2); FETCH ALL c")
	if err != nil || len(stmts) != 2 {
		t.Fatalf("parse: %v, %d statements", err, len(stmts))
	}
	s.BeginImplicit(true)
	var got []string
	for _, st := range stmts {
		got = append(got, outcome(t, s, st.SQL))
	}
	if err := s.EndImplicit(false); err != nil {
		t.Fatal(err)
	}
	if want := []string{"DECLARE CURSOR", "FETCH 2 1 2"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := outcome(t, s, "FETCH 1 FROM c"); got != "ERROR 34000" {
		t.Fatalf("cursor after its transaction: %s", got)
	}
}

// TestSubscribeCursor fetches the changes of a view through a cursor:
// FETCH waits for a first row, or until its timeout, and then returns the
// rows that arrived, up to its count.
func TestSubscribeCursor(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	defer db.Close()
	w, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		t.Fatal(err)
	}
	exec(t, s, "CREATE TABLE t (k int)", "CREATE MATERIALIZED VIEW mv AS SELECT k FROM t", "INSERT INTO t VALUES (1)")
	// The rows of a fetch without their timestamps: "diff|k".
	fetch := func(sql string) []string {
		t.Helper()
		out := strings.Fields(outcome(t, s, sql))
		if len(out) < 2 || out[0] != "FETCH" {
			t.Fatalf("%s: %v", sql, out)
		}
		var rows []string
		for _, r := range out[2:] {
			rows = append(rows, r[strings.IndexByte(r, '|')+1:])
		}
		return rows
	}
	steps := []struct {
		write string // committed by another session before the fetch
		fetch string
		want  []string
	}{
		{"", "FETCH ALL c", []string{"1|1"}},
		{"", "FETCH ALL c WITH (timeout = '0s')", nil},
		{"INSERT INTO t VALUES (2)", "FETCH ALL c", []string{"1|2"}},
		{"", "FETCH 1 c WITH (timeout = '10ms')", nil},
		{"INSERT INTO t VALUES (3), (4), (5)", "FETCH 2 FROM c", []string{"1|3", "1|4"}},
		{"", "FETCH FORWARD ALL FROM c WITH (timeout = 0)", []string{"1|5"}},
		{"DELETE FROM t WHERE k = 1", "FETCH 5 c WITH (timeout = '10s')", []string{"-1|1"}},
	}
	exec(t, s, "BEGIN", "DECLARE c CURSOR FOR SUBSCRIBE mv")
	for _, st := range steps {
		if st.write != "" {
			exec(t, w, st.write)
		}
		start := time.Now()
		got := fetch(st.fetch)
		if !slices.Equal(got, st.want) {
			t.Fatalf("%s (after %s): got %v, want %v (in %v)", st.fetch, st.write, got, st.want, time.Since(start))
		}
	}
	exec(t, s, "COMMIT")
	if n := subscriptionsOf(t, db, "mv"); n != 0 {
		t.Fatalf("%d subscriptions left after COMMIT", n)
	}
}
