package server

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/vector"
)

// errEnded ends a connection that has nothing more to say: it served a
// CancelRequest, or sent a FATAL error.
var errEnded = errors.New("startup ended")

// readStartup reads the startup packet (encryption was negotiated
// before, see negotiateEncryption), serving a CancelRequest. It returns
// the client's parameters.
func (c *conn) readStartup() (runnel.ConnParams, error) {
	msg, err := c.be.ReceiveStartupMessage()
	if err != nil {
		return runnel.ConnParams{}, c.readFailed(err)
	}
	switch m := msg.(type) {
	case *pgproto3.CancelRequest:
		if len(m.SecretKey) == 4 {
			c.srv.cancelRequest(cancelKey{pid: m.ProcessID, secret: binary.BigEndian.Uint32(m.SecretKey)})
		}
		return runnel.ConnParams{}, errEnded
	case *pgproto3.StartupMessage:
		return c.startupParams(m)
	}
	return runnel.ConnParams{}, c.fatal(protocolError("unsupported startup message %T", msg))
}

// startupParams validates a StartupMessage. Protocol 3.2 and "_pq_."
// protocol options are negotiated down to plain 3.0, as Postgres 15 does.
func (c *conn) startupParams(m *pgproto3.StartupMessage) (runnel.ConnParams, error) {
	p := runnel.ConnParams{Options: map[string]string{}}
	var unrecognized []string
	for k, v := range m.Parameters {
		switch {
		case k == "user":
			p.User = v
		case k == "database":
			p.Database = v
		case strings.HasPrefix(k, "_pq_."):
			unrecognized = append(unrecognized, k)
		default:
			p.Options[k] = v
		}
	}
	if m.ProtocolVersion != pgproto3.ProtocolVersion30 || len(unrecognized) > 0 {
		c.be.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unrecognized})
	}
	if p.User == "" {
		return p, c.fatal(vector.Errorf(vector.CodeInvalidAuthorizationSpecification,
			"no PostgreSQL user name specified in startup packet"))
	}
	if p.Database == "" {
		p.Database = p.User
	}
	return p, nil
}

// startSession authenticates the client (see authenticate), connects its
// session and reports the session's parameters and cancel key.
func (c *conn) startSession(p runnel.ConnParams) error {
	role, err := c.authenticate(p.User, p.Database)
	if err != nil {
		return err
	}
	release, err := c.srv.admit(role)
	if err != nil {
		return c.fatal(err)
	}
	sess, err := c.srv.connect(p)
	if err != nil {
		release()
		return c.fatal(err)
	}
	c.release = release
	c.key = c.srv.register(c)
	c.sess = sess
	c.enc.loc = sess.Location()
	for _, prm := range sess.Parameters() {
		c.be.Send(&pgproto3.ParameterStatus{Name: prm.Name, Value: prm.Value})
	}
	var secret [4]byte
	binary.BigEndian.PutUint32(secret[:], c.key.secret)
	c.be.Send(&pgproto3.BackendKeyData{ProcessID: c.key.pid, SecretKey: secret[:]})
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: sess.TxStatus()})
	if err := c.be.Flush(); err != nil {
		return fmt.Errorf("sending startup response: %w", err)
	}
	return nil
}
