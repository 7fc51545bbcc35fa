package runnel

import "github.com/runneldb/runnel/vector"

// ConnParams are what a client sends at connection start.
type ConnParams struct {
	User     string
	Database string
	// Options holds the other startup parameters: application_name,
	// client_encoding, DateStyle, TimeZone, search_path, options, …
	Options map[string]string
}

// Statement is one parsed SQL statement.
type Statement struct {
	// SQL is the statement's own text.
	SQL string
	ast any
}

// Prepared is a statement ready to execute: parsed, bound and typed.
type Prepared struct {
	SQL string
	// ParamTypes has one entry per $n placeholder; a parameter whose type
	// nothing determined is text.
	ParamTypes []vector.Type
	// Columns describes the result rows; nil when the statement returns none.
	Columns []Column
	plan    any
}
