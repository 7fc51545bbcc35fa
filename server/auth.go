package server

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// AuthMethod is how a client proves it may connect as the role it names.
type AuthMethod string

// The authentication methods.
const (
	// AuthTrust lets a client connect as any role that may log in, with
	// no password.
	AuthTrust AuthMethod = "trust"
	// AuthPassword asks for the role's password: a SCRAM-SHA-256 exchange,
	// or md5 when the role's password is stored as an md5 hash. A role
	// without a password cannot connect.
	AuthPassword AuthMethod = "password"
	// AuthReject refuses every client.
	AuthReject AuthMethod = "reject"
)

// ParseAuthMethod reads the name of an authentication method.
func ParseAuthMethod(s string) (AuthMethod, error) {
	switch m := AuthMethod(s); m {
	case AuthTrust, AuthPassword, AuthReject:
		return m, nil
	}
	return "", fmt.Errorf("unknown authentication method %q: use trust, password or reject", s)
}

// AuthConfig says how clients authenticate, by where they connect from.
type AuthConfig struct {
	// Local is the method for clients on this machine: over loopback or a
	// Unix socket. "" means AuthTrust.
	Local AuthMethod
	// Remote is the method for every other client. "" means AuthReject.
	Remote AuthMethod
}

// method is the method for a client, local or not.
func (a AuthConfig) method(local bool) AuthMethod {
	switch {
	case local && a.Local == "":
		return AuthTrust
	case local:
		return a.Local
	case a.Remote == "":
		return AuthReject
	}
	return a.Remote
}

// isLocal reports whether a client at addr is on this machine: connected
// over loopback or a Unix socket.
func isLocal(addr net.Addr) bool {
	switch a := addr.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	return false
}

// hostOf is the host part of addr: what failed logins are counted by.
func hostOf(addr net.Addr) string {
	switch a := addr.(type) {
	case *net.TCPAddr:
		return a.IP.String()
	case *net.UnixAddr:
		return "[local]"
	}
	return addr.String()
}

// roleFunc finds the role a client names.
type roleFunc func(name string) (*catalog.Role, bool)

// authenticate runs the authentication the server's rules ask of the
// client connecting as user to database, and returns its role (nil on a
// server without roles). On success the client has been sent
// AuthenticationOk. Every failure is reported to the client as FATAL and
// ends the connection: 28000 for a refused connection, an unknown role
// under trust or a role that may not log in, 28P01 for every failed
// password exchange — an unknown role, one without a password and a
// wrong password look alike, and only the log says which it was.
func (c *conn) authenticate(user, database string) (*catalog.Role, error) {
	addr := c.nc.RemoteAddr()
	local := isLocal(addr)
	_, unix := addr.(*net.UnixAddr)
	host := hostOf(addr)
	if c.srv.cfg.TLSRequired && !c.tls && !unix {
		c.srv.log.Warn("connection refused: no encryption", "remote", addr, "user", user)
		return nil, c.fatal(vector.Errorf(vector.CodeInvalidAuthorizationSpecification,
			"connection for host \"%s\", user \"%s\", database \"%s\" refused: no encryption (the server requires TLS: connect with sslmode=require)", host, user, database))
	}
	var role *catalog.Role
	var found bool
	if c.srv.roles != nil {
		role, found = c.srv.roles(user)
	}
	switch c.srv.cfg.Auth.method(local) {
	case AuthReject:
		c.srv.log.Warn("connection rejected", "remote", addr, "user", user)
		return nil, c.fatal(vector.Errorf(vector.CodeInvalidAuthorizationSpecification,
			"connection for host \"%s\", user \"%s\", database \"%s\" rejected by the server's authentication rules", host, user, database))
	case AuthPassword:
		if err := c.passwordExchange(user, role, found, host); err != nil {
			return nil, err
		}
	default:
		if c.srv.roles != nil && !found {
			return nil, c.fatal(vector.Errorf(vector.CodeInvalidAuthorizationSpecification, "role \"%s\" does not exist", user))
		}
	}
	if found && !role.Login {
		return nil, c.fatal(vector.Errorf(vector.CodeInvalidAuthorizationSpecification, "role \"%s\" is not permitted to log in", user))
	}
	c.be.Send(&pgproto3.AuthenticationOk{})
	return role, nil
}

// passwordExchange asks the client for the password of role (found says
// whether user names one): SCRAM-SHA-256, or md5 for a role whose password
// is an md5 hash. A client without a real role or password goes through
// a mock SCRAM exchange that fails like a wrong password. Attempts from
// a host that failed repeatedly wait their turn (see loginLimiter).
func (c *conn) passwordExchange(user string, role *catalog.Role, found bool, host string) error {
	if d := c.srv.limiter.reserve(host); d > 0 {
		c.srv.log.Info("delaying login after failed attempts", "remote", host, "user", user, "delay", d.String())
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.ctx.Done():
			return c.connEnded()
		}
	}
	var ok bool
	var err error
	reason := "wrong password"
	switch {
	case !found:
		reason = "role does not exist"
	case role.Password == "":
		reason = "role has no password"
	}
	if found && catalog.IsMD5Verifier(role.Password) {
		ok, err = c.md5Exchange(user, role.Password)
	} else {
		var sec *catalog.SCRAMSecret
		if found {
			if s, parsed := catalog.ParseSCRAMVerifier(role.Password); parsed {
				sec = &s
			}
		}
		ok, err = c.scramExchange(user, sec)
	}
	if err != nil {
		return err
	}
	if !ok {
		c.srv.limiter.failed(host)
		c.srv.log.Warn("password authentication failed", "remote", host, "user", user, "reason", reason)
		return c.fatal(vector.Errorf(vector.CodeInvalidPassword, "password authentication failed for user \"%s\"", user))
	}
	c.srv.limiter.succeeded(host)
	return nil
}

// md5Exchange asks for the md5 answer to a random salt and checks it
// against the role's stored hash ("md5" + md5(password || user)).
func (c *conn) md5Exchange(user, stored string) (bool, error) {
	var salt [4]byte
	rand.Read(salt[:])
	c.be.Send(&pgproto3.AuthenticationMD5Password{Salt: salt})
	msg, err := c.authResponse(pgproto3.AuthTypeMD5Password)
	if err != nil {
		return false, err
	}
	pm, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return false, c.fatal(protocolError("expected password response, got %T", msg))
	}
	sum := md5.Sum(append([]byte(stored[3:]), salt[:]...))
	want := "md5" + hex.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(pm.Password), []byte(want)) == 1, nil
}

// authResponse flushes what was sent and reads the client's answer, a
// message of the authentication exchange authType.
func (c *conn) authResponse(authType uint32) (pgproto3.FrontendMessage, error) {
	if err := c.be.Flush(); err != nil {
		return nil, err
	}
	if err := c.be.SetAuthType(authType); err != nil {
		return nil, err
	}
	msg, err := c.be.Receive()
	if err != nil {
		return nil, c.readFailed(err)
	}
	return msg, nil
}
