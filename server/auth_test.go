package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lib/pq"

	"github.com/runneldb/runnel"
)

// authServer serves a fresh database with cfg on 127.0.0.1 after running
// setup as the bootstrap role, and returns the server and its address.
func authServer(t *testing.T, cfg Config, setup ...string) (*Server, string) {
	t.Helper()
	db, err := runnel.Open(t.TempDir(), runnel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sess, err := db.Connect(runnel.ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	for _, q := range setup {
		stmts, err := sess.Parse(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		p, err := sess.Prepare(stmts[0], nil)
		if err == nil {
			_, err = sess.Execute(context.Background(), p, nil)
		}
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	srv := New(db, cfg, nil)
	return srv, serve(t, srv)
}

// authRoles are the roles the authentication tests connect as.
var authRoles = []string{
	"CREATE USER alice PASSWORD 'secret'",
	"SET password_encryption = 'md5'",
	"CREATE USER oldclient PASSWORD 'md5pw'",
	"RESET password_encryption",
	"CREATE ROLE nologin PASSWORD 'x'",
	"CREATE USER nopass",
	"CREATE USER limited PASSWORD 'l' CONNECTION LIMIT 1",
}

// pgxLogin connects with pgx to url and reports the session's user, or
// the server's error.
func pgxLogin(url string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	var user string
	err = c.QueryRow(ctx, "SELECT current_user").Scan(&user)
	return user, err
}

// pqLogin is pgxLogin with lib/pq.
func pqLogin(url string) (string, error) {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var user string
	err = db.QueryRow("SELECT current_user").Scan(&user)
	return user, err
}

// psqlPath is psql's path; the test is skipped without it, except on CI.
func psqlPath(t *testing.T) string {
	t.Helper()
	psql, err := exec.LookPath("psql")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("psql is not installed; CI must run the psql client tests")
		}
		t.Skip("psql is not installed")
	}
	return psql
}

// psqlLogin connects psql with conninfo and PGPASSWORD=password and
// reports the session's user, or psql's error output.
func psqlLogin(t *testing.T, conninfo, password string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, psqlPath(t), "-X", "-A", "-t", "-c", "SELECT current_user", conninfo)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s", out)
	}
	return strings.TrimSpace(string(out)), nil
}

// sqlState is the SQLSTATE of a pgx or lib/pq error, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	var qe *pq.Error
	if errors.As(err, &qe) {
		return string(qe.Code)
	}
	return ""
}

// TestPasswordAuthentication logs in with each client under password
// authentication: SCRAM-SHA-256, md5 for a role whose password is an md5
// hash, and the refusals — an unknown role, a role without a password and
// a wrong password all fail alike (28P01), a role without LOGIN with 28000.
func TestPasswordAuthentication(t *testing.T) {
	srv, addr := authServer(t, Config{Auth: AuthConfig{Local: AuthPassword}}, authRoles...)
	host, port, _ := net.SplitHostPort(addr)
	url := func(user, password string) string {
		return fmt.Sprintf("postgres://%s:%s@%s/runnel?sslmode=disable", user, password, addr)
	}
	// Failed logins from a host count until one succeeds (a role without
	// LOGIN gave the right password): never more than loginFreeFailures in
	// a row here, so that no attempt waits.
	cases := []struct {
		user, password, code, msg string
		failures                  int // held against the host after it
	}{
		{"alice", "secret", "", "", 0},
		{"alice", "wrong", "28P01", `password authentication failed for user "alice"`, 1},
		{"oldclient", "wrong", "28P01", `password authentication failed for user "oldclient"`, 2},
		{"ghost", "secret", "28P01", `password authentication failed for user "ghost"`, 3},
		{"oldclient", "md5pw", "", "", 0},
		{"nopass", "x", "28P01", `password authentication failed for user "nopass"`, 1},
		{"nologin", "x", "28000", `role "nologin" is not permitted to log in`, 0},
	}
	logins := []struct {
		client string
		login  func(user, password string) (string, error)
	}{
		{"pgx", func(u, p string) (string, error) { return pgxLogin(url(u, p)) }},
		{"lib/pq", func(u, p string) (string, error) { return pqLogin(url(u, p)) }},
	}
	for _, l := range logins {
		for _, c := range cases {
			user, err := l.login(c.user, c.password)
			switch {
			case c.code == "" && (err != nil || user != c.user):
				t.Errorf("%s as %s: user %q, %v; want to be %s", l.client, c.user, user, err, c.user)
			case c.code != "" && (sqlState(err) != c.code || !strings.Contains(err.Error(), c.msg)):
				t.Errorf("%s as %s with %q: %v; want %s %s", l.client, c.user, c.password, err, c.code, c.msg)
			}
			if n := srv.limiter.failures("127.0.0.1"); n != c.failures {
				t.Errorf("%s as %s with %q: %d failures held against the host, want %d", l.client, c.user, c.password, n, c.failures)
			}
		}
	}
	for _, c := range cases {
		conninfo := fmt.Sprintf("host=%s port=%s dbname=runnel user=%s sslmode=disable", host, port, c.user)
		user, err := psqlLogin(t, conninfo, c.password)
		switch {
		case c.code == "" && (err != nil || user != c.user):
			t.Errorf("psql as %s: %q, %v", c.user, user, err)
		case c.code != "" && (err == nil || !strings.Contains(err.Error(), c.msg)):
			t.Errorf("psql as %s with %q: %v; want %s", c.user, c.password, err, c.msg)
		}
	}
}

