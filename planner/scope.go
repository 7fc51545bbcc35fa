package planner

import (
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// column is one column of a relation being planned.
type column struct {
	// table is the name the column is qualified by in this scope (a table
	// name or alias, or "" for computed columns).
	table string
	name  string
	typ   vector.Type
	// hidden columns (row ids, sort keys not in the select list) are not
	// expanded by * and cannot be referenced by name, unless byName (the
	// system column tableoid) or qualified (the join columns of USING,
	// referenced qualified by their table).
	hidden, byName, qualified bool
	// tableOID and attr identify a stored column, for RowDescription.
	tableOID uint32
	attr     int16
	// bound relates the column to the watermark of the stream (in stream
	// mode): event times and windows have one.
	bound operators.Bound
	// field is set on the two columns of a window value (tumble(…) AS w in
	// a select list): "start" or "end", referenced as w.start and w.end.
	field string
	// session marks the placeholder window columns of SESSION(…).
	session *sessionWindow
	// use, when not nil, is where a reference to the column is noted:
	// the column is column useCol of a source read (see prune.go).
	use    *columnUse
	useCol int
}

// markUsed notes that the query uses the column.
func (c column) markUsed() {
	if c.use != nil {
		c.use.used[c.useCol] = true
	}
}

// scope is what names in an expression resolve against: the columns of the
// input relation, and the scope of the enclosing query for correlated
// subqueries.
type scope struct {
	cols  []column
	outer *scope
}

// resolve finds the column named name (qualified by table when table is not
// empty). It returns the column index, or an error: 42703 for an unknown
// column, 42702 for an ambiguous one, 42P01 for an unknown qualifier.
// Every column the name matches is noted as used (markUsed), the one found
// or the ones it is ambiguous between, so that a query planned over only
// the columns it uses resolves each name as it did over all of them.
func (s *scope) resolve(table, name string) (int, error) {
	found, matches := -1, 0
	tableSeen := table == ""
	for i, c := range s.cols {
		if table != "" && c.table != table {
			continue
		}
		tableSeen = true
		if c.hidden && !c.byName && !(c.qualified && table != "") || c.name != name || c.field != "" {
			continue
		}
		c.markUsed()
		if matches++; found < 0 {
			found = i
		}
	}
	if matches > 1 {
		return -1, vector.Errorf(vector.CodeAmbiguousColumn, "column reference %q is ambiguous", name)
	}
	if found >= 0 {
		return found, nil
	}
	if table != "" && !tableSeen {
		// w.start: a field of window value w.
		for i, c := range s.cols {
			if c.field != "" && c.name == table && c.field == name {
				return i, nil
			}
		}
	}
	if !tableSeen {
		return -1, vector.Errorf(vector.CodeUndefinedTable, "missing FROM-clause entry for table %q", table)
	}
	if table != "" {
		return -1, vector.Errorf(vector.CodeUndefinedColumn, "column %s.%s does not exist", table, name)
	}
	return -1, vector.Errorf(vector.CodeUndefinedColumn, "column %q does not exist", name)
}

// hasTable reports whether some column is qualified by table.
func (s *scope) hasTable(table string) bool {
	for _, c := range s.cols {
		if c.table == table {
			return true
		}
	}
	return false
}

// types lists the column types.
func (s *scope) types() []vector.Type {
	ts := make([]vector.Type, len(s.cols))
	for i, c := range s.cols {
		ts[i] = c.typ
	}
	return ts
}

// outputName is the column's name in a result: a field of a window value
// is "<value>_<field>" (window_start), as a view cannot have two columns
// of one name.
func (c column) outputName() string {
	if c.field != "" {
		return c.name + "_" + c.field
	}
	return c.name
}

// keepBounds gives each output column that passes an input column through
// the input column's bound (and window field), unless it has its own.
func keepBounds(in *scope, exprs []vector.Expr, cols []column) []column {
	cols = append([]column(nil), cols...)
	for i, x := range exprs {
		if j, ok := vector.IsColumnRef(x); ok && !cols[i].bound.Valid() {
			cols[i].bound = in.cols[j].bound
			if cols[i].field == "" && cols[i].name == in.cols[j].name {
				cols[i].field = in.cols[j].field
			}
		}
	}
	return cols
}

// withoutBounds copies cols with no bounds: what a join outputs, where a
// new row of one side may meet an old row of the other.
func withoutBounds(cols []column) []column {
	out := append([]column(nil), cols...)
	for i := range out {
		out[i].bound = operators.Bound{}
	}
	return out
}
