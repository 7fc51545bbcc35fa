package runnel

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// An out-of-order event stream through windowed views: events whose
// timestamps arrive up to several seconds behind, some later than the
// watermark's delay, inserted in batches. Every view is checked against
// its result computed here from the same stream: the late events dropped
// in insertion order, as a source does, then the rest grouped into
// windows.

const (
	oooDelay = 5_000_000 // µs: the table's WATERMARK FOR ts AS ts - INTERVAL '5 seconds'
	oooGap   = 3_000_000 // µs: the session gap of the views
)

// oooEvent is a row of table ev; ts is in µs since 1970, ignored when
// null (ts is NULL).
type oooEvent struct {
	k    string
	v    int64
	ts   int64
	null bool
}

// oooStream generates n events. Event time runs a clock forward by up to
// 250 ms an event; an event is up to 3 s behind the clock, or one in eight
// up to 12 s (late when more than the delay behind the largest event time
// before it). Some are on edges: of lateness, exactly at the watermark (on
// time) or 1 µs below it (late); of sessions, exactly the gap after the
// latest event of their key (a new session) or 1 µs less (the same one).
// One in a hundred has no event time (late). The last of each thousand
// moves the watermark to a multiple of 10 s, where windows end.
func oooStream(seed uint64, n int) []oooEvent {
	rng := rand.New(rand.NewPCG(seed, 0x0e0e))
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxTS := clock
	latest := map[string]int64{} // per key
	events := make([]oooEvent, n)
	for i := range events {
		clock += rng.Int64N(250) * 1000
		e := oooEvent{k: string(rune('a' + rng.IntN(5))), v: rng.Int64N(100)}
		switch r := rng.IntN(100); {
		case i%1000 == 999:
			e.ts = maxTS - maxTS%10_000_000 + 10_000_000 + oooDelay
		case r == 0:
			e.null = true
		case r == 1:
			e.ts = maxTS - oooDelay
		case r == 2:
			e.ts = maxTS - oooDelay - 1
		case r == 3 && latest[e.k] > 0:
			e.ts = latest[e.k] + oooGap
		case r == 4 && latest[e.k] > 0:
			e.ts = latest[e.k] + oooGap - 1
		case r < 15:
			e.ts = clock - rng.Int64N(12_000)*1000
		default:
			e.ts = clock - rng.Int64N(3_000)*1000
		}
		if !e.null {
			maxTS = max(maxTS, e.ts)
			latest[e.k] = max(latest[e.k], e.ts)
		}
		events[i] = e
	}
	return events
}

// oooKept applies the watermark rule to events in insertion order: an
// event is late when its event time is NULL or below the largest event
// time of the events before it that were kept, less the delay. It returns
// the events kept, the number of late ones and the watermark after them.
func oooKept(events []oooEvent) (kept []oooEvent, late int64, watermark int64) {
	maxTS, seen := int64(0), false
	for _, e := range events {
		if e.null || seen && e.ts < maxTS-oooDelay {
			late++
			continue
		}
		kept = append(kept, e)
		maxTS, seen = max(maxTS, e.ts), true
	}
	return kept, late, maxTS - oooDelay
}

// oooWindow is a window of a key (k is "" when not grouped by key).
type oooWindow struct {
	k          string
	start, end int64
}

// oooAgg is what the views aggregate over a window's events.
type oooAgg struct{ n, sum, max int64 }

func (a *oooAgg) add(e oooEvent) {
	a.n++
	a.sum += e.v
	a.max = max(a.max, e.v)
}

// oooFixed groups events into the windows of size every slide aligned to
// 1970 (tumbling when slide = size), per key when byKey.
func oooFixed(events []oooEvent, byKey bool, slide, size int64) map[oooWindow]*oooAgg {
	out := map[oooWindow]*oooAgg{}
	for _, e := range events {
		w := oooWindow{}
		if byKey {
			w.k = e.k
		}
		// Event times are after 1970: the remainder is the offset into the slide.
		for w.start = e.ts - e.ts%slide; w.start > e.ts-size; w.start -= slide {
			w.end = w.start + size
			if out[w] == nil {
				out[w] = &oooAgg{}
			}
			out[w].add(e)
		}
	}
	return out
}

