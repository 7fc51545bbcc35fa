package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/vector"
)

// testWait bounds every wait of the tests for something to happen.
const testWait = 30 * time.Second

// newCluster starts a kfake cluster on 127.0.0.1, closed when the test
// ends.
func newCluster(t testing.TB, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// brokers is the bootstrap.servers of c.
func brokers(c *kfake.Cluster) string { return strings.Join(c.ListenAddrs(), ",") }

// newClient is a franz-go client of c, closed when the test ends.
func newClient(t testing.TB, c *kfake.Cluster, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...),
		kgo.RecordPartitioner(kgo.ManualPartitioner())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// produce writes recs to their topics and partitions.
func produce(t testing.TB, cl *kgo.Client, recs ...*kgo.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// rec is a record of value v (nil: a tombstone) for partition p of topic.
func rec(topic string, p int32, v string) *kgo.Record {
	r := &kgo.Record{Topic: topic, Partition: p}
	if v != "" {
		r.Value = []byte(v)
	}
	return r
}

// commitGroupOffsets commits offsets (partition to offset) of topic for
// group, as a consumer outside any generation does (with a request
// version that names topics rather than topic IDs).
func commitGroupOffsets(t testing.TB, c *kfake.Cluster, group, topic string, offsets map[int32]int64) {
	t.Helper()
	cl := newClient(t, c, kgo.MaxVersions(kversion.V3_8_0()))
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group = group
	req.Generation = -1
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic = topic
	for p, off := range offsets {
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition, rp.Offset = p, off
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if rp.ErrorCode != 0 {
				t.Fatalf("committing offset of partition %d: error code %d", rp.Partition, rp.ErrorCode)
			}
		}
	}
}

// collector is a source.Output that keeps what it is given, checking that
// its methods are never called concurrently.
type collector struct {
	mu       sync.Mutex
	busy     bool
	chunks   []source.Chunk
	statuses []string
	// concurrent is set when a call came while another was running.
	concurrent bool
}

func (c *collector) enter() {
	c.mu.Lock()
	if c.busy {
		c.concurrent = true
	}
	c.busy = true
	c.mu.Unlock()
}

func (c *collector) leave() {
	c.mu.Lock()
	c.busy = false
	c.mu.Unlock()
}

func (c *collector) Emit(ch source.Chunk) error {
	c.enter()
	defer c.leave()
	time.Sleep(time.Microsecond) // widen the window a concurrent call would hit
	c.mu.Lock()
	c.chunks = append(c.chunks, ch)
	c.mu.Unlock()
	return nil
}

func (c *collector) Status(s string) {
	c.enter()
	defer c.leave()
	c.mu.Lock()
	c.statuses = append(c.statuses, s)
	c.mu.Unlock()
}

// snapshot is a copy of the chunks and statuses so far.
func (c *collector) snapshot() ([]source.Chunk, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.chunks), slices.Clone(c.statuses)
}

// positions is the Next of the last chunk of each split.
func positions(chunks []source.Chunk) source.Position {
	pos := source.Position{}
	for _, c := range chunks {
		pos[c.Split] = c.Next
	}
	return pos
}

// reading is a Read running in the background.
type reading struct {
	out    *collector
	cancel context.CancelFunc
	done   chan error
}

