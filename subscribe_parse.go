package runnel

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/runneldb/runnel/vector"
)

// SUBSCRIBE, COPY (SUBSCRIBE …) TO STDOUT and the cursor statements
// (DECLARE, FETCH, MOVE, CLOSE) are read from their tokens (see
// preparse.go): the grammar lacks SUBSCRIBE and FETCH … WITH (timeout = …).
// The queries inside them are parsed by the grammar. A text holding one of
// them is split into statements at its top-level semicolons; the others
// are parsed as usual (runnel's commands, then the grammar).

// parseCursorText parses sql when one of its statements is SUBSCRIBE, a
// COPY of one, or a cursor statement; ok is false for other text.
func parseCursorText(sql string) (stmts []*Statement, ok bool, err error) {
	if !mentionsCursorWord(sql) {
		return nil, false, nil
	}
	toks := lex(sql)
	pieces := splitStatements(toks)
	if !slices.ContainsFunc(pieces, startsCursorStatement) {
		return nil, false, nil
	}
	for _, p := range pieces {
		text := sql[p[0].pos : p[len(p)-1].pos+len(p[len(p)-1].text)]
		if startsCursorStatement(p) {
			st, err := parseCursorStatement(text, lex(text))
			if err != nil {
				return nil, true, err
			}
			stmts = append(stmts, st)
			continue
		}
		if c, ok, err := parseCommand(text); ok {
			if err != nil {
				return nil, true, shiftPosition(err, sql[:p[0].pos])
			}
			stmts = append(stmts, &Statement{SQL: text, cmd: c})
			continue
		}
		parsed, err := parser.ParseWithInt(preparse(text), types.Int4)
		if err != nil {
			return nil, true, shiftPosition(syntaxError(text, err), sql[:p[0].pos])
		}
		for _, ps := range parsed {
			stmts = append(stmts, &Statement{SQL: ps.SQL, ast: ps.AST, numParams: ps.NumPlaceholders})
		}
	}
	return stmts, true, nil
}

// cursorWords start the statements parseCursorText reads (COPY only when
// a SUBSCRIBE follows it).
var cursorWords = []string{"subscribe", "declare", "fetch", "move", "close"}

// mentionsCursorWord reports whether one of cursorWords appears in sql as
// a word (in any case): a cheap test before lexing.
func mentionsCursorWord(sql string) bool {
	for i := 0; i < len(sql); i++ {
		if i > 0 && isWordPart(sql[i-1]) {
			continue
		}
		for _, w := range cursorWords {
			if len(sql)-i >= len(w) && strings.EqualFold(sql[i:i+len(w)], w) && (i+len(w) == len(sql) || !isWordPart(sql[i+len(w)])) {
				return true
			}
		}
	}
	return false
}

