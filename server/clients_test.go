package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/lib/pq"
	"github.com/runneldb/runnel/sqllogictest/testserver"
	"golang.org/x/sync/errgroup"
)

// pgxConn connects pgx to a fresh in-process runnel. pgx's default mode
// prepares every statement and uses binary formats where it can.
func pgxConn(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, testserver.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	return c
}

// allTypes is a row with a value of every supported type, as pgx decodes
// it in binary format; the columns are declared in allTypesDDL.
const allTypesDDL = `CREATE TABLE all_types (b boolean, i2 smallint, i4 int, i8 bigint, f4 real, f8 double precision,
	n numeric(12,3), t text, vc varchar(10), by bytea, d date, tm time, ts timestamp, tz timestamptz, iv interval, j jsonb)`

func allTypesRow() []any {
	return []any{
		true, int16(-32768), int32(2147483647), int64(-9223372036854775808), float32(1.5), float64(-0.1),
		pgtype.Numeric{Int: big.NewInt(-123456789), Exp: -3, Valid: true}, "text ☃", "varchar", []byte{0, 1, 0xff},
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		pgtype.Time{Microseconds: (13*3600+45*60+6)*1e6 + 789, Valid: true},
		time.Date(2024, 2, 29, 13, 45, 6, 789012000, time.UTC),
		time.Date(2024, 2, 29, 11, 45, 6, 0, time.UTC),
		pgtype.Interval{Months: 14, Days: 3, Microseconds: 4*3600e6 + 5*60e6 + 6.5e6, Valid: true},
		map[string]any{"a": 1.0, "b": []any{"x", nil}},
	}
}

func TestPgxPreparedBatchCopyTx(t *testing.T) {
	ctx := context.Background()
	c := pgxConn(t)
	if _, err := c.Exec(ctx, `CREATE TABLE kv (k int PRIMARY KEY, v text)`); err != nil {
		t.Fatal(err)
	}
	// Prepared statement, executed by name several times.
	if _, err := c.Prepare(ctx, "ins", `INSERT INTO kv VALUES ($1, $2)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := c.Exec(ctx, "ins", i, "p"); err != nil {
			t.Fatal(err)
		}
	}
	// A batch: several statements in one round trip, one of them failing.
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO kv VALUES ($1, $2)`, 4, "batch")
	b.Queue(`SELECT count(*) FROM kv`)
	br := c.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := br.QueryRow().Scan(&n); err != nil || n != 4 {
		t.Fatalf("count in batch = %d, %v; want 4", n, err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	// COPY FROM STDIN (binary format).
	copied, err := c.CopyFrom(ctx, pgx.Identifier{"kv"}, []string{"k", "v"},
		pgx.CopyFromRows([][]any{{10, "c1"}, {11, nil}, {12, "c3"}}))
	if err != nil || copied != 3 {
		t.Fatalf("CopyFrom = %d, %v; want 3", copied, err)
	}
	// Transactions: a rolled-back write disappears, a committed one stays.
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM kv WHERE k < 10`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	tx, err = c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE kv SET v = $1 WHERE k = $2`, "committed", 11); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	rows, _ := c.Query(ctx, `SELECT k, v FROM kv ORDER BY k`)
	type kv struct {
		K int32
		V *string
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[kv])
	if err != nil {
		t.Fatal(err)
	}
	s := func(v string) *string { return &v }
	want := []kv{{1, s("p")}, {2, s("p")}, {3, s("p")}, {4, s("batch")}, {10, s("c1")}, {11, s("committed")}, {12, s("c3")}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
}

// allTypesInsert inserts one row of all_types with placeholders.
const allTypesInsert = `INSERT INTO all_types VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`

// expectAllTypesRows checks the rows of all_types read in mode: n copies of
// allTypesRow, then n rows of NULLs.
func expectAllTypesRows(t *testing.T, c *pgx.Conn, mode pgx.QueryExecMode, n int) {
	t.Helper()
	rows, err := c.Query(context.Background(), `SELECT * FROM all_types ORDER BY b NULLS LAST`, mode)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2*n {
		t.Fatalf("got %d rows, want %d", len(got), 2*n)
	}
	want := allTypesRow()
	for r, row := range got {
		for i, g := range row {
			if tm, ok := g.(time.Time); ok {
				g = tm.UTC()
			}
			if w := want[i]; r < n && !reflect.DeepEqual(g, w) {
				t.Errorf("row %d column %d: got %#v, want %#v", r+1, i+1, g, w)
			}
			if r >= n && g != nil {
				t.Errorf("row %d column %d: got %#v, want NULL", r+1, i+1, g)
			}
		}
	}
}

// TestPgxExecModes writes and reads every type in each of pgx's ways of
// running a statement: prepared and cached (binary), described then
// executed, unnamed with text parameters, and the simple protocol (values
// interpolated as literals, results in text).
func TestPgxExecModes(t *testing.T) {
	for _, mode := range []pgx.QueryExecMode{
		pgx.QueryExecModeCacheStatement, pgx.QueryExecModeCacheDescribe, pgx.QueryExecModeDescribeExec,
		pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol,
	} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			c := pgxConn(t)
			if _, err := c.Exec(ctx, allTypesDDL); err != nil {
				t.Fatal(err)
			}
			args := append([]any{mode}, allTypesRow()...)
			if mode == pgx.QueryExecModeExec || mode == pgx.QueryExecModeSimpleProtocol {
				// Without the statement's parameter types pgx has no
				// encoding of a map: the jsonb goes as its text.
				args[len(args)-1] = `{"a": 1, "b": ["x", null]}`
			}
			if _, err := c.Exec(ctx, allTypesInsert, args...); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Exec(ctx, allTypesInsert, append([]any{mode}, make([]any, len(args)-1)...)...); err != nil {
				t.Fatal(err)
			}
			expectAllTypesRows(t, c, mode, 1)
		})
	}
}