// oooSessions groups the events of each key into sessions: in time order,
// an event less than gap after the previous one is in its session, which
// spans [first event time, last event time + gap).
func oooSessions(events []oooEvent, gap int64) map[oooWindow]*oooAgg {
	byKey := map[string][]oooEvent{}
	for _, e := range events {
		byKey[e.k] = append(byKey[e.k], e)
	}
	out := map[oooWindow]*oooAgg{}
	for k, es := range byKey {
		slices.SortFunc(es, func(a, b oooEvent) int { return cmp.Compare(a.ts, b.ts) })
		for i := 0; i < len(es); {
			a := &oooAgg{}
			j := i
			for ; j < len(es) && (j == i || es[j].ts-es[j-1].ts < gap); j++ {
				a.add(es[j])
			}
			out[oooWindow{k, es[i].ts, es[j-1].ts + gap}] = a
			i = j
		}
	}
	return out
}

// oooView is a view under test: its query, and its rows computed from the
// events kept, rendered as rowsOf renders them (timestamps in µs). With
// EMIT ON WINDOW CLOSE only the windows ending at the watermark or before
// are in it.
type oooView struct {
	name, query string
	eowc        bool
	windows     func(kept []oooEvent) map[oooWindow]*oooAgg
	row         func(w oooWindow, a *oooAgg) string
}

func (v oooView) sql() string {
	sql := fmt.Sprintf("CREATE MATERIALIZED VIEW %s AS %s", v.name, v.query)
	if v.eowc {
		sql += " EMIT ON WINDOW CLOSE"
	}
	return sql
}

func (v oooView) want(kept []oooEvent, watermark int64) []string {
	var rows []string
	for w, a := range v.windows(kept) {
		if !v.eowc || w.end <= watermark {
			rows = append(rows, v.row(w, a))
		}
	}
	slices.Sort(rows)
	return rows
}

// oooViews are the views of the test, each in its partial form and with
// EMIT ON WINDOW CLOSE.
func oooViews() []oooView {
	tumble := func(kept []oooEvent) map[oooWindow]*oooAgg { return oooFixed(kept, true, 10_000_000, 10_000_000) }
	hop := func(kept []oooEvent) map[oooWindow]*oooAgg { return oooFixed(kept, true, 5_000_000, 15_000_000) }
	session := func(kept []oooEvent) map[oooWindow]*oooAgg { return oooSessions(kept, oooGap) }
	kns := func(w oooWindow, a *oooAgg) string {
		return fmt.Sprintf("%s|%d|%d|%d|%d", w.k, w.start, w.end, a.n, a.sum)
	}
	kn := func(w oooWindow, a *oooAgg) string { return fmt.Sprintf("%s|%d|%d|%d", w.k, w.start, w.end, a.n) }
	knm := func(w oooWindow, a *oooAgg) string {
		return fmt.Sprintf("%s|%d|%d|%d|%d", w.k, w.start, w.end, a.n, a.max)
	}
	views := []oooView{
		{name: "ooo_tumble", windows: tumble, row: kns,
			query: "SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s FROM TUMBLE(ev, ts, INTERVAL '10 seconds') GROUP BY k, window_start, window_end"},
		{name: "ooo_hop", windows: hop, row: kn,
			query: "SELECT k, window_start, window_end, count(*) AS n FROM HOP(ev, ts, INTERVAL '5 seconds', INTERVAL '15 seconds') GROUP BY k, window_start, window_end"},
		{name: "ooo_session", windows: session, row: knm,
			query: "SELECT k, window_start, window_end, count(*) AS n, max(v) AS hi FROM SESSION(ev, ts, INTERVAL '3 seconds') GROUP BY k, window_start, window_end"},
		{name: "ooo_dialect_tumble", row: kns,
			windows: func(kept []oooEvent) map[oooWindow]*oooAgg { return oooFixed(kept, true, 20_000_000, 20_000_000) },
			query:   "SELECT k, window.start, window.end, n, s FROM (SELECT k, tumble(INTERVAL '20 seconds') AS window, count(*) AS n, sum(v) AS s FROM ev GROUP BY k, window)"},
		{name: "ooo_dialect_hop", row: func(w oooWindow, a *oooAgg) string { return fmt.Sprintf("%d|%d|%d", w.start, w.end, a.n) },
			windows: func(kept []oooEvent) map[oooWindow]*oooAgg { return oooFixed(kept, false, 10_000_000, 30_000_000) },
			query:   "SELECT window.start, window.end, n FROM (SELECT hop(INTERVAL '10 seconds', INTERVAL '30 seconds') AS window, count(*) AS n FROM ev GROUP BY window)"},
	}
	for _, v := range slices.Clone(views) {
		v.name += "_eowc"
		v.eowc = true
		views = append(views, v)
	}
	return views
}

