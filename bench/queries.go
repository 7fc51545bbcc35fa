// Package bench holds what every runner of the Nexmark benchmark shares:
// the queries (as ../shared NEXMARK.md states them), the tables they read,
// the checksum by which results are compared, and the figures a run
// reports. runnel's own runner is bench/nexmark; bench/duckdb (a module of
// its own, so that the server never links DuckDB) runs some of the same
// queries as batch queries over the same events.
package bench

import (
	"fmt"
	"strings"
)

// Query is one Nexmark query.
type Query struct {
	// Name is q0, q1, …
	Name string
	// What says in a few words what the query computes.
	What string
	// Tables are the Nexmark tables the query reads, each as many times as
	// the query reads it (q5 reads bid twice).
	Tables []string
	// SQL is the query in runnel's (Postgres) dialect.
	SQL string
}

// Queries are the Nexmark queries runnel runs, in order.
var Queries = []Query{
	{Name: "q0", What: "pass-through", Tables: []string{"bid"},
		SQL: `SELECT auction, bidder, price, date_time FROM bid`},
	{Name: "q1", What: "currency conversion", Tables: []string{"bid"},
		SQL: `SELECT auction, bidder, 0.908 * price AS price, date_time FROM bid`},
	{Name: "q2", What: "selection", Tables: []string{"bid"},
		SQL: `SELECT auction, price FROM bid WHERE auction % 123 = 0`},
	{Name: "q3", What: "local item suggestion (join)", Tables: []string{"auction", "person"},
		SQL: `SELECT p.name, p.city, p.state, a.id
FROM auction a JOIN person p ON a.seller = p.id
WHERE a.category = 10 AND p.state IN ('OR', 'ID', 'CA')`},
	{Name: "q4", What: "average price per category (join, nested aggregate, updating)", Tables: []string{"auction", "bid"},
		SQL: `SELECT q.category, avg(q.final) AS avg
FROM (SELECT max(b.price) AS final, a.category
      FROM auction a JOIN bid b ON a.id = b.auction
      WHERE b.date_time BETWEEN a.date_time AND a.expires
      GROUP BY a.id, a.category) q
GROUP BY q.category`},
	{Name: "q5", What: "hot items (hop window, max per window)", Tables: []string{"bid", "bid"},
		SQL: `SELECT ab.auction, ab.num
FROM (SELECT auction, count(*) AS num, window_start AS starttime
      FROM HOP(bid, date_time, INTERVAL '2 seconds', INTERVAL '10 seconds')
      GROUP BY window_start, auction) ab
JOIN (SELECT max(cb.num) AS maxn, cb.starttime_c
      FROM (SELECT count(*) AS num, window_start AS starttime_c
            FROM HOP(bid, date_time, INTERVAL '2 seconds', INTERVAL '10 seconds')
            GROUP BY auction, window_start) cb
      GROUP BY cb.starttime_c) mb
ON ab.starttime = mb.starttime_c AND ab.num >= mb.maxn`},
	{Name: "q7", What: "highest bid per 10-second window", Tables: []string{"bid", "bid"},
		SQL: `SELECT b.auction, b.price, b.bidder, b.date_time
FROM bid b
JOIN (SELECT max(price) AS maxprice, window_end AS date_time
      FROM TUMBLE(bid, date_time, INTERVAL '10 seconds')
      GROUP BY window_end) b1 ON b.price = b1.maxprice
WHERE b.date_time BETWEEN b1.date_time - INTERVAL '10 seconds' AND b1.date_time`},
	{Name: "q8", What: "new users who opened an auction in the same 10-second window", Tables: []string{"person", "auction"},
		SQL: `SELECT p.id, p.name, p.starttime
FROM (SELECT id, name, window_start AS starttime, window_end AS endtime
      FROM TUMBLE(person, date_time, INTERVAL '10 seconds')
      GROUP BY id, name, window_start, window_end) p
JOIN (SELECT seller, window_start AS starttime, window_end AS endtime
      FROM TUMBLE(auction, date_time, INTERVAL '10 seconds')
      GROUP BY seller, window_start, window_end) a
ON p.id = a.seller AND p.starttime = a.starttime AND p.endtime = a.endtime`},
}

// QueryNamed returns the query called name.
func QueryNamed(name string) (Query, bool) {
	for _, q := range Queries {
		if q.Name == name {
			return q, true
		}
	}
	return Query{}, false
}

// TableColumns are the columns of each Nexmark table, as NEXMARK.md lists
// them.
var TableColumns = map[string]string{
	"person": "id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, state VARCHAR, " +
		"date_time TIMESTAMP, extra VARCHAR",
	"auction": "id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT, " +
		"date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR",
	"bid": "auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR",
}

// TableNames are the Nexmark tables in the order they are created.
var TableNames = []string{"person", "auction", "bid"}

// Stream says which Nexmark stream a run reads: every runner generating
// the same Stream sees the same events.
type Stream struct {
	// Events is the number of events of the stream, of every kind.
	Events int64 `json:"events"`
	// Seed chooses the stream (0 by default).
	Seed int64 `json:"seed"`
	// Partitions is the number of splits the generator produces.
	Partitions int `json:"partitions"`
}

// SourceDDL is the statement that creates Nexmark table name over stream
// s as a source with the watermark of NEXMARK.md.
func SourceDDL(name string, s Stream) string {
	return fmt.Sprintf(`CREATE SOURCE %s (%s, WATERMARK FOR date_time AS date_time - INTERVAL '4 seconds')
WITH (connector = 'nexmark', "table" = '%s', events = %d, seed = %d, partitions = %d)`,
		name, TableColumns[name], name, s.Events, s.Seed, max(s.Partitions, 1))
}

// Names lists the names of qs.
func Names(qs []Query) string {
	var names []string
	for _, q := range qs {
		names = append(names, q.Name)
	}
	return strings.Join(names, ",")
}
