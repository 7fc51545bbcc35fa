package kafka

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// idNameCols are the columns most tests read.
var idNameCols = []format.Column{{Name: "id", Type: vector.Int8}, {Name: "name", Type: vector.Text}}

// TestSourceFormats reads messages of each format into the rows they hold.
func TestSourceFormats(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "json", "csv", "raw_string", "raw_bytes", "debezium_json"))
	cl := newClient(t, c)
	tests := []struct {
		format string
		cols   []format.Column
		values []string
		want   []string
	}{
		{"json", idNameCols,
			[]string{`{"id":1,"name":"a"}`, `{"name":"b","id":2}`, `{"id":3}`},
			[]string{"1|1|a", "1|2|b", "1|3|NULL"}},
		{"csv", idNameCols,
			[]string{`1,a`, `2,"b,c"`, `3,`},
			[]string{"1|1|a", "1|2|b,c", "1|3|NULL"}},
		{"raw_string", []format.Column{{Name: "line", Type: vector.Text}},
			[]string{"hello world", `{"not":"parsed"}`},
			[]string{"1|hello world", `1|{"not":"parsed"}`}},
		{"raw_bytes", []format.Column{{Name: "b", Type: vector.Bytea}},
			[]string{"\x00\x01\xff"},
			[]string{`1|\x0001ff`}},
		{"debezium_json", idNameCols,
			[]string{
				`{"before":null,"after":{"id":1,"name":"a"},"op":"c"}`,
				`{"before":{"id":1,"name":"a"},"after":{"id":1,"name":"b"},"op":"u"}`,
				`{"before":{"id":1,"name":"b"},"after":null,"op":"d"}`,
				"", // the tombstone Debezium follows a deletion with
			},
			[]string{"1|1|a", "-1|1|a", "1|1|b", "-1|1|b"}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			for _, v := range tc.values {
				produce(t, cl, rec(tc.format, 0, v))
			}
			r := startRead(t, openSource(t, sourceOpts(c, tc.format, "format", tc.format), tc.cols), nil)
			r.waitPositions(t, map[int32]int64{0: int64(len(tc.values))})
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			chunks, _ := r.out.snapshot()
			if got := chunkRows(chunks, tc.cols); !slices.Equal(got, tc.want) {
				t.Errorf("rows %q, want %q", got, tc.want)
			}
			for _, ch := range chunks {
				if ch.Skipped != 0 {
					t.Errorf("chunk %+v skipped messages", ch)
				}
			}
		})
	}
}

// TestSourceMetadata fills metadata columns from each message's offset,
// partition, timestamp, key and headers.
func TestSourceMetadata(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(2, "meta"))
	cl := newClient(t, c)
	at := time.Date(2026, 11, 25, 10, 0, 0, 123000000, time.UTC)
	produce(t, cl,
		&kgo.Record{Topic: "meta", Partition: 1, Key: []byte("k1"), Value: []byte(`{"id":1}`), Timestamp: at,
			Headers: []kgo.RecordHeader{{Key: "b", Value: []byte("x")}, {Key: "a", Value: []byte("y")}, {Key: "b", Value: []byte("z")},
				{Key: "n"}, {Key: "e", Value: []byte{}}}},
		&kgo.Record{Topic: "meta", Partition: 1, Value: []byte(`{"id":2}`), Timestamp: at.Add(time.Second)},
		&kgo.Record{Topic: "meta", Partition: 0, Key: []byte{0xff}, Value: []byte(`{"id":3}`), Timestamp: at})
	tests := []struct {
		name string
		cols []format.Column
		want []string // sorted
	}{
		{"text key", []format.Column{
			{Name: "id", Type: vector.Int8},
			{Name: "off", Type: vector.Int8, Metadata: "offset"},
			{Name: "part", Type: vector.Int4, Metadata: "partition"},
			{Name: "at", Type: vector.TimestampTZ, Metadata: "timestamp"},
			{Name: "k", Type: vector.Text, Metadata: "key"},
			{Name: "h", Type: vector.JSONB, Metadata: "headers"},
		}, []string{
			`1|1|0|1|2026-11-25 10:00:00.123+00|k1|{"a": "y", "b": "z", "e": "", "n": null}`,
			`1|2|1|1|2026-11-25 10:00:01.123+00|NULL|{}`,
		}},
		{"bytea key", []format.Column{
			{Name: "k", Type: vector.Bytea, Metadata: "key"},
			{Name: "at", Type: vector.Timestamp, Metadata: "timestamp"},
			{Name: "id", Type: vector.Int8},
		}, []string{
			`1|NULL|2026-11-25 10:00:01.123|2`,
			`1|\x6b31|2026-11-25 10:00:00.123|1`,
			`1|\xff|2026-11-25 10:00:00.123|3`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The text key of partition 0's message is not UTF-8: skipped.
			r := startRead(t, openSource(t, sourceOpts(c, "meta", "on_error", "skip"), tc.cols), nil)
			r.waitPositions(t, map[int32]int64{0: 1, 1: 2})
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			chunks, _ := r.out.snapshot()
			got := chunkRows(chunks, tc.cols)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("rows\n%q, want\n%q", got, tc.want)
			}
		})
	}
}

