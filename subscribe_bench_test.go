package runnel_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runneldb/runnel"
)

// BenchmarkSubscribeFanOut streams one view to many subscribers while a
// writer commits 1000 rows every 10 ms (100 K changes/s); an operation is
// one such commit. Each row carries the wall time its INSERT was sent, so a
// subscriber receiving it knows the delivery lag (commit and fsync
// included); every 16th row's lag is kept, and p50/p99 over all
// subscribers are reported. The CPU time of the whole process (server and
// the subscribers' clients, which only frame messages and read one
// column) is reported per subscriber and second of wall time. Subscribers
// are raw protocol clients, so that the clients' decoding does not
// dominate the figure.
func BenchmarkSubscribeFanOut(b *testing.B) {
	for _, subscribers := range []int{1, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", subscribers), func(b *testing.B) {
			benchFanOut(b, subscribers)
		})
	}
}

// fanOutRows is the number of rows per commit of BenchmarkSubscribeFanOut,
// and fanOutEvery the interval of its commits.
const (
	fanOutRows  = 1000
	fanOutEvery = 10 * time.Millisecond
)

func benchFanOut(b *testing.B, subscribers int) {
	url := subServer(b, runnel.SubscribeOptions{})
	admin := subConn(b, url, false)
	mustExec(b, admin, "CREATE TABLE t (k int, at bigint)", "CREATE MATERIALIZED VIEW mv AS SELECT k, at FROM t")
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	want := b.N * fanOutRows
	lags := make([][]time.Duration, subscribers)
	errs := make(chan error, subscribers)
	var started, done sync.WaitGroup
	for i := range subscribers {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			l, err := fanOutSubscriber(addr, want, started.Done)
			if err != nil {
				errs <- err
			}
			lags[i] = l
		}()
	}
	started.Wait()
	ctx := context.Background()
	writer := subConn(b, url, false)
	cpu := cpuTime(b)
	b.ResetTimer()
	tick := time.NewTicker(fanOutEvery)
	for range b.N {
		<-tick.C
		if _, err := writer.Exec(ctx, "INSERT INTO t SELECT g, $1::bigint FROM generate_series(1, 1000) g", time.Now().UnixNano()); err != nil {
			b.Fatal(err)
		}
	}
	tick.Stop()
	done.Wait()
	b.StopTimer()
	elapsed := b.Elapsed().Seconds()
	used := (cpuTime(b) - cpu).Seconds()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	var all []time.Duration
	for _, l := range lags {
		all = append(all, l...)
	}
	slices.Sort(all)
	b.ReportMetric(float64(want)/elapsed, "changes/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "lag-p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "lag-p99-µs")
	b.ReportMetric(used/float64(subscribers)/elapsed*1000, "cpu-ms/s/subscriber")
}

// fanOutSubscriber subscribes to mv over a raw connection and reads want
// changes, noting the lag of every 16th; ready is called once the
// subscription runs. It frames messages itself and looks only at the
// columns it needs, so that the clients cost little of the CPU measured.
func fanOutSubscriber(addr string, want int, ready func()) ([]time.Duration, error) {
	defer func() {
		if ready != nil {
			ready()
		}
	}()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "runnel", "database": "runnel"}})
	fe.Send(&pgproto3.Query{String: "SUBSCRIBE mv WITH (SNAPSHOT = false, PROGRESS)"})
	if err := fe.Flush(); err != nil {
		return nil, err
	}
	rd := bufio.NewReaderSize(nc, 64<<10)
	var lags []time.Duration
	var head [5]byte
	var body []byte
	for got := 0; got < want; {
		if _, err := io.ReadFull(rd, head[:]); err != nil {
			return nil, err
		}
		n := int(binary.BigEndian.Uint32(head[1:])) - 4
		if cap(body) < n {
			body = make([]byte, n)
		}
		body = body[:n]
		if _, err := io.ReadFull(rd, body); err != nil {
			return nil, err
		}
		switch head[0] {
		case 'E':
			return nil, fmt.Errorf("subscriber: %q", body)
		case 'D':
			if ready != nil { // the first progress row: the subscription runs
				ready()
				ready = nil
			}
			// Columns: runnel_timestamp, runnel_progressed, runnel_diff, k, at.
			cols := fanOutColumns(body)
			if cols[1][0] == 't' {
				continue
			}
			if got%16 == 0 {
				at, err := strconv.ParseInt(string(cols[4]), 10, 64)
				if err != nil {
					return nil, err
				}
				lags = append(lags, time.Since(time.Unix(0, at)))
			}
			got++
		}
	}
	return lags, nil
}

// fanOutColumns splits the body of a DataRow into its values (nil for
// NULL).
func fanOutColumns(body []byte) [][]byte {
	n := int(binary.BigEndian.Uint16(body))
	cols := make([][]byte, n)
	at := 2
	for i := range cols {
		l := int(int32(binary.BigEndian.Uint32(body[at:])))
		at += 4
		if l >= 0 {
			cols[i] = body[at : at+l]
			at += l
		}
	}
	return cols
}
