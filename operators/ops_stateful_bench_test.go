package operators

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// opsBatchRing is a ring of the bids of events [0, batches·n), cut into
// batches of n, so that a benchmark pushes different rows for a while
// without generating them in the timed loop.
type opsBatchRing struct {
	batches []*vector.Batch
	next    int
}

func newOpsBatchRing(batches, n int) *opsBatchRing {
	r := &opsBatchRing{}
	for k := range batches {
		r.batches = append(r.batches, opsBids(k*n, n))
	}
	return r
}

func (r *opsBatchRing) take() *vector.Batch {
	b := r.batches[r.next]
	r.next = (r.next + 1) % len(r.batches)
	return b
}

// opsStateSink is a StateWriter that copies each entry into a reused
// buffer, as the runtime copies them, and counts entries and bytes.
type opsStateSink struct {
	buf            []byte
	entries, bytes int
}

func (s *opsStateSink) Put(k, v []byte) error {
	s.buf = append(append(s.buf[:0], k...), v...)
	s.entries++
	s.bytes += len(k) + len(v)
	return nil
}

func (s *opsStateSink) Delete(k []byte) error {
	s.buf = append(s.buf[:0], k...)
	s.entries++
	s.bytes += len(k)
	return nil
}

// opsFlushEvery is the number of batches between barriers in the stateful
// benchmarks.
const opsFlushEvery = 16

// opsMustNew makes an instance of n.
func opsMustNew(b *testing.B, n *Node) Incremental {
	op, err := n.New()
	if err != nil {
		b.Fatal(err)
	}
	return op
}

// opsBarrier flushes op, and checkpoints it into w unless w is nil.
func opsBarrier(b *testing.B, op Incremental, w StateWriter) {
	if err := op.Flush(opsDiscard); err != nil {
		b.Fatal(err)
	}
	if w != nil {
		if err := op.(Stateful).Checkpoint(w); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIncAggregateCountMax is SELECT auction, count(*), max(price)
// GROUP BY auction over inserts (100 groups), a barrier every 16 batches;
// "checkpoint" also checkpoints at each barrier.
func BenchmarkIncAggregateCountMax(b *testing.B) {
	aggs := []Aggregate{{Func: CountStar, Filter: -1, Type: vector.Int8},
		{Func: Max, Args: []int{2}, Filter: -1, Type: vector.Int8}}
	for _, ckpt := range []bool{false, true} {
		for _, n := range opsBatchSizes {
			b.Run(fmt.Sprintf("checkpoint=%v/rows=%d", ckpt, n), func(b *testing.B) {
				op := opsMustNew(b, NewAggregateNode(NewNode("Source", opsBidTypes), []int{0}, aggs))
				ring := newOpsBatchRing(64, n)
				var w *opsStateSink
				if ckpt {
					w = &opsStateSink{}
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if err := op.Push(0, ring.take(), opsDiscard); err != nil {
						b.Fatal(err)
					}
					if i%opsFlushEvery == opsFlushEvery-1 {
						opsBarrier(b, op, opsWriter(w))
					}
				}
				opsReportRows(b, n)
			})
		}
	}
}

// opsWriter is w as a StateWriter, nil when w is.
func opsWriter(w *opsStateSink) StateWriter {
	if w == nil {
		return nil
	}
	return w
}

// BenchmarkWindowAggregateMax is q7's inner query, SELECT window_end,
// max(price) FROM TUMBLE(bid, date_time, 10 s) GROUP BY window_end: bids
// 100 µs apart (a window holds 100 000), the watermark 4 s behind the
// last bid after each batch, a barrier every 16 batches.
func BenchmarkWindowAggregateMax(b *testing.B) {
	const size = 10_000_000
	types := []vector.Type{vector.Int8, vector.Timestamp}
	node := NewWindowAggregateNode(NewNode("Source", types), []int{1}, []Aggregate{
		{Func: Max, Args: []int{0}, Filter: -1, Type: vector.Int8}}, 0, Bound{Kind: BoundTumbleEnd, Size: size})
	for _, n := range opsBatchSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			op := opsMustNew(b, node).(*incAggregate)
			price, end := make([]int64, n), make([]arrow.Timestamp, n)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				for k := range n {
					e := int64(i*n + k)
					price[k] = 100 + e*15485863%100_000
					end[k] = arrow.Timestamp(floorTo(e*100, size, 0) + size)
				}
				batch := vector.NewBatch([]arrow.Array{fixedColumn(vector.Int8, price, nil), fixedColumn(vector.Timestamp, end, nil)}, n)
				b.StartTimer()
				if err := op.Push(0, batch, opsDiscard); err != nil {
					b.Fatal(err)
				}
				if err := op.Watermark(0, int64((i+1)*n)*100-4_000_000, opsDiscard); err != nil {
					b.Fatal(err)
				}
				if i%opsFlushEvery == opsFlushEvery-1 {
					opsBarrier(b, op, nil)
				}
			}
			opsReportRows(b, n)
		})
	}
}

// BenchmarkIncJoinInsert is q4's join, auction ⋈ bid ON a.id = b.auction,
// over inserts: 100 auctions (id, category), then batches of bids
// (auction, bidder, price, date_time), each bid matching one auction and
// kept as a row of its own. A barrier every 16 batches; "checkpoint" also
// checkpoints then (each new bid is state to write). The state is
// started afresh, off the clock, every 256 batches.
func BenchmarkIncJoinInsert(b *testing.B) {
	auctionTypes := []vector.Type{vector.Int8, vector.Int8}
	ids, cats := make([]int64, 100), make([]int64, 100)
	for k := range ids {
		ids[k], cats[k] = int64(1000+k), int64(10+k%5)
	}
	auctions := vector.NewBatch([]arrow.Array{fixedColumn(vector.Int8, ids, nil), fixedColumn(vector.Int8, cats, nil)}, 100)
	node := NewJoinNode(NewNode("Source", auctionTypes), NewNode("Source", opsBidTypes), InnerJoin, []int{0}, []int{0}, nil, &vector.EvalContext{})
	for _, ckpt := range []bool{false, true} {
		for _, n := range opsBatchSizes {
			b.Run(fmt.Sprintf("checkpoint=%v/rows=%d", ckpt, n), func(b *testing.B) {
				ring := newOpsBatchRing(256, n)
				var w *opsStateSink
				if ckpt {
					w = &opsStateSink{}
				}
				var op Incremental
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if i%len(ring.batches) == 0 {
						b.StopTimer()
						op = opsMustNew(b, node)
						if err := op.Push(0, auctions, opsDiscard); err != nil {
							b.Fatal(err)
						}
						opsBarrier(b, op, opsWriter(w))
						b.StartTimer()
					}
					if err := op.Push(1, ring.take(), opsDiscard); err != nil {
						b.Fatal(err)
					}
					if i%opsFlushEvery == opsFlushEvery-1 {
						opsBarrier(b, op, opsWriter(w))
					}
				}
				opsReportRows(b, n)
				if w != nil {
					b.ReportMetric(float64(w.bytes)/float64(b.N*n), "state-B/row")
				}
			})
		}
	}
}