// TestSourceSkewedPartitions reads partitions of very different sizes:
// every message once, each partition in order, each chunk of one
// partition, announced first at its start.
func TestSourceSkewedPartitions(t *testing.T) {
	const partitions = 5
	sizes := []int{20000, 3, 0, 50, 1}
	c := newCluster(t, kfake.SeedTopics(partitions, "skew"))
	cl := newClient(t, c)
	var recs []*kgo.Record
	for p, n := range sizes {
		for i := range n {
			recs = append(recs, rec("skew", int32(p), fmt.Sprintf(`{"id":%d,"name":"p%d"}`, i, p)))
		}
	}
	produce(t, cl, recs...)
	want := map[int32]int64{}
	for p, n := range sizes {
		want[int32(p)] = int64(n)
	}
	r := startRead(t, openSource(t, sourceOpts(c, "skew"), idNameCols), nil)
	r.waitPositions(t, want)
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	chunks, _ := r.out.snapshot()
	if r.out.concurrent {
		t.Error("the output's methods were called concurrently")
	}
	announced := map[int32]bool{}
	next := map[int32]int64{}
	for i, ch := range chunks {
		if i < partitions {
			if ch.Rows != nil || ch.Next != 0 || announced[ch.Split] {
				t.Fatalf("chunk %d is %+v, want an empty announcement of a new partition at 0", i, ch)
			}
			announced[ch.Split] = true
			continue
		}
		if ch.Rows == nil {
			continue
		}
		// The rows of a chunk are the messages just before its Next.
		for j, row := range chunkRows([]source.Chunk{ch}, idNameCols) {
			wantRow := fmt.Sprintf("1|%d|p%d", next[ch.Split]+int64(j), ch.Split)
			if row != wantRow {
				t.Fatalf("partition %d: row %q, want %q", ch.Split, row, wantRow)
			}
		}
		if next[ch.Split] += int64(ch.Rows.Len); next[ch.Split] != ch.Next {
			t.Fatalf("partition %d: chunk ends at %d, Next says %d", ch.Split, next[ch.Split], ch.Next)
		}
		if ch.Rows.Len > 4096 {
			t.Errorf("a chunk of %d rows", ch.Rows.Len)
		}
	}
	for p, n := range want {
		if next[p] != n {
			t.Errorf("partition %d: %d rows read, want %d", p, next[p], n)
		}
	}
}

// idRecs are records of partition p of topic with ids from..to-1 (name
// "n<id>"), whose timestamps are base + id seconds.
func idRecs(topic string, p int32, from, to int, base time.Time) []*kgo.Record {
	var recs []*kgo.Record
	for id := from; id < to; id++ {
		r := rec(topic, p, fmt.Sprintf(`{"id":%d,"name":"n%d"}`, id, id))
		r.Timestamp = base.Add(time.Duration(id) * time.Second)
		recs = append(recs, r)
	}
	return recs
}

// idRows are the rows of idRecs.
func idRows(from, to int) []string {
	var rows []string
	for id := from; id < to; id++ {
		rows = append(rows, fmt.Sprintf("1|%d|n%d", id, id))
	}
	return rows
}

