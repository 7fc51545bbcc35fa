package runnel

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runneldb/runnel/vector"
)

// Benchmarks of materialized views, through the session API: COPY into an
// aggregate view, updates through a join view, the latency from a write to
// its visibility in a view, and the cost of a checkpoint. They are in
// package runnel (bench_test.go is runnel_test) to trigger checkpoints
// directly, so they have their own helpers, taking a *testing.B.

// benchOpen opens a database in a new temporary directory.
func benchOpen(b *testing.B, opts Options) *DB {
	b.Helper()
	db, err := Open(b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	return db
}

func benchSession(b *testing.B, db *DB) *Session {
	b.Helper()
	s, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchPrepare(b *testing.B, s *Session, sql string) *Prepared {
	b.Helper()
	stmts, err := s.Parse(sql)
	if err != nil {
		b.Fatal(err)
	}
	p, err := s.Prepare(stmts[0], nil)
	if err != nil {
		b.Fatalf("%s: %v", sql, err)
	}
	return p
}

// benchRun executes p and returns its result, rows unread.
func benchRun(b *testing.B, s *Session, p *Prepared, params ...vector.Datum) *Result {
	b.Helper()
	res, err := s.Execute(context.Background(), p, params)
	if err != nil {
		b.Fatalf("%s: %v", p.SQL, err)
	}
	return res
}

// benchCount executes p and returns how many rows it produced.
func benchCount(b *testing.B, s *Session, p *Prepared, params ...vector.Datum) int {
	b.Helper()
	res := benchRun(b, s, p, params...)
	n := 0
	for res.Rows != nil {
		batch, err := res.Rows.Next(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if batch == nil {
			break
		}
		n += batch.Len
	}
	return n
}

// benchExec executes one statement and reads its whole result.
func benchExec(b *testing.B, s *Session, sql string) {
	b.Helper()
	benchCount(b, s, benchPrepare(b, s, sql))
}

// benchRow returns the first row of a query as "a|b|…", for checking
// results.
func benchRow(b *testing.B, s *Session, sql string) string {
	b.Helper()
	res := benchRun(b, s, benchPrepare(b, s, sql))
	defer res.Rows.Close()
	batch, err := res.Rows.Next(context.Background())
	if err != nil || batch == nil {
		b.Fatalf("%s: no row (%v)", sql, err)
	}
	vals := make([]string, len(batch.Cols))
	for c, col := range batch.Cols {
		vals[c] = string(vector.AppendText(nil, col, res.Columns[c].Type, 0, nil))
	}
	return strings.Join(vals, "|")
}

// benchCopy runs COPY … FROM STDIN with the given chunks of text data.
func benchCopy(b *testing.B, s *Session, sql string, chunks [][]byte) {
	b.Helper()
	res := benchRun(b, s, benchPrepare(b, s, sql))
	for _, c := range chunks {
		if err := res.CopyIn.Write(c); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := res.CopyIn.Done(); err != nil {
		b.Fatal(err)
	}
}

// copyText renders n rows as COPY text in chunks of about 64 KiB, as a
// client would send them; row appends row i, ending in a newline.
func copyText(n int, row func(buf []byte, i int) []byte) [][]byte {
	var chunks [][]byte
	var buf []byte
	for i := range n {
		if buf = row(buf, i); len(buf) > 64<<10 {
			chunks = append(chunks, buf)
			buf = nil
		}
	}
	return append(chunks, buf)
}

// appendLine appends a COPY text line of integers.
func appendLine(buf []byte, vals ...int64) []byte {
	for i, v := range vals {
		if i > 0 {
			buf = append(buf, '\t')
		}
		buf = strconv.AppendInt(buf, v, 10)
	}
	return append(buf, '\n')
}

// cpuUsed is the CPU time (user and system) the process has used so far:
// every goroutine, the GC and Pebble's background work.
func cpuUsed(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs f with the benchmark timer running (it must be stopped
// before) and adds the process CPU time f took to *cpu.
func measure(b *testing.B, cpu *time.Duration, f func()) {
	start := cpuUsed(b)
	b.StartTimer()
	f()
	b.StopTimer()
	*cpu += cpuUsed(b) - start
}

// reportRate reports rows per second of measured time and rows per second
// of CPU time: the rate one core would sustain.
func reportRate(b *testing.B, rows int, cpu time.Duration) {
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
}

// liveHeap is the heap in use after a full GC.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

const sumsView = "CREATE MATERIALIZED VIEW sums AS SELECT k, sum(v) AS sv, count(*) AS n FROM facts GROUP BY k"

// BenchmarkViewGroupBy measures COPY into a table read by SELECT k, sum(v),
// count(*) … GROUP BY k, the view created before the load: 2 million rows
// in 10 COPY statements, two passes over 1 million keys in random order
// (the first adds the groups, the second updates each), until FLUSH
// returns; with checkpoints every second (the default) and with none. It
// reports input rows/s and rows/cpu-s, and the heap per group: the heap
// after the load with the view, less the heap after the same load without
// it.
func BenchmarkViewGroupBy(b *testing.B) {
	const groups, parts = 1_000_000, 10
	rng := rand.New(rand.NewPCG(1, 2))
	keys := append(rng.Perm(groups), rng.Perm(groups)...)
	per := len(keys) / parts
	input := make([][][]byte, parts)
	for p := range input {
		input[p] = copyText(per, func(buf []byte, i int) []byte {
			return appendLine(buf, int64(keys[p*per+i]), int64(p*per+i))
		})
	}
	for _, c := range []struct {
		name     string
		interval time.Duration
	}{{"checkpoints=1s", time.Second}, {"checkpoints=off", time.Hour}} {
		opts := Options{CheckpointInterval: c.interval}
		b.Run(c.name, func(b *testing.B) {
			// load loads the input into a new database, with or without
			// the view, and returns the heap in use, the database still
			// open.
			load := func(view bool, cpu *time.Duration) uint64 {
				db := benchOpen(b, opts)
				defer db.Close()
				s := benchSession(b, db)
				benchExec(b, s, "CREATE TABLE facts (k bigint, v bigint)")
				if view {
					benchExec(b, s, sumsView)
				}
				measure(b, cpu, func() {
					for _, chunks := range input {
						benchCopy(b, s, "COPY facts FROM STDIN", chunks)
					}
					benchExec(b, s, "FLUSH")
				})
				heap := liveHeap()
				if view {
					rows := len(keys)
					want := fmt.Sprintf("%d|%d|%d", groups, rows, rows*(rows-1)/2)
					if got := benchRow(b, s, "SELECT count(*), sum(n), sum(sv) FROM sums"); got != want {
						b.Fatalf("view has count, sum(n), sum(sv) = %s, want %s", got, want)
					}
				}
				return heap
			}
			b.StopTimer()
			var cpu time.Duration
			table := load(false, &cpu)
			b.ResetTimer()
			cpu = 0
			var withView uint64
			for range b.N {
				withView = load(true, &cpu)
			}
			reportRate(b, len(keys)*b.N, cpu)
			b.ReportMetric((float64(withView)-float64(table))/groups, "bytes/group")
		})
	}
}

// BenchmarkViewJoinUpdates measures UPDATE statements on both sides of a
// join read by a view: orders (1 million rows) JOIN customers (100 000
// rows, 10 orders each). Each op updates 1% of each table (10 000 orders
// and 1000 customers, whose 10 000 orders change in the view); FLUSH ends
// the measurement, which starts after the view's first checkpoint and
// includes the later ones (every second). It reports updated input rows/s
// and rows/cpu-s, with the view and, for comparison, without it.
func BenchmarkViewJoinUpdates(b *testing.B) {
	const orders, customers = 1_000_000, 100_000
	const orderBatch, customerBatch = orders / 100, customers / 100
	orderRows := copyText(orders, func(buf []byte, i int) []byte {
		return appendLine(buf, int64(i), int64(i%customers), int64(i%1000))
	})
	customerRows := copyText(customers, func(buf []byte, i int) []byte {
		return appendLine(buf, int64(i), int64(i%50))
	})
	for _, view := range []bool{false, true} {
		b.Run(fmt.Sprintf("view=%v", view), func(b *testing.B) {
			b.StopTimer()
			db := benchOpen(b, Options{})
			defer db.Close()
			s := benchSession(b, db)
			benchExec(b, s, "CREATE TABLE orders (id bigint, cust bigint, amount bigint)")
			benchExec(b, s, "CREATE TABLE customers (id bigint, region bigint)")
			benchCopy(b, s, "COPY orders FROM STDIN", orderRows)
			benchCopy(b, s, "COPY customers FROM STDIN", customerRows)
			const join = "SELECT o.id, o.amount, c.region FROM orders o JOIN customers c ON o.cust = c.id"
			if view {
				benchExec(b, s, "CREATE MATERIALIZED VIEW placed AS "+join)
			}
			awaitCheckpoint(b, db.streams) // the view's first, of all its state
			b.ResetTimer()
			var cpu time.Duration
			measure(b, &cpu, func() {
				for i := range b.N {
					lo := i * orderBatch % orders
					benchExec(b, s, fmt.Sprintf("UPDATE orders SET amount = amount + 1 WHERE id >= %d AND id < %d", lo, lo+orderBatch))
					lo = i * customerBatch % customers
					benchExec(b, s, fmt.Sprintf("UPDATE customers SET region = region + 1 WHERE id >= %d AND id < %d", lo, lo+customerBatch))
				}
				benchExec(b, s, "FLUSH")
			})
			reportRate(b, (orderBatch+customerBatch)*b.N, cpu)
			if view {
				const totals = "SELECT count(*), sum(amount), sum(region) FROM "
				if got, want := benchRow(b, s, totals+"placed"), benchRow(b, s, totals+"("+join+") j"); got != want {
					b.Fatalf("view has count, sum(amount), sum(region) = %s, want %s", got, want)
				}
			}
		})
	}
}

// BenchmarkViewVisibility measures, on an idle database, the latency from
// an INSERT acknowledged to its row counted in a GROUP BY view over the
// table: read by another session polling the view in a tight loop
// (reader=other), and by the writing session, whose SELECT waits for the
// view to reflect its write (reader=same). An op is one INSERT (synced)
// and the reads until the row shows; it reports the latency's p50 and p99.
func BenchmarkViewVisibility(b *testing.B) {
	const keys = 64 // the view keeps keys rows, so each read is cheap
	for _, reader := range []string{"other", "same"} {
		b.Run("reader="+reader, func(b *testing.B) {
			db := benchOpen(b, Options{})
			defer db.Close()
			w := benchSession(b, db)
			r := w
			if reader == "other" {
				r = benchSession(b, db)
			}
			benchExec(b, w, "CREATE TABLE events (k bigint, v bigint)")
			benchExec(b, w, "CREATE MATERIALIZED VIEW counts AS SELECT k, count(*) AS n FROM events GROUP BY k")
			insert := benchPrepare(b, w, "INSERT INTO events VALUES ($1, 1)")
			shows := benchPrepare(b, r, "SELECT 1 FROM counts WHERE k = $1 AND n = $2")
			latency := make([]time.Duration, b.N)
			b.ResetTimer()
			for i := range b.N {
				k, n := int64(i%keys), int64(i/keys+1)
				benchRun(b, w, insert, k)
				start := time.Now()
				for benchCount(b, r, shows, k, n) == 0 {
					// Yield, as a client waiting for the network would:
					// spinning, the poller would keep its core for a
					// whole 10 ms time slice from the dataflow.
					runtime.Gosched()
				}
				latency[i] = time.Since(start)
			}
			b.StopTimer()
			slices.Sort(latency)
			b.ReportMetric(float64(latency[b.N/2].Nanoseconds())/1e3, "p50-µs")
			b.ReportMetric(float64(latency[b.N*99/100].Nanoseconds())/1e3, "p99-µs")
		})
	}
}

// awaitStreams polls cond, called with s.mu held, until it holds; it fails
// b after a minute.
func awaitStreams(b *testing.B, s *streams, what string, cond func() bool) {
	b.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Microsecond) {
		s.mu.Lock()
		ok := cond()
		s.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("no %s after a minute", what)
		}
	}
}

// awaitCheckpoint waits until a checkpoint begun (by the interval) after
// the call is written.
func awaitCheckpoint(b *testing.B, s *streams) {
	s.mu.Lock()
	epoch := s.epoch
	s.mu.Unlock()
	awaitStreams(b, s, "checkpoint", func() bool { return s.epoch > epoch && s.inflight == nil })
}

// checkpointNow begins a checkpoint of every view (as the interval would)
// and waits until it is written. It returns the bytes of state written
// (keys and values) and the number of entries.
func checkpointNow(b *testing.B, s *streams) (bytes, entries int) {
	b.Helper()
	s.deliver(true)
	s.mu.Lock()
	c := s.inflight
	s.mu.Unlock()
	if c == nil {
		b.Fatal("no checkpoint in flight after deliver(true)")
	}
	awaitStreams(b, s, "checkpoint written", func() bool { return s.inflight != c })
	for _, e := range c.Entries() {
		bytes += len(e.Key) + len(e.Value)
	}
	return bytes, len(c.Entries())
}

// BenchmarkViewCheckpoint measures the checkpoint of the view sums over 1
// million groups, 1% of which (10 000 rows updated, so groups and view
// rows) changed since the previous checkpoint: an op is from beginning the
// checkpoint to its state and manifest written. The interval is long
// enough that only the benchmark checkpoints. It reports the bytes and
// entries per checkpoint, and the time and bytes of the first checkpoint,
// which writes every group.
func BenchmarkViewCheckpoint(b *testing.B) {
	const groups, changed = 1_000_000, 10_000
	b.StopTimer()
	db := benchOpen(b, Options{CheckpointInterval: time.Hour})
	defer db.Close()
	s := benchSession(b, db)
	benchExec(b, s, "CREATE TABLE facts (k bigint, v bigint)")
	benchExec(b, s, sumsView)
	benchCopy(b, s, "COPY facts FROM STDIN", copyText(groups, func(buf []byte, i int) []byte {
		return appendLine(buf, int64(i), int64(i))
	}))
	benchExec(b, s, "FLUSH")
	start := time.Now()
	full, _ := checkpointNow(b, db.streams)
	fullTime := time.Since(start)
	b.ResetTimer()
	var bytes, entries int
	for i := range b.N {
		lo := i * changed % groups
		benchExec(b, s, fmt.Sprintf("UPDATE facts SET v = v + 1 WHERE k >= %d AND k < %d", lo, lo+changed))
		benchExec(b, s, "FLUSH")
		b.StartTimer()
		n, e := checkpointNow(b, db.streams)
		b.StopTimer()
		bytes, entries = bytes+n, entries+e
	}
	b.ReportMetric(float64(fullTime.Milliseconds()), "full-ms")
	b.ReportMetric(float64(full), "full-B")
	b.ReportMetric(float64(bytes)/float64(b.N), "B/checkpoint")
	b.ReportMetric(float64(entries)/float64(b.N), "entries/checkpoint")
	if got, want := benchRow(b, s, "SELECT count(*), sum(sv) FROM sums"), benchRow(b, s, "SELECT count(DISTINCT k), sum(v) FROM facts"); got != want {
		b.Fatalf("view has count(*), sum(sv) = %s, want %s", got, want)
	}
}

// BenchmarkViewTumble measures a tumbling-window view end to end: 2
// million events (10 000 keys, event time advancing 1 µs per event, in
// order) COPYed into a table with event time, each window of 1 s counted
// and summed per key, until FLUSH returns. The COPY text is made before
// the timer starts.
func BenchmarkViewTumble(b *testing.B) {
	const events, keys, parts = 2_000_000, 10_000, 10
	per := events / parts
	input := make([][][]byte, parts)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for p := range input {
		input[p] = copyText(per, func(buf []byte, i int) []byte {
			n := p*per + i
			buf = appendLine(buf, int64(n*7919%keys), int64(n))
			buf = buf[:len(buf)-1]
			buf = append(buf, '\t')
			buf = base.Add(time.Duration(n)*time.Microsecond).AppendFormat(buf, "2006-01-02 15:04:05.000000")
			return append(buf, '\n')
		})
	}
	var cpu time.Duration
	b.StopTimer()
	for range b.N {
		db := benchOpen(b, Options{})
		s := benchSession(b, db)
		benchExec(b, s, "CREATE TABLE ev (k bigint, v bigint, ts timestamp, WATERMARK FOR ts)")
		benchExec(b, s, `CREATE MATERIALIZED VIEW per_second AS SELECT k, window_start, count(*) AS n, sum(v) AS sv
			FROM TUMBLE(ev, ts, INTERVAL '1 second') GROUP BY k, window_start`)
		measure(b, &cpu, func() {
			for _, chunks := range input {
				benchCopy(b, s, "COPY ev FROM STDIN", chunks)
			}
			benchExec(b, s, "FLUSH")
		})
		want := fmt.Sprintf("%d|%d", events, events*(events-1)/2)
		if got := benchRow(b, s, "SELECT sum(n), sum(sv) FROM per_second"); got != want {
			b.Fatalf("view has sum(n), sum(sv) = %s, want %s", got, want)
		}
		db.Close()
	}
	reportRate(b, events*b.N, cpu)
}
