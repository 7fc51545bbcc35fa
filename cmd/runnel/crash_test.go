package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// fixture is a runnel binary and a data directory that its processes,
// killed and restarted, share.
type fixture struct{ bin, dir, addr string }

func newFixture(t testing.TB) *fixture {
	return &fixture{bin: buildBinary(t), dir: t.TempDir(), addr: freeAddr(t)}
}

// start runs a runnel process on the fixture's data directory; flags are
// added to (and override) those of start.
func (f *fixture) start(t testing.TB, flags ...string) *process {
	return start(t, f.bin, f.dir, f.addr, flags...)
}

// The runnel binary is built once for the package's tests, into binDir,
// which TestMain removes.
var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary returns the runnel binary for crash tests, built on first use.
func buildBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "runnel-crash-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "runnel")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is a runnel process under test.
type process struct {
	cmd  *exec.Cmd
	addr string
	// startup is the time from starting the process until it accepted a
	// connection (to within 5ms).
	startup time.Duration
	exited  chan struct{} // closed once the process has ended
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs `runnel serve` on dir, with flags added, and waits until it
// accepts connections. The process is killed when the test ends, if it is
// still running.
func start(t testing.TB, bin, dir, addr string, flags ...string) *process {
	t.Helper()
	args := append([]string{"serve", "--listen", addr, "--data", dir, "--log-level", "warn"}, flags...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &process{cmd: cmd, addr: addr, exited: make(chan struct{})}
	go func() {
		cmd.Wait() //nolint:errcheck // ProcessState says how it ended
		close(s.exited)
	}()
	t.Cleanup(s.kill)
	for time.Since(began) < 20*time.Second {
		if c, err := net.Dial("tcp", addr); err == nil {
			s.startup = time.Since(began)
			c.Close()
			return s
		}
		select {
		case <-s.exited:
			t.Fatalf("runnel exited while starting: %v", cmd.ProcessState)
		case <-time.After(5 * time.Millisecond):
		}
	}
	cmd.Process.Signal(syscall.SIGQUIT) //nolint:errcheck // it prints its goroutines to stderr
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
	}
	s.kill()
	t.Fatalf("runnel did not start listening on %s (its goroutines are above)", addr)
	return nil
}

// kill ends the process with SIGKILL, as a crash would, and waits for it
// to end; it may be called again.
func (s *process) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL) //nolint:errcheck // it may be gone already
	<-s.exited
}

// url is the connection string of the process.
func (s *process) url() string {
	return fmt.Sprintf("postgres://runnel@%s/runnel?sslmode=disable", s.addr)
}

