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
// database runnel, no TLS). Everything stops when the test ends.
func Start(t testing.TB) string {
	t.Helper()
	db, err := runnel.Open(t.TempDir(), runnel.Options{})
	if err != nil {
		t.Fatalf("open runnel: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		t.Fatalf("listen: %v", err)
	}
	srv := server.New(db, server.Config{}, slog.New(slog.DiscardHandler))
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
