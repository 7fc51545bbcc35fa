package server

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// testPKI is a CA and a server certificate it signed for 127.0.0.1 and
// localhost, written as PEM files in a temporary directory.
type testPKI struct {
	caFile, certFile, keyFile string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "runnel test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := testPKI{filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")}
	for file, block := range map[string]*pem.Block{p.caFile: {Type: "CERTIFICATE", Bytes: caDER},
		p.certFile: {Type: "CERTIFICATE", Bytes: der}, p.keyFile: {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// TestTLS connects with pgx, lib/pq and psql over TLS — verifying the
// server's certificate against the test CA, with SCRAM bound to the
// channel — to a server that requires it, and checks that a client
// without TLS or trusting another CA is refused.
func TestTLS(t *testing.T) {
	pki := newTestPKI(t)
	other := newTestPKI(t)
	tlsCfg, err := LoadTLS(pki.certFile, pki.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	_, addr := authServer(t, Config{Auth: AuthConfig{Local: AuthPassword}, TLS: tlsCfg, TLSRequired: true}, authRoles...)
	_, port, _ := net.SplitHostPort(addr)
	url := func(host, params string) string {
		return fmt.Sprintf("postgres://alice:secret@%s:%s/runnel?%s", host, port, params)
	}
	for _, c := range []struct {
		params string
		fails  string // in the error, "" to succeed
	}{
		{"sslmode=require", ""},
		{"sslmode=require&channel_binding=require", ""},
		{"sslmode=verify-full&sslrootcert=" + pki.caFile, ""},
		{"sslmode=verify-full&channel_binding=require&sslrootcert=" + pki.caFile, ""},
		{"sslmode=disable", "no encryption"},
		{"sslmode=verify-full&sslrootcert=" + other.caFile, "certificate"},
	} {
		for _, host := range []string{"localhost", "127.0.0.1"} {
			user, err := pgxLogin(url(host, c.params))
			if c.fails == "" && (err != nil || user != "alice") || c.fails != "" && (err == nil || !strings.Contains(err.Error(), c.fails)) {
				t.Errorf("pgx to %s with %s: %q, %v; want failure %q", host, c.params, user, err, c.fails)
			}
		}
	}
	if user, err := pqLogin(url("localhost", "sslmode=verify-full&sslrootcert="+pki.caFile)); err != nil || user != "alice" {
		t.Errorf("lib/pq verify-full: %q, %v", user, err)
	}
	if _, err := pqLogin(url("localhost", "sslmode=disable")); sqlState(err) != "28000" {
		t.Errorf("lib/pq without TLS: %v, want 28000", err)
	}
	// The md5 exchange works over TLS too.
	if user, err := pgxLogin(fmt.Sprintf("postgres://oldclient:md5pw@localhost:%s/runnel?sslmode=require", port)); err != nil || user != "oldclient" {
		t.Errorf("md5 over TLS: %q, %v", user, err)
	}
	for _, c := range []struct {
		conninfo, fails string
	}{
		{"sslmode=verify-full channel_binding=require sslrootcert=" + pki.caFile, ""},
		{"sslmode=disable", "no encryption"},
	} {
		user, err := psqlLogin(t, fmt.Sprintf("host=localhost port=%s dbname=runnel user=alice %s", port, c.conninfo), "secret")
		if c.fails == "" && (err != nil || user != "alice") || c.fails != "" && (err == nil || !strings.Contains(err.Error(), c.fails)) {
			t.Errorf("psql with %s: %q, %v; want failure %q", c.conninfo, user, err, c.fails)
		}
	}
}

// TestEncryptionRequests: with a certificate, SSLRequest is answered 'S'
// and the handshake follows; GSSENCRequest is always answered 'N'; asking
// twice for the same ends the connection.
func TestEncryptionRequests(t *testing.T) {
	pki := newTestPKI(t)
	tlsCfg, err := LoadTLS(pki.certFile, pki.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	_, addr := authServer(t, Config{TLS: tlsCfg})
	answer := func(c *client) byte {
		var b [1]byte
		if _, err := io.ReadFull(c.nc, b[:]); err != nil {
			t.Fatal(err)
		}
		return b[0]
	}
	c := dial(t, addr)
	c.send(&pgproto3.GSSEncRequest{})
	if b := answer(c); b != 'N' {
		t.Fatalf("GSSENCRequest answered %q, want N", b)
	}
	c.send(&pgproto3.SSLRequest{})
	if b := answer(c); b != 'S' {
		t.Fatalf("SSLRequest answered %q, want S", b)
	}
	tc := tls.Client(c.nc, &tls.Config{ServerName: "localhost", RootCAs: certPool(t, pki.caFile)})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	fe := pgproto3.NewFrontend(tc, tc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "runnel", "database": "runnel"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	if m, err := fe.Receive(); err != nil || render(m) != "AuthenticationOk" {
		t.Errorf("startup over TLS: %v, %v; want AuthenticationOk", m, err)
	}

	again := dial(t, addr)
	again.send(&pgproto3.GSSEncRequest{})
	answer(again)
	again.send(&pgproto3.GSSEncRequest{})
	expectClosed(t, again)
}

func certPool(t *testing.T, file string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return pool
}

// TestEndPointHash: the channel binding data is the certificate's hash
// with its signature's hash function, and there is none for a
// certificate signed with Ed25519.
func TestEndPointHash(t *testing.T) {
	pki := newTestPKI(t)
	cfg, err := LoadTLS(pki.certFile, pki.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cfg.Certificates[0].Certificate[0])
	if got := endPointHash(cfg); !slices.Equal(got, sum[:]) {
		t.Errorf("end point hash of an ECDSA-SHA256 certificate = %x, want %x", got, sum)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(3), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	ed := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: priv}}}
	if got := endPointHash(ed); got != nil {
		t.Errorf("end point hash of an Ed25519 certificate = %x, want none", got)
	}
	if got := endPointHash(nil); got != nil {
		t.Errorf("end point hash without TLS = %x", got)
	}
}
