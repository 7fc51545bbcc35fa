package format

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestRecordReader: records and the lines they start on; csv records span
// quoted line breaks and keep empty lines, json skips blank lines.
func TestRecordReader(t *testing.T) {
	long := strings.Repeat("x", 200_000) // longer than the reader's buffer
	type rec struct {
		text string
		line int64
	}
	tests := []struct {
		f       *Format
		in      string
		want    []rec
		errCode string // of the error after want, "" for a clean end
	}{
		{JSON, "", nil, ""},
		{JSON, "a\n\n  \r\nb\r\nc", []rec{{"a", 1}, {"b", 4}, {"c", 5}}, ""},
		{JSON, "a\n" + long + "\n", []rec{{"a", 1}, {long, 2}}, ""},
		{CSV, "a\n\nb,\"x\ny\"\r\nc\n", []rec{{"a", 1}, {"", 2}, {"b,\"x\ny\"", 3}, {"c", 5}}, ""},
		{CSV, "\"a\"\"\nb\"\n\"\"\"\"\n", []rec{{"\"a\"\"\nb\"", 1}, {`""""`, 3}}, ""},
		{CSV, "\"multi\r\nline\"", []rec{{"\"multi\r\nline\"", 1}}, ""},
		{CSV, "x\n\"abc\ndef\n", []rec{{"x", 1}}, vector.CodeBadCopyFileFormat},
	}
	for _, tt := range tests {
		r := tt.f.NewRecordReader(strings.NewReader(tt.in))
		var got []rec
		var err error
		for {
			var b []byte
			var line int64
			b, line, err = r.Next()
			if err != nil {
				break
			}
			got = append(got, rec{string(b), line})
		}
		if errors.Is(err, io.EOF) {
			err = nil
		}
		if len(got) != len(tt.want) || vector.ErrorCode(err) != tt.errCode || (err == nil) != (tt.errCode == "") {
			t.Errorf("%s %.40q: got %d records, error %v; want %d, error %q", tt.f.Name, tt.in, len(got), err, len(tt.want), tt.errCode)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s %.40q: record %d is %.40q at line %d, want %.40q at line %d",
					tt.f.Name, tt.in, i, got[i].text, got[i].line, tt.want[i].text, tt.want[i].line)
			}
		}
	}
}
