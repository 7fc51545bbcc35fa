package vector

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"math"
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
)

// String functions. Positions and lengths count characters (UTF-8), not
// bytes; case mapping is ASCII only, as in the C locale.

func init() {
	t1 := []Type{Text}
	t2 := []Type{Text, Text}
	ti := []Type{Text, Int4}
	register("lower", overload{params: t1, ret: Text, fn: textFn(Text, true, mapBytes(asciiLowerByte))})
	register("upper", overload{params: t1, ret: Text, fn: textFn(Text, true, mapBytes(asciiUpperByte))})
	for _, name := range []string{"length", "char_length", "character_length"} {
		register(name, overload{params: t1, ret: Int4, fn: fixedFn(Int4, func(r *row) (int32, bool, error) {
			return int32(utf8.RuneCount(r.str(0))), false, nil
		})})
	}
	register("length", overload{params: []Type{Bytea}, ret: Int4, fn: octetLength})
	register("octet_length",
		overload{params: t1, ret: Int4, fn: octetLength},
		overload{params: []Type{Bytea}, ret: Int4, fn: octetLength})
	for _, name := range []string{"substr", "substring"} {
		register(name,
			overload{params: ti, ret: Text, fn: textFn(Text, true, substrFn)},
			overload{params: []Type{Text, Int4, Int4}, ret: Text, fn: textFn(Text, true, substrFn)})
	}
	register("strpos", overload{params: t2, ret: Int4, fn: fixedFn(Int4, func(r *row) (int32, bool, error) {
		return strpos(r.str(0), r.str(1)), false, nil
	})})
	// position(sub IN s) arrives as position(sub, s).
	register("position", overload{params: t2, ret: Int4, fn: fixedFn(Int4, func(r *row) (int32, bool, error) {
		return strpos(r.str(1), r.str(0)), false, nil
	})})
	for _, tr := range []struct {
		name        string
		left, right bool
	}{{"btrim", true, true}, {"trim", true, true}, {"ltrim", true, false}, {"rtrim", false, true}} {
		left, right := tr.left, tr.right
		body := func(dst []byte, r *row) ([]byte, bool, error) {
			chars := []byte(" ")
			if len(r.ops) > 1 {
				chars = r.str(1)
			}
			return append(dst, trimChars(r.str(0), chars, left, right)...), false, nil
		}
		register(tr.name,
			overload{params: t1, ret: Text, fn: textFn(Text, true, body)},
			overload{params: t2, ret: Text, fn: textFn(Text, true, body)})
	}
	register("replace", overload{params: []Type{Text, Text, Text}, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		s, from, to := r.str(0), r.str(1), r.str(2)
		if len(from) == 0 {
			return append(dst, s...), false, nil
		}
		for {
			i := bytes.Index(s, from)
			if i < 0 {
				return append(dst, s...), false, nil
			}
			dst = append(append(dst, s[:i]...), to...)
			s = s[i+len(from):]
		}
	})})
	register("concat", overload{params: []Type{anyType}, variadic: true, textArgs: true, ret: Text, fn: textFn(Text, false, func(dst []byte, r *row) ([]byte, bool, error) {
		for k := range r.ops {
			if !r.null(k) {
				dst = append(dst, r.str(k)...)
			}
		}
		return dst, false, nil
	})})
	register("concat_ws", overload{params: []Type{Text, anyType}, variadic: true, textArgs: true, ret: Text, fn: textFn(Text, false, func(dst []byte, r *row) ([]byte, bool, error) {
		if r.null(0) {
			return dst, true, nil
		}
		first := true
		for k := 1; k < len(r.ops); k++ {
			if r.null(k) {
				continue
			}
			if !first {
				dst = append(dst, r.str(0)...)
			}
			dst, first = append(dst, r.str(k)...), false
		}
		return dst, false, nil
	})})
	register("left", overload{params: ti, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		s, n := r.str(0), r.int(1)
		if n < 0 {
			n = max(int64(utf8.RuneCount(s))+n, 0)
		}
		return append(dst, s[:charOffset(s, n)]...), false, nil
	})})
	register("right", overload{params: ti, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		s, n := r.str(0), r.int(1)
		chars := int64(utf8.RuneCount(s))
		skip := chars - n
		if n < 0 {
			skip = -n
		}
		return append(dst, s[charOffset(s, max(skip, 0)):]...), false, nil
	})})
	for _, name := range []string{"lpad", "rpad"} {
		left := name == "lpad"
		body := func(dst []byte, r *row) ([]byte, bool, error) {
			fill := []byte(" ")
			if len(r.ops) > 2 {
				fill = r.str(2)
			}
			out, err := pad(dst, r.str(0), r.int(1), fill, left)
			return out, false, err
		}
		register(name,
			overload{params: ti, ret: Text, fn: textFn(Text, true, body)},
			overload{params: []Type{Text, Int4, Text}, ret: Text, fn: textFn(Text, true, body)})
	}
	register("repeat", overload{params: ti, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		s, n := r.str(0), r.int(1)
		if n > 0 && int64(len(s))*n > 1<<30-1 {
			return nil, false, Errorf(CodeProgramLimitExceeded, "requested length too large")
		}
		for ; n > 0; n-- {
			dst = append(dst, s...)
		}
		return dst, false, nil
	})})
	register("reverse", overload{params: t1, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		s := r.str(0)
		for len(s) > 0 {
			_, size := utf8.DecodeLastRune(s)
			dst = append(dst, s[len(s)-size:]...)
			s = s[:len(s)-size]
		}
		return dst, false, nil
	})})
	register("split_part", overload{params: []Type{Text, Text, Int4}, ret: Text, fn: textFn(Text, true, splitPart)})
	register("starts_with", overload{params: t2, ret: Bool, fn: boolFn(func(r *row) (bool, error) {
		return bytes.HasPrefix(r.str(0), r.str(1)), nil
	})})
	register("initcap", overload{params: t1, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		inWord := false
		for _, c := range r.str(0) {
			if inWord {
				c = asciiLowerByte(c)
			} else {
				c = asciiUpperByte(c)
			}
			inWord = isAlnum(c)
			dst = append(dst, c)
		}
		return dst, false, nil
	})})
	register("md5", overload{params: t1, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		sum := md5.Sum(r.str(0))
		return hex.AppendEncode(dst, sum[:]), false, nil
	})})
	register("chr", overload{params: []Type{Int4}, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		c := r.int(0)
		switch {
		case c == 0:
			return nil, false, Errorf(CodeProgramLimitExceeded, "null character not permitted")
		case c < 0 || c > utf8.MaxRune || (c >= 0xD800 && c <= 0xDFFF):
			return nil, false, Errorf(CodeProgramLimitExceeded, "requested character too large for encoding: %d", c)
		}
		return utf8.AppendRune(dst, rune(c)), false, nil
	})})
	register("ascii", overload{params: t1, ret: Int4, fn: fixedFn(Int4, func(r *row) (int32, bool, error) {
		c, _ := utf8.DecodeRune(r.str(0))
		if c == utf8.RuneError {
			c = 0
		}
		return c, false, nil
	})})
	register("translate", overload{params: []Type{Text, Text, Text}, ret: Text, fn: textFn(Text, true, translate)})
	register("to_hex",
		overload{params: []Type{Int4}, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
			return strconv.AppendUint(dst, uint64(uint32(r.int(0))), 16), false, nil
		})},
		overload{params: []Type{Int8}, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
			return strconv.AppendUint(dst, uint64(r.int(0)), 16), false, nil
		})})
	register("quote_ident", overload{params: t1, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		return quoteIdent(dst, r.str(0)), false, nil
	})})
	register("quote_literal", overload{params: t1, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		return quoteLiteral(dst, r.str(0)), false, nil
	})})
	register("format", overload{params: []Type{Text, anyType}, variadic: true, textArgs: true, ret: Text, fn: textFn(Text, false, format)})
	register("regexp_replace",
		overload{params: []Type{Text, Text, Text}, ret: Text, fn: regexpReplaceFn},
		overload{params: []Type{Text, Text, Text, Text}, ret: Text, fn: regexpReplaceFn})
}

