package runnel

import (
	"strings"
)

// The SQL grammar runnel parses with is Postgres' (CockroachDB's parser);
// what streaming adds to it, and the Postgres syntax clients send that it
// lacks, is rewritten at the token level before parsing into text that
// grammar accepts. Rewrites keep every token's text and position where they
// can, so syntax errors still point at the right place.

// preparse applies the rewrites to a statement text.
func preparse(sql string) string {
	toks := lex(sql)
	if len(toks) == 0 {
		return sql
	}
	for _, rewrite := range []func(string, []token) string{quoteWindowValues, rewriteCreateSource,
		rewriteOperatorCalls, dropBytewiseCollations, dropCopyOptionAs} {
		if out := rewrite(sql, toks); out != sql {
			sql, toks = out, lex(out)
		}
	}
	return rewriteWatermarkFor(sql, toks)
}

// rewriteCreateSource turns CREATE SOURCE s (…) [WITH (…)] into CREATE
// TABLE s (…) WITH (type = 'source', …): a source is a table that is read
// from its connector, not stored.
func rewriteCreateSource(sql string, toks []token) string {
	for i := len(toks) - 1; i >= 1; i-- {
		if !toks[i-1].is("create") || !toks[i].is("source") {
			continue
		}
		// The column list, then WITH (…) or nothing.
		open := -1
		for j := i + 1; j < len(toks) && toks[j].text != ";"; j++ {
			if toks[j].text == "(" {
				open = j
				break
			}
		}
		if open < 0 {
			continue
		}
		depth, end := 0, -1
		for j := open; j < len(toks); j++ {
			switch toks[j].text {
			case "(":
				depth++
			case ")":
				depth--
			}
			if depth == 0 {
				end = j
				break
			}
		}
		if end < 0 {
			continue
		}
		if end+2 < len(toks) && toks[end+1].is("with") && toks[end+2].text == "(" {
			at := toks[end+2].pos + 1
			sql = splice(sql, at, at, "type = 'source', ")
		} else {
			at := toks[end].pos + 1
			sql = splice(sql, at, at, " WITH (type = 'source')")
		}
		sql = splice(sql, toks[i].pos, toks[i].pos+len(toks[i].text), "TABLE ")
	}
	return sql
}

// rewriteOperatorCalls turns OPERATOR(schema.op), Postgres' qualified
// operator syntax (psql writes OPERATOR(pg_catalog.~)), into the plain
// operator: runnel's operators all live in pg_catalog. The operator is
// padded with spaces to the length of what it replaces.
func rewriteOperatorCalls(sql string, toks []token) string {
	for i := len(toks) - 2; i >= 0; i-- {
		if !toks[i].is("operator") || toks[i+1].text != "(" {
			continue
		}
		j := i + 2
		if j+1 < len(toks) && (toks[j].kind == tokWord || toks[j].kind == tokQuoted) && toks[j+1].text == "." {
			j += 2
		}
		var op strings.Builder
		end := j
		for ; end < len(toks) && toks[end].kind == tokPunct && toks[end].text != ")"; end++ {
			op.WriteString(toks[end].text)
		}
		if end == j || end >= len(toks) || toks[end].text != ")" {
			continue
		}
		from, to := toks[i].pos, toks[end].pos+1
		sql = splice(sql, from, to, padded(" "+op.String()+" ", to-from))
	}
	return sql
}

// dropCopyOptionAs drops the AS of COPY's pre-9.0 option syntax, which
// psycopg2's copy_from and copy_to still send: DELIMITER AS '\t' NULL AS
// '\N' becomes DELIMITER '\t' NULL '\N'.
func dropCopyOptionAs(sql string, toks []token) string {
	if !toks[0].is("copy") {
		return sql
	}
	for i := len(toks) - 2; i >= 1; i-- {
		t := toks[i-1]
		if !toks[i].is("as") || toks[i+1].kind != tokString ||
			!(t.is("delimiter") || t.is("null") || t.is("quote") || t.is("escape")) {
			continue
		}
		sql = splice(sql, toks[i].pos, toks[i].pos+2, "  ")
	}
	return sql
}

// dropBytewiseCollations removes COLLATE clauses naming a collation that
// compares as runnel always does, bytewise: pg_catalog.default,
// "default", "C" and "POSIX" (psql writes COLLATE pg_catalog.default).
func dropBytewiseCollations(sql string, toks []token) string {
	for i := len(toks) - 2; i >= 0; i-- {
		if !toks[i].is("collate") {
			continue
		}
		j := i + 1
		if j+2 < len(toks) && (toks[j].is("pg_catalog") || toks[j].text == `"pg_catalog"`) && toks[j+1].text == "." {
			j += 2
		}
		switch c := toks[j]; {
		case c.is("default"), c.kind == tokQuoted && (c.text == `"default"` || c.text == `"C"` || c.text == `"POSIX"`):
			from, to := toks[i].pos, c.pos+len(c.text)
			sql = splice(sql, from, to, padded("", to-from))
		}
	}
	return sql
}

