package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Crash and broker-restart tests of runnel over Kafka: a kfake cluster runs
// in the test process on 127.0.0.1, and the runnel process reads and writes
// it through its Kafka connector. A stored Kafka table must hold every
// message once, a view over a Kafka source must count every message once,
// and an exactly_once Kafka sink must leave every row once in its topic as
// read_committed readers see it, however often runnel is killed and the
// brokers go away.

// kcEvent is an event of the input topic, as JSON; the sink writes id, k
// and v back. ts is in Postgres text form.
type kcEvent struct {
	ID int64  `json:"id"`
	K  string `json:"k"`
	V  int64  `json:"v"`
	TS string `json:"ts,omitempty"`
}

// kcColumns are the columns of the tables and sources over the input topic.
const kcColumns = "id bigint, k text, v bigint, ts timestamp"

// kcKeys is the number of distinct values of k.
const kcKeys = 7

// kcEvents returns events with ids 1..n, the same for a seed.
func kcEvents(seed uint64, n int) []kcEvent {
	rng := rand.New(rand.NewPCG(seed, 0x6b61))
	events := make([]kcEvent, n)
	for i := range events {
		id := int64(i + 1)
		events[i] = kcEvent{ID: id, K: fmt.Sprintf("k%d", rng.IntN(kcKeys)), V: rng.Int64N(1000) - 100,
			TS: pipeTime(pipeBase + id*137_000 + rng.Int64N(1000))}
	}
	return events
}

// kcPartition is the partition of the input topic (of 2 or more) that
// event id goes to: 70% to partition 0, the rest spread over the others.
func kcPartition(id int64, partitions int32) int32 {
	if id%10 < 7 {
		return 0
	}
	return 1 + int32(id)%(partitions-1)
}

// kcRow renders e as queryRows renders the columns id, k, v, ts.
func (e kcEvent) kcRow() string { return fmt.Sprintf("%d|%s|%d|%s", e.ID, e.K, e.V, e.TS) }

// kcRows renders events as queryRows renders "SELECT id, k, v, ts".
func kcRows(events []kcEvent) []string {
	rows := make([]string, len(events))
	for i, e := range events {
		rows[i] = e.kcRow()
	}
	slices.Sort(rows)
	return rows
}

// kcAggRows renders what "SELECT k, count(*), sum(v) … GROUP BY k" makes
// of events, as queryRows does.
func kcAggRows(events []kcEvent) []string {
	n, s := map[string]int64{}, map[string]int64{}
	for _, e := range events {
		n[e.K]++
		s[e.K] += e.V
	}
	var rows []string
	for k := range n {
		rows = append(rows, fmt.Sprintf("%s|%d|%d", k, n[k], s[k]))
	}
	slices.Sort(rows)
	return rows
}

// kcTotals renders count(*), count(DISTINCT id), sum(id), sum(v) of
// events, as queryRows renders kcTotalsQuery.
func kcTotals(events []kcEvent) string {
	var ids, vs int64
	for _, e := range events {
		ids += e.ID
		vs += e.V
	}
	return fmt.Sprintf("%d|%d|%d|%d", len(events), len(events), ids, vs)
}

// kcTotalsQuery is the query kcTotals renders the answer of, over table.
func kcTotalsQuery(table string) string {
	return "SELECT count(*), count(DISTINCT id), sum(id), sum(v) FROM " + table
}

// kcCluster starts a single-broker kfake cluster on 127.0.0.1, closed at
// the end of the test.
func kcCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// kcWith is the WITH clause of a Kafka table, source or sink over topic of
// the brokers at addrs, plus more.
func kcWith(addrs []string, topic, more string) string {
	w := fmt.Sprintf(`connector = 'kafka', topic = '%s', "bootstrap.servers" = '%s', format = 'json'`, topic, strings.Join(addrs, ","))
	if more != "" {
		w += ", " + more
	}
	return "WITH (" + w + ")"
}

// kcProducer writes events to a topic in order, in batches, each batch
// produced synchronously. sent and acked count the events handed to the
// client and acknowledged by the brokers, both prefixes of events; run
// writes no further than limit (see allow).
type kcProducer struct {
	cl         *kgo.Client
	topic      string
	partitions int32
	events     []kcEvent
	sent       atomic.Int64
	acked      atomic.Int64
	limit      atomic.Int64
	// err is the failure that stopped the producer, read after done.
	err  error
	done chan struct{}
}

