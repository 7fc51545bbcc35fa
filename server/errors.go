package server

import (
	"errors"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel/vector"
)

// Severities of ErrorResponse and NoticeResponse, as Postgres sends them.
const (
	severityError  = "ERROR"
	severityFatal  = "FATAL"
	severityNotice = "NOTICE"
)

// toPgError returns err as a *vector.Error: itself when it is one (possibly
// wrapped), otherwise an internal error (XX000) carrying its text.
func toPgError(err error) *vector.Error {
	var pe *vector.Error
	if errors.As(err, &pe) {
		return pe
	}
	return &vector.Error{Code: vector.CodeInternalError, Message: err.Error()}
}

// errorResponse builds the ErrorResponse (or, with severityNotice, the body
// of a NoticeResponse) for err.
func errorResponse(severity string, err error) *pgproto3.ErrorResponse {
	pe := toPgError(err)
	return &pgproto3.ErrorResponse{
		Severity:            severity,
		SeverityUnlocalized: severity,
		Code:                pe.Code,
		Message:             pe.Message,
		Detail:              pe.Detail,
		Hint:                pe.Hint,
		Position:            pe.Position,
	}
}

// noticeResponse builds the NoticeResponse for a notice of a statement. A
// notice without a code is a plain NOTICE (00000); one with a warning code
// (class 01) is a WARNING.
func noticeResponse(n *vector.Error) *pgproto3.NoticeResponse {
	severity := severityNotice
	if len(n.Code) == 5 && n.Code[:2] == "01" {
		severity = "WARNING"
	}
	r := errorResponse(severity, n)
	if r.Code == "" {
		r.Code = vector.CodeSuccessfulCompletion
	}
	return (*pgproto3.NoticeResponse)(r)
}

// protocolError is a client error that breaks the protocol (08P01).
func protocolError(format string, args ...any) *vector.Error {
	return vector.Errorf(vector.CodeProtocolViolation, format, args...)
}
