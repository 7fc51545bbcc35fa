package vector

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Expr is a compiled scalar expression. It is built once per statement from
// typed parts (see the New* constructors) and evaluated a batch at a time:
// Eval returns one column of b.Len values of Type(), computed with typed loops
// over Arrow buffers, never by interpreting a row at a time.
//
// Evaluation follows SQL semantics: NULL propagates through strict functions
// and operators; AND/OR use three-valued logic; errors (division by zero,
// overflow, invalid input) come back as *Error with the Postgres SQLSTATE.
// An Expr holds no per-evaluation state, so one Expr may be evaluated by
// several goroutines at once.
type Expr interface {
	Type() Type
	Eval(ctx *EvalContext, b *Batch) (arrow.Array, error)
	// String renders the expression for EXPLAIN and error messages.
	String() string
}

// EvalContext is what an expression may read besides its input batch. One is
// made per statement execution and shared by every expression of the plan.
type EvalContext struct {
	// StatementTime is now(), current_timestamp: the start of the transaction.
	StatementTime time.Time
	// Location is the session's TimeZone, used to convert between timestamp
	// and timestamptz, to print timestamptz, and by date_trunc on timestamptz.
	Location *time.Location
	// Params are the bound parameter values ($1 is Params[0]).
	Params []Datum
	// Settings answers current_setting(name); nil means no settings.
	Settings func(name string) (string, bool)
	// Session answers session functions: "current_database", "current_schema",
	// "current_user", "session_user", "version". nil means unknown.
	Session func(name string) (Datum, bool)
	// Catalog answers reg* casts and the catalog functions (pg_get_expr,
	// format_type, pg_table_is_visible, …); nil outside a session, where
	// they fail.
	Catalog CatalogReader
}