// TestPgxCopyFromAllTypes copies every type in binary COPY format, NULLs
// included.
func TestPgxCopyFromAllTypes(t *testing.T) {
	ctx := context.Background()
	c := pgxConn(t)
	if _, err := c.Exec(ctx, allTypesDDL); err != nil {
		t.Fatal(err)
	}
	cols := []string{"b", "i2", "i4", "i8", "f4", "f8", "n", "t", "vc", "by", "d", "tm", "ts", "tz", "iv", "j"}
	rows := [][]any{allTypesRow(), allTypesRow(), make([]any, len(cols)), make([]any, len(cols))}
	n, err := c.CopyFrom(ctx, pgx.Identifier{"all_types"}, cols, pgx.CopyFromRows(rows))
	if err != nil || n != 4 {
		t.Fatalf("CopyFrom = %d, %v; want 4", n, err)
	}
	expectAllTypesRows(t, c, pgx.QueryExecModeCacheStatement, 2)
}

// TestPgxBatchImplicitTransaction: a batch is sent with one Sync, so it
// runs as one implicit transaction; a failing statement rolls back the
// statements before it and skips those after, and the connection goes on.
func TestPgxBatchImplicitTransaction(t *testing.T) {
	ctx := context.Background()
	c := pgxConn(t)
	if _, err := c.Exec(ctx, `CREATE TABLE batch_t (k int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO batch_t VALUES ($1)`, 1)
	b.Queue(`INSERT INTO batch_t VALUES ($1)`, 1)
	b.Queue(`INSERT INTO batch_t VALUES ($1)`, 2)
	br := c.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		t.Fatalf("first insert: %v", err)
	}
	var pgErr *pgconn.PgError
	if _, err := br.Exec(); !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("duplicate insert: %v, want SQLSTATE 23505", err)
	}
	if _, err := br.Exec(); err == nil {
		t.Error("the statement after the failure ran")
	}
	br.Close()
	var n int64
	if err := c.QueryRow(ctx, `SELECT count(*) FROM batch_t`).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows after the failed batch = %d, %v; want 0", n, err)
	}
}