// TestSourceStartup starts partitions absent from the position where each
// startup mode says, announcing the numeric offset.
func TestSourceStartup(t *testing.T) {
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		opts []string
		// committed are the offsets committed for group "g" beforehand.
		committed map[int32]int64
		// starts are the offsets each partition starts at; rows what is
		// read of partition 0 holding ids 0..9 and partition 1 ids
		// 10..19, then ids 20 and 21 produced to partition 0 once the
		// read has started.
		starts map[int32]int64
		rows   []string
	}{
		{"earliest", nil, nil, map[int32]int64{0: 0, 1: 0}, idRows(0, 22)},
		{"latest", []string{"startup", "latest"}, nil, map[int32]int64{0: 10, 1: 10}, idRows(20, 22)},
		{"group", []string{"startup", "group", "group.id", "g"}, map[int32]int64{0: 7, 1: 2},
			map[int32]int64{0: 7, 1: 2}, slices.Concat(idRows(7, 10), idRows(12, 22))},
		{"group without a committed offset", []string{"startup", "group", "group.id", "g", "auto.offset.reset", "latest"},
			map[int32]int64{0: 4}, map[int32]int64{0: 4, 1: 10}, slices.Concat(idRows(4, 10), idRows(20, 22))},
		{"timestamp millis", []string{"startup", "timestamp", "startup_timestamp", fmt.Sprint(base.Add(5 * time.Second).UnixMilli())},
			nil, map[int32]int64{0: 5, 1: 0}, slices.Concat(idRows(5, 22))},
		{"timestamp literal", []string{"startup", "timestamp", "startup_timestamp", "2026-11-25 11:00:15+01"},
			nil, map[int32]int64{0: 10, 1: 5}, idRows(15, 22)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, kfake.SeedTopics(2, "s"))
			cl := newClient(t, c)
			produce(t, cl, slices.Concat(idRecs("s", 0, 0, 10, base), idRecs("s", 1, 10, 20, base))...)
			if tc.committed != nil {
				commitGroupOffsets(t, c, "g", "s", tc.committed)
			}
			r := startRead(t, openSource(t, sourceOpts(c, "s", tc.opts...), idNameCols), nil)
			r.waitFor(t, "the announcements", func(chunks []source.Chunk, _ []string) bool { return len(chunks) >= 2 })
			chunks, _ := r.out.snapshot()
			if got := positions(chunks[:2]); !maps.Equal(got, source.Position(tc.starts)) {
				t.Fatalf("announced starts %v, want %v", got, tc.starts)
			}
			produce(t, cl, idRecs("s", 0, 20, 22, base)...)
			r.waitPositions(t, map[int32]int64{0: 12, 1: 10})
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			chunks, _ = r.out.snapshot()
			got := chunkRows(chunks, idNameCols)
			slices.SortFunc(got, cmpIDRows)
			if !slices.Equal(got, tc.rows) {
				t.Errorf("rows %q, want %q", got, tc.rows)
			}
		})
	}
}

// cmpIDRows orders rows of idRows by id.
func cmpIDRows(a, b string) int {
	var ia, ib int
	fmt.Sscanf(a, "1|%d|", &ia)
	fmt.Sscanf(b, "1|%d|", &ib)
	return ia - ib
}

// TestSourceResume reads from a position exactly what follows it, also
// when a read is stopped in the middle and resumed from the positions it
// emitted.
func TestSourceResume(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(3, "r"))
	cl := newClient(t, c)
	base := time.Unix(0, 0)
	produce(t, cl, slices.Concat(idRecs("r", 0, 0, 3000, base), idRecs("r", 1, 3000, 3010, base), idRecs("r", 2, 3010, 3500, base))...)
	ends := map[int32]int64{0: 3000, 1: 10, 2: 490}
	src := openSource(t, sourceOpts(c, "r", "startup", "latest"), idNameCols)

	// From a given position (startup latest applies to no partition).
	r := startRead(t, src, source.Position{0: 2990, 1: 0, 2: 489})
	r.waitPositions(t, ends)
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	chunks, _ := r.out.snapshot()
	got := chunkRows(chunks, idNameCols)
	slices.SortFunc(got, cmpIDRows)
	if want := slices.Concat(idRows(2990, 3010), idRows(3499, 3500)); !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}

	// Stopped once partition 0 has passed offset 1000, and resumed.
	src = openSource(t, sourceOpts(c, "r"), idNameCols)
	r = startRead(t, src, nil)
	r.waitPositions(t, map[int32]int64{0: 1000})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	first, _ := r.out.snapshot()
	r = startRead(t, src, positions(first))
	r.waitPositions(t, ends)
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	second, _ := r.out.snapshot()
	got = slices.Concat(chunkRows(first, idNameCols), chunkRows(second, idNameCols))
	slices.SortFunc(got, cmpIDRows)
	if want := idRows(0, 3500); !slices.Equal(got, want) {
		t.Errorf("%d rows read in two reads, want the %d rows once each", len(got), len(want))
	}
}

