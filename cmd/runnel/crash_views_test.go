package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Crash tests of materialized views: the server is killed with SIGKILL
// while views are written, checkpointed or backfilled; after a restart
// every view must equal its defining query run by the batch engine over
// the tables, and the tables must hold every acknowledged write.

// crashView is a materialized view under test. batch is its defining
// query with the views it reads written out as subqueries, so that it runs
// on the batch engine over tables only; "" when query reads no view.
type crashView struct{ name, query, batch string }

func (v crashView) batchQuery() string {
	if v.batch != "" {
		return v.batch
	}
	return v.query
}

func (v crashView) create(ctx context.Context, c *pgx.Conn) error {
	_, err := c.Exec(ctx, fmt.Sprintf("CREATE MATERIALIZED VIEW %s AS %s", v.name, v.query))
	return err
}

// The tables writers write: crashTables[i] has columns id bigint PRIMARY
// KEY, k int, <crashValue[i]> int, s text.
var (
	crashTables = []string{"t1", "t2"}
	crashValue  = []string{"v", "w"}
)

const (
	crashKeys = 50   // k is in [0, crashKeys)
	crashVals = 1000 // v and w are in [0, crashVals)
)

const baseQuery = "SELECT id, k, v FROM t1 WHERE v % 3 <> 0"

// writeViews cover every incremental operator over t1 and t2.
var writeViews = []crashView{
	{name: "mv_agg", query: "SELECT k, count(*) AS n, sum(v) AS sv, min(v) AS lo, max(v) AS hi FROM t1 GROUP BY k"},
	{name: "mv_agg2", query: "SELECT k % 5 AS b, count(*) AS n, min(w) AS lo, max(w) AS hi, max(s) AS ms FROM t2 GROUP BY k % 5"},
	{name: "mv_global", query: "SELECT count(*) AS n, sum(v) AS sv, min(v) AS lo, max(v) AS hi FROM t1"},
	{name: "mv_inner", query: "SELECT t1.id, t1.v, t2.id AS id2, t2.w FROM t1 JOIN t2 ON t1.k = t2.k"},
	{name: "mv_left", query: "SELECT t1.id, t1.k, t2.w FROM t1 LEFT JOIN t2 ON t1.k = t2.k AND t2.w > 500"},
	{name: "mv_topn", query: "SELECT id, k, v FROM t1 ORDER BY v DESC, id LIMIT 10"},
	{name: "mv_distinct", query: "SELECT DISTINCT k % 7 AS r, s FROM t1"},
	{name: "mv_base", query: baseQuery},
	{name: "mv_nested", query: "SELECT k, count(*) AS n, max(v) AS hi FROM mv_base GROUP BY k",
		batch: "SELECT k, count(*) AS n, max(v) AS hi FROM (" + baseQuery + ") mv_base GROUP BY k"},
}

// TestCrashViewsUnderWrites kills the server at random moments while
// writers insert, update, delete and copy, with checkpoints every 20ms
// (kills land during checkpoints) or never (recovery backfills and
// replays the whole log), and a different partition count at each restart.
func TestCrashViewsUnderWrites(t *testing.T) {
	rounds := []crashRound{
		{"1h", 1, 20, 300}, // created without checkpoint: the first restart backfills
		{"20ms", 2, 20, 300},
		{"20ms", 3, 20, 300},
		{"1h", 1, 20, 300},
		{"20ms", 3, 20, 300},
		{"20ms", 1, 20, 300},
		{"1h", 2, 20, 300},
		{"20ms", 2, 20, 300},
	}
	crashRounds(t, 1, writeViews, rounds, false)
}

