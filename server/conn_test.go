package server

import (
	"encoding/binary"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/vector"
)

func TestStartup(t *testing.T) {
	_, addr := startFake(t, Config{})

	t.Run("ssl and gss declined", func(t *testing.T) {
		c := dial(t, addr)
		for _, req := range []pgproto3.FrontendMessage{&pgproto3.SSLRequest{}, &pgproto3.GSSEncRequest{}} {
			c.send(req)
			var b [1]byte
			if _, err := io.ReadFull(c.nc, b[:]); err != nil || b[0] != 'N' {
				t.Fatalf("answer %q, %v; want N", b[0], err)
			}
		}
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
		want := []string{"AuthenticationOk", "ParameterStatus server_version=15.0", "ParameterStatus TimeZone=UTC",
			"BackendKeyData", "ReadyForQuery I"}
		if got := c.until("ReadyForQuery"); !slices.Equal(got, want) {
			t.Errorf("\n got %q\nwant %q", got, want)
		}
	})
	t.Run("protocol 3.2 negotiated down", func(t *testing.T) {
		c := dial(t, addr)
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32,
			Parameters: map[string]string{"user": "u", "_pq_.x": "1"}})
		m, err := c.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		npv, ok := m.(*pgproto3.NegotiateProtocolVersion)
		if !ok || npv.NewestMinorProtocol != 0 || !slices.Equal(npv.UnrecognizedOptions, []string{"_pq_.x"}) {
			t.Fatalf("got %#v, want NegotiateProtocolVersion 0 [_pq_.x]", m)
		}
		c.until("ReadyForQuery")
	})
	t.Run("user required", func(t *testing.T) {
		c := dial(t, addr)
		c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"database": "runnel"}})
		want := "ErrorResponse FATAL 28000 no PostgreSQL user name specified in startup packet"
		if got := c.until("ErrorResponse"); !slices.Equal(got, []string{want}) {
			t.Errorf("got %q, want %q", got, want)
		}
		expectClosed(t, c)
	})
}

func TestConnectError(t *testing.T) {
	var gotParams runnel.ConnParams
	srv := newServer(func(p runnel.ConnParams) (session, error) {
		gotParams = p
		return nil, vector.Errorf(vector.CodeInvalidCatalogName, "database %q does not exist", p.Database)
	}, Config{}, nil)
	c := dial(t, serve(t, srv))
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "bob", "application_name": "app"}})
	want := []string{"AuthenticationOk", `ErrorResponse FATAL 3D000 database "bob" does not exist`}
	if got := c.until("ErrorResponse"); !slices.Equal(got, want) {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	expectClosed(t, c)
	if gotParams.User != "bob" || gotParams.Database != "bob" || gotParams.Options["application_name"] != "app" {
		t.Errorf("connect params %+v: want user and database bob, application_name app", gotParams)
	}
}

// expectClosed asserts that the server closed c without sending more.
func expectClosed(t *testing.T, c *client) {
	t.Helper()
	if m, err := c.fe.Receive(); err == nil {
		t.Fatalf("got %s, want the connection closed", render(m))
	}
}

