package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/lib/pq"
	"github.com/runneldb/runnel/sqllogictest/testserver"
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

func TestPgxTypesRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := pgxConn(t)
	if _, err := c.Exec(ctx, allTypesDDL); err != nil {
		t.Fatal(err)
	}
	want := allTypesRow()
	if _, err := c.Exec(ctx, `INSERT INTO all_types VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`, want...); err != nil {
		t.Fatal(err)
	}
	nulls := make([]any, len(want))
	if _, err := c.Exec(ctx, `INSERT INTO all_types VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`, nulls...); err != nil {
		t.Fatal(err)
	}
	rows, err := c.Query(ctx, `SELECT * FROM all_types ORDER BY b NULLS LAST`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d rows, want 2", len(got))
	}
	for i, w := range want {
		g := got[0][i]
		if tm, ok := g.(time.Time); ok {
			g = tm.UTC()
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("column %d: got %#v, want %#v", i+1, g, w)
		}
		if got[1][i] != nil {
			t.Errorf("column %d of the NULL row: got %#v", i+1, got[1][i])
		}
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
