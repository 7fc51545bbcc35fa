// Package sqllogictest runs sqllogictest files (the sqllogictest-rs dialect)
// against any server that speaks the Postgres wire protocol. It is a client:
// it knows nothing of runnel's internals, so the same files run against
// real PostgreSQL, which is how their expectations are derived (runnel's
// materialized view statements translated, see forOracle).
package sqllogictest

import "time"

// SortMode says how a query's result is ordered before it is compared.
type SortMode uint8

// Sort modes of a query record.
const (
	// NoSort compares rows in the order the server sent them.
	NoSort SortMode = iota
	// RowSort sorts rows.
	RowSort
	// ValueSort sorts all values individually, one per line.
	ValueSort
)

var sortModes = map[string]SortMode{"nosort": NoSort, "rowsort": RowSort, "valuesort": ValueSort}

// recordKind is what a record does.
type recordKind uint8

const (
	kindStatement     recordKind = iota // statement ok | error | count
	kindQuery                           // query <types> … ---- results
	kindInclude                         // include <glob>
	kindHalt                            // halt
	kindSleep                           // sleep <duration>
	kindHashThreshold                   // hash-threshold N
	kindSortMode                        // control sortmode <mode>
)

// record is one entry of a test file. Conditions (skipif/onlyif) and the
// connection name have already been attached to it.
type record struct {
	kind recordKind
	// line is the 1-based line of the record's keyword; lines are the
	// file's lines the record spans, kept verbatim for completion.
	line       int
	start, end int // [start, end) line indexes (0-based) of the record

	skipIf, onlyIf []string
	conn           string // "" is the default connection

	sql string

	// Statements and queries: expectError is set for "error"; errPattern
	// is the regex after it (empty: any error). count >= 0 for
	// "statement count N".
	expectError bool
	errPattern  string
	count       int64

	// Queries.
	types    string
	sortMode SortMode
	sortSet  bool // sortMode was written on the record
	label    string
	// expected holds the result lines after "----"; resultLine is the
	// 0-based index of the "----" line, or -1.
	expected   []string
	resultLine int

	// Other records.
	arg      string
	duration time.Duration
	n        int
}

// runsOn reports whether the record applies to the engine called name.
func (r *record) runsOn(name string) bool {
	for _, s := range r.skipIf {
		if s == name {
			return false
		}
	}
	for _, o := range r.onlyIf {
		if o != name {
			return false
		}
	}
	return true
}
