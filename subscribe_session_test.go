package runnel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runneldb/runnel/vector"
)

// Tests of SUBSCRIBE and cursors through the Session API, where the
// limits of subscriptions can be set small. The wire protocol's side is in
// subscribe_test.go.

// subRow is a row of a SUBSCRIBE: its timestamp, diff (0 on a progress
// row), progress flag and data columns as text.
type subRow struct {
	ts       int64
	diff     int64
	progress bool
	data     string
}

// subReader reads the rows of a SUBSCRIBE result.
type subReader struct {
	t        *testing.T
	res      *Result
	progress bool
}

func subscribeTo(t *testing.T, s *Session, sql string) *subReader {
	t.Helper()
	res := run(t, s, sql)
	t.Cleanup(res.Rows.Close)
	return &subReader{t: t, res: res, progress: len(res.Columns) > 2 && res.Columns[1].Name == "runnel_progressed"}
}

// next reads the next batch of rows, failing the test after 10 s.
func (r *subReader) next() ([]subRow, error) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := r.res.Rows.Next(ctx)
	if err != nil {
		return nil, err
	}
	lead := 2
	if r.progress {
		lead = 3
	}
	out := make([]subRow, b.Len)
	for i := range out {
		row := subRow{ts: vector.ValueAt(b.Cols[0], vector.Int8, i).(int64)}
		if r.progress {
			row.progress = vector.ValueAt(b.Cols[1], vector.Bool, i).(bool)
		}
		if d := b.Cols[lead-1]; !d.IsNull(i) {
			row.diff = vector.ValueAt(d, vector.Int8, i).(int64)
		}
		var vals []string
		for c := lead; c < len(b.Cols); c++ {
			if b.Cols[c].IsNull(i) {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, fmt.Sprint(vector.ValueAt(b.Cols[c], r.res.Columns[c].Type, i)))
			}
		}
		row.data = strings.Join(vals, "|")
		out[i] = row
	}
	return out, nil
}

// changes reads until it has n rows of changes (skipping progress rows),
// and returns them, each "diff data", with their timestamps.
func (r *subReader) changes(n int) ([]string, []int64) {
	r.t.Helper()
	var got []string
	var ts []int64
	for len(got) < n {
		rows, err := r.next()
		if err != nil {
			r.t.Fatalf("after %d of %d changes %v: %v", len(got), n, got, err)
		}
		for _, row := range rows {
			if !row.progress {
				got = append(got, fmt.Sprintf("%+d %s", row.diff, row.data))
				ts = append(ts, row.ts)
			}
		}
	}
	if len(got) > n {
		r.t.Fatalf("wanted %d changes, got %v", n, got)
	}
	return got, ts
}

// exec runs statements, reading any rows they return.
func exec(t *testing.T, s *Session, sqls ...string) {
	t.Helper()
	for _, sql := range sqls {
		res := run(t, s, sql)
		if res.Rows != nil {
			for {
				b, err := res.Rows.Next(context.Background())
				if err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
				if b == nil {
					break
				}
			}
		}
	}
}

// sorted returns a sorted copy of s.
func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// sameMultiset fails the test when got and want differ as multisets.
func sameMultiset(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(sorted(got), sorted(want)) {
		t.Fatalf("%s: got %v, want %v", what, sorted(got), sorted(want))
	}
}