// newKCProducer returns a producer of events to topic (of partitions
// partitions) of the brokers at addrs, closed at the end of the test.
func newKCProducer(t *testing.T, addrs []string, topic string, partitions int32, events []kcEvent) *kcProducer {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &kcProducer{cl: cl, topic: topic, partitions: partitions, events: events, done: make(chan struct{})}
}

// produce writes events[from:to] and waits for their acknowledgement.
func (p *kcProducer) produce(ctx context.Context, from, to int) error {
	recs := make([]*kgo.Record, 0, to-from)
	for _, e := range p.events[from:to] {
		value, err := json.Marshal(e)
		if err != nil {
			return err
		}
		recs = append(recs, &kgo.Record{Topic: p.topic, Partition: kcPartition(e.ID, p.partitions), Key: []byte(e.K), Value: value})
	}
	p.sent.Store(int64(to))
	if err := p.cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("producing events %d to %d: %w", from+1, to, err)
	}
	p.acked.Store(int64(to))
	return nil
}

// allow lets run write up to n events more than are acknowledged now
// (and never fewer than it was allowed before).
func (p *kcProducer) allow(n int64) {
	if to := min(int64(len(p.events)), p.acked.Load()+n); to > p.limit.Load() {
		p.limit.Store(to)
	}
}

// run writes all the events, at most batch at a time with pause between
// batches and never beyond the limit, then closes done.
func (p *kcProducer) run(ctx context.Context, batch int, pause time.Duration) {
	defer close(p.done)
	for i := 0; i < len(p.events); {
		if to := min(i+batch, int(p.limit.Load())); to > i {
			if p.err = p.produce(ctx, i, to); p.err != nil {
				return
			}
			i = to
		}
		select {
		case <-ctx.Done():
			p.err = ctx.Err()
			return
		case <-time.After(pause):
		}
	}
}

// awaitAcks waits until n more events are acknowledged, the producer is
// done, or timeout passes.
func (p *kcProducer) awaitAcks(n int64, timeout time.Duration) {
	from := p.acked.Load()
	for began := time.Now(); p.acked.Load()-from < n && time.Since(began) < timeout; {
		select {
		case <-p.done:
			return
		case <-time.After(time.Millisecond):
		}
	}
}

// kcWait polls check until it returns "" (done) or timeout passes, when
// the test fails with what check last returned and the jobs' states.
func kcWait(t *testing.T, ctx context.Context, c *pgx.Conn, timeout time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		why := check()
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still, after %v: %s\n%s", timeout, why, kcStates(t, ctx, c))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kcStates lists what SHOW SOURCES, SHOW MATERIALIZED VIEWS, SHOW
// PIPELINES and SHOW SINKS say, for failure messages.
func kcStates(t *testing.T, ctx context.Context, c *pgx.Conn) string {
	var b strings.Builder
	for _, show := range []string{"SHOW SOURCES", "SHOW MATERIALIZED VIEWS", "SHOW PIPELINES", "SHOW SINKS"} {
		fmt.Fprintf(&b, "%s:\n", show)
		for _, row := range queryRows(t, ctx, c, show) {
			fmt.Fprintf(&b, "  %s\n", row)
		}
	}
	return b.String()
}

// kcState is the state column of the row of name in show (SHOW SOURCES:
// the fourth column; the others: the second), "" when there is none.
func kcState(t *testing.T, ctx context.Context, c *pgx.Conn, show, name string) string {
	col := 1
	if show == "SHOW SOURCES" {
		col = 3
	}
	for _, row := range queryRows(t, ctx, c, show) {
		if f := strings.Split(row, "|"); f[0] == name {
			return f[col]
		}
	}
	return ""
}

// kcQueryOne runs sql, which returns one row, and renders it as queryRows
// does.
func kcQueryOne(t *testing.T, ctx context.Context, c *pgx.Conn, sql string) string {
	t.Helper()
	rows := queryRows(t, ctx, c, sql)
	if len(rows) != 1 {
		t.Fatalf("%s: %d rows, want 1", sql, len(rows))
	}
	return rows[0]
}

// kcCount runs sql, which returns one integer (NULL counts as 0).
func kcCount(t *testing.T, ctx context.Context, c *pgx.Conn, sql string) int64 {
	t.Helper()
	s := kcQueryOne(t, ctx, c, sql)
	if s == "NULL" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s: %q is not an integer", sql, s)
	}
	return n
}

