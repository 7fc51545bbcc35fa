package runnel_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copyIn(b, s, "COPY narrow FROM STDIN", chunks)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

var (
	groupOnce sync.Once
	groupDB   *runnel.DB
)

// BenchmarkScanFilterGroupBy measures SELECT k, sum(v), count(*) … WHERE …
// GROUP BY k over 10 million stored rows with 1000 distinct integer keys.
func BenchmarkScanFilterGroupBy(b *testing.B) {
	const n = 10_000_000
	groupOnce.Do(func() {
		var err error
		if groupDB, err = runnel.Open(b.TempDir(), runnel.Options{}); err != nil {
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
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := run(b, s, "SELECT k, sum(id), count(*) FROM facts WHERE id >= 0 GROUP BY k"); got != 1000 {
			b.Fatalf("%d groups, want 1000", got)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPointInsert measures single-row INSERT round trips over the wire
// protocol, each acknowledged only once durable, from 1 and 16 connections.
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
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for c := 0; c < conns; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					conn, err := pgx.Connect(ctx, url)
					if err != nil {
						b.Error(err)
						return
					}
					defer conn.Close(ctx)
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
