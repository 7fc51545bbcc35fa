package kafka

import (
	"context"
	"time"

	"github.com/runneldb/runnel/connectors/source"
)

// kafkaDiscoverEvery is how often a source asks the brokers for its
// topic's partitions, to read those added while it reads.
const kafkaDiscoverEvery = 5 * time.Second

// discover looks for partitions added to the topic every
// r.src.discoverEvery until ctx is done, and reads each it finds: it
// announces the partition at its start (from[p] when from has p, else its
// earliest offset), hands it to its worker, then adds it to the fetcher's
// assignment, so that none of its rows comes before its announcement and
// its worker knows it before its first message. read are the partitions
// read from the start. A failed look (brokers unreachable, which the
// poller reports) is tried again at the next tick.
func (r *kafkaRead) discover(ctx context.Context, from source.Position, read []partitionStart, workers []*kafkaWorker) error {
	known := make(map[int32]bool, len(read))
	for _, st := range read {
		known[st.partition] = true
	}
	tick := time.NewTicker(r.src.discoverEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		added, err := r.addedPartitions(from, known)
		if err != nil || len(added) == 0 {
			continue
		}
		for _, st := range added {
			if err := r.emit(source.Chunk{Split: st.partition, Next: st.offset}); err != nil {
				return err
			}
			if !workers[int(st.partition)%len(workers)].give(ctx, st) {
				return nil
			}
			known[st.partition] = true
		}
		if err := r.assign(added); err != nil {
			return err
		}
	}
}

// addedPartitions lists the topic's partitions absent from known, in
// order, with where each starts: from[p] when from has p, else its
// earliest offset, whatever the startup option says (the partition is
// newer than the read, so nothing in it predates the read).
func (r *kafkaRead) addedPartitions(from source.Position, known map[int32]bool) ([]partitionStart, error) {
	parts, err := r.fetcher.partitions(kafkaCallMillisMin)
	if err != nil {
		return nil, err
	}
	var added []partitionStart
	for _, p := range parts {
		if known[p] {
			continue
		}
		st := partitionStart{partition: p}
		if off, ok := from[p]; ok {
			st.offset = off
		} else if st.offset, err = r.fetcher.earliest(p, kafkaCallMillisMin); err != nil {
			return nil, err
		}
		added = append(added, st)
	}
	return added, nil
}

// assign has the fetcher read the partitions starts too, each from its
// offset.
func (r *kafkaRead) assign(starts []partitionStart) error {
	parts, offsets := make([]int32, len(starts)), make([]int64, len(starts))
	for i, st := range starts {
		parts[i], offsets[i] = st.partition, st.offset
	}
	if err := r.fetcher.assign(parts, offsets); err != nil {
		return clientError(r.src.topic, err)
	}
	return nil
}
