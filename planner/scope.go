package planner

import "github.com/runneldb/runnel/vector"

// column is one column of a relation being planned.
type column struct {
	// table is the name the column is qualified by in this scope (a table
	// name or alias, or "" for computed columns).
	table string
	name  string
	typ   vector.Type
	// hidden columns (row ids, sort keys not in the select list) are not
	// expanded by * and cannot be referenced by name.
	hidden bool
	// tableOID and attr identify a stored column, for RowDescription.
	tableOID uint32
	attr     int16
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
func (s *scope) resolve(table, name string) (int, error) {
	found := -1
	tableSeen := table == ""
	for i, c := range s.cols {
		if table != "" && c.table != table {
			continue
		}
		tableSeen = true
		if c.hidden || c.name != name {
			continue
		}
		if found >= 0 {
			return -1, vector.Errorf(vector.CodeAmbiguousColumn, "column reference %q is ambiguous", name)
		}
		found = i
	}
	if found >= 0 {
		return found, nil
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
