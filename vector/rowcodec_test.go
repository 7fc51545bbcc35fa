package vector

import (
	"bytes"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestRowCodecRoundTrip(t *testing.T) {
	types := []Type{Int4, Text, Float8, Numeric, Bool, Bytea, Interval, JSONB}
	rows := [][]Datum{
		{int32(7), "héllo", 1.5, mustNumeric(t, "12.340"), true, []byte{0, 1}, IntervalValue{1, 2, 3}, JSONValue(`{"a": 1}`)},
		{nil, "", nil, nil, nil, nil, nil, nil},
	}
	cols := make([]arrow.Array, len(types))
	for c, typ := range types {
		var vals []Datum
		for _, r := range rows {
			vals = append(vals, r[c])
		}
		cols[c] = ArrayOf(typ, vals...)
	}
	var enc []byte
	for i := range rows {
		enc = AppendRow(enc, cols, types, i)
	}
	got := make([]Datum, len(types))
	rest := enc
	for i, want := range rows {
		var err error
		rest, err = DecodeRow(rest, types, got)
		if err != nil {
			t.Fatal(err)
		}
		for c := range types {
			if (got[c] == nil) != (want[c] == nil) || (want[c] != nil && CompareDatum(types[c], got[c], want[c]) != 0) {
				t.Errorf("row %d col %d: got %v, want %v", i, c, got[c], want[c])
			}
		}
	}
	if len(rest) != 0 {
		t.Errorf("%d bytes left over", len(rest))
	}
	if _, err := DecodeRow([]byte{200}, types, got); err == nil {
		t.Error("truncated input decoded without error")
	}
}

func TestRowCodecBytes(t *testing.T) {
	// Per column: uvarint 0 for NULL, else 1 + the length of the binary
	// form, then the form; a form of 127 bytes or more takes a two-byte
	// header. Checkpoints hold these bytes, so they must not change.
	long := strings.Repeat("x", 200)
	types := []Type{Int4, Text, Int8, Text}
	cols := []arrow.Array{ArrayOf(Int4, int32(7)), ArrayOf(Text, long), ArrayOf(Int8, nil), ArrayOf(Text, "ab")}
	want := append([]byte{5, 0, 0, 0, 7, 201, 1}, long...)
	want = append(want, 0, 3, 'a', 'b')
	if got := AppendRow([]byte{9}, cols, types, 0); !bytes.Equal(got, append([]byte{9}, want...)) {
		t.Errorf("AppendRow:\n got  %v\n want %v", got, want)
	}
	row := make([]Datum, len(types))
	if rest, err := DecodeRow(want, types, row); err != nil || len(rest) != 0 || row[1] != long || row[2] != nil || row[3] != "ab" {
		t.Errorf("DecodeRow: %v, %d bytes left, row %v", err, len(rest), row)
	}
}