func (s *process) connect(t testing.TB) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), s.url())
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// TestCrashLosesNoAcknowledgedWrite kills the process with SIGKILL while
// several clients insert, update and delete, restarts it, and checks that
// every acknowledged write is there — and nothing that was never written.
// It does so for several crash/restart cycles over the same data directory.
func TestCrashLosesNoAcknowledgedWrite(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	srv := f.start(t)
	conn := srv.connect(t)
	if _, err := conn.Exec(ctx, "CREATE TABLE acked (id bigint PRIMARY KEY, writer int NOT NULL, v text)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	// want[id] is the acknowledged value of a row ("" when acknowledged
	// deleted); maybe[id] are values written but not acknowledged.
	want := map[int64]string{}
	maybe := map[int64][]string{}
	var mu sync.Mutex
	nextID := int64(0)

	for cycle := 0; cycle < 3; cycle++ {
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				c, err := pgx.Connect(ctx, srv.url())
				if err != nil {
					return
				}
				defer c.Close(ctx)
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					id := nextID
					nextID++
					v := fmt.Sprintf("c%d-w%d-%d", cycle, w, i)
					maybe[id] = append(maybe[id], v)
					mu.Unlock()
					if _, err := c.Exec(ctx, "INSERT INTO acked VALUES ($1, $2, $3)", id, w, v); err != nil {
						return
					}
					mu.Lock()
					want[id] = v
					mu.Unlock()
					if i%5 == 4 { // rewrite, then delete, an acknowledged row of ours
						v2 := v + "-updated"
						mu.Lock()
						maybe[id] = append(maybe[id], v2)
						mu.Unlock()
						if _, err := c.Exec(ctx, "UPDATE acked SET v = $2 WHERE id = $1", id, v2); err != nil {
							return
						}
						mu.Lock()
						want[id] = v2
						mu.Unlock()
					}
					if i%7 == 6 {
						mu.Lock()
						maybe[id] = append(maybe[id], "")
						mu.Unlock()
						if _, err := c.Exec(ctx, "DELETE FROM acked WHERE id = $1", id); err != nil {
							return
						}
						mu.Lock()
						want[id] = ""
						mu.Unlock()
					}
				}
			}(w)
		}
		time.Sleep(400 * time.Millisecond)
		srv.kill() // mid-stream: some writes are in flight
		close(stop)
		wg.Wait()

		srv = f.start(t)
		conn := srv.connect(t)
		got := map[int64]string{}
		rows, err := conn.Query(ctx, "SELECT id, v FROM acked")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var v string
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			got[id] = v
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		conn.Close(ctx)
		mu.Lock()
		acked := 0
		for id, v := range want {
			g, present := got[id]
			switch {
			case v == "" && present:
				t.Errorf("cycle %d: row %d was deleted (acknowledged) but has %q", cycle, id, g)
			case v != "" && !present && !slices.Contains(maybe[id], ""):
				t.Errorf("cycle %d: acknowledged row %d (%q) is missing", cycle, id, v)
			case v != "" && present && g != v && !slices.Contains(maybe[id], g):
				t.Errorf("cycle %d: row %d is %q, acknowledged %q", cycle, id, g, v)
			}
			if v != "" {
				acked++
			}
		}
		for id, g := range got {
			if !slices.Contains(maybe[id], g) {
				t.Errorf("cycle %d: row %d = %q was never written", cycle, id, g)
			}
			// What survived is the truth from now on.
			want[id] = g
		}
		for id := range want {
			if _, ok := got[id]; !ok {
				want[id] = ""
			}
		}
		mu.Unlock()
		if acked == 0 {
			t.Fatalf("cycle %d: no write was acknowledged before the crash", cycle)
		}
		t.Logf("cycle %d: %d rows acknowledged, %d present after restart", cycle, acked, len(got))
	}
	srv.kill()
}

// TestCrashAfterCopyAndTransaction checks that a COPY and an explicit
// transaction, once acknowledged, survive SIGKILL, and that a transaction
// that was open (not committed) at the crash leaves nothing behind.
func TestCrashAfterCopyAndTransaction(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	srv := f.start(t)
	conn := srv.connect(t)
	mustExec := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	mustExec("CREATE TABLE c (a int, b text)")
	rows := make([][]any, 50000)
	for i := range rows {
		rows[i] = []any{int32(i), fmt.Sprintf("row %d", i)}
	}
	if n, err := conn.CopyFrom(ctx, pgx.Identifier{"c"}, []string{"a", "b"}, pgx.CopyFromRows(rows)); err != nil || n != int64(len(rows)) {
		t.Fatalf("COPY: %d rows, %v", n, err)
	}
	mustExec("BEGIN")
	mustExec("INSERT INTO c VALUES (-1, 'committed')")
	mustExec("DELETE FROM c WHERE a >= 0 AND a < 100")
	mustExec("COMMIT")
	other := srv.connect(t)
	if _, err := other.Exec(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(ctx, "INSERT INTO c VALUES (-2, 'never committed')"); err != nil {
		t.Fatal(err)
	}
	srv.kill()

	srv = f.start(t)
	defer srv.kill()
	conn = srv.connect(t)
	var n, committed, uncommitted, low int64
	err := conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE a = -1), count(*) FILTER (WHERE a = -2),
		count(*) FILTER (WHERE a >= 0 AND a < 100) FROM c`).Scan(&n, &committed, &uncommitted, &low)
	if err != nil {
		t.Fatal(err)
	}
	if n != 50000-100+1 || committed != 1 || uncommitted != 0 || low != 0 {
		t.Fatalf("after restart: %d rows (want %d), committed %d (want 1), uncommitted %d (want 0), deleted still there %d (want 0)",
			n, 50000-100+1, committed, uncommitted, low)
	}
}
