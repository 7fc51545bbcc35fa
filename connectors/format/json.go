package format

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// The json format: a record is one JSON object whose keys are the column
// names, e.g. {"id":1,"name":"ann","at":"2024-01-01 00:00:01.5+00"}.
//
// Encoding, per type:
//
//	NULL                            null
//	boolean                         true / false
//	integers, floats, numeric       a JSON number in the Postgres text form
//	                                (12, 1.5e-05, 12.50); NaN, Infinity and
//	                                -Infinity, which JSON numbers cannot be,
//	                                are strings ("NaN"), as Postgres' to_json
//	                                writes them
//	jsonb                           the JSON value itself, nested
//	everything else                 a JSON string of the Postgres text form:
//	                                timestamp "2024-01-01 00:00:01.5",
//	                                timestamptz in UTC "2024-01-01 00:00:01.5+00",
//	                                date, time, interval, bytea "\\x0102"
//
// Decoding accepts what encoding writes, and more:
//   - a missing key is NULL; keys that are not columns are ignored; of
//     duplicate keys the last wins. A jsonb column cannot hold the JSON value
//     null: null is SQL NULL for every column.
//   - a JSON string is read by the Postgres text input of the column's type,
//     so numbers and booleans may be quoted ("12", "true"), and timestamps
//     may be RFC 3339 ("2024-01-01T00:00:01.5Z"; a timestamp without time
//     zone ignores the offset, as Postgres does).
//   - a JSON number is accepted by numeric columns (read by their text
//     input: 1.5 is not an integer) and by timestamp and timestamptz
//     columns, as whole milliseconds since 1970-01-01 00:00:00 UTC (years 1
//     to 9999 AD).
//   - any other JSON value where the column's type has none (a number for a
//     date, an object for text) is 22P02, as is a line that is not a JSON
//     object.
//   - a string read by a column must be UTF-8 (22021 otherwise) without
//     \u0000 (22P05); a \u escape of half a surrogate pair reads as U+FFFD.

// jsonEncoder writes rows as JSON objects.
type jsonEncoder struct {
	cols []Column
	// keys[c] is column c's key, quoted, with the colon after it.
	keys  [][]byte
	text  []byte // scratch: a value's text form
	quote *jsonQuoter
}

func newJSONEncoder(cols []Column) (Encoder, error) { return newJSONObjectEncoder(cols), nil }

func newJSONObjectEncoder(cols []Column) *jsonEncoder {
	e := &jsonEncoder{cols: cols, keys: make([][]byte, len(cols)), quote: newJSONQuoter()}
	for c, col := range cols {
		e.keys[c] = append(e.quote.append(nil, col.Name), ':')
	}
	return e
}

// Append appends row i of b as a JSON object (del is ignored: json has no
// retractions).
func (e *jsonEncoder) Append(dst []byte, b *vector.Batch, i int, _ bool) []byte {
	dst = append(dst, '{')
	for c, col := range e.cols {
		if c > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, e.keys[c]...)
		dst = e.appendValue(dst, b.Cols[c], col.Type, i)
	}
	return append(dst, '}')
}

// appendValue appends row i of arr, a column of type t, as a JSON value.
func (e *jsonEncoder) appendValue(dst []byte, arr arrow.Array, t vector.Type, i int) []byte {
	switch {
	case arr.IsNull(i):
		return append(dst, "null"...)
	case t.Kind == vector.KindBool:
		return strconv.AppendBool(dst, arr.(*array.Boolean).Value(i))
	case t.Kind == vector.KindJSONB:
		return vector.AppendText(dst, arr, t, i, nil)
	}
	e.text = vector.AppendText(e.text[:0], arr, t, i, nil)
	if t.Kind.IsNumeric() && isJSONNumber(e.text) {
		return append(dst, e.text...)
	}
	return e.quote.append(dst, string(e.text))
}

// isJSONNumber reports whether s, the Postgres text form of a number, is a
// JSON number: every finite value's is; NaN and the infinities are not.
func isJSONNumber(s []byte) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	return len(s) > 0 && s[0] >= '0' && s[0] <= '9'
}

// jsonQuoter quotes strings as JSON with encoding/json, without its HTML
// escaping of <, > and &.
type jsonQuoter struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newJSONQuoter() *jsonQuoter {
	q := &jsonQuoter{}
	q.enc = json.NewEncoder(&q.buf)
	q.enc.SetEscapeHTML(false)
	return q
}

// append appends s as a JSON string (invalid UTF-8 becomes U+FFFD).
func (q *jsonQuoter) append(dst []byte, s string) []byte {
	q.buf.Reset()
	_ = q.enc.Encode(s) // encoding a string cannot fail; the buffer does not either
	return append(dst, bytes.TrimSuffix(q.buf.Bytes(), []byte{'\n'})...)
}

// jsonDecoder reads JSON objects into rows: it scans the record in place
// for the values of the declared columns, then appends them, so that a
// record costs no allocation besides the builders' growth (a jsonb value
// and a string with escapes excepted).
type jsonDecoder struct {
	cols  []Column
	index map[string]int // column by name
	// vals[c] is the value of column c in the record being decoded, nil
	// when the key is missing.
	vals [][]byte
	// next is the column expected to come next: keys usually come in the
	// order of the columns.
	next int
	text []byte // scratch: a string's unescaped text
}

