package runnel_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgproto3"
	_ "github.com/lib/pq"

	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/sqllogictest/testserver"
)

// Tests of SUBSCRIBE, COPY (SUBSCRIBE …) and cursors over the wire
// protocol, with pgx (extended and simple protocol), lib/pq and raw
// messages. The changes expected are derived from the writes made.

// subServer serves a fresh database whose subscriptions have the given
// limits, and returns its URL.
func subServer(t testing.TB, opts runnel.SubscribeOptions) string {
	t.Helper()
	return testserver.StartWith(t, testserver.Config{DB: runnel.Options{Subscribe: opts}})
}

// subConn connects with pgx, cancelling statements by CancelRequest when
// their context ends; simple selects the simple query protocol.
func subConn(t testing.TB, url string, simple bool) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 10 * time.Second}
	}
	if simple {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	}
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// mustExec runs statements, failing the test on error.
func mustExec(t testing.TB, conn *pgx.Conn, sqls ...string) {
	t.Helper()
	for _, s := range sqls {
		if _, err := conn.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// sqlState is the SQLSTATE of err, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// TestSubscribeWire streams a view's changes to pgx, over the extended
// and the simple protocol, while writers on other connections commit: the
// snapshot, then every change (each arriving without waiting for more
// writes), progress rows in between; a cancel ends it with 57014 and the
// connection goes on.
func TestSubscribeWire(t *testing.T) {
	for _, simple := range []bool{false, true} {
		t.Run(fmt.Sprintf("simple=%v", simple), func(t *testing.T) {
			url := subServer(t, runnel.SubscribeOptions{})
			admin := subConn(t, url, false)
			mustExec(t, admin, "CREATE TABLE t (k int PRIMARY KEY, v text)",
				"CREATE MATERIALIZED VIEW mv AS SELECT k, v FROM t", "INSERT INTO t VALUES (0, 'zero')")
			conn := subConn(t, url, simple)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rows, err := conn.Query(ctx, "SUBSCRIBE mv WITH (PROGRESS)")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range rows.FieldDescriptions() {
				names = append(names, f.Name)
			}
			if want := []string{"runnel_timestamp", "runnel_progressed", "runnel_diff", "k", "v"}; !slices.Equal(names, want) {
				t.Fatalf("columns %v, want %v", names, want)
			}
			// Writers commit one row at a time, then update their first.
			const writers, each = 3, 15
			want := []string{"+1 0 zero"}
			var wg sync.WaitGroup
			for w := 1; w <= writers; w++ {
				wc := subConn(t, url, false)
				for i := range each {
					want = append(want, fmt.Sprintf("+1 %d w%d-%d", w*100+i, w, i))
				}
				want = append(want, fmt.Sprintf("-1 %d w%d-0", w*100, w), fmt.Sprintf("+1 %d upd", w*100))
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						if _, err := wc.Exec(context.Background(), "INSERT INTO t VALUES ($1, $2)", w*100+i, fmt.Sprintf("w%d-%d", w, i)); err != nil {
							t.Error(err)
							return
						}
					}
					if _, err := wc.Exec(context.Background(), "UPDATE t SET v = 'upd' WHERE k = $1", w*100); err != nil {
						t.Error(err)
					}
				}()
			}
			var got []string
			var lastTS, progress int64
			for len(got) < len(want) && rows.Next() {
				var ts int64
				var prog bool
				var diff, k *int64
				var v *string
				if err := rows.Scan(&ts, &prog, &diff, &k, &v); err != nil {
					t.Fatal(err)
				}
				if ts < lastTS {
					t.Fatalf("timestamp %d after %d", ts, lastTS)
				}
				lastTS = ts
				if prog {
					if diff != nil || k != nil || v != nil {
						t.Fatalf("progress row with values")
					}
					progress = ts
					continue
				}
				if ts < progress {
					t.Fatalf("change at %d after progress %d", ts, progress)
				}
				got = append(got, fmt.Sprintf("%+d %d %s", *diff, *k, *v))
			}
			wg.Wait()
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("changes:\n got %v\nwant %v (err %v)", got, want, rows.Err())
			}
			cancel()
			for rows.Next() {
			}
			if code := sqlState(rows.Err()); code != "57014" {
				t.Fatalf("cancelled SUBSCRIBE: %v", rows.Err())
			}
			var one int
			if err := conn.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Fatalf("the connection after the cancel: %v", err)
			}
		})
	}
}

