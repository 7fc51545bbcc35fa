package nexmark

import (
	"context"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// BenchmarkNexmarkBids generates the bid table with every column and
// reports the rate of the whole stream it covers (bids are 46 of every 50
// events) per second of one goroutine.
func BenchmarkNexmarkBids(b *testing.B) {
	const events = 1 << 20
	s, err := Open(map[string]string{"table": "bid", "events": "1048576"}, bidColumns)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Read(context.Background(), 0, func(*vector.Batch) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