// TestCrashViewOverViewDuringBurst kills the server a few milliseconds into
// a burst of writes (one writer opens it with a COPY) that runs through a
// chain of views over views.
func TestCrashViewOverViewDuringBurst(t *testing.T) {
	const inner = "SELECT id, k % 10 AS g, v FROM t1 WHERE v >= 100"
	const middle = "SELECT g, count(*) AS n, sum(v) AS sv, max(v) AS hi FROM mv_chain1 GROUP BY g"
	views := []crashView{
		{name: "mv_chain1", query: inner},
		{name: "mv_chain2", query: middle,
			batch: "SELECT g, count(*) AS n, sum(v) AS sv, max(v) AS hi FROM (" + inner + ") mv_chain1 GROUP BY g"},
		{name: "mv_chain3", query: "SELECT g, hi FROM mv_chain2 ORDER BY hi DESC, g LIMIT 3",
			batch: "SELECT g, hi FROM (" + strings.Replace(middle, "mv_chain1", "("+inner+") mv_chain1", 1) + ") mv_chain2 ORDER BY hi DESC, g LIMIT 3"},
		{name: "mv_chain_join", query: "SELECT c.id, c.v, t2.w FROM mv_chain1 c JOIN t2 ON c.g = t2.k",
			batch: "SELECT c.id, c.v, t2.w FROM (" + inner + ") c JOIN t2 ON c.g = t2.k"},
	}
	rounds := []crashRound{
		{"20ms", 2, 3, 10},
		{"20ms", 1, 3, 10},
		{"1h", 3, 3, 10},
		{"20ms", 2, 3, 10},
		{"20ms", 3, 3, 10},
		{"20ms", 1, 3, 10},
	}
	crashRounds(t, 2, views, rounds, true)
}

// TestCrashDuringBackfill kills the server while CREATE MATERIALIZED VIEW
// backfills from a 200K-row table. After the restart the view does not
// exist (the CREATE never committed; it cannot have been acknowledged) or
// equals its query; then it is created, if need be, and checked again.
func TestCrashDuringBackfill(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	srv := f.start(t, "--checkpoint-interval", "20ms")
	conn := srv.connect(t)
	for _, sql := range []string{
		"CREATE TABLE big (id bigint PRIMARY KEY, k int, v int)",
		"CREATE TABLE dim (k int PRIMARY KEY, g int)",
		"INSERT INTO dim SELECT k, k % 37 FROM generate_series(0, 999) k",
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	rng := rand.New(rand.NewPCG(3, 0xc7a5))
	id := int64(0)
	rows := pgx.CopyFromFunc(func() ([]any, error) {
		if id++; id > 200_000 {
			return nil, nil
		}
		return []any{id, int32(rng.IntN(1000)), int32(rng.IntN(100_000))}, nil
	})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"big"}, []string{"id", "k", "v"}, rows); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	attempts := []struct {
		view       crashView
		killAfter  time.Duration
		partitions string
	}{
		{crashView{name: "fill_agg1", query: "SELECT k % 100 AS b, count(*) AS n, sum(v) AS sv, min(v) AS lo, max(v) AS hi FROM big GROUP BY k % 100"}, 2 * time.Millisecond, "1"},
		{crashView{name: "fill_join1", query: "SELECT d.g, count(*) AS n, sum(b.v) AS sv, max(b.v) AS hi FROM big b JOIN dim d ON b.k = d.k GROUP BY d.g"}, 20 * time.Millisecond, "2"},
		{crashView{name: "fill_agg2", query: "SELECT k, count(*) AS n, min(v) AS lo, max(v) AS hi FROM big GROUP BY k"}, 100 * time.Millisecond, "3"},
		{crashView{name: "fill_join2", query: "SELECT b.id, b.v, d.g FROM big b JOIN dim d ON b.k = d.k WHERE d.g < 5"}, 300 * time.Millisecond, "2"},
	}
	var created []crashView
	for _, a := range attempts {
		acked := make(chan error, 1)
		go func() {
			c, err := pgx.Connect(ctx, srv.url())
			if err == nil {
				err = a.view.create(ctx, c)
				c.Close(ctx)
			}
			acked <- err
		}()
		time.Sleep(a.killAfter)
		srv.kill()
		createErr := <-acked

		srv = f.start(t, "--checkpoint-interval", "20ms", "--partitions", a.partitions)
		conn := srv.connect(t)
		when := fmt.Sprintf("killed %v into CREATE MATERIALIZED VIEW %s", a.killAfter, a.view.name)
		exists := slices.ContainsFunc(queryRows(t, ctx, conn, "SHOW MATERIALIZED VIEWS"), func(row string) bool {
			return strings.HasPrefix(row, a.view.name+"|") // the first column is the name
		})
		switch {
		case createErr == nil && !exists:
			t.Errorf("%s: the CREATE was acknowledged, yet the view is missing after the restart", when)
		case !exists:
			if err := a.view.create(ctx, conn); err != nil {
				t.Fatalf("%s: creating it again: %v", when, err)
			}
		}
		t.Logf("%s: acknowledged %v, present after restart %v, startup %v", when, createErr == nil, exists, srv.startup.Round(time.Millisecond))
		created = append(created, a.view)
		checkViews(t, ctx, conn, created, when)
		conn.Close(ctx)
	}
	srv.kill()
}

