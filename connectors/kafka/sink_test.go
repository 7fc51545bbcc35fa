package kafka

import (
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/runneldb/runnel/vector"
)

// idNameBatch is a batch of idNameCols: rows (id, name) with names "" as
// NULL, and weights (nil: all +1).
func idNameBatch(weights []int64, rows ...any) *vector.Batch {
	ids, names := vector.NewBuilder(vector.Int8, 0), vector.NewBuilder(vector.Text, 0)
	for i := 0; i < len(rows); i += 2 {
		ids.Append(int64(rows[i].(int)))
		if rows[i+1] == "" {
			names.AppendNull()
		} else {
			names.Append(rows[i+1])
		}
	}
	b := vector.NewBatch([]arrow.Array{ids.Finish(), names.Finish()}, len(rows)/2)
	b.Weights = weights
	return b
}

// messages is recs as "key=value" ("-" for a null key).
func messages(recs []*kgo.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		key := "-"
		if r.Key != nil {
			key = string(r.Key)
		}
		out[i] = key + "=" + string(r.Value)
	}
	return out
}

// sinkOpts are the options of a sink to topic on c, with extra ones.
func sinkOpts(c *kfake.Cluster, topic string, extra ...string) map[string]string {
	return sourceOpts(c, topic, extra...)
}

// openSink opens a sink, closed when the test ends.
func openSink(t testing.TB, opts map[string]string, id string) *Sink {
	t.Helper()
	s, err := OpenSink(opts, idNameCols, id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// commit commits epoch, failing the test on error.
func commit(t testing.TB, s *Sink, epoch uint64, changes ...*vector.Batch) {
	t.Helper()
	if err := s.Commit(epoch, changes); err != nil {
		t.Fatalf("commit of epoch %d: %v", epoch, err)
	}
}

// TestSinkDelivery writes each change as messages of the format, with the
// key of key_fields, a row of weight n as n messages, in both delivery
// modes.
func TestSinkDelivery(t *testing.T) {
	epochs := [][]*vector.Batch{
		{idNameBatch(nil, 1, "a", 2, "")},
		{},
		{idNameBatch([]int64{2, 1}, 3, "c,d", 4, "e"), idNameBatch(nil, 5, "f")},
	}
	retract := [][]*vector.Batch{{idNameBatch([]int64{1, -1, 2}, 1, "a", 2, "b", 3, "c")}}
	tests := []struct {
		name   string
		opts   []string
		epochs [][]*vector.Batch
		want   []string
	}{
		{"json", nil, epochs, []string{
			`-={"id":1,"name":"a"}`, `-={"id":2,"name":null}`,
			`-={"id":3,"name":"c,d"}`, `-={"id":3,"name":"c,d"}`, `-={"id":4,"name":"e"}`, `-={"id":5,"name":"f"}`}},
		{"json keys", []string{"key_fields", "name, id"}, epochs, []string{
			`{"name":"a","id":1}={"id":1,"name":"a"}`, `{"name":null,"id":2}={"id":2,"name":null}`,
			`{"name":"c,d","id":3}={"id":3,"name":"c,d"}`, `{"name":"c,d","id":3}={"id":3,"name":"c,d"}`,
			`{"name":"e","id":4}={"id":4,"name":"e"}`, `{"name":"f","id":5}={"id":5,"name":"f"}`}},
		{"csv keys", []string{"format", "csv", "key_fields", "id"}, epochs, []string{
			`1=1,a`, `2=2,`, `3=3,"c,d"`, `3=3,"c,d"`, `4=4,e`, `5=5,f`}},
		{"debezium_json keys", []string{"format", "debezium_json", "key_fields", "id"}, retract, []string{
			`{"id":1}={"before":null,"after":{"id":1,"name":"a"},"op":"c"}`,
			`{"id":2}={"before":{"id":2,"name":"b"},"after":null,"op":"d"}`,
			`{"id":3}={"before":null,"after":{"id":3,"name":"c"},"op":"c"}`,
			`{"id":3}={"before":null,"after":{"id":3,"name":"c"},"op":"c"}`}},
	}
	for _, delivery := range []string{"at_least_once", "exactly_once"} {
		for _, tc := range tests {
			t.Run(delivery+"/"+tc.name, func(t *testing.T) {
				c := newCluster(t, kfake.SeedTopics(1, "out"))
				s := openSink(t, sinkOpts(c, "out", append([]string{"delivery", delivery}, tc.opts...)...), "public.out.1")
				if got := s.Retractions(); got != strings.HasPrefix(tc.name, "debezium") {
					t.Errorf("Retractions() = %v", got)
				}
				for e, changes := range tc.epochs {
					commit(t, s, uint64(e+1), changes...)
				}
				if got := messages(consume(t, c, "out", 1)); !slices.Equal(got, tc.want) {
					t.Errorf("messages\n%q, want\n%q", got, tc.want)
				}
			})
		}
	}
}

// TestSinkDeletionRefused refuses a deletion in a format without
// retractions, naming the sink, and writes nothing of the epoch.
func TestSinkDeletionRefused(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "out"))
	s := openSink(t, sinkOpts(c, "out"), "public.out.7")
	err := s.Commit(1, []*vector.Batch{idNameBatch(nil, 1, "a"), idNameBatch([]int64{-1}, 2, "b")})
	if vector.ErrorCode(err) != vector.CodeFeatureNotSupported || !strings.Contains(err.Error(), `"public.out.7"`) {
		t.Fatalf("error %v, want 0A000 naming the sink", err)
	}
	if got := consume(t, c, "out", 1); len(got) != 0 {
		t.Errorf("messages %q written", messages(got))
	}
}

