package format

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestRawRoundTrip: a raw record is the value, as it is, both ways; NULL
// is written as the empty record.
func TestRawRoundTrip(t *testing.T) {
	tests := []struct {
		f    *Format
		typ  vector.Type
		vals []any // Postgres text of the values; nil is NULL
		recs []string
		// empty is the Postgres text of the empty value, which NULL reads
		// back as.
		empty string
	}{
		{RawString, vector.Text, []any{"plain", "", "unicode ✓ 日本語", "line\nbreak", `{"not":"parsed"}`, nil},
			[]string{"plain", "", "unicode ✓ 日本語", "line\nbreak", `{"not":"parsed"}`, ""}, ""},
		{RawString, vector.Type{Kind: vector.KindVarchar, Width: 3}, []any{"abc", "é"}, []string{"abc", "é"}, ""},
		{RawBytes, vector.Bytea, []any{`\x00ff0a0d`, `\x`, `\x68690a`, nil}, []string{"\x00\xff\n\r", "", "hi\n", ""}, `\x`},
	}
	for _, tt := range tests {
		cols := cols("v", tt.typ)
		b := batchOf(t, cols, rowsOf(tt.vals)...)
		enc := newEncoder(t, tt.f, cols)
		var recs [][]byte
		for i := range b.Len {
			rec := enc.Append(nil, b, i, false)
			if string(rec) != tt.recs[i] {
				t.Errorf("%s %s row %d: record %q, want %q", tt.f.Name, tt.typ, i, rec, tt.recs[i])
			}
			recs = append(recs, rec)
		}
		got, err := decodeRecords(tt.f, cols, recs...)
		if err != nil {
			t.Errorf("%s %s: %v", tt.f.Name, tt.typ, err)
			continue
		}
		want := slices.Clone(tt.vals)
		for i, v := range want {
			if v == nil {
				want[i] = tt.empty
			}
		}
		if w, g := rowsText(batchOf(t, cols, rowsOf(want)...), cols), rowsText(got, cols); !slices.Equal(w, g) {
			t.Errorf("%s %s: decoded %q, want %q", tt.f.Name, tt.typ, g, w)
		}
	}
}

// rowsOf is one row of one column per value.
func rowsOf(vals []any) [][]any {
	rows := make([][]any, len(vals))
	for i, v := range vals {
		rows[i] = []any{v}
	}
	return rows
}

// TestRawErrors: raw formats take exactly one column of their types, and
// raw_string only text Postgres can hold.
func TestRawErrors(t *testing.T) {
	shapes := []struct {
		f    *Format
		cols []Column
	}{
		{RawString, cols("a", vector.Int8)},
		{RawString, cols("a", vector.Bytea)},
		{RawString, cols("a", vector.Text, "b", vector.Text)},
		{RawString, nil},
		{RawBytes, cols("a", vector.Text)},
		{RawBytes, cols("a", vector.Bytea, "n", vector.Int4)},
	}
	for _, tt := range shapes {
		_, decErr := tt.f.NewDecoder(tt.cols)
		_, encErr := tt.f.NewEncoder(tt.cols)
		for _, err := range []error{decErr, encErr} {
			if vector.ErrorCode(err) != vector.CodeInvalidParameterValue || !strings.Contains(err.Error(), `format "`+tt.f.Name+`"`) ||
				len(tt.cols) > 0 && !strings.Contains(err.Error(), `"a" `+tt.cols[0].Type.String()) {
				t.Errorf("%s of %v: %v, want 22023 naming the format and the columns", tt.f.Name, tt.cols, err)
			}
		}
	}

	recs := []struct {
		typ  vector.Type
		rec  []byte
		code string
	}{
		{vector.Text, []byte("ok \xff"), vector.CodeCharacterNotInRepertoire},
		{vector.Text, []byte("nul\x00"), vector.CodeCharacterNotInRepertoire},
		{vector.Type{Kind: vector.KindVarchar, Width: 2}, []byte("abc"), vector.CodeStringDataRightTruncation},
	}
	for _, tt := range recs {
		_, err := decodeRecords(RawString, cols("v", tt.typ), tt.rec)
		if vector.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), `column "v"`) {
			t.Errorf("raw_string %s %q: %v, want %s naming the column", tt.typ, tt.rec, err, tt.code)
		}
	}
}

// TestRawRecordReader: in a file every line of a raw format is a record,
// an empty one too.
func TestRawRecordReader(t *testing.T) {
	for _, f := range []*Format{RawString, RawBytes} {
		got := readStream(t, f, []byte("a\n\n b \r\nc"))
		if want := [][]byte{[]byte("a"), {}, []byte(" b "), []byte("c")}; !slices.EqualFunc(got, want, bytes.Equal) {
			t.Errorf("%s: records %q, want %q", f.Name, got, want)
		}
	}
}