// TestTrustAndReject: under trust a role that may log in connects without
// its password, a name without a role and a role without LOGIN do not;
// reject refuses everyone.
func TestTrustAndReject(t *testing.T) {
	_, addr := authServer(t, Config{}, authRoles...)
	for _, c := range []struct{ user, code, msg string }{
		{"alice", "", ""},
		{"runnel", "", ""},
		{"ghost", "28000", `role "ghost" does not exist`},
		{"nologin", "28000", `role "nologin" is not permitted to log in`},
	} {
		user, err := pgxLogin(fmt.Sprintf("postgres://%s:wrong@%s/runnel?sslmode=disable", c.user, addr))
		if c.code == "" && (err != nil || user != c.user) || c.code != "" && (sqlState(err) != c.code || !strings.Contains(err.Error(), c.msg)) {
			t.Errorf("trust, as %s: %q, %v; want %s %s", c.user, user, err, c.code, c.msg)
		}
	}
	_, addr = authServer(t, Config{Auth: AuthConfig{Local: AuthReject}})
	if _, err := pgxLogin(fmt.Sprintf("postgres://runnel@%s/runnel?sslmode=disable", addr)); sqlState(err) != "28000" || !strings.Contains(err.Error(), "rejected") {
		t.Errorf("reject: %v, want 28000 rejected", err)
	}
}