// kcReadCommitted reads topic (of partitions partitions) from the start as
// a read_committed consumer until it has seen want distinct ids, then on
// to the partitions' last stable offsets at that moment, so that every
// committed message, duplicates included, is read. It returns the
// messages' values, decoded.
func kcReadCommitted(t *testing.T, addrs []string, topic string, partitions int32, want int, timeout time.Duration) []kcEvent {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.ConsumeTopics(topic),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.KeepControlRecords()) // their offsets tell how far the consumer got
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var got []kcEvent
	ids := map[int64]bool{}
	next := map[int32]int64{} // the offset after the last record read
	poll := func() {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return
		}
		fetches.EachError(func(topic string, p int32, err error) { t.Fatalf("reading %s/%d: %v", topic, p, err) })
		fetches.EachRecord(func(r *kgo.Record) {
			next[r.Partition] = r.Offset + 1
			if r.Attrs.IsControl() {
				return
			}
			var e kcEvent
			if err := json.Unmarshal(r.Value, &e); err != nil {
				t.Fatalf("%s/%d@%d: %q: %v", topic, r.Partition, r.Offset, r.Value, err)
			}
			got = append(got, e)
			ids[e.ID] = true
		})
	}
	for len(ids) < want && ctx.Err() == nil {
		poll()
	}
	if ctx.Err() != nil {
		t.Fatalf("topic %s: %d distinct ids after %v, want %d", topic, len(ids), timeout, want)
	}
	end := kcStableOffsets(t, ctx, cl, topic, partitions)
	for p := range partitions {
		for next[p] < end[p] && ctx.Err() == nil {
			poll()
		}
		if next[p] < end[p] {
			t.Fatalf("topic %s: partition %d read up to offset %d, want %d", topic, p, next[p], end[p])
		}
	}
	return got
}

// kcStableOffsets asks for the last stable offset of each partition of
// topic: every transaction below it has ended.
func kcStableOffsets(t *testing.T, ctx context.Context, cl *kgo.Client, topic string, partitions int32) map[int32]int64 {
	t.Helper()
	req := kmsg.NewPtrListOffsetsRequest()
	req.IsolationLevel = 1 // read_committed: the last stable offset
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = topic
	for p := range partitions {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition = p
		rp.Timestamp = -1 // the end
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("listing the offsets of %s: %v", topic, err)
	}
	end := map[int32]int64{}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				t.Fatalf("listing the offsets of %s/%d: %v", topic, rp.Partition, err)
			}
			end[rp.Partition] = rp.Offset
		}
	}
	return end
}

// kcCheckSunk checks that the messages read from a sink's topic are events
// once each, with their id, k and v.
func kcCheckSunk(t *testing.T, topic string, got, events []kcEvent) {
	t.Helper()
	byID := map[int64]kcEvent{}
	for _, e := range events {
		byID[e.ID] = kcEvent{ID: e.ID, K: e.K, V: e.V}
	}
	seen := map[int64]int{}
	var dups, wrong []int64
	for _, e := range got {
		if seen[e.ID]++; seen[e.ID] == 2 {
			dups = append(dups, e.ID)
		}
		if want, ok := byID[e.ID]; !ok || e != want {
			wrong = append(wrong, e.ID)
		}
	}
	var missing []int64
	for _, e := range events {
		if seen[e.ID] == 0 {
			missing = append(missing, e.ID)
		}
	}
	if len(dups)+len(wrong)+len(missing) > 0 {
		first := func(ids []int64) []int64 { slices.Sort(ids); return ids[:min(len(ids), 10)] }
		t.Errorf("topic %s (read_committed): %d messages for %d events: %d ids more than once %v, %d missing %v, %d not as produced %v",
			topic, len(got), len(events), len(dups), first(dups), len(missing), first(missing), len(wrong), first(wrong))
	}
}

