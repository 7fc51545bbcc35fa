package vector

import (
	"bytes"
	"cmp"
	"unsafe"

	"github.com/zeebo/xxh3"
)

// jsonb order, equality and hashing, computed on the canonical text (see
// jsonb.go) without parsing it into nodes.
//
// The order is Postgres' compareJsonbContainers: by kind first, null <
// string < number < boolean < array < object; strings bytewise on their
// decoded bytes (the C collation), numbers by value (1.0 = 1), false <
// true; an array with more elements, an object with more pairs, is greater;
// otherwise elements, or keys then values pair by pair, decide in order.
// Postgres stores a top-level scalar as a one-element "raw scalar" array,
// so against a top-level array it compares by element count first and is
// the smaller one when the counts tie ('1' > '[]', '1' < '[5]').
//
// The only values with several canonical texts are numbers (1.0 and 1), so
// equal values have equal text once numbers drop their trailing fraction
// zeros: jsonHashKey.

// Kinds of jsonb values in Postgres' order.
const (
	jsonNull = iota
	jsonString
	jsonNumber
	jsonBool
	jsonArray
	jsonObject
)

// jsonKindAt is the kind of the value starting at s[i].
func jsonKindAt(s []byte, i int) int {
	switch s[i] {
	case 'n':
		return jsonNull
	case '"':
		return jsonString
	case 't', 'f':
		return jsonBool
	case '[':
		return jsonArray
	case '{':
		return jsonObject
	}
	return jsonNumber
}

// compareJSONText orders two canonical jsonb texts.
func compareJSONText(a, b []byte) int {
	if bytes.Equal(a, b) {
		return 0
	}
	if len(a) == 0 || len(b) == 0 {
		return cmp.Compare(len(a), len(b))
	}
	ka, kb := jsonKindAt(a, 0), jsonKindAt(b, 0)
	switch {
	case ka < jsonArray && kb == jsonArray:
		return compareRawScalar(b)
	case ka == jsonArray && kb < jsonArray:
		return -compareRawScalar(a)
	}
	c, _, _ := compareJSONAt(a, 0, b, 0)
	return c
}

// compareRawScalar orders a top-level scalar against the top-level array arr.
func compareRawScalar(arr []byte) int {
	if n := jsonCount(arr, 0); n != 1 {
		return cmp.Compare(1, n)
	}
	return -1
}

// compareJSONAt orders the values starting at a[i] and b[j]; when they are
// equal it also returns the indexes just after them.
func compareJSONAt(a []byte, i int, b []byte, j int) (c, ni, nj int) {
	if i >= len(a) || j >= len(b) { // only for text that is not canonical
		return cmp.Compare(len(a)-i, len(b)-j), i, j
	}
	ka, kb := jsonKindAt(a, i), jsonKindAt(b, j)
	if ka != kb {
		return cmp.Compare(ka, kb), 0, 0
	}
	switch ka {
	case jsonString:
		return compareJSONStrings(a, i, b, j)
	case jsonArray, jsonObject:
		return compareJSONContainers(a, i, b, j)
	}
	ni, nj = jsonSkip(a, i), jsonSkip(b, j)
	switch ka {
	case jsonNumber:
		c = CompareNumericText(a[i:ni], b[j:nj])
	case jsonBool:
		c = cmp.Compare(a[i], b[j]) // 'f' < 't'
	}
	return c, ni, nj
}

// compareJSONContainers orders two arrays or two objects: by size, then
// element by element (objects: key, then value).
func compareJSONContainers(a []byte, i int, b []byte, j int) (c, ni, nj int) {
	if c := cmp.Compare(jsonCount(a, i), jsonCount(b, j)); c != 0 {
		return c, 0, 0
	}
	object := a[i] == '{'
	i, j = i+1, j+1
	for i < len(a) && a[i] != ']' && a[i] != '}' {
		if object {
			if c, i, j = compareJSONStrings(a, i, b, j); c != 0 {
				return c, 0, 0
			}
			i, j = i+2, j+2 // ": "
		}
		if c, i, j = compareJSONAt(a, i, b, j); c != 0 {
			return c, 0, 0
		}
		if i < len(a) && a[i] == ',' {
			i, j = i+2, j+2 // ", "
		}
	}
	return 0, i + 1, j + 1
}