// splitStatements splits toks at the semicolons outside parentheses; empty
// statements are dropped.
func splitStatements(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
		case ";":
			if depth <= 0 && t.kind == tokPunct {
				if i > start {
					out = append(out, toks[start:i])
				}
				start = i + 1
			}
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

// startsCursorStatement reports whether a statement's tokens are one that
// parseCursorStatement reads.
func startsCursorStatement(toks []token) bool {
	if len(toks) == 0 {
		return false
	}
	for _, w := range cursorWords {
		if toks[0].is(w) {
			return true
		}
	}
	return len(toks) > 2 && toks[0].is("copy") && toks[1].text == "(" && toks[2].is("subscribe")
}

// shiftPosition moves the position of a syntax error found in a statement
// to where that statement starts in the whole text (before is the text
// before it).
func shiftPosition(err error, before string) error {
	if ve, ok := err.(*vector.Error); ok && ve.Position > 0 {
		ve.Position += int32(utf8.RuneCountInString(before))
	}
	return err
}

// parseCursorStatement parses one statement that startsCursorStatement
// accepted; toks are the tokens of sql.
func parseCursorStatement(sql string, toks []token) (*Statement, error) {
	for _, t := range toks {
		if (t.kind == tokQuoted || t.kind == tokString) && !terminated(t.text) {
			what := "string"
			if t.kind == tokQuoted {
				what = "identifier"
			}
			return nil, &vector.Error{Code: vector.CodeSyntaxError, Message: fmt.Sprintf("unterminated quoted %s at or near %q", what, sql[t.pos:]),
				Position: int32(utf8.RuneCountInString(sql[:t.pos])) + 1}
		}
	}
	p := &cursorParser{sql: sql, toks: toks}
	var ast streamStatement
	var err error
	switch {
	case toks[0].is("subscribe"):
		ast, err = p.subscribe()
	case toks[0].is("copy"):
		ast, err = p.copySubscribe()
	case toks[0].is("declare"):
		ast, err = p.declare()
	case toks[0].is("fetch"), toks[0].is("move"):
		ast, err = p.fetch()
	default:
		ast, err = p.close()
	}
	if err != nil {
		return nil, err
	}
	return &Statement{SQL: sql, ast: ast, numParams: p.params}, nil
}

// terminated reports whether the text of a quoted token (a "…"
// identifier, a '…', E'…', B'…' or X'…' string, a $tag$…$tag$ string) has
// its closing quote.
func terminated(text string) bool {
	if tag := dollarTag(text); tag != "" {
		return len(text) >= 2*len(tag) && strings.HasSuffix(text, tag)
	}
	start := strings.IndexAny(text, `'"`)
	if start < 0 {
		return false
	}
	q, escapes := text[start], start > 0 && (text[0] == 'e' || text[0] == 'E')
	for i := start + 1; i < len(text); i++ {
		switch {
		case escapes && text[i] == '\\':
			i++
		case text[i] == q && i+1 < len(text) && text[i+1] == q:
			i++
		case text[i] == q:
			return i == len(text)-1
		}
	}
	return false
}

// cursorParser reads the tokens of one statement.
type cursorParser struct {
	sql  string
	toks []token
	i    int
	// params is the number of $n placeholders of the queries inside.
	params int
}

func (p *cursorParser) done() bool { return p.i >= len(p.toks) }

// peek reports whether the next token is the word w.
func (p *cursorParser) peek(w string) bool { return !p.done() && p.toks[p.i].is(w) }

// accept consumes the word w when it comes next.
func (p *cursorParser) accept(w string) bool {
	if p.peek(w) {
		p.i++
		return true
	}
	return false
}

// acceptPunct consumes the punctuation c when it comes next.
func (p *cursorParser) acceptPunct(c string) bool {
	if !p.done() && p.toks[p.i].kind == tokPunct && p.toks[p.i].text == c {
		p.i++
		return true
	}
	return false
}

// fail is the syntax error at the next token, as Postgres words it.
func (p *cursorParser) fail() error {
	e := &vector.Error{Code: vector.CodeSyntaxError}
	if p.done() {
		e.Message = "syntax error at end of input"
		e.Position = int32(utf8.RuneCountInString(p.sql)) + 1
		return e
	}
	t := p.toks[p.i]
	e.Message = "syntax error at or near \"" + t.text + "\""
	e.Position = int32(utf8.RuneCountInString(p.sql[:t.pos])) + 1
	return e
}

// expect consumes the word w, or fails.
func (p *cursorParser) expect(w string) error {
	if !p.accept(w) {
		return p.fail()
	}
	return nil
}

// ident reads an identifier (folded to lower case unless quoted).
func (p *cursorParser) ident() (string, error) {
	if p.done() || p.toks[p.i].kind != tokWord && p.toks[p.i].kind != tokQuoted {
		return "", p.fail()
	}
	p.i++
	return identText(p.toks[p.i-1]), nil
}

// parenthesized reads ( … ) and returns the text inside.
func (p *cursorParser) parenthesized() (string, error) {
	if !p.acceptPunct("(") {
		return "", p.fail()
	}
	open := p.i - 1
	depth := 1
	for ; p.i < len(p.toks); p.i++ {
		switch p.toks[p.i].text {
		case "(":
			depth++
		case ")":
			depth--
		}
		if depth == 0 {
			p.i++
			return p.sql[p.toks[open].pos+1 : p.toks[p.i-1].pos], nil
		}
	}
	return "", p.fail()
}

// rest is the text of the tokens from the next one on.
func (p *cursorParser) rest() string {
	if p.done() {
		return ""
	}
	return p.sql[p.toks[p.i].pos:]
}

// query parses sql, a SELECT (or VALUES, TABLE …), noting its
// placeholders.
func (p *cursorParser) query(sql string) (*tree.Select, error) {
	stmts, err := parser.ParseWithInt(preparse(sql), types.Int4)
	if err != nil {
		return nil, syntaxError(sql, err)
	}
	if len(stmts) != 1 {
		return nil, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected one query")
	}
	sel, ok := stmts[0].AST.(*tree.Select)
	if !ok {
		return nil, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected a query, not %s", stmts[0].AST.StatementTag())
	}
	p.params = max(p.params, stmts[0].NumPlaceholders)
	return sel, nil
}

// subscribe reads SUBSCRIBE [TO] name | (query) [WITH (option [= value],
// …)] [AS OF expression].
func (p *cursorParser) subscribe() (*subscribeStmt, error) {
	if err := p.expect("subscribe"); err != nil {
		return nil, err
	}
	p.accept("to")
	s := &subscribeStmt{streamStmtBase: streamStmtBase{text: p.sql, tag: "SUBSCRIBE", rows: true}, snapshot: true}
	if !p.done() && p.toks[p.i].text == "(" {
		inner, err := p.parenthesized()
		if err != nil {
			return nil, err
		}
		if s.query, err = p.query(inner); err != nil {
			return nil, err
		}
	} else {
		var next int
		if s.name, next = nameAt(p.toks, p.i); s.name == nil {
			return nil, p.fail()
		}
		p.i = next
	}
	for !p.done() {
		switch {
		case p.accept("with"):
			if err := p.subscribeOptions(s); err != nil {
				return nil, err
			}
		case p.accept("as"):
			if err := p.expect("of"); err != nil {
				return nil, err
			}
			if p.done() {
				return nil, p.fail()
			}
			// The expression runs to the end, or to a WITH that follows.
			end := len(p.toks)
			for j := p.i; j < len(p.toks); j++ {
				if p.toks[j].is("with") && j+1 < len(p.toks) && p.toks[j+1].text == "(" {
					end = j
					break
				}
			}
			if end == p.i { // AS OF WITH (…): no expression
				return nil, p.fail()
			}
			last := p.toks[end-1]
			expr := p.sql[p.toks[p.i].pos : last.pos+len(last.text)]
			sel, err := p.query("SELECT (" + expr + ")::int8")
			if err != nil {
				return nil, err
			}
			s.asOf = sel
			p.i = end
		default:
			return nil, p.fail()
		}
	}
	return s, nil
}

// subscribeOptions reads (SNAPSHOT [= bool], PROGRESS [= bool]).
func (p *cursorParser) subscribeOptions(s *subscribeStmt) error {
	if !p.acceptPunct("(") {
		return p.fail()
	}
	for {
		name, err := p.ident()
		if err != nil {
			return err
		}
		val := true
		if p.acceptPunct("=") {
			if val, err = p.boolValue(name); err != nil {
				return err
			}
		}
		switch name {
		case "snapshot":
			s.snapshot = val
		case "progress":
			s.progress = val
		default:
			return vector.Errorf(vector.CodeSyntaxError, "unrecognized SUBSCRIBE option \"%s\"", name)
		}
		if p.acceptPunct(")") {
			return nil
		}
		if !p.acceptPunct(",") {
			return p.fail()
		}
	}
}

// boolValue reads the boolean value of option name: true, false, on, off,
// 1, 0, or one of them quoted.
func (p *cursorParser) boolValue(name string) (bool, error) {
	if p.done() {
		return false, p.fail()
	}
	t := p.toks[p.i]
	text := t.text
	if t.kind == tokString && strings.HasPrefix(text, "'") {
		text = strings.ReplaceAll(text[1:len(text)-1], "''", "'")
	}
	d, err := vector.ParseText(text, vector.Bool, nil)
	if err != nil || t.kind == tokPunct || t.kind == tokQuoted {
		return false, vector.Errorf(vector.CodeInvalidParameterValue, "option %s requires a Boolean value, not %s", name, t.text)
	}
	p.i++
	return d.(bool), nil
}

// copySubscribe reads COPY (SUBSCRIBE …) TO STDOUT [[WITH] (options)]: the
// options are COPY's, read by the grammar.
func (p *cursorParser) copySubscribe() (*copySubscribeStmt, error) {
	p.i++ // COPY
	inner, err := p.parenthesized()
	if err != nil {
		return nil, err
	}
	innerToks := lex(inner)
	sp := &cursorParser{sql: inner, toks: innerToks}
	sub, err := sp.subscribe()
	if err != nil {
		return nil, err
	}
	p.params = sp.params
	if !p.peek("to") {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "COPY (SUBSCRIBE …) is supported TO STDOUT only")
	}
	// The grammar reads the rest as the COPY of a stand-in query.
	st, err := parseOne("COPY (SELECT 1) " + p.rest())
	if err != nil {
		return nil, err
	}
	cp, ok := st.(*tree.CopyTo)
	if !ok {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "COPY (SUBSCRIBE …) is supported TO STDOUT only")
	}
	return &copySubscribeStmt{streamStmtBase: streamStmtBase{text: p.sql, tag: "COPY"}, sub: sub, options: cp.Options}, nil
}