// kcCheckStored checks that table holds events once each, as its totals
// and as rows.
func kcCheckStored(t *testing.T, ctx context.Context, c *pgx.Conn, table string, events []kcEvent) {
	t.Helper()
	if got, want := kcQueryOne(t, ctx, c, kcTotalsQuery(table)), kcTotals(events); got != want {
		t.Errorf("%s (count, distinct ids, sum of ids, sum of v): %s, want %s", table, got, want)
	}
	if got, want := queryRows(t, ctx, c, "SELECT id, k, v, ts FROM "+table), kcRows(events); !slices.Equal(got, want) {
		t.Errorf("%s: %d rows, want %d\n%s", table, len(got), len(want), multisetDiff(got, want))
	}
}

// kcCheckView checks that view (k, n, s) equals the same aggregate of
// events and the batch query over table, which stores the same events.
func kcCheckView(t *testing.T, ctx context.Context, c *pgx.Conn, view, table string, events []kcEvent) {
	t.Helper()
	got := queryRows(t, ctx, c, "SELECT k, n, s FROM "+view)
	if want := kcAggRows(events); !slices.Equal(got, want) {
		t.Errorf("view %s differs from the produced events: %d rows, want %d\n%s", view, len(got), len(want), multisetDiff(got, want))
	}
	batch := fmt.Sprintf("SELECT k, count(*), sum(v) FROM %s GROUP BY k", table)
	if want := queryRows(t, ctx, c, batch); !slices.Equal(got, want) {
		t.Errorf("view %s differs from %s: %d rows, want %d\n%s", view, batch, len(got), len(want), multisetDiff(got, want))
	}
}

// kcRound is a crashRound whose kill, with afterCommit, waits (after the
// acknowledgements, before the jitter) until the sink has written out an
// epoch: the kill then lands before the next checkpoint forgets that the
// epoch was staged, so that the restart writes it out again and the sink
// must see that it is committed already.
type kcRound struct {
	crashRound
	afterCommit bool
}

// kcAwaitSinkCommit waits until the Rows Out of sink in SHOW SINKS grows,
// polling as fast as it can, and fails the test after timeout.
func kcAwaitSinkCommit(t *testing.T, ctx context.Context, srv *process, sink string, timeout time.Duration) {
	t.Helper()
	c := srv.connect(t)
	defer c.Close(ctx)
	rowsOut := func() string {
		for _, row := range queryRows(t, ctx, c, "SHOW SINKS") {
			if f := strings.Split(row, "|"); f[0] == sink {
				return f[3]
			}
		}
		t.Fatalf("SHOW SINKS has no sink %s", sink)
		return ""
	}
	from := rowsOut()
	for began := time.Now(); rowsOut() == from; {
		if time.Since(began) > timeout {
			t.Fatalf("sink %s wrote nothing out in %v\n%s", sink, timeout, kcStates(t, ctx, c))
		}
	}
}

