package catalog

import (
	"fmt"
	"strings"

	"github.com/runneldb/runnel/vector"
)

// Primary keys as Postgres shows them (an index in pg_index and pg_class,
// a constraint in pg_constraint), column defaults (pg_attrdef), and the
// SQL text they print as.

// pgIndexRows lists the indexes: the primary keys'.
func pgIndexRows(x *systemScan, out *rowSet) {
	for _, t := range x.keyed() {
		n := len(t.PrimaryKey)
		collations := make([]uint32, n)
		for i, k := range t.PrimaryKey {
			collations[i] = pgTypeByOID[t.Columns[k].Type.OID()].collation
		}
		out.add(t.ID+indexOIDBase, t.ID, n, n, true, false, true, false, true, false, true, false, true, true, false,
			pkColumns(t), collations, make([]uint32, n), make([]int16, n), nil, nil)
	}
}

// keyed returns the relations with a primary key, in OID order.
func (x *systemScan) keyed() []*Table {
	var out []*Table
	for _, t := range x.s.sortedTables() {
		if _, ok := relkindOf(t); ok && len(t.PrimaryKey) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// pgConstraintRows lists the constraints: the primary keys (NOT NULL is
// not a constraint in Postgres 15).
func pgConstraintRows(x *systemScan, out *rowSet) {
	for _, t := range x.keyed() {
		out.add(t.ID+constraintOIDBase, t.PrimaryKeyName, x.s.schemaOID(t.Schema), "p", false, false, true, t.ID, 0,
			t.ID+indexOIDBase, 0, 0, " ", " ", " ", true, 0, true, pkColumns(t), nil, nil, nil, nil, nil, nil, nil)
	}
}

// pgAttrdefRows lists the column defaults and generation expressions, as
// the SQL text they were declared with.
func pgAttrdefRows(x *systemScan, out *rowSet) {
	for _, t := range x.s.sortedTables() {
		if _, ok := relkindOf(t); !ok {
			continue
		}
		for i, c := range t.Columns {
			if expr := columnExpression(c); expr != "" {
				out.add(attrdefOID(t, i+1), t.ID, i+1, PostgresSQL(expr))
			}
		}
	}
}

// columnExpression is the default or generation expression of c, "" when
// it has none.
func columnExpression(c Column) string {
	if c.Generated != "" {
		return c.Generated
	}
	return c.Default
}

// attrdefOID is the OID of the default of column attnum of t.
func attrdefOID(t *Table, attnum int) uint32 {
	return attrdefOIDBase + uint32(attnum)<<20 + t.ID
}

// IndexDefinition is the CREATE INDEX statement of t's primary key index
// as pg_get_indexdef prints it, naming the table as table (quoted,
// qualified or not); with column > 0, only the name of that key column ("" when
// there is no such column).
func IndexDefinition(t *Table, table string, column int) string {
	if column > 0 {
		if column > len(t.PrimaryKey) {
			return ""
		}
		return vector.QuoteIdent(t.Columns[t.PrimaryKey[column-1]].Name)
	}
	return fmt.Sprintf("CREATE UNIQUE INDEX %s ON %s USING btree (%s)", vector.QuoteIdent(t.PrimaryKeyName), table, keyList(t))
}

// QualifiedName is the quoted schema-qualified name of t.
func QualifiedName(t *Table) string {
	return vector.QuoteIdent(t.Schema) + "." + vector.QuoteIdent(t.Name)
}

// ConstraintDefinition is t's primary key as pg_get_constraintdef prints
// it.
func ConstraintDefinition(t *Table) string {
	return "PRIMARY KEY (" + keyList(t) + ")"
}

// keyList is the quoted names of t's key columns, comma-separated.
func keyList(t *Table) string {
	names := make([]string, len(t.PrimaryKey))
	for i, k := range t.PrimaryKey {
		names[i] = vector.QuoteIdent(t.Columns[k].Name)
	}
	return strings.Join(names, ", ")
}

// cockroachTypeNames are the type names the SQL formatter prints that
// Postgres does not read, with Postgres' names.
var cockroachTypeNames = map[string]string{"STRING": "text", "BYTES": "bytea"}

// PostgresSQL is SQL text runnel stored (as its SQL formatter prints it)
// made readable by Postgres: the formatter's upper-case type names text
// and bytea are renamed. Quoted strings and identifiers are left alone.
func PostgresSQL(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(sql) && (sql[j] != c || j+1 < len(sql) && sql[j+1] == c) {
				if sql[j] == c {
					j++
				}
				j++
			}
			b.WriteString(sql[i:min(j+1, len(sql))])
			i = j + 1
		case isIdentByte(c):
			j := i
			for j < len(sql) && isIdentByte(sql[j]) {
				j++
			}
			word := sql[i:j]
			if pg, ok := cockroachTypeNames[word]; ok {
				word = pg
			}
			b.WriteString(word)
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
