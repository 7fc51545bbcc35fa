package runnel

import (
	"runtime"
	"slices"
	"testing"
	"time"
	"weak"
)

// TestLatencyTracker: rows read before a checkpoint's cut are aged when
// that epoch is written out, those read after it when the next one is, and
// quantiles weigh each group by its rows.
func TestLatencyTracker(t *testing.T) {
	var l latencyTracker
	base := time.Unix(1000, 0)
	ms := func(n int) time.Time { return base.Add(time.Duration(n) * time.Millisecond) }
	if got := l.quantiles(0.5); got[0] != 0 {
		t.Errorf("p50 before any sample: %v, want 0", got[0])
	}
	l.read(ms(0), 10)
	l.read(ms(10), 30)
	l.cut(1)
	l.read(ms(20), 60)
	l.cut(2)
	l.written(1, ms(100)) // 10 rows took 100 ms, 30 rows 90 ms
	l.written(2, ms(120)) // 60 rows took 100 ms
	l.written(2, ms(500)) // again: nothing left to age
	got := l.quantiles(0.25, 0.5, 0.99)
	want := []time.Duration{90 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}
	if !slices.Equal(got, want) {
		t.Errorf("quantiles 0.25, 0.5, 0.99: %v, want %v", got, want)
	}
	l.read(ms(600), 1)
	l.written(3, ms(700)) // not cut yet: not aged
	if got := l.quantiles(1); got[0] != 100*time.Millisecond {
		t.Errorf("max after a write before the cut: %v, want 100ms", got[0])
	}
}

// TestClosedDatabaseIsFreed checks that nothing global keeps a closed
// database (its storage, its views' state) alive: many databases opened
// and closed in one process, as the benchmark does, must not add up.
func TestClosedDatabaseIsFreed(t *testing.T) {
	db, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Connect(ConnParams{User: "runnel", Database: DatabaseName})
	if err != nil {
		t.Fatal(err)
	}
	run(t, s, "CREATE TABLE t (a int)")
	run(t, s, "SELECT * FROM pg_stat_activity") // a session noted
	s.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ref := weak.Make(db)
	db, s = nil, nil
	for range 3 {
		runtime.GC()
	}
	if ref.Value() != nil {
		t.Error("a closed database is still reachable")
	}
}