// TestSourceOnError handles malformed messages (a bad value, a tombstone
// without upsert) per on_error.
func TestSourceOnError(t *testing.T) {
	values := []string{`{"id":1,"name":"a"}`, `{"id":"x"}`, `{"id":3,"name":"c"}`, "", `not json`}
	tests := []struct {
		onError string
		// rows read, skipped messages counted (on success).
		rows    []string
		skipped int64
		// err is what the error names (on_error fail).
		err []string
	}{
		{onError: "fail", err: []string{`kafka topic "e", partition 0, offset 1`, `column "id"`}},
		{onError: "skip", rows: []string{"1|1|a", "1|3|c"}, skipped: 3},
		{onError: "dead_letter", rows: []string{"1|1|a", "1|3|c"}, skipped: 3},
	}
	for _, tc := range tests {
		t.Run(tc.onError, func(t *testing.T) {
			c := newCluster(t, kfake.SeedTopics(1, "e", "dlq"))
			cl := newClient(t, c)
			for i, v := range values {
				r := rec("e", 0, v)
				r.Key = []byte(fmt.Sprint("k", i))
				r.Headers = []kgo.RecordHeader{{Key: "h", Value: []byte(fmt.Sprint("v", i))}}
				produce(t, cl, r)
			}
			opts := sourceOpts(c, "e", "on_error", tc.onError)
			if tc.onError == "dead_letter" {
				opts["dead_letter_topic"] = "dlq"
			}
			r := startRead(t, openSource(t, opts, idNameCols), nil)
			if tc.err != nil {
				select {
				case err := <-r.done:
					r.done <- err
					if err == nil || vector.ErrorCode(err) != vector.CodeInvalidTextRepresentation {
						t.Fatalf("Read returned %v (SQLSTATE %q), want the decoder's 22P02", err, vector.ErrorCode(err))
					}
					for _, s := range tc.err {
						if !strings.Contains(err.Error(), s) {
							t.Errorf("error %q does not name %q", err, s)
						}
					}
				case <-time.After(testWait):
					t.Fatal("Read did not fail")
				}
				return
			}
			// The last message is malformed: the position passes it all the same.
			r.waitPositions(t, map[int32]int64{0: int64(len(values))})
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			chunks, _ := r.out.snapshot()
			var skipped int64
			for _, ch := range chunks {
				skipped += ch.Skipped
			}
			if got := chunkRows(chunks, idNameCols); !slices.Equal(got, tc.rows) || skipped != tc.skipped {
				t.Errorf("rows %q and %d skipped, want %q and %d", got, skipped, tc.rows, tc.skipped)
			}
			if tc.onError != "dead_letter" {
				return
			}
			dead := consume(t, c, "dlq", 1)
			if len(dead) != 3 {
				t.Fatalf("%d messages in the dead-letter topic, want 3", len(dead))
			}
			for j, i := range []int{1, 3, 4} {
				m := dead[j]
				headers := map[string]string{}
				for _, h := range m.Headers {
					headers[h.Key] = string(h.Value)
				}
				want := map[string]string{"h": fmt.Sprint("v", i), headerSourceTopic: "e", headerSourcePartition: "0",
					headerSourceOffset: fmt.Sprint(i)}
				for k, v := range want {
					if headers[k] != v {
						t.Errorf("dead message %d: header %q is %q, want %q", i, k, headers[k], v)
					}
				}
				if headers[headerError] == "" {
					t.Errorf("dead message %d: no error header", i)
				}
				if string(m.Key) != fmt.Sprint("k", i) || string(m.Value) != values[i] || (m.Value == nil) != (values[i] == "") {
					t.Errorf("dead message %d: key %q value %q, want %q and %q", i, m.Key, m.Value, fmt.Sprint("k", i), values[i])
				}
			}
		})
	}
}

