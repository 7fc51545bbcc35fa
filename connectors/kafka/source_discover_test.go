package kafka

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/runneldb/runnel/connectors/source"
)

// addPartitions grows topic to count partitions.
func addPartitions(t testing.TB, c *kfake.Cluster, topic string, count int32) {
	t.Helper()
	req := kmsg.NewPtrCreatePartitionsRequest()
	rt := kmsg.NewCreatePartitionsRequestTopic()
	rt.Topic, rt.Count = topic, count
	req.Topics = append(req.Topics, rt)
	req.TimeoutMillis = int32(testWait.Milliseconds())
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	resp, err := req.RequestWith(ctx, newClient(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if code := resp.Topics[0].ErrorCode; code != 0 {
		t.Fatalf("adding partitions to %q: error code %d", topic, code)
	}
}

// checkAnnouncedFirst fails the test unless the first chunk of each split
// of chunks is an empty announcement at starts[split], for the splits of
// starts.
func checkAnnouncedFirst(t *testing.T, chunks []source.Chunk, starts map[int32]int64) {
	t.Helper()
	seen := map[int32]bool{}
	for _, ch := range chunks {
		if seen[ch.Split] {
			continue
		}
		seen[ch.Split] = true
		if start, ok := starts[ch.Split]; ok && (ch.Rows != nil || ch.Skipped != 0 || ch.Next != start) {
			t.Errorf("the first chunk of partition %d is %+v, want an empty announcement at %d", ch.Split, ch, start)
		}
	}
	for p := range starts {
		if !seen[p] {
			t.Errorf("partition %d was never announced", p)
		}
	}
}

// TestSourceAddedPartitions reads the partitions added to the topic while
// the source reads: each is announced at its earliest offset (whatever the
// startup option says) before its rows, and every message is read once,
// also across a resumption from a position that holds it. A partition
// added while reading from a position that already holds it starts there.
func TestSourceAddedPartitions(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(2, "grow"))
	base := time.Unix(0, 0)
	// 'latest' startup: a partition added meanwhile still starts at its
	// earliest offset, so that what was produced to it before the source
	// saw it is read.
	src := openSource(t, sourceOpts(c, "grow", "startup", "latest"), idNameCols)
	src.discoverEvery = 200 * time.Millisecond

	r := startRead(t, src, nil)
	r.waitFor(t, "the announcements", func(chunks []source.Chunk, _ []string) bool { return len(chunks) >= 2 })
	chunks, _ := r.out.snapshot()
	if got, want := positions(chunks[:2]), (source.Position{0: 0, 1: 0}); !maps.Equal(got, want) {
		t.Fatalf("announced starts %v, want %v", got, want)
	}
	produce(t, newClient(t, c), slices.Concat(idRecs("grow", 0, 0, 10, base), idRecs("grow", 1, 10, 20, base))...)
	r.waitPositions(t, map[int32]int64{0: 10, 1: 10})
	addPartitions(t, c, "grow", 3)
	produce(t, newClient(t, c), idRecs("grow", 2, 20, 30, base)...)
	r.waitPositions(t, map[int32]int64{0: 10, 1: 10, 2: 10})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	first, _ := r.out.snapshot()
	if r.out.concurrent {
		t.Error("the output's methods were called concurrently")
	}
	checkAnnouncedFirst(t, first, map[int32]int64{0: 0, 1: 0, 2: 0})
	got := chunkRows(first, idNameCols)
	slices.SortFunc(got, cmpIDRows)
	if want := idRows(0, 30); !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}

	// Resumed from where the read stopped, partition 2 included.
	produce(t, newClient(t, c), slices.Concat(idRecs("grow", 0, 30, 32, base), idRecs("grow", 1, 32, 34, base),
		idRecs("grow", 2, 34, 36, base))...)
	from := positions(first)
	r = startRead(t, src, from)
	r.waitPositions(t, map[int32]int64{0: 12, 1: 12, 2: 12})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	second, _ := r.out.snapshot()
	checkAnnouncedFirst(t, second, from)
	got = chunkRows(second, idNameCols)
	slices.SortFunc(got, cmpIDRows)
	if want := idRows(30, 36); !slices.Equal(got, want) {
		t.Errorf("resumed: rows %q, want %q", got, want)
	}

	// Reading from a position holding partition 3 before it exists: once
	// added, it starts there rather than at its earliest offset.
	from = positions(second)
	from[3] = 1
	r = startRead(t, src, from)
	r.waitFor(t, "the announcements", func(chunks []source.Chunk, _ []string) bool { return len(chunks) >= 3 })
	addPartitions(t, c, "grow", 4)
	produce(t, newClient(t, c), idRecs("grow", 3, 36, 39, base)...)
	r.waitPositions(t, map[int32]int64{3: 3})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	third, _ := r.out.snapshot()
	checkAnnouncedFirst(t, third, from)
	if got, want := chunkRows(third, idNameCols), idRows(37, 39); !slices.Equal(got, want) {
		t.Errorf("partition 3 from offset 1: rows %q, want %q", got, want)
	}
}
