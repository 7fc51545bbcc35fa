package clients_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/runneldb/runnel/sqllogictest/testserver"
)

// pgbenchPointSelect is pgbench's script: one point SELECT of the view by
// a random key, prepared once per connection (-M prepared).
const pgbenchPointSelect = `\set k random(1, 10000)
SELECT k, n, total FROM bench_totals WHERE k = :k;
`

// pgbenchTPS finds the transactions per second in pgbench's report.
var pgbenchTPS = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// BenchmarkPgbenchPointSelect runs pgbench with 100 clients on 2 threads,
// for 10 s, each transaction one point SELECT on a materialized view of
// 10 K groups, and reports the queries per second. It needs pgbench
// (Debian's postgresql-contrib).
func BenchmarkPgbenchPointSelect(b *testing.B) {
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		b.Skip("pgbench is not installed")
	}
	ctx := context.Background()
	url := testserver.Start(b)
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `CREATE TABLE bench_events (k int, v bigint)`); err != nil {
		b.Fatal(err)
	}
	rows := make([][]any, 100_000)
	for i := range rows {
		rows[i] = []any{int32(i%10_000 + 1), int64(i)}
	}
	if _, err := c.CopyFrom(ctx, pgx.Identifier{"bench_events"}, []string{"k", "v"}, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Exec(ctx, `CREATE MATERIALIZED VIEW bench_totals AS SELECT k, count(*) AS n, sum(v) AS total FROM bench_events GROUP BY k`); err != nil {
		b.Fatal(err)
	}
	// Key 1 holds v = 0, 10000, …, 90000.
	var n, total int64
	if err := c.QueryRow(ctx, `SELECT n, total FROM bench_totals WHERE k = $1`, 1).Scan(&n, &total); err != nil || n != 10 || total != 450_000 {
		b.Fatalf("view row of key 1 = (%d, %d), %v; want (10, 450000)", n, total, err)
	}
	script := filepath.Join(b.TempDir(), "point_select.sql")
	if err := os.WriteFile(script, []byte(pgbenchPointSelect), 0o644); err != nil {
		b.Fatal(err)
	}
	var tps float64
	runs := 0
	for b.Loop() {
		runs++
		out, err := exec.Command(pgbench, "-n", "-c", "100", "-j", "2", "-M", "prepared", "-T", "10", "-f", script, url).CombinedOutput()
		m := pgbenchTPS.FindSubmatch(out)
		if err != nil || m == nil {
			b.Fatalf("pgbench: %v\n%s", err, out)
		}
		v, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			b.Fatal(err)
		}
		tps += v
	}
	b.ReportMetric(tps/float64(runs), "queries/s")
}
