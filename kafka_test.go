package runnel

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Tests of tables, sources, views and sinks over Kafka: a kfake broker
// in the test process, spoken to with the real protocol.

// kafkaCluster starts a kfake cluster with topics of 3 partitions, closed
// at the end of the test, and returns it with a client producing to
// explicit partitions.
func kafkaCluster(t *testing.T, topics ...string) (*kfake.Cluster, *kgo.Client) {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return c, cl
}

// kafkaProduce writes recs and returns them as acknowledged (with their
// offsets).
func kafkaProduce(t *testing.T, cl *kgo.Client, recs []*kgo.Record) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := cl.ProduceSync(ctx, recs...)
	if err := res.FirstErr(); err != nil {
		t.Fatal(err)
	}
	out := make([]*kgo.Record, len(res))
	for i, r := range res {
		out[i] = r.Record
	}
	return out
}

// kafkaWith is the WITH options of a Kafka table over topic of c, plus
// more.
func kafkaWith(c *kfake.Cluster, topic, more string) string {
	w := fmt.Sprintf(`connector = 'kafka', topic = '%s', "bootstrap.servers" = '%s'`, topic, strings.Join(c.ListenAddrs(), ","))
	if more != "" {
		w += ", " + more
	}
	return "WITH (" + w + ")"
}

// waitRows waits until query returns want (sorted lines).
func waitRows(t *testing.T, s *Session, query string, want []string) {
	t.Helper()
	slices.Sort(want)
	eventually(t, func() string {
		if got := rowsOf(t, s, query); !slices.Equal(got, want) {
			return fmt.Sprintf("%s:\n got %q\nwant %q", query, got, want)
		}
		return ""
	})
}

// TestKafkaTableAndSource: a stored Kafka table holds every message once
// with its metadata; a source over the same topic feeds a windowed view
// whose watermark is the Kafka timestamp, least over the partitions; a
// sink writes a query over the source exactly once.
func TestKafkaTableAndSource(t *testing.T) {
	c, cl := kafkaCluster(t, "clicks", "out")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Minutes 0 and 1 on every partition (partition 0 gets the most), in
	// time order within each, then one message at minute 5 on each: every
	// partition's watermark passes minute 2, so the windows of minutes 0
	// and 1 close, and no row is late.
	var recs []*kgo.Record
	for i := range 60 {
		p := int32(i % 4)
		if p == 3 {
			p = 0
		}
		at := base.Add(time.Duration(2*i) * time.Second)
		recs = append(recs, &kgo.Record{Topic: "clicks", Partition: p, Timestamp: at,
			Value: fmt.Appendf(nil, `{"user_id": %d, "n": %d}`, i%5, i)})
	}
	for p := range int32(3) {
		recs = append(recs, &kgo.Record{Topic: "clicks", Partition: p, Timestamp: base.Add(5 * time.Minute),
			Value: fmt.Appendf(nil, `{"user_id": 9, "n": %d}`, 100+p)})
	}
	acked := kafkaProduce(t, cl, recs)

	db, s := openDB(t, filepath.Join(t.TempDir(), "db"), Options{CheckpointInterval: 50 * time.Millisecond})
	defer db.Close()
	run(t, s, "CREATE TABLE clicks (user_id int, n bigint, part int METADATA FROM 'partition', off bigint METADATA FROM 'offset', "+
		"at timestamptz METADATA FROM 'timestamp') "+kafkaWith(c, "clicks", ""))
	run(t, s, "CREATE SOURCE clicks_s (user_id int, n bigint, at timestamptz METADATA FROM 'timestamp', "+
		"WATERMARK FOR at AS at - INTERVAL '30 seconds') "+kafkaWith(c, "clicks", ""))
	run(t, s, "CREATE MATERIALIZED VIEW per_minute AS SELECT window_start, count(*) AS n, sum(n) AS total "+
		"FROM TUMBLE(clicks_s, at, INTERVAL '1 minute') GROUP BY window_start EMIT ON WINDOW CLOSE")
	run(t, s, "CREATE SINK out AS SELECT user_id, n FROM clicks_s "+kafkaWith(c, "out", "format = 'json', delivery = 'exactly_once'"))

	var stored []string
	perMinute := map[time.Time][2]int64{}
	var sinkWant []string
	for _, r := range acked {
		var user, n int64
		fmt.Sscanf(string(r.Value), `{"user_id": %d, "n": %d}`, &user, &n)
		at := r.Timestamp.UTC()
		stored = append(stored, fmt.Sprintf("%d|%d|%d|%d|%s", user, n, r.Partition, r.Offset, at.Format("2006-01-02 15:04:05")))
		if n < 100 { // the minute-5 messages close the others' windows but not theirs
			w := perMinute[at.Truncate(time.Minute)]
			perMinute[at.Truncate(time.Minute)] = [2]int64{w[0] + 1, w[1] + n}
		}
		sinkWant = append(sinkWant, fmt.Sprintf(`{"user_id":%d,"n":%d}`, user, n))
	}
	waitRows(t, s, "SELECT user_id, n, part, off, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM clicks", stored)
	var minutes []string
	for m, w := range perMinute {
		minutes = append(minutes, fmt.Sprintf("%s|%d|%d", m.Format("2006-01-02 15:04:05"), w[0], w[1]))
	}
	waitRows(t, s, "SELECT to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), n, total FROM per_minute", minutes)

	// The sink's topic, read committed: each row once.
	rd, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics("out"),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var got []string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for len(got) < len(sinkWant) && ctx.Err() == nil {
		rd.PollFetches(ctx).EachRecord(func(r *kgo.Record) { got = append(got, string(r.Value)) })
	}
	slices.Sort(got)
	slices.Sort(sinkWant)
	if !slices.Equal(got, sinkWant) {
		t.Errorf("topic out:\n got %q\nwant %q", got, sinkWant)
	}
	if row := sourceRow(t, s, "clicks"); !strings.HasPrefix(row, "clicks|table|kafka|running|") {
		t.Errorf("SHOW SOURCES: %q", row)
	}
}

