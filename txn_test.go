package runnel

import (
	"context"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// run executes one statement and returns its result.
func run(t *testing.T, s *Session, sql string) *Result {
	t.Helper()
	stmts, err := s.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Prepare(stmts[0], nil)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	res, err := s.Execute(context.Background(), p, nil)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res
}

// TestWriteWhileQueryIsOpen reads part of a query's rows in a transaction
// block, writes in the same transaction (as a client does between the
// fetches of a suspended portal), then reads the rest: the query sees the
// rows of its snapshot, and (under -race) nothing races.
func TestWriteWhileQueryIsOpen(t *testing.T) {
	db, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	run(t, s, "CREATE TABLE big (a int)")
	run(t, s, "CREATE TABLE other (a int)")
	run(t, s, "BEGIN")
	run(t, s, "INSERT INTO big SELECT * FROM generate_series(1, 50000)")
	res := run(t, s, "SELECT a FROM big")
	ctx := context.Background()
	first, err := res.Rows.Next(ctx)
	if err != nil || first == nil {
		t.Fatalf("first batch: %v", err)
	}
	seen := first.Len
	for i := 0; i < 20; i++ {
		run(t, s, "INSERT INTO big VALUES (0)")
		run(t, s, "INSERT INTO other VALUES (1)")
		run(t, s, "DELETE FROM other")
	}
	for {
		b, err := res.Rows.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		seen += b.Len
	}
	if seen < 50000 {
		t.Fatalf("query saw %d rows, want at least the 50000 there when it started", seen)
	}
	run(t, s, "COMMIT")
	res = run(t, s, "SELECT count(*) FROM big")
	b, err := res.Rows.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := vector.ValueAt(b.Cols[0], vector.Int8, 0); got != int64(50020) {
		t.Fatalf("count = %v, want 50020", got)
	}
	res.Rows.Close()
}