func newJSONDecoder(cols []Column) (Decoder, error) { return newJSONRowDecoder(cols), nil }

func newJSONRowDecoder(cols []Column) *jsonDecoder {
	d := &jsonDecoder{cols: cols, index: make(map[string]int, len(cols)), vals: make([][]byte, len(cols))}
	for c, col := range cols {
		d.index[col.Name] = c
	}
	return d
}

func (d *jsonDecoder) Decode(rec []byte, out *Changes) error {
	s := jsonScan{rec: rec}
	s.space()
	if s.i == len(rec) || rec[s.i] != '{' {
		return errJSONRecord("expected a JSON object")
	}
	if err := d.row(&s, out); err != nil {
		return err
	}
	return s.end()
}

// row reads the object at s.i into a row of out.
func (d *jsonDecoder) row(s *jsonScan, out *Changes) error {
	clear(d.vals)
	d.next = 0
	s.i++ // the brace
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		start := s.i
		if err := s.value(1); err != nil {
			return err
		}
		if c := d.column(key); c >= 0 {
			d.vals[c] = s.rec[start:s.i]
		}
	}
	for c, col := range d.cols {
		if err := d.appendValue(d.vals[c], col.Type, out.Col(c)); err != nil {
			return columnError(col, err)
		}
	}
	out.EndRow()
	return nil
}

// column is the index of the column called key (a key's text between its
// quotes), -1 when there is none.
func (d *jsonDecoder) column(key []byte) int {
	if bytes.IndexByte(key, '\\') >= 0 {
		d.text = jsonUnescape(d.text[:0], key)
		key = d.text
	}
	if c := d.next; c < len(d.cols) && d.cols[c].Name == string(key) {
		d.next++
		return c
	}
	c, ok := d.index[string(key)]
	if !ok {
		return -1
	}
	d.next = c + 1
	return c
}

// errJSONRecord is the error of a record that is not a well-formed JSON
// object; detail says what is wrong.
func errJSONRecord(detail string) error {
	e := vector.Errorf(vector.CodeInvalidTextRepresentation, "invalid input syntax for type json")
	e.Detail = detail
	return e
}

// appendValue appends the JSON value raw, valid JSON text (nil when the key
// is missing), to out, a column of type t, as the format's comment says.
func (d *jsonDecoder) appendValue(raw []byte, t vector.Type, out *vector.Builder) error {
	switch {
	case raw == nil || raw[0] == 'n': // null
		out.AppendNull()
		return nil
	case t.Kind == vector.KindJSONB:
		v, err := vector.CanonicalJSON(string(raw))
		if err == nil {
			out.Append(v)
		}
		return err
	}
	switch raw[0] {
	case '"':
		text := raw[1 : len(raw)-1]
		if bytes.IndexByte(text, '\\') >= 0 {
			d.text = jsonUnescape(d.text[:0], text)
			text = d.text
			if bytes.IndexByte(text, 0) >= 0 {
				e := vector.Errorf(vector.CodeUntranslatableCharacter, "unsupported Unicode escape sequence")
				e.Detail = `\u0000 cannot be converted to text.`
				return e
			}
		}
		if !utf8.Valid(text) {
			return vector.Errorf(vector.CodeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
		}
		return out.AppendText(text, nil)
	case 't', 'f':
		if t.Kind == vector.KindBool {
			out.Append(raw[0] == 't')
			return nil
		}
	case '{', '[':
	default: // a number
		switch {
		case t.Kind.IsNumeric():
			return out.AppendText(raw, nil)
		case t.Kind == vector.KindTimestamp || t.Kind == vector.KindTimestampTZ:
			return appendEpochMillis(out, raw, t)
		}
	}
	return vector.Errorf(vector.CodeInvalidTextRepresentation, "a JSON %s is not a value of type %s", jsonKindName(raw[0]), t)
}

// jsonKindName names the kind of the JSON value starting with c.
func jsonKindName(c byte) string {
	switch c {
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "number"
}

// The range of epoch milliseconds read as timestamps: years 1 to 9999 AD.
var (
	minEpochMillis = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	maxEpochMillis = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli() - 1
)

// appendEpochMillis appends the timestamp (t is timestamp or timestamptz)
// that is raw, a JSON number, milliseconds after 1970-01-01 00:00:00 UTC.
func appendEpochMillis(out *vector.Builder, raw []byte, t vector.Type) error {
	ms, err := strconv.ParseInt(string(raw), 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) || err == nil && (ms < minEpochMillis || ms > maxEpochMillis):
		return vector.Errorf(vector.CodeDatetimeFieldOverflow, "timestamp out of range: %s milliseconds since 1970-01-01", raw)
	case err != nil:
		return vector.Errorf(vector.CodeInvalidTextRepresentation,
			"invalid input syntax for type %s: %s (a number must be whole milliseconds since 1970-01-01 00:00:00 UTC)", t, raw)
	}
	if t.Kind == vector.KindTimestampTZ {
		out.Append(vector.TimestampTZValue(ms * 1000))
	} else {
		out.Append(vector.TimestampValue(ms * 1000))
	}
	return nil
}