// crashRound is a server process of a crash test: its --checkpoint-interval
// and --partitions, and when it is killed: a random time up to jitter
// milliseconds after the writers had acks statements acknowledged.
type crashRound struct {
	interval   string
	partitions int
	acks       int
	jitter     int
}

// crashRounds creates t1, t2 and views, then for each round starts the
// server, lets writers write, kills the server and, on the next start,
// checks the tables against the acknowledged writes and every view against
// its query. With burst, the first writer opens every round with a COPY.
func crashRounds(t *testing.T, seed uint64, views []crashView, rounds []crashRound, burst bool) {
	const nwriters = 3
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0xc7a5))
	f := newFixture(t)
	flags := func(r crashRound) []string {
		return []string{"--checkpoint-interval", r.interval, "--partitions", fmt.Sprint(r.partitions)}
	}
	srv := f.start(t, flags(rounds[0])...)
	conn := srv.connect(t)
	for i, table := range crashTables {
		sql := fmt.Sprintf("CREATE TABLE %s (id bigint PRIMARY KEY, k int, %s int, s text)", table, crashValue[i])
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	var acked atomic.Int64 // statements acknowledged in the round
	writers := make([]*crashWriter, nwriters)
	for i := range writers {
		writers[i] = newCrashWriter(i, nwriters, seed, &acked)
		// Seed data, so that views are backfilled from something.
		if err := writers[i].copy(ctx, conn, 600); err != nil {
			t.Fatal(err)
		}
		for range 20 {
			if err := writers[i].insert(ctx, conn, 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, v := range views {
		if err := v.create(ctx, conn); err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
	}
	checkViews(t, ctx, conn, views, "after create")
	conn.Close(ctx)

	acked.Store(0)
	for i, r := range rounds {
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for _, w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.run(t, ctx, srv, stop, burst)
			}()
		}
		for began := time.Now(); acked.Load() < int64(r.acks) && time.Since(began) < 10*time.Second; {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(r.jitter+1)) * time.Millisecond)
		srv.kill()
		close(stop)
		wg.Wait()

		next := rounds[(i+1)%len(rounds)]
		srv = f.start(t, flags(next)...)
		conn := srv.connect(t)
		when := fmt.Sprintf("round %d (killed with --checkpoint-interval %s --partitions %d, restarted with --partitions %d)",
			i, r.interval, r.partitions, next.partitions)
		n := acked.Swap(0)
		if n == 0 {
			t.Errorf("%s: no write was acknowledged before the kill", when)
		}
		checkTables(t, ctx, conn, writers, when)
		checkViews(t, ctx, conn, views, when)
		conn.Close(ctx)
		t.Logf("%s: %d statements acknowledged, startup %v", when, n, srv.startup.Round(time.Millisecond))
		if t.Failed() {
			break
		}
	}
	srv.kill()
}

// crashKey names a row: crashTables[table], id.
type crashKey struct {
	table int
	id    int64
}

// crashRow is the contents of a row besides its id; s "" stands for NULL
// (writers never write an empty string).
type crashRow struct {
	k, v int32
	s    string
}

// crashWriter writes rows of its own (those whose id % of == n), so that
// it knows their contents, and remembers what the server acknowledged.
//
// acked is the acknowledged contents of its rows. pending holds what the
// statement in flight writes (nil: deletes); when the server dies before
// answering it is kept, as the statement may or may not have committed.
type crashWriter struct {
	n, of   int
	rng     *rand.Rand
	next    int64 // the next id to insert is next*of + n
	acked   map[crashKey]crashRow
	pending map[crashKey]*crashRow
	acks    *atomic.Int64 // counts the acknowledged statements
}

func newCrashWriter(n, of int, seed uint64, acks *atomic.Int64) *crashWriter {
	return &crashWriter{n: n, of: of, rng: rand.New(rand.NewPCG(seed, uint64(n))), acked: map[crashKey]crashRow{}, acks: acks}
}

func (w *crashWriter) newRow() crashRow {
	r := crashRow{k: int32(w.rng.IntN(crashKeys)), v: int32(w.rng.IntN(crashVals))}
	if w.rng.IntN(8) > 0 {
		r.s = string(rune('a' + w.rng.IntN(4)))
	}
	return r
}