// declare reads DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO]
// SCROLL] CURSOR [{WITH | WITHOUT} HOLD] FOR query | SUBSCRIBE ….
func (p *cursorParser) declare() (*declareStmt, error) {
	p.i++ // DECLARE
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	d := &declareStmt{streamStmtBase: streamStmtBase{text: p.sql, tag: "DECLARE CURSOR"}, name: name}
	for !p.accept("cursor") {
		switch {
		case p.accept("binary"):
			return nil, vector.Errorf(vector.CodeFeatureNotSupported, "DECLARE BINARY CURSOR is not supported")
		case p.accept("asensitive"), p.accept("insensitive"):
		case p.accept("no"):
			if err := p.expect("scroll"); err != nil {
				return nil, err
			}
		case p.accept("scroll"):
			return nil, vector.Errorf(vector.CodeFeatureNotSupported, "DECLARE SCROLL CURSOR is not supported: cursors only move forward")
		default:
			return nil, p.fail()
		}
	}
	switch {
	case p.accept("with"):
		if err := p.expect("hold"); err != nil {
			return nil, err
		}
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "DECLARE CURSOR WITH HOLD is not supported: cursors end with their transaction")
	case p.accept("without"):
		if err := p.expect("hold"); err != nil {
			return nil, err
		}
	}
	if err := p.expect("for"); err != nil {
		return nil, err
	}
	if p.peek("subscribe") {
		rest := p.rest()
		sp := &cursorParser{sql: rest, toks: lex(rest)}
		if d.sub, err = sp.subscribe(); err != nil {
			return nil, shiftPosition(err, p.sql[:p.toks[p.i].pos])
		}
		p.params = sp.params
		return d, nil
	}
	if p.done() {
		return nil, p.fail()
	}
	if d.query, err = p.query(p.rest()); err != nil {
		return nil, shiftPosition(err, p.sql[:p.toks[p.i].pos])
	}
	return d, nil
}

