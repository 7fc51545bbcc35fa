package runnel

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkKafkaSourceToBlackhole reads JSON messages of about 100 bytes
// (bigint, text, bigint, timestamptz) from a topic of 4 partitions through
// a source into a blackhole sink: the cost of Kafka ingestion end to end
// (fetching, decoding, the dataflow, checkpoints). The broker (kfake) runs
// in the same process, so rows/cpu-s counts its serving of the fetches
// too.
func BenchmarkKafkaSourceToBlackhole(b *testing.B) {
	kafkaBench(b, Options{CheckpointInterval: 100 * time.Millisecond}, "DROP SINK ",
		func(s *Session, name, with string) {
			if name == "k0" { // the first iteration of this database
				benchExec(b, s, "CREATE SOURCE src (id bigint, name text, amount bigint, at timestamptz) "+with)
			}
			benchExec(b, s, "CREATE SINK "+name+" AS SELECT * FROM src WITH (connector = 'blackhole')")
		},
		func(s *Session, name string) int64 { return sinkRowsOut(b, s, name) })
}

// BenchmarkKafkaTableIngest stores the same messages in a table (CREATE
// TABLE … WITH (connector = 'kafka')), each write a transaction that also
// records the positions reached, until the table holds them all.
func BenchmarkKafkaTableIngest(b *testing.B) {
	kafkaBench(b, Options{}, "DROP TABLE ",
		func(s *Session, name, with string) {
			benchExec(b, s, "CREATE TABLE "+name+" (id bigint, name text, amount bigint, at timestamptz) "+with)
		},
		func(s *Session, name string) int64 {
			s.db.ingestMu.Lock()
			defer s.db.ingestMu.Unlock()
			return s.db.ingests[benchTableID(b, s.db, name)].rows.Load()
		})
}

// kafkaBenchRows is the number of messages the Kafka benchmarks read.
const kafkaBenchRows = 400_000

// kafkaBench produces kafkaBenchRows messages to a topic of a new kfake
// cluster, then for each iteration measures start (given a fresh name and
// the WITH clause of the topic) until count says name took every message,
// and runs drop plus name.
func kafkaBench(b *testing.B, opts Options, drop string, start func(s *Session, name, with string), count func(s *Session, name string) int64) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	bytes := kafkaBenchProduce(b, c, "bench", kafkaBenchRows)
	with := fmt.Sprintf(`WITH (connector = 'kafka', topic = 'bench', "bootstrap.servers" = '%s', format = 'json')`, strings.Join(c.ListenAddrs(), ","))
	db := benchOpen(b, opts)
	defer db.Close()
	s := benchSession(b, db)
	b.ResetTimer()
	b.StopTimer()
	var cpu time.Duration
	for i := range b.N {
		name := fmt.Sprintf("k%d", i)
		measure(b, &cpu, func() {
			start(s, name, with)
			for {
				if n := count(s, name); n == kafkaBenchRows {
					break
				} else if n > kafkaBenchRows {
					b.Fatalf("%s took %d messages of %d", name, n, kafkaBenchRows)
				}
				time.Sleep(time.Millisecond)
			}
		})
		benchExec(b, s, drop+name)
	}
	reportRate(b, kafkaBenchRows*b.N, cpu)
	b.ReportMetric(float64(bytes*b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
}

// kafkaBenchProduce writes n JSON messages of about 100 bytes to topic,
// round robin over its partitions, and returns their total size.
func kafkaBenchProduce(b *testing.B, c *kfake.Cluster, topic string, n int) int {
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()),
		kgo.ProducerBatchMaxBytes(1<<20))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	total := 0
	var recs []*kgo.Record
	for i := range n {
		v := fmt.Appendf(nil, `{"id":%d,"name":"customer-%08d","amount":%d,"at":"%s"}`,
			1_000_000+i, i%100_000, i*7%100_000, base.Add(time.Duration(i)*time.Millisecond).Format("2006-01-02T15:04:05.000Z"))
		total += len(v)
		recs = append(recs, &kgo.Record{Topic: topic, Value: v})
		if len(recs) == 10_000 || i == n-1 {
			if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
				b.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	return total
}

// sinkRowsOut is the number of rows sink name wrote out.
func sinkRowsOut(b *testing.B, s *Session, name string) int64 {
	sm := s.db.streams
	id := benchTableID(b, s.db, name)
	sm.mu.Lock()
	rv := sm.views[id]
	sm.mu.Unlock()
	if rv == nil || rv.flow.Err() != nil {
		b.Fatalf("sink %s is not running", name)
	}
	return rv.sink.Rows()
}

// benchTableID is the id of relation name in schema public.
func benchTableID(b *testing.B, db *DB, name string) uint32 {
	t, ok := db.catalog.Table("public", name)
	if !ok {
		b.Fatalf("no table %s", name)
	}
	return t.ID
}