func (w *crashWriter) newID() int64 {
	id := w.next*int64(w.of) + int64(w.n)
	w.next++
	return id
}

// run writes until stop is closed or the server is gone. An error the
// server reports (rather than a lost connection) fails the test.
func (w *crashWriter) run(t *testing.T, ctx context.Context, srv *process, stop chan struct{}, burst bool) {
	c, err := pgx.Connect(ctx, srv.url())
	if err != nil {
		return
	}
	defer c.Close(ctx)
	if burst && w.n == 0 {
		err = w.copy(ctx, c, 2000)
	}
	for err == nil {
		select {
		case <-stop:
			return
		default:
		}
		err = w.step(ctx, c)
	}
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) {
		t.Errorf("writer %d: %v", w.n, err)
	}
}

// step runs one random statement: INSERT, UPDATE, DELETE (of rows, or of
// the largest v of a key), or COPY.
func (w *crashWriter) step(ctx context.Context, c *pgx.Conn) error {
	table := 0
	if w.rng.IntN(4) == 0 {
		table = 1
	}
	switch op := w.rng.IntN(20); {
	case op < 6:
		return w.insert(ctx, c, table)
	case op < 9:
		return w.updateOne(ctx, c, table)
	case op < 12:
		return w.updateSome(ctx, c, table)
	case op < 16:
		return w.delete(ctx, c, table, w.some(table, 1+w.rng.IntN(3)))
	case op < 19:
		return w.deleteMax(ctx, c, table)
	default:
		return w.copy(ctx, c, 50+w.rng.IntN(500))
	}
}

// some returns up to n of the writer's rows of table, in map order.
func (w *crashWriter) some(table, n int) []crashKey {
	var keys []crashKey
	for k := range w.acked {
		if k.table == table {
			if keys = append(keys, k); len(keys) == n {
				break
			}
		}
	}
	return keys
}

func (w *crashWriter) insert(ctx context.Context, c *pgx.Conn, table int) error {
	var values []string
	w.pending = map[crashKey]*crashRow{}
	for range 1 + w.rng.IntN(8) {
		k, r := crashKey{table, w.newID()}, w.newRow()
		w.pending[k] = &r
		values = append(values, fmt.Sprintf("(%d, %d, %d, %s)", k.id, r.k, r.v, sqlText(r.s)))
	}
	return w.exec(ctx, c, fmt.Sprintf("INSERT INTO %s VALUES %s", crashTables[table], strings.Join(values, ", ")))
}

// updateOne rewrites a row, its key too.
func (w *crashWriter) updateOne(ctx context.Context, c *pgx.Conn, table int) error {
	keys := w.some(table, 1)
	if len(keys) == 0 {
		return nil
	}
	k, r := keys[0], w.newRow()
	w.pending = map[crashKey]*crashRow{k: &r}
	return w.exec(ctx, c, fmt.Sprintf("UPDATE %s SET k = %d, %s = %d, s = %s WHERE id = %d",
		crashTables[table], r.k, crashValue[table], r.v, sqlText(r.s), k.id))
}

// updateSome adds to the value of a few rows.
func (w *crashWriter) updateSome(ctx context.Context, c *pgx.Conn, table int) error {
	keys := w.some(table, 1+w.rng.IntN(5))
	if len(keys) == 0 {
		return nil
	}
	d := int32(1 + w.rng.IntN(crashVals-1))
	w.pending = map[crashKey]*crashRow{}
	for _, k := range keys {
		r := w.acked[k]
		r.v = (r.v + d) % crashVals
		w.pending[k] = &r
	}
	col := crashValue[table]
	return w.exec(ctx, c, fmt.Sprintf("UPDATE %s SET %s = (%s + %d) %% %d WHERE id IN (%s)",
		crashTables[table], col, col, d, crashVals, idList(keys)))
}

func (w *crashWriter) delete(ctx context.Context, c *pgx.Conn, table int, keys []crashKey) error {
	if len(keys) == 0 {
		return nil
	}
	w.pending = map[crashKey]*crashRow{}
	for _, k := range keys {
		w.pending[k] = nil
	}
	return w.exec(ctx, c, fmt.Sprintf("DELETE FROM %s WHERE id IN (%s)", crashTables[table], idList(keys)))
}

