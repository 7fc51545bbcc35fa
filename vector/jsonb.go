package vector

import (
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
)

// A jsonb value is kept as its canonical text, exactly as Postgres prints
// jsonb: object keys sorted by (length, bytes) with the last of duplicate
// keys winning, ", " between elements and ": " after keys, numbers in
// numeric's canonical form (1.0 stays 1.0, 1e2 becomes 100), strings with
// only ", \, and control characters escaped.

// jsonNode is a parsed JSON value.
type jsonNode struct {
	kind byte   // 'o' object, 'a' array, 's' string, 'n' number, 't' true, 'f' false, 'z' null
	text string // string value, or canonical number text
	keys []string
	vals []*jsonNode // object values (beside keys) or array elements
}

// errJSONSyntax is Postgres' error for malformed json input.
func errJSONSyntax(detail string) error {
	e := Errorf(CodeInvalidTextRepresentation, "invalid input syntax for type json")
	e.Detail = detail
	return e
}

// parseJSON parses one JSON document into nodes.
func parseJSON(s string) (*jsonNode, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	n, err := decodeJSONDepth(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errJSONSyntax("Expected end of input, but found more.")
	}
	return n, nil
}

// jsonMaxDepth bounds nesting, as Postgres bounds its stack depth.
const jsonMaxDepth = 1000

func decodeJSONDepth(dec *json.Decoder, depth int) (*jsonNode, error) {
	if depth > jsonMaxDepth {
		return nil, Errorf(CodeProgramLimitExceeded, "stack depth limit exceeded")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonDecodeError(err)
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &jsonNode{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, jsonDecodeError(err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errJSONSyntax("Expected string, but found a different token.")
				}
				if strings.IndexByte(key, 0) >= 0 {
					return nil, errJSONNul()
				}
				val, err := decodeJSONDepth(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key)
				n.vals = append(n.vals, val)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonDecodeError(err)
			}
			canonicalizeObject(n)
			return n, nil
		case '[':
			n := &jsonNode{kind: 'a'}
			for dec.More() {
				val, err := decodeJSONDepth(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.vals = append(n.vals, val)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonDecodeError(err)
			}
			return n, nil
		}
		return nil, errJSONSyntax("Unexpected token.")
	case string:
		if strings.IndexByte(v, 0) >= 0 {
			return nil, errJSONNul()
		}
		return &jsonNode{kind: 's', text: v}, nil
	case json.Number:
		d, err := ParseNumeric(string(v))
		if err != nil {
			return nil, err
		}
		return &jsonNode{kind: 'n', text: FormatNumeric(d)}, nil
	case bool:
		if v {
			return &jsonNode{kind: 't'}, nil
		}
		return &jsonNode{kind: 'f'}, nil
	case nil:
		return &jsonNode{kind: 'z'}, nil
	}
	return nil, errJSONSyntax("Unexpected token.")
}

// errJSONNul is Postgres' error for \u0000 in jsonb.
func errJSONNul() error {
	e := Errorf(CodeUntranslatableCharacter, "unsupported Unicode escape sequence")
	e.Detail = `\u0000 cannot be converted to text.`
	return e
}

// jsonDecodeError turns an encoding/json error into Postgres' error.
func jsonDecodeError(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return errJSONSyntax("Token is invalid.")
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return errJSONSyntax("The input string ended unexpectedly.")
	}
	return errJSONSyntax(err.Error())
}

// canonicalizeObject sorts keys by (length, bytes) and keeps the last value
// of each duplicate key.
func canonicalizeObject(n *jsonNode) {
	idx := make([]int, len(n.keys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return jsonKeyLess(n.keys[idx[a]], n.keys[idx[b]]) })
	keys := make([]string, 0, len(idx))
	vals := make([]*jsonNode, 0, len(idx))
	for _, i := range idx {
		if len(keys) > 0 && keys[len(keys)-1] == n.keys[i] {
			vals[len(vals)-1] = n.vals[i] // stable sort: later duplicates come later
			continue
		}
		keys = append(keys, n.keys[i])
		vals = append(vals, n.vals[i])
	}
	n.keys, n.vals = keys, vals
}