// TestSinkExactlyOnceRestart commits each epoch once across incarnations
// of a sink: an epoch committed again by a new sink of the same id (as
// after a restart) writes nothing.
func TestSinkExactlyOnceRestart(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "out"))
	opts := sinkOpts(c, "out", "delivery", "exactly_once")
	s := openSink(t, opts, "v")
	commit(t, s, 1, idNameBatch(nil, 1, "a"))
	commit(t, s, 2, idNameBatch(nil, 2, "b"))
	commit(t, s, 2, idNameBatch(nil, 2, "b"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openSink(t, opts, "v")
	commit(t, s, 1, idNameBatch(nil, 1, "a"))
	commit(t, s, 2, idNameBatch(nil, 2, "b"))
	commit(t, s, 3, idNameBatch(nil, 3, "c"))
	// Another sink id has its own epochs.
	commit(t, openSink(t, opts, "w"), 1, idNameBatch(nil, 9, "z"))
	want := []string{`-={"id":1,"name":"a"}`, `-={"id":2,"name":"b"}`, `-={"id":3,"name":"c"}`, `-={"id":9,"name":"z"}`}
	if got := messages(consume(t, c, "out", 1)); !slices.Equal(got, want) {
		t.Errorf("messages %q, want %q", got, want)
	}
}

// TestSinkExactlyOnceFencing leaves a transaction unfinished, as a process
// killed in the middle of a commit does: read_committed readers never see
// it, and the next incarnation fences the old one and commits the epoch.
func TestSinkExactlyOnceFencing(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, "out"))
	opts := sinkOpts(c, "out", "delivery", "exactly_once")
	old := openSink(t, opts, "f")
	commit(t, old, 1, idNameBatch(nil, 1, "a"))
	// Epoch 2 begins and its messages are produced, but it is not committed.
	if err := old.p.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := old.produceAll([]*vector.Batch{idNameBatch(nil, 2, "lost")}); err != nil {
		t.Fatal(err)
	}
	// It is in the log (a read_committed reader could not read this far).
	want := []string{`-={"id":1,"name":"a"}`, `-={"id":2,"name":"lost"}`}
	if got := messages(consumeIsolated(t, c, "out", 1, kgo.ReadUncommitted())); !slices.Equal(got, want) {
		t.Errorf("read_uncommitted sees %q while epoch 2 is open, want %q", got, want)
	}

	s := openSink(t, opts, "f")
	commit(t, s, 2, idNameBatch(nil, 2, "b"))
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	if err := old.p.CommitTransaction(ctx); err == nil {
		t.Error("the fenced incarnation committed its transaction")
	}
	want = []string{`-={"id":1,"name":"a"}`, `-={"id":2,"name":"b"}`}
	if got := messages(consume(t, c, "out", 1)); !slices.Equal(got, want) {
		t.Errorf("messages %q, want %q", got, want)
	}
}

