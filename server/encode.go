package server

import (
	"encoding/binary"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/vector"
)

// Wire formats of values.
const (
	formatText   int16 = 0
	formatBinary int16 = 1
)

// rowDescription describes cols, column i being sent in formats[i]
// (formats nil: every column in text).
func rowDescription(cols []runnel.Column, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, c := range cols {
		fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(c.Name),
			TableOID:             c.TableOID,
			TableAttributeNumber: uint16(c.Attr),
			DataTypeOID:          c.Type.OID(),
			DataTypeSize:         c.Type.Size(),
			TypeModifier:         c.Type.Modifier(),
		}
		if formats != nil {
			fields[i].Format = formats[i]
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// expandFormats turns the format codes of a Bind message (none: all text;
// one: all in that format; otherwise one per item) into one code per item,
// as Postgres does for both parameters and result columns. The caller has
// checked that a list of several codes has n of them.
func expandFormats(codes []int16, n int) ([]int16, error) {
	out := make([]int16, n)
	for i := range out {
		switch {
		case len(codes) == 1:
			out[i] = codes[0]
		case len(codes) > 1:
			out[i] = codes[i]
		}
		if out[i] != formatText && out[i] != formatBinary {
			return nil, vector.Errorf(vector.CodeInvalidParameterValue, "unsupported format code: %d", out[i])
		}
	}
	return out, nil
}

// rowEncoder encodes DataRow messages straight from the Arrow columns of
// batches into one reusable buffer. Invariant: buf holds only complete
// DataRow messages, ready to be written to the client as they are.
type rowEncoder struct {
	buf []byte
	loc *time.Location
}

// appendRows appends the DataRow messages of rows [from, to) of b, column j
// of type cols[j].Type encoded in formats[j] (formats nil: all text).
func (e *rowEncoder) appendRows(b *vector.Batch, from, to int, cols []runnel.Column, formats []int16) {
	buf := e.buf
	n := len(b.Cols)
	for i := from; i < to; i++ {
		start := len(buf)
		buf = append(buf, 'D', 0, 0, 0, 0, byte(n>>8), byte(n))
		for j, col := range b.Cols {
			if col.IsNull(i) {
				buf = append(buf, 0xff, 0xff, 0xff, 0xff)
				continue
			}
			lp := len(buf)
			buf = append(buf, 0, 0, 0, 0)
			if formats != nil && formats[j] == formatBinary {
				buf = vector.AppendBinary(buf, col, cols[j].Type, i)
			} else {
				buf = vector.AppendText(buf, col, cols[j].Type, i, e.loc)
			}
			binary.BigEndian.PutUint32(buf[lp:], uint32(len(buf)-lp-4))
		}
		binary.BigEndian.PutUint32(buf[start+1:], uint32(len(buf)-start-1))
	}
	e.buf = buf
}
