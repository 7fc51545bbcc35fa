package main

import (
	"context"
	"database/sql"
	"testing"

	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/bench"
	"github.com/runneldb/runnel/bench/runner"
)

// duckdbTestStream is the stream of the cross-engine tests: 50 seconds of
// event time (10,000 events a second), 18,400 bids per 10-second window.
var duckdbTestStream = bench.Stream{Events: 500_000, Seed: 7, Partitions: 2}

// TestDuckDBMatchesRunnel runs q5 and q7 over the same stream in DuckDB
// (rewritten as this command runs them) and in runnel's batch engine (the
// text of bench.Queries, over sources made by bench.SourceDDL), and checks
// that the two results have the same checksum.
func TestDuckDBMatchesRunnel(t *testing.T) {
	ctx := context.Background()
	conn := duckdbTestConn(t)
	if _, err := loadBids(ctx, conn, duckdbTestStream); err != nil {
		t.Fatal(err)
	}
	db, err := runnel.Open(t.TempDir(), runnel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := db.Connect(runnel.ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		t.Fatal(err)
	}
	created := map[string]bool{}
	for _, name := range []string{"q5", "q7"} {
		t.Run(name, func(t *testing.T) {
			q, _ := bench.QueryNamed(name)
			for _, table := range q.Tables {
				if !created[table] {
					if _, err := runner.Exec(ctx, s, bench.SourceDDL(table, duckdbTestStream)); err != nil {
						t.Fatal(err)
					}
					created[table] = true
				}
			}
			want, err := runner.QueryChecksum(ctx, s, q.SQL)
			if err != nil {
				t.Fatal(err)
			}
			text, err := duckDBSQL(q)
			if err != nil {
				t.Fatal(err)
			}
			r, err := runQuery(ctx, conn, text)
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			got := r.checksum()
			if want.Rows == 0 {
				t.Fatalf("runnel's %s has no rows: the stream checks nothing", name)
			}
			t.Logf("%s: runnel %v, DuckDB %v", name, want, got)
			if !got.Equal(want) {
				t.Errorf("DuckDB's %s: checksum %v, runnel's %v\n%s", name, got, want, text)
			}
		})
	}
}

// duckdbTestConn is a connection to a new in-memory DuckDB database.
func duckdbTestConn(t *testing.T) *sql.Conn {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
