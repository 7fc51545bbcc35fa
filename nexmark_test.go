package runnel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runneldb/runnel/bench"
	"github.com/runneldb/runnel/vector"
)

// nexmarkOpen opens a DB that checkpoints every 10 ms: a view's aggregates
// show their latest values at checkpoints.
func nexmarkOpen(t *testing.T, dir string) (*DB, *Session) {
	return openDB(t, dir, Options{Partitions: 2, CheckpointInterval: 10 * time.Millisecond})
}

// nexmarkAwait waits until the rows of sql are want (sorted).
func nexmarkAwait(t *testing.T, s *Session, when, sql string, want []string) {
	t.Helper()
	eventually(t, func() string {
		if got := rowsOf(t, s, sql); !slices.Equal(got, want) {
			return fmt.Sprintf("%s: %s: got %v, want %v", when, sql, got, want)
		}
		return ""
	})
}

// TestNexmarkViews reads the three tables of a Nexmark stream of 10,000
// events into materialized views. By the spec's 1:3:46 rule the stream is
// 200 epochs of 50 events: 200 persons (ids 1000 .. 1199), 600 auctions
// (ids 1000 .. 1599) and 9,200 bids. Without a rate, event e is at
// base + e · 100 µs, so each 100 ms window holds 1,000 events: 20 epochs,
// 920 bids. The bounded generators finish the views, and restarts, the
// first while the views may still be reading, count nothing twice.
func TestNexmarkViews(t *testing.T) {
	dir := t.TempDir()
	db, s := nexmarkOpen(t, dir)
	defer func() { db.Close() }()
	for _, sql := range []string{
		`CREATE TABLE person (id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR,
			state VARCHAR, date_time TIMESTAMP, extra VARCHAR)
			WITH (connector = 'nexmark', type = 'source', "table" = 'person', events = 10000, event_time_field = 'date_time')`,
		`CREATE TABLE auction (id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT,
			date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR)
			WITH (connector = 'nexmark', type = 'source', "table" = 'auction', events = 10000, event_time_field = 'date_time')`,
		`CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
			date_time TIMESTAMP, extra VARCHAR)
			WITH (connector = 'nexmark', type = 'source', "table" = 'bid', events = 10000, event_time_field = 'date_time')`,
		`CREATE MATERIALIZED VIEW persons AS SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM person`,
		`CREATE MATERIALIZED VIEW auctions AS SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM auction`,
		`CREATE MATERIALIZED VIEW bids AS SELECT count(*) AS n FROM bid`,
		`CREATE MATERIALIZED VIEW per_auction AS SELECT auction, window_start, count(*) AS n
			FROM TUMBLE(bid, date_time, INTERVAL '100 milliseconds') GROUP BY auction, window_start`,
	} {
		run(t, s, sql)
	}
	if got := rowsOf(t, s, "SELECT count(*) FROM bid"); !slices.Equal(got, []string{"9200"}) {
		t.Errorf("SELECT count(*) FROM bid: %v, want 9200", got)
	}
	windows := []string{"2024-01-01 00:00:00|920"}
	for w := 1; w < 10; w++ {
		windows = append(windows, fmt.Sprintf("2024-01-01 00:00:00.%d|920", w))
	}
	slices.Sort(windows) // as rowsOf sorts
	for _, when := range []string{"after a restart", "after a second restart"} {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db, s = nexmarkOpen(t, dir)
		for _, v := range []string{"persons", "auctions", "bids", "per_auction"} {
			jobAwait(t, s, "SHOW MATERIALIZED VIEWS", v, "finished")
		}
		nexmarkAwait(t, s, when, "SELECT * FROM persons", []string{"200|1000|1199"})
		nexmarkAwait(t, s, when, "SELECT * FROM auctions", []string{"600|1000|1599"})
		nexmarkAwait(t, s, when, "SELECT * FROM bids", []string{"9200"})
		nexmarkAwait(t, s, when, "SELECT window_start::text, sum(n)::bigint FROM per_auction GROUP BY window_start", windows)
		nexmarkAwait(t, s, when, "SELECT count(*) FROM per_auction WHERE auction NOT BETWEEN 1000 AND 1599", []string{"0"})
	}
}

// TestNexmarkJoinsForget checks that the joins of q4, q5, q7 and q8 are
// on event time, so that their state is forgotten as the watermark
// passes: q5 and q8 equate windows, q7 bounds a bid's time by its window's
// end (in WHERE, which an inner join's condition may be in), q4 a bid's by
// its auction's time from below (its upper bound, a.expires, is no event
// time: auctions are kept); and that q3's join,
// which keeps its inputs, keeps only the rows its WHERE lets through.
func TestNexmarkJoinsForget(t *testing.T) {
	_, s := openDB(t, t.TempDir(), Options{Partitions: 2})
	for _, k := range bench.TableNames {
		run(t, s, bench.SourceDDL(k, bench.Stream{Events: 1000}))
	}
	for name, want := range map[string]string{"q5": "window $", "q7": "interval $", "q8": "window $",
		"q4": "a left row until the right input ends, a right row until $"} {
		q, _ := bench.QueryNamed(name)
		plan := strings.Join(rowsOf(t, s, "EXPLAIN CREATE SINK x AS "+q.SQL+" WITH (connector = 'blackhole')"), "\n")
		join := plan[strings.Index(plan, "Join inner"):]
		if !strings.Contains(join, want) || strings.Contains(join[:strings.IndexByte(join, '\n')+1], "unbounded") {
			t.Errorf("%s: the join is not on event time (%q):\n%s", name, want, plan)
		}
	}
	q3, _ := bench.QueryNamed("q3")
	plan := planLines(t, s, "EXPLAIN CREATE SINK x AS "+q3.SQL+" WITH (connector = 'blackhole')")
	filters, below := 0, false
	for _, line := range plan { // a node, then its inputs
		below = below || strings.Contains(line, "Join inner")
		if below && strings.Contains(line, "Filter") {
			filters++
		}
	}
	if filters != 2 {
		t.Errorf("q3: %d filters below the join, want one per side:\n%s", filters, strings.Join(plan, "\n"))
	}
}

// planLines returns the lines of an EXPLAIN in their order.
func planLines(t *testing.T, s *Session, sql string) []string {
	t.Helper()
	res := run(t, s, sql)
	defer res.Rows.Close()
	var lines []string
	for {
		b, err := res.Rows.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			return lines
		}
		for i := range b.Len {
			lines = append(lines, vector.ValueAt(b.Cols[0], vector.Text, i).(string))
		}
	}
}
