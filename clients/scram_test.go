package clients_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel/server"
	"github.com/runneldb/runnel/sqllogictest/testserver"
)

// scramRole and scramPassword are the role the drivers log in as; the
// password needs SASLprep (a space and a non-ASCII letter).
const (
	scramRole     = "cl_scram"
	scramPassword = "scram pw ☃"
)

// withUser returns serverURL with its user and password replaced.
func withUser(t *testing.T, serverURL, user, password string) string {
	t.Helper()
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// saslMechanisms starts a connection as user and returns the SASL
// mechanisms the server asks to authenticate with (none if it asks for
// something else or nothing).
func saslMechanisms(t *testing.T, addr, user string) []string {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": user, "database": "runnel"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	msg, err := fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if sasl, ok := msg.(*pgproto3.AuthenticationSASL); ok {
		return sasl.AuthMechanisms
	}
	t.Logf("the server answered the startup of %s with %T", user, msg)
	return nil
}

// TestSCRAMLogin: a role created with a password logs in through
// SCRAM-SHA-256 with each driver, and a wrong password is refused with
// 28P01, as in Postgres with password authentication.
func TestSCRAMLogin(t *testing.T) {
	ctx := context.Background()
	serverURL := testserver.StartWith(t, testserver.Config{
		Server: server.Config{Auth: server.AuthConfig{Local: server.AuthPassword}},
		Setup:  []string{`CREATE ROLE ` + scramRole + ` LOGIN PASSWORD '` + scramPassword + `'`},
	})
	roleURL := withUser(t, serverURL, scramRole, scramPassword)
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("server asks for SCRAM-SHA-256", func(t *testing.T) {
		if got := saslMechanisms(t, u.Host, scramRole); !slices.Contains(got, "SCRAM-SHA-256") {
			t.Errorf("SASL mechanisms = %q, want SCRAM-SHA-256 among them", got)
		}
	})
	t.Run("pgx", func(t *testing.T) {
		var user string
		if err := connect(t, roleURL).QueryRow(ctx, `SELECT current_user`).Scan(&user); err != nil || user != scramRole {
			t.Errorf("current_user = %q, %v; want %s", user, err, scramRole)
		}
	})
	login := func(t *testing.T, dir, program string, args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, clientTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, program, args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("login: %v\n%s", err, stderr)
		}
		if got := strings.TrimSpace(string(out)); got != scramRole {
			t.Errorf("current_user = %q, want %s", got, scramRole)
		}
	}
	for _, module := range []string{"psycopg2", "psycopg"} {
		t.Run(module, func(t *testing.T) {
			needPythonModule(t, module)
			login(t, "python", pythonPath, "-B", "login.py", module, roleURL)
		})
	}
	t.Run("JDBC", func(t *testing.T) {
		java, classPath := compileJava(t, "JdbcLogin.java")
		login(t, ".", java, "-cp", classPath, "JdbcLogin", roleURL)
	})
	t.Run("node-postgres", func(t *testing.T) {
		login(t, "node", nodeModules(t), "login.js", roleURL)
	})
	// Last: failed logins from a host slow down its next ones.
	t.Run("wrong password", func(t *testing.T) {
		c, err := pgx.Connect(ctx, withUser(t, serverURL, scramRole, "wrong"))
		if err == nil {
			c.Close(ctx)
			t.Fatal("a wrong password logged in")
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
			t.Errorf("wrong password: %v, want SQLSTATE 28P01", err)
		}
	})
}
