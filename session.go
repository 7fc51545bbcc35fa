package runnel

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// Session is one client connection's state: its settings and its
// transaction. A Session is used by one goroutine at a time.
//
// Transactions: outside a transaction block every statement runs in a
// transaction of its own, committed when the statement ends (for queries,
// when their rows are produced). BEGIN opens a block in which statements
// share one transaction, seeing its snapshot plus their own writes; an
// error fails the block ('E') until ROLLBACK (or COMMIT, which then rolls
// back). Writes become durable and visible to others at COMMIT.
type Session struct {
	db       *DB
	user     string
	role     uint32 // the OID of user's role, once known (see currentRole)
	settings *sessionSettings

	// txn is the open transaction block's transaction, or nil.
	txn *txn
	// txnStart is now() inside the block.
	txnStart time.Time
	failed   bool
	// implicit is set while txn is an implicit transaction (see
	// BeginImplicit); implicitBlock when it is a transaction block, that of
	// several statements sent in one Query message.
	implicit, implicitBlock bool
	// lastWrite is the seq of the session's last commit: its reads of
	// materialized views wait until they reflect it.
	lastWrite atomic.Uint64
	// cursors are the open cursors of the transaction, by name.
	cursors map[string]*cursor
}

// BeginImplicit starts an implicit transaction: the statements until
// EndImplicit commit together, unless one fails. block says whether it is a
// transaction block — that of several statements sent in one Query message
// is, where LOCK and DECLARE may run; that of an extended-protocol Sync
// cycle is not, as in Postgres. BEGIN among the statements makes the
// transaction an ordinary block; COMMIT or ROLLBACK ends it early.
func (s *Session) BeginImplicit(block bool) {
	if s.txn != nil {
		return
	}
	s.txn, s.txnStart, s.implicit, s.implicitBlock = newTxn(s), time.Now(), true, block
}

// EndImplicit ends the implicit transaction: committed, or rolled back when
// a statement failed.
func (s *Session) EndImplicit(failed bool) error {
	if !s.implicit {
		return nil
	}
	txn := s.txn
	s.txn, s.implicit, s.failed = nil, false, false
	s.closeCursors()
	if failed {
		txn.Rollback()
		return nil
	}
	return txn.Commit()
}

// Parameters are the session parameters reported to the client at startup.
func (s *Session) Parameters() []Param {
	var out []Param
	for name, st := range settings {
		if st.reported {
			v, _ := s.settings.get(name)
			out = append(out, Param{Name: displayName(name), Value: v})
		}
	}
	return out
}

// Parse splits sql into statements and parses each. A syntax error anywhere
// fails the whole text, with the error's position set. Empty text (or only
// comments and semicolons) yields no statements.
func (s *Session) Parse(sql string) ([]*Statement, error) {
	if stmts, ok, err := parseCursorText(sql); ok {
		return stmts, err
	}
	if stmts, ok, err := parseLockText(sql); ok {
		return stmts, err
	}
	if c, ok, err := parseCommand(sql); ok {
		if err != nil {
			return nil, err
		}
		return []*Statement{{SQL: sql, cmd: c}}, nil
	}
	stmts, err := parser.ParseWithInt(preparse(sql), types.Int4)
	if err != nil {
		return nil, syntaxError(sql, err)
	}
	out := make([]*Statement, len(stmts))
	for i, st := range stmts {
		out[i] = &Statement{SQL: st.SQL, ast: st.AST, numParams: st.NumPlaceholders}
	}
	return out, nil
}

// Prepare binds and types st. paramOIDs are the parameter types the client
// specified (0 or missing: infer from context).
func (s *Session) Prepare(st *Statement, paramOIDs []uint32) (*Prepared, error) {
	n := st.numParams
	if len(paramOIDs) > n {
		n = len(paramOIDs)
	}
	params := &vector.ParamTypes{Types: make([]vector.Type, n)}
	for i, o := range paramOIDs {
		if o == 0 {
			continue
		}
		t, ok := vector.TypeByOID(o)
		if !ok {
			return nil, vector.Errorf(vector.CodeUndefinedObject, "type with OID %d is not supported", o)
		}
		params.Types[i] = t
	}
	if st.cmd != nil {
		return &Prepared{SQL: st.SQL, cmd: st.cmd, Columns: st.cmd.columns()}, nil
	}
	p := &Prepared{SQL: st.SQL, ast: st.ast}
	cols, err := s.describe(st.ast, params)
	if err != nil {
		return nil, err
	}
	for i, t := range params.Types {
		if t.Kind == vector.KindUnknown {
			params.Types[i] = vector.Text
		}
	}
	p.ParamTypes = params.Types
	p.Columns = cols
	return p, nil
}

