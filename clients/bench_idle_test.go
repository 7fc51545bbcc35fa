package clients_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/runneldb/runnel/sqllogictest/testserver"
)

// idleClients is how many connections BenchmarkIdleConnections holds open.
const idleClients = 500

// idleHelperEnv, set to a server URL, turns the test binary into the
// process that holds the idle connections of BenchmarkIdleConnections, so
// that the clients' memory is not counted with the server's.
const idleHelperEnv = "RUNNEL_IDLE_CLIENTS_URL"

func TestMain(m *testing.M) {
	if url := os.Getenv(idleHelperEnv); url != "" {
		os.Exit(holdIdleConnections(url))
	}
	os.Exit(m.Run())
}

// holdIdleConnections opens idleClients connections to url, prints
// "ready", and closes them when its standard input ends.
func holdIdleConnections(url string) int {
	ctx := context.Background()
	conns := make([]*pgconn.PgConn, 0, idleClients)
	defer func() {
		for _, c := range conns {
			c.Close(ctx)
		}
	}()
	for range idleClients {
		c, err := pgconn.Connect(ctx, url)
		if err != nil {
			fmt.Fprintf(os.Stderr, "connection %d: %v\n", len(conns)+1, err)
			return 1
		}
		conns = append(conns, c)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// serverMemory is the live heap plus the goroutine stacks of this process,
// after a collection.
func serverMemory() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}

// settleGoroutines waits (at most 10 s) until no more than n goroutines
// run: the sessions of the connections closed before have ended.
func settleGoroutines(n int) {
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkIdleConnections measures what an idle connection costs the
// server: its heap and goroutine stacks with idleClients connections open
// (held by another process) minus those without, per connection.
func BenchmarkIdleConnections(b *testing.B) {
	url := testserver.Start(b)
	baseGoroutines := runtime.NumGoroutine()
	var bytes, goroutines float64
	runs := 0
	for b.Loop() {
		runs++
		settleGoroutines(baseGoroutines)
		before, beforeG := serverMemory(), runtime.NumGoroutine()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), idleHelperEnv+"="+url)
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			b.Fatalf("the process holding the connections said %q, %v", line, err)
		}
		after, afterG := serverMemory(), runtime.NumGoroutine()
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			b.Fatalf("the process holding the connections: %v", err)
		}
		bytes += (float64(after) - float64(before)) / idleClients
		goroutines += float64(afterG-beforeG) / idleClients
	}
	b.ReportMetric(bytes/float64(runs), "bytes/conn")
	b.ReportMetric(goroutines/float64(runs), "goroutines/conn")
}
