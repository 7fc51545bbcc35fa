package runnel

import (
	"context"
	"time"

	"github.com/runneldb/runnel/vector"
)

// Session is one client connection's state: its settings, its transaction,
// its prepared statements. A Session is used by one goroutine at a time.
type Session struct {
	db  *DB
	loc *time.Location
}

// Parameters are the session parameters reported to the client at startup
// (ParameterStatus): server_version, server_encoding, client_encoding,
// DateStyle, IntervalStyle, TimeZone, integer_datetimes,
// standard_conforming_strings, application_name, is_superuser,
// session_authorization.
func (s *Session) Parameters() []Param { return nil }

// Parse splits sql into statements and parses each. A syntax error anywhere
// fails the whole text, with the error's position set. Empty text (or only
// comments and semicolons) yields no statements.
func (s *Session) Parse(sql string) ([]*Statement, error) { return nil, nil }

// Prepare binds and types st. paramOIDs are the parameter types the client
// specified (0 or missing: infer from context).
func (s *Session) Prepare(st *Statement, paramOIDs []uint32) (*Prepared, error) {
	return nil, vector.Errorf(vector.CodeFeatureNotSupported, "not implemented")
}

// Execute runs p with the given parameter values (already decoded to the
// types of p.ParamTypes). Cancelling ctx cancels the statement
// (SQLSTATE 57014). Rows of the result are produced lazily as the caller
// reads them.
func (s *Session) Execute(ctx context.Context, p *Prepared, params []vector.Datum) (*Result, error) {
	return nil, vector.Errorf(vector.CodeFeatureNotSupported, "not implemented")
}

// TxStatus is the transaction status for ReadyForQuery: 'I' idle, 'T' in a
// transaction block, 'E' in a failed transaction block.
func (s *Session) TxStatus() byte { return 'I' }

// Location is the session's TimeZone, for encoding timestamptz values.
func (s *Session) Location() *time.Location { return s.loc }

// Close ends the session, rolling back any open transaction.
func (s *Session) Close() {}
