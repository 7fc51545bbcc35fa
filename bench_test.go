package runnel_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/server"
)

func connect(b *testing.B, db *runnel.DB) *runnel.Session {
	b.Helper()
	s, err := db.Connect(runnel.ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// run executes one statement and reads its whole result.
func run(b *testing.B, s *runnel.Session, sql string) int {
	b.Helper()
	stmts, err := s.Parse(sql)
	if err != nil {
		b.Fatal(err)
	}
	p, err := s.Prepare(stmts[0], nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	res, err := s.Execute(ctx, p, nil)
	if err != nil {
		b.Fatal(err)
	}
	rows := 0
	if res.Rows != nil {
		for {
			batch, err := res.Rows.Next(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if batch == nil {
				break
			}
			rows += batch.Len
		}
	}
	return rows
}

// copyIn loads text-format COPY data, chunk by chunk.
func copyIn(b *testing.B, s *runnel.Session, sql string, chunks [][]byte) {
	b.Helper()
	stmts, _ := s.Parse(sql)
	p, err := s.Prepare(stmts[0], nil)
	if err != nil {
		b.Fatal(err)
	}
	res, err := s.Execute(context.Background(), p, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range chunks {
		if err := res.CopyIn.Write(c); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := res.CopyIn.Done(); err != nil {
		b.Fatal(err)
	}
}

// cpuTime is the CPU time (user and system) the process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRows reports rows/s of wall time and rows/cpu-s, rows per second
// of CPU time used by the whole process (every goroutine, the GC and
// Pebble's background work): the rate one core would sustain.
func reportRows(b *testing.B, rows int, cpuStart time.Duration) {
	total := float64(rows) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(total/(cpuTime(b)-cpuStart).Seconds(), "rows/cpu-s")
}

// narrowRows renders n rows (id int8, k int8, s text of ~10 bytes) as COPY
// text in chunks of about 64 KiB, as a client would send them.
func narrowRows(n, keys int) (chunks [][]byte, size int) {
	var buf []byte
	for i := 0; i < n; i++ {
		buf = strconv.AppendInt(buf, int64(i), 10)
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, int64(i%keys), 10)
		buf = append(buf, "\tvalue-"...)
		buf = strconv.AppendInt(buf, int64(i%1000), 10)
		buf = append(buf, '\n')
		if len(buf) > 64<<10 {
			chunks = append(chunks, buf)
			size += len(buf)
			buf = nil
		}
	}
	chunks = append(chunks, buf)
	return chunks, size + len(buf)
}

// BenchmarkCopyIngest measures COPY FROM STDIN of narrow rows into a table,
// from parsing the client's text to the synced commit.
func BenchmarkCopyIngest(b *testing.B) {
	const n = 1_000_000
	db, err := runnel.Open(b.TempDir(), runnel.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := connect(b, db)
	run(b, s, "CREATE TABLE narrow (id bigint, k bigint, s text)")
	chunks, size := narrowRows(n, 1000)
	b.SetBytes(int64(size))
	cpu := cpuTime(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copyIn(b, s, "COPY narrow FROM STDIN", chunks)
	}
	reportRows(b, n, cpu)
}

// groupDB is the table of BenchmarkScanFilterGroupBy, loaded once and
// shared by all its runs; it lives in groupDir until TestMain ends (a
// benchmark's TempDir would be removed under the open database).
var (
	groupOnce sync.Once
	groupDB   *runnel.DB
	groupDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if groupDB != nil {
		groupDB.Close()
		os.RemoveAll(groupDir)
	}
	os.Exit(code)
}

// BenchmarkScanFilterGroupBy measures SELECT k, sum(v), count(*) … WHERE …
// GROUP BY k over 10 million stored rows with 1000 distinct integer keys.
func BenchmarkScanFilterGroupBy(b *testing.B) {
	const n = 10_000_000
	groupOnce.Do(func() {
		var err error
		if groupDir, err = os.MkdirTemp("", "runnel-bench-"); err != nil {
			b.Fatal(err)
		}
		if groupDB, err = runnel.Open(groupDir, runnel.Options{}); err != nil {
			b.Fatal(err)
		}
		s := connect(b, groupDB)
		run(b, s, "CREATE TABLE facts (id bigint, k bigint, s text)")
		for part := 0; part < 10; part++ {
			chunks, _ := narrowRows(n/10, 1000)
			copyIn(b, s, "COPY facts FROM STDIN", chunks)
		}
	})
	s := connect(b, groupDB)
	cpu := cpuTime(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := run(b, s, "SELECT k, sum(id), count(*) FROM facts WHERE id >= 0 GROUP BY k"); got != 1000 {
			b.Fatalf("%d groups, want 1000", got)
		}
	}
	reportRows(b, n, cpu)
}

// BenchmarkPointInsert measures single-row INSERT round trips over the wire
// protocol, each acknowledged only once durable, from 1 and 16 connections
// opened before the timer starts. Use a -benchtime of thousands of inserts:
// with a handful, idle connections and one fsync dominate.
func BenchmarkPointInsert(b *testing.B) {
	for _, conns := range []int{1, 16} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			db, err := runnel.Open(b.TempDir(), runnel.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := server.New(db, server.Config{}, nil)
			go srv.Serve(ln) //nolint:errcheck // ends at Shutdown
			defer srv.Shutdown(context.Background())
			url := "postgres://runnel@" + ln.Addr().String() + "/runnel?sslmode=disable"
			ctx := context.Background()
			setup, err := pgx.Connect(ctx, url)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := setup.Exec(ctx, "CREATE TABLE points (id bigint PRIMARY KEY, v int)"); err != nil {
				b.Fatal(err)
			}
			setup.Close(ctx)
			clients := make([]*pgx.Conn, conns)
			for c := range clients {
				if clients[c], err = pgx.Connect(ctx, url); err != nil {
					b.Fatal(err)
				}
				defer clients[c].Close(ctx)
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for _, conn := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						id := next.Add(1)
						if id > int64(b.N) {
							return
						}
						if _, err := conn.Exec(ctx, "INSERT INTO points VALUES ($1, $2)", id, int32(id)); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "inserts/s")
		})
	}
}
