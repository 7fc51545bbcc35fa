package kafka

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// benchCols are the columns of the benchmarks' rows.
var benchCols = []format.Column{
	{Name: "id", Type: vector.Int8}, {Name: "name", Type: vector.Text},
	{Name: "qty", Type: vector.Int8}, {Name: "at", Type: vector.TimestampTZ},
}

// benchRecordBytes is the size of a benchmark record.
const benchRecordBytes = 100

// benchRecord is the JSON record of row i of benchCols, benchRecordBytes
// long.
func benchRecord(i int) []byte {
	head := fmt.Sprintf(`{"id":%d,"name":"`, 1_000_000+i)
	tail := fmt.Sprintf(`","qty":%d,"at":"2026-11-25 10:00:%02d.%06d+00"}`, i%1000, i%60, i%1_000_000)
	return []byte(head + strings.Repeat("x", benchRecordBytes-len(head)-len(tail)) + tail)
}

// syntheticJSONBatch is a v2 record batch of n benchRecords, as
// kfake.SyntheticFetch serves it.
func syntheticJSONBatch(n int) []byte {
	var recs []byte
	for i := range n {
		r := kmsg.Record{OffsetDelta: int32(i), Value: benchRecord(i)}
		r.Length = int32(len(r.AppendTo(nil)) - 1) // the bytes after the length varint
		recs = r.AppendTo(recs)
	}
	rb := kmsg.RecordBatch{PartitionLeaderEpoch: -1, Magic: 2, LastOffsetDelta: int32(n - 1),
		FirstTimestamp: 1_700_000_000_000, MaxTimestamp: 1_700_000_000_000,
		ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1, NumRecords: int32(n), Records: recs}
	raw := rb.AppendTo(nil)
	// Length covers what follows it; the Castagnoli CRC covers from the
	// attributes on.
	binary.BigEndian.PutUint32(raw[8:12], uint32(len(raw)-12))
	binary.BigEndian.PutUint32(raw[17:21], crc32.Checksum(raw[21:], crc32.MakeTable(crc32.Castagnoli)))
	return raw
}

// countingOutput discards chunks, closing done once rows rows came.
type countingOutput struct {
	rows, seen int
	done       chan struct{}
}

func (o *countingOutput) Emit(c source.Chunk) error {
	if c.Rows != nil {
		if o.seen < o.rows && o.seen+c.Rows.Len >= o.rows {
			close(o.done)
		}
		o.seen += c.Rows.Len
	}
	return nil
}

func (o *countingOutput) Status(string) {}

// BenchmarkSourceJSON reads b.N records of benchRecordBytes of JSON
// through Source.Read, from two partitions that kfake serves from one
// canned record batch (SyntheticFetch), so the broker's share is a copy
// per fetch. It includes starting the consumer (a few milliseconds).
func BenchmarkSourceJSON(b *testing.B) {
	c := newCluster(b, kfake.SeedTopics(2, "bench"), kfake.SyntheticFetch(kfake.SyntheticBatch{Batch: syntheticJSONBatch(4000)}))
	src := openSource(b, sourceOpts(c, "bench"), benchCols)
	out := &countingOutput{rows: b.N, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	read := make(chan error, 1)
	b.SetBytes(benchRecordBytes)
	b.ResetTimer()
	start := time.Now()
	go func() { read <- src.Read(ctx, nil, out) }()
	select {
	case <-out.done:
	case err := <-read:
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	if err := <-read; err != nil && ctx.Err() == nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "rows/s")
}

// BenchmarkDecodeJSON decodes the records of BenchmarkSourceJSON alone, in
// batches of operators.BatchSize rows: the decoding share of reading.
func BenchmarkDecodeJSON(b *testing.B) {
	recs := make([][]byte, 4000)
	for i := range recs {
		recs[i] = benchRecord(i)
	}
	dec, err := format.JSON.NewDecoder(benchCols)
	if err != nil {
		b.Fatal(err)
	}
	changes := format.NewChanges(benchCols)
	b.SetBytes(benchRecordBytes)
	b.ResetTimer()
	for i := range b.N {
		if err := dec.Decode(recs[i%len(recs)], changes); err != nil {
			b.Fatal(err)
		}
		if changes.Len() == operators.BatchSize {
			changes.Finish()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// benchBatch is a batch of operators.BatchSize rows of benchCols.
func benchBatch() *vector.Batch {
	const n = operators.BatchSize
	ids, names, qty, at := vector.NewBuilder(vector.Int8, n), vector.NewBuilder(vector.Text, n),
		vector.NewBuilder(vector.Int8, n), vector.NewBuilder(vector.TimestampTZ, n)
	for i := range n {
		ids.Append(int64(1_000_000 + i))
		names.Append(strings.Repeat("x", 30))
		qty.Append(int64(i % 1000))
		at.Append(vector.TimestampTZValue(1_700_000_000_000_000 + int64(i)))
	}
	return vector.NewBatch([]arrow.Array{ids.Finish(), names.Finish(), qty.Finish(), at.Finish()}, n)
}

// BenchmarkSink writes b.N rows of benchCols as JSON, committed in epochs
// of 16 batches, to a kfake cluster that acknowledges and discards them
// (BlackholeProduce), once connected.
func BenchmarkSink(b *testing.B) {
	for _, delivery := range []string{deliveryAtLeastOnce, deliveryExactlyOnce} {
		b.Run(delivery, func(b *testing.B) {
			c := newCluster(b, kfake.SeedTopics(1, "out"), kfake.BlackholeProduce())
			s, err := OpenSink(sinkOpts(c, "out", "delivery", delivery), benchCols, "bench")
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			batch := benchBatch()
			// Connecting (and initializing transactions) is not measured.
			if err := s.Commit(1, []*vector.Batch{vector.TakeRows(batch, firstRows(1))}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			epoch := uint64(2)
			for rows := 0; rows < b.N; epoch++ {
				var changes []*vector.Batch
				for range 16 {
					if rows >= b.N {
						break
					}
					n := min(batch.Len, b.N-rows)
					changes = append(changes, vector.TakeRows(batch, firstRows(n)))
					rows += n
				}
				if err := s.Commit(epoch, changes); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// firstRows is the indexes 0 .. n-1.
func firstRows(n int) []int32 {
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	return idx
}
