package runner

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/runneldb/runnel/bench"
)

// TestRunChecksEveryQuery runs every Nexmark query over a small stream as
// a pipeline: each result's checksum must equal the batch engine's (Run
// fails otherwise), and the figures must be filled in.
func TestRunChecksEveryQuery(t *testing.T) {
	rep, err := Run(context.Background(), Config{Queries: bench.Queries, Stream: bench.Stream{Events: 30_000},
		Parallelism: 2, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != len(bench.Queries) {
		t.Fatalf("%d results, want %d", len(rep.Results), len(bench.Queries))
	}
	for _, r := range rep.Results {
		if r.Check == "" || r.Seconds <= 0 || r.CPUSeconds <= 0 || r.PeakMemoryBytes <= 0 || r.LatencyP99Ms < r.LatencyP50Ms {
			t.Errorf("%s: incomplete result %+v", r.Query, r)
		}
	}
	// q0 passes every bid through: 46 of each 50 events.
	if r := rep.Results[0]; r.Query != "q0" || r.OutputRows != 30_000/50*46 {
		t.Errorf("q0 wrote %d rows, want %d", r.OutputRows, 30_000/50*46)
	}
	if len(rep.Generators) != 3 {
		t.Errorf("generators measured: %+v, want one per table", rep.Generators)
	}
}

// TestRunDetectsWrongResults checks that a result unlike the batch
// engine's fails the run: the pipeline reads one stream, the batch engine
// another.
func TestRunDetectsWrongResults(t *testing.T) {
	q, _ := bench.QueryNamed("q2")
	cfg := Config{Queries: []bench.Query{q}, Stream: bench.Stream{Events: 20_000}, Parallelism: 1, Dir: t.TempDir()}
	want, err := batchChecksum(context.Background(), cfg, q)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Stream.Seed = 7
	res, err := runOnce(context.Background(), cfg, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Checksum.Equal(want) {
		t.Fatalf("q2 over two different streams gave the same checksum %v", want)
	}
}

// TestViewsQueriedWhileRunning runs q5 and q4 as materialized views served
// on a port, and SELECTs from each view with pgx while its run is under
// way; at the end each view's contents equal the batch engine's answer.
func TestViewsQueriedWhileRunning(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var queried []string
	cfg := Config{Stream: bench.Stream{Events: 200_000}, Parallelism: 2, Views: true, Dir: t.TempDir(), Listen: addr,
		Progress: func(p Progress) {
			if p.Events >= p.Total || len(queried) > 0 && strings.HasPrefix(queried[len(queried)-1], p.Query+" ") {
				return
			}
			conn, err := pgx.Connect(context.Background(), "postgres://runnel@"+addr+"/runnel?sslmode=disable")
			if err != nil {
				t.Errorf("%s: connecting during the run: %v", p.Query, err)
				return
			}
			defer conn.Close(context.Background())
			rows, err := conn.Query(context.Background(), "SELECT * FROM nexmark_"+p.Query)
			if err != nil {
				t.Errorf("%s: SELECT during the run: %v", p.Query, err)
				return
			}
			n := 0
			for rows.Next() {
				n++
			}
			if err := rows.Err(); err != nil {
				t.Errorf("%s: SELECT during the run: %v", p.Query, err)
				return
			}
			queried = append(queried, p.Query+" during the run")
		}}
	for _, name := range []string{"q5", "q4"} {
		q, _ := bench.QueryNamed(name)
		cfg.Queries = append(cfg.Queries, q)
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(queried) != 2 {
		t.Errorf("views queried during their runs: %v, want q5 and q4", queried)
	}
	for _, r := range rep.Results {
		if r.Check == "" {
			t.Errorf("%s: unchecked", r.Query)
		}
	}
}