// Execute runs p with the given parameter values (already decoded to the
// types of p.ParamTypes). Cancelling ctx cancels the statement
// (SQLSTATE 57014). Rows of a query are produced as the caller reads them.
func (s *Session) Execute(ctx context.Context, p *Prepared, params []vector.Datum) (*Result, error) {
	if len(params) != len(p.ParamTypes) {
		return nil, vector.Errorf(vector.CodeProtocolViolation, "statement requires %d parameters, %d given", len(p.ParamTypes), len(params))
	}
	if s.failed && !endsBlock(p.ast) {
		return nil, vector.Errorf(vector.CodeInFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
	}
	if d := s.settings.duration("statement_timeout"); d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	s.noteActivity(p.SQL)
	res, err := s.execute(ctx, p, params)
	if err != nil && s.txn != nil {
		s.failed = true
	}
	return res, err
}

func endsBlock(ast tree.Statement) bool {
	switch ast.(type) {
	case *tree.CommitTransaction, *tree.RollbackTransaction:
		return true
	}
	return false
}

// TxStatus is the transaction status for ReadyForQuery: 'I' idle, 'T' in a
// transaction block, 'E' in a failed transaction block.
func (s *Session) TxStatus() byte {
	switch {
	case s.implicit:
		return 'I'
	case s.failed:
		return 'E'
	case s.txn != nil:
		return 'T'
	}
	return 'I'
}

// Location is the session's TimeZone, for encoding timestamptz values.
func (s *Session) Location() *time.Location { return s.settings.loc }

// Close ends the session, rolling back any open transaction.
func (s *Session) Close() {
	s.forgetActivity()
	s.closeCursors()
	if s.txn != nil {
		s.txn.Rollback()
		s.txn = nil
	}
}

// statement is the context of one statement execution: its transaction,
// evaluation context and planner.
type statement struct {
	s    *Session
	txn  *txn
	ectx *vector.EvalContext
	plan *planner.Planner
	// implicit is set when the statement runs in a transaction of its own.
	implicit bool
	// deadline ends the statement (statement_timeout), or is zero.
	deadline time.Time
}

// begin prepares the execution of one statement.
func (s *Session) begin(params *vector.ParamTypes, values []vector.Datum) *statement {
	st := &statement{s: s, txn: s.txn}
	if d := s.settings.duration("statement_timeout"); d > 0 {
		st.deadline = time.Now().Add(d)
	}
	start := s.txnStart
	if st.txn == nil {
		st.txn = newTxn(s)
		st.implicit = true
		start = time.Now()
	}
	st.ectx = &vector.EvalContext{
		StatementTime: start,
		Location:      s.settings.loc,
		Params:        values,
		Settings:      s.settings.get,
		Session:       s.sessionValue,
		Catalog:       &sessionCatalog{s: s, txn: st.txn},
	}
	st.plan = planner.New(&env{s: s, txn: st.txn}, st.ectx, params)
	return st
}

// inBlock reports whether the statement runs in a transaction block:
// BEGIN's, or the implicit one of a multi-statement Query message.
func (st *statement) inBlock() bool {
	return !st.implicit && (!st.s.implicit || st.s.implicitBlock)
}

// finish ends an implicit transaction: committed on success, rolled back
// on error.
func (st *statement) finish(err error) error {
	if !st.implicit {
		return err
	}
	if err != nil {
		st.txn.Rollback()
		return err
	}
	return st.txn.Commit()
}

// sessionValue answers the session functions of expressions.
func (s *Session) sessionValue(name string) (vector.Datum, bool) {
	switch name {
	case "current_database":
		return DatabaseName, true
	case "current_schema":
		for _, sc := range s.searchPath() {
			if _, ok := s.db.catalog.Schema(sc); ok {
				return sc, true
			}
		}
		return nil, true
	case "current_user", "session_user", "user":
		return s.user, true
	case "version":
		return "PostgreSQL " + ServerVersion + " on x86_64-pc-linux-gnu, compiled by Go", true
	}
	return nil, false
}

// searchPath is the session's search_path, "$user" expanded.
func (s *Session) searchPath() []string {
	v, _ := s.settings.get("search_path")
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if strings.HasPrefix(part, `"`) && strings.HasSuffix(part, `"`) && len(part) >= 2 {
			part = part[1 : len(part)-1]
		} else {
			part = strings.ToLower(part)
		}
		if part == "$user" {
			part = s.user
		}
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}