// startRead runs src.Read from from in the background; the test stops it
// when it ends, if it has not.
func startRead(t testing.TB, src *Source, from source.Position) *reading {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &reading{out: &collector{}, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- src.Read(ctx, from, r.out) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the read and returns its error (nil when it returned nil
// or ctx's error).
func (r *reading) stop(t testing.TB) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // a later stop returns it again
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	case <-time.After(testWait):
		t.Fatal("Read did not return after its context was cancelled")
		return nil
	}
}

// waitFor polls cond until it holds, failing the test after testWait or
// when the read ended.
func (r *reading) waitFor(t testing.TB, what string, cond func(chunks []source.Chunk, statuses []string) bool) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		chunks, statuses := r.out.snapshot()
		if cond(chunks, statuses) {
			return
		}
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("waiting for %s: Read returned %v", what, err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out; statuses %q, positions %v", what, statuses, positions(chunks))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitPositions waits until every partition of want has reached its
// offset in want.
func (r *reading) waitPositions(t testing.TB, want map[int32]int64) {
	t.Helper()
	r.waitFor(t, fmt.Sprintf("positions %v", want), func(chunks []source.Chunk, _ []string) bool {
		pos := positions(chunks)
		for p, off := range want {
			if pos[p] < off {
				return false
			}
		}
		return true
	})
}

// rowText is row i of b as text: its weight, then its values separated by
// "|" (NULL for a null).
func rowText(b *vector.Batch, cols []format.Column, i int) string {
	var sb strings.Builder
	sb.WriteString(strconv.FormatInt(b.Weight(i), 10))
	for j, c := range cols {
		sb.WriteByte('|')
		if b.Cols[j].IsNull(i) {
			sb.WriteString("NULL")
			continue
		}
		sb.Write(vector.AppendText(nil, b.Cols[j], c.Type, i, time.UTC))
	}
	return sb.String()
}

// chunkRows is the rows of chunks as rowText, in order.
func chunkRows(chunks []source.Chunk, cols []format.Column) []string {
	var rows []string
	for _, c := range chunks {
		if c.Rows == nil {
			continue
		}
		for i := range c.Rows.Len {
			rows = append(rows, rowText(c.Rows, cols, i))
		}
	}
	return rows
}

// sourceOpts are the options of a source of topic on c, with extra ones.
func sourceOpts(c *kfake.Cluster, topic string, extra ...string) map[string]string {
	opts := map[string]string{"topic": topic, "bootstrap.servers": brokers(c)}
	for i := 0; i+1 < len(extra); i += 2 {
		opts[extra[i]] = extra[i+1]
	}
	return opts
}

// openSource opens a source, failing the test on error.
func openSource(t testing.TB, opts map[string]string, cols []format.Column) *Source {
	t.Helper()
	s, err := OpenSource(opts, cols)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// consume reads the records of topic (of partitions partitions) up to a
// sentinel record it produces to each partition, with isolation level
// read_committed: every record committed before the sentinel, in
// partition order then offset order.
func consume(t testing.TB, c *kfake.Cluster, topic string, partitions int32) []*kgo.Record {
	t.Helper()
	return consumeIsolated(t, c, topic, partitions, kgo.ReadCommitted())
}

// consumeIsolated is consume with the given isolation level.
func consumeIsolated(t testing.TB, c *kfake.Cluster, topic string, partitions int32, level kgo.IsolationLevel) []*kgo.Record {
	t.Helper()
	const sentinel = "\x00sentinel"
	w := newClient(t, c)
	for p := range partitions {
		produce(t, w, rec(topic, p, sentinel))
	}
	r := newClient(t, c, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(level))
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	byPart := make([][]*kgo.Record, partitions)
	for seen := int32(0); seen < partitions; {
		fs := r.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consuming %q: %v", topic, err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			if string(r.Value) == sentinel {
				seen++
				return
			}
			byPart[r.Partition] = append(byPart[r.Partition], r)
		})
	}
	return slices.Concat(byPart...)
}

// createTopic creates topic with partitions partitions.
func createTopic(t testing.TB, c *kfake.Cluster, topic string, partitions int32) {
	t.Helper()
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, partitions, 1
	req.Topics = append(req.Topics, rt)
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	resp, err := req.RequestWith(ctx, newClient(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if code := resp.Topics[0].ErrorCode; code != 0 {
		t.Fatalf("creating topic %q: error code %d", topic, code)
	}
}

// groupOffsets is the offsets of topic committed for group (partition
// to offset; absent when none).
func groupOffsets(t testing.TB, c *kfake.Cluster, group, topic string) map[int32]int64 {
	t.Helper()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic = topic
	rt.Partitions = []int32{0, 1}
	req.Topics = append(req.Topics, rt)
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	resp, err := req.RequestWith(ctx, newClient(t, c, kgo.MaxVersions(kversion.V3_8_0())))
	if err != nil {
		t.Fatal(err)
	}
	offsets := map[int32]int64{}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if rp.Offset >= 0 {
				offsets[rp.Partition] = rp.Offset
			}
		}
	}
	return offsets
}
