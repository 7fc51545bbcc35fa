// Package server is runnel's Postgres wire protocol (v3) front end: it
// accepts connections, runs the startup handshake, and serves the simple and
// extended query protocols, COPY and cancel requests over sessions of a
// runnel.DB.
package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// DefaultMaxMessageSize bounds a client message when Config.MaxMessageSize is 0.
const DefaultMaxMessageSize = 64 << 20

// Config configures a Server.
type Config struct {
	// MaxMessageSize bounds the body of one client message, in bytes;
	// a larger message ends the connection with an error. 0 means
	// DefaultMaxMessageSize.
	MaxMessageSize int
	// Auth says how clients authenticate.
	Auth AuthConfig
	// TLS, when set, lets clients encrypt their connection: SSLRequest is
	// answered 'S' and the TLS handshake follows.
	TLS *tls.Config
	// TLSRequired refuses (28000) clients that connect over TCP without
	// TLS.
	TLSRequired bool
	// AllowInsecure lets Serve accept clients from other machines with
	// trust authentication: anyone who reaches the port may connect as
	// any role. Without it Serve refuses such a listener.
	AllowInsecure bool
}

// CheckListener refuses to serve ln when it accepts clients from other
// machines that the configuration does not authenticate — with no method
// for them (every one would be rejected) or with trust, unless
// AllowInsecure — or when TLS is required without a certificate.
func (cfg *Config) CheckListener(ln net.Listener) error {
	if cfg.TLSRequired && cfg.TLS == nil {
		return fmt.Errorf("TLS is required but the server has no certificate: give --tls-cert and --tls-key")
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() {
		return nil
	}
	switch cfg.Auth.method(false) {
	case AuthReject:
		if cfg.Auth.Remote == "" {
			return fmt.Errorf("listening on %s accepts clients from other machines, but no authentication is configured for them: use --auth password (or --auth trust with --allow-insecure), or listen on 127.0.0.1", tcp)
		}
	case AuthTrust:
		if !cfg.AllowInsecure {
			return fmt.Errorf("listening on %s with --auth trust lets anyone who reaches the port connect as any role, superuser included: use --auth password, or add --allow-insecure if that is really meant", tcp)
		}
	}
	return nil
}

// session is what the server needs of a runnel session; *runnel.Session
// implements it. See runnel.Session for what each method does.
type session interface {
	Parameters() []runnel.Param
	Parse(sql string) ([]*runnel.Statement, error)
	Prepare(st *runnel.Statement, paramOIDs []uint32) (*runnel.Prepared, error)
	Execute(ctx context.Context, p *runnel.Prepared, params []vector.Datum) (*runnel.Result, error)
	TxStatus() byte
	Location() *time.Location
	BeginImplicit(block bool)
	EndImplicit(failed bool) error
	Close()
}

// connectFunc starts a session for a client.
type connectFunc func(runnel.ConnParams) (session, error)

// errShutdown is the cause of every connection's context once Shutdown runs.
var errShutdown = errors.New("server shutting down")

// cancelKey is the BackendKeyData of a connection: what a CancelRequest
// must quote to cancel that connection's running statement.
type cancelKey struct{ pid, secret uint32 }

// Server serves the Postgres protocol. Its methods are safe for concurrent
// use.
//
// Invariants: every connection being served is in conns under its cancel
// key and counted in wg; once shuttingDown is set no listener accepts
// another connection and ctx is cancelled with errShutdown.
type Server struct {
	connect connectFunc
	cfg     Config
	log     *slog.Logger
	// roles finds the role a client connects as; nil for a server whose
	// sessions have no roles, where every name may connect (without a
	// password).
	roles   roleFunc
	limiter *loginLimiter
	// endPoint is the channel binding data of the TLS certificate, or nil
	// when SCRAM-SHA-256-PLUS is not offered.
	endPoint []byte
	// mockNonce makes the salts of mock SCRAM exchanges (see mockSecret).
	mockNonce [32]byte

	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup

	mu           sync.Mutex
	listeners    map[net.Listener]struct{}
	conns        map[cancelKey]*conn
	nextPID      uint32
	shuttingDown bool
	// roleConns counts the connections of each role with a connection
	// limit.
	roleConns map[uint32]int
}

// New returns a server of db's sessions. Serve starts it.
func New(db *runnel.DB, cfg Config, logger *slog.Logger) *Server {
	s := newServer(func(p runnel.ConnParams) (session, error) {
		s, err := db.Connect(p)
		if err != nil {
			return nil, err
		}
		return s, nil
	}, cfg, logger)
	s.roles = db.Role
	return s
}

func newServer(connect connectFunc, cfg Config, logger *slog.Logger) *Server {
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	s := &Server{
		connect:   connect,
		cfg:       cfg,
		log:       logger,
		limiter:   newLoginLimiter(time.Now),
		endPoint:  endPointHash(cfg.TLS),
		ctx:       ctx,
		cancel:    cancel,
		listeners: map[net.Listener]struct{}{},
		conns:     map[cancelKey]*conn{},
		nextPID:   1000,
		roleConns: map[uint32]int{},
	}
	rand.Read(s.mockNonce[:])
	return s
}

// Serve accepts connections on ln and serves each in its own goroutine. It
// returns nil once Shutdown closed ln, or ln's failure otherwise. It
// refuses (closing ln) a listener that accepts clients from other
// machines the configuration does not authenticate (see Config).
func (s *Server) Serve(ln net.Listener) error {
	if err := s.cfg.CheckListener(ln); err != nil {
		ln.Close()
		return err
	}
	s.mu.Lock()
	if s.shuttingDown {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()

	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(nc)
		}()
	}
}

// Shutdown stops accepting connections, terminates every session (clients
// get FATAL 57P01) and waits until their goroutines end or ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	// Cancel first: an accept loop that sees its listener closed then knows
	// it was shut down rather than failed.
	s.cancel(errShutdown)
	s.mu.Lock()
	s.shuttingDown = true
	for ln := range s.listeners {
		ln.Close()
	}
	s.mu.Unlock()

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// register gives c a fresh cancel key and records it.
func (s *Server) register(c *conn) cancelKey {
	var secret [4]byte
	rand.Read(secret[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextPID++
	key := cancelKey{pid: s.nextPID, secret: binary.BigEndian.Uint32(secret[:])}
	s.conns[key] = c
	return key
}

func (s *Server) unregister(key cancelKey) {
	s.mu.Lock()
	delete(s.conns, key)
	s.mu.Unlock()
}

// admit counts a connection of role against its connection limit: it
// fails with 53300 when the role has as many as its limit allows
// (superusers have no limit), else returns the function that ends the
// connection's count.
func (s *Server) admit(role *catalog.Role) (func(), error) {
	if role == nil || role.ConnLimit < 0 || role.Superuser {
		return func() {}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.roleConns[role.ID] >= int(role.ConnLimit) {
		return nil, vector.Errorf(vector.CodeTooManyConnections, "too many connections for role \"%s\"", role.Name)
	}
	s.roleConns[role.ID]++
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.roleConns[role.ID]--; s.roleConns[role.ID] == 0 {
			delete(s.roleConns, role.ID)
		}
	}, nil
}

// vector.CodeTooManyConnections is SQLSTATE 53300, too_many_connections.

// cancelRequest cancels the running statement of the connection with key;
// an unknown key is ignored, as Postgres does.
func (s *Server) cancelRequest(key cancelKey) {
	s.mu.Lock()
	c := s.conns[key]
	s.mu.Unlock()
	if c != nil {
		c.cancelStatement()
	}
}