// TestSubscribeLibPQ streams with lib/pq: a change arrives once
// committed, and cancelling the context ends the statement.
func TestSubscribeLibPQ(t *testing.T) {
	url := subServer(t, runnel.SubscribeOptions{})
	admin := subConn(t, url, false)
	mustExec(t, admin, "CREATE TABLE t (k int)", "CREATE MATERIALIZED VIEW mv AS SELECT k FROM t")
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// lib/pq returns from Query at the first row: PROGRESS sends one at
	// once.
	rows, err := conn.QueryContext(ctx, "SUBSCRIBE mv WITH (SNAPSHOT = false, PROGRESS)")
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= 3; k++ {
		mustExec(t, admin, fmt.Sprintf("INSERT INTO t VALUES (%d)", k))
		for {
			if !rows.Next() {
				t.Fatalf("no change for insert %d: %v", k, rows.Err())
			}
			var ts int64
			var progress bool
			var diff, got sql.NullInt64
			if err := rows.Scan(&ts, &progress, &diff, &got); err != nil {
				t.Fatal(err)
			}
			if progress {
				continue
			}
			if diff.Int64 != 1 || got.Int64 != int64(k) {
				t.Fatalf("change %d: %v %v", k, diff, got)
			}
			break
		}
	}
	cancel()
	for rows.Next() {
	}
	if err := rows.Err(); !errors.Is(err, context.Canceled) && !strings.Contains(fmt.Sprint(err), "57014") {
		t.Fatalf("cancelled: %v", err)
	}
	// lib/pq drops a connection whose statement it cancelled.
	var one int
	if err := db.QueryRowContext(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("after the cancel: %v", err)
	}
}

// TestCopySubscribe reads COPY (SUBSCRIBE …) TO STDOUT: the CopyOut
// response and then each change arrive as they happen, as text lines; a
// cancel ends the copy with 57014.
func TestCopySubscribe(t *testing.T) {
	url := subServer(t, runnel.SubscribeOptions{})
	admin := subConn(t, url, false)
	mustExec(t, admin, "CREATE TABLE t (k int, v text)", "CREATE MATERIALIZED VIEW mv AS SELECT k, v FROM t",
		"INSERT INTO t VALUES (1, 'a b')")
	conn := subConn(t, url, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	copied := make(chan error, 1)
	go func() {
		_, err := conn.PgConn().CopyTo(ctx, pw, "COPY (SUBSCRIBE mv) TO STDOUT")
		pw.Close()
		copied <- err
	}()
	lines := bufio.NewScanner(pr)
	// Each line is timestamp, diff, k, v, tab-separated.
	expect := func(want string) {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("copy ended: %v", lines.Err())
		}
		f := strings.SplitN(lines.Text(), "\t", 2)
		if len(f) != 2 || f[1] != want {
			t.Fatalf("line %q, want …\t%s", lines.Text(), want)
		}
	}
	expect("1\t1\ta b")
	mustExec(t, admin, "INSERT INTO t VALUES (2, NULL)")
	expect("1\t2\t\\N")
	mustExec(t, admin, "DELETE FROM t WHERE k = 1")
	expect("-1\t1\ta b")
	cancel()
	go io.Copy(io.Discard, pr) //nolint:errcheck // drains the pipe until the copy ends
	if err := <-copied; sqlState(err) != "57014" {
		t.Fatalf("cancelled copy: %v", err)
	}
	var one int
	if err := conn.QueryRow(context.Background(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("the connection after the cancel: %v", err)
	}
}

// rawConn is a client speaking the protocol message by message.
type rawConn struct {
	nc net.Conn
	fe *pgproto3.Frontend
}

// rawConnect connects and completes the startup.
func rawConnect(t *testing.T, url string) *rawConn {
	t.Helper()
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &rawConn{nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	c.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "runnel", "database": "runnel"}})
	if err := c.fe.Flush(); err != nil {
		t.Fatal(err)
	}
	c.until(t, func(m pgproto3.BackendMessage) bool { _, ok := m.(*pgproto3.ReadyForQuery); return ok })
	return c
}