// TestKafkaChanges: a debezium_json topic makes a table with a primary key
// change (inserts, updates, deletes), and a view over it follows; an
// upsert topic does the same with tombstones for deletes.
func TestKafkaChanges(t *testing.T) {
	c, cl := kafkaCluster(t, "cdc", "ups")
	kafkaProduce(t, cl, []*kgo.Record{
		{Topic: "cdc", Partition: 0, Value: []byte(`{"before":null,"after":{"id":1,"name":"ann","score":10},"op":"c"}`)},
		{Topic: "cdc", Partition: 0, Value: []byte(`{"before":null,"after":{"id":2,"name":"bob","score":20},"op":"c"}`)},
		{Topic: "cdc", Partition: 0, Value: []byte(`{"before":{"id":1,"name":"ann","score":10},"after":{"id":1,"name":"ann","score":15},"op":"u"}`)},
		{Topic: "cdc", Partition: 0, Value: []byte(`{"schema":{},"payload":{"before":{"id":2,"name":"bob","score":20},"after":null,"op":"d"}}`)},
		{Topic: "cdc", Partition: 0, Value: []byte(`{"before":null,"after":{"id":3,"name":"cy","score":7},"op":"r"}`)},
		{Topic: "ups", Partition: 1, Key: []byte(`{"id":1}`), Value: []byte(`{"id":1,"name":"ann","score":1}`)},
		{Topic: "ups", Partition: 1, Key: []byte(`{"id":2}`), Value: []byte(`{"id":2,"name":"bob","score":2}`)},
		{Topic: "ups", Partition: 1, Key: []byte(`{"id":1}`), Value: []byte(`{"id":1,"name":"ann","score":3}`)},
		{Topic: "ups", Partition: 1, Key: []byte(`{"id":2}`)}, // a tombstone
	})
	db, s := openDB(t, filepath.Join(t.TempDir(), "db"), Options{})
	defer db.Close()
	run(t, s, "CREATE TABLE people (id int PRIMARY KEY, name text, score int) "+kafkaWith(c, "cdc", "format = 'debezium_json'"))
	run(t, s, "CREATE MATERIALIZED VIEW total AS SELECT count(*) AS n, sum(score) AS s FROM people")
	run(t, s, "CREATE TABLE ups (id int PRIMARY KEY, name text, score int) "+kafkaWith(c, "ups", "upsert = 'true'"))
	waitRows(t, s, "SELECT id, name, score FROM people", []string{"1|ann|15", "3|cy|7"})
	waitRows(t, s, "SELECT n, s FROM total", []string{"2|22"})
	waitRows(t, s, "SELECT id, name, score FROM ups", []string{"1|ann|3"})
}

