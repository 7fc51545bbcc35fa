package vector

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Postgres text input of every type: literals, casts from text, COPY and
// text-format parameters all go through ParseText.

// ParseText parses s as a value of type t (modifiers applied), reading a
// timestamptz without zone in loc (UTC when nil). Errors are *Error with
// Postgres' SQLSTATE and wording.
//
// now, today, tomorrow and yesterday read the wall clock; expressions
// read the statement time instead (see castDatum).
func ParseText(s string, t Type, loc *time.Location) (Datum, error) {
	return parseTextAt(s, t, dtContext{loc: loc})
}

// parseTextAt is ParseText with date/time input read in dc.
func parseTextAt(s string, t Type, dc dtContext) (Datum, error) {
	switch t.Kind {
	case KindBool:
		return parseBool(s)
	case KindInt2:
		v, err := parseInt(s, 16)
		return int16(v), err
	case KindInt4:
		v, err := parseInt(s, 32)
		return int32(v), err
	case KindInt8:
		return parseInt(s, 64)
	case KindFloat4:
		f, err := parseFloat(s, 32)
		return float32(f), err
	case KindFloat8:
		return parseFloat(s, 64)
	case KindNumeric:
		d, err := ParseNumeric(s)
		if err != nil {
			return nil, err
		}
		return NumericCheck(d, t)
	case KindText, KindUnknown:
		return s, nil
	case KindVarchar:
		return varcharInput(s, t)
	case KindBytea:
		return parseBytea(s)
	case KindDate:
		return dc.parseDate(s)
	case KindTime:
		return dc.parseTime(s)
	case KindTimestamp:
		v, err := dc.parseTimestamp(s, false)
		return TimestampValue(v), err
	case KindTimestampTZ:
		v, err := dc.parseTimestamp(s, true)
		return TimestampTZValue(v), err
	case KindInterval:
		return parseInterval(s)
	case KindJSONB:
		return CanonicalJSON(s)
	case KindArray, KindInt2Vector, KindOIDVector:
		return parseArrayText(s, t, dc.loc)
	case KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		return oidInput(nil, s, t.Kind)
	case KindName:
		return nameInput(s), nil
	case KindChar:
		return charInput(s), nil
	}
	return nil, Errorf(CodeFeatureNotSupported, "input of type %s is not supported", t)
}

// parseBool accepts, case-insensitively and ignoring surrounding spaces,
// any prefix of true/false/yes/no, on/off (at least two letters), 1 and 0.
func parseBool(s string) (bool, error) {
	t := strings.TrimSpace(s)
	if t != "" {
		switch {
		case isPrefixFold(t, "true"), isPrefixFold(t, "yes"), t == "1", strings.EqualFold(t, "on"):
			return true, nil
		case isPrefixFold(t, "false"), isPrefixFold(t, "no"), t == "0", len(t) >= 2 && isPrefixFold(t, "off"):
			return false, nil
		}
	}
	return false, Errorf(CodeInvalidTextRepresentation, "invalid input syntax for type boolean: %q", s)
}

// isPrefixFold reports whether t is a prefix of word, ignoring ASCII case.
func isPrefixFold(t, word string) bool {
	return len(t) <= len(word) && strings.EqualFold(t, word[:len(t)])
}

// isSpace is the whitespace Postgres' scanners skip (isspace in C).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// trimSpaceC trims C whitespace.
func trimSpaceC(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// parseInt parses an integer of the given width: optional surrounding
// spaces, a sign and decimal digits.
func parseInt(s string, bits int) (int64, error) {
	t := trimSpaceC(s)
	i, neg := 0, false
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		neg = t[i] == '-'
		i++
	}
	if i == len(t) {
		return 0, Errorf(CodeInvalidTextRepresentation, "invalid input syntax for type %s: %q", intTypeName(bits), s)
	}
	var v uint64
	overflow := false
	for ; i < len(t); i++ {
		c := t[i]
		if !isDigit(c) {
			return 0, Errorf(CodeInvalidTextRepresentation, "invalid input syntax for type %s: %q", intTypeName(bits), s)
		}
		if v > (math.MaxUint64-9)/10 {
			overflow = true
		}
		v = v*10 + uint64(c-'0')
	}
	var r int64
	switch {
	case overflow:
	case neg && v <= 1<<63:
		r = -int64(v-1) - 1
	case !neg && v < 1<<63:
		r = int64(v)
	default:
		overflow = true
	}
	if overflow || !intFits(r, bits) {
		return 0, Errorf(CodeNumericValueOutOfRange, "value %q is out of range for type %s", s, intTypeName(bits))
	}
	return r, nil
}