// octetLength is the length in bytes of text or bytea.
var octetLength = fixedFn(Int4, func(r *row) (int32, bool, error) { return int32(len(r.str(0))), false, nil })

func asciiLowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func asciiUpperByte(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func isAlnum(c byte) bool {
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// mapBytes is a text function body applying f to every byte.
func mapBytes(f func(byte) byte) func(dst []byte, r *row) ([]byte, bool, error) {
	return func(dst []byte, r *row) ([]byte, bool, error) {
		for _, c := range r.str(0) {
			dst = append(dst, f(c))
		}
		return dst, false, nil
	}
}

// charOffset is the byte offset of character n of s (len(s) past the end).
func charOffset(s []byte, n int64) int {
	off := 0
	for ; n > 0 && off < len(s); n-- {
		_, size := utf8.DecodeRune(s[off:])
		off += size
	}
	return off
}

// substrFn is substr(s, from [, count]) with Postgres' clamping: positions
// before 1 shorten the count, a negative count is an error.
func substrFn(dst []byte, r *row) ([]byte, bool, error) {
	s, from := r.str(0), r.int(1)
	end := int64(math.MaxInt64)
	if len(r.ops) > 2 {
		count := r.int(2)
		if count < 0 {
			return nil, false, Errorf(CodeSubstringError, "negative substring length not allowed")
		}
		end = from + count
		if end < from { // overflow
			end = math.MaxInt64
		}
	}
	start := max(from, 1)
	if end <= start {
		return dst, false, nil
	}
	b := charOffset(s, start-1)
	e := b + charOffset(s[b:], end-start)
	return append(dst, s[b:e]...), false, nil
}

// strpos is the 1-based character position of sub in s, 0 when absent.
func strpos(s, sub []byte) int32 {
	i := bytes.Index(s, sub)
	if i < 0 {
		return 0
	}
	return int32(utf8.RuneCount(s[:i])) + 1
}

// trimChars removes the characters of chars from the ends of s.
func trimChars(s, chars []byte, left, right bool) []byte {
	in := func(c []byte) bool { return bytes.Contains(chars, c) }
	for left && len(s) > 0 {
		_, size := utf8.DecodeRune(s)
		if !in(s[:size]) {
			break
		}
		s = s[size:]
	}
	for right && len(s) > 0 {
		_, size := utf8.DecodeLastRune(s)
		if !in(s[len(s)-size:]) {
			break
		}
		s = s[:len(s)-size]
	}
	return s
}

// maxPadChars bounds lpad/rpad results (Postgres: 1 GB of text).
const maxPadChars = 1 << 28

// pad is lpad/rpad: s cut or filled (with repeats of fill) to n characters.
func pad(dst, s []byte, n int64, fill []byte, left bool) ([]byte, error) {
	if n <= 0 {
		return dst, nil
	}
	if n > maxPadChars {
		return nil, Errorf(CodeProgramLimitExceeded, "requested length too large")
	}
	chars := int64(utf8.RuneCount(s))
	if chars >= n || len(fill) == 0 {
		return append(dst, s[:charOffset(s, n)]...), nil
	}
	padding := func(dst []byte) []byte {
		for k, f := chars, fill; k < n; k++ {
			if len(f) == 0 {
				f = fill
			}
			_, size := utf8.DecodeRune(f)
			dst, f = append(dst, f[:size]...), f[size:]
		}
		return dst
	}
	if left {
		return append(padding(dst), s...), nil
	}
	return padding(append(dst, s...)), nil
}

// splitPart is split_part(s, delim, n); negative n counts from the end.
func splitPart(dst []byte, r *row) ([]byte, bool, error) {
	s, delim, n := r.str(0), r.str(1), r.int(2)
	if n == 0 {
		return nil, false, Errorf(CodeInvalidParameterValue, "field position must not be zero")
	}
	var parts [][]byte
	if len(delim) == 0 {
		parts = [][]byte{s}
	} else {
		parts = bytes.Split(s, delim)
	}
	if len(s) == 0 {
		parts = nil
	}
	if n < 0 {
		n += int64(len(parts)) + 1
	}
	if n < 1 || n > int64(len(parts)) {
		return dst, false, nil
	}
	return append(dst, parts[n-1]...), false, nil
}

// translate replaces each character of s found in from by the character at
// the same position of to, deleting it when to is shorter.
func translate(dst []byte, r *row) ([]byte, bool, error) {
	s, from, to := r.str(0), r.str(1), r.str(2)
	toChars := bytes.SplitAfter(to, nil)
	for len(s) > 0 {
		_, size := utf8.DecodeRune(s)
		c := s[:size]
		s = s[size:]
		pos := -1
		for k, f := 0, from; len(f) > 0; k++ {
			_, fs := utf8.DecodeRune(f)
			if bytes.Equal(f[:fs], c) {
				pos = k
				break
			}
			f = f[fs:]
		}
		switch {
		case pos < 0:
			dst = append(dst, c...)
		case pos < len(toChars) && len(to) > 0:
			dst = append(dst, toChars[pos]...)
		}
	}
	return dst, false, nil
}

// quoteIdent quotes s as an SQL identifier when it is not a plain
// lower-case one.
func quoteIdent(dst, s []byte) []byte {
	plain := len(s) > 0 && ((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_') && !isReservedWord(string(s))
	for _, c := range s {
		if !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$') {
			plain = false
		}
	}
	if plain {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for _, c := range s {
		if c == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// isReservedWord reports the SQL keywords that quote_ident must quote (the
// reserved ones of Postgres' keyword list that are likely as names).
func isReservedWord(s string) bool {
	switch s {
	case "all", "and", "any", "array", "as", "asc", "both", "case", "cast", "check", "collate", "column",
		"constraint", "create", "default", "desc", "distinct", "do", "else", "end", "except", "false", "for",
		"foreign", "from", "grant", "group", "having", "in", "into", "is", "join", "leading", "limit", "not",
		"null", "offset", "on", "only", "or", "order", "primary", "references", "select", "table", "then",
		"to", "trailing", "true", "union", "unique", "user", "using", "when", "where", "window", "with":
		return true
	}
	return false
}

// quoteLiteral quotes s as an SQL string literal (written E'…' when it holds a
// backslash).
func quoteLiteral(dst, s []byte) []byte {
	if bytes.IndexByte(s, '\\') >= 0 {
		dst = append(dst, 'E')
	}
	dst = append(dst, '\'')
	for _, c := range s {
		if c == '\'' || c == '\\' {
			dst = append(dst, c)
		}
		dst = append(dst, c)
	}
	return append(dst, '\'')
}

// format is format(fmt, args...) for %s, %I, %L and %% with optional n$
// argument positions.
func format(dst []byte, r *row) ([]byte, bool, error) {
	if r.null(0) {
		return dst, true, nil
	}
	f := r.str(0)
	next := 1
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			dst = append(dst, f[i])
			continue
		}
		i++
		if i >= len(f) {
			return nil, false, Errorf(CodeInvalidParameterValue, "unterminated format() type specifier")
		}
		if f[i] == '%' {
			dst = append(dst, '%')
			continue
		}
		arg := next
		if j := bytes.IndexByte(f[i:], '$'); j > 0 {
			if n, err := strconv.Atoi(string(f[i : i+j])); err == nil {
				if n == 0 {
					return nil, false, Errorf(CodeInvalidParameterValue, "format specifies argument 0, but arguments are numbered from 1")
				}
				arg, i = n, i+j+1
			}
		}
		if i >= len(f) {
			return nil, false, Errorf(CodeInvalidParameterValue, "unterminated format() type specifier")
		}
		if arg >= len(r.ops) {
			return nil, false, Errorf(CodeInvalidParameterValue, "too few arguments for format()")
		}
		next = arg + 1
		switch f[i] {
		case 's':
			if !r.null(arg) {
				dst = append(dst, r.str(arg)...)
			}
		case 'I':
			if r.null(arg) {
				return nil, false, Errorf(CodeNullValueNotAllowed, "null values cannot be formatted as an SQL identifier")
			}
			dst = quoteIdent(dst, r.str(arg))
		case 'L':
			if r.null(arg) {
				dst = append(dst, "NULL"...)
			} else {
				dst = quoteLiteral(dst, r.str(arg))
			}
		default:
			return nil, false, Errorf(CodeInvalidParameterValue, "unrecognized format() type specifier \"%c\"", f[i])
		}
	}
	return dst, false, nil
}

// regexpReplaceFn is regexp_replace(s, pattern, replacement [, flags])
// with flags g (every match) and i (case-insensitive); the replacement may
// refer to groups as \1…\9 and to the whole match as \&. The pattern is
// compiled again only when it (or the flags) change from one row to the next.
func regexpReplaceFn(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
	var re *regexp.Regexp
	var lastPat, lastFlags []byte
	return textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		s, pat, rep := r.str(0), r.str(1), r.str(2)
		var flags []byte
		if len(r.ops) > 3 {
			flags = r.str(3)
		}
		global := bytes.IndexByte(flags, 'g') >= 0
		if re == nil || !bytes.Equal(pat, lastPat) || !bytes.Equal(flags, lastFlags) {
			ci := false
			for _, c := range flags {
				switch c {
				case 'g':
				case 'i':
					ci = true
				case 'c':
					ci = false
				default:
					return nil, false, Errorf(CodeInvalidParameterValue, "invalid regular expression option: \"%c\"", c)
				}
			}
			var err error
			if re, err = compileRegex(string(pat), ci); err != nil {
				return nil, false, err
			}
			lastPat, lastFlags = pat, flags
		}
		return appendReplaced(dst, re, s, rep, global), false, nil
	})(ctx, ops, n)
}

// appendReplaced appends s with the first (every, when global) match of re
// replaced by rep, expanding \1…\9 and \&.
func appendReplaced(dst []byte, re *regexp.Regexp, s, rep []byte, global bool) []byte {
	limit := 1
	if global {
		limit = -1
	}
	last := 0
	for _, m := range re.FindAllSubmatchIndex(s, limit) {
		dst = append(dst, s[last:m[0]]...)
		for i := 0; i < len(rep); i++ {
			c := rep[i]
			if c != '\\' || i+1 >= len(rep) {
				dst = append(dst, c)
				continue
			}
			i++
			switch g := rep[i]; {
			case g >= '1' && g <= '9':
				if k := int(g - '0'); 2*k+1 < len(m) && m[2*k] >= 0 {
					dst = append(dst, s[m[2*k]:m[2*k+1]]...)
				}
			case g == '&':
				dst = append(dst, s[m[0]:m[1]]...)
			default:
				dst = append(dst, g)
			}
		}
		last = m[1]
	}
	return append(dst, s[last:]...)
}

// newConcatOp is ||: text || text, text || any non-text (converted by its
// output function, as Postgres' anytextcat), bytea || bytea.
func newConcatOp(l, r Expr) (Expr, error) {
	lk, rk := l.Type().Kind, r.Type().Kind
	if lk == KindBytea && rk == KindBytea {
		return newCall("||", true, Bytea, []Expr{l, r}, textFn(Bytea, true, concat2), immutable)
	}
	textual := func(k Kind) bool { return k.IsString() || k == KindUnknown }
	if !textual(lk) && !textual(rk) {
		return nil, undefinedOperator("||", l, r)
	}
	args := []Expr{l, r}
	for i, a := range args {
		var err error
		switch k := a.Type().Kind; {
		case k == KindUnknown:
			args[i], err = Coerce(a, Text)
		case !k.IsString():
			args[i], err = NewCast(a, Text)
		}
		if err != nil {
			return nil, err
		}
	}
	return newCall("||", true, Text, args, textFn(Text, true, concat2), immutable)
}

// concat2 appends both arguments.
func concat2(dst []byte, r *row) ([]byte, bool, error) {
	return append(append(dst, r.str(0)...), r.str(1)...), false, nil
}
