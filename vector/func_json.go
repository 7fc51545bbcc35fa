package vector

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// jsonb operators and functions. Values are canonical jsonb text; the
// navigation primitives (JSONGet, JSONIndex, JSONText) live in jsonb.go.

func init() {
	register("jsonb_typeof", overload{params: []Type{JSONB}, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
		kind := jsonKindName(JSONValue(r.str(0)))
		if kind == "numeric" {
			kind = "number"
		}
		return append(dst, kind...), false, nil
	})})
	register("jsonb_array_length", overload{params: []Type{JSONB}, ret: Int4, fn: fixedFn(Int4, func(r *row) (int32, bool, error) {
		n := mustParseJSON(JSONValue(r.str(0)))
		switch n.kind {
		case 'a':
			return int32(len(n.vals)), false, nil
		case 'o':
			return 0, false, Errorf(CodeInvalidParameterValue, "cannot get array length of a non-array")
		}
		return 0, false, Errorf(CodeInvalidParameterValue, "cannot get array length of a scalar")
	})})
	for _, name := range []string{"jsonb_extract_path", "jsonb_extract_path_text"} {
		asText := strings.HasSuffix(name, "_text")
		t := JSONB
		if asText {
			t = Text
		}
		register(name, overload{params: []Type{JSONB, Text}, variadic: true, ret: t, fn: textFn(t, true, func(dst []byte, r *row) ([]byte, bool, error) {
			doc := JSONValue(r.str(0))
			for k := 1; k < len(r.ops); k++ {
				var ok bool
				if doc, ok = jsonStep(doc, string(r.str(k))); !ok {
					return dst, true, nil
				}
			}
			return appendJSONResult(dst, doc, asText)
		})})
	}
	register("jsonb_build_object",
		overload{build: buildJSONObject},
		overload{params: []Type{anyType}, variadic: true, build: buildJSONObject})
	buildArray := func(args []Expr) (Expr, error) { return newJSONBuilder("jsonb_build_array", args, '[') }
	register("jsonb_build_array",
		overload{build: buildArray},
		overload{params: []Type{anyType}, variadic: true, build: buildArray})
	register("to_jsonb", overload{params: []Type{anyType}, build: func(args []Expr) (Expr, error) {
		return newJSONBuilder("to_jsonb", args, 0)
	}})
}

// jsonStep is one step of a path: an object key, or an array index given
// as an integer string.
func jsonStep(doc JSONValue, key string) (JSONValue, bool) {
	if strings.HasPrefix(string(doc), "[") {
		idx, err := strconv.Atoi(key)
		if err != nil {
			return "", false
		}
		return JSONIndex(doc, idx)
	}
	return JSONGet(doc, key)
}

// appendJSONResult appends doc, or with asText its ->> text (NULL for a
// JSON null).
func appendJSONResult(dst []byte, doc JSONValue, asText bool) ([]byte, bool, error) {
	if !asText {
		return append(dst, doc...), false, nil
	}
	s, ok := JSONText(doc)
	if !ok {
		return dst, true, nil
	}
	return append(dst, s...), false, nil
}

// newJSONOp builds -> and ->> with a text key or an integer index, and
// the containment operators @> and <@. #> and #>> need text[] paths, which
// runnel has no type for yet.
func newJSONOp(op string, l, r Expr) (Expr, error) {
	if l.Type().Kind == KindUnknown {
		var err error
		if l, err = Coerce(l, JSONB); err != nil {
			return nil, err
		}
	}
	if l.Type().Kind != KindJSONB || op == "#>" || op == "#>>" {
		return nil, undefinedOperator(op, l, r)
	}
	if op == "@>" || op == "<@" {
		if k := r.Type().Kind; k != KindJSONB && k != KindUnknown {
			return nil, undefinedOperator(op, l, r)
		}
		r, err := Coerce(r, JSONB)
		if err != nil {
			return nil, err
		}
		sub, super := 1, 0
		if op == "<@" {
			sub, super = 0, 1
		}
		return newCall(op, true, Bool, []Expr{l, r}, boolFn(func(rw *row) (bool, error) {
			a, b := mustParseJSON(JSONValue(rw.str(super))), mustParseJSON(JSONValue(rw.str(sub)))
			if a.kind == 'a' && b.kind != 'a' && b.kind != 'o' {
				// A top-level array contains a scalar it holds.
				return jsonArrayHas(a, b), nil
			}
			return jsonContains(a, b), nil
		}), immutable)
	}
	asText := op == "->>"
	t := JSONB
	if asText {
		t = Text
	}
	// get reads the element that row rw's right operand names in doc.
	var get func(doc JSONValue, rw *row) (JSONValue, bool)
	var rt Type
	switch rk := r.Type().Kind; {
	case rk.IsInteger():
		rt, get = Int4, func(doc JSONValue, rw *row) (JSONValue, bool) { return JSONIndex(doc, int(rw.int(1))) }
	case rk.IsString() || rk == KindUnknown:
		rt, get = Text, func(doc JSONValue, rw *row) (JSONValue, bool) { return JSONGet(doc, string(rw.str(1))) }
	default:
		return nil, undefinedOperator(op, l, r)
	}
	r, err := Coerce(r, rt)
	if err != nil {
		return nil, err
	}
	return newCall(op, true, t, []Expr{l, r}, textFn(t, true, func(dst []byte, rw *row) ([]byte, bool, error) {
		doc, ok := get(JSONValue(rw.str(0)), rw)
		if !ok {
			return dst, true, nil
		}
		return appendJSONResult(dst, doc, asText)
	}), immutable)
}