// parseFloat parses a float4 (bits 32) or float8: decimal or exponent
// notation, NaN, Infinity and inf in any case, surrounding spaces.
func parseFloat(s string, bits int) (float64, error) {
	name := "double precision"
	if bits == 32 {
		name = "real"
	}
	t := trimSpaceC(s)
	if f, ok := floatSpecial(t); ok {
		return f, nil
	}
	if t == "" || strings.ContainsAny(t, "_xXpPnN") {
		return 0, Errorf(CodeInvalidTextRepresentation, "invalid input syntax for type %s: %q", name, s)
	}
	f, err := strconv.ParseFloat(t, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, Errorf(CodeNumericValueOutOfRange, "%q is out of range for type %s", t, name)
		}
		return 0, Errorf(CodeInvalidTextRepresentation, "invalid input syntax for type %s: %q", name, s)
	}
	return f, nil
}

// floatSpecials are the words float input accepts in any case.
var floatSpecials = [...]struct {
	word string
	v    float64
}{
	{"nan", math.NaN()}, {"+nan", math.NaN()}, {"-nan", math.NaN()},
	{"infinity", math.Inf(1)}, {"+infinity", math.Inf(1)}, {"inf", math.Inf(1)}, {"+inf", math.Inf(1)},
	{"-infinity", math.Inf(-1)}, {"-inf", math.Inf(-1)},
}

// floatSpecial recognizes NaN and the infinities (without allocating).
func floatSpecial(t string) (float64, bool) {
	for _, sp := range floatSpecials {
		if strings.EqualFold(t, sp.word) {
			return sp.v, true
		}
	}
	return 0, false
}

// varcharInput applies varchar(n) to s: longer strings are 22001 unless
// the excess characters are all spaces, which are cut off.
func varcharInput(s string, t Type) (string, error) {
	if t.Width <= 0 || len(s) <= int(t.Width) {
		return s, nil
	}
	cut, ok := runePrefix(s, int(t.Width))
	if !ok {
		return s, nil
	}
	if strings.TrimRight(s[cut:], " ") != "" {
		return "", Errorf(CodeStringDataRightTruncation, "value too long for type character varying(%d)", t.Width)
	}
	return s[:cut], nil
}

// runePrefix is the byte length of the first n characters of s; ok is false
// when s has at most n characters.
func runePrefix(s string, n int) (int, bool) {
	i := 0
	for k := 0; k < n; k++ {
		if i >= len(s) {
			return len(s), false
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i, i < len(s)
}

// parseBytea parses bytea input in hex (\x0102ff, spaces allowed between
// bytes) or escape format (\\ and \ooo octal escapes).
func parseBytea(s string) ([]byte, error) {
	if strings.HasPrefix(s, `\x`) {
		return parseByteaHex(s[2:])
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && s[i+1] >= '0' && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]):
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
		default:
			return nil, Errorf(CodeInvalidTextRepresentation, "invalid input syntax for type bytea")
		}
	}
	return out, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// parseByteaHex decodes pairs of hex digits, skipping whitespace between pairs.
func parseByteaHex(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)/2)
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			continue
		}
		hi, ok := hexValue(s[i])
		if !ok {
			return nil, errHexDigit(s[i:])
		}
		i++
		if i >= len(s) {
			return nil, Errorf(CodeInvalidParameterValue, "invalid hexadecimal data: odd number of digits")
		}
		lo, ok := hexValue(s[i])
		if !ok {
			return nil, errHexDigit(s[i:])
		}
		out = append(out, hi<<4|lo)
	}
	return out, nil
}

// errHexDigit reports the first character of s as an invalid hex digit.
func errHexDigit(s string) error {
	r, _ := utf8.DecodeRuneInString(s)
	return Errorf(CodeInvalidParameterValue, "invalid hexadecimal digit: \"%c\"", r)
}

func hexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
