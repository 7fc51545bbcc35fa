package format

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// The raw formats: a record is the value of the relation's one column as
// it is, the whole of the record.
//
//   - raw_string: the column is text or varchar; a record must be UTF-8
//     without NUL bytes (22021 otherwise), and longer than a varchar(n)
//     allows is 22001, as in Postgres.
//   - raw_bytes: the column is bytea; a record is any bytes.
//
// Any other list of columns is a 22023 error when the encoder or decoder is
// made. NULL is written as an empty record, which reads back as the empty
// string (bytes): a raw record cannot be NULL.

// rawColumn checks that cols are the one column of a raw format f, one of
// whose type ok accepts; want names those types.
func rawColumn(f string, cols []Column, want string, ok func(vector.Type) bool) error {
	if len(cols) == 1 && ok(cols[0].Type) {
		return nil
	}
	desc := make([]string, len(cols))
	for i, c := range cols {
		desc[i] = fmt.Sprintf("%q %s", c.Name, c.Type)
	}
	return vector.Errorf(vector.CodeInvalidParameterValue, "format %q needs exactly one column, of type %s, not (%s)",
		f, want, strings.Join(desc, ", "))
}

func rawStringColumn(cols []Column) error {
	return rawColumn("raw_string", cols, "text or character varying", func(t vector.Type) bool { return t.Kind.IsString() })
}

func rawBytesColumn(cols []Column) error {
	return rawColumn("raw_bytes", cols, "bytea", func(t vector.Type) bool { return t.Kind == vector.KindBytea })
}

// rawStringCodec reads and writes raw_string records.
type rawStringCodec struct{ col Column }

func newRawStringDecoder(cols []Column) (Decoder, error) {
	if err := rawStringColumn(cols); err != nil {
		return nil, err
	}
	return rawStringCodec{cols[0]}, nil
}

func newRawStringEncoder(cols []Column) (Encoder, error) {
	if err := rawStringColumn(cols); err != nil {
		return nil, err
	}
	return rawStringCodec{cols[0]}, nil
}

func (r rawStringCodec) Decode(rec []byte, out *Changes) error {
	if !utf8.Valid(rec) || bytes.IndexByte(rec, 0) >= 0 {
		return columnError(r.col, vector.Errorf(vector.CodeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\""))
	}
	if err := out.Col(0).AppendText(rec, nil); err != nil {
		return columnError(r.col, err)
	}
	out.EndRow()
	return nil
}

// Append appends the text of row i (del is ignored: raw_string has no
// retractions).
func (rawStringCodec) Append(dst []byte, b *vector.Batch, i int, _ bool) []byte {
	return append(dst, b.Cols[0].(*array.String).Value(i)...) // "" when NULL
}

// rawBytesCodec reads and writes raw_bytes records.
type rawBytesCodec struct{}

func newRawBytesDecoder(cols []Column) (Decoder, error) {
	if err := rawBytesColumn(cols); err != nil {
		return nil, err
	}
	return rawBytesCodec{}, nil
}

func newRawBytesEncoder(cols []Column) (Encoder, error) {
	if err := rawBytesColumn(cols); err != nil {
		return nil, err
	}
	return rawBytesCodec{}, nil
}

func (rawBytesCodec) Decode(rec []byte, out *Changes) error {
	out.Col(0).Append(rec) // copied into the column
	out.EndRow()
	return nil
}

// Append appends the bytes of row i (del is ignored: raw_bytes has no
// retractions).
func (rawBytesCodec) Append(dst []byte, b *vector.Batch, i int, _ bool) []byte {
	return append(dst, b.Cols[0].(*array.Binary).Value(i)...) // empty when NULL
}
