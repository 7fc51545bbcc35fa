package runnel

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runneldb/runnel/bench"
	"github.com/runneldb/runnel/vector"
)

// explainOf returns the lines of EXPLAIN sql (sorted, as rowsOf sorts).
func explainOf(t *testing.T, s *Session, sql string) string {
	t.Helper()
	return strings.Join(rowsOf(t, s, "EXPLAIN "+sql), "\n")
}

// TestSourceColumnsExplain checks that continuous queries over Nexmark
// sources read from each only the columns they use and the event time:
// Nexmark q5 (bids per hopping window and auction), a sink of two
// columns, and SELECT *, which uses them all.
func TestSourceColumnsExplain(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{Partitions: 2})
	defer db.Close()
	for _, name := range bench.TableNames {
		run(t, s, bench.SourceDDL(name, bench.Stream{Events: 1000}))
	}
	q5, _ := bench.QueryNamed("q5")
	for _, c := range []struct{ sql, source string }{
		{"CREATE MATERIALIZED VIEW v AS " + q5.SQL, "Source public.bid (auction, date_time), event time $1 less 4s"},
		{"CREATE SINK k AS SELECT price, bidder FROM bid WITH (connector = 'blackhole')", "Source public.bid (bidder, price, date_time), event time $2 less 4s"},
		{"CREATE MATERIALIZED VIEW v AS SELECT * FROM bid", "Source public.bid, event time $5 less 4s"},
	} {
		if got := explainOf(t, s, c.sql); !strings.Contains(got, c.source+" [2 partitions] (state") {
			t.Errorf("EXPLAIN %s: no %q in\n%s", c.sql, c.source, got)
		}
	}
}

