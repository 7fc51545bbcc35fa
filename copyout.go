package runnel

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/runneldb/runnel/vector"
)

// encodeCopyRows renders each row of b as one line of COPY output (a tuple
// of the binary format). The lines share one buffer, so a batch costs a
// few allocations, not one per row.
func encodeCopyRows(b *vector.Batch, types []vector.Type, opts copyOptions, loc *time.Location) [][]byte {
	ends := make([]int, b.Len)
	var out, val []byte
	for r := 0; r < b.Len; r++ {
		if opts.format == CopyBinary {
			out = appendBinaryRow(out, b, types, r)
		} else {
			out, val = appendTextRow(out, val, b, types, opts, loc, r)
		}
		ends[r] = len(out)
	}
	lines := make([][]byte, b.Len)
	start := 0
	for r, end := range ends {
		lines[r] = out[start:end:end]
		start = end
	}
	return lines
}

// appendTextRow appends row r of b as a line of the text or CSV format;
// val is scratch for one value's text.
func appendTextRow(dst, val []byte, b *vector.Batch, types []vector.Type, opts copyOptions, loc *time.Location, r int) ([]byte, []byte) {
	for c, col := range b.Cols {
		if c > 0 {
			dst = append(dst, opts.delimiter)
		}
		if col.IsNull(r) {
			dst = append(dst, opts.null...)
			continue
		}
		val = vector.AppendText(val[:0], col, types[c], r, loc)
		if opts.format == CopyCSV {
			dst = appendCSV(dst, val, opts)
		} else {
			dst = appendEscaped(dst, val, opts.delimiter)
		}
	}
	return append(dst, '\n'), val
}

// appendBinaryRow appends row r of b as a tuple of COPY's binary format: a
// field count, then each field's length (-1 for NULL) and binary value.
func appendBinaryRow(dst []byte, b *vector.Batch, types []vector.Type, r int) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(b.Cols)))
	for c, col := range b.Cols {
		if col.IsNull(r) {
			dst = binary.BigEndian.AppendUint32(dst, 0xffffffff)
			continue
		}
		at := len(dst)
		dst = vector.AppendBinary(append(dst, 0, 0, 0, 0), col, types[c], r)
		binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	}
	return dst
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