// TestCrashKafkaExactlyOnce kills runnel with SIGKILL at random moments
// while a producer writes events to a 4-partition topic (most of them to
// one partition), restarting it each time on the same data directory with
// another checkpoint interval and partition count. runnel stores the topic
// in a table, and reads it as a source into a view (count and sum per key)
// and into an exactly_once Kafka sink. After each restart the table holds
// no id twice and none that was not sent; at the end the table holds every
// event once, the view equals both the events' aggregate and the batch
// query over the table, and the sink's topic, read committed, holds every
// event once.
func TestCrashKafkaExactlyOnce(t *testing.T) {
	const (
		seed       = 1
		n          = 30000
		partitions = 4
		outParts   = 2
	)
	rounds := []kcRound{
		{crashRound{"50ms", 2, 2000, 300}, false},
		{crashRound{"20ms", 1, 1500, 0}, true},
		{crashRound{"200ms", 3, 2000, 300}, false},
		{crashRound{"20ms", 2, 1500, 0}, true},
		{crashRound{"1h", 1, 2000, 300}, false},
		{crashRound{"50ms", 3, 1500, 0}, true},
		{crashRound{"20ms", 2, 1500, 100}, false},
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 0x6b11))
	events := kcEvents(seed, n)
	c := kcCluster(t, kfake.SeedTopics(partitions, "in"), kfake.SeedTopics(outParts, "out"))
	addrs := c.ListenAddrs()

	f := newFixture(t)
	flags := func(r kcRound) []string {
		return []string{"--checkpoint-interval", r.interval, "--partitions", fmt.Sprint(r.partitions)}
	}
	srv := f.start(t, flags(rounds[0])...)
	conn := srv.connect(t)
	for _, sql := range []string{
		fmt.Sprintf("CREATE TABLE kin (%s) %s", kcColumns, kcWith(addrs, "in", "")),
		fmt.Sprintf("CREATE SOURCE sin (%s) %s", kcColumns, kcWith(addrs, "in", "")),
		"CREATE MATERIALIZED VIEW kagg AS SELECT k, count(*) AS n, sum(v) AS s FROM sin GROUP BY k",
		"CREATE SINK out AS SELECT id, k, v FROM sin " + kcWith(addrs, "out", "key_fields = 'id', delivery = 'exactly_once'"),
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	conn.Close(ctx)

	prodCtx, stopProducing := context.WithTimeout(ctx, time.Minute)
	defer stopProducing()
	prod := newKCProducer(t, addrs, "in", partitions, events)
	go prod.run(prodCtx, 50, 10*time.Millisecond)

	for i, r := range rounds {
		// Events flow beyond the kill: the producer may write twice what
		// the round waits for.
		prod.allow(2 * int64(r.acks))
		prod.awaitAcks(int64(r.acks), 10*time.Second)
		if r.afterCommit {
			kcAwaitSinkCommit(t, ctx, srv, "out", 10*time.Second)
		}
		time.Sleep(time.Duration(rng.IntN(r.jitter+1)) * time.Millisecond)
		srv.kill()
		next := rounds[(i+1)%len(rounds)]
		srv = f.start(t, flags(next)...)
		sent := prod.sent.Load()
		conn := srv.connect(t)
		when := fmt.Sprintf("round %d (killed with --checkpoint-interval %s --partitions %d, after a sink commit: %v, restarted with --partitions %d)",
			i, r.interval, r.partitions, r.afterCommit, next.partitions)
		row := kcQueryOne(t, ctx, conn, "SELECT count(*), count(DISTINCT id), coalesce(max(id), 0) FROM kin")
		var stored, distinct, maxID int64
		if _, err := fmt.Sscanf(row, "%d|%d|%d", &stored, &distinct, &maxID); err != nil {
			t.Fatalf("%s: kin totals %q: %v", when, row, err)
		}
		if stored != distinct || maxID > sent {
			t.Errorf("%s: kin holds %d rows of %d distinct ids up to %d, with %d events sent", when, stored, distinct, maxID, sent)
		}
		conn.Close(ctx)
		t.Logf("%s: %d events acknowledged by Kafka, %d stored in kin after restart, startup %v",
			when, prod.acked.Load(), stored, srv.startup.Round(time.Millisecond))
		if t.Failed() {
			return
		}
	}
	prod.allow(n)
	<-prod.done
	if prod.err != nil {
		t.Fatal(prod.err)
	}
	conn = srv.connect(t)
	defer conn.Close(ctx)
	kcWait(t, ctx, conn, 30*time.Second, func() string {
		if got := kcCount(t, ctx, conn, "SELECT count(*) FROM kin"); got < n {
			return fmt.Sprintf("kin holds %d rows, want %d", got, n)
		}
		if got := kcCount(t, ctx, conn, "SELECT sum(n) FROM kagg"); got < n {
			return fmt.Sprintf("kagg counts %d events, want %d", got, n)
		}
		return ""
	})
	kcCheckStored(t, ctx, conn, "kin", events)
	kcCheckView(t, ctx, conn, "kagg", "kin", events)
	kcCheckSunk(t, "out", kcReadCommitted(t, addrs, "out", outParts, n, 30*time.Second), events)
	for _, job := range []struct{ show, name, want string }{
		{"SHOW SOURCES", "kin", "running"},
		{"SHOW MATERIALIZED VIEWS", "kagg", "running"},
		{"SHOW SINKS", "out", "running"},
	} {
		if got := kcState(t, ctx, conn, job.show, job.name); got != job.want {
			t.Errorf("%s: %s is %q, want %q", job.show, job.name, got, job.want)
		}
	}
}