// fetch reads FETCH | MOVE [direction] [FROM | IN] name [WITH (timeout =
// interval)], the direction one of NEXT, FORWARD [n | ALL], n, ALL; the
// backward and absolute ones are refused (cursors only move forward).
func (p *cursorParser) fetch() (*fetchStmt, error) {
	f := &fetchStmt{streamStmtBase: streamStmtBase{text: p.sql, tag: "FETCH", rows: true}, count: 1}
	if p.toks[0].is("move") {
		f.move, f.tag, f.rows = true, "MOVE", false
	}
	p.i++
	count := func() error {
		switch {
		case p.accept("all"):
			f.count = fetchAll
		case !p.done() && p.toks[p.i].kind == tokNumber:
			n, err := strconv.ParseInt(p.toks[p.i].text, 10, 64)
			if err != nil || n < 0 {
				return vector.Errorf(vector.CodeSyntaxError, "syntax error at or near \"%s\"", p.toks[p.i].text)
			}
			f.count = n
			p.i++
		}
		return nil
	}
	switch {
	case p.accept("next"):
	case p.accept("forward"):
		if err := count(); err != nil {
			return nil, err
		}
	case p.peek("prior"), p.peek("first"), p.peek("last"), p.peek("absolute"), p.peek("relative"), p.peek("backward"):
		return nil, vector.Errorf(vector.CodeObjectNotInPrerequisiteState, "cursor can only scan forward")
	case p.acceptPunct("-"):
		return nil, vector.Errorf(vector.CodeObjectNotInPrerequisiteState, "cursor can only scan forward")
	default:
		if err := count(); err != nil {
			return nil, err
		}
	}
	if f.count == 0 {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "FETCH 0 (the current row again) is not supported")
	}
	if !p.accept("from") {
		p.accept("in")
	}
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	f.name = name
	if p.accept("with") {
		if err := p.fetchOptions(f); err != nil {
			return nil, err
		}
	}
	if !p.done() {
		return nil, p.fail()
	}
	return f, nil
}