// backendKey connects and returns the connection with its cancel key.
func backendKey(t *testing.T, addr string) (*client, *pgproto3.CancelRequest) {
	c := dial(t, addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
	for {
		m, err := c.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if k, ok := m.(*pgproto3.BackendKeyData); ok {
			req := &pgproto3.CancelRequest{ProcessID: k.ProcessID, SecretKey: slices.Clone(k.SecretKey)}
			c.until("ReadyForQuery")
			return c, req
		}
	}
}

func TestCancel(t *testing.T) {
	_, addr := startFake(t, Config{})
	c, key := backendKey(t, addr)
	c.send(&pgproto3.Query{String: "sleep"})
	time.Sleep(50 * time.Millisecond)

	// A wrong secret is ignored: the statement keeps running.
	wrong := &pgproto3.CancelRequest{ProcessID: key.ProcessID, SecretKey: []byte{1, 2, 3, 4}}
	if binary.BigEndian.Uint32(key.SecretKey) == 0x01020304 {
		wrong.SecretKey = []byte{4, 3, 2, 1}
	}
	for _, req := range []*pgproto3.CancelRequest{wrong, key} {
		cc := dial(t, addr)
		cc.send(req)
		expectClosed(t, cc)
		if req == wrong {
			c.nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			if m, err := c.fe.Receive(); err == nil {
				t.Fatalf("wrong key cancelled: got %s", render(m))
			}
			c = &client{t: t, nc: c.nc, fe: pgproto3.NewFrontend(c.nc, c.nc)}
			c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		}
	}
	want := []string{"ErrorResponse ERROR 57014 canceling statement due to user request", "ReadyForQuery I"}
	if got := c.until("ReadyForQuery"); !slices.Equal(got, want) {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
	if got := c.query("select 1"); len(got) != 4 {
		t.Errorf("after cancel: %q", got)
	}
}

// TestDisconnectCancels checks that a client going away mid-statement
// cancels the statement and closes the session.
func TestDisconnectCancels(t *testing.T) {
	closed := make(chan struct{})
	srv := newServer(func(runnel.ConnParams) (session, error) {
		return &fakeSession{closed: closed}, nil
	}, Config{}, nil)
	c := connect(t, serve(t, srv))
	c.send(&pgproto3.Query{String: "sleep"})
	time.Sleep(20 * time.Millisecond)
	c.nc.Close()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("session not closed after the client went away")
	}
}

func TestOversizeMessage(t *testing.T) {
	_, addr := startFake(t, Config{MaxMessageSize: 1000})
	c := connect(t, addr)
	if got := c.query("select 1"); len(got) != 4 {
		t.Fatalf("small query: %q", got)
	}
	c.send(&pgproto3.Query{String: "select " + string(make([]byte, 2000))})
	want := []string{"ErrorResponse FATAL 08P01 invalid message length"}
	if got := c.until("ErrorResponse"); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	expectClosed(t, c)
}

func TestMalformedMessageEndsOnlyItsConnection(t *testing.T) {
	_, addr := startFake(t, Config{})
	good := connect(t, addr)
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"unknown type", []byte{'Z', 0, 0, 0, 4}, "ErrorResponse FATAL 08P01 invalid message format: unknown message type: Z"},
		{"bad length", []byte{'Q', 0, 0, 0, 1}, "ErrorResponse FATAL 08P01 invalid message format: invalid message length: 1"},
		{"bind without terminator", []byte{'B', 0, 0, 0, 6, 'a', 'b'}, "ErrorResponse FATAL 08P01 invalid message format: Bind body is invalid "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := connect(t, addr)
			if _, err := bad.nc.Write(tt.raw); err != nil {
				t.Fatal(err)
			}
			if got := bad.until("ErrorResponse"); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			expectClosed(t, bad)
		})
	}
	if got := good.query("select 1"); len(got) != 4 {
		t.Errorf("other connection: %q", got)
	}
}

func TestPanicEndsOnlyItsConnection(t *testing.T) {
	_, addr := startFake(t, Config{})
	good := connect(t, addr)
	bad := connect(t, addr)
	bad.send(&pgproto3.Query{String: "panic"})
	want := []string{"ErrorResponse FATAL XX000 internal error: boom"}
	if got := bad.until("ErrorResponse"); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	expectClosed(t, bad)
	if got := good.query("select 1"); len(got) != 4 {
		t.Errorf("other connection: %q", got)
	}
}

func TestShutdown(t *testing.T) {
	srv, addr := startFake(t, Config{})
	idle := connect(t, addr)
	busy := connect(t, addr)
	busy.send(&pgproto3.Query{String: "sleep"})
	copying := connect(t, addr)
	copying.send(&pgproto3.Query{String: "copyin"})
	copying.until("CopyInResponse")
	time.Sleep(20 * time.Millisecond)
	done := make(chan error)
	go func() { done <- srv.Shutdown(t.Context()) }()
	want := []string{"ErrorResponse FATAL 57P01 terminating connection due to administrator command"}
	for _, c := range []*client{idle, busy, copying} {
		if got := c.until("ErrorResponse"); !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		expectClosed(t, c)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if nc, err := net.Dial("tcp", addr); err == nil {
		nc.Close()
		t.Error("server still accepts connections after Shutdown")
	}
}