// TestKafkaBadMessages: under on_error = 'skip' a malformed message is
// counted (Bad Rows of SHOW MATERIALIZED VIEWS) and the rest is read;
// under 'fail' the view fails naming the topic, partition and offset.
func TestKafkaBadMessages(t *testing.T) {
	c, cl := kafkaCluster(t, "bad")
	kafkaProduce(t, cl, []*kgo.Record{
		{Topic: "bad", Partition: 2, Value: []byte(`{"n": 1}`)},
		{Topic: "bad", Partition: 2, Value: []byte(`{"n": "one"}`)},
		{Topic: "bad", Partition: 2, Value: []byte(`{"n": 3}`)},
	})
	db, s := openDB(t, filepath.Join(t.TempDir(), "db"), Options{})
	defer db.Close()
	run(t, s, "CREATE SOURCE bad_skip (n int) "+kafkaWith(c, "bad", "on_error = 'skip'"))
	run(t, s, "CREATE SOURCE bad_fail (n int) "+kafkaWith(c, "bad", ""))
	run(t, s, "CREATE MATERIALIZED VIEW skipped AS SELECT count(*) AS c, sum(n) AS s FROM bad_skip")
	run(t, s, "CREATE MATERIALIZED VIEW failing AS SELECT count(*) AS c FROM bad_fail")
	waitRows(t, s, "SELECT c, s FROM skipped", []string{"2|4"})
	row := jobAwait(t, s, "SHOW MATERIALIZED VIEWS", "skipped", "running")
	if row[6] != "1" {
		t.Errorf("SHOW MATERIALIZED VIEWS: bad rows of skipped %q, want 1 (row %q)", row[6], row)
	}
	row = jobAwait(t, s, "SHOW MATERIALIZED VIEWS", "failing", "failed")
	for _, want := range []string{`"bad"`, "partition 2", "offset 1"} {
		if !strings.Contains(row[1], want) {
			t.Errorf("state of failing: %q, want it to name %s", row[1], want)
		}
	}
}

// TestKafkaCSVPipeline: a pipeline from a csv source into a table takes
// the rows its filter keeps, from every partition.
func TestKafkaCSVPipeline(t *testing.T) {
	c, cl := kafkaCluster(t, "csvin")
	kafkaProduce(t, cl, []*kgo.Record{
		{Topic: "csvin", Partition: 0, Value: []byte(`1,ann,10`)},
		{Topic: "csvin", Partition: 1, Value: []byte(`2,"bob, jr",3`)},
		{Topic: "csvin", Partition: 2, Value: []byte(`3,cy,`)},
		{Topic: "csvin", Partition: 2, Value: []byte(`4,"di ""d""",8`)},
	})
	db, s := openDB(t, filepath.Join(t.TempDir(), "db"), Options{})
	defer db.Close()
	run(t, s, "CREATE SOURCE csv_s (id int, name text, score int) "+kafkaWith(c, "csvin", "format = 'csv'"))
	run(t, s, "CREATE TABLE kept (id int, name text, score int)")
	run(t, s, "CREATE PIPELINE keep AS INSERT INTO kept SELECT * FROM csv_s WHERE score > 5 OR score IS NULL")
	waitRows(t, s, "SELECT id, name, coalesce(score, -1) FROM kept", []string{"1|ann|10", "3|cy|-1", `4|di "d"|8`})
}