// oooSQL is the INSERT of a batch of events.
func oooSQL(batch []oooEvent) string {
	values := make([]string, len(batch))
	for i, e := range batch {
		ts := "NULL"
		if !e.null {
			ts = "'" + time.UnixMicro(e.ts).UTC().Format("2006-01-02 15:04:05.999999") + "'"
		}
		values[i] = fmt.Sprintf("('%s', %d, %s)", e.k, e.v, ts)
	}
	return "INSERT INTO ev VALUES " + strings.Join(values, ", ")
}

// oooExcess lists the rows of a that b lacks, as multisets.
func oooExcess(a, b []string) []string {
	n := map[string]int{}
	for _, r := range b {
		n[r]++
	}
	var out []string
	for _, r := range a {
		if n[r]--; n[r] < 0 {
			out = append(out, r)
		}
	}
	return out
}

// oooCheck checks every view against the events inserted so far, and the
// late rows each view's dataflow counted.
func oooCheck(t *testing.T, db *DB, s *Session, views []oooView, inserted []oooEvent, when string) {
	t.Helper()
	kept, late, watermark := oooKept(inserted)
	for _, v := range views {
		got := rowsOf(t, s, "SELECT * FROM "+v.name)
		if want := v.want(kept, watermark); !slices.Equal(got, want) {
			t.Errorf("%s: view %s: %d rows, want %d\n only in the view: %q\n missing: %q",
				when, v.name, len(got), len(want), oooExcess(got, want), oooExcess(want, got))
		}
		tbl, ok := db.catalog.Table("public", v.name)
		if !ok {
			t.Fatalf("%s: view %s is not in the catalog", when, v.name)
		}
		db.streams.mu.Lock()
		rv := db.streams.views[tbl.ID]
		db.streams.mu.Unlock()
		if n := rv.flow.LateRows(); n != late {
			t.Errorf("%s: view %s counted %d late rows, want %d", when, v.name, n, late)
		}
	}
}

// oooPhase opens the database in dir, runs fn with a session, and closes
// it.
func oooPhase(t *testing.T, dir string, opts Options, fn func(*DB, *Session)) {
	t.Helper()
	db, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}()
	s, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fn(db, s)
}

// TestOutOfOrderStream inserts an out-of-order stream in batches into a
// table read by tumbling, hopping and session window views, partial and
// EMIT ON WINDOW CLOSE, in both dialects, and checks them against results
// computed from the stream, after each third of it and after each of two
// restarts: one with no checkpoint taken (views are backfilled), one with
// checkpoints every 10 ms (views are restored and the rest replayed), each
// with another partition count.
func TestOutOfOrderStream(t *testing.T) {
	tests := []struct {
		name     string
		seed     uint64
		maxBatch int // events per INSERT: 1 to maxBatch
	}{
		{"small batches", 1, 8},
		{"large batches", 2, 300},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events := oooStream(tc.seed, 6000)
			if _, late, _ := oooKept(events); late == 0 {
				t.Fatalf("no event of the stream is late")
			}
			rng := rand.New(rand.NewPCG(tc.seed, 0xba7c))
			views := oooViews()
			dir := t.TempDir()
			phases := []Options{
				{CheckpointInterval: time.Hour, Partitions: 2},
				{CheckpointInterval: 10 * time.Millisecond, Partitions: 1},
				{Partitions: 3},
			}
			inserted := 0
			for p, opts := range phases {
				oooPhase(t, dir, opts, func(db *DB, s *Session) {
					if p == 0 {
						run(t, s, `CREATE TABLE ev (k TEXT, v INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5 seconds')`)
						for _, v := range views {
							run(t, s, v.sql())
						}
					} else {
						oooCheck(t, db, s, views, events[:inserted], fmt.Sprintf("after restart %d", p))
					}
					for end := (p + 1) * len(events) / len(phases); inserted < end; {
						n := min(1+rng.IntN(tc.maxBatch), end-inserted)
						run(t, s, oooSQL(events[inserted:inserted+n]))
						inserted += n
					}
					oooCheck(t, db, s, views, events[:inserted], fmt.Sprintf("after %d events", inserted))
				})
				if t.Failed() {
					return
				}
			}
		})
	}
}
