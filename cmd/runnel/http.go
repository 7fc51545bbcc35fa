package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
)

// serveHTTP starts the HTTP port on addr: the Go profiler under
// /debug/pprof/ (CPU profile: /debug/pprof/profile?seconds=30, heap:
// /debug/pprof/heap; read them with `go tool pprof`). It returns the
// server, to be closed at shutdown. The port exposes the process's
// internals: it listens on loopback unless told otherwise.
func serveHTTP(addr string, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--http: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Error("the HTTP port stopped", "err", err)
		}
	}()
	log.Info("HTTP port ready", "listen", ln.Addr().String(), "pprof", "http://"+ln.Addr().String()+"/debug/pprof/")
	return srv, nil
}
