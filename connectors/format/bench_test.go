package format

import (
	"testing"

	"github.com/runneldb/runnel/vector"
)

// benchJSONCols and benchJSONRecord are a typical event of about 100 bytes.
var (
	benchJSONCols   = cols("id", vector.Int8, "name", vector.Text, "qty", vector.Int8, "at", vector.TimestampTZ)
	benchJSONRecord = []byte(`{"id":1234567890,"name":"widget-042 deluxe edition","qty":17,"at":"2026-11-24 10:00:05.123+00"}`)
)

// BenchmarkDecodeJSON decodes one record per op, finishing a batch every
// 1024 rows: the per-row cost of the json format.
func BenchmarkDecodeJSON(b *testing.B) {
	benchmarkDecode(b, JSON, benchJSONRecord)
}

// BenchmarkDecodeDebeziumUpdate decodes one update (two rows) per op.
func BenchmarkDecodeDebeziumUpdate(b *testing.B) {
	row := string(benchJSONRecord)
	benchmarkDecode(b, DebeziumJSON, []byte(`{"before":`+row+`,"after":`+row+`,"op":"u","ts_ms":1764000000000}`))
}

func benchmarkDecode(b *testing.B, f *Format, rec []byte) {
	dec, err := f.NewDecoder(benchJSONCols)
	if err != nil {
		b.Fatal(err)
	}
	out := NewChanges(benchJSONCols)
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := dec.Decode(rec, out); err != nil {
			b.Fatal(err)
		}
		if i%1024 == 1023 {
			out.Finish()
		}
	}
}
