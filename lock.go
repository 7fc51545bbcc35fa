package runnel

import (
	"context"
	"strings"

	"github.com/runneldb/runnel/vector"
)

// LOCK [TABLE] [ONLY] name [*] [, …] [IN mode MODE] [NOWAIT] is accepted
// inside a transaction block and does nothing beyond checking the names:
// a transaction reads its snapshot whatever others do, and a concurrent
// write of the same row already fails with 40001, so no lock is needed
// for what LOCK is used for (pg_dump takes ACCESS SHARE locks so that the
// tables it dumps are not dropped meanwhile). The grammar lacks LOCK: a
// text that is one LOCK statement is read from its tokens.

// lockModes are the lock modes, as word sequences.
var lockModes = []string{"access share", "row share", "row exclusive", "share update exclusive",
	"share row exclusive", "share", "exclusive", "access exclusive"}

// lockStatement is a parsed LOCK.
type lockStatement struct {
	streamStmtBase
	tables [][2]string // schema (or ""), name
}

// parseLockText parses sql when it is one LOCK statement; ok is false for
// other text.
func parseLockText(sql string) (stmts []*Statement, ok bool, err error) {
	toks := lex(sql)
	if len(toks) == 0 || !toks[0].is("lock") {
		return nil, false, nil
	}
	if toks[len(toks)-1].text == ";" {
		toks = toks[:len(toks)-1]
	}
	l := &lockStatement{streamStmtBase: streamStmtBase{text: sql, tag: "LOCK TABLE"}}
	i := 1
	accept := func(words ...string) bool {
		if i+len(words) > len(toks) {
			return false
		}
		for k, w := range words {
			if !toks[i+k].is(w) {
				return false
			}
		}
		i += len(words)
		return true
	}
	syntax := func() error {
		near, pos := "at end of input", len(sql)
		if i < len(toks) {
			near, pos = `at or near "`+toks[i].text+`"`, toks[i].pos
		}
		e := vector.Errorf(vector.CodeSyntaxError, "syntax error %s", near)
		e.Position = int32(len([]rune(sql[:pos]))) + 1
		return e
	}
	accept("table")
	for {
		accept("only")
		var parts []string
		for i < len(toks) && (toks[i].kind == tokWord || toks[i].kind == tokQuoted) {
			parts = append(parts, identifier(toks[i]))
			i++
			if i < len(toks) && toks[i].text == "." {
				i++
				continue
			}
			break
		}
		switch len(parts) {
		case 1:
			l.tables = append(l.tables, [2]string{"", parts[0]})
		case 2:
			l.tables = append(l.tables, [2]string{parts[0], parts[1]})
		default:
			return nil, true, syntax()
		}
		if i < len(toks) && toks[i].text == "*" {
			i++
		}
		if i < len(toks) && toks[i].text == "," {
			i++
			continue
		}
		break
	}
	if accept("in") {
		found := false
		for _, m := range lockModes {
			if accept(strings.Fields(m)...) {
				found = true
				break
			}
		}
		if !found || !accept("mode") {
			return nil, true, syntax()
		}
	}
	accept("nowait")
	if i != len(toks) {
		return nil, true, syntax()
	}
	return []*Statement{{SQL: sql, ast: l}}, true, nil
}

// identifier is the name a word or quoted identifier token stands for
// (an unterminated quoted one runs to the end of the text).
func identifier(t token) string {
	if t.kind == tokQuoted {
		inner := strings.TrimPrefix(t.text, `"`)
		if len(inner) > 0 && len(t.text) > 1 && strings.HasSuffix(inner, `"`) {
			inner = inner[:len(inner)-1]
		}
		return strings.ReplaceAll(inner, `""`, `"`)
	}
	return strings.ToLower(t.text)
}

func (l *lockStatement) describe(*statement) ([]Column, error) { return nil, nil }

// run checks that the tables exist, in a transaction block.
func (l *lockStatement) run(_ context.Context, st *statement) (*Result, error) {
	if !st.inBlock() {
		return nil, st.finish(vector.Errorf(vector.CodeNoActiveSQLTransaction, "LOCK TABLE can only be used in transaction blocks"))
	}
	for _, t := range l.tables {
		if _, err := st.s.lookupTable(t[0], t[1]); err != nil {
			return nil, st.finish(err)
		}
	}
	return &Result{Tag: "LOCK TABLE"}, st.finish(nil)
}
