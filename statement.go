package runnel

import (
	"fmt"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/errors"

	"github.com/runneldb/runnel/vector"
)

// Statement is one parsed SQL statement.
type Statement struct {
	// SQL is the statement's own text.
	SQL       string
	ast       tree.Statement
	cmd       *command // a runnel command instead of ast
	numParams int
}

// Prepared is a statement ready to execute: parsed, bound and typed. It is
// planned again at each execution, with the parameter values bound then.
type Prepared struct {
	SQL string
	// ParamTypes has one entry per $n placeholder; a parameter whose type
	// nothing determined is text.
	ParamTypes []vector.Type
	// Columns describes the result rows; nil when the statement returns none.
	Columns []Column
	ast     tree.Statement
	cmd     *command
}

// syntaxError converts a parser error into a 42601 error with the position
// of the offending token (1-based, in characters).
func syntaxError(sql string, err error) error {
	e := &vector.Error{Code: vector.CodeSyntaxError, Message: syntaxMessage(err.Error())}
	for _, d := range errors.GetAllDetails(err) {
		pos, ok := caretPosition(d)
		if !ok || pos > len(sql) {
			continue
		}
		e.Position = int32(len([]rune(sql[:pos]))) + 1
		e.Message = originalToken(e.Message, sql[pos:])
		break
	}
	for _, h := range errors.GetAllHints(err) {
		if !strings.Contains(h, "cockroach") && !strings.Contains(h, "github.com") {
			e.Hint = h
		}
	}
	return e
}

// originalToken puts the offending token back as the user wrote it (the
// parser reports identifiers folded to lower case); rest is the text from
// the token on.
func originalToken(msg, rest string) string {
	if strings.HasPrefix(msg, "lexical error: unterminated string") {
		return fmt.Sprintf("unterminated quoted string at or near %q", rest)
	}
	i := strings.Index(msg, `at or near "`)
	if i < 0 {
		return msg
	}
	start := i + len(`at or near "`)
	end := strings.IndexByte(msg[start:], '"')
	if end < 0 || end > len(rest) {
		return msg
	}
	if tok := rest[:end]; strings.EqualFold(tok, msg[start:start+end]) {
		return msg[:start] + tok + msg[start+end:]
	}
	return msg
}

// caretPosition reads the byte offset marked by the parser's error detail:
// "source SQL:\n<text up to the end of the offending line>\n<spaces>^".
func caretPosition(detail string) (int, bool) {
	const prefix = "source SQL:\n"
	if !strings.HasPrefix(detail, prefix) {
		return 0, false
	}
	body := detail[len(prefix):]
	nl := strings.LastIndexByte(body, '\n')
	if nl < 0 || !strings.HasSuffix(body, "^") {
		return 0, false
	}
	text, caret := body[:nl], body[nl+1:]
	lineStart := strings.LastIndexByte(text, '\n') + 1
	return lineStart + len(caret) - 1, true
}

// syntaxMessage words a parser message as Postgres does:
// `at or near "x": syntax error` becomes `syntax error at or near "x"`, and
// an error at the end of the text `syntax error at end of input`; the
// parser's "unimplemented" remarks, which speak of its own project, are
// dropped.
func syntaxMessage(msg string) string {
	near, rest, ok := strings.Cut(msg, ": syntax error")
	if !ok || !strings.HasPrefix(near, "at or near ") {
		return msg
	}
	if near == `at or near "EOF"` {
		near = "at end of input"
	}
	if rest = strings.TrimPrefix(rest, ": "); rest != "" && !strings.HasPrefix(rest, "unimplemented") {
		return "syntax error " + near + ": " + rest
	}
	return "syntax error " + near
}