// TestSubscribeForms subscribes to a view, a query and a table, with and
// without snapshot, while another session writes: the snapshot is the
// contents at one timestamp, then each commit's changes follow at a larger
// one, an update as the old row retracted and the new one inserted.
func TestSubscribeForms(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	defer db.Close()
	w, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		t.Fatal(err)
	}
	exec(t, s, "CREATE TABLE t (k int PRIMARY KEY, v int)",
		"INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)",
		"CREATE MATERIALIZED VIEW mv AS SELECT k, v * 2 AS v2 FROM t WHERE k < 10")
	// Each case's expectations follow from the same writes: insert (4, 40)
	// and (11, 110), update k=2 to v=25, delete k=1.
	cases := []struct {
		name     string
		sql      string
		snapshot []string
		changes  [][]string // per commit
	}{
		{"view", "SUBSCRIBE mv", []string{"+1 1|20", "+1 2|40", "+1 3|60"},
			[][]string{{"+1 4|80"}, {"-1 2|40", "+1 2|50"}, {"-1 1|20"}}},
		{"view without snapshot", "SUBSCRIBE TO mv WITH (SNAPSHOT = false)", nil,
			[][]string{{"+1 4|80"}, {"-1 2|40", "+1 2|50"}, {"-1 1|20"}}},
		{"query", "SUBSCRIBE (SELECT count(*) AS n, sum(v) AS s FROM t)", []string{"+1 3|60"},
			[][]string{{"-1 3|60", "+1 5|210"}, {"-1 5|210", "+1 5|215"}, {"-1 5|215", "+1 4|205"}}},
		{"table", "SUBSCRIBE t WITH (snapshot)", []string{"+1 1|10", "+1 2|20", "+1 3|30"},
			[][]string{{"+1 4|40", "+1 11|110"}, {"-1 2|20", "+1 2|25"}, {"-1 1|10"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			exec(t, w, "DELETE FROM t", "INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)")
			r := subscribeTo(t, s, c.sql)
			snap, snapTS := r.changes(len(c.snapshot))
			sameMultiset(t, "snapshot", snap, c.snapshot)
			last := int64(0)
			for _, ts := range snapTS {
				if last != 0 && ts != last {
					t.Fatalf("snapshot rows at several timestamps: %v", snapTS)
				}
				last = ts
			}
			writes := []string{"INSERT INTO t VALUES (4, 40), (11, 110)", "UPDATE t SET v = 25 WHERE k = 2", "DELETE FROM t WHERE k = 1"}
			for i, sql := range writes {
				exec(t, w, sql)
				got, ts := r.changes(len(c.changes[i]))
				sameMultiset(t, sql, got, c.changes[i])
				for _, x := range ts {
					if x <= last || x != ts[0] {
						t.Fatalf("%s: timestamps %v after %d", sql, ts, last)
					}
				}
				last = ts[0]
			}
		})
	}
}

// TestSubscribeProgress checks the progress rows: a progress row at p says
// every change below p was sent, so it follows the snapshot and each
// change, and comes with NULL diff and data.
func TestSubscribeProgress(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	defer db.Close()
	exec(t, s, "CREATE TABLE t (k int, v text)", "INSERT INTO t VALUES (1, 'a')")
	r := subscribeTo(t, s, "SUBSCRIBE (SELECT k, v FROM t) WITH (PROGRESS, SNAPSHOT = true)")
	var lastData, lastProgress int64
	sawProgressAfter := func() bool {
		rows, err := r.next()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			if row.progress {
				if row.diff != 0 || row.data != "NULL|NULL" {
					t.Fatalf("progress row with data: %+v", row)
				}
				if row.ts <= lastProgress {
					t.Fatalf("progress %d after progress %d", row.ts, lastProgress)
				}
				lastProgress = row.ts
				continue
			}
			if row.ts < lastProgress {
				t.Fatalf("change at %d after progress %d", row.ts, lastProgress)
			}
			lastData = row.ts
		}
		return lastProgress > lastData && lastData != 0
	}
	for !sawProgressAfter() {
	}
	exec(t, s, "INSERT INTO t VALUES (2, 'b')")
	before := lastData
	for !sawProgressAfter() || lastData == before {
	}
}

