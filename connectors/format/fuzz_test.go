package format

import (
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// fuzzCols holds a column of every type.
var fuzzCols = func() []Column {
	cols := make([]Column, len(roundTripCases))
	for i, c := range roundTripCases {
		cols[i] = Column{Name: string(rune('a' + i)), Type: c.typ}
	}
	return cols
}()

// fuzzRecords are records of format: rows of the round-trip values, the
// ones of odd rows as deletions when the format has retractions.
func fuzzRecords(t testing.TB, format *Format) [][]byte {
	enc := newEncoder(t, format, fuzzCols)
	var recs [][]byte
	for i := range 3 {
		row := make([]any, len(fuzzCols))
		for c, rc := range roundTripCases {
			row[c] = rc.vals[i%len(rc.vals)]
		}
		recs = append(recs, enc.Append(nil, batchOf(t, fuzzCols, row), 0, format.Retractions && i%2 == 1))
	}
	return recs
}

// fuzzDecode decodes a good record, then rec, into the same Changes. rec
// must fail with a *vector.Error, leaving the good record's rows alone, or
// succeed; either way every column of the batch has its length. The changes
// rec decodes to must encode to records that decode to the same changes.
func fuzzDecode(t *testing.T, f *Format, cols []Column, good, rec []byte) {
	dec, err := f.NewDecoder(cols)
	if err != nil {
		t.Fatal(err)
	}
	out := NewChanges(cols)
	if err := dec.Decode(good, out); err != nil {
		t.Fatalf("good record %q: %v", good, err)
	}
	n := out.Len()
	err = dec.Decode(rec, out)
	if err != nil && (vector.ErrorCode(err) == "" || out.Len() != n) {
		t.Fatalf("%q: error %v (SQLSTATE %q) left %d rows, want %d", rec, err, vector.ErrorCode(err), out.Len(), n)
	}
	b := out.Finish()
	checkBatch(t, b, len(cols))
	alone, _ := decodeRecords(f, cols, good)
	if want, got := changesText(alone, cols), changesText(b, cols)[:n]; !slices.Equal(want, got) {
		t.Fatalf("%q after %q: the good record's rows are %q, want %q", rec, good, got, want)
	}
	if err != nil {
		return
	}
	idx := make([]int32, b.Len-n)
	for i := range idx {
		idx[i] = int32(n + i)
	}
	got := vector.TakeRows(b, idx)
	enc := newEncoder(t, f, cols)
	var again [][]byte
	for i := range got.Len {
		again = append(again, enc.Append(nil, got, i, got.Weight(i) < 0))
	}
	back, err := decodeRecords(f, cols, again...)
	if err != nil {
		t.Fatalf("%q decoded, encoded as %q which fails to decode: %v", rec, again, err)
	}
	if want, have := changesText(got, cols), changesText(back, cols); !slices.Equal(want, have) {
		t.Fatalf("%q decoded as %q, encoded as %q, decoded again as %q", rec, want, again, have)
	}
}

// checkBatch fails unless every column of b, and its weights when it has
// them, has b.Len entries, and every weight is ±1.
func checkBatch(t *testing.T, b *vector.Batch, ncols int) {
	t.Helper()
	if len(b.Cols) != ncols {
		t.Fatalf("%d columns, want %d", len(b.Cols), ncols)
	}
	for c, col := range b.Cols {
		if col.Len() != b.Len {
			t.Fatalf("column %d has %d rows, the batch %d", c, col.Len(), b.Len)
		}
	}
	if b.Weights != nil && len(b.Weights) != b.Len {
		t.Fatalf("%d weights for %d rows", len(b.Weights), b.Len)
	}
	for i := range b.Len {
		if w := b.Weight(i); w != 1 && w != -1 {
			t.Fatalf("row %d has weight %d", i, w)
		}
	}
}

// changesText is rowsText with each row's weight in front.
func changesText(b *vector.Batch, cols []Column) []string {
	rows := rowsText(b, cols)
	for i := range rows {
		sign := "+"
		if b.Weight(i) < 0 {
			sign = "-"
		}
		rows[i] = sign + rows[i]
	}
	return rows
}

// fuzzFormat fuzzes the decoder of f with seeds, its records of fuzzCols.
func fuzzFormat(f *testing.F, format *Format, seeds ...string) {
	recs := fuzzRecords(f, format)
	for _, r := range recs {
		f.Add(r)
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, rec []byte) { fuzzDecode(t, format, fuzzCols, recs[0], rec) })
}

func FuzzDecodeJSON(f *testing.F) {
	fuzzFormat(f, JSON, `{}`, `{"a": "1", "c": 5, "n": 1704067201500, "o": "2024-01-01T00:00:00Z"}`, `{"q": {"x": [null]}}`, `[`,
		`{"i": "\ud83d\ude00\u00e9\"\\\/\b\f\n\r\t", "\u0061": "t"}`, `{"i": "\ud800"}`, `{"a":1,}`, `{"c": -0.5e+3}`)
}

func FuzzDecodeCSV(f *testing.F) {
	fuzzFormat(f, CSV, strings.Repeat(",", len(fuzzCols)-1), `"`)
}

func FuzzDecodeDebezium(f *testing.F) {
	fuzzFormat(f, DebeziumJSON, ``, `{"before":{"a":"t"},"after":{"c":5},"op":"u"}`, `{"before":{"c":1},"after":null}`,
		`{"schema":{"type":"struct"},"payload":{"after":{"c":2},"op":"r","source":{}}}`, `{"payload":null}`,
		`{"op":"d","before":{"c":"x"}}`, `{"op":"t"}`, `{"before":[1],"op":"d"}`)
}

func FuzzDecodeRawString(f *testing.F) {
	cols := cols("s", vector.Text)
	for _, s := range []string{"", "plain", "✓\t\r", "\xff", "a\x00b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, rec []byte) { fuzzDecode(t, RawString, cols, []byte("good"), rec) })
}

func FuzzDecodeRawBytes(f *testing.F) {
	cols := cols("b", vector.Bytea)
	for _, s := range []string{"", "\x00\xff\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, rec []byte) { fuzzDecode(t, RawBytes, cols, []byte{0}, rec) })
}