// fetchOptions reads (timeout = interval).
func (p *cursorParser) fetchOptions(f *fetchStmt) error {
	if !p.acceptPunct("(") {
		return p.fail()
	}
	name, err := p.ident()
	if err != nil {
		return err
	}
	if name != "timeout" {
		return vector.Errorf(vector.CodeSyntaxError, "unrecognized FETCH option \"%s\"", name)
	}
	if !p.acceptPunct("=") || p.done() {
		return p.fail()
	}
	t := p.toks[p.i]
	text := t.text
	switch {
	case t.kind == tokString && strings.HasPrefix(text, "'"):
		text = strings.ReplaceAll(text[1:len(text)-1], "''", "'")
	case t.kind == tokNumber:
		text += " seconds"
	default:
		return p.fail()
	}
	p.i++
	d, err := vector.ParseText(text, vector.Interval, nil)
	if err != nil {
		return vector.Errorf(vector.CodeInvalidParameterValue, "invalid FETCH timeout %s: %v", t.text, err)
	}
	iv := d.(vector.IntervalValue)
	if iv.Months != 0 || iv.Days != 0 || iv.Micros < 0 {
		return vector.Errorf(vector.CodeInvalidParameterValue, "FETCH timeout %s must be a non-negative time of less than a day", t.text)
	}
	f.timeout = &iv.Micros
	if !p.acceptPunct(")") {
		return p.fail()
	}
	return nil
}

// close reads CLOSE name | ALL.
func (p *cursorParser) close() (*closeStmt, error) {
	p.i++ // CLOSE
	c := &closeStmt{streamStmtBase: streamStmtBase{text: p.sql, tag: "CLOSE CURSOR"}}
	if !p.accept("all") {
		name, err := p.ident()
		if err != nil {
			return nil, err
		}
		c.name = name
	} else {
		c.all = true
	}
	if !p.done() {
		return nil, p.fail()
	}
	return c, nil
}
