package vector

import (
	"encoding/hex"
	"testing"
)

// Expected bytes from PostgreSQL 15's *_send functions.
func TestBinaryMatchesPostgres(t *testing.T) {
	tests := []struct {
		typ  Type
		text string
		hex  string
	}{
		{Numeric, "1234.5678", "000200000000000404d2162e"},
		{Numeric, "-0.0012", "0001ffff40000004000c"},
		{Numeric, "10000", "00010001000000000001"},
		{Numeric, "0.00", "0000000000000002"},
		{Numeric, "NaN", "00000000c0000000"},
		{Numeric, "12.5", "0002000000000001000c1388"},
		{Date, "2000-01-03", "00000002"},
		{Timestamp, "2000-01-01 00:00:01", "00000000000f4240"},
		{Interval, "1 mon 2 days 00:00:03", "00000000002dc6c00000000200000001"},
		{JSONB, `{"a":1}`, "017b2261223a20317d"},
		{Float8, "1.5", "3ff8000000000000"},
	}
	for _, tc := range tests {
		d, err := ParseText(tc.text, tc.typ, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := AppendBinary(nil, ArrayOf(tc.typ, d), tc.typ, 0)
		if hex.EncodeToString(got) != tc.hex {
			t.Errorf("send %s %q = %x, want %s", tc.typ, tc.text, got, tc.hex)
		}
		back, err := DecodeBinary(got, tc.typ)
		if err != nil || FormatDatum(back, tc.typ, nil) != FormatDatum(d, tc.typ, nil) {
			t.Errorf("recv %s %x = %v, %v; want %q", tc.typ, got, back, err, tc.text)
		}
	}
}

func TestDecodeBinaryErrors(t *testing.T) {
	tests := []struct {
		typ Type
		hex string
	}{
		{Int4, "0001"}, {Int8, "00"}, {Numeric, "0001"}, {Numeric, "00010000000000002710"}, {Numeric, "0000000012340000"},
		{JSONB, "027b7d"}, {Interval, "00"},
	}
	for _, tc := range tests {
		b, _ := hex.DecodeString(tc.hex)
		if _, err := DecodeBinary(b, tc.typ); sqlState(err) != CodeInvalidBinaryRepresentation {
			t.Errorf("recv %s %s: got %v, want 22P03", tc.typ, tc.hex, err)
		}
	}
}
