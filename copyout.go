package runnel

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/runneldb/runnel/vector"
)

// encodeCopyRows renders each row of b as one line of COPY output (a tuple
// of the binary format).
func encodeCopyRows(b *vector.Batch, types []vector.Type, opts copyOptions, loc *time.Location) [][]byte {
	if opts.format == CopyBinary {
		return encodeBinaryRows(b, types)
	}
	lines := make([][]byte, b.Len)
	var buf []byte
	for r := 0; r < b.Len; r++ {
		line := make([]byte, 0, 64)
		for c, col := range b.Cols {
			if c > 0 {
				line = append(line, opts.delimiter)
			}
			if col.IsNull(r) {
				line = append(line, opts.null...)
				continue
			}
			buf = vector.AppendText(buf[:0], col, types[c], r, loc)
			if opts.format == CopyCSV {
				line = appendCSV(line, buf, opts)
			} else {
				line = appendEscaped(line, buf, opts.delimiter)
			}
		}
		lines[r] = append(line, '\n')
	}
	return lines
}

// encodeBinaryRows renders each row of b as a tuple of COPY's binary
// format: a field count, then each field's length and binary value.
func encodeBinaryRows(b *vector.Batch, types []vector.Type) [][]byte {
	rows := make([][]byte, b.Len)
	for r := 0; r < b.Len; r++ {
		row := binary.BigEndian.AppendUint16(make([]byte, 0, 64), uint16(len(b.Cols)))
		for c, col := range b.Cols {
			if col.IsNull(r) {
				row = binary.BigEndian.AppendUint32(row, 0xffffffff)
				continue
			}
			at := len(row)
			row = vector.AppendBinary(append(row, 0, 0, 0, 0), col, types[c], r)
			binary.BigEndian.PutUint32(row[at:], uint32(len(row)-at-4))
		}
		rows[r] = row
	}
	return rows
}

// encodeHeader renders the header: CSV's line of column names, or the
// binary format's signature, flags and extension area.
func encodeHeader(names []string, opts copyOptions) []byte {
	if opts.format == CopyBinary {
		return append([]byte(binarySignature), 0, 0, 0, 0, 0, 0, 0, 0)
	}
	var line []byte
	for i, n := range names {
		if i > 0 {
			line = append(line, opts.delimiter)
		}
		line = appendCSV(line, []byte(n), opts)
	}
	return append(line, '\n')
}

// appendEscaped writes a value in COPY's text format: backslash, the
// delimiter and control characters are escaped.
func appendEscaped(dst, v []byte, delim byte) []byte {
	for _, c := range v {
		switch c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\v':
			dst = append(dst, '\\', 'v')
		default:
			if c == delim {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
		}
	}
	return dst
}

// appendCSV writes a value in CSV, quoted when it holds the delimiter, a
// quote, a line break, or could be mistaken for NULL.
func appendCSV(dst, v []byte, opts copyOptions) []byte {
	needs := len(v) == 0 && opts.null == "" || string(v) == opts.null || string(v) == `\.` ||
		bytes.IndexByte(v, opts.delimiter) >= 0 || bytes.IndexByte(v, opts.quote) >= 0 ||
		bytes.IndexByte(v, '\n') >= 0 || bytes.IndexByte(v, '\r') >= 0
	if !needs {
		return append(dst, v...)
	}
	dst = append(dst, opts.quote)
	for _, c := range v {
		if c == opts.quote || c == opts.escape {
			dst = append(dst, opts.escape)
		}
		dst = append(dst, c)
	}
	return append(dst, opts.quote)
}
