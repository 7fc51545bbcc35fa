package vector

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// The text form of arrays, as array_in reads it and array_out prints it:
// an optional dimension decoration "[lower:upper]=", then elements between
// braces separated by commas. An element is either double-quoted (a
// backslash escapes the next character) or bare: a backslash escapes the
// next character, surrounding whitespace is dropped and the bare word NULL
// (any case) is a NULL.

// arrayToken is one element of an array literal: its text with quoting and
// escapes removed, or NULL.
type arrayToken struct {
	text string
	null bool
}

// splitArrayText splits the text of a one-dimensional array into its
// elements, returning the index of the first (1 unless a dimension
// decoration says otherwise). Malformed text is 22P02 "malformed array
// literal" with Postgres' detail; several dimensions are 0A000.
func splitArrayText(s string) (int32, []arrayToken, error) {
	l := arrayLexer{s: s}
	lower, upper, dims, err := l.dimensions()
	if err != nil {
		return 0, nil, err
	}
	if !l.eat('{') {
		if dims {
			return 0, nil, l.malformed(`Array contents must start with "{".`)
		}
		return 0, nil, l.malformed(`Array value must start with "{" or dimension information.`)
	}
	toks, err := l.elements()
	if err != nil {
		return 0, nil, err
	}
	l.skipSpace()
	if l.p < len(s) {
		return 0, nil, l.malformed("Junk after closing right brace.")
	}
	if dims && int64(len(toks)) != upper-lower+1 {
		return 0, nil, l.malformed("Specified array dimensions do not match array contents.")
	}
	return int32(lower), toks, nil
}

// arrayLexer reads an array literal; p is the position of the next byte.
type arrayLexer struct {
	s string
	p int
}

func (l *arrayLexer) malformed(detail string) error {
	e := Errorf(CodeInvalidTextRepresentation, "malformed array literal: \"%s\"", l.s)
	e.Detail = detail
	return e
}

func errMultiDim() error {
	return Errorf(CodeFeatureNotSupported, "multidimensional arrays are not supported")
}

func (l *arrayLexer) skipSpace() {
	for l.p < len(l.s) && isSpace(l.s[l.p]) {
		l.p++
	}
}

// eat skips whitespace and then c, reporting whether c was there.
func (l *arrayLexer) eat(c byte) bool {
	l.skipSpace()
	if l.p < len(l.s) && l.s[l.p] == c {
		l.p++
		return true
	}
	return false
}

// dimensions reads an optional "[lower:upper]=" or "[upper]=" decoration.
func (l *arrayLexer) dimensions() (lower, upper int64, ok bool, err error) {
	if !l.eat('[') {
		return 1, 0, false, nil
	}
	first, err := l.bound()
	if err != nil {
		return 0, 0, false, err
	}
	lower, upper = 1, first
	if l.p < len(l.s) && l.s[l.p] == ':' {
		l.p++
		if upper, err = l.bound(); err != nil {
			return 0, 0, false, err
		}
		lower = first
	}
	if l.p >= len(l.s) || l.s[l.p] != ']' {
		return 0, 0, false, l.malformed(`Missing "]" after array dimensions.`)
	}
	l.p++
	if upper < lower {
		return 0, 0, false, Errorf(CodeArraySubscriptError, "upper bound cannot be less than lower bound")
	}
	if l.eat('[') {
		return 0, 0, false, errMultiDim()
	}
	if !l.eat('=') {
		return 0, 0, false, l.malformed(`Missing "=" after array dimensions.`)
	}
	return lower, upper, true, nil
}

// bound reads the signed integer of a dimension decoration.
func (l *arrayLexer) bound() (int64, error) {
	start := l.p
	for l.p < len(l.s) && (isDigit(l.s[l.p]) || l.s[l.p] == '-' || l.s[l.p] == '+') {
		l.p++
	}
	if l.p == start {
		return 0, l.malformed(`"[" must introduce explicitly-specified array dimensions.`)
	}
	v, err := strconv.ParseInt(l.s[start:l.p], 10, 32)
	if err != nil || v == math.MinInt32 {
		return 0, Errorf(CodeNumericValueOutOfRange, "array bound is out of integer range")
	}
	return v, nil
}

