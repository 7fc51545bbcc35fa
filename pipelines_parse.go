package runnel

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// The statements of pipelines and sinks, which the SQL grammar lacks, are
// read from their tokens (see preparse.go); the queries inside them are
// parsed by the grammar.

// parseJobCommand recognizes the pipeline and sink statements, and CREATE
// MATERIALIZED VIEW … EMIT ON WINDOW CLOSE. ok is false for other text.
func parseJobCommand(sql string) (*command, bool, error) {
	if !startsJobCommand(sql) {
		return nil, false, nil
	}
	toks := trimSemicolon(lex(sql))
	if len(toks) < 2 {
		return nil, false, nil
	}
	w := func(i int, s string) bool { return i < len(toks) && toks[i].is(s) }
	rest := func(i int) string {
		if i >= len(toks) {
			return ""
		}
		last := toks[len(toks)-1]
		return sql[toks[i].pos : last.pos+len(last.text)]
	}
	switch {
	case w(0, "explain"):
		inner, ok, err := parseJobCommand(rest(1))
		if !ok || err != nil || !strings.HasPrefix(inner.kind, "CREATE") {
			return nil, false, nil // EXPLAIN of what the grammar has
		}
		return &command{kind: "EXPLAIN", explain: inner}, true, nil
	case w(0, "create") && w(1, "materialized") && w(2, "view") && endsEOWC(toks):
		st, err := parseOne(rest(0)[:toks[len(toks)-4].pos-toks[0].pos])
		if err != nil {
			return nil, true, err
		}
		cv, ok := st.(*tree.CreateView)
		if !ok {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error at or near \"EMIT\"")
		}
		return &command{kind: "CREATE MATERIALIZED VIEW", view: cv, eowc: true}, true, nil
	case w(0, "create") && w(1, "pipeline"):
		name, i := nameAt(toks, 2)
		if name == nil || i+1 >= len(toks) || !w(i, "as") {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected CREATE PIPELINE name AS INSERT INTO table SELECT …")
		}
		j := &jobCommand{kind: catalog.KindPipeline, name: name}
		body := toks[i+1:]
		if endsEOWC(body) {
			j.eowc, body = true, body[:len(body)-4]
		}
		st, err := parseOne(sql[body[0].pos : body[len(body)-1].pos+len(body[len(body)-1].text)])
		if err != nil {
			return nil, true, err
		}
		ins, ok := st.(*tree.Insert)
		if !ok || ins.Rows == nil || ins.OnConflict != nil || ins.Returning != nil && ins.Returning != tree.AbsentReturningClause {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "a pipeline is INSERT INTO table [(columns)] SELECT …")
		}
		target := ins.Table
		if a, ok := target.(*tree.AliasedTableExpr); ok && a.As.Alias == "" {
			target = a.Expr
		}
		tn, ok := target.(*tree.TableName)
		if !ok {
			return nil, true, vector.Errorf(vector.CodeFeatureNotSupported, "INSERT INTO %s is not supported in a pipeline", tree.AsString(ins.Table))
		}
		j.target, j.query = tn, ins.Rows
		for _, c := range ins.Columns {
			j.cols = append(j.cols, string(c))
		}
		return &command{kind: "CREATE PIPELINE", job: j}, true, nil
	case w(0, "create") && w(1, "sink"):
		j := &jobCommand{kind: catalog.KindSink}
		var i int
		j.name, i = nameAt(toks, 2)
		if j.name == nil || i+1 >= len(toks) {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected CREATE SINK name FROM view WITH (…) or CREATE SINK name AS SELECT … WITH (…)")
		}
		opts, at, err := trailingOptions(toks)
		if err != nil {
			return nil, true, err
		}
		j.opts = opts
		body := toks[min(i+1, at):at]
		from, end := nameAt(body, 0)
		switch {
		case w(i, "from") && from != nil && end == len(body):
			j.from = from
		case w(i, "as") && len(body) > 0:
			if endsEOWC(body) {
				j.eowc, body = true, body[:len(body)-4]
			}
			st, err := parseOne(sql[body[0].pos : body[len(body)-1].pos+len(body[len(body)-1].text)])
			if err != nil {
				return nil, true, err
			}
			sel, ok := st.(*tree.Select)
			if !ok {
				return nil, true, vector.Errorf(vector.CodeSyntaxError, "CREATE SINK … AS needs a SELECT")
			}
			j.query = sel
		default:
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected CREATE SINK name FROM view WITH (…) or CREATE SINK name AS SELECT … WITH (…)")
		}
		return &command{kind: "CREATE SINK", job: j}, true, nil
	case w(0, "drop") && (w(1, "pipeline") || w(1, "sink") || w(1, "source")):
		j := &jobCommand{kind: catalog.Kind(strings.ToLower(toks[1].text))}
		i := 2
		if w(2, "if") && w(3, "exists") {
			j.ifExists, i = true, 4
		}
		if j.name, i = nameAt(toks, i); j.name == nil {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected the name of the %s", j.kind)
		}
		i--
		switch {
		case w(i+1, "cascade") && i+2 == len(toks):
			j.cascade = true
		case w(i+1, "restrict") && i+2 == len(toks), i+1 == len(toks):
		default:
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error at or near \"%s\"", toks[i+1].text)
		}
		return &command{kind: "DROP " + strings.ToUpper(string(j.kind)), job: j}, true, nil
	case w(0, "show") && (w(1, "pipelines") || w(1, "sinks") || w(1, "sources")) && len(toks) == 2:
		return &command{kind: "SHOW " + strings.ToUpper(toks[1].text)}, true, nil
	case w(0, "show") && w(1, "create") && (w(2, "pipeline") || w(2, "sink")):
		name, i := nameAt(toks, 3)
		if name == nil || i != len(toks) {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected SHOW CREATE %s name", strings.ToUpper(toks[2].text))
		}
		return &command{kind: "SHOW CREATE " + strings.ToUpper(toks[2].text), name: qualifiedText(name)}, true, nil
	}
	return nil, false, nil
}