// TestKafkaBrokerRestart stops the Kafka cluster while runnel reads a
// topic into a stored table, and as a source into a view and into a
// pipeline writing a table: SHOW SOURCES, SHOW MATERIALIZED VIEWS and SHOW
// PIPELINES must say they are retrying. The cluster starts again on the
// same port and data, more events are produced, and in the end both tables
// hold every event once, the view equals the events' aggregate and the
// batch query, and the states say running again.
func TestKafkaBrokerRestart(t *testing.T) {
	const (
		seed       = 2
		n          = 6000
		partitions = 3
	)
	ctx := context.Background()
	events := kcEvents(seed, n)
	dataDir := t.TempDir()
	_, portText, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	c := kcCluster(t, kfake.DataDir(dataDir), kfake.Ports(port), kfake.SeedTopics(partitions, "b"))
	addrs := c.ListenAddrs()

	srv := newFixture(t).start(t, "--checkpoint-interval", "100ms")
	conn := srv.connect(t)
	defer conn.Close(ctx)
	for _, sql := range []string{
		fmt.Sprintf("CREATE TABLE bt (%s) %s", kcColumns, kcWith(addrs, "b", "")),
		fmt.Sprintf("CREATE SOURCE bs (%s) %s", kcColumns, kcWith(addrs, "b", "")),
		"CREATE MATERIALIZED VIEW bagg AS SELECT k, count(*) AS n, sum(v) AS s FROM bs GROUP BY k",
		fmt.Sprintf("CREATE TABLE bcopy (%s)", kcColumns),
		"CREATE PIPELINE bp AS INSERT INTO bcopy SELECT id, k, v, ts FROM bs",
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// reached waits until the tables and the view hold m events.
	reached := func(m int64) {
		t.Helper()
		kcWait(t, ctx, conn, 30*time.Second, func() string {
			for _, q := range []string{"SELECT count(*) FROM bt", "SELECT count(*) FROM bcopy", "SELECT sum(n) FROM bagg"} {
				if got := kcCount(t, ctx, conn, q); got < m {
					return fmt.Sprintf("%s: %d, want %d", q, got, m)
				}
			}
			return ""
		})
	}
	jobs := []struct{ show, name string }{
		{"SHOW SOURCES", "bt"},
		{"SHOW MATERIALIZED VIEWS", "bagg"},
		{"SHOW PIPELINES", "bp"},
	}

	prod := newKCProducer(t, addrs, "b", partitions, events)
	if err := prod.produce(ctx, 0, n/2); err != nil {
		t.Fatal(err)
	}
	reached(n / 2)

	c.Close()
	kcWait(t, ctx, conn, 30*time.Second, func() string {
		for _, j := range jobs {
			if st := kcState(t, ctx, conn, j.show, j.name); !strings.HasPrefix(st, "running; ") || !strings.Contains(st, "retrying") {
				return fmt.Sprintf("%s: %s is %q, want it running and retrying", j.show, j.name, st)
			}
		}
		return ""
	})

	c = kcCluster(t, kfake.DataDir(dataDir), kfake.Ports(port))
	prod = newKCProducer(t, c.ListenAddrs(), "b", partitions, events)
	if err := prod.produce(ctx, n/2, n); err != nil {
		t.Fatal(err)
	}
	reached(n)
	kcCheckStored(t, ctx, conn, "bt", events)
	kcCheckStored(t, ctx, conn, "bcopy", events)
	kcCheckView(t, ctx, conn, "bagg", "bt", events)
	kcWait(t, ctx, conn, 30*time.Second, func() string {
		for _, j := range jobs {
			if st := kcState(t, ctx, conn, j.show, j.name); st != "running" {
				return fmt.Sprintf("%s: %s is %q, want %q", j.show, j.name, st, "running")
			}
		}
		return ""
	})
}
