package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel/vector"
)

// startupTimeout bounds the startup phase of a connection.
const startupTimeout = time.Minute

// errClientGone is the cause of a connection's context once its client
// disconnected: it cancels whatever the connection runs.
var errClientGone = errors.New("client disconnected")

// errCanceled is the error of a statement cancelled by a CancelRequest.
var errCanceled = vector.Errorf(vector.CodeQueryCanceled, "canceling statement due to user request")

// errTerminate ends the message loop after a Terminate message.
var errTerminate = errors.New("terminate")

// conn is one client connection: the protocol state machine. Everything
// here runs on the connection's goroutine, except cancelStatement (called
// by the cancel-key registry) and the socket reader.
//
// Invariants: sess is nil until the startup phase succeeded; stmts and
// portals hold the named and unnamed ("") prepared statements and portals;
// skipToSync is set after an error in an extended-protocol message and
// cleared by Sync; running is the portal whose statement is executing (nil
// between statements), guarded by mu.
type conn struct {
	srv  *Server
	nc   net.Conn
	rd   *connReader
	be   *pgproto3.Backend
	sess session
	key  cancelKey
	// tls is set when the client encrypted the connection.
	tls bool
	// release ends the session's count against its role's connection
	// limit.
	release func()

	// ctx ends when the client goes away or the server shuts down.
	ctx      context.Context
	enc      rowEncoder
	stmts    map[string]*preparedStmt
	portals  map[string]*portal
	skipSync bool
	// inSync is set once an Execute ran since the last Sync: the statements
	// of one Sync cycle form an implicit transaction, committed at Sync (or
	// rolled back when one failed), as in Postgres.
	inSync bool

	mu      sync.Mutex
	running *portal
}

// serveConn runs one connection from its first byte to its end.
func (s *Server) serveConn(nc net.Conn) {
	// A client gets startupTimeout to complete the startup, as Postgres'
	// authentication_timeout.
	nc.SetReadDeadline(time.Now().Add(startupTimeout))
	raw := nc
	nc, encrypted, err := s.negotiateEncryption(s.ctx, nc)
	if err != nil {
		s.log.Debug("connection ended during encryption negotiation", "remote", raw.RemoteAddr(), "err", err)
		raw.Close()
		return
	}
	ctx, end := context.WithCancelCause(s.ctx)
	c := &conn{
		srv:     s,
		nc:      nc,
		tls:     encrypted,
		ctx:     ctx,
		stmts:   map[string]*preparedStmt{},
		portals: map[string]*portal{},
	}
	c.rd = newConnReader(ctx, nc, func() { end(errClientGone) })
	c.be = pgproto3.NewBackend(c.rd, nc)
	c.be.SetMaxBodyLen(s.cfg.MaxMessageSize)
	defer func() {
		end(errClientGone)
		nc.Close()
	}()

	err = c.safely(func() error {
		params, err := c.readStartup()
		if err != nil {
			return err
		}
		return c.startSession(params)
	})
	nc.SetReadDeadline(time.Time{})
	if c.sess != nil {
		defer s.unregister(c.key)
		defer c.closeSession()
	}
	if err == nil {
		err = c.loop()
	}
	if err != nil && !errors.Is(err, errEnded) && !errors.Is(err, errTerminate) {
		s.log.Debug("connection ended", "remote", nc.RemoteAddr(), "err", err)
	}
}

// closeSession releases every portal and the session, and ends its count
// against its role's connection limit.
func (c *conn) closeSession() {
	for name := range c.portals {
		c.closePortal(name)
	}
	c.sess.Close()
	c.release()
}

// loop reads and handles messages until the connection ends.
func (c *conn) loop() error {
	for {
		msg, err := c.be.Receive()
		if err != nil {
			return c.readFailed(err)
		}
		if err := c.safely(func() error { return c.handle(msg) }); err != nil {
			return err
		}
	}
}

// safely runs f, turning a panic into an internal error (XX000) reported
// to the client as FATAL: the panic ends this connection, whose state may be
// half-updated, and no other.
func (c *conn) safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.log.Error("panic serving connection", "panic", r, "stack", string(debug.Stack()))
			err = c.fatal(vector.Errorf(vector.CodeInternalError, "internal error: %v", r))
		}
	}()
	return f()
}