// TestPgxConcurrentSessions runs sessions at once, each writing and
// reading its own keys in transactions, and checks that they all landed.
func TestPgxConcurrentSessions(t *testing.T) {
	ctx := context.Background()
	url := testserver.Start(t)
	const workers, perWorker = 8, 25
	conns := make([]*pgx.Conn, workers)
	for w := range conns {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		conns[w] = c
	}
	if _, err := conns[0].Exec(ctx, `CREATE TABLE conc_t (worker int, i int, PRIMARY KEY (worker, i))`); err != nil {
		t.Fatal(err)
	}
	var g errgroup.Group
	for w, c := range conns {
		g.Go(func() error {
			for i := range perWorker {
				err := pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
					if _, err := tx.Exec(ctx, `INSERT INTO conc_t VALUES ($1, $2)`, w, i); err != nil {
						return err
					}
					var n int
					if err := tx.QueryRow(ctx, `SELECT count(*) FROM conc_t WHERE worker = $1`, w).Scan(&n); err != nil {
						return err
					}
					if n != i+1 {
						return fmt.Errorf("worker %d sees %d of its rows after inserting %d", w, n, i+1)
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	var n, sum int64
	if err := conns[0].QueryRow(ctx, `SELECT count(*), sum(i) FROM conc_t`).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if want := int64(workers * perWorker * (perWorker - 1) / 2); n != workers*perWorker || sum != want {
		t.Errorf("count, sum = %d, %d; want %d, %d", n, sum, workers*perWorker, want)
	}
}

// TestLibPQTypes writes every type with lib/pq (text parameters whose
// types the server infers) and reads them back in text.
func TestLibPQTypes(t *testing.T) {
	db, err := sql.Open("postgres", testserver.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(allTypesDDL); err != nil {
		t.Fatal(err)
	}
	tz := time.Date(2024, 2, 29, 11, 45, 6, 0, time.UTC)
	in := []any{true, -32768, 2147483647, int64(-9223372036854775808), 1.5, -0.1, "-123456.789", "text ☃", "varchar",
		[]byte{0, 1, 0xff}, "2024-02-29", "13:45:06.000789", "2024-02-29 13:45:06.789012", tz,
		"1 year 2 mons 3 days 04:05:06.5", `{"b": ["x", null], "a": 1}`}
	if _, err := db.Exec(allTypesInsert, in...); err != nil {
		t.Fatal(err)
	}
	var (
		b                bool
		i2, i4, i8       int64
		f4, f8           float64
		n, txt, vc       string
		by               []byte
		d, tm, ts, tzOut time.Time
		iv, j            string
	)
	err = db.QueryRow(`SELECT * FROM all_types`).Scan(&b, &i2, &i4, &i8, &f4, &f8, &n, &txt, &vc, &by, &d, &tm, &ts, &tzOut, &iv, &j)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{b, i2, i4, i8, f4, f8, n, txt, vc, by, d.Format(time.DateOnly), tm.Format("15:04:05.999999"), ts.Format("2006-01-02 15:04:05.999999"), tzOut.UTC(), iv, j}
	// What PostgreSQL prints: jsonb sorts keys (shorter first) and spaces them.
	want := []any{true, int64(-32768), int64(2147483647), int64(-9223372036854775808), 1.5, -0.1, "-123456.789", "text ☃", "varchar",
		[]byte{0, 1, 0xff}, "2024-02-29", "13:45:06.000789", "2024-02-29 13:45:06.789012", tz,
		"1 year 2 mons 3 days 04:05:06.5", `{"a": 1, "b": ["x", null]}`}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("column %d: got %#v, want %#v", i+1, got[i], want[i])
		}
	}
}

func TestLibPQ(t *testing.T) {
	db, err := sql.Open("postgres", testserver.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE pq_t (id int PRIMARY KEY, name text, amount numeric(8,2), at timestamptz)`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	if _, err := db.Exec(`INSERT INTO pq_t VALUES ($1, $2, $3, $4)`, 1, "one", "1.50", at); err != nil {
		t.Fatal(err)
	}
	// A transaction with placeholders, then COPY inside another one.
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE pq_t SET name = $1 WHERE id = $2`, "uno", 1); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx, err = db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	st, err := tx.Prepare(pq.CopyIn("pq_t", "id", "name", "amount", "at"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]any{{2, "two", "2.25", at.Add(time.Hour)}, {3, nil, nil, nil}} {
		if _, err := st.Exec(r...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Exec(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT id, name, amount, at FROM pq_t WHERE id >= $1 ORDER BY id`, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type row struct {
		id     int
		name   sql.NullString
		amount sql.NullString
		at     sql.NullTime
	}
	var got []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.name, &r.amount, &r.at); err != nil {
			t.Fatal(err)
		}
		r.at.Time = r.at.Time.UTC()
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []row{
		{1, sql.NullString{String: "uno", Valid: true}, sql.NullString{String: "1.50", Valid: true}, sql.NullTime{Time: at, Valid: true}},
		{2, sql.NullString{String: "two", Valid: true}, sql.NullString{String: "2.25", Valid: true}, sql.NullTime{Time: at.Add(time.Hour), Valid: true}},
		{3, sql.NullString{}, sql.NullString{}, sql.NullTime{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %+v, want %+v", got, want)
	}
	// An error leaves the connection usable.
	var pqErr *pq.Error
	if _, err := db.Exec(`INSERT INTO pq_t VALUES ($1, $2, $3, $4)`, 1, "dup", nil, nil); !asPQ(err, &pqErr) || pqErr.Code != "23505" {
		t.Errorf("duplicate insert: %v, want SQLSTATE 23505", err)
	}
}

func asPQ(err error, target **pq.Error) bool {
	e, ok := err.(*pq.Error)
	if ok {
		*target = e
	}
	return ok
}

// TestPsql runs testdata/clients/script.sql with psql and compares its
// output with script.out, which PostgreSQL 15 produced for the same script.
func TestPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("psql is not installed; CI must run the psql client test")
		}
		t.Skip("psql is not installed")
	}
	dir := filepath.Join("testdata", "clients")
	want, err := os.ReadFile(filepath.Join(dir, "script.out"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-f", filepath.Join(dir, "script.sql"), testserver.Start(t))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("psql: %v\n%s\noutput so far:\n%s", err, stderr.Bytes(), got)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("psql output:\n%s\nwant:\n%s", got, want)
	}
}
