package runnel

import (
	"encoding/binary"

	"github.com/runneldb/runnel/vector"
)

// binarySignature starts COPY's binary format.
const binarySignature = "PGCOPY\n\xff\r\n\x00"

// parseBinary parses complete tuples of COPY's binary format: after the
// header, each tuple is an int16 field count and that many fields of an
// int32 length (-1 for NULL) and the value's binary form; a count of -1
// ends the data. It returns the bytes consumed.
func (l *copyLoader) parseBinary(data []byte, _ bool) (int, error) {
	pos := 0
	if !l.headerDone {
		if len(data) < len(binarySignature)+8 {
			return 0, nil
		}
		if string(data[:len(binarySignature)]) != binarySignature {
			return 0, vector.Errorf(vector.CodeBadCopyFileFormat, "COPY file signature not recognized")
		}
		ext := int(binary.BigEndian.Uint32(data[len(binarySignature)+4:]))
		if ext < 0 || len(data) < len(binarySignature)+8+ext {
			return 0, nil
		}
		pos, l.headerDone = len(binarySignature)+8+ext, true
	}
	for !l.ended && len(data)-pos >= 2 {
		n := int(int16(binary.BigEndian.Uint16(data[pos:])))
		if n == -1 {
			l.ended = true
			return len(data), nil
		}
		if n != len(l.cols) {
			return pos, l.rowError(vector.Errorf(vector.CodeBadCopyFileFormat, "row field count is %d, expected %d", n, len(l.cols)), -1)
		}
		end, ok := tupleEnd(data, pos+2, n)
		if !ok {
			break
		}
		l.line++
		p := pos + 2
		for i := 0; i < n; i++ {
			size := int(int32(binary.BigEndian.Uint32(data[p:])))
			p += 4
			if size < 0 {
				l.builders[i].AppendNull()
				continue
			}
			d, err := vector.DecodeBinary(data[p:p+size], l.t.Columns[l.cols[i]].Type)
			if err != nil {
				return pos, l.rowError(err, i)
			}
			l.builders[i].Append(d)
			p += size
		}
		pos = end
		l.rows++
		if l.rows >= copyBatchRows {
			if err := l.flush(); err != nil {
				return pos, err
			}
		}
	}
	return pos, nil
}

// tupleEnd finds the end of a binary tuple of n fields starting at p, or
// reports that it is not complete yet.
func tupleEnd(data []byte, p, n int) (int, bool) {
	for i := 0; i < n; i++ {
		if len(data)-p < 4 {
			return 0, false
		}
		size := int(int32(binary.BigEndian.Uint32(data[p:])))
		p += 4
		if size > 0 {
			if len(data)-p < size {
				return 0, false
			}
			p += size
		}
	}
	return p, true
}