// TestSubscribeResume resumes a subscription after the client went away:
// AS OF the last timestamp it saw, without snapshot, it gets exactly the
// changes made since; with snapshot, the contents as of that timestamp
// first. An AS OF older than what is kept is refused naming the earliest.
func TestSubscribeResume(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	defer db.Close()
	exec(t, s, "CREATE TABLE t (k int PRIMARY KEY, v int)",
		"CREATE MATERIALIZED VIEW mv AS SELECT k, v FROM t",
		"INSERT INTO t VALUES (1, 1)")
	r := subscribeTo(t, s, "SUBSCRIBE mv")
	_, ts := r.changes(1)
	exec(t, s, "INSERT INTO t VALUES (2, 2)")
	_, ts2 := r.changes(1)
	seen := ts2[0]
	r.res.Rows.Close() // the client goes away
	exec(t, s, "UPDATE t SET v = 3 WHERE k = 1", "INSERT INTO t VALUES (4, 4)")

	r = subscribeTo(t, s, fmt.Sprintf("SUBSCRIBE mv WITH (SNAPSHOT = false) AS OF %d", seen))
	got, _ := r.changes(3)
	sameMultiset(t, "resumed", got, []string{"-1 1|1", "+1 1|3", "+1 4|4"})

	r = subscribeTo(t, s, fmt.Sprintf("SUBSCRIBE mv AS OF %d", seen))
	got, at := r.changes(5)
	sameMultiset(t, "snapshot as of then", got[:2], []string{"+1 1|1", "+1 2|2"})
	if at[0] != seen || at[1] != seen {
		t.Fatalf("snapshot at %v, want %d", at[:2], seen)
	}
	sameMultiset(t, "then the changes", got[2:], []string{"-1 1|1", "+1 1|3", "+1 4|4"})

	_, err := s.Execute(context.Background(), prepare(t, s, fmt.Sprintf("SUBSCRIBE mv AS OF %d", ts[0]-1)), nil)
	if vector.ErrorCode(err) != vector.CodeObjectNotInPrerequisiteState || !strings.Contains(err.Error(), "kept from timestamp") {
		t.Fatalf("AS OF before the history: %v", err)
	}
}

