package storage

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runneldb/runnel/vector"
)

// copyBatches returns n rows (id, v int8; s text of 10 bytes) in batches of
// ScanBatchRows, as COPY would hand them over.
func copyBatches(n int) []*vector.Batch {
	var out []*vector.Batch
	for lo := 0; lo < n; lo += ScanBatchRows {
		hi := min(n, lo+ScanBatchRows)
		ib, vb, sb := array.NewInt64Builder(vector.Mem), array.NewInt64Builder(vector.Mem), array.NewStringBuilder(vector.Mem)
		for i := lo; i < hi; i++ {
			ib.Append(int64(i))
			vb.Append(int64(i) * 7)
			sb.Append(fmt.Sprintf("row%07d", i))
		}
		out = append(out, vector.NewBatch([]arrow.Array{ib.NewArray(), vb.NewArray(), sb.NewArray()}, hi-lo))
	}
	return out
}

// BenchmarkCopy1M inserts 1M narrow rows in one transaction and commits it
// (synced), with and without a primary key on id.
func BenchmarkCopy1M(b *testing.B) {
	const n = 1 << 20
	batches := copyBatches(n)
	for _, pk := range [][]int{nil, {0}} {
		b.Run(fmt.Sprintf("pk=%v", pk != nil), func(b *testing.B) {
			s := openStore(b, b.TempDir())
			defer s.Close()
			b.ResetTimer()
			for i := range b.N {
				id := uint64(i + 1)
				if _, err := s.CreateTable(id, testTypes, pk); err != nil {
					b.Fatal(err)
				}
				x := s.Begin()
				for _, bt := range batches {
					if err := x.Insert(id, bt); err != nil {
						b.Fatal(err)
					}
				}
				mustCommit(b, x)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkScan10M sums an int8 column of 10M committed rows.
func BenchmarkScan10M(b *testing.B) {
	const n = 10_000_000
	s := openStore(b, b.TempDir())
	defer s.Close()
	if _, err := s.CreateTable(1, []vector.Type{vector.Int8}, nil); err != nil {
		b.Fatal(err)
	}
	x := s.Begin()
	for lo := 0; lo < n; lo += maxPartRows {
		vals := make([]int64, min(maxPartRows, n-lo))
		for i := range vals {
			vals[i] = int64(lo + i)
		}
		col := array.NewInt64Data(array.NewData(arrow.PrimitiveTypes.Int64, len(vals),
			[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(vals))}, nil, 0, 0))
		if err := x.Insert(1, vector.NewBatch([]arrow.Array{col}, len(vals))); err != nil {
			b.Fatal(err)
		}
	}
	mustCommit(b, x)
	b.ResetTimer()
	for range b.N {
		var sum int64
		err := s.Begin().Scan(context.Background(), 1, false, func(bt *vector.Batch, _ []RowID) error {
			for _, v := range bt.Cols[0].(*array.Int64).Int64Values() {
				sum += v
			}
			return nil
		})
		if err != nil || sum != n*(n-1)/2 {
			b.Fatalf("sum %d, err %v", sum, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPointCommit commits one-row inserts from 1 and 16 goroutines.
func BenchmarkPointCommit(b *testing.B) {
	for _, workers := range []int{1, 16} {
		b.Run(fmt.Sprintf("committers=%d", workers), func(b *testing.B) {
			s := openStore(b, b.TempDir())
			defer s.Close()
			if _, err := s.CreateTable(1, testTypes, []int{0}); err != nil {
				b.Fatal(err)
			}
			rows := make([]*vector.Batch, b.N)
			for i := range rows {
				rows[i] = makeBatch(row{int64(i), 1, "point"})
			}
			b.ResetTimer()
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := w; i < b.N; i += workers {
						x := s.Begin()
						if err := x.Insert(1, rows[i]); err != nil {
							b.Error(err)
							return
						}
						if err := x.Commit(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			st := s.Stats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
			b.ReportMetric(float64(st.Commits)/float64(st.Syncs), "commits/sync")
		})
	}
}

// BenchmarkReplay1M opens a store holding 1M committed rows (with a
// primary key): the cost of recovery.
func BenchmarkReplay1M(b *testing.B) {
	const n = 1 << 20
	dir := b.TempDir()
	s := openStore(b, dir)
	if _, err := s.CreateTable(1, testTypes, []int{0}); err != nil {
		b.Fatal(err)
	}
	x := s.Begin()
	for _, bt := range copyBatches(n) {
		if err := x.Insert(1, bt); err != nil {
			b.Fatal(err)
		}
	}
	mustCommit(b, x)
	s.Close()
	b.ResetTimer()
	for range b.N {
		s := openStore(b, dir)
		s.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
