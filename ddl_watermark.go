package runnel

import (
	"fmt"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treebin"
	"github.com/cockroachdb/cockroachdb-parser/pkg/util/duration"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// A table declares its event time inside its column list:
//
//	CREATE TABLE bids (…, at timestamptz, WATERMARK FOR at AS at - INTERVAL '5 seconds')
//
// The grammar has no such element. rewriteWatermarkFor turns it into one
// the grammar has and no real constraint can be: CHECK (ROW(at, at -
// INTERVAL '5 seconds')), whose argument is a row, not a boolean; a CHECK
// of a ROW(…) is how createTable recognizes it (watermarkClauseOf).

// rewriteWatermarkFor rewrites each element WATERMARK FOR col [AS expr] of
// the column list of a CREATE TABLE into CHECK(ROW(col[, expr])); anything
// else is left alone. The column and the expression keep their positions:
// "WATERMARK FOR" becomes "CHECK(ROW(" padded with spaces and AS becomes
// ", ", so only what follows the element moves, by the two closing
// parentheses.
func rewriteWatermarkFor(sql string, toks []token) string {
	var edits []textEdit
	for start := 0; start < len(toks); {
		end := start
		for end < len(toks) && !(toks[end].kind == tokPunct && toks[end].text == ";") {
			end++
		}
		if open := createTableParen(toks[start:end]); open >= 0 {
			edits = append(edits, columnListEdits(toks[start+open:end])...)
		}
		start = end + 1
	}
	for i := len(edits) - 1; i >= 0; i-- {
		sql = splice(sql, edits[i].from, edits[i].to, edits[i].repl)
	}
	return sql
}

// textEdit replaces sql[from:to] with repl.
type textEdit struct {
	from, to int
	repl     string
}

// columnListEdits returns the edits of the WATERMARK FOR elements of the
// column list that toks start with (at its "("), in text order.
func columnListEdits(toks []token) []textEdit {
	var edits []textEdit
	depth, elem := 0, 1
	for i, t := range toks {
		if t.kind != tokPunct {
			continue
		}
		switch {
		case t.text == "(":
			depth++
		case t.text == ")" && depth == 1, t.text == "," && depth == 1:
			edits = append(edits, watermarkElementEdits(toks[elem:i])...)
			edits = append(edits, metadataElementEdits(toks[elem:i])...)
			elem = i + 1
			if t.text == ")" {
				return edits
			}
		case t.text == ")":
			depth--
		}
	}
	return edits
}

// watermarkElementEdits returns the edits that rewrite one element of a
// column list when it is WATERMARK FOR followed by something.
func watermarkElementEdits(el []token) []textEdit {
	if len(el) < 3 || !el[0].is("watermark") || !el[1].is("for") {
		return nil
	}
	head := textEdit{from: el[0].pos, to: el[1].pos + len(el[1].text), repl: "CHECK(ROW("}
	head.repl += strings.Repeat(" ", head.to-head.from-len(head.repl))
	edits := []textEdit{head}
	if as := elementAs(el[2:]); as >= 0 {
		t := el[2+as]
		edits = append(edits, textEdit{from: t.pos, to: t.pos + len(t.text), repl: ", "})
	}
	last := el[len(el)-1]
	end := last.pos + len(last.text)
	return append(edits, textEdit{from: end, to: end, repl: "))"})
}

// createTableParen returns the index of the "(" that opens the column list
// when toks start with CREATE [GLOBAL|LOCAL] [TEMP|TEMPORARY|UNLOGGED]
// TABLE [IF NOT EXISTS] name, else -1.
func createTableParen(toks []token) int {
	i := 0
	next := func(words ...string) bool {
		for _, w := range words {
			if i < len(toks) && toks[i].is(w) {
				i++
				return true
			}
		}
		return false
	}
	if !next("create") {
		return -1
	}
	next("global", "local")
	next("temp", "temporary", "unlogged")
	if !next("table") {
		return -1
	}
	if i+2 < len(toks) && toks[i].is("if") && toks[i+1].is("not") && toks[i+2].is("exists") {
		i += 3
	}
	// The name: parts separated by dots.
	for i < len(toks) && (toks[i].kind == tokWord || toks[i].kind == tokQuoted) {
		i++
		if i == len(toks) || toks[i].kind != tokPunct || toks[i].text != "." {
			break
		}
		i++
	}
	if i < len(toks) && toks[i].kind == tokPunct && toks[i].text == "(" {
		return i
	}
	return -1
}

// elementAs returns the index in toks (the tokens of a WATERMARK FOR
// element after FOR) of its AS, outside any parentheses, or -1.
func elementAs(toks []token) int {
	depth := 0
	for i, t := range toks {
		switch {
		case t.kind == tokPunct && t.text == "(":
			depth++
		case t.kind == tokPunct && t.text == ")":
			depth--
		case depth == 0 && t.is("as"):
			return i
		}
	}
	return -1
}

// watermarkClause is a table's event time as declared: WATERMARK FOR
// column [AS expr] (expr nil without AS), or a source's event_time_field
// or watermark_field option (expr nil).
type watermarkClause struct {
	column tree.Expr
	expr   tree.Expr
}

// watermarkClauseOf recognizes the CHECK(ROW(col[, expr])) that
// rewriteWatermarkFor makes of a WATERMARK FOR element.
func watermarkClauseOf(d *tree.CheckConstraintTableDef) (watermarkClause, bool) {
	row, ok := d.Expr.(*tree.Tuple)
	if !ok || !row.Row || d.Name != "" || len(row.Exprs) == 0 || len(row.Exprs) > 2 {
		return watermarkClause{}, false
	}
	w := watermarkClause{column: row.Exprs[0]}
	if len(row.Exprs) == 2 {
		w.expr = row.Exprs[1]
	}
	return w, true
}

// tableWatermark resolves the declared event time of t: at most one
// clause (42P16), naming a column of t (42703) of type timestamp or
// timestamptz (42804), whose expression is the column itself or the
// column minus a constant interval without months, the delay (0A000 for
// any other expression).
func tableWatermark(t *catalog.Table, clauses []watermarkClause) (*catalog.Watermark, error) {
	switch len(clauses) {
	case 0:
		return nil, nil
	case 1:
	default:
		return nil, vector.Errorf(vector.CodeInvalidTableDefinition, "multiple watermarks for table %q are not allowed", t.Name)
	}
	w := clauses[0]
	name, ok := w.column.(*tree.UnresolvedName)
	if !ok || name.Star || name.NumParts != 1 {
		return nil, vector.Errorf(vector.CodeSyntaxError, "WATERMARK FOR needs a column name, not %s", tree.AsString(w.column))
	}
	col := -1
	for i, c := range t.Columns {
		if c.Name == name.Parts[0] {
			col = i
		}
	}
	if col < 0 {
		return nil, vector.Errorf(vector.CodeUndefinedColumn, "column %q does not exist", name.Parts[0])
	}
	if k := t.Columns[col].Type.Kind; k != vector.KindTimestamp && k != vector.KindTimestampTZ {
		return nil, vector.Errorf(vector.CodeDatatypeMismatch, "watermark column %q must be of type timestamp or timestamptz", name.Parts[0])
	}
	delay, err := watermarkDelay(name.Parts[0], w.expr)
	if err != nil {
		return nil, err
	}
	return &catalog.Watermark{Column: col, Delay: delay}, nil
}

// watermarkDelay reads the delay (µs) of the watermark expression e of
// column col: 0 for the column itself (or no expression), d for col - d.
func watermarkDelay(col string, e tree.Expr) (int64, error) {
	isCol := func(e tree.Expr) bool {
		n, ok := tree.StripParens(e).(*tree.UnresolvedName)
		return ok && !n.Star && n.NumParts == 1 && n.Parts[0] == col
	}
	if e == nil || isCol(e) {
		return 0, nil
	}
	unsupported := vector.Errorf(vector.CodeFeatureNotSupported,
		"watermark expression %s is not supported: write WATERMARK FOR %s AS %s - INTERVAL '…'", tree.AsString(e), col, col)
	minus, ok := tree.StripParens(e).(*tree.BinaryExpr)
	if !ok || minus.Operator.Symbol != treebin.Minus || !isCol(minus.Left) {
		return 0, unsupported
	}
	d, ok, err := planner.IntervalConstant(minus.Right)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, unsupported
	}
	if d.Months != 0 {
		return 0, vector.Errorf(vector.CodeFeatureNotSupported, "watermark delay %s is not supported: a month has no fixed length, give the delay in days or smaller units", tree.AsString(minus.Right))
	}
	delay := micros(d)
	if delay < 0 {
		return 0, vector.Errorf(vector.CodeInvalidParameterValue, "watermark delay %s must not be negative", tree.AsString(minus.Right))
	}
	return delay, nil
}

// micros is the length of an interval without months in µs, a day being
// 24 hours.
func micros(d duration.Duration) int64 {
	return d.Days*24*3600*1e6 + d.Nanos()/1e3
}

// parseIdleTimeout reads the idle_timeout option: an interval ('10s',
// '10 seconds') without months, positive.
func parseIdleTimeout(v string) (int64, error) {
	iv, err := tree.ParseDInterval(duration.IntervalStyle_POSTGRES, v)
	if err != nil || iv.Months != 0 || micros(iv.Duration) <= 0 {
		return 0, &vector.Error{Code: vector.CodeInvalidParameterValue,
			Message: fmt.Sprintf("invalid value for parameter \"idle_timeout\": %q", v),
			Hint:    "Give a positive interval of days or smaller units, like '10s' or '5 minutes'."}
	}
	return micros(iv.Duration), nil
}