// handle serves one message. A non-nil error ends the connection.
func (c *conn) handle(msg pgproto3.FrontendMessage) error {
	if c.skipSync {
		switch msg.(type) {
		case *pgproto3.Sync, *pgproto3.Terminate:
		default:
			return nil
		}
	}
	switch m := msg.(type) {
	case *pgproto3.Query:
		return c.simpleQuery(m.String)
	case *pgproto3.Parse:
		return c.extended(c.parse(m))
	case *pgproto3.Bind:
		return c.extended(c.bind(m))
	case *pgproto3.Describe:
		return c.extended(c.describe(m))
	case *pgproto3.Execute:
		return c.extended(c.execute(m))
	case *pgproto3.Close:
		return c.extended(c.close(m))
	case *pgproto3.Sync:
		return c.sync()
	case *pgproto3.Flush:
		return c.be.Flush()
	case *pgproto3.Terminate:
		return errTerminate
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Leftovers of a COPY that failed: Postgres drops them.
		return nil
	case *pgproto3.FunctionCall:
		c.sendError(vector.Errorf(vector.CodeFeatureNotSupported, "function call protocol is not supported"))
		return c.readyForQuery()
	}
	return c.fatal(protocolError("invalid frontend message type %d", msgType(msg)))
}

// msgType is the type byte of a frontend message that is not valid once the
// session runs.
func msgType(msg pgproto3.FrontendMessage) byte {
	b, err := msg.Encode(nil)
	if err != nil || len(b) == 0 {
		return 0
	}
	return b[0]
}

// extended finishes an extended-protocol message: an error is reported and
// makes the connection skip messages until Sync. Only a failure to talk to
// the client (or the end of the connection) ends it.
func (c *conn) extended(err error) error {
	if err == nil {
		return nil
	}
	if ended := c.ended(err); ended != nil {
		return ended
	}
	c.skipSync = true
	c.sendError(err)
	return nil
}

// ended returns the error that ends the connection when err, the failure
// of a message, means the connection cannot go on; nil otherwise.
func (c *conn) ended(err error) error {
	var ioe *ioError
	if errors.Is(err, errEnded) || errors.As(err, &ioe) {
		return err
	}
	return c.connEnded()
}

// connEnded reports how the connection ended, once it did: a shutdown is
// reported to the client (FATAL 57P01); a client that went away is not.
func (c *conn) connEnded() error {
	if c.ctx.Err() == nil {
		return nil
	}
	cause := context.Cause(c.ctx)
	if errors.Is(cause, errShutdown) {
		return c.fatal(vector.Errorf(vector.CodeAdminShutdown, "terminating connection due to administrator command"))
	}
	return cause
}

// readFailed turns a failure to read the next message into the end of the
// connection, telling the client why when it is still there.
func (c *conn) readFailed(err error) error {
	var ioe *ioError
	if errors.As(err, &ioe) {
		if ended := c.connEnded(); ended != nil {
			return ended
		}
		return err
	}
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	if errors.As(err, &tooBig) {
		e := protocolError("invalid message length")
		e.Detail = fmt.Sprintf("Message of %d bytes exceeds the limit of %d bytes.", tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen)
		return c.fatal(e)
	}
	return c.fatal(protocolError("invalid message format: %v", err))
}

// sendError reports err to the client as an ERROR.
func (c *conn) sendError(err error) {
	c.be.Send(errorResponse(severityError, err))
}

// fatal reports err to the client as FATAL and returns an error that ends
// the connection.
func (c *conn) fatal(err error) error {
	c.be.Send(errorResponse(severityFatal, err))
	c.be.Flush()
	return fmt.Errorf("%w: %v", errEnded, err)
}

// readyForQuery ends a cycle of the protocol: at the end of a transaction
// every portal is closed, and the client learns the transaction status.
func (c *conn) readyForQuery() error {
	if c.sess.TxStatus() == 'I' {
		for name := range c.portals {
			c.closePortal(name)
		}
	}
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.sess.TxStatus()})
	return c.be.Flush()
}

// writeRows sends the DataRow (or CopyData) messages the encoder holds,
// after whatever the backend buffered before them.
func (c *conn) writeRows() error {
	if len(c.enc.buf) == 0 {
		return nil
	}
	if err := c.be.Flush(); err != nil {
		return &ioError{err}
	}
	_, err := c.nc.Write(c.enc.buf)
	c.enc.buf = c.enc.buf[:0]
	if err != nil {
		return &ioError{err}
	}
	return nil
}

// cancelStatement cancels the statement the connection is running, if any.
func (c *conn) cancelStatement() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running != nil {
		c.running.cancel(errCanceled)
	}
}
