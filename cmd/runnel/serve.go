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
	logLevel := fs.String("log-level", envOr("RUNNEL_LOG_LEVEL", "info"),
		"log level: debug, info, warn or error (env RUNNEL_LOG_LEVEL)")
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

	start := time.Now()
	db, err := runnel.Open(*data, runnel.Options{CheckpointInterval: *checkpoint, Partitions: *partitions, IdleTimeout: *idle})
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
	srv := server.New(db, server.Config{MaxMessageSize: *maxMsg}, log)
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

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