// deleteMax deletes the writer's rows with the largest value among its
// rows of a random key: often the maximum of that key's group.
func (w *crashWriter) deleteMax(ctx context.Context, c *pgx.Conn, table int) error {
	k := int32(w.rng.IntN(crashKeys))
	var keys []crashKey
	best := int32(-1)
	for key, r := range w.acked {
		if key.table != table || r.k != k || r.v < best {
			continue
		}
		if r.v > best {
			best, keys = r.v, keys[:0]
		}
		keys = append(keys, key)
	}
	return w.delete(ctx, c, table, keys)
}

// copy inserts n new rows into t1 with COPY.
func (w *crashWriter) copy(ctx context.Context, c *pgx.Conn, n int) error {
	w.pending = map[crashKey]*crashRow{}
	rows := make([][]any, n)
	for i := range rows {
		k, r := crashKey{0, w.newID()}, w.newRow()
		w.pending[k] = &r
		var s any
		if r.s != "" {
			s = r.s
		}
		rows[i] = []any{k.id, r.k, r.v, s}
	}
	if _, err := c.CopyFrom(ctx, pgx.Identifier{"t1"}, []string{"id", "k", "v", "s"}, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	w.ack()
	return nil
}

// exec runs a statement writing w.pending and, once acknowledged, makes
// pending acknowledged.
func (w *crashWriter) exec(ctx context.Context, c *pgx.Conn, sql string) error {
	if _, err := c.Exec(ctx, sql); err != nil {
		return err
	}
	w.ack()
	return nil
}

func (w *crashWriter) ack() {
	for k, r := range w.pending {
		if r == nil {
			delete(w.acked, k)
		} else {
			w.acked[k] = *r
		}
	}
	w.pending = nil
	w.acks.Add(1)
}

// reconcile checks the writer's rows found after a restart: each is as
// acknowledged, or as the statement in flight wrote it, and that statement
// committed entirely or not at all. What was found becomes the
// acknowledged state.
func (w *crashWriter) reconcile(t *testing.T, got map[crashKey]crashRow, when string) {
	t.Helper()
	applied, notApplied := 0, 0
	for k, r := range w.pending {
		old, had := w.acked[k]
		g, has := got[k]
		isNew := (r == nil && !has) || (r != nil && has && g == *r)
		isOld := had == has && g == old
		switch {
		case isNew && isOld:
		case isNew:
			applied++
		case isOld:
			notApplied++
		default:
			t.Errorf("%s: writer %d: row %v is %v (present %v), neither acknowledged %v (present %v) nor written by the statement in flight (%v)",
				when, w.n, k, g, has, old, had, r)
		}
	}
	if applied > 0 && notApplied > 0 {
		t.Errorf("%s: writer %d: the statement in flight is partly committed: %d rows applied, %d not", when, w.n, applied, notApplied)
	}
	for k, g := range got {
		if _, ok := w.pending[k]; ok {
			continue
		}
		if r, ok := w.acked[k]; !ok || r != g {
			t.Errorf("%s: writer %d: row %v is %v, never written", when, w.n, k, g)
		}
	}
	for k, r := range w.acked {
		if _, ok := w.pending[k]; ok {
			continue
		}
		if _, ok := got[k]; !ok {
			t.Errorf("%s: writer %d: acknowledged row %v %v is missing", when, w.n, k, r)
		}
	}
	w.acked, w.pending = got, nil
}

// checkTables reads the tables and reconciles each writer with its rows.
func checkTables(t *testing.T, ctx context.Context, c *pgx.Conn, writers []*crashWriter, when string) {
	t.Helper()
	got := make([]map[crashKey]crashRow, len(writers))
	for i := range got {
		got[i] = map[crashKey]crashRow{}
	}
	for table, name := range crashTables {
		rows, err := c.Query(ctx, fmt.Sprintf("SELECT id, k, %s, s FROM %s", crashValue[table], name))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var r crashRow
			var s *string
			if err := rows.Scan(&id, &r.k, &r.v, &s); err != nil {
				t.Fatal(err)
			}
			if s != nil {
				r.s = *s
			}
			got[id%int64(len(writers))][crashKey{table, id}] = r
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	for i, w := range writers {
		w.reconcile(t, got[i], when)
	}
}

// checkViews checks that each view equals its query run by the batch
// engine, as multisets.
func checkViews(t testing.TB, ctx context.Context, c *pgx.Conn, views []crashView, when string) {
	t.Helper()
	for _, v := range views {
		got := queryRows(t, ctx, c, "SELECT * FROM "+v.name)
		want := queryRows(t, ctx, c, v.batchQuery())
		if !slices.Equal(got, want) {
			t.Errorf("%s: view %s (%s) differs from the batch engine: %d rows, want %d\n%s",
				when, v.name, v.query, len(got), len(want), multisetDiff(got, want))
		}
	}
}

// queryRows runs sql and returns its rows rendered in text, sorted.
func queryRows(t testing.TB, ctx context.Context, c *pgx.Conn, sql string) []string {
	t.Helper()
	rows, err := c.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var vals []string
		for _, raw := range rows.RawValues() {
			if raw == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, string(raw))
			}
		}
		out = append(out, strings.Join(vals, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	slices.Sort(out)
	return out
}

// multisetDiff lists (some of) the rows only in got and only in want, both
// sorted.
func multisetDiff(got, want []string) string {
	var extra, missing []string
	i, j := 0, 0
	for i < len(got) || j < len(want) {
		switch {
		case j == len(want) || i < len(got) && got[i] < want[j]:
			extra = append(extra, got[i])
			i++
		case i == len(got) || want[j] < got[i]:
			missing = append(missing, want[j])
			j++
		default:
			i++
			j++
		}
	}
	first := func(rows []string) []string { return rows[:min(len(rows), 10)] }
	return fmt.Sprintf("  only in view (%d): %q\n  only in query (%d): %q", len(extra), first(extra), len(missing), first(missing))
}

func sqlText(s string) string {
	if s == "" {
		return "NULL"
	}
	return "'" + s + "'"
}

func idList(keys []crashKey) string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = fmt.Sprint(k.id)
	}
	return strings.Join(ids, ", ")
}

