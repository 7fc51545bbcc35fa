package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// The SASL mechanisms of a SCRAM exchange: plain, or bound to the TLS
// channel (tls-server-end-point), which the server offers over TLS.
const (
	scramSHA256     = "SCRAM-SHA-256"
	scramSHA256Plus = "SCRAM-SHA-256-PLUS"
)

// scramExchange runs the server side of a SCRAM-SHA-256 exchange (RFC
// 5802, 7677) as Postgres does: the user name inside the exchange is
// ignored (the startup packet's counts), and over TLS the client may bind
// the exchange to the channel. sec is the role's verifier; with nil the
// exchange runs with a mock salt and fails, so that a client cannot tell
// a missing role or password from a wrong password. It reports whether
// the client proved it knows the password; a malformed exchange ends the
// connection (08P01).
func (c *conn) scramExchange(user string, sec *catalog.SCRAMSecret) (bool, error) {
	var cbind []byte
	mechs := []string{scramSHA256}
	if c.tls && c.srv.endPoint != nil {
		cbind = c.srv.endPoint
		mechs = []string{scramSHA256Plus, scramSHA256}
	}
	c.be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: mechs})
	msg, err := c.authResponse(pgproto3.AuthTypeSASL)
	if err != nil {
		return false, err
	}
	init, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return false, c.fatal(protocolError("expected SASL response, got %T", msg))
	}
	if !slices.Contains(mechs, init.AuthMechanism) {
		return false, c.fatal(protocolError("client selected an invalid SASL authentication mechanism"))
	}
	plus := init.AuthMechanism == scramSHA256Plus
	first, err := parseClientFirst(string(init.Data), plus, cbind != nil)
	if err != nil {
		return false, c.fatal(err)
	}
	if sec == nil {
		sec = c.srv.mockSecret(user)
	}
	var serverNonce [18]byte
	rand.Read(serverNonce[:])
	nonce := first.nonce + base64.StdEncoding.EncodeToString(serverNonce[:])
	serverFirst := fmt.Sprintf("r=%s,s=%s,i=%d", nonce, base64.StdEncoding.EncodeToString(sec.Salt), sec.Iterations)
	c.be.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	if msg, err = c.authResponse(pgproto3.AuthTypeSASLContinue); err != nil {
		return false, err
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return false, c.fatal(protocolError("expected SASL response, got %T", msg))
	}
	final, err := parseClientFinal(string(resp.Data))
	if err != nil {
		return false, c.fatal(err)
	}
	binding := first.gs2Header
	if plus {
		binding += string(cbind)
	}
	if final.channelBinding != base64.StdEncoding.EncodeToString([]byte(binding)) {
		return false, c.fatal(protocolError("SCRAM channel binding check failed"))
	}
	if final.nonce != nonce {
		return false, c.fatal(scramMalformed("nonce does not match"))
	}
	if sec.ServerKey == nil {
		return false, nil // mock
	}
	authMessage := first.bare + "," + serverFirst + "," + final.withoutProof
	clientKey := scramMAC(sec.StoredKey, authMessage)
	if len(final.proof) != len(clientKey) {
		return false, nil
	}
	for i := range clientKey {
		clientKey[i] ^= final.proof[i]
	}
	stored := sha256.Sum256(clientKey)
	if subtle.ConstantTimeCompare(stored[:], sec.StoredKey) != 1 {
		return false, nil
	}
	verifier := "v=" + base64.StdEncoding.EncodeToString(scramMAC(sec.ServerKey, authMessage))
	c.be.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte(verifier)})
	return true, nil
}

func scramMAC(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// mockSecret is the verifier of the mock exchange for user: its salt is
// the same for every attempt (as a real role's is) while the server runs,
// and it has no keys.
func (s *Server) mockSecret(user string) *catalog.SCRAMSecret {
	sum := sha256.Sum256(append(s.mockNonce[:], user...))
	return &catalog.SCRAMSecret{Iterations: 4096, Salt: sum[:16]}
}

// scramMalformed is the error of a SCRAM message that breaks RFC 5802.
func scramMalformed(detail string) *vector.Error {
	e := protocolError("malformed SCRAM message")
	e.Detail = detail
	return e
}

// clientFirst is the client-first-message of a SCRAM exchange.
type clientFirst struct {
	gs2Header string // "n,,", "y,," or "p=tls-server-end-point,,"
	bare      string // client-first-message-bare
	nonce     string
}

// parseClientFirst reads a client-first-message. plus says whether the
// client chose SCRAM-SHA-256-PLUS, offered says whether the server
// offered it.
func parseClientFirst(msg string, plus, offered bool) (clientFirst, error) {
	var f clientFirst
	flag, rest, ok := strings.Cut(msg, ",")
	if !ok {
		return f, scramMalformed("the message has no GS2 header")
	}
	switch {
	case flag == "p=tls-server-end-point":
		if !plus {
			return f, protocolError("the client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data")
		}
	case strings.HasPrefix(flag, "p="):
		return f, protocolError("unsupported SCRAM channel-binding type %q", flag[2:])
	case plus:
		return f, protocolError("the client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data")
	case flag == "y" && offered:
		return f, protocolError("SCRAM channel binding negotiation error: the client supports SCRAM channel binding but thinks the server does not, yet this server does")
	case flag != "n" && flag != "y":
		return f, scramMalformed(fmt.Sprintf("unexpected channel-binding flag %q", flag))
	}
	authzid, bare, ok := strings.Cut(rest, ",")
	switch {
	case !ok:
		return f, scramMalformed("the GS2 header does not end")
	case authzid != "":
		return f, vector.Errorf(vector.CodeFeatureNotSupported, "client uses authorization identity, but it is not supported")
	case strings.HasPrefix(bare, "m="):
		return f, vector.Errorf(vector.CodeFeatureNotSupported, "client requires an unsupported SCRAM extension")
	}
	f.gs2Header, f.bare = flag+","+authzid+",", bare
	attrs := strings.Split(bare, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "n=") || !strings.HasPrefix(attrs[1], "r=") || len(attrs[1]) == 2 {
		return f, scramMalformed("expected n= and r= attributes")
	}
	f.nonce = attrs[1][2:]
	for _, ch := range f.nonce {
		if ch < 0x21 || ch > 0x7E {
			return f, scramMalformed("the nonce holds a character that is not printable ASCII")
		}
	}
	return f, nil
}

// clientFinal is the client-final-message of a SCRAM exchange.
type clientFinal struct {
	channelBinding string // base64, as sent
	nonce          string
	withoutProof   string
	proof          []byte
}

// parseClientFinal reads a client-final-message: c=…,r=…[,extensions],p=….
func parseClientFinal(msg string) (clientFinal, error) {
	var f clientFinal
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		return f, scramMalformed("the message has no proof")
	}
	f.withoutProof = msg[:i]
	proof, err := base64.StdEncoding.DecodeString(msg[i+3:])
	if err != nil {
		return f, scramMalformed("the proof is not valid base64")
	}
	f.proof = proof
	attrs := strings.Split(f.withoutProof, ",")
	if len(attrs) < 2 || !strings.HasPrefix(attrs[0], "c=") || !strings.HasPrefix(attrs[1], "r=") {
		return f, scramMalformed("expected c= and r= attributes")
	}
	f.channelBinding, f.nonce = attrs[0][2:], attrs[1][2:]
	return f, nil
}
