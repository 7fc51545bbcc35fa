package runnel

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// A Kafka table declares the columns it fills from each message's
// metadata rather than from its value:
//
//	CREATE TABLE clicks (…, off bigint METADATA FROM 'offset', at timestamptz METADATA FROM 'timestamp')
//
// The grammar has no such column qualifier. rewriteMetadataFrom turns it
// into one the grammar has and no real constraint can be: the column
// constraint CHECK (ROW('offset')), whose argument is a row of one string;
// columnMetadata recognizes it.

// metadataFields are the metadata a column may be filled with, and the
// connectors that provide them.
var metadataFields = []string{"offset", "partition", "timestamp", "key", "headers"}

// metadataElementEdits returns the edits that rewrite METADATA FROM
// 'field' in one element of a column list: "METADATA FROM" becomes
// "CHECK(ROW(" padded with spaces, and "))" follows the string.
func metadataElementEdits(el []token) []textEdit {
	for i := 1; i+2 < len(el); i++ {
		if !el[i].is("metadata") || !el[i+1].is("from") || el[i+2].kind != tokString {
			continue
		}
		head := textEdit{from: el[i].pos, to: el[i+1].pos + len(el[i+1].text), repl: "CHECK(ROW("}
		head.repl += strings.Repeat(" ", head.to-head.from-len(head.repl))
		end := el[i+2].pos + len(el[i+2].text)
		return []textEdit{head, {from: end, to: end, repl: "))"}}
	}
	return nil
}

// columnMetadata reads the METADATA FROM of column d (as rewritten): the
// field, and d's check expressions without it. An unknown field is 22023.
func columnMetadata(d *tree.ColumnTableDef) (string, []tree.ColumnTableDefCheckExpr, error) {
	for i, c := range d.CheckExprs {
		row, ok := c.Expr.(*tree.Tuple)
		if !ok || !row.Row || c.ConstraintName != "" || len(row.Exprs) != 1 {
			continue
		}
		s, ok := row.Exprs[0].(*tree.StrVal)
		if !ok {
			continue
		}
		field := s.RawString()
		known := false
		for _, f := range metadataFields {
			known = known || f == field
		}
		if !known {
			return "", nil, vector.Errorf(vector.CodeInvalidParameterValue, "unknown metadata %q for column %q (known: %s)", field, d.Name, strings.Join(metadataFields, ", "))
		}
		rest := append(append([]tree.ColumnTableDefCheckExpr(nil), d.CheckExprs[:i]...), d.CheckExprs[i+1:]...)
		return field, rest, nil
	}
	return "", d.CheckExprs, nil
}

// checkMetadataColumns refuses metadata columns in a table whose
// connector does not provide them (only Kafka does), and generated or
// defaulted metadata columns.
func checkMetadataColumns(t *catalog.Table) error {
	for _, c := range t.Columns {
		if c.Metadata == "" {
			continue
		}
		switch {
		case t.Options["connector"] != "kafka":
			return vector.Errorf(vector.CodeFeatureNotSupported, "column %q: METADATA FROM is supported only in tables and sources with connector 'kafka'", c.Name)
		case t.Kind == catalog.KindSink:
			return vector.Errorf(vector.CodeFeatureNotSupported, "column %q: METADATA FROM is supported only when reading from Kafka, not in a sink", c.Name)
		case c.Generated != "" || c.Default != "":
			return vector.Errorf(vector.CodeInvalidTableDefinition, "column %q: a metadata column has no default or generation expression", c.Name)
		}
	}
	return nil
}