// TestConnectionLimit: a role with CONNECTION LIMIT 1 gets one session at
// a time (53300 for the second), and another once the first ends.
func TestConnectionLimit(t *testing.T) {
	_, addr := authServer(t, Config{}, authRoles...)
	ctx := context.Background()
	url := fmt.Sprintf("postgres://limited@%s/runnel?sslmode=disable", addr)
	first, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pgxLogin(url); sqlState(err) != "53300" || !strings.Contains(err.Error(), `too many connections for role "limited"`) {
		t.Errorf("second connection: %v, want 53300", err)
	}
	if user, err := pgxLogin(fmt.Sprintf("postgres://alice@%s/runnel?sslmode=disable", addr)); err != nil || user != "alice" {
		t.Errorf("another role: %q, %v", user, err)
	}
	first.Close(ctx)
	// The server ends the first session once it sees the client gone.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := pgxLogin(url)
		if err == nil {
			break
		}
		if sqlState(err) != "53300" || time.Now().After(deadline) {
			t.Fatalf("connecting after the first session ended: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMockSCRAM: a client naming no role goes through a SCRAM exchange
// like a real role's, with the same salt at every attempt, and fails like
// a wrong password.
func TestMockSCRAM(t *testing.T) {
	_, addr := authServer(t, Config{Auth: AuthConfig{Local: AuthPassword}}, authRoles...)
	serverFirst := func(user string) (salt, iterations string) {
		c := dial(t, addr)
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
			Parameters: map[string]string{"user": user, "database": "runnel"}})
		m, err := c.fe.Receive()
		sasl, ok := m.(*pgproto3.AuthenticationSASL)
		if err != nil || !ok || len(sasl.AuthMechanisms) != 1 || sasl.AuthMechanisms[0] != "SCRAM-SHA-256" {
			t.Fatalf("%s: got %#v, %v; want AuthenticationSASL SCRAM-SHA-256", user, m, err)
		}
		c.send(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,,n=,r=abcdefghijklmnop")})
		m, err = c.fe.Receive()
		cont, ok := m.(*pgproto3.AuthenticationSASLContinue)
		if err != nil || !ok {
			t.Fatalf("%s: got %#v, %v; want AuthenticationSASLContinue", user, m, err)
		}
		var nonce string
		for _, attr := range strings.Split(string(cont.Data), ",") {
			k, v, _ := strings.Cut(attr, "=")
			switch k {
			case "r":
				nonce = v
			case "s":
				salt = v
			case "i":
				iterations = v
			}
		}
		if !strings.HasPrefix(nonce, "abcdefghijklmnop") || len(nonce) <= 16 {
			t.Errorf("%s: server nonce %q does not extend the client's", user, nonce)
		}
		c.send(&pgproto3.SASLResponse{Data: []byte("c=biws,r=" + nonce + ",p=" + strings.Repeat("A", 43) + "=")})
		if got := c.until("ErrorResponse"); got[len(got)-1] != fmt.Sprintf(`ErrorResponse FATAL 28P01 password authentication failed for user "%s"`, user) {
			t.Errorf("%s: got %q, want 28P01", user, got)
		}
		return salt, iterations
	}
	salt1, iter := serverFirst("ghost")
	salt2, _ := serverFirst("ghost")
	other, _ := serverFirst("phantom")
	real, realIter := serverFirst("alice")
	if salt1 != salt2 || salt1 == other || len(salt1) != len(real) || iter != realIter {
		t.Errorf("mock salts %q, %q (another name %q), iterations %s; a real role's salt %q, iterations %s",
			salt1, salt2, other, iter, real, realIter)
	}
}

// TestLoginLimiter: a host's attempts are spaced once it failed
// loginFreeFailures times in a row, more with each failure, in turns; other
// hosts are not; success or time forgets.
func TestLoginLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLoginLimiter(func() time.Time { return now })
	for i := range loginFreeFailures {
		if d := l.reserve("a"); d != 0 {
			t.Fatalf("attempt %d waits %v, want 0", i, d)
		}
		l.failed("a")
	}
	if n := l.failures("a"); n != loginFreeFailures {
		t.Fatalf("failures = %d, want %d", n, loginFreeFailures)
	}
	// Three attempts at once take turns loginFirstDelay apart.
	for i, want := range []time.Duration{0, loginFirstDelay, 2 * loginFirstDelay} {
		if d := l.reserve("a"); d != want {
			t.Errorf("concurrent attempt %d waits %v, want %v", i, d, want)
		}
	}
	if d := l.reserve("b"); d != 0 {
		t.Errorf("another host waits %v", d)
	}
	now = now.Add(3 * loginFirstDelay) // the turns are over
	l.failed("a")
	if d1, d2 := l.reserve("a"), l.reserve("a"); d1 != 0 || d2 != 2*loginFirstDelay {
		t.Errorf("after another failure: waits %v then %v, want 0 then %v", d1, d2, 2*loginFirstDelay)
	}
	l.succeeded("a")
	if d := l.reserve("a"); d != 0 || l.failures("a") != 0 {
		t.Errorf("after a success: waits %v with %d failures, want none", d, l.failures("a"))
	}
	l.failed("c")
	now = now.Add(loginForget + time.Second)
	if n := l.failures("c"); n != 0 {
		t.Errorf("failures long ago = %d, want forgotten", n)
	}
	for count, want := range map[int]time.Duration{0: 0, loginFreeFailures - 1: 0, loginFreeFailures: loginFirstDelay,
		loginFreeFailures + 2: 4 * loginFirstDelay, 100: loginMaxDelay} {
		if d := loginDelay(count); d != want {
			t.Errorf("loginDelay(%d) = %v, want %v", count, d, want)
		}
	}
}

// TestListenBeyondLoopback: a listener other machines reach needs an
// authentication method for them, and trust only with AllowInsecure.
func TestListenBeyondLoopback(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string // in the error; "" to serve
	}{
		{Config{}, "no authentication is configured"},
		{Config{Auth: AuthConfig{Remote: AuthTrust}}, "--allow-insecure"},
		{Config{Auth: AuthConfig{Remote: AuthPassword}}, ""},
		{Config{Auth: AuthConfig{Remote: AuthTrust}, AllowInsecure: true}, ""},
		{Config{Auth: AuthConfig{Remote: AuthPassword}, TLSRequired: true}, "no certificate"},
	} {
		ln, err := net.Listen("tcp", "0.0.0.0:0")
		if err != nil {
			t.Skipf("cannot listen on all addresses: %v", err)
		}
		srv := newServer(nil, c.cfg, nil)
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ln) }()
		if c.want != "" {
			if err := <-done; err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%+v: Serve = %v, want an error about %q", c.cfg, err, c.want)
			}
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%+v: Serve = %v, want it to serve", c.cfg, err)
		}
	}
}

