package clients_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/runneldb/runnel/sqllogictest/testserver"
)

// The SQL of Grafana's PostgreSQL data source (Grafana 10 and 11), written
// from its source: the frontend's postgresMetaQuery.ts (version check,
// TimescaleDB check, table and column listing of the query builder) and
// the backend's macros.go ($__timeFilter, $__timeGroupAlias). Grafana runs
// all of them as raw SQL through its backend: with lib/pq, which sends a
// query without arguments in the simple protocol, up to Grafana 11, and
// with pgx from Grafana 12.
const (
	// grafanaTestQuery is what "Save & test" runs, after the ping.
	grafanaTestQuery = `SELECT 1`
	// grafanaPing is lib/pq's Ping.
	grafanaPing         = `;`
	grafanaVersionQuery = `SELECT current_setting('server_version_num')::int/100 as version`
	grafanaTimescaleDB  = `SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`
	grafanaTables       = `select quote_ident(table_name) as "table" from information_schema.tables
    where quote_ident(table_schema) not in ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
      and
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )`
	// grafanaColumns lists the columns of one table (the query builder
	// quotes the name it interpolates).
	grafanaColumns = `select quote_ident(column_name) as "column", data_type as "type"
    from information_schema.columns
    where quote_ident(table_name) = '%s'`
)

// grafanaTimeFilter is $__timeFilter(col) expanded for a dashboard's time
// range: Grafana writes the bounds as RFC 3339 UTC literals.
func grafanaTimeFilter(col string, from, to time.Time) string {
	return fmt.Sprintf("%s BETWEEN '%s' AND '%s'", col, from.UTC().Format(time.RFC3339Nano), to.UTC().Format(time.RFC3339Nano))
}

// grafanaRequest is one row of the requests table the dashboard reads.
type grafanaRequest struct {
	host string
	at   time.Time
}

// grafanaRequests makes 600 requests, one every 7 s from 10:00 on
// 2026-11-24 (UTC), from hosts a, b and c in turn.
func grafanaRequests() []grafanaRequest {
	base := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var rs []grafanaRequest
	for i := range 600 {
		rs = append(rs, grafanaRequest{host: string(rune('a' + i%3)), at: base.Add(time.Duration(i) * 7 * time.Second)})
	}
	return rs
}

// sortedStrings returns the first column of rows, sorted: the listing
// queries have no ORDER BY.
func sortedStrings(t *testing.T, rows pgx.Rows) []string {
	t.Helper()
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	return got
}