// elements reads the elements after the opening brace, and the closing one.
func (l *arrayLexer) elements() ([]arrayToken, error) {
	if l.eat('}') {
		return nil, nil
	}
	var toks []arrayToken
	for {
		l.skipSpace()
		if l.p >= len(l.s) {
			return nil, l.malformed("Unexpected end of input.")
		}
		var tok arrayToken
		var err error
		switch c := l.s[l.p]; c {
		case '{':
			if len(toks) == 0 {
				return nil, errMultiDim()
			}
			return nil, l.malformed(`Unexpected "{" character.`)
		case '}', ',':
			return nil, l.malformed(`Unexpected "` + string(c) + `" character.`)
		case '"':
			tok, err = l.quoted()
		default:
			tok, err = l.bare()
		}
		if err != nil {
			return nil, err
		}
		toks = append(toks, tok)
		switch {
		case l.eat(','):
		case l.eat('}'):
			return toks, nil
		case l.p >= len(l.s):
			return nil, l.malformed("Unexpected end of input.")
		default:
			return nil, l.malformed("Unexpected array element.")
		}
	}
}

// quoted reads a double-quoted element.
func (l *arrayLexer) quoted() (arrayToken, error) {
	var b strings.Builder
	for l.p++; l.p < len(l.s); l.p++ {
		switch c := l.s[l.p]; c {
		case '\\':
			l.p++
			if l.p >= len(l.s) {
				return arrayToken{}, l.malformed("Unexpected end of input.")
			}
			b.WriteByte(l.s[l.p])
		case '"':
			l.p++
			return arrayToken{text: b.String()}, nil
		default:
			b.WriteByte(c)
		}
	}
	return arrayToken{}, l.malformed("Unexpected end of input.")
}

// bare reads an unquoted element up to the next comma or closing brace:
// trailing whitespace that is not escaped is dropped.
func (l *arrayLexer) bare() (arrayToken, error) {
	var b strings.Builder
	keep, escaped := 0, false // keep: length of b up to its last significant byte
	for ; l.p < len(l.s); l.p++ {
		switch c := l.s[l.p]; {
		case c == ',' || c == '}':
			text := b.String()[:keep]
			return arrayToken{text: text, null: !escaped && strings.EqualFold(text, "NULL")}, nil
		case c == '\\':
			l.p++
			if l.p >= len(l.s) {
				return arrayToken{}, l.malformed("Unexpected end of input.")
			}
			b.WriteByte(l.s[l.p])
			keep, escaped = b.Len(), true
		case c == '"':
			return arrayToken{}, l.malformed("Unexpected array element.")
		case c == '{':
			return arrayToken{}, l.malformed(`Unexpected "{" character.`)
		default:
			b.WriteByte(c)
			if !isSpace(c) {
				keep = b.Len()
			}
		}
	}
	return arrayToken{}, l.malformed("Unexpected end of input.")
}

// appendArrayElem appends the text of an element as array_out prints it:
// quoted when empty, the word NULL, or holding braces, commas, quotes,
// backslashes or whitespace (quotes and backslashes then escaped).
func appendArrayElem(dst, v []byte) []byte {
	return appendQuotable(dst, v, len(v) == 0 || strings.EqualFold(string(v), "NULL"), "{},", true)
}

// appendQuotable appends v bare, or quoted when force is set or v holds a
// byte of special, a quote, a backslash or whitespace; inside the quotes a
// quote or backslash is escaped with a backslash (backslashed) or doubled.
func appendQuotable(dst, v []byte, force bool, special string, backslashed bool) []byte {
	quote := force
	for _, c := range v {
		if c == '"' || c == '\\' || isSpace(c) || strings.IndexByte(special, c) >= 0 {
			quote = true
			break
		}
	}
	if !quote {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for _, c := range v {
		switch {
		case (c == '"' || c == '\\') && backslashed:
			dst = append(dst, '\\')
		case c == '"' || c == '\\':
			dst = append(dst, c)
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// parseArrayText is the text input of array type t: the canonical value,
// or the error of the literal or of an element's input.
func parseArrayText(s string, t Type, loc *time.Location) (ArrayValue, error) {
	a, err := readArray(t, s, loc)
	if err != nil {
		return "", err
	}
	return encodeArray(t, a), nil
}
