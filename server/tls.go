package server

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"net"
)

// The request codes a client may send, in place of a protocol version,
// before its startup packet to ask for an encrypted connection.
const (
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
)

// negotiateEncryption serves the SSLRequest and GSSENCRequest a client
// may open with: GSS encryption is declined ('N'), TLS is accepted ('S')
// when the server has a certificate and the client is not on a Unix
// socket, then the handshake runs; otherwise declined and the client goes
// on in the clear. It returns the connection to read the startup packet
// from — the TLS connection, or nc with the bytes read ahead put back —
// and whether it is encrypted. A client asking twice for the same thing
// is refused.
func (s *Server) negotiateEncryption(ctx context.Context, nc net.Conn) (net.Conn, bool, error) {
	asked := map[uint32]bool{}
	for {
		var head [8]byte
		if _, err := io.ReadFull(nc, head[:]); err != nil {
			return nil, false, err
		}
		length, code := binary.BigEndian.Uint32(head[:4]), binary.BigEndian.Uint32(head[4:])
		if length != 8 || code != sslRequestCode && code != gssEncRequestCode {
			return &prefixedConn{Conn: nc, prefix: head[:]}, false, nil
		}
		if asked[code] {
			return nil, false, fmt.Errorf("encryption requested twice (code %d)", code)
		}
		asked[code] = true
		_, unix := nc.RemoteAddr().(*net.UnixAddr)
		if code == gssEncRequestCode || s.cfg.TLS == nil || unix {
			if _, err := nc.Write([]byte{'N'}); err != nil {
				return nil, false, err
			}
			continue
		}
		if _, err := nc.Write([]byte{'S'}); err != nil {
			return nil, false, err
		}
		tc := tls.Server(nc, s.cfg.TLS)
		hctx, cancel := context.WithTimeout(ctx, startupTimeout)
		defer cancel()
		if err := tc.HandshakeContext(hctx); err != nil {
			return nil, false, fmt.Errorf("TLS handshake: %w", err)
		}
		return tc, true, nil
	}
}

// prefixedConn is a connection whose first bytes were read already: Read
// returns them before reading on.
type prefixedConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixedConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// endPointHash is the tls-server-end-point channel binding data (RFC
// 5929) of the server's certificate, which a SCRAM-SHA-256-PLUS exchange
// binds to: the certificate's hash, with the hash function of its
// signature (SHA-256 for MD5 and SHA-1). It is nil — and channel binding
// is not offered — when cfg has not exactly one certificate or its
// signature has no such hash function (Ed25519).
func endPointHash(cfg *tls.Config) []byte {
	if cfg == nil || cfg.GetCertificate != nil || len(cfg.Certificates) != 1 || len(cfg.Certificates[0].Certificate) == 0 {
		return nil
	}
	cert, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	if err != nil {
		return nil
	}
	var h hash.Hash
	switch cert.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1,
		x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.DSAWithSHA256, x509.ECDSAWithSHA256:
		h = sha256.New()
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		h = sha512.New384()
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		h = sha512.New()
	default:
		return nil
	}
	h.Write(cert.Raw)
	return h.Sum(nil)
}

// LoadTLS reads a certificate (PEM, with its chain) and its private key for
// a server's Config.TLS.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
