package nexmark

import (
	"context"
	"strconv"
	"testing"

	"github.com/runneldb/runnel/connectors/source"
)

// BenchmarkNexmarkBids generates the bid table with every column, read as
// 1 or 2 splits, and reports the rate of the whole stream it covers (bids
// are 46 of every 50 events) per second.
func BenchmarkNexmarkBids(b *testing.B) {
	const events = 1 << 20
	for _, p := range []int{1, 2} {
		b.Run("partitions="+strconv.Itoa(p), func(b *testing.B) {
			s, err := Open(map[string]string{"table": "bid", "events": strconv.Itoa(events), "partitions": strconv.Itoa(p)}, bidColumns)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Read(context.Background(), nil, emitFunc(func(source.Chunk) error { return nil })); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