// TestSourceUpsert reads a tombstone as the deletion of the row its key
// decodes to.
func TestSourceUpsert(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "u"))
	cl := newClient(t, c)
	msgs := []struct{ key, value string }{
		{`{"id":1}`, `{"id":1,"name":"a"}`},
		{`{"id":2}`, `{"id":2,"name":"b"}`},
		{`{"id":1}`, ""},
		{`{"id":1}`, `{"id":1,"name":"c"}`},
		{`{"id":2}`, ""},
	}
	for _, m := range msgs {
		r := rec("u", 0, m.value)
		r.Key = []byte(m.key)
		produce(t, cl, r)
	}
	cols := append(slices.Clone(idNameCols), format.Column{Name: "off", Type: vector.Int8, Metadata: "offset"})
	r := startRead(t, openSource(t, sourceOpts(c, "u", "upsert", "true"), cols), nil)
	r.waitPositions(t, map[int32]int64{0: int64(len(msgs))})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	chunks, _ := r.out.snapshot()
	want := []string{"1|1|a|0", "1|2|b|1", "-1|1|NULL|2", "1|1|c|3", "-1|2|NULL|4"}
	if got := chunkRows(chunks, cols); !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// TestSourceBrokerRestart reads on across a broker stopped and started
// again (same port, same data): the status says it is retrying meanwhile
// and is cleared after, and nothing is lost or read twice.
func TestSourceBrokerRestart(t *testing.T) {
	dir := t.TempDir()
	c := newCluster(t, kfake.DataDir(dir), kfake.SeedTopics(2, "b"))
	addr := c.ListenAddrs()[0]
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Unix(0, 0)
	cl := newClient(t, c)
	produce(t, cl, slices.Concat(idRecs("b", 0, 0, 100, base), idRecs("b", 1, 100, 150, base))...)
	cl.Close()
	r := startRead(t, openSource(t, sourceOpts(c, "b"), idNameCols), nil)
	r.waitPositions(t, map[int32]int64{0: 100, 1: 50})

	c.Close()
	r.waitFor(t, "a status saying the source retries", func(_ []source.Chunk, statuses []string) bool {
		return len(statuses) > 0 && strings.Contains(statuses[len(statuses)-1], "retrying")
	})
	p, _ := strconv.Atoi(port)
	c = newCluster(t, kfake.DataDir(dir), kfake.Ports(p))
	produce(t, newClient(t, c), slices.Concat(idRecs("b", 0, 150, 200, base), idRecs("b", 1, 200, 300, base))...)
	r.waitPositions(t, map[int32]int64{0: 150, 1: 150})
	r.waitFor(t, "the status cleared", func(_ []source.Chunk, statuses []string) bool {
		return statuses[len(statuses)-1] == ""
	})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	chunks, _ := r.out.snapshot()
	got := chunkRows(chunks, idNameCols)
	slices.SortFunc(got, cmpIDRows)
	if want := idRows(0, 300); !slices.Equal(got, want) {
		t.Errorf("%d rows read, want the %d rows once each", len(got), len(want))
	}
}

// TestSourceThreeBrokers reads partitions led by three brokers.
func TestSourceThreeBrokers(t *testing.T) {
	c := newCluster(t, kfake.NumBrokers(3), kfake.SeedTopics(6, "three"))
	cl := newClient(t, c)
	base := time.Unix(0, 0)
	var recs []*kgo.Record
	want := map[int32]int64{}
	for p := range int32(6) {
		recs = append(recs, idRecs("three", p, int(p)*100, int(p)*100+50, base)...)
		want[p] = 50
	}
	produce(t, cl, recs...)
	r := startRead(t, openSource(t, sourceOpts(c, "three"), idNameCols), nil)
	r.waitPositions(t, want)
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	chunks, _ := r.out.snapshot()
	got := chunkRows(chunks, idNameCols)
	slices.SortFunc(got, cmpIDRows)
	var wantRows []string
	for p := range 6 {
		wantRows = append(wantRows, idRows(p*100, p*100+50)...)
	}
	if !slices.Equal(got, wantRows) {
		t.Errorf("rows %q, want %q", got, wantRows)
	}
}