// prepare parses and prepares one statement.
func prepare(t *testing.T, s *Session, sql string) *Prepared {
	t.Helper()
	stmts, err := s.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Prepare(stmts[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSubscribeSlowReader stops reading one subscription while another
// keeps up and a writer commits: the writer and the fast subscriber are
// not held back, and the slow one ends with 53400 once more rows than its
// buffer holds wait for it.
func TestSubscribeSlowReader(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	defer db.Close()
	db.streams.mu.Lock()
	db.streams.subscriptions.opts.BufferRows = 50
	db.streams.mu.Unlock()
	exec(t, s, "CREATE TABLE t (k int)", "CREATE MATERIALIZED VIEW mv AS SELECT k FROM t")
	slow := subscribeTo(t, s, "SUBSCRIBE mv")
	fast := subscribeTo(t, s, "SUBSCRIBE mv")
	const commits = 40
	for i := range commits {
		exec(t, s, fmt.Sprintf("INSERT INTO t SELECT g FROM generate_series(%d, %d) g", i*10, i*10+9))
		var want []string
		for k := i * 10; k < i*10+10; k++ {
			want = append(want, fmt.Sprintf("+1 %d", k))
		}
		got, _ := fast.changes(len(want))
		sameMultiset(t, "fast subscriber", got, want)
	}
	var err error
	for err == nil {
		_, err = slow.next()
	}
	if vector.ErrorCode(err) != codeSubscriberBehind || !strings.Contains(err.Error(), "fell too far behind") {
		t.Fatalf("slow subscriber: %v", err)
	}
}

// TestSubscribeCancel cancels a SUBSCRIBE waiting for a change: 57014,
// and the subscription is gone from its view.
func TestSubscribeCancel(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	defer db.Close()
	exec(t, s, "CREATE TABLE t (k int)", "CREATE MATERIALIZED VIEW mv AS SELECT k FROM t")
	res := run(t, s, "SUBSCRIBE mv WITH (SNAPSHOT = false)")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := res.Rows.Next(ctx)
	if vector.ErrorCode(err) != vector.CodeQueryCanceled {
		t.Fatalf("cancelled SUBSCRIBE: %v", err)
	}
	res.Rows.Close()
	if n := subscriptionsOf(t, db, "mv"); n != 0 {
		t.Fatalf("%d subscriptions left", n)
	}
}

// subscriptionsOf is the number of open subscriptions to the view called
// name.
func subscriptionsOf(t *testing.T, db *DB, name string) int {
	t.Helper()
	db.streams.mu.Lock()
	h := db.streams.subscriptions.hubs[mustTable(t, db, name)]
	db.streams.mu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// mustTable is the id of relation name.
func mustTable(t *testing.T, db *DB, name string) uint32 {
	t.Helper()
	tb, ok := db.catalog.Table("public", name)
	if !ok {
		t.Fatalf("no relation %s", name)
	}
	return tb.ID
}

// TestSubscribeTransientLifetime checks that the dataflow of a SUBSCRIBE
// of a query is shared by the subscriptions of the same query, and stops
// once it has had no subscriber for the retention.
func TestSubscribeTransientLifetime(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	defer db.Close()
	db.streams.mu.Lock()
	db.streams.subscriptions.opts.Retention = 50 * time.Millisecond
	db.streams.mu.Unlock()
	exec(t, s, "CREATE TABLE t (k int)", "INSERT INTO t VALUES (1)")
	transients := func() int {
		db.streams.mu.Lock()
		defer db.streams.mu.Unlock()
		n := 0
		for id := range db.streams.views {
			if isTransientView(id) {
				n++
			}
		}
		return n
	}
	a := subscribeTo(t, s, "SUBSCRIBE (SELECT k FROM t WHERE k > 0)")
	b := subscribeTo(t, s, "SUBSCRIBE (SELECT k FROM t WHERE k > 0)")
	for _, r := range []*subReader{a, b} {
		got, _ := r.changes(1)
		sameMultiset(t, "snapshot", got, []string{"+1 1"})
	}
	if n := transients(); n != 1 {
		t.Fatalf("%d transient dataflows for one query", n)
	}
	a.res.Rows.Close()
	b.res.Rows.Close()
	eventually(t, func() string {
		if n := transients(); n != 0 {
			return fmt.Sprintf("%d transient dataflows left", n)
		}
		return ""
	})
}

// TestSubscribeDroppedView ends the subscriptions of a view that is
// dropped, with the error saying so.
func TestSubscribeDroppedView(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	defer db.Close()
	exec(t, s, "CREATE TABLE t (k int)", "CREATE MATERIALIZED VIEW mv AS SELECT k FROM t")
	r := subscribeTo(t, s, "SUBSCRIBE mv WITH (SNAPSHOT = false)")
	q := subscribeTo(t, s, "SUBSCRIBE (SELECT k FROM t)")
	v := subscribeTo(t, s, "SUBSCRIBE (SELECT k FROM mv)")
	exec(t, s, "DROP MATERIALIZED VIEW mv", "DROP TABLE t")
	for _, x := range []*subReader{r, q, v} {
		var err error
		for err == nil {
			_, err = x.next()
		}
		if vector.ErrorCode(err) != vector.CodeUndefinedTable {
			t.Fatalf("subscription of a dropped relation: %v", err)
		}
	}
}

// TestSubscribeRestart checks that timestamps go on increasing across a
// restart, and that resuming from before it is refused clearly.
func TestSubscribeRestart(t *testing.T) {
	dir := t.TempDir()
	db, s := openDB(t, dir, Options{})
	exec(t, s, "CREATE TABLE t (k int)", "CREATE MATERIALIZED VIEW mv AS SELECT k FROM t", "INSERT INTO t VALUES (1)")
	r := subscribeTo(t, s, "SUBSCRIBE mv")
	_, ts := r.changes(1)
	r.res.Rows.Close()
	db.Close()
	db, s = openDB(t, dir, Options{})
	defer db.Close()
	r = subscribeTo(t, s, "SUBSCRIBE mv")
	got, ts2 := r.changes(1)
	sameMultiset(t, "after the restart", got, []string{"+1 1"})
	if ts2[0] <= ts[0] {
		t.Fatalf("timestamp %d after the restart, %d before", ts2[0], ts[0])
	}
	_, err := s.Execute(context.Background(), prepare(t, s, fmt.Sprintf("SUBSCRIBE mv WITH (SNAPSHOT = false) AS OF %d", ts[0])), nil)
	var ve *vector.Error
	if !errors.As(err, &ve) || ve.Code != vector.CodeObjectNotInPrerequisiteState || !strings.Contains(ve.Hint, "Subscribe AS OF") {
		t.Fatalf("AS OF before the restart: %v", err)
	}
}
