package format

import (
	"bytes"

	"github.com/runneldb/runnel/vector"
)

// The csv format (RFC 4180): a record is the values of the columns in their
// declared order, separated by commas, without a header. A value is its
// Postgres text form (timestamptz in UTC), in double quotes when it is empty
// or holds a comma, a double quote (written twice) or a line break. NULL is
// an empty unquoted field and the empty string is "", as in Postgres' COPY
// CSV. Decoding reads the same: a quoted field is never NULL, a record must
// have exactly one field per column (22P04 otherwise), and a value is read
// by the Postgres text input of its column's type.
//
// encoding/csv is not used because it cannot tell an empty field from "",
// and it skips empty lines, which are the records of a single NULL column.

// csvEncoder writes rows as CSV records.
type csvEncoder struct {
	cols []Column
	text []byte // scratch: a value's text form
}

func newCSVEncoder(cols []Column) (Encoder, error) { return &csvEncoder{cols: cols}, nil }

// Append appends row i of b as a CSV record (del is ignored: csv has no
// retractions).
func (e *csvEncoder) Append(dst []byte, b *vector.Batch, i int, _ bool) []byte {
	for c, col := range e.cols {
		if c > 0 {
			dst = append(dst, ',')
		}
		if b.Cols[c].IsNull(i) {
			continue
		}
		e.text = vector.AppendText(e.text[:0], b.Cols[c], col.Type, i, nil)
		dst = appendCSVField(dst, e.text)
	}
	return dst
}

// appendCSVField appends the non-NULL value v as a field, quoted when it
// must be.
func appendCSVField(dst, v []byte) []byte {
	if len(v) > 0 && !bytes.ContainsAny(v, ",\"\r\n") {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for _, c := range v {
		if c == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// csvDecoder reads CSV records into rows.
type csvDecoder struct {
	cols    []Column
	fields  []csvField // the current record's, reused
	scratch []byte     // the decoded text of its quoted fields
}

// csvField is a field of a record: its value, and whether it was quoted.
type csvField struct {
	val    []byte
	quoted bool
}

func newCSVDecoder(cols []Column) (Decoder, error) { return &csvDecoder{cols: cols}, nil }

func (d *csvDecoder) Decode(rec []byte, out *Changes) error {
	if err := d.split(rec); err != nil {
		return err
	}
	if len(d.fields) < len(d.cols) {
		return vector.Errorf(vector.CodeBadCopyFileFormat, "missing data for column %q", d.cols[len(d.fields)].Name)
	}
	if len(d.fields) > len(d.cols) {
		return vector.Errorf(vector.CodeBadCopyFileFormat, "extra data after last expected column")
	}
	for c, f := range d.fields {
		if !f.quoted && len(f.val) == 0 {
			out.Col(c).AppendNull()
			continue
		}
		if err := out.Col(c).AppendText(f.val, nil); err != nil {
			return columnError(d.cols[c], err)
		}
	}
	out.EndRow()
	return nil
}

// split splits rec into d.fields. An unquoted field is a slice of rec; a
// quoted one is decoded into d.scratch (a field keeps its bytes when scratch
// grows later: growing copies, it does not overwrite).
func (d *csvDecoder) split(rec []byte) error {
	d.fields, d.scratch = d.fields[:0], d.scratch[:0]
	i := 0
	for {
		if i < len(rec) && rec[i] == '"' {
			start := len(d.scratch)
			i++
			for {
				j := bytes.IndexByte(rec[i:], '"')
				if j < 0 {
					return vector.Errorf(vector.CodeBadCopyFileFormat, "unterminated CSV quoted field")
				}
				d.scratch = append(d.scratch, rec[i:i+j]...)
				i += j + 1
				if i == len(rec) || rec[i] != '"' {
					break
				}
				d.scratch = append(d.scratch, '"') // "" is one quote
				i++
			}
			if i < len(rec) && rec[i] != ',' {
				return vector.Errorf(vector.CodeBadCopyFileFormat, "unexpected character after the closing quote of a CSV field")
			}
			d.fields = append(d.fields, csvField{val: d.scratch[start:len(d.scratch):len(d.scratch)], quoted: true})
		} else {
			j := bytes.IndexByte(rec[i:], ',')
			if j < 0 {
				j = len(rec) - i
			}
			if bytes.IndexByte(rec[i:i+j], '"') >= 0 {
				return vector.Errorf(vector.CodeBadCopyFileFormat, "a double quote inside an unquoted CSV field")
			}
			d.fields = append(d.fields, csvField{val: rec[i : i+j]})
			i += j
		}
		if i == len(rec) {
			return nil
		}
		i++ // the comma
	}
}