// padded is s followed by spaces up to n bytes (s itself when longer).
func padded(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// quoteWindowValues quotes window where it names a window value rather
// than starting a WINDOW clause (WINDOW w AS (…)): in tumble(…) AS window,
// GROUP BY window, window.start and window.end (end is reserved too).
// Replacements go from the end so earlier positions stay right.
func quoteWindowValues(sql string, toks []token) string {
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		if !t.is("window") {
			continue
		}
		next := func(k int) token {
			if i+k < len(toks) {
				return toks[i+k]
			}
			return token{kind: tokPunct}
		}
		if (next(1).kind == tokWord || next(1).kind == tokQuoted) && next(2).is("as") {
			continue // WINDOW w AS (…)
		}
		if next(1).text == "." && next(2).is("end") {
			sql = splice(sql, next(2).pos, next(2).pos+3, `"end"`)
		}
		sql = splice(sql, t.pos, t.pos+len(t.text), `"window"`)
	}
	return sql
}

// token is a lexical token of SQL text: a word (keyword or identifier,
// unquoted), a quoted identifier, a string or number literal, or a
// punctuation character. Comments and white space are not tokens.
type token struct {
	text string // as written
	pos  int    // byte offset in the text
	kind tokenKind
}

type tokenKind uint8

const (
	tokWord tokenKind = iota
	tokQuoted
	tokString
	tokNumber
	tokPunct
)

// is reports whether t is the word w (case-insensitively).
func (t token) is(w string) bool { return t.kind == tokWord && strings.EqualFold(t.text, w) }

// lex splits sql into tokens. It understands quoted strings (doubled quotes, E'…'
// escapes), "…" identifiers, $tag$…$tag$ strings, -- and /* */ comments;
// anything it does not understand becomes a one-byte punctuation token.
func lex(sql string) []token {
	var out []token
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			depth := 0
			for i < len(sql) {
				if strings.HasPrefix(sql[i:], "/*") {
					depth++
					i += 2
				} else if strings.HasPrefix(sql[i:], "*/") {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
		case c == '\'' || (c == 'e' || c == 'E' || c == 'b' || c == 'B' || c == 'x' || c == 'X') && i+1 < len(sql) && sql[i+1] == '\'':
			start := i
			escapes := c == 'e' || c == 'E'
			if c != '\'' {
				i++
			}
			i++
			for i < len(sql) {
				if escapes && sql[i] == '\\' {
					i += 2
					continue
				}
				if sql[i] == '\'' {
					if i+1 < len(sql) && sql[i+1] == '\'' {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			out = append(out, token{text: sql[start:min(i, len(sql))], pos: start, kind: tokString})
		case c == '"':
			start := i
			i++
			for i < len(sql) {
				if sql[i] == '"' {
					if i+1 < len(sql) && sql[i+1] == '"' {
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			out = append(out, token{text: sql[start:min(i, len(sql))], pos: start, kind: tokQuoted})
		case c == '$' && dollarTag(sql[i:]) != "":
			tag := dollarTag(sql[i:])
			start := i
			end := strings.Index(sql[i+len(tag):], tag)
			if end < 0 {
				i = len(sql)
			} else {
				i += len(tag) + end + len(tag)
			}
			out = append(out, token{text: sql[start:i], pos: start, kind: tokString})
		case isWordStart(c):
			start := i
			for i < len(sql) && isWordPart(sql[i]) {
				i++
			}
			out = append(out, token{text: sql[start:i], pos: start, kind: tokWord})
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9':
			start := i
			for i < len(sql) && (isWordPart(sql[i]) || sql[i] == '.') {
				i++
			}
			out = append(out, token{text: sql[start:i], pos: start, kind: tokNumber})
		default:
			out = append(out, token{text: sql[i : i+1], pos: i, kind: tokPunct})
			i++
		}
	}
	return out
}

// dollarTag returns the $tag$ that s starts with, or "".
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		switch {
		case s[j] == '$':
			return s[:j+1]
		case !isWordPart(s[j]) || j == 1 && s[j] >= '0' && s[j] <= '9':
			return ""
		}
	}
	return ""
}

func isWordStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isWordPart(c byte) bool { return isWordStart(c) || c >= '0' && c <= '9' || c == '$' }

// splice replaces sql[from:to] with repl.
func splice(sql string, from, to int, repl string) string {
	return sql[:from] + repl + sql[to:]
}
