// Package runnel is the embeddable streaming database: Open a data directory,
// Connect sessions, execute SQL. It owns the catalog, the storage and the
// running dataflows; the wire protocol lives in package server.
package runnel

// Version is runnel's version, reported as part of server_version.
const Version = "0.1.0"

// ServerVersion is what clients see as server_version: the Postgres version
// whose protocol and catalogs runnel follows, then runnel's own.
const ServerVersion = "15.0 (runnel " + Version + ")"

// Options configure a DB.
type Options struct{}

// DB is an open runnel database.
type DB struct{}

// Open opens (creating if needed) the database stored in dir.
func Open(dir string, opts Options) (*DB, error) { return &DB{}, nil }

// Connect starts a session. It fails with 3D000 for a database other than
// "runnel".
func (db *DB) Connect(p ConnParams) (*Session, error) { return &Session{db: db}, nil }

// Close stops every dataflow and closes storage.
func (db *DB) Close() error { return nil }
