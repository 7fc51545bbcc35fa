package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/bench"
)

// TestDuckDBWindows checks the windows of the rewritten TUMBLE and HOP on
// bids at chosen times. By the windows' definition (aligned to the epoch,
// window_start <= t < window_end): a 10-second tumble puts 00:00:09.999999
// in [00:00:00, 00:00:10) and 00:00:10 in [00:00:10, 00:00:20); a hop of
// 10 seconds every 2 puts 00:00:03 in the five windows starting at
// 23:59:54, 23:59:56, 23:59:58, 00:00:00 and 00:00:02, and 00:00:04 in
// those starting at 23:59:56 … 00:00:04. 1969-12-31 23:59:59, before the
// epoch, is in [23:59:50, 00:00:00); a NULL time is in no window.
func TestDuckDBWindows(t *testing.T) {
	ctx := context.Background()
	conn := duckdbTestConn(t)
	for _, s := range []string{createBid, `INSERT INTO bid VALUES
		(1, 0, 0, TIMESTAMP '2024-01-01 00:00:09.999999'), (2, 0, 0, TIMESTAMP '2024-01-01 00:00:10'),
		(3, 0, 0, TIMESTAMP '2024-01-01 00:00:03'), (4, 0, 0, TIMESTAMP '2024-01-01 00:00:04'),
		(5, 0, 0, NULL), (6, 0, 0, TIMESTAMP '1969-12-31 23:59:59')`} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		call string
		want []string
	}{
		{`TUMBLE(bid, date_time, INTERVAL '10 seconds') WHERE auction IN (1, 2, 5, 6)`, []string{
			"1 00:00:00 00:00:10", "2 00:00:10 00:00:20", "6 23:59:50 00:00:00"}},
		{`HOP(bid, date_time, INTERVAL '2 seconds', INTERVAL '10 seconds') WHERE auction IN (3, 4, 5)`, []string{
			"3 00:00:00 00:00:10", "3 00:00:02 00:00:12", "3 23:59:54 00:00:04", "3 23:59:56 00:00:06", "3 23:59:58 00:00:08",
			"4 00:00:00 00:00:10", "4 00:00:02 00:00:12", "4 00:00:04 00:00:14", "4 23:59:56 00:00:06", "4 23:59:58 00:00:08"}},
	} {
		text, err := duckDBSQL(bench.Query{Name: "test",
			SQL: `SELECT auction, strftime(window_start, '%H:%M:%S'), strftime(window_end, '%H:%M:%S') FROM ` + c.call})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := conn.QueryContext(ctx, text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		var got []string
		for rows.Next() {
			var a, start, end string
			if err := rows.Scan(&a, &start, &end); err != nil {
				t.Fatal(err)
			}
			got = append(got, strings.Join([]string{a, start, end}, " "))
		}
		rows.Close()
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\ngot  %v\nwant %v", c.call, got, c.want)
		}
	}
}

// TestDuckDBSQLRefuses checks that window calls the rewrite cannot give
// runnel's windows for are errors rather than other windows.
func TestDuckDBSQLRefuses(t *testing.T) {
	for _, call := range []string{
		`HOP(bid, date_time, INTERVAL '3 seconds', INTERVAL '10 seconds')`,
		`HOP(bid, date_time, INTERVAL '2 seconds')`,
		`TUMBLE(bid, date_time, INTERVAL '1 month')`,
		`TUMBLE(bid, date_time, INTERVAL '10 seconds', INTERVAL '1 second')`,
		`HOP(bid, date_time, INTERVAL '2 seconds', INTERVAL '10 seconds', INTERVAL '1 second')`,
		`hop(bid, date_time, INTERVAL '2 seconds', INTERVAL '10 seconds')`,
	} {
		if text, err := duckDBSQL(bench.Query{Name: "test", SQL: "SELECT * FROM " + call}); err == nil {
			t.Errorf("%s: rewritten as %s, want an error", call, text)
		}
	}
}