// until receives messages until done says so, and returns them.
func (c *rawConn) until(t *testing.T, done func(pgproto3.BackendMessage) bool) []pgproto3.BackendMessage {
	t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	var out []pgproto3.BackendMessage
	for {
		m, err := c.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok && e.Severity == "FATAL" {
			t.Fatalf("%s: %s", e.Code, e.Message)
		}
		out = append(out, m)
		if done(m) {
			return out
		}
	}
}

// TestSubscribeSlowClient stops reading a subscription (its socket's
// buffers fill) while another subscriber keeps up and a writer commits:
// the writer and the fast subscriber go on, and the slow subscription ends
// with 53400, which its client finds after the rows it had been sent.
func TestSubscribeSlowClient(t *testing.T) {
	url := subServer(t, runnel.SubscribeOptions{BufferRows: 5000})
	admin := subConn(t, url, false)
	mustExec(t, admin, "CREATE TABLE t (k int, pad text)", "CREATE MATERIALIZED VIEW mv AS SELECT k, pad FROM t")
	slow := rawConnect(t, url)
	slow.fe.Send(&pgproto3.Query{String: "SUBSCRIBE mv WITH (SNAPSHOT = false)"})
	if err := slow.fe.Flush(); err != nil {
		t.Fatal(err)
	}
	fast := subConn(t, url, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// pgx returns from Query at the first row: PROGRESS sends one at once.
	rows, err := fast.Query(ctx, "SUBSCRIBE mv WITH (SNAPSHOT = false, PROGRESS)")
	if err != nil {
		t.Fatal(err)
	}
	// 30 commits of 1000 rows of 1 KiB: far more than the socket buffers
	// and the subscription's 5000 rows hold. The writer keeps within three
	// commits of the fast subscriber.
	const commits, per = 30, 1000
	writer := subConn(t, url, false)
	wrote := make(chan error, 1)
	var read atomic.Int64
	go func() {
		for c := range commits {
			for read.Load() < int64((c-2)*per) {
				time.Sleep(time.Millisecond)
			}
			_, err := writer.Exec(context.Background(), "INSERT INTO t SELECT g, repeat('x', 1024) FROM generate_series($1::int, $2::int) g", c*per, c*per+per-1)
			if err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
	}()
	seen := make([]bool, commits*per)
	for n := 0; n < commits*per; {
		if !rows.Next() {
			t.Fatalf("fast subscriber after %d rows: %v", n, rows.Err())
		}
		var ts int64
		var progress bool
		var diff, k *int64
		var pad *string
		if err := rows.Scan(&ts, &progress, &diff, &k, &pad); err != nil {
			t.Fatal(err)
		}
		if progress {
			continue
		}
		if *diff != 1 || seen[*k] || len(*pad) != 1024 {
			t.Fatalf("row %d: %d %d", n, *diff, *k)
		}
		seen[*k] = true
		n++
		read.Store(int64(n))
	}
	cancel()
	rows.Close()
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	msgs := slow.until(t, func(m pgproto3.BackendMessage) bool { _, ok := m.(*pgproto3.ReadyForQuery); return ok })
	var data int
	var failed *pgproto3.ErrorResponse
	for _, m := range msgs {
		switch m := m.(type) {
		case *pgproto3.DataRow:
			data++
		case *pgproto3.ErrorResponse:
			failed = m
		}
	}
	if failed == nil || failed.Code != "53400" || data >= commits*per {
		t.Fatalf("slow subscriber: %d rows, then %+v", data, failed)
	}
}

// TestSubscribeResumeWire reconnects after reading part of the changes
// and resumes AS OF the last timestamp seen (a parameter of the extended
// protocol): exactly the changes committed since follow.
func TestSubscribeResumeWire(t *testing.T) {
	url := subServer(t, runnel.SubscribeOptions{})
	admin := subConn(t, url, false)
	mustExec(t, admin, "CREATE TABLE t (k int)", "CREATE MATERIALIZED VIEW mv AS SELECT k, count(*) AS n FROM t GROUP BY k",
		"INSERT INTO t VALUES (1), (2)")
	conn := subConn(t, url, false)
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := conn.Query(ctx, "SUBSCRIBE mv")
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	for n := 0; n < 2 && rows.Next(); n++ {
		var diff, k, cnt int64
		if err := rows.Scan(&last, &diff, &k, &cnt); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	rows.Close()
	conn.Close(context.Background()) // the client goes away
	mustExec(t, admin, "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (3)")

	conn = subConn(t, url, false)
	ctx, cancel = context.WithCancel(context.Background())
	rows, err = conn.Query(ctx, "SUBSCRIBE mv WITH (SNAPSHOT = false) AS OF $1", last)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	defer cancel() // before Close, which reads the statement to its end
	var got []string
	for len(got) < 3 && rows.Next() {
		var ts, diff, k, cnt int64
		if err := rows.Scan(&ts, &diff, &k, &cnt); err != nil {
			t.Fatal(err)
		}
		if ts <= last {
			t.Fatalf("change at %d, not after %d", ts, last)
		}
		got = append(got, fmt.Sprintf("%+d %d:%d", diff, k, cnt))
	}
	slices.Sort(got)
	if want := []string{"+1 1:2", "+1 3:1", "-1 1:1"}; !slices.Equal(got, want) {
		t.Fatalf("resumed: got %v, want %v (%v)", got, want, rows.Err())
	}
}

// TestCursorWire fetches a subscription through a cursor with pgx, and
// describes a cursor as a portal as psycopg does.
func TestCursorWire(t *testing.T) {
	url := subServer(t, runnel.SubscribeOptions{})
	conn := subConn(t, url, false)
	mustExec(t, conn, "CREATE TABLE t (k int)", "CREATE MATERIALIZED VIEW mv AS SELECT k FROM t", "INSERT INTO t VALUES (7)")
	tx, err := conn.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // ends the test's transaction
	if _, err := tx.Exec(context.Background(), "DECLARE c CURSOR FOR SUBSCRIBE mv"); err != nil {
		t.Fatal(err)
	}
	fetch := func(sql string) []int64 {
		t.Helper()
		rows, err := tx.Query(context.Background(), sql)
		if err != nil {
			t.Fatal(err)
		}
		var ks []int64
		for rows.Next() {
			var ts, diff, k int64
			if err := rows.Scan(&ts, &diff, &k); err != nil {
				t.Fatal(err)
			}
			ks = append(ks, diff*k)
		}
		if rows.Err() != nil {
			t.Fatalf("%s: %v", sql, rows.Err())
		}
		return ks
	}
	if got := fetch("FETCH ALL c"); !slices.Equal(got, []int64{7}) {
		t.Fatalf("snapshot: %v", got)
	}
	if got := fetch("FETCH ALL c WITH (timeout = '20ms')"); len(got) != 0 {
		t.Fatalf("nothing new: %v", got)
	}
	mustExec(t, subConn(t, url, false), "DELETE FROM t")
	if got := fetch("FETCH 10 c"); !slices.Equal(got, []int64{-7}) {
		t.Fatalf("after the delete: %v", got)
	}

	raw := rawConnect(t, url)
	raw.fe.Send(&pgproto3.Query{String: "BEGIN; DECLARE \"Cur\" CURSOR FOR SELECT 1 AS one, 'x' AS two"})
	raw.fe.Send(&pgproto3.Describe{ObjectType: 'P', Name: "Cur"})
	raw.fe.Send(&pgproto3.Sync{})
	if err := raw.fe.Flush(); err != nil {
		t.Fatal(err)
	}
	raw.until(t, func(m pgproto3.BackendMessage) bool { _, ok := m.(*pgproto3.ReadyForQuery); return ok })
	msgs := raw.until(t, func(m pgproto3.BackendMessage) bool { _, ok := m.(*pgproto3.ReadyForQuery); return ok })
	rd, ok := msgs[0].(*pgproto3.RowDescription)
	if !ok || len(rd.Fields) != 2 || string(rd.Fields[0].Name) != "one" || string(rd.Fields[1].Name) != "two" {
		t.Fatalf("Describe of the cursor's portal: %#v", msgs)
	}
}