// TestSourceSASL passes SASL properties through to librdkafka: the right
// password reads, a wrong one is reported as the status.
func TestSourceSASL(t *testing.T) {
	c := newCluster(t, kfake.EnableSASL(), kfake.Superuser("PLAIN", "admin", "s3cret"), kfake.SeedTopics(1, "sasl"))
	cl := newClient(t, c, kgo.SASL(plain.Auth{User: "admin", Pass: "s3cret"}.AsMechanism()))
	produce(t, cl, idRecs("sasl", 0, 0, 5, time.Unix(0, 0))...)
	for _, password := range []string{"s3cret", "wrong"} {
		t.Run(password, func(t *testing.T) {
			opts := sourceOpts(c, "sasl", "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
				"sasl.username", "admin", "properties.sasl.password", password)
			r := startRead(t, openSource(t, opts, idNameCols), nil)
			if password == "wrong" {
				r.waitFor(t, "a status naming the authentication failure", func(_ []source.Chunk, statuses []string) bool {
					return len(statuses) > 0 && strings.Contains(strings.ToLower(statuses[len(statuses)-1]), "authentication")
				})
				return
			}
			r.waitPositions(t, map[int32]int64{0: 5})
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			chunks, _ := r.out.snapshot()
			if got := chunkRows(chunks, idNameCols); !slices.Equal(got, idRows(0, 5)) {
				t.Errorf("rows %q, want %q", got, idRows(0, 5))
			}
		})
	}
}

// TestSourceUnavailableAtStart starts reading while the broker is down,
// or the topic does not exist yet: the status says so, and reading starts
// once they are there.
func TestSourceUnavailableAtStart(t *testing.T) {
	for _, missing := range []string{"broker", "topic"} {
		t.Run(missing, func(t *testing.T) {
			c := newCluster(t)
			opts := sourceOpts(c, "late")
			_, port, _ := net.SplitHostPort(c.ListenAddrs()[0])
			if missing == "broker" {
				c.Close()
			}
			r := startRead(t, openSource(t, opts, idNameCols), nil)
			r.waitFor(t, "a status saying the source retries", func(_ []source.Chunk, statuses []string) bool {
				return len(statuses) > 0 && strings.Contains(statuses[len(statuses)-1], "retrying")
			})
			if missing == "broker" {
				p, _ := strconv.Atoi(port)
				c = newCluster(t, kfake.Ports(p))
			}
			createTopic(t, c, "late", 2)
			produce(t, newClient(t, c), idRecs("late", 1, 0, 3, time.Unix(0, 0))...)
			r.waitPositions(t, map[int32]int64{1: 3})
			r.waitFor(t, "the status cleared", func(_ []source.Chunk, statuses []string) bool {
				return statuses[len(statuses)-1] == ""
			})
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			chunks, _ := r.out.snapshot()
			if got := chunkRows(chunks, idNameCols); !slices.Equal(got, idRows(0, 3)) {
				t.Errorf("rows %q, want %q", got, idRows(0, 3))
			}
		})
	}
}

// TestSourceChunkBound keeps chunks within operators.BatchSize rows when
// messages hold two changes each (debezium_json updates).
func TestSourceChunkBound(t *testing.T) {
	const updates = 3000
	c := newCluster(t, kfake.SeedTopics(1, "dbz"))
	// An insertion first, so that the updates' pairs of rows straddle
	// every multiple of the batch size.
	recs := []*kgo.Record{rec("dbz", 0, `{"after":{"id":0},"op":"c"}`)}
	for i := range updates {
		recs = append(recs, rec("dbz", 0, fmt.Sprintf(`{"before":{"id":%d},"after":{"id":%d},"op":"u"}`, i, i)))
	}
	produce(t, newClient(t, c), recs...)
	r := startRead(t, openSource(t, sourceOpts(c, "dbz", "format", "debezium_json"), idNameCols), nil)
	r.waitPositions(t, map[int32]int64{0: updates + 1})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	chunks, _ := r.out.snapshot()
	rows := 0
	for _, ch := range chunks {
		if ch.Rows == nil {
			continue
		}
		if ch.Rows.Len > operators.BatchSize {
			t.Errorf("a chunk of %d rows", ch.Rows.Len)
		}
		rows += ch.Rows.Len
	}
	if rows != 1+2*updates {
		t.Errorf("%d rows, want %d", rows, 1+2*updates)
	}
}

