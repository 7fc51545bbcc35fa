package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel"
)

// panicCounter is a slog handler counting the errors logged (the server
// logs a recovered panic at level Error), except the panic the fake
// session raises on purpose for the query "panic", which fuzzing may
// spell.
type panicCounter struct{ n atomic.Int64 }

func (h *panicCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (h *panicCounter) Handle(_ context.Context, r slog.Record) error {
	deliberate := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "panic" && a.Value.String() == "boom" {
			deliberate = true
		}
		return true
	})
	if !deliberate {
		h.n.Add(1)
	}
	return nil
}
func (h *panicCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *panicCounter) WithGroup(string) slog.Handler      { return h }

// encode is the wire form of frontend messages.
func encode(msgs ...pgproto3.FrontendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		b, _ = m.Encode(b)
	}
	return b
}

// FuzzConn writes arbitrary bytes after a valid startup and half-closes
// the connection: the server must neither panic nor hang (it closes the
// connection), and a new connection must still work.
func FuzzConn(f *testing.F) {
	f.Add(encode(&pgproto3.Query{String: "select 3"}))
	f.Add(encode(&pgproto3.Parse{Query: "echo $1"}, &pgproto3.Bind{Parameters: [][]byte{[]byte("7")}},
		&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{}))
	f.Add(encode(&pgproto3.Query{String: "copyin"}, &pgproto3.CopyData{Data: []byte("x")}, &pgproto3.CopyDone{}))
	f.Add(encode(&pgproto3.Query{String: "sleep"}))
	f.Add([]byte{'B', 0, 0, 0, 5, 0})
	f.Add([]byte{'P', 0xff, 0xff, 0xff, 0xff})

	logs := &panicCounter{}
	srv := newServer(func(runnel.ConnParams) (session, error) { return &fakeSession{}, nil },
		Config{MaxMessageSize: 1 << 16}, slog.New(logs))
	addr := serve(f, srv)

	f.Fuzz(func(t *testing.T, data []byte) {
		c := connect(t, addr)
		if _, err := c.nc.Write(data); err != nil {
			t.Fatal(err)
		}
		c.nc.(*net.TCPConn).CloseWrite()
		c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.Copy(io.Discard, c.nc); err != nil {
			t.Fatalf("server did not close the connection: %v", err)
		}
		if n := logs.n.Load(); n != 0 {
			t.Fatalf("server logged %d errors (a panic)", n)
		}
		if got := connect(t, addr).query("select 1"); len(got) != 4 {
			t.Fatalf("new connection: %q", got)
		}
	})
}

// FuzzSCRAMMessages feeds arbitrary client-first and client-final messages
// to the SCRAM parsers: they return a message or an error, never panic, and
// what they accept has the parts the exchange reads.
func FuzzSCRAMMessages(f *testing.F) {
	f.Add("n,,n=,r=rOprNGfwEbeRWgbNEkqO", "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", false, false)
	f.Add("p=tls-server-end-point,,n=,r=abc", "c=cD10bHMtc2VydmVyLWVuZC1wb2ludCwsAAAA,r=abcdef,x=1,p=AAAA", true, true)
	f.Add("y,a=u,m=ext,n=", ",p=", false, true)
	f.Fuzz(func(t *testing.T, first, final string, plus, offered bool) {
		if m, err := parseClientFirst(first, plus, offered); err == nil {
			if m.nonce == "" || !strings.HasSuffix(m.gs2Header, ",") || !strings.HasSuffix(first, m.bare) {
				t.Fatalf("parseClientFirst(%q) = %+v", first, m)
			}
		}
		if m, err := parseClientFinal(final); err == nil {
			if !strings.HasPrefix(final, m.withoutProof+",p=") {
				t.Fatalf("parseClientFinal(%q) = %+v", final, m)
			}
		}
	})
}
