// Package runnel is the embeddable streaming database: Open a data directory,
// Connect sessions, execute SQL. It owns the catalog, the storage and the
// running dataflows; the wire protocol lives in package server.
package runnel

import (
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/storage"
	"github.com/runneldb/runnel/vector"
)

// Version is runnel's version, reported as part of server_version.
const Version = "0.1.0"

// ServerVersion is what clients see as server_version: the Postgres version
// whose protocol and catalogs runnel follows, then runnel's own.
const ServerVersion = "15.0 (runnel " + Version + ")"

// DatabaseName is the one database a runnel server holds.
const DatabaseName = "runnel"

// Options configure a DB.
type Options struct {
	// CheckpointInterval is how often materialized views checkpoint their
	// state (default 1 s).
	CheckpointInterval time.Duration
	// Partitions is how many instances each keyed operator of a
	// continuous query runs as, and each source read in splits with the
	// stateless operators after it (default: the number of CPUs).
	Partitions int
	// IdleTimeout is how long a table with event time may go without
	// changes before it stops holding back the watermark of the queries
	// that join or union it with other inputs (default 30 s; a table's
	// idle_timeout option overrides it).
	IdleTimeout time.Duration
	// Subscribe bounds what SUBSCRIBE keeps in memory (zero fields:
	// defaults).
	Subscribe SubscribeOptions
}

// DB is an open runnel database: one data directory.
type DB struct {
	store   *storage.Store
	catalog *catalog.Catalog
	streams *streams

	ingestMu sync.Mutex
	ingests  map[uint32]*ingest // by table id

	// sessions holds what each session is doing (pg_stat_activity).
	sessions activityBoard
}

// Open opens (creating if needed) the database stored in dir.
func Open(dir string, opts Options) (*DB, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("runnel: data directory: %w", err)
	}
	st, err := storage.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("runnel: open storage in %s: %w", dir, err)
	}
	cat, err := catalog.Open(st)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("runnel: load catalog: %w", err)
	}
	if opts.CheckpointInterval <= 0 {
		opts.CheckpointInterval = time.Second
	}
	if opts.Partitions <= 0 {
		opts.Partitions = runtime.NumCPU()
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 30 * time.Second
	}
	db := &DB{store: st, catalog: cat, ingests: map[uint32]*ingest{}, sessions: activityBoard{sessions: map[*Session]*catalog.Activity{}}}
	if db.streams, err = startStreams(db, opts); err != nil {
		st.Close()
		return nil, fmt.Errorf("runnel: start materialized views: %w", err)
	}
	cat.OnDrop = func(t *catalog.Table) {
		if isJob(t) {
			db.streams.dropView(t.ID)
		}
		if isIngested(t) {
			db.stopIngest(t.ID)
			db.store.DeleteState(ingestKey(t.ID)) //nolint:errcheck // leftover state is deleted at the next start
		}
	}
	if err := db.startIngests(); err != nil {
		db.Close()
		return nil, fmt.Errorf("runnel: start tables read from connectors: %w", err)
	}
	return db, nil
}

// ConnParams are what a client sends at connection start.
type ConnParams struct {
	User     string
	Database string
	// Options holds the other startup parameters: application_name,
	// client_encoding, DateStyle, TimeZone, search_path, options, …
	Options map[string]string
}

// Connect starts a session for a client. The database must be "runnel"
// (3D000 otherwise) and the user a role (28000 otherwise); startup
// parameters set session parameters.
func (db *DB) Connect(p ConnParams) (*Session, error) {
	database := p.Database
	if database == "" {
		database = p.User
	}
	if database != DatabaseName {
		return nil, vector.Errorf(vector.CodeInvalidCatalogName, "database %q does not exist", database)
	}
	s := &Session{db: db, user: p.User, settings: newSessionSettings()}
	s.settings.values["session_authorization"] = p.User
	for name, value := range p.Options {
		if name == "options" {
			if err := s.applyOptions(value); err != nil {
				return nil, err
			}
			continue
		}
		if st, known := settings[strings.ToLower(name)]; !known || st.readOnly {
			continue // other startup parameters are not ours to judge
		}
		if _, err := s.settings.set(name, value); err != nil {
			return nil, err
		}
	}
	// The role, known from the start, tells is_superuser before the
	// client's first statement.
	if _, err := s.currentRole(); err != nil {
		return nil, err
	}
	return s, nil
}

// applyOptions applies the "options" startup parameter: -c name=value …
func (s *Session) applyOptions(opts string) error {
	fields := strings.Fields(opts)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		var kv string
		switch {
		case f == "-c" && i+1 < len(fields):
			i++
			kv = fields[i]
		case strings.HasPrefix(f, "-c"):
			kv = f[2:]
		case strings.HasPrefix(f, "--"):
			kv = f[2:]
		default:
			continue
		}
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if _, err := s.settings.set(strings.ReplaceAll(name, "-", "_"), value); err != nil {
			return err
		}
	}
	return nil
}

// Close stops every dataflow and closes storage.
func (db *DB) Close() error {
	db.ingestMu.Lock()
	ids := slices.Collect(maps.Keys(db.ingests))
	db.ingestMu.Unlock()
	for _, id := range ids {
		db.stopIngest(id)
	}
	db.streams.close()
	return db.store.Close()
}