// TestSourceCommitsGroupOffsets commits the positions emitted to the
// group.id given, which a 'group' startup then resumes from.
func TestSourceCommitsGroupOffsets(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(2, "g"))
	cl := newClient(t, c)
	base := time.Unix(0, 0)
	produce(t, cl, idRecs("g", 0, 0, 10, base)...)
	opts := sourceOpts(c, "g", "group.id", "mon", "auto.commit.interval.ms", "50")
	r := startRead(t, openSource(t, opts, idNameCols), nil)
	r.waitPositions(t, map[int32]int64{0: 10})
	deadline := time.Now().Add(testWait)
	for got := groupOffsets(t, c, "mon", "g"); !maps.Equal(got, map[int32]int64{0: 10}); got = groupOffsets(t, c, "mon", "g") {
		if time.Now().After(deadline) {
			t.Fatalf("committed offsets %v, want partition 0 at 10", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}

	produce(t, cl, idRecs("g", 0, 10, 12, base)...)
	opts["startup"] = "group"
	r = startRead(t, openSource(t, opts, idNameCols), nil)
	r.waitPositions(t, map[int32]int64{0: 12})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	chunks, _ := r.out.snapshot()
	if got := chunkRows(chunks, idNameCols); !slices.Equal(got, idRows(10, 12)) {
		t.Errorf("rows %q, want %q", got, idRows(10, 12))
	}
}

// TestSourceGroupResetError fails a 'group' startup that finds a partition
// without a committed offset when auto.offset.reset is error.
func TestSourceGroupResetError(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(2, "s"))
	commitGroupOffsets(t, c, "g", "s", map[int32]int64{0: 0})
	r := startRead(t, openSource(t, sourceOpts(c, "s", "startup", "group", "group.id", "g", "auto.offset.reset", "error"), idNameCols), nil)
	select {
	case err := <-r.done:
		r.done <- err
		if vector.ErrorCode(err) != vector.CodeObjectNotInPrerequisiteState || !strings.Contains(err.Error(), "partition 1") {
			t.Fatalf("Read returned %v, want 55000 naming partition 1", err)
		}
	case <-time.After(testWait):
		t.Fatal("Read did not fail")
	}
}

// TestSourceLargeMessages reads messages larger than a fetch arena among
// small ones, intact and in order.
func TestSourceLargeMessages(t *testing.T) {
	const maxBytes = 4 << 20
	c := newCluster(t, kfake.SeedTopics(1, "big"), kfake.BrokerConfigs(map[string]string{"message.max.bytes": strconv.Itoa(maxBytes)}))
	sizes := []int{10, kafkaArenaSize + 1, kafkaArenaSize - 10, 10, 3 * kafkaArenaSize / 2}
	var recs []*kgo.Record
	var want []string
	for i, n := range sizes {
		v := strings.Repeat(string(rune('a'+i)), n)
		recs = append(recs, rec("big", 0, v))
		want = append(want, "1|"+v)
	}
	produce(t, newClient(t, c, kgo.ProducerBatchMaxBytes(maxBytes)), recs...)
	cols := []format.Column{{Name: "v", Type: vector.Text}}
	r := startRead(t, openSource(t, sourceOpts(c, "big", "format", "raw_string"), cols), nil)
	r.waitPositions(t, map[int32]int64{0: int64(len(sizes))})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	chunks, _ := r.out.snapshot()
	got := chunkRows(chunks, cols)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %d bytes, want %d bytes of %q", i, len(got[i]), len(want[i]), want[i][2])
		}
	}
}