// TestAuthMethodFor: which method a client gets, by where it connects
// from.
func TestAuthMethodFor(t *testing.T) {
	for _, c := range []struct {
		auth AuthConfig
		addr net.Addr
		want AuthMethod
	}{
		{AuthConfig{}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, AuthTrust},
		{AuthConfig{}, &net.TCPAddr{IP: net.IPv6loopback}, AuthTrust},
		{AuthConfig{}, &net.UnixAddr{Name: "/tmp/.s.PGSQL.6877", Net: "unix"}, AuthTrust},
		{AuthConfig{}, &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3)}, AuthReject},
		{AuthConfig{Local: AuthPassword, Remote: AuthTrust}, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, AuthPassword},
		{AuthConfig{Local: AuthPassword, Remote: AuthTrust}, &net.TCPAddr{IP: net.ParseIP("2001:db8::1")}, AuthTrust},
	} {
		if got := c.auth.method(isLocal(c.addr)); got != c.want {
			t.Errorf("%+v from %v: %s, want %s", c.auth, c.addr, got, c.want)
		}
	}
	if _, err := ParseAuthMethod("md5"); err == nil {
		t.Error("ParseAuthMethod(md5) succeeded")
	}
}

// TestParseClientFirst: the client-first-message of SCRAM and how channel
// binding is negotiated.
func TestParseClientFirst(t *testing.T) {
	for _, c := range []struct {
		msg           string
		plus, offered bool
		code          string // "" when valid
		nonce         string
	}{
		{"n,,n=,r=abc", false, false, "", "abc"},
		{"n,,n=user,r=abc,x=ext", false, true, "", "abc"},
		{"y,,n=,r=abc", false, false, "", "abc"},
		{"p=tls-server-end-point,,n=,r=abc", true, true, "", "abc"},
		// The client thinks the server cannot bind, but it offered to.
		{"y,,n=,r=abc", false, true, "08P01", ""},
		{"p=tls-server-end-point,,n=,r=abc", false, true, "08P01", ""},
		{"n,,n=,r=abc", true, true, "08P01", ""},
		{"p=tls-unique,,n=,r=abc", true, true, "08P01", ""},
		{"n,a=admin,n=,r=abc", false, false, "0A000", ""},
		{"n,,m=ext,n=,r=abc", false, false, "0A000", ""},
		{"n,,r=abc", false, false, "08P01", ""},
		{"n,,n=,r=", false, false, "08P01", ""},
		{"x,,n=,r=abc", false, false, "08P01", ""},
		{"n", false, false, "08P01", ""},
	} {
		f, err := parseClientFirst(c.msg, c.plus, c.offered)
		switch {
		case c.code == "" && (err != nil || f.nonce != c.nonce):
			t.Errorf("%q: %+v, %v; want nonce %q", c.msg, f, err, c.nonce)
		case c.code != "" && toPgError(err).Code != c.code:
			t.Errorf("%q (plus %v, offered %v): %v, want %s", c.msg, c.plus, c.offered, err, c.code)
		}
	}
}