// startsJobCommand reports whether sql may be one of the commands of
// parseJobCommand, by its first word, so that other statements (a long
// INSERT) are not lexed for nothing.
func startsJobCommand(sql string) bool {
	sql = strings.TrimLeft(sql, " \t\r\n(")
	for _, w := range []string{"create", "drop", "show", "explain"} {
		if len(sql) >= len(w) && strings.EqualFold(sql[:len(w)], w) {
			return true
		}
	}
	return false
}

// trimSemicolon drops a final ";".
func trimSemicolon(toks []token) []token {
	if n := len(toks); n > 0 && toks[n-1].text == ";" {
		return toks[:n-1]
	}
	return toks
}

// endsEOWC reports whether toks end with EMIT ON WINDOW CLOSE.
func endsEOWC(toks []token) bool {
	n := len(toks)
	return n >= 4 && toks[n-4].is("emit") && toks[n-3].is("on") && toks[n-2].is("window") && toks[n-1].is("close")
}

// identText is an identifier token's name: unquoted and lower-cased, or
// as quoted.
func identText(t token) string {
	if t.kind == tokQuoted && terminated(t.text) {
		return strings.ReplaceAll(t.text[1:len(t.text)-1], `""`, `"`)
	}
	return strings.ToLower(t.text)
}

// nameAt reads a name or schema.name at toks[i]: the name, and the index
// after it; nil when there is none.
func nameAt(toks []token, i int) (*tree.TableName, int) {
	isName := func(k int) bool {
		return k < len(toks) && (toks[k].kind == tokWord || toks[k].kind == tokQuoted && terminated(toks[k].text))
	}
	if !isName(i) {
		return nil, i
	}
	if i+2 < len(toks) && toks[i+1].text == "." && isName(i+2) {
		n := tree.MakeTableNameWithSchema("", tree.Name(identText(toks[i])), tree.Name(identText(toks[i+2])))
		n.ExplicitCatalog = false
		return &n, i + 3
	}
	n := tree.MakeUnqualifiedTableName(tree.Name(identText(toks[i])))
	return &n, i + 1
}

// qualifiedName renders schema.name as SQL.
func qualifiedName(schema, name string) string {
	n := tree.MakeTableNameWithSchema("", tree.Name(schema), tree.Name(name))
	n.ExplicitCatalog = false
	return tree.AsString(&n)
}

// qualifiedText is "schema.name" or "name", unquoted, as SHOW CREATE takes it.
func qualifiedText(n *tree.TableName) string {
	if n.ExplicitSchema {
		return string(n.SchemaName) + "." + string(n.ObjectName)
	}
	return string(n.ObjectName)
}

// parseOne parses one statement.
func parseOne(sql string) (tree.Statement, error) {
	stmts, err := parser.ParseWithInt(preparse(sql), types.Int4)
	if err != nil {
		return nil, syntaxError(sql, err)
	}
	if len(stmts) != 1 {
		return nil, vector.Errorf(vector.CodeSyntaxError, "expected one statement")
	}
	return stmts[0].AST, nil
}

// trailingOptions reads the WITH (key = 'value', …) that ends toks: the
// options, and the index of the WITH token.
func trailingOptions(toks []token) (map[string]string, int, error) {
	n := len(toks)
	if n == 0 || toks[n-1].text != ")" {
		return nil, 0, vector.Errorf(vector.CodeSyntaxError, "a sink needs WITH (connector = …)")
	}
	open := -1
	for i := n - 2; i >= 1; i-- {
		if toks[i].text == "(" && toks[i-1].is("with") {
			open = i
			break
		}
	}
	if open < 0 {
		return nil, 0, vector.Errorf(vector.CodeSyntaxError, "a sink needs WITH (connector = …)")
	}
	opts := map[string]string{}
	body := toks[open+1 : n-1]
	for len(body) > 0 {
		if len(body) < 3 || body[1].text != "=" || (body[0].kind != tokWord && body[0].kind != tokQuoted) {
			return nil, 0, vector.Errorf(vector.CodeSyntaxError, "syntax error in WITH options: expected key = 'value'")
		}
		v := body[2]
		val := v.text
		switch v.kind {
		case tokString:
			if !strings.HasPrefix(val, "'") {
				return nil, 0, vector.Errorf(vector.CodeSyntaxError, "option %s: expected a string", body[0].text)
			}
			val = strings.ReplaceAll(val[1:len(val)-1], "''", "'")
		case tokNumber, tokWord:
		default:
			return nil, 0, vector.Errorf(vector.CodeSyntaxError, "option %s: expected a value", body[0].text)
		}
		opts[identText(body[0])] = val
		body = body[3:]
		if len(body) > 0 {
			if body[0].text != "," {
				return nil, 0, vector.Errorf(vector.CodeSyntaxError, "syntax error in WITH options at or near \"%s\"", body[0].text)
			}
			body = body[1:]
		}
	}
	return opts, open - 1, nil
}
