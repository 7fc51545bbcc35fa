package vector

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
)

// Pattern matching: LIKE / ILIKE (with escapes) and POSIX regular
// expressions (~ ~* !~ !~*, evaluated with Go's RE2, which agrees with
// Postgres on the common syntax). Case folding is ASCII only, as in the C
// locale runnel follows.

// likeKind is the kind of one element of a compiled LIKE pattern.
type likeKind uint8

const (
	likeLit  likeKind = iota // literal bytes
	likeOne                  // _ : exactly one character
	likeMany                 // % : any sequence
)

type likeTok struct {
	kind likeKind
	lit  []byte
}

// likePattern is a compiled LIKE pattern. Invariants: no two likeMany are
// adjacent and literals are folded to lower case when ci.
type likePattern struct {
	toks []likeTok
	ci   bool
}

// compileLike parses pattern with the escape character esc (-1: none).
func compileLike(pattern string, esc rune, ci bool) (*likePattern, error) {
	p := &likePattern{ci: ci}
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			p.toks = append(p.toks, likeTok{kind: likeLit, lit: lit})
			lit = nil
		}
	}
	for i := 0; i < len(pattern); {
		r, size := utf8.DecodeRuneInString(pattern[i:])
		switch {
		case r == esc:
			i += size
			if i >= len(pattern) {
				return nil, Errorf(CodeInvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			_, size = utf8.DecodeRuneInString(pattern[i:])
			lit = append(lit, pattern[i:i+size]...)
		case r == '%':
			flush()
			if len(p.toks) == 0 || p.toks[len(p.toks)-1].kind != likeMany {
				p.toks = append(p.toks, likeTok{kind: likeMany})
			}
		case r == '_':
			flush()
			p.toks = append(p.toks, likeTok{kind: likeOne})
		default:
			lit = append(lit, pattern[i:i+size]...)
		}
		i += size
	}
	flush()
	if ci {
		for i := range p.toks {
			p.toks[i].lit = asciiLower(p.toks[i].lit)
		}
	}
	return p, nil
}

// asciiLower lower-cases ASCII letters of b in place and returns it.
func asciiLower(b []byte) []byte {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

// hasPrefixFold reports whether s starts with lit (lit already lower case).
func hasPrefixFold(s, lit []byte) bool {
	if len(s) < len(lit) {
		return false
	}
	for i, c := range lit {
		d := s[i]
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// match reports whether s matches the whole pattern. The common shapes
// ('abc', 'abc%', '%abc', '%abc%') are single byte-string operations; the
// rest backtracks to the last % only, which is linear in practice.
func (p *likePattern) match(s []byte) bool {
	t := p.toks
	if !p.ci {
		switch {
		case len(t) == 1 && t[0].kind == likeLit:
			return bytes.Equal(s, t[0].lit)
		case len(t) == 2 && t[0].kind == likeLit && t[1].kind == likeMany:
			return bytes.HasPrefix(s, t[0].lit)
		case len(t) == 2 && t[0].kind == likeMany && t[1].kind == likeLit:
			return bytes.HasSuffix(s, t[1].lit)
		case len(t) == 3 && t[0].kind == likeMany && t[1].kind == likeLit && t[2].kind == likeMany:
			return bytes.Contains(s, t[1].lit)
		}
	}
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(t) {
			switch tok := t[ti]; tok.kind {
			case likeMany:
				starT, starS = ti, si
				ti++
				continue
			case likeOne:
				if si < len(s) {
					_, size := utf8.DecodeRune(s[si:])
					si += size
					ti++
					continue
				}
			default:
				if (p.ci && hasPrefixFold(s[si:], tok.lit)) || (!p.ci && bytes.HasPrefix(s[si:], tok.lit)) {
					si += len(tok.lit)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Backtrack: the last % swallows one more character.
		if starT < 0 || starS >= len(s) {
			return false
		}
		_, size := utf8.DecodeRune(s[starS:])
		starS += size
		ti, si = starT+1, starS
	}
}

// matcher tests one string; it is a compiled LIKE pattern or regexp.
type matcher interface{ match(s []byte) bool }

type regexMatcher struct{ re *regexp.Regexp }

func (m regexMatcher) match(s []byte) bool { return m.re.Match(s) }

// compileRegex compiles a POSIX regular expression as Postgres' ~ (~* when ci).
func compileRegex(pattern string, ci bool) (*regexp.Regexp, error) {
	if ci {
		pattern = "(?i)" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, Errorf(CodeInvalidRegularExpression, "invalid regular expression: %s", regexErrText(err))
	}
	return re, nil
}

// regexErrText is the reason of a regexp error in Postgres' words.
func regexErrText(err error) string {
	e, ok := err.(*syntax.Error)
	if !ok {
		return err.Error()
	}
	switch e.Code {
	case syntax.ErrMissingParen, syntax.ErrUnexpectedParen:
		return "parentheses () not balanced"
	case syntax.ErrMissingBracket:
		return "brackets [] not balanced"
	case syntax.ErrMissingRepeatArgument, syntax.ErrInvalidRepeatOp:
		return "quantifier operand invalid"
	case syntax.ErrInvalidEscape, syntax.ErrTrailingBackslash:
		return "invalid escape \\ sequence"
	case syntax.ErrInvalidCharRange:
		return "invalid character range"
	case syntax.ErrInvalidRepeatSize:
		return "invalid repetition count(s)"
	}
	return string(e.Code)
}

// NewLike is e [NOT] LIKE / ILIKE pattern [ESCAPE escape]. escape nil means
// the default '\'; an empty escape disables escaping. A constant pattern is
// compiled once; a varying one is compiled per distinct consecutive value.
func NewLike(e, pattern Expr, escape Expr, caseInsensitive, not bool) (Expr, error) {
	name := matchOpName("~~", caseInsensitive, not)
	if escape == nil {
		escape = NewConst(`\`, Text)
	}
	args, err := stringArgs(name, e, pattern, escape)
	if err != nil {
		return nil, err
	}
	compile := func(p string, esc []byte) (matcher, error) {
		r := rune(-1)
		if len(esc) > 0 {
			var size int
			r, size = utf8.DecodeRune(esc)
			if size != len(esc) {
				return nil, Errorf(CodeInvalidEscapeSequence, "invalid escape string")
			}
		}
		return compileLike(p, r, caseInsensitive)
	}
	return newMatch(name, args, not, compile)
}

// newRegexMatch is e ~ pattern (and ~*, !~, !~*).
func newRegexMatch(e, pattern Expr, ci, not bool) (Expr, error) {
	name := matchOpName("~", ci, not)
	args, err := stringArgs(name, e, pattern)
	if err != nil {
		return nil, err
	}
	return newMatch(name, args, not, func(p string, _ []byte) (matcher, error) {
		re, err := compileRegex(p, ci)
		if err != nil {
			return nil, err
		}
		return regexMatcher{re}, nil
	})
}

// matchOpName is the operator name of a match: "~~" becomes "!~~*" for
// NOT ILIKE.
func matchOpName(base string, ci, not bool) string {
	if ci {
		base += "*"
	}
	if not {
		base = "!" + base
	}
	return base
}

// stringArgs coerces the operands of a text operator to text (varchar
// operands stay as they are), or fails with 42883.
func stringArgs(op string, args ...Expr) ([]Expr, error) {
	out := make([]Expr, len(args))
	for i, a := range args {
		switch k := a.Type().Kind; {
		case k.IsString():
			out[i] = a
		case k == KindUnknown:
			c, err := Coerce(a, Text)
			if err != nil {
				return nil, err
			}
			out[i] = c
		default:
			return nil, undefinedOperator(op, args[0], args[1])
		}
	}
	return out, nil
}

// newMatch builds a pattern-matching operator over (subject, pattern[,
// escape]); compile turns a pattern (and escape) into a matcher. A constant
// pattern is compiled here, once (its errors surface now); a varying one is
// compiled per evaluation whenever it differs from the previous row's.
func newMatch(name string, args []Expr, not bool, compile func(p string, esc []byte) (matcher, error)) (Expr, error) {
	var fixed matcher
	if p, ok := IsConst(args[1]); ok && p != nil {
		var esc Datum
		if len(args) > 2 {
			esc, ok = IsConst(args[2])
			ok = ok && esc != nil
		}
		if ok {
			m, err := compile(p.(string), constBytes(esc))
			if err != nil {
				return nil, err
			}
			fixed = m
		}
	}
	fn := func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		for _, o := range ops {
			if o.isNull() {
				return nullColumn(Bool, n), nil
			}
		}
		cols := make([]arrow.Array, len(ops))
		for i, o := range ops {
			cols[i] = o.arr
		}
		valid, nulls := andValidity(n, cols...)
		vm := bitmap{bits: valid}
		subj, pat := stringAt(ops[0]), stringAt(ops[1])
		esc := func(int) []byte { return nil }
		if len(ops) > 2 {
			esc = stringAt(ops[2])
		}
		m := fixed
		var lastPat, lastEsc []byte
		out := newBits(n)
		for i := 0; i < n; i++ {
			if !vm.get(i) {
				continue
			}
			if fixed == nil {
				if p, e := pat(i), esc(i); m == nil || !bytes.Equal(p, lastPat) || !bytes.Equal(e, lastEsc) {
					var err error
					if m, err = compile(string(p), e); err != nil {
						return nil, err
					}
					lastPat, lastEsc = p, e
				}
			}
			if m.match(subj(i)) != not {
				out[i>>3] |= 1 << (i & 7)
			}
		}
		return makeBool(n, out, valid, nulls), nil
	}
	return newCall(name, true, Bool, args, fn, immutable)
}

// stringAt returns an accessor of row i of a string-like operand.
func stringAt(o operand) func(int) []byte {
	if o.arr == nil {
		c := constBytes(o.val)
		return func(int) []byte { return c }
	}
	offs, data := RawBytes(o.arr)
	return func(i int) []byte { return data[offs[i]:offs[i+1]] }
}