// compareJSONStrings orders the JSON strings starting at a[i] and b[j] by
// their decoded bytes.
func compareJSONStrings(a []byte, i int, b []byte, j int) (c, ni, nj int) {
	i, j = i+1, j+1
	for {
		ca, ea := jsonStringByte(a, &i)
		cb, eb := jsonStringByte(b, &j)
		switch {
		case ea || eb:
			return cmp.Compare(b2u(!ea), b2u(!eb)), i, j
		case ca != cb:
			return cmp.Compare(ca, cb), 0, 0
		}
	}
}

// jsonStringByte decodes the next byte of a JSON string body at s[*i] and
// advances *i past it; end reports the closing quote (or the end of s).
// Canonical text escapes only ", \ and control characters, each one byte.
func jsonStringByte(s []byte, i *int) (c byte, end bool) {
	k := *i
	if k >= len(s) || s[k] == '"' {
		*i = k + 1
		return 0, true
	}
	if s[k] != '\\' || k+1 >= len(s) {
		*i = k + 1
		return s[k], false
	}
	*i = k + 2
	switch s[k+1] {
	case 'b':
		return '\b', false
	case 'f':
		return '\f', false
	case 'n':
		return '\n', false
	case 'r':
		return '\r', false
	case 't':
		return '\t', false
	case 'u':
		var v byte
		for n := k + 2; n < k+6 && n < len(s); n++ {
			h, _ := hexValue(s[n])
			v = v<<4 | h
		}
		*i = k + 6
		return v, false
	}
	return s[k+1], false
}

// jsonSkip is the index just after the value starting at s[i].
func jsonSkip(s []byte, i int) int {
	switch s[i] {
	case '"':
		for i++; ; {
			if _, end := jsonStringByte(s, &i); end {
				return i
			}
		}
	case '[', '{':
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"':
				i = jsonSkip(s, i)
				continue
			case '[', '{':
				depth++
			case ']', '}':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(s) && s[i] != ',' && s[i] != ']' && s[i] != '}' {
		i++
	}
	return i
}

// jsonCount is the number of elements of the array, or pairs of the
// object, starting at s[i].
func jsonCount(s []byte, i int) int {
	object := s[i] == '{'
	i++
	n := 0
	for i < len(s) && s[i] != ']' && s[i] != '}' {
		if object {
			i = jsonSkip(s, i) + 2 // key and ": "
			if i >= len(s) {
				break
			}
		}
		i = jsonSkip(s, i)
		n++
		if i < len(s) && s[i] == ',' {
			i += 2
		}
	}
	return n
}

// jsonHashKey is the text of a jsonb value that equal values share: the
// canonical text with the trailing zeros of every fraction dropped (and the
// point of a fraction of zeros). It returns s itself when that changes
// nothing, else the key built in *scratch (reused between calls).
func jsonHashKey(s []byte, scratch *[]byte) []byte {
	dst := (*scratch)[:0]
	copied := 0 // s[:copied] is already in dst
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '"':
			i = jsonSkip(s, i)
		case c == '-' || isDigit(c):
			end := jsonSkip(s, i)
			num := s[i:end]
			if dot := bytes.IndexByte(num, '.'); dot >= 0 {
				trimmed := bytes.TrimRight(num, "0")
				if len(trimmed) == dot+1 {
					trimmed = trimmed[:dot]
				}
				if len(trimmed) < len(num) {
					dst = append(dst, s[copied:i]...)
					dst = append(dst, trimmed...)
					copied = end
				}
			}
			i = end
		default:
			i++
		}
	}
	if copied == 0 {
		return s
	}
	*scratch = append(dst, s[copied:]...)
	return *scratch
}

// hashJSONColumn mixes the jsonb values of a column into hashes by value.
func hashJSONColumn(offs []int32, data []byte, hashes []uint64) {
	var scratch []byte
	for i := range hashes {
		hashes[i] = mix(hashes[i], xxh3.Hash(jsonHashKey(data[offs[i]:offs[i+1]], &scratch)))
	}
}

// jsonBytes is the text of a jsonb Datum as bytes, without copying; the
// result must not be modified.
func jsonBytes(v JSONValue) []byte {
	return unsafe.Slice(unsafe.StringData(string(v)), len(v))
}
