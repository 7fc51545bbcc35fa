package format

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/runneldb/runnel/vector"
)

// RecordReader splits a stream into the records of a format: one per line,
// except that a csv record continues over line breaks inside a quoted field.
// Lines end with "\n" or "\r\n"; the last one may lack it. In csv and the
// raw formats every line is a record (an empty one is a single NULL in csv,
// the empty string in raw_string); in json and debezium_json blank lines
// are skipped.
type RecordReader struct {
	r            *bufio.Reader
	multiline    bool
	emptyRecords bool
	line         int64  // lines read so far
	rec          []byte // the current record
}

// NewRecordReader returns a reader of the records of f in r.
func (f *Format) NewRecordReader(r io.Reader) *RecordReader {
	return &RecordReader{r: bufio.NewReaderSize(r, 64<<10), multiline: f.multiline, emptyRecords: f.emptyRecords}
}

// Next returns the next record, without its line terminator, and the number
// (from 1) of the line it starts on; at the end of the stream it returns
// io.EOF. The record is valid until the next call. A csv stream ending inside
// a quoted field is 22P04.
func (r *RecordReader) Next() (rec []byte, line int64, err error) {
	for {
		r.rec = r.rec[:0]
		line = r.line + 1
		quoted := false // inside a quoted field at the end of the lines read
		for {
			start := len(r.rec)
			more, err := r.appendLine()
			if err != nil {
				return nil, line, err
			}
			if !more {
				if len(r.rec) == 0 {
					return nil, line, io.EOF
				}
				return nil, line, vector.Errorf(vector.CodeBadCopyFileFormat, "unterminated CSV quoted field")
			}
			// A quote opens or closes a quoted field, "" inside one does both.
			if r.multiline && bytes.Count(r.rec[start:], []byte{'"'})%2 == 1 {
				quoted = !quoted
			}
			if !quoted {
				break
			}
		}
		rec = trimLineEnd(r.rec)
		if r.emptyRecords || len(bytes.TrimSpace(rec)) > 0 {
			return rec, line, nil
		}
	}
}

// appendLine appends the next line, with its "\n" when it has one, to r.rec;
// more is false at the end of the stream.
func (r *RecordReader) appendLine() (more bool, err error) {
	start := len(r.rec)
	for {
		frag, err := r.r.ReadSlice('\n')
		r.rec = append(r.rec, frag...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(r.rec) == start {
				return false, nil
			}
		case err != nil:
			return false, err
		}
		r.line++
		return true, nil
	}
}

// trimLineEnd removes a final "\n" or "\r\n".
func trimLineEnd(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n > 1 && b[n-2] == '\r' {
			b = b[:n-2]
		}
	}
	return b
}
