package vector

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// Benchmarks of the kernels the streaming operators spend their time in,
// each over one batch, at two batch sizes so that allocs/op shows whether
// allocation grows with rows.

var opsBatchSizes = []int{1024, 4096}

// opsColumns is a batch of n rows: an int8 key (1000 + i·7919 mod 100),
// an int8 price in [100, 100 100) and a text channel ("channel-N", N <
// 10 000, or one of 4 names), like a Nexmark bid's.
func opsColumns(n int) *Batch {
	key, price, channel := make([]Datum, n), make([]Datum, n), make([]Datum, n)
	names := []string{"Google", "Facebook", "Baidu", "Apple"}
	for i := range n {
		key[i] = int64(1000 + i*7919%100)
		price[i] = int64(100 + i*15485863%100_000)
		if i%2 == 0 {
			channel[i] = names[i/2%4]
		} else {
			channel[i] = fmt.Sprintf("channel-%d", i*31%10_000)
		}
	}
	return batchOf([]Type{Int8, Int8, Text}, key, price, channel)
}

// opsEachSize runs fn as a sub-benchmark per batch size, reporting
// allocations and ns per row.
func opsEachSize(b *testing.B, fn func(b *testing.B, batch *Batch)) {
	for _, n := range opsBatchSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			batch := opsColumns(n)
			b.ReportAllocs()
			fn(b, batch)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
		})
	}
}

// BenchmarkHashColumnsInt8 hashes one int8 key column.
func BenchmarkHashColumnsInt8(b *testing.B) {
	opsEachSize(b, func(b *testing.B, batch *Batch) {
		hashes := make([]uint64, batch.Len)
		for b.Loop() {
			HashColumns(batch.Cols[:1], []Type{Int8}, batch.Len, hashes)
		}
	})
}

// BenchmarkHashColumnsInt8Text hashes an (int8, text) key.
func BenchmarkHashColumnsInt8Text(b *testing.B) {
	opsEachSize(b, func(b *testing.B, batch *Batch) {
		hashes := make([]uint64, batch.Len)
		cols := []arrow.Array{batch.Cols[0], batch.Cols[2]}
		for b.Loop() {
			HashColumns(cols, []Type{Int8, Text}, batch.Len, hashes)
		}
	})
}

// BenchmarkTakeRowsText gathers every other row of an (int8, int8, text)
// batch.
func BenchmarkTakeRowsText(b *testing.B) {
	opsEachSize(b, func(b *testing.B, batch *Batch) {
		idx := make([]int32, 0, batch.Len/2)
		for i := 0; i < batch.Len; i += 2 {
			idx = append(idx, int32(i))
		}
		for b.Loop() {
			TakeRows(batch, idx)
		}
	})
}

// BenchmarkNumericTimesInt8 is q1's 0.908 * price, price an int8 column
// cast to numeric.
func BenchmarkNumericTimesInt8(b *testing.B) {
	rate, err := ParseNumeric("0.908")
	if err != nil {
		b.Fatal(err)
	}
	price, err := NewCast(NewColumnRef(1, Int8, "price"), Numeric)
	if err != nil {
		b.Fatal(err)
	}
	e, err := NewBinary("*", NewConst(rate, Numeric), price)
	if err != nil {
		b.Fatal(err)
	}
	opsEachSize(b, func(b *testing.B, batch *Batch) {
		ctx := testCtx()
		for b.Loop() {
			if _, err := e.Eval(ctx, batch); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkNumericAddColumns is a + b over two numeric columns of two
// decimals (int8 columns cast to numeric, times 0.01).
func BenchmarkNumericAddColumns(b *testing.B) {
	cents, err := ParseNumeric("0.01")
	if err != nil {
		b.Fatal(err)
	}
	inCents := func(col int) Expr {
		c, err := NewCast(NewColumnRef(col, Int8, ""), Numeric)
		if err != nil {
			b.Fatal(err)
		}
		d, err := NewBinary("*", c, NewConst(cents, Numeric))
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	opsEachSize(b, func(b *testing.B, batch *Batch) {
		ctx := testCtx()
		x, err := inCents(0).Eval(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		y, err := inCents(1).Eval(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		in := NewBatch([]arrow.Array{x, y}, batch.Len)
		e, err := NewBinary("+", NewColumnRef(0, Numeric, "a"), NewColumnRef(1, Numeric, "b"))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := e.Eval(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
