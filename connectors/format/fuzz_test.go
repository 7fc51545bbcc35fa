package format

import (
	"strings"
	"testing"
)

// fuzzCols holds a column of every type.
var fuzzCols = func() []Column {
	cols := make([]Column, len(roundTripCases))
	for i, c := range roundTripCases {
		cols[i] = Column{Name: string(rune('a' + i)), Type: c.typ}
	}
	return cols
}()

// fuzzSeeds are records of f: rows of the round-trip values.
func fuzzSeeds(f *testing.F, format *Format) {
	enc := format.NewEncoder(fuzzCols)
	for i := range 3 {
		row := make([]any, len(fuzzCols))
		for c, rc := range roundTripCases {
			row[c] = rc.vals[i%len(rc.vals)]
		}
		f.Add(enc.Append(nil, batchOf(f, fuzzCols, row), 0, false))
	}
}

// fuzzDecode decodes rec: it must fail with a *vector.Error or succeed, and
// a decoded row must encode to a record that decodes to the same values.
func fuzzDecode(t *testing.T, format *Format, rec []byte) {
	b, err := decodeRecords(format, fuzzCols, rec)
	if err != nil {
		if errorCode(err) == "" {
			t.Fatalf("%q: error without SQLSTATE: %v", rec, err)
		}
		return
	}
	again := format.NewEncoder(fuzzCols).Append(nil, b, 0, false)
	back, err := decodeRecords(format, fuzzCols, again)
	if err != nil {
		t.Fatalf("%q decoded, encoded as %q which fails to decode: %v", rec, again, err)
	}
	if want, got := rowsText(b, fuzzCols), rowsText(back, fuzzCols); strings.Join(want, "") != strings.Join(got, "") {
		t.Fatalf("%q decoded as %s, encoded as %q, decoded again as %s", rec, want, again, got)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	fuzzSeeds(f, JSON)
	for _, s := range []string{`{}`, `{"a": "1", "c": 5, "n": 1704067201500, "o": "2024-01-01T00:00:00Z"}`, `{"q": {"x": [null]}}`, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, rec []byte) { fuzzDecode(t, JSON, rec) })
}

func FuzzDecodeCSV(f *testing.F) {
	fuzzSeeds(f, CSV)
	f.Add([]byte(strings.Repeat(",", len(fuzzCols)-1)))
	f.Add([]byte(`"`))
	f.Fuzz(func(t *testing.T, rec []byte) { fuzzDecode(t, CSV, rec) })
}