// BenchmarkCrashRestartViews measures how long a killed server takes to
// start again, from process start until it accepts a connection, with n
// views over a 100K-row table (and a 1000-row one): restored from a
// checkpoint, or backfilled because none was taken. The figure is the
// median over the iterations:
//
//	go test ./cmd/runnel -run '^$' -bench CrashRestart -benchtime 3x
func BenchmarkCrashRestartViews(b *testing.B) {
	templates := []string{
		"SELECT k %% %d AS b, count(*) AS n, sum(v) AS sv, min(v) AS lo, max(v) AS hi FROM big GROUP BY k %% %[1]d",
		"SELECT DISTINCT k %% %d AS r FROM big",
		"SELECT id, v FROM big ORDER BY v DESC, id LIMIT %d",
		"SELECT d.g, count(*) AS n, sum(b.v) AS sv FROM big b JOIN dim d ON b.k = d.k AND d.g <> %d GROUP BY d.g",
		"SELECT id, k, v FROM big WHERE v %% 100 = %d",
	}
	modes := []struct {
		name, interval string
		settle         time.Duration // for a checkpoint of every view to complete
	}{{"restore", "100ms", 10 * time.Second}, {"backfill", "1h", 0}}
	for _, n := range []int{0, 10, 50} {
		for _, mode := range modes {
			b.Run(fmt.Sprintf("views=%d/%s", n, mode.name), func(b *testing.B) {
				ctx := context.Background()
				f := newFixture(b)
				srv := f.start(b, "--checkpoint-interval", mode.interval)
				conn := srv.connect(b)
				sqls := []string{
					"CREATE TABLE big (id bigint PRIMARY KEY, k int, v int)",
					"CREATE TABLE dim (k int PRIMARY KEY, g int)",
					"INSERT INTO dim SELECT k, k % 37 FROM generate_series(0, 999) k",
					"INSERT INTO big SELECT i, (i * 7919) % 1000, (i * 1103) % 100000 FROM generate_series(1, 100000) i",
				}
				for i := range n {
					sqls = append(sqls, fmt.Sprintf("CREATE MATERIALIZED VIEW mv%d AS ", i)+fmt.Sprintf(templates[i%len(templates)], 2+i))
				}
				for _, sql := range sqls {
					if _, err := conn.Exec(ctx, sql); err != nil {
						b.Fatalf("%s: %v", sql, err)
					}
				}
				conn.Close(ctx)
				time.Sleep(mode.settle)
				var startups []time.Duration
				for b.Loop() {
					srv.kill()
					srv = f.start(b, "--checkpoint-interval", mode.interval)
					startups = append(startups, srv.startup)
				}
				srv.kill()
				slices.Sort(startups)
				b.ReportMetric(float64(startups[len(startups)/2].Microseconds())/1000, "ms/startup")
			})
		}
	}
}
