package operators

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// The per-batch benchmarks of the hot operators: each op is one batch
// pushed into one operator instance, run at two batch sizes so that
// allocs/op shows whether allocation grows with rows (it must not: only
// with batches).

// opsBatchSizes are the batch sizes each per-batch benchmark runs at.
var opsBatchSizes = []int{1024, 4096}

// opsBidTypes are the columns of opsBids: auction, bidder, price
// (int8), date_time (timestamp).
var opsBidTypes = []vector.Type{vector.Int8, vector.Int8, vector.Int8, vector.Timestamp}

// opsBids returns n Nexmark-like bids starting at event from: auction
// among 100 (1000…1099), bidder among 1000, price in [100, 100 100),
// date_time 100 µs apart.
func opsBids(from, n int) *vector.Batch {
	auction, bidder, price := make([]int64, n), make([]int64, n), make([]int64, n)
	ts := make([]arrow.Timestamp, n)
	for i := range n {
		e := int64(from + i)
		auction[i] = 1000 + e*7919%100
		bidder[i] = 2000 + e*104729%1000
		price[i] = 100 + e*15485863%100_000
		ts[i] = arrow.Timestamp(e * 100)
	}
	return vector.NewBatch([]arrow.Array{fixedColumn(vector.Int8, auction, nil), fixedColumn(vector.Int8, bidder, nil),
		fixedColumn(vector.Int8, price, nil), fixedColumn(vector.Timestamp, ts, nil)}, n)
}

// opsDiscard is an Emit that keeps nothing.
func opsDiscard(*vector.Batch) error { return nil }

// opsPushEach runs, per batch size, the benchmark of pushing one batch of
// opsBids into an instance of the node mk builds over a source of bids.
func opsPushEach(b *testing.B, mk func(src *Node) *Node) {
	for _, n := range opsBatchSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			op, err := mk(NewNode("Source", opsBidTypes)).New()
			if err != nil {
				b.Fatal(err)
			}
			batch := opsBids(0, n)
			b.ReportAllocs()
			for b.Loop() {
				if err := op.Push(0, batch, opsDiscard); err != nil {
					b.Fatal(err)
				}
			}
			opsReportRows(b, n)
		})
	}
}

// opsReportRows reports ns per row, for ops of rows rows each.
func opsReportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
}

// opsExpr is the binary expression op over l and r, failing b on error.
func opsExpr(b *testing.B, op string, l, r vector.Expr) vector.Expr {
	e, err := vector.NewBinary(op, l, r)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkFilterBatch is q2's WHERE auction % 123 = 0 (about 1 row in
// 100 kept).
func BenchmarkFilterBatch(b *testing.B) {
	auction := vector.NewColumnRef(0, vector.Int8, "auction")
	pred := opsExpr(b, "=", opsExpr(b, "%", auction, vector.NewConst(int32(123), vector.Int4)), vector.NewConst(int32(0), vector.Int4))
	opsPushEach(b, func(src *Node) *Node { return NewFilterNode(src, pred, &vector.EvalContext{}) })
}

// BenchmarkFilterBatchHalf is WHERE price < 50 100: half the rows kept.
func BenchmarkFilterBatchHalf(b *testing.B) {
	pred := opsExpr(b, "<", vector.NewColumnRef(2, vector.Int8, "price"), vector.NewConst(int64(50_100), vector.Int8))
	opsPushEach(b, func(src *Node) *Node { return NewFilterNode(src, pred, &vector.EvalContext{}) })
}

// BenchmarkProjectBatch is SELECT auction, bidder, price * 100, date_time.
func BenchmarkProjectBatch(b *testing.B) {
	exprs := []vector.Expr{vector.NewColumnRef(0, vector.Int8, "auction"), vector.NewColumnRef(1, vector.Int8, "bidder"),
		opsExpr(b, "*", vector.NewColumnRef(2, vector.Int8, "price"), vector.NewConst(int64(100), vector.Int8)),
		vector.NewColumnRef(3, vector.Timestamp, "date_time")}
	opsPushEach(b, func(src *Node) *Node { return NewProjectNode(src, exprs, &vector.EvalContext{}) })
}

// BenchmarkProjectNumericBatch is q1's SELECT auction, bidder, 0.908 *
// price, date_time.
func BenchmarkProjectNumericBatch(b *testing.B) {
	price, err := vector.NewCast(vector.NewColumnRef(2, vector.Int8, "price"), vector.Numeric)
	if err != nil {
		b.Fatal(err)
	}
	rate, err := vector.ParseNumeric("0.908")
	if err != nil {
		b.Fatal(err)
	}
	exprs := []vector.Expr{vector.NewColumnRef(0, vector.Int8, "auction"), vector.NewColumnRef(1, vector.Int8, "bidder"),
		opsExpr(b, "*", vector.NewConst(rate, vector.Numeric), price), vector.NewColumnRef(3, vector.Timestamp, "date_time")}
	opsPushEach(b, func(src *Node) *Node { return NewProjectNode(src, exprs, &vector.EvalContext{}) })
}

// BenchmarkWindowAssignHop is q5's HOP(bid, date_time, 2 s, 10 s): every
// row in 5 windows.
func BenchmarkWindowAssignHop(b *testing.B) {
	const second = 1_000_000
	w := Windows{Kind: Hop, Col: 3, Size: 10 * second, Slide: 2 * second}
	opsPushEach(b, func(src *Node) *Node { return NewWindowAssignNode(src, w) })
}

// BenchmarkExchangeSend is the hash exchange in front of a keyed node:
// hashing the key (auction) of a batch of bids and sending each of 2
// instances its rows.
func BenchmarkExchangeSend(b *testing.B) {
	for _, n := range opsBatchSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			ctx := context.Background()
			outs := []chan Message{make(chan Message, 1), make(chan Message, 1)}
			r := &router{types: opsBidTypes, keys: []int{0}, out: outs}
			batch := opsBids(0, n)
			b.ReportAllocs()
			for b.Loop() {
				if err := r.send(ctx, batch); err != nil {
					b.Fatal(err)
				}
				for _, c := range outs {
					select {
					case <-c:
					default:
					}
				}
			}
			opsReportRows(b, n)
		})
	}
}
