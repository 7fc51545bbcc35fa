package format

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/runneldb/runnel/vector"
)

// jsonScan reads the JSON text of a record in place, validating it as it
// goes (RFC 8259; strings may hold invalid UTF-8, which the decoders refuse
// only where a string becomes a value). It never allocates: values are
// slices of the record.
type jsonScan struct {
	rec []byte
	i   int // the next byte to read
}

// jsonMaxDepth bounds the nesting of the values skipped, as jsonb bounds
// the nesting of its input.
const jsonMaxDepth = 1000

// space skips white space.
func (s *jsonScan) space() {
	for s.i < len(s.rec) {
		switch s.rec[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// syntaxError is the error of the byte at s.i, or of the record's end.
func (s *jsonScan) syntaxError(expected string) error {
	if s.i >= len(s.rec) {
		return errJSONRecord("the record ended unexpectedly, expecting " + expected)
	}
	return errJSONRecord(fmt.Sprintf("unexpected %q at byte %d, expecting %s", s.rec[s.i], s.i, expected))
}

// expect consumes the byte c, after white space.
func (s *jsonScan) expect(c byte, expected string) error {
	s.space()
	if s.i >= len(s.rec) || s.rec[s.i] != c {
		return s.syntaxError(expected)
	}
	s.i++
	return nil
}

// end checks that only white space follows.
func (s *jsonScan) end() error {
	s.space()
	if s.i < len(s.rec) {
		return s.syntaxError("the end of the record")
	}
	return nil
}

// member reads the key of the next member of the object being read, and the
// colon after it, leaving s at the member's value; first is true for the
// object's first member (s is just past its brace). ok is false when the
// object ends instead (s is past its closing brace). key is the key's text
// between its quotes, escapes included (see jsonUnescape).
func (s *jsonScan) member(first bool) (key []byte, ok bool, err error) {
	s.space()
	if s.i < len(s.rec) && s.rec[s.i] == '}' {
		s.i++
		return nil, false, nil
	}
	if !first {
		if err := s.expect(',', "',' or '}'"); err != nil {
			return nil, false, err
		}
		s.space()
	}
	if s.i >= len(s.rec) || s.rec[s.i] != '"' {
		return nil, false, s.syntaxError("a key")
	}
	start := s.i + 1
	if err := s.string(); err != nil {
		return nil, false, err
	}
	key = s.rec[start : s.i-1]
	if err := s.expect(':', "':'"); err != nil {
		return nil, false, err
	}
	s.space()
	return key, true, nil
}

// value skips the value at s.i, nested depth deep.
func (s *jsonScan) value(depth int) error {
	if s.i >= len(s.rec) {
		return s.syntaxError("a value")
	}
	switch c := s.rec[s.i]; {
	case c == '"':
		return s.string()
	case c == '{':
		return s.container(depth, '}')
	case c == '[':
		return s.container(depth, ']')
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.syntaxError("a value")
}

// container skips the object or array at s.i, which closes with end.
func (s *jsonScan) container(depth int, end byte) error {
	if depth >= jsonMaxDepth {
		return vector.Errorf(vector.CodeProgramLimitExceeded, "stack depth limit exceeded")
	}
	s.i++
	for first := true; ; first = false {
		if end == '}' {
			_, ok, err := s.member(first)
			if err != nil || !ok {
				return err
			}
		} else {
			s.space()
			if s.i < len(s.rec) && s.rec[s.i] == ']' {
				s.i++
				return nil
			}
			if !first {
				if err := s.expect(',', "',' or ']'"); err != nil {
					return err
				}
				s.space()
			}
		}
		if err := s.value(depth + 1); err != nil {
			return err
		}
	}
}

// string skips the string at s.i (its opening quote).
func (s *jsonScan) string() error {
	s.i++
	for s.i < len(s.rec) {
		switch c := s.rec[s.i]; {
		case c == '"':
			s.i++
			return nil
		case c == '\\':
			if err := s.escape(); err != nil {
				return err
			}
		case c < 0x20:
			return errJSONRecord(fmt.Sprintf("control character %q at byte %d must be escaped in a string", c, s.i))
		default:
			s.i++
		}
	}
	return s.syntaxError("the end of a string")
}

// escape skips the escape sequence at s.i (its backslash).
func (s *jsonScan) escape() error {
	s.i++
	if s.i >= len(s.rec) {
		return s.syntaxError("an escape sequence")
	}
	switch s.rec[s.i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i++
		return nil
	case 'u':
		if s.i+5 > len(s.rec) || hex4(s.rec[s.i+1:s.i+5]) < 0 {
			return errJSONRecord(fmt.Sprintf(`"\u" must be followed by four hexadecimal digits at byte %d`, s.i))
		}
		s.i += 5
		return nil
	}
	return s.syntaxError("an escape sequence")
}

// number skips the number at s.i.
func (s *jsonScan) number() error {
	if s.rec[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.rec) && s.rec[s.i] == '0':
		s.i++
	case !s.digits():
		return s.syntaxError("a digit")
	}
	if s.i < len(s.rec) && s.rec[s.i] == '.' {
		s.i++
		if !s.digits() {
			return s.syntaxError("a digit")
		}
	}
	if s.i < len(s.rec) && (s.rec[s.i] == 'e' || s.rec[s.i] == 'E') {
		s.i++
		if s.i < len(s.rec) && (s.rec[s.i] == '+' || s.rec[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return s.syntaxError("a digit")
		}
	}
	return nil
}

// digits skips digits, reporting whether there was one.
func (s *jsonScan) digits() bool {
	start := s.i
	for s.i < len(s.rec) && s.rec[s.i] >= '0' && s.rec[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// literal skips lit (true, false or null), which must be at s.i.
func (s *jsonScan) literal(lit string) error {
	if len(s.rec)-s.i < len(lit) || string(s.rec[s.i:s.i+len(lit)]) != lit {
		return s.syntaxError(lit)
	}
	s.i += len(lit)
	return nil
}

// hex4 is the value of four hexadecimal digits, -1 when h is not that.
func hex4(h []byte) rune {
	var r rune
	for _, c := range h[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// jsonUnescape appends to dst the text of raw, the inside of a string that
// jsonScan validated. A \u escape of half a surrogate pair without its
// other half is U+FFFD, as encoding/json reads it.
func jsonUnescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(raw[i+2:])
			i += 6
			if utf16.IsSurrogate(r) && i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
				if pair := utf16.DecodeRune(r, hex4(raw[i+2:])); pair != utf8.RuneError {
					r = pair
					i += 6
				}
			}
			dst = utf8.AppendRune(dst, r) // a lone surrogate is not valid: U+FFFD
			continue
		default: // " \ /
			dst = append(dst, raw[i+1])
		}
		i += 2
	}
	return dst
}