// TestGrafana runs what Grafana's PostgreSQL data source sends — the
// connection check, the version checks, the table and column listing and
// time series over a materialized view with $__timeFilter — in both of
// the ways Grafana sends it.
func TestGrafana(t *testing.T) {
	ctx := context.Background()
	url := testserver.Start(t)
	setup := connect(t, url)
	for _, stmt := range []string{
		`CREATE TABLE requests (host text, at timestamptz, latency_ms int)`,
		`CREATE MATERIALIZED VIEW requests_per_minute AS
			SELECT host, date_trunc('minute', at) AS minute, count(*) AS requests FROM requests GROUP BY host, date_trunc('minute', at)`,
		`CREATE VIEW requests_slow AS SELECT * FROM requests WHERE latency_ms > 400`,
	} {
		if _, err := setup.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	reqs := grafanaRequests()
	rows := make([][]any, len(reqs))
	for i, r := range reqs {
		rows[i] = []any{r.host, r.at, int32(i)}
	}
	if _, err := setup.CopyFrom(ctx, pgx.Identifier{"requests"}, []string{"host", "at", "latency_ms"}, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}

	// The dashboard's range, 10:10 to 10:20, bounds included.
	from := time.Date(2026, 11, 24, 10, 10, 0, 0, time.UTC)
	to := from.Add(10 * time.Minute)
	// A point of a series, as "time host value".
	point := func(at time.Time, host string, n int64) string {
		return fmt.Sprintf("%s %s %d", at.UTC().Format(time.RFC3339), host, n)
	}
	type series struct {
		time time.Time
		host string
	}
	perMinute := map[series]int64{}
	perFive := map[float64]float64{}
	for _, r := range reqs {
		minute := r.at.Truncate(time.Minute)
		if minute.Before(from) || minute.After(to) {
			continue
		}
		perMinute[series{time: minute, host: r.host}]++
		perFive[float64(minute.Unix()/300*300)]++
	}
	var wantSeries []string
	for s, n := range perMinute {
		wantSeries = append(wantSeries, point(s.time, s.host, n))
	}
	sort.Strings(wantSeries) // by time, then host: RFC 3339 UTC sorts as time does
	var wantBuckets [][2]float64
	for bucket, n := range perFive {
		wantBuckets = append(wantBuckets, [2]float64{bucket, n})
	}
	sort.Slice(wantBuckets, func(i, j int) bool { return wantBuckets[i][0] < wantBuckets[j][0] })

	for _, mode := range []struct {
		name string
		exec pgx.QueryExecMode
	}{
		{"simple protocol (lib/pq, Grafana 10 and 11)", pgx.QueryExecModeSimpleProtocol},
		{"extended protocol (pgx, Grafana 12)", pgx.QueryExecModeCacheStatement},
	} {
		t.Run(mode.name, func(t *testing.T) {
			cfg, err := pgx.ParseConfig(url)
			if err != nil {
				t.Fatal(err)
			}
			cfg.DefaultQueryExecMode = mode.exec
			c, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(ctx)

			t.Run("connection check", func(t *testing.T) {
				if err := c.Ping(ctx); err != nil {
					t.Errorf("pgx ping: %v", err)
				}
				if _, err := c.Exec(ctx, grafanaPing); err != nil {
					t.Errorf("lib/pq ping %q: %v", grafanaPing, err)
				}
				var one int32
				if err := c.QueryRow(ctx, grafanaTestQuery).Scan(&one); err != nil || one != 1 {
					t.Errorf("%s = %d, %v; want 1", grafanaTestQuery, one, err)
				}
			})
			t.Run("version", func(t *testing.T) {
				var version int32
				if err := c.QueryRow(ctx, grafanaVersionQuery).Scan(&version); err != nil || version/100 != 15 {
					t.Errorf("%s = %d, %v; want 15xx", grafanaVersionQuery, version, err)
				}
				rows, _ := c.Query(ctx, grafanaTimescaleDB)
				if got := sortedStrings(t, rows); len(got) != 0 {
					t.Errorf("%s = %v; want no rows", grafanaTimescaleDB, got)
				}
			})
			t.Run("table listing", func(t *testing.T) {
				// As in Postgres, information_schema.tables holds tables
				// and views, not materialized views.
				rows, _ := c.Query(ctx, grafanaTables)
				if got, want := sortedStrings(t, rows), []string{"requests", "requests_slow"}; !reflect.DeepEqual(got, want) {
					t.Errorf("tables = %v, want %v", got, want)
				}
			})
			t.Run("column listing", func(t *testing.T) {
				rows, err := c.Query(ctx, fmt.Sprintf(grafanaColumns, "requests"))
				if err != nil {
					t.Fatal(err)
				}
				got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
					var name, typ string
					err := r.Scan(&name, &typ)
					return name + " " + typ, err
				})
				if err != nil {
					t.Fatal(err)
				}
				sort.Strings(got)
				want := []string{"at timestamp with time zone", "host text", "latency_ms integer"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("columns = %q, want %q", got, want)
				}
			})
			t.Run("time series", func(t *testing.T) {
				// SELECT $__time(minute), host AS metric, requests AS value
				// FROM requests_per_minute WHERE $__timeFilter(minute) ORDER BY 1, 2
				q := `SELECT minute AS "time", host AS metric, requests AS value FROM requests_per_minute WHERE ` +
					grafanaTimeFilter("minute", from, to) + ` ORDER BY 1, 2`
				rows, _ := c.Query(ctx, q)
				got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
					var at time.Time
					var host string
					var n int64
					err := r.Scan(&at, &host, &n)
					return point(at, host, n), err
				})
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if !reflect.DeepEqual(got, wantSeries) {
					t.Errorf("%s:\ngot  %v\nwant %v", q, got, wantSeries)
				}
			})
			t.Run("time series grouped", func(t *testing.T) {
				// SELECT $__timeGroupAlias(minute, '5m'), sum(requests) AS requests
				// FROM requests_per_minute WHERE $__timeFilter(minute) GROUP BY 1 ORDER BY 1
				q := `SELECT floor(extract(epoch from minute)/300)*300 AS "time", sum(requests) AS requests FROM requests_per_minute WHERE ` +
					grafanaTimeFilter("minute", from, to) + ` GROUP BY 1 ORDER BY 1`
				rows, _ := c.Query(ctx, q)
				got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]float64, error) {
					var b [2]float64
					err := r.Scan(&b[0], &b[1])
					return b, err
				})
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				if !reflect.DeepEqual(got, wantBuckets) {
					t.Errorf("%s:\ngot  %v\nwant %v", q, got, wantBuckets)
				}
			})
		})
	}
}