// TestSinkTransactionalID names the transactions "runnel-" + id, or the
// user's transactional.id.
func TestSinkTransactionalID(t *testing.T) {
	for _, tc := range []struct{ opt, want string }{{"", "runnel-public.out.3"}, {"mine", "mine"}} {
		opts := baseOpts("delivery", "exactly_once")
		if tc.opt != "" {
			opts["transactional.id"] = tc.opt
		}
		s, err := OpenSink(opts, idNameCols, "public.out.3")
		if err != nil {
			t.Fatal(err)
		}
		if got := s.config["transactional.id"]; got != tc.want {
			t.Errorf("transactional.id %v, want %q", got, tc.want)
		}
		if got := s.txn.groupID; got != "runnel-sink-public.out.3" {
			t.Errorf("epoch group %q", got)
		}
		s.Close()
	}
}

// TestSinkRetry retries an epoch while the broker is down until it is
// back (at least once: every row is there), and Close interrupts a
// Commit that retries.
func TestSinkRetry(t *testing.T) {
	dir := t.TempDir()
	c := newCluster(t, kfake.DataDir(dir), kfake.SeedTopics(1, "out"))
	_, port, err := net.SplitHostPort(c.ListenAddrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	opts := sinkOpts(c, "out", "message.timeout.ms", "200")
	c.Close()

	s := openSink(t, opts, "r")
	done := make(chan error, 1)
	go func() { done <- s.Commit(1, []*vector.Batch{idNameBatch(nil, 1, "a", 2, "b")}) }()
	// Let a few tries fail (each message times out after 200ms).
	time.Sleep(time.Second)
	p, _ := strconv.Atoi(port)
	c = newCluster(t, kfake.DataDir(dir), kfake.Ports(p))
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testWait):
		t.Fatal("the commit did not succeed once the broker was back")
	}
	got := messages(consume(t, c, "out", 1))
	for _, want := range []string{`-={"id":1,"name":"a"}`, `-={"id":2,"name":"b"}`} {
		if !slices.Contains(got, want) {
			t.Errorf("messages %q lack %q", got, want)
		}
	}

	c.Close()
	go func() { done <- s.Commit(2, []*vector.Batch{idNameBatch(nil, 3, "c")}) }()
	time.Sleep(500 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "closed") || !strings.Contains(err.Error(), `"r"`) {
			t.Fatalf("commit interrupted by Close returned %v, want an error saying the sink %q was closed", err, "r")
		}
	case <-time.After(testWait):
		t.Fatal("Close did not interrupt the commit")
	}
}

// TestSinkUnknownTopic fails a commit to a topic that does not exist,
// naming the sink and the topic.
func TestSinkUnknownTopic(t *testing.T) {
	c := newCluster(t)
	for _, delivery := range []string{"at_least_once", "exactly_once"} {
		// librdkafka waits this long (30s by default) for a missing topic.
		opts := sinkOpts(c, "nowhere", "delivery", delivery, "topic.metadata.propagation.max.ms", "100")
		s := openSink(t, opts, "public.nowhere.2")
		err := s.Commit(1, []*vector.Batch{idNameBatch(nil, 1, "a")})
		if vector.ErrorCode(err) != vector.CodeConnectionException || !strings.Contains(err.Error(), `"public.nowhere.2"`) ||
			!strings.Contains(err.Error(), `"nowhere"`) {
			t.Errorf("%s: error %v, want 08000 naming the sink and the topic", delivery, err)
		}
	}
}