// buildJSONObject is jsonb_build_object(k1, v1, …): keys must not be NULL.
func buildJSONObject(args []Expr) (Expr, error) {
	if len(args)%2 != 0 {
		e := Errorf(CodeInvalidParameterValue, "argument list must have even number of elements")
		e.Hint = "The arguments of jsonb_build_object() must consist of alternating keys and values."
		return nil, e
	}
	return newJSONBuilder("jsonb_build_object", args, '{')
}

// newJSONBuilder makes to_jsonb (shape 0), jsonb_build_array ('[') or
// jsonb_build_object ('{') over args of any type. NULL arguments become
// JSON null (to_jsonb of NULL is NULL).
func newJSONBuilder(name string, args []Expr, shape byte) (Expr, error) {
	types := make([]Type, len(args))
	for i, a := range args {
		types[i] = a.Type()
	}
	fn := func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		sb := newStringBuilder(n, n*16)
		var buf []byte
		for i := 0; i < n; i++ {
			buf = buf[:0]
			switch shape {
			case '[':
				buf = append(buf, '[')
			case '{':
				buf = append(buf, '{')
			}
			null := false
			for k, o := range ops {
				d := datumAt(o, types[k], i)
				if shape == 0 && d == nil {
					null = true
					break
				}
				if k > 0 {
					if shape == '{' && k%2 == 1 {
						buf = append(buf, ':')
					} else {
						buf = append(buf, ',')
					}
				}
				if shape == '{' && k%2 == 0 {
					if d == nil {
						return nil, Errorf(CodeInvalidParameterValue, "argument %d: key must not be null", k+1)
					}
					buf = appendJSONString(buf, FormatDatum(d, types[k], ctx.location()))
					continue
				}
				buf = appendJSONDatum(buf, d, types[k], ctx.location())
			}
			if null {
				sb.appendNull()
				continue
			}
			switch shape {
			case '[':
				buf = append(buf, ']')
			case '{':
				buf = append(buf, '}')
			}
			doc, err := CanonicalJSON(string(buf))
			if err != nil {
				return nil, err
			}
			sb.appendString(string(doc))
		}
		return sb.finish(JSONB), nil
	}
	return newCall(name, false, JSONB, args, fn, stable)
}

// appendJSONDatum appends d of type t as JSON, as to_jsonb converts it:
// numbers bare (in numeric's canonical form), booleans, jsonb as is, timestamps in ISO 8601 with a T,
// everything else as a JSON string of its text.
func appendJSONDatum(buf []byte, d Datum, t Type, loc *time.Location) []byte {
	if d == nil {
		return append(buf, "null"...)
	}
	switch t.Kind {
	case KindFloat4, KindFloat8:
		// jsonb numbers are numerics: 1e-07 is 0.0000001.
		if n, err := datumToNumeric(d); err == nil {
			return appendJSONDatum(buf, n, Numeric, loc)
		}
		return appendJSONString(buf, FormatDatum(d, t, loc))
	case KindInt2, KindInt4, KindInt8, KindNumeric:
		s := FormatDatum(d, t, loc)
		if strings.ContainsAny(s, "aI") { // NaN, Infinity are strings in JSON
			return appendJSONString(buf, s)
		}
		return append(buf, s...)
	case KindBool:
		return strconv.AppendBool(buf, d.(bool))
	case KindJSONB:
		return append(buf, d.(JSONValue)...)
	case KindTimestamp, KindTimestampTZ:
		return appendJSONString(buf, strings.Replace(FormatDatum(d, t, loc), " ", "T", 1))
	}
	return appendJSONString(buf, FormatDatum(d, t, loc))
}

// jsonContains is Postgres' jsonb containment a @> b: objects contain the
// pairs of b (values compared recursively), arrays contain every element
// of b somewhere, scalars are equal.
func jsonContains(a, b *jsonNode) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case 'o':
		for i, k := range b.keys {
			j := slices.Index(a.keys, k)
			if j < 0 || !jsonContains(a.vals[j], b.vals[i]) {
				return false
			}
		}
		return true
	case 'a':
		for _, e := range b.vals {
			if !jsonArrayHas(a, e) {
				return false
			}
		}
		return true
	case 'n':
		return CompareNumericText([]byte(a.text), []byte(b.text)) == 0
	}
	return a.text == b.text
}

// jsonArrayHas reports whether some element of array a contains e.
func jsonArrayHas(a, e *jsonNode) bool {
	for _, x := range a.vals {
		if jsonContains(x, e) {
			return true
		}
	}
	return false
}