// TestSourceColumnsResults reads wide sources whose connectors read every
// column (a csv file, whose fields are positional, and a json file) in a
// windowed join, continuously and bounded: the orders that were the
// largest of their 10-second window, with their customer's tier.
func TestSourceColumnsResults(t *testing.T) {
	dir := t.TempDir()
	orders, customers := filepath.Join(dir, "orders.csv"), filepath.Join(dir, "customers.json")
	write := func(path string, lines ...string) {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(orders,
		`1,ann,"a note, with a comma",30,2024-01-01 00:00:01,x`,
		`2,bob,n2,50,2024-01-01 00:00:04,x`,
		`3,ann,n3,20,2024-01-01 00:00:09,x`,
		`4,cid,n4,70,2024-01-01 00:00:12,x`,
		`5,bob,n5,70,2024-01-01 00:00:15,x`,
		`6,ann,n6,10,2024-01-01 00:00:25,x`)
	write(customers,
		`{"name": "ann", "address": "1 long road", "tier": "gold", "since": 2019}`,
		`{"name": "bob", "address": "2 long road", "tier": "silver", "since": 2020}`,
		`{"name": "cid", "address": "3 long road", "tier": "bronze", "since": 2021}`)
	db, s := openDB(t, filepath.Join(dir, "db"), Options{Partitions: 2, CheckpointInterval: 10 * time.Millisecond})
	defer db.Close()
	run(t, s, `CREATE SOURCE orders (id INT, customer TEXT, note TEXT, amount INT, ts TIMESTAMP, extra TEXT,
		WATERMARK FOR ts AS ts - INTERVAL '2 seconds') WITH (connector = 'file', path = '`+orders+`', format = 'csv')`)
	run(t, s, `CREATE SOURCE customers (name TEXT, address TEXT, tier TEXT, since INT)
		WITH (connector = 'file', path = '`+customers+`', format = 'json')`)
	query := `SELECT o.id, c.tier, o.amount, m.window_end::text
		FROM orders o
		JOIN (SELECT max(amount) AS top, window_end FROM TUMBLE(orders, ts, INTERVAL '10 seconds') GROUP BY window_end) m
			ON o.amount = m.top AND o.ts >= m.window_end - INTERVAL '10 seconds' AND o.ts < m.window_end
		JOIN customers c ON c.name = o.customer`
	// [0 s, 10 s): 30, 50, 20; [10 s, 20 s): 70, 70; [20 s, 30 s): 10.
	want := []string{
		"2|silver|50|2024-01-01 00:00:10",
		"4|bronze|70|2024-01-01 00:00:20",
		"5|silver|70|2024-01-01 00:00:20",
		"6|gold|10|2024-01-01 00:00:30",
	}
	plan := explainOf(t, s, "CREATE MATERIALIZED VIEW top_orders AS "+query)
	for _, source := range []string{"Source public.orders (id, customer, amount, ts), event time $3",
		"Source public.orders (amount, ts), event time $1", "Source public.customers (name, tier) ["} {
		if !strings.Contains(plan, source) {
			t.Errorf("no %q in\n%s", source, plan)
		}
	}
	if got := rowsOf(t, s, query); !slices.Equal(got, want) {
		t.Errorf("SELECT: %q, want %q", got, want)
	}
	run(t, s, "CREATE MATERIALIZED VIEW top_orders AS "+query)
	jobAwait(t, s, "SHOW MATERIALIZED VIEWS", "top_orders", "finished")
	nexmarkAwait(t, s, "continuously", "SELECT * FROM top_orders", want)
}

// TestSourceColumnsNexmark runs Nexmark q4, q5 and q7 as views that read
// only the columns they use and as views that read every column (from a
// WITH query selecting *), and requires the same rows.
func TestSourceColumnsNexmark(t *testing.T) {
	db, s := nexmarkOpen(t, t.TempDir())
	defer db.Close()
	for _, name := range bench.TableNames {
		run(t, s, bench.SourceDDL(name, bench.Stream{Events: 100000, Partitions: 2}))
	}
	every := "WITH bid AS (SELECT * FROM public.bid), auction AS (SELECT * FROM public.auction) "
	if plan := explainOf(t, s, "CREATE MATERIALIZED VIEW x AS "+every+"SELECT auction FROM bid"); !strings.Contains(plan, "Source public.bid, event time") {
		t.Fatalf("a WITH query selecting * narrows its source:\n%s", plan)
	}
	for _, name := range []string{"q4", "q5", "q7"} {
		q, _ := bench.QueryNamed(name)
		run(t, s, "CREATE MATERIALIZED VIEW narrow_"+name+" AS "+q.SQL)
		run(t, s, "CREATE MATERIALIZED VIEW every_"+name+" AS "+every+q.SQL)
		jobAwait(t, s, "SHOW MATERIALIZED VIEWS", "narrow_"+name, "finished")
		jobAwait(t, s, "SHOW MATERIALIZED VIEWS", "every_"+name, "finished")
		want := rowsOf(t, s, "SELECT * FROM every_"+name)
		if len(want) == 0 {
			t.Fatalf("%s: no rows", name)
		}
		nexmarkAwait(t, s, name, "SELECT * FROM narrow_"+name, want)
	}
}

// TestSourceColumnsShapes runs queries of many shapes over csv sources
// twice: reading only the columns they use, and reading every column
// (the sources behind WITH queries selecting *). The rows, or the errors,
// must be the same.
func TestSourceColumnsShapes(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	for path, data := range map[string]string{
		a: "1,a,n1,5,2024-01-01 00:00:01,w1\n2,b,n2,2,2024-01-01 00:00:03,\n3,a,,7,2024-01-01 00:00:12,w3\n" +
			"4,c,n4,2,2024-01-01 00:00:15,w4\n5,,n5,4,2024-01-01 00:00:21,\n2,b,n2,2,2024-01-01 00:00:22,w6\n",
		b: "1,a,10\n2,b,1\n4,c,3\n4,x,9\n7,a,2\n",
	} {
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, s := openDB(t, filepath.Join(dir, "db"), Options{Partitions: 2})
	defer db.Close()
	run(t, s, `CREATE SOURCE src (k INT, name TEXT, note TEXT, v INT, ts TIMESTAMP, w TEXT,
		WATERMARK FOR ts AS ts - INTERVAL '1 second') WITH (connector = 'file', path = '`+a+`', format = 'csv')`)
	run(t, s, `CREATE SOURCE src2 (k INT, name TEXT, x INT) WITH (connector = 'file', path = '`+b+`', format = 'csv')`)
	every := "WITH src AS (SELECT * FROM public.src), src2 AS (SELECT * FROM public.src2) "
	for _, q := range []string{
		"SELECT name FROM src ORDER BY v DESC, k LIMIT 3",
		"SELECT DISTINCT ON (name) name, v FROM src ORDER BY name, ts DESC",
		"SELECT k, rank() OVER (PARTITION BY name ORDER BY v) FROM src",
		"SELECT v % 3 AS g, count(*) FROM src GROUP BY 1 HAVING count(*) > 1",
		// name is ambiguous in the join: GROUP BY name is the select list's.
		"SELECT v + 1 AS name, max(note) FROM src JOIN src2 ON src.k = src2.k GROUP BY name",
		"SELECT x FROM src NATURAL JOIN src2",
		"SELECT x FROM src JOIN src2 USING (k)",
		"SELECT a.k, b.v FROM src a JOIN src b ON a.k = b.v",
		"SELECT k FROM src s WHERE EXISTS (SELECT 1 FROM src2 WHERE src2.k = s.k AND src2.x > s.v)",
		"SELECT k, (SELECT max(x) FROM src2 WHERE src2.name = src.name) FROM src",
		"SELECT name FROM src WHERE k IN (SELECT k FROM src2) UNION SELECT name FROM src2",
		"SELECT y FROM src AS t (p, y)",
		"SELECT p.q FROM (src JOIN src2 ON src.k = src2.k) AS p (a, q)",
		"SELECT window_start, count(*) FROM TUMBLE(src, ts, INTERVAL '10 seconds') GROUP BY window_start",
		"SELECT t.k FROM TUMBLE(src, ts, INTERVAL '10 seconds') AS t (k)",
		"SELECT count(*) FROM src",
		"SELECT src.* FROM src JOIN src2 ON src.k = src2.k",
		"SELECT unnest(ARRAY[k, v]) FROM src",
		"SELECT k FROM src ORDER BY w NULLS FIRST, k",
		"SELECT name, string_agg(note, ',' ORDER BY k) FROM src GROUP BY name",
		"SELECT s.k, s2.x FROM src s LEFT JOIN src2 s2 ON s.k = s2.k AND s2.name = s.name",
		"SELECT k FROM src s WHERE NOT EXISTS (SELECT 1 FROM src2 WHERE src2.k = s.k)",
		"SELECT k AS name FROM src GROUP BY name",
		"SELECT k FROM src, src2 WHERE src.k = src2.x",
	} {
		got, err := rowsOrError(s, q)
		want, wantErr := rowsOrError(s, every+q)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q, %v\nwant %q, %v", q, got, err, want, wantErr)
		}
	}
}

// rowsOrError runs a query and renders its rows as text, sorted, or
// returns its error.
func rowsOrError(s *Session, sql string) ([]string, error) {
	stmts, err := s.Parse(sql)
	if err != nil {
		return nil, err
	}
	p, err := s.Prepare(stmts[0], nil)
	if err != nil {
		return nil, err
	}
	res, err := s.Execute(context.Background(), p, nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		b, err := res.Rows.Next(context.Background())
		if err != nil {
			return nil, err
		}
		if b == nil {
			slices.Sort(out)
			return out, nil
		}
		for i := 0; i < b.Len; i++ {
			vals := make([]string, len(b.Cols))
			for c, col := range b.Cols {
				vals[c] = "NULL"
				if !col.IsNull(i) {
					vals[c] = vector.FormatDatum(vector.ValueAt(col, res.Columns[c].Type, i), res.Columns[c].Type, nil)
				}
			}
			out = append(out, strings.Join(vals, "|"))
		}
	}
}