// jsonKeyLess is jsonb's key order: shorter first, then bytewise.
func jsonKeyLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// appendJSON appends the canonical text of n.
func appendJSON(buf []byte, n *jsonNode) []byte {
	switch n.kind {
	case 'o':
		buf = append(buf, '{')
		for i, k := range n.keys {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendJSONString(buf, k)
			buf = append(buf, ": "...)
			buf = appendJSON(buf, n.vals[i])
		}
		return append(buf, '}')
	case 'a':
		buf = append(buf, '[')
		for i, v := range n.vals {
			if i > 0 {
				buf = append(buf, ", "...)
			}
			buf = appendJSON(buf, v)
		}
		return append(buf, ']')
	case 's':
		return appendJSONString(buf, n.text)
	case 'n':
		return append(buf, n.text...)
	case 't':
		return append(buf, "true"...)
	case 'f':
		return append(buf, "false"...)
	}
	return append(buf, "null"...)
}

// appendJSONString appends s quoted as Postgres' escape_json does.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			buf = append(buf, `\"`...)
		case '\\':
			buf = append(buf, `\\`...)
		case '\b':
			buf = append(buf, `\b`...)
		case '\f':
			buf = append(buf, `\f`...)
		case '\n':
			buf = append(buf, `\n`...)
		case '\r':
			buf = append(buf, `\r`...)
		case '\t':
			buf = append(buf, `\t`...)
		default:
			if c < 0x20 {
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			} else {
				buf = append(buf, c)
			}
		}
	}
	return append(buf, '"')
}

// CanonicalJSON parses JSON text and returns it in jsonb's canonical form.
// Malformed input is 22P02 "invalid input syntax for type json".
func CanonicalJSON(s string) (JSONValue, error) {
	n, err := parseJSON(s)
	if err != nil {
		return "", err
	}
	return JSONValue(appendJSON(nil, n)), nil
}

// mustParseJSON parses a canonical jsonb value (always valid JSON).
func mustParseJSON(doc JSONValue) *jsonNode {
	n, err := parseJSON(string(doc))
	if err != nil {
		return &jsonNode{kind: 'z'}
	}
	return n
}

// JSONGet is doc -> key: the value of key when doc is an object having it.
func JSONGet(doc JSONValue, key string) (JSONValue, bool) {
	if !strings.HasPrefix(string(doc), "{") {
		return "", false
	}
	n := mustParseJSON(doc)
	i := sort.Search(len(n.keys), func(i int) bool { return !jsonKeyLess(n.keys[i], key) })
	if i < len(n.keys) && n.keys[i] == key {
		return JSONValue(appendJSON(nil, n.vals[i])), true
	}
	return "", false
}

// JSONIndex is doc -> idx: element idx (0-based; negative counts from the
// end) when doc is an array long enough. A scalar acts as a one-element
// array, as Postgres 15 stores it ('"a"'::jsonb -> 0 is "a"); an object
// has no elements.
func JSONIndex(doc JSONValue, idx int) (JSONValue, bool) {
	switch {
	case strings.HasPrefix(string(doc), "{"):
		return "", false
	case !strings.HasPrefix(string(doc), "["):
		return doc, idx == 0 || idx == -1
	}
	n := mustParseJSON(doc)
	if idx < 0 {
		idx += len(n.vals)
	}
	if idx < 0 || idx >= len(n.vals) {
		return "", false
	}
	return JSONValue(appendJSON(nil, n.vals[idx])), true
}

// JSONText is the ->> rendering of a jsonb value: a string unquoted, null as
// SQL NULL (false), anything else its jsonb text.
func JSONText(doc JSONValue) (string, bool) {
	switch {
	case doc == "null":
		return "", false
	case strings.HasPrefix(string(doc), `"`):
		var s string
		if err := json.Unmarshal([]byte(doc), &s); err != nil {
			return string(doc), true
		}
		return s, true
	}
	return string(doc), true
}

// jsonKindName is the jsonb type name of a canonical value, as Postgres
// names it in cast errors ("cannot cast jsonb string to type integer").
func jsonKindName(doc JSONValue) string {
	switch {
	case doc == "null":
		return "null"
	case doc == "true" || doc == "false":
		return "boolean"
	case strings.HasPrefix(string(doc), `"`):
		return "string"
	case strings.HasPrefix(string(doc), "{"):
		return "object"
	case strings.HasPrefix(string(doc), "["):
		return "array"
	}
	return "numeric"
}

// compareJSON orders jsonb values as Postgres does (see jsonb_cmp.go).
func compareJSON(a, b JSONValue) int { return compareJSONText(jsonBytes(a), jsonBytes(b)) }
