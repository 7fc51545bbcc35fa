package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/server"
)

// serve runs the server until SIGINT or SIGTERM.
func serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", envOr("RUNNEL_LISTEN", "127.0.0.1:6877"),
		"address to accept Postgres connections on (env RUNNEL_LISTEN)")
	data := fs.String("data", envOr("RUNNEL_DATA", "./runnel-data"),
		"data directory, created if missing (env RUNNEL_DATA)")
	maxMsg := fs.Int("max-message-size", 64<<20,
		"largest protocol message accepted from a client, in bytes")
	checkpoint := fs.Duration("checkpoint-interval", time.Second,
		"how often materialized views, pipelines and sinks checkpoint their state (and sinks write out)")
	idle := fs.Duration("idle-timeout", 30*time.Second,
		"how long a table with event time may go without changes before it stops holding back the watermark of queries that combine it with others")
	partitions := fs.Int("partitions", 0,
		"instances of each keyed operator of a materialized view (0: one per CPU)")
	httpAddr := fs.String("http", envOr("RUNNEL_HTTP", ""),
		"address of the HTTP port, which serves the Go profiler at /debug/pprof/ (off unless given; env RUNNEL_HTTP)")
	logLevel := fs.String("log-level", envOr("RUNNEL_LOG_LEVEL", "info"),
		"log level: debug, info, warn or error (env RUNNEL_LOG_LEVEL)")
	auth := fs.String("auth", envOr("RUNNEL_AUTH", ""),
		"how clients on other machines authenticate: password, trust or reject; needed to listen beyond loopback (env RUNNEL_AUTH)")
	authLocal := fs.String("auth-local", envOr("RUNNEL_AUTH_LOCAL", "trust"),
		"how clients on this machine (loopback) authenticate: trust, password or reject (env RUNNEL_AUTH_LOCAL)")
	allowInsecure := fs.Bool("allow-insecure", false,
		"allow --auth trust on an address other machines reach: anyone there may connect as any role")
	tlsCert := fs.String("tls-cert", envOr("RUNNEL_TLS_CERT", ""),
		"TLS certificate (PEM, with its chain): clients may then encrypt (env RUNNEL_TLS_CERT)")
	tlsKey := fs.String("tls-key", envOr("RUNNEL_TLS_KEY", ""),
		"private key of --tls-cert (PEM) (env RUNNEL_TLS_KEY)")
	tlsRequired := fs.Bool("tls-required", false,
		"refuse clients that connect over TCP without TLS")
	subRetention := fs.Duration("subscribe-retention", time.Minute,
		"how long a subscribed view's changes are kept for SUBSCRIBE … AS OF")
	subHistory := fs.Int("subscribe-history-rows", 1_000_000,
		"most rows of changes kept per subscribed view")
	subBuffer := fs.Int("subscribe-buffer-rows", 1_000_000,
		"rows of changes that may wait for one subscriber before it is ended (53400)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: runnel serve [options]\n\nRuns the runnel server: clients connect with psql or any Postgres driver,\ne.g. psql -h 127.0.0.1 -p 6877 -U runnel -d runnel\n\nOptions:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "runnel: bad --log-level %q\n", *logLevel)
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := serverConfig(*auth, *authLocal, *tlsCert, *tlsKey, *tlsRequired, *allowInsecure)
	if err != nil {
		fmt.Fprintf(os.Stderr, "runnel: %v\n", err)
		return 2
	}
	cfg.MaxMessageSize = *maxMsg

	start := time.Now()
	db, err := runnel.Open(*data, runnel.Options{CheckpointInterval: *checkpoint, Partitions: *partitions, IdleTimeout: *idle,
		Subscribe: runnel.SubscribeOptions{Retention: *subRetention, HistoryRows: *subHistory, BufferRows: *subBuffer}})
	if err != nil {
		log.Error("cannot open the database", "dir", *data, "err", err)
		return 1
	}
	defer db.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Error("cannot listen", "addr", *listen, "err", err)
		return 1
	}
	if err := cfg.CheckListener(ln); err != nil {
		ln.Close()
		log.Error("refusing to start", "err", err)
		return 1
	}
	if *httpAddr != "" {
		hs, err := serveHTTP(*httpAddr, log)
		if err != nil {
			ln.Close()
			log.Error("cannot start the HTTP port", "err", err)
			return 1
		}
		defer hs.Close()
	}
	srv := server.New(db, cfg, log)
	log.Info("runnel is ready", "version", runnel.Version, "listen", ln.Addr().String(), "data", *data,
		"startup", time.Since(start).Round(time.Millisecond).String())

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case s := <-sig:
		log.Info("shutting down", "signal", s.String())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Warn("shutdown", "err", err)
		}
	case err := <-done:
		if err != nil {
			log.Error("server stopped", "err", err)
			return 1
		}
	}
	return 0
}

// serverConfig is the server configuration the authentication and TLS
// options give.
func serverConfig(auth, authLocal, tlsCert, tlsKey string, tlsRequired, allowInsecure bool) (server.Config, error) {
	cfg := server.Config{TLSRequired: tlsRequired, AllowInsecure: allowInsecure}
	var err error
	if auth != "" {
		if cfg.Auth.Remote, err = server.ParseAuthMethod(auth); err != nil {
			return cfg, fmt.Errorf("--auth: %w", err)
		}
	}
	if cfg.Auth.Local, err = server.ParseAuthMethod(authLocal); err != nil {
		return cfg, fmt.Errorf("--auth-local: %w", err)
	}
	switch {
	case (tlsCert == "") != (tlsKey == ""):
		return cfg, fmt.Errorf("--tls-cert and --tls-key go together")
	case tlsCert != "":
		if cfg.TLS, err = server.LoadTLS(tlsCert, tlsKey); err != nil {
			return cfg, err
		}
	case tlsRequired:
		return cfg, fmt.Errorf("--tls-required needs --tls-cert and --tls-key")
	}
	return cfg, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
