// Package testserver starts an in-process runnel behind its wire server,
// for tests that talk to runnel as a client does (the sqllogictest corpus,
// the differential test, the driver tests).
package testserver

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/server"
)

// Start opens a fresh database in a temporary directory, serves it on a
// free port of 127.0.0.1 and returns its connection URL (user runnel,
// database runnel, no TLS, trust authentication). Everything stops when the
// test ends.
func Start(t testing.TB) string {
	t.Helper()
	return StartWith(t, Config{})
}

// Config is how StartWith sets up a server.
type Config struct {
	// DB are the database's options.
	DB runnel.Options
	// Server configures the wire server: authentication, TLS, limits.
	Server server.Config
	// Setup statements run first, as the bootstrap superuser, before any
	// client can connect: under password authentication that is how a
	// test creates the roles it logs in as.
	Setup []string
}

// StartWith is Start with the database and server configured by c.
func StartWith(t testing.TB, c Config) string {
	t.Helper()
	db, err := runnel.Open(t.TempDir(), c.DB)
	if err != nil {
		t.Fatalf("open runnel: %v", err)
	}
	if err := runSetup(db, c.Setup); err != nil {
		db.Close()
		t.Fatalf("setup: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		t.Fatalf("listen: %v", err)
	}
	srv := server.New(db, c.Server, slog.New(slog.DiscardHandler))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("server shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close runnel: %v", err)
		}
	})
	return fmt.Sprintf("postgres://runnel@%s/runnel?sslmode=disable", ln.Addr())
}

// runSetup executes each statement in a session of the bootstrap role,
// reading any rows it returns.
func runSetup(db *runnel.DB, stmts []string) error {
	if len(stmts) == 0 {
		return nil
	}
	s, err := db.Connect(runnel.ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	for _, sql := range stmts {
		parsed, err := s.Parse(sql)
		if err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
		for _, st := range parsed {
			p, err := s.Prepare(st, nil)
			if err != nil {
				return fmt.Errorf("%s: %w", sql, err)
			}
			res, err := s.Execute(ctx, p, nil)
			if err != nil {
				return fmt.Errorf("%s: %w", sql, err)
			}
			if res.Rows != nil {
				for {
					b, err := res.Rows.Next(ctx)
					if err != nil {
						return fmt.Errorf("%s: %w", sql, err)
					}
					if b == nil {
						break
					}
				}
			}
		}
	}
	return nil
}
