package server

import (
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel"
)

// TestEngine runs a few statements through the real engine.
func TestEngine(t *testing.T) {
	db, err := runnel.Open(t.TempDir(), runnel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	addr := serve(t, New(db, Config{}, nil))

	c := dial(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "runnel", "database": "runnel"}})
	if got := c.until("ReadyForQuery"); !slices.Contains(got, "ParameterStatus server_version="+runnel.ServerVersion) {
		t.Errorf("startup %q: no server_version %s", got, runnel.ServerVersion)
	}
	steps := []struct {
		sql  string
		want []string
	}{
		{"CREATE TABLE t (a int, b text)", []string{"CommandComplete CREATE TABLE", "ReadyForQuery I"}},
		{"INSERT INTO t VALUES (1, 'x'), (2, NULL)", []string{"CommandComplete INSERT 0 2", "ReadyForQuery I"}},
		{"SELECT a, b FROM t ORDER BY a", []string{"RowDescription a:23:0,b:25:0",
			`DataRow "1","x"`, `DataRow "2",NULL`, "CommandComplete SELECT 2", "ReadyForQuery I"}},
		// runnel raises the error of a constant expression when it is
		// evaluated (Postgres, folding while planning, sends no
		// RowDescription first).
		{"SELECT 1/0", []string{"RowDescription ?column?:23:0", "ErrorResponse ERROR 22012 division by zero", "ReadyForQuery I"}},
		// Statements of one message form one implicit transaction: the
		// failure of the second undoes the first.
		{"INSERT INTO t VALUES (3, 'y'); INSERT INTO t VALUES ('x')", []string{"CommandComplete INSERT 0 1",
			`ErrorResponse ERROR 22P02 invalid input syntax for type integer: "x"`, "ReadyForQuery I"}},
		{"SELECT count(*) FROM t", []string{"RowDescription count:20:0", `DataRow "2"`, "CommandComplete SELECT 1", "ReadyForQuery I"}},
		// … unless it is made a block of its own.
		{"INSERT INTO t VALUES (3, 'y'); COMMIT; INSERT INTO t VALUES ('x')", []string{"CommandComplete INSERT 0 1",
			"CommandComplete COMMIT", `ErrorResponse ERROR 22P02 invalid input syntax for type integer: "x"`, "ReadyForQuery I"}},
		{"SELECT count(*) FROM t", []string{"RowDescription count:20:0", `DataRow "3"`, "CommandComplete SELECT 1", "ReadyForQuery I"}},
	}
	for _, s := range steps {
		if got := c.query(s.sql); !slices.Equal(got, s.want) {
			t.Errorf("%s:\n got %q\nwant %q", s.sql, got, s.want)
		}
	}

	c.send(&pgproto3.Parse{Query: "SELECT b FROM t WHERE a = $1"},
		&pgproto3.Describe{ObjectType: 'S'},
		&pgproto3.Bind{Parameters: [][]byte{[]byte("1")}},
		&pgproto3.Execute{},
		&pgproto3.Sync{})
	want := []string{"ParseComplete", "ParameterDescription [23]", "RowDescription b:25:0", "BindComplete",
		`DataRow "x"`, "CommandComplete SELECT 1", "ReadyForQuery I"}
	if got := c.until("ReadyForQuery"); !slices.Equal(got, want) {
		t.Errorf("extended:\n got %q\nwant %q", got, want)
	}

	bad := dial(t, addr)
	bad.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "runnel", "database": "nosuch"}})
	want = []string{"AuthenticationOk", `ErrorResponse FATAL 3D000 database "nosuch" does not exist`}
	if got := bad.until("ErrorResponse"); !slices.Equal(got, want) {
		t.Errorf("unknown database:\n got %q\nwant %q", got, want)
	}
}
