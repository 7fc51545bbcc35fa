package sqllogictest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parse splits the text of a test file into records. name is used in
// error messages only.
func parse(name, text string) ([]*record, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	p := &parser{name: name, lines: lines}
	var recs []*record
	for {
		r, err := p.next()
		if err != nil {
			return nil, err
		}
		if r == nil {
			return recs, nil
		}
		recs = append(recs, r)
	}
}

type parser struct {
	name  string
	lines []string
	i     int // index of the next unread line
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.name, line, fmt.Sprintf(format, args...))
}

// next returns the next record with its conditions, or nil at the end.
func (p *parser) next() (*record, error) {
	r := &record{count: -1, resultLine: -1}
	for ; p.i < len(p.lines); p.i++ {
		line := strings.TrimSpace(p.lines[p.i])
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		r.line, r.start = p.i+1, p.i
		switch f[0] {
		case "skipif", "onlyif":
			if len(f) < 2 {
				return nil, p.errorf(r.line, "%s needs an engine name", f[0])
			}
			if f[0] == "skipif" {
				r.skipIf = append(r.skipIf, f[1])
			} else {
				r.onlyIf = append(r.onlyIf, f[1])
			}
			continue
		case "connection":
			if len(f) != 2 {
				return nil, p.errorf(r.line, "connection needs a name")
			}
			r.conn = f[1]
			continue
		}
		p.i++
		if err := p.body(r, line, f); err != nil {
			return nil, err
		}
		r.end = p.i
		return r, nil
	}
	if len(r.skipIf)+len(r.onlyIf) > 0 || r.conn != "" {
		return nil, p.errorf(r.line, "condition without a record")
	}
	return nil, nil
}

// body parses the record whose keyword line (already consumed) is line,
// split into fields f.
func (p *parser) body(r *record, line string, f []string) error {
	var err error
	switch f[0] {
	case "statement":
		r.kind = kindStatement
		if err = p.statementHeader(r, line, f); err != nil {
			return err
		}
		r.sql, _ = p.sql()
	case "query":
		r.kind = kindQuery
		if err = p.queryHeader(r, line, f); err != nil {
			return err
		}
		var sep bool
		r.sql, sep = p.sql()
		if sep {
			if r.expectError {
				return p.errorf(r.line, "query error takes no results")
			}
			r.resultLine = p.i - 1
			r.expected = p.results()
		}
	case "include":
		r.kind, r.arg = kindInclude, strings.TrimSpace(strings.TrimPrefix(line, "include"))
		if r.arg == "" {
			return p.errorf(r.line, "include needs a file name")
		}
	case "halt":
		r.kind = kindHalt
	case "sleep":
		r.kind = kindSleep
		if len(f) != 2 {
			return p.errorf(r.line, "sleep needs a duration")
		}
		if r.duration, err = time.ParseDuration(f[1]); err != nil {
			return p.errorf(r.line, "sleep: %v", err)
		}
	case "hash-threshold":
		r.kind = kindHashThreshold
		if len(f) != 2 {
			return p.errorf(r.line, "hash-threshold needs a number")
		}
		if r.n, err = strconv.Atoi(f[1]); err != nil || r.n < 0 {
			return p.errorf(r.line, "hash-threshold: bad number %q", f[1])
		}
	case "control":
		if len(f) != 3 || f[1] != "sortmode" {
			return p.errorf(r.line, "unknown control %q", line)
		}
		mode, ok := sortModes[f[2]]
		if !ok {
			return p.errorf(r.line, "unknown sort mode %q", f[2])
		}
		r.kind, r.sortMode = kindSortMode, mode
	default:
		return p.errorf(r.line, "unknown record %q", f[0])
	}
	if (r.kind == kindStatement || r.kind == kindQuery) && r.sql == "" {
		return p.errorf(r.line, "%s without SQL", f[0])
	}
	return nil
}

// statementHeader parses "statement ok", "statement error [regex]" and
// "statement count N".
func (p *parser) statementHeader(r *record, line string, f []string) error {
	if len(f) < 2 {
		return p.errorf(r.line, "statement needs ok, error or count")
	}
	switch f[1] {
	case "ok":
		if len(f) != 2 {
			return p.errorf(r.line, "statement ok takes nothing after it")
		}
	case "error":
		r.expectError, r.errPattern = true, restAfter(line, 2)
	case "count":
		if len(f) != 3 {
			return p.errorf(r.line, "statement count needs a number")
		}
		n, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || n < 0 {
			return p.errorf(r.line, "statement count: bad number %q", f[2])
		}
		r.count = n
	default:
		return p.errorf(r.line, "unknown statement mode %q", f[1])
	}
	return nil
}

// queryHeader parses "query error [regex]" and
// "query <types> [sortmode] [label]".
func (p *parser) queryHeader(r *record, line string, f []string) error {
	if len(f) < 2 {
		return p.errorf(r.line, "query needs column types")
	}
	if f[1] == "error" {
		r.expectError, r.errPattern = true, restAfter(line, 2)
		return nil
	}
	if len(f) > 4 {
		return p.errorf(r.line, "query has too many arguments")
	}
	r.types = f[1]
	if len(f) >= 3 {
		mode, ok := sortModes[f[2]]
		if !ok {
			return p.errorf(r.line, "unknown sort mode %q", f[2])
		}
		r.sortMode, r.sortSet = mode, true
	}
	if len(f) == 4 {
		r.label = f[3]
	}
	return nil
}

// restAfter returns line without its first n fields, trimmed.
func restAfter(line string, n int) string {
	s := strings.TrimSpace(line)
	for range n {
		s = strings.TrimLeft(s, " \t")
		if i := strings.IndexAny(s, " \t"); i >= 0 {
			s = s[i:]
		} else {
			return ""
		}
	}
	return strings.TrimSpace(s)
}

// sql reads SQL lines up to a blank line, the end, or "----"; sep reports
// that "----" ended it. Lines starting with '#' are comments.
func (p *parser) sql() (sql string, sep bool) {
	var b []string
	for ; p.i < len(p.lines); p.i++ {
		line := p.lines[p.i]
		t := strings.TrimSpace(line)
		if t == "" {
			break
		}
		if t == "----" {
			p.i++
			return strings.Join(b, "\n"), true
		}
		if !strings.HasPrefix(t, "#") {
			b = append(b, strings.TrimRight(line, " \t"))
		}
	}
	return strings.Join(b, "\n"), false
}

// results reads result lines up to a blank line or the end.
func (p *parser) results() []string {
	var out []string
	for ; p.i < len(p.lines) && strings.TrimSpace(p.lines[p.i]) != ""; p.i++ {
		out = append(out, p.lines[p.i])
	}
	return out
}
