package server

import (
	"github.com/jackc/pgx/v5/pgproto3"
	"slices"
	"testing"
)

func TestSimpleQuery(t *testing.T) {
	_, addr := startFake(t, Config{})
	c := connect(t, addr)
	tests := []struct {
		sql  string
		want []string
	}{
		{"select 4", []string{"RowDescription n:20:0",
			`DataRow "0"`, `DataRow "1"`, `DataRow "2"`, `DataRow "3"`,
			"CommandComplete SELECT 4", "ReadyForQuery I"}},
		{"select 0", []string{"RowDescription n:20:0", "CommandComplete SELECT 0", "ReadyForQuery I"}},
		{"", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{" ; ;", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		// Two statements, each completes.
		{"select 1; create", []string{"RowDescription n:20:0", `DataRow "0"`, "CommandComplete SELECT 1",
			"NoticeResponse NOTICE 00000 hello", "CommandComplete CREATE TABLE", "ReadyForQuery I"}},
		// A syntax error anywhere runs nothing.
		{"create; syntax", []string{`ErrorResponse ERROR 42601 syntax error at or near "syntax" @9`, "ReadyForQuery I"}},
		// Execution stops at the first error.
		{"create; fail; create", []string{"NoticeResponse NOTICE 00000 hello", "CommandComplete CREATE TABLE",
			"ErrorResponse ERROR 22012 division by zero", "ReadyForQuery I"}},
		{"nosuch", []string{`ErrorResponse ERROR 42P01 relation "nosuch" does not exist`, "ReadyForQuery I"}},
		{"set", []string{"ParameterStatus TimeZone=Europe/Paris", "CommandComplete SET", "ReadyForQuery I"}},
	}
	for _, tt := range tests {
		if got := c.query(tt.sql); !slices.Equal(got, tt.want) {
			t.Errorf("%q:\n got %q\nwant %q", tt.sql, got, tt.want)
		}
	}
}

func TestCopy(t *testing.T) {
	_, addr := startFake(t, Config{})
	c := connect(t, addr)

	got := c.query("copyout")
	want := []string{"CopyOutResponse 0 [0]", `CopyData "a\n"`, `CopyData "b\n"`, "CopyDone",
		"CommandComplete COPY 2", "ReadyForQuery I"}
	if !slices.Equal(got, want) {
		t.Errorf("copy out:\n got %q\nwant %q", got, want)
	}

	c.send(&pgproto3.Query{String: "copyin"})
	if got := c.until("CopyInResponse"); !slices.Equal(got, []string{"CopyInResponse 0 [0 0]"}) {
		t.Fatalf("copy in start: %q", got)
	}
	c.send(&pgproto3.CopyData{Data: []byte("1\tx\n2")}, &pgproto3.Flush{}, &pgproto3.CopyData{Data: []byte("\ty\n")}, &pgproto3.CopyDone{})
	if got, want := c.until("ReadyForQuery"), []string{"CommandComplete COPY 8", "ReadyForQuery I"}; !slices.Equal(got, want) {
		t.Errorf("copy in:\n got %q\nwant %q", got, want)
	}

	c.send(&pgproto3.Query{String: "copyin"})
	c.until("CopyInResponse")
	c.send(&pgproto3.CopyData{Data: []byte("1\n")}, &pgproto3.CopyFail{Message: "no more"})
	want = []string{"ErrorResponse ERROR 57014 COPY from stdin failed: no more", "ReadyForQuery I"}
	if got := c.until("ReadyForQuery"); !slices.Equal(got, want) {
		t.Errorf("copy fail:\n got %q\nwant %q", got, want)
	}
	// The connection still works.
	if got := c.query("select 1"); len(got) != 4 {
		t.Errorf("after copy fail: %q", got)
	}
}
