package runnel

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/runneldb/runnel/vector"
)

// FuzzStatement runs arbitrary SQL through parse, prepare and execute. It
// must never panic, and every error must be a SQL error with a SQLSTATE.
func FuzzStatement(f *testing.F) {
	for _, s := range []string{
		"SELECT 1", "SELECT a, count(*) FROM t GROUP BY a ORDER BY 1 LIMIT 3",
		"INSERT INTO t VALUES (1, 'x'), (2, NULL)", "UPDATE t SET b = b || '!' WHERE a > 1",
		"DELETE FROM t WHERE a IN (SELECT a FROM t WHERE b IS NULL)",
		"SELECT * FROM t x JOIN t y ON x.a = y.a LEFT JOIN t z USING (a)",
		"SELECT CASE WHEN a > 0 THEN 1/a ELSE 0 END, a::text::int, 'x' LIKE '%' FROM t",
		"SELECT sum(a) FILTER (WHERE b <> ''), string_agg(b, ',') FROM t HAVING count(*) > 0",
		"SELECT * FROM generate_series(1, 10) g WHERE g % 2 = 0 UNION SELECT 3",
		"SET TimeZone = 'Europe/Paris'", "SHOW ALL", "BEGIN", "ROLLBACK",
		"SELECT '2024-01-01'::timestamptz + interval '1 day', date_trunc('hour', now())",
		"SELECT '{\"a\": [1, 2]}'::jsonb -> 'a' ->> 1", "SELECT 9223372036854775807 + 1",
		"CREATE TABLE u (k int PRIMARY KEY, v numeric(10,2) DEFAULT 1.5)",
		"INSERT INTO u VALUES (1) ON CONFLICT (k) DO UPDATE SET v = excluded.v + 1",
		"CREATE TABLE e (k text, ts timestamp, g int GENERATED ALWAYS AS (length(k)) STORED, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')",
		"CREATE MATERIALIZED VIEW w AS SELECT k, window_start, count(*) FROM TUMBLE(e, ts, INTERVAL '1 minute') GROUP BY k, window_start EMIT ON WINDOW CLOSE",
		"SELECT window.start, n FROM (SELECT hop(INTERVAL '1 second', INTERVAL '5 seconds') AS window, count(*) AS n FROM e GROUP BY window)",
		"CREATE SINK s AS SELECT k, ts FROM e WITH (connector = 'blackhole')",
		"CREATE PIPELINE p AS INSERT INTO t SELECT g, k FROM e", "DROP PIPELINE IF EXISTS p", "SHOW PIPELINES",
		"EXPLAIN CREATE PIPELINE p AS INSERT INTO t SELECT a, b FROM t",
		"CREATE SOURCE g (id bigint) WITH (connector = 'datagen', rows = 10)", "DROP SOURCE IF EXISTS g",
		"CREATE TABLE dg (id bigint) WITH (connector = 'datagen', rows = 10)", "SHOW SOURCES",
		"CREATE SOURCE k (v text, o bigint METADATA FROM 'offset') WITH (connector = 'kafka', topic = 't', \"bootstrap.servers\" = '127.0.0.1:1')",
		"BEGIN; DECLARE c CURSOR FOR SELECT 1; FETCH ALL c; CLOSE c", "SUBSCRIBE t WITH (SNAPSHOT = false) AS OF 0",
		"CREATE PIPELINE \"", "SELECT relname FROM pg_class WHERE relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default",
	} {
		f.Add(s)
	}
	db, err := Open(f.TempDir(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	setup, _ := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
	if err := execAll(setup, "CREATE TABLE t (a int, b text)"); err != nil {
		f.Fatal(err)
	}
	setup.Close()

	f.Fuzz(func(t *testing.T, sql string) {
		s, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := execAll(s, sql); err != nil {
			var ve *vector.Error
			if !errors.As(err, &ve) {
				t.Fatalf("%q: error without SQLSTATE: %v", sql, err)
			}
		}
	})
}

// execAll runs every statement of sql, reading at most a few thousand rows
// of each result, and returns the first error.
func execAll(s *Session, sql string) error {
	stmts, err := s.Parse(sql)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		p, err := s.Prepare(st, nil)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		res, err := s.Execute(ctx, p, make([]vector.Datum, len(p.ParamTypes)))
		if err == nil {
			err = drain(ctx, res)
		}
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

func drain(ctx context.Context, res *Result) error {
	switch {
	case res.Rows != nil:
		defer res.Rows.Close()
		for n := 0; n < 10000; {
			b, err := res.Rows.Next(ctx)
			if err != nil || b == nil {
				return err
			}
			n += b.Len
		}
	case res.CopyIn != nil:
		if err := res.CopyIn.Write([]byte("1\tx\n")); err != nil {
			res.CopyIn.Abort("fuzz")
			return err
		}
		_, err := res.CopyIn.Done()
		return err
	case res.CopyOut != nil:
		for {
			lines, err := res.CopyOut.Next(ctx)
			if err != nil || len(lines) == 0 {
				return err
			}
		}
	}
	return nil
}
