package kafka

import (
	"context"
	"fmt"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// A partition's pending rows are emitted when they reach
// operators.BatchSize, when no message of the partition came for
// kafkaLinger, or when the oldest of them waited kafkaMaxHold: a trickle is
// not held back, a steady flow is emitted in full batches.
const (
	kafkaLinger  = 20 * time.Millisecond
	kafkaMaxHold = 200 * time.Millisecond
)

// kafkaWorker decodes the messages of some partitions (those p with
// p mod workers = its index), in the order the consumer delivers them.
//
// Invariant: added is unbuffered, so a partition handed over through it
// is in parts before w takes anything more from in: its messages, fetched
// only once the hand-over is done, find it there.
type kafkaWorker struct {
	r     *kafkaRead
	dec   format.Decoder
	in    chan []kafkaMessage
	added chan partitionStart
	parts map[int32]*kafkaPart
	// rowsPerMessage is the most changes a message decodes to.
	rowsPerMessage int
}

// kafkaPart is a partition being read by a worker: the changes decoded
// since its last chunk, and its position.
//
// Invariant: meta holds one row per row of changes (Len), in order; next
// is the offset after the last message read (decoded or skipped), emitted
// the Next of the last chunk emitted; next > emitted exactly when the
// partition has something to emit (rows, skipped messages, or messages
// that decoded to no change).
type kafkaPart struct {
	id      int32
	changes *format.Changes
	meta    *metaBuilders
	next    int64
	emitted int64
	skipped int64
	// first and last are when the oldest and newest messages not yet
	// emitted came.
	first, last time.Time
}

// newWorker returns a worker with no partitions.
func (r *kafkaRead) newWorker() (*kafkaWorker, error) {
	dec, err := r.src.format.NewDecoder(r.src.cols.value)
	if err != nil {
		return nil, err
	}
	w := &kafkaWorker{r: r, dec: dec, in: make(chan []kafkaMessage, 4), added: make(chan partitionStart), parts: map[int32]*kafkaPart{}, rowsPerMessage: 1}
	if r.src.format.Retractions {
		w.rowsPerMessage = 2 // an update
	}
	return w, nil
}

// give hands w the partition st while w runs; false when ctx is done
// first.
func (w *kafkaWorker) give(ctx context.Context, st partitionStart) bool {
	select {
	case w.added <- st:
		return true
	case <-ctx.Done():
		return false
	}
}

// addPartition gives w the partition st (before w runs, or from run).
func (w *kafkaWorker) addPartition(st partitionStart) {
	w.parts[st.partition] = &kafkaPart{id: st.partition, changes: format.NewChanges(w.r.src.cols.value),
		meta: newMetaBuilders(w.r.src.cols.meta), next: st.offset, emitted: st.offset}
}

// run decodes what the poller hands w until its channel closes or ctx is
// done, emitting chunks as they fill or linger, and takes the partitions
// given to it meanwhile.
func (w *kafkaWorker) run(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case st := <-w.added:
			w.addPartition(st)
		case msgs, ok := <-w.in:
			if !ok {
				return nil
			}
			now := time.Now()
			for i := range msgs {
				if err := w.handle(ctx, &msgs[i], now); err != nil {
					return err
				}
			}
		case <-timer.C:
		}
		wake, err := w.flushDue(time.Now())
		if err != nil {
			return err
		}
		if !wake.IsZero() {
			timer.Reset(time.Until(wake))
		}
	}
}

// handle reads message m, which came at now.
func (w *kafkaWorker) handle(ctx context.Context, m *kafkaMessage, now time.Time) error {
	p := w.parts[m.partition]
	// Keep chunks within operators.BatchSize rows: a debezium_json
	// message may hold two changes (an update).
	if p.changes.Len() > operators.BatchSize-w.rowsPerMessage {
		if err := w.flush(p); err != nil {
			return err
		}
	}
	if err := w.decode(p, m); err != nil {
		if err := w.r.malformed(ctx, m, err); err != nil {
			return err
		}
		p.skipped++
	}
	p.next = m.offset + 1
	if p.first.IsZero() {
		p.first = now
	}
	p.last = now
	if p.changes.Len() >= operators.BatchSize {
		return w.flush(p)
	}
	return nil
}

// decode appends the changes message m holds to p; on error p is as it
// was.
func (w *kafkaWorker) decode(p *kafkaPart, m *kafkaMessage) error {
	src := w.r.src
	mv, err := src.cols.read(m)
	if err != nil {
		return err
	}
	before := p.changes.Len()
	switch {
	case m.value != nil:
		err = w.dec.Decode(m.value, p.changes)
	case src.upsert && m.key == nil:
		err = vector.Errorf(vector.CodeNullValueNotAllowed, "the message has neither value nor key")
	case src.upsert:
		// A tombstone deletes the row its key decodes to.
		if err = w.dec.Decode(m.key, p.changes); err != nil {
			err = format.Context(err, "key")
		} else {
			p.changes.Negate(before)
		}
	case src.format.Retractions:
		// Debezium follows a deletion with a tombstone (for compaction),
		// which holds no change.
		return nil
	default:
		err = vector.Errorf(vector.CodeNullValueNotAllowed, "the message has no value (a tombstone); option \"upsert\" = 'true' reads tombstones as deletions")
	}
	if err != nil {
		return err
	}
	p.meta.append(m, mv, p.changes.Len()-before)
	return nil
}

// flushDue emits the partitions whose wait is over at now, and returns
// when the next of the others is due (zero when none waits).
func (w *kafkaWorker) flushDue(now time.Time) (time.Time, error) {
	var wake time.Time
	for _, p := range w.parts {
		if p.next == p.emitted {
			continue
		}
		due := p.last.Add(kafkaLinger)
		if hold := p.first.Add(kafkaMaxHold); hold.Before(due) {
			due = hold
		}
		if due.After(now) {
			if wake.IsZero() || due.Before(wake) {
				wake = due
			}
			continue
		}
		if err := w.flush(p); err != nil {
			return time.Time{}, err
		}
	}
	return wake, nil
}

// flush emits what p holds as a chunk.
func (w *kafkaWorker) flush(p *kafkaPart) error {
	c := source.Chunk{Split: p.id, Next: p.next, Skipped: p.skipped}
	if p.changes.Len() > 0 {
		c.Rows = p.meta.batch(w.r.src.cols, p.changes.Finish())
	}
	p.emitted, p.skipped, p.first = p.next, 0, time.Time{}
	if err := w.r.emit(c); err != nil {
		return err
	}
	w.r.storeOffset(p.id, p.next)
	return nil
}

// malformed handles message m, which could not be decoded for reason err,
// per on_error: an error naming where m is, nil when m is skipped (after
// sending it to the dead-letter topic).
func (r *kafkaRead) malformed(ctx context.Context, m *kafkaMessage, err error) error {
	switch r.src.onError {
	case onErrorSkip:
		return nil
	case onErrorDeadLetter:
		dlq, derr := r.deadLetter()
		if derr != nil {
			return derr
		}
		return dlq.send(ctx, m, err)
	}
	return format.Context(err, fmt.Sprintf("kafka topic %q, partition %d, offset %d",
		r.src.topic, m.partition, m.offset))
}

// storeOffset records next as partition's position in the fetcher, which
// commits it to the user's group.id now and then (for lag monitoring; the
// engine's checkpoints are what resumes reading). Without a group.id it
// does nothing.
func (r *kafkaRead) storeOffset(partition int32, next int64) {
	if r.src.groupID == "" {
		return
	}
	// A failure only delays the informational commit: nothing to report.
	_ = r.fetcher.storeOffset(partition, next)
}

// kafkaDispatch is how many messages the poller hands a worker at a time
// (fewer when the fetcher has no more for now).
const kafkaDispatch = 256

// kafkaProbeEvery is how often, while a client error is reported as the
// status and no message comes, the poller checks whether the brokers
// answer again.
const kafkaProbeEvery = 2 * time.Second

// poll fetches the messages and hands each to the worker of its
// partition, until ctx is done or a fatal error; client errors are
// reported as the status, cleared once messages flow (or the brokers
// answer) again. It closes the workers' channels when it returns.
func (r *kafkaRead) poll(ctx context.Context, workers []*kafkaWorker) error {
	defer func() {
		for _, w := range workers {
			close(w.in)
		}
	}()
	pending := make([][]kafkaMessage, len(workers))
	send := func(i int) bool {
		select {
		case workers[i].in <- pending[i]:
		case <-ctx.Done():
			return false
		}
		pending[i] = make([]kafkaMessage, 0, kafkaDispatch)
		return true
	}
	failing := false // a client error is the status
	var probed time.Time
	for ctx.Err() == nil {
		n, clientErr := r.fetcher.fetch(100)
		flowed := false
		for j := range n {
			m, err := r.fetcher.message(j)
			if err != nil {
				if err.(ck.Error).Code() == ck.ErrPartitionEOF {
					continue
				}
				if err := r.clientEvent(err); err != nil {
					return err
				}
				failing, flowed = true, false
				continue
			}
			flowed = true
			i := int(m.partition) % len(workers)
			if pending[i] = append(pending[i], m); len(pending[i]) >= kafkaDispatch && !send(i) {
				return nil
			}
		}
		// The fetch took all there was: hand over what is pending.
		if n < kafkaFetchMax {
			for i := range pending {
				if len(pending[i]) > 0 && !send(i) {
					return nil
				}
			}
		}
		switch {
		case clientErr != nil:
			// The client's errors are reported after the messages of the
			// fetch, so that the status never hides a failure.
			if err := r.clientEvent(clientErr); err != nil {
				return err
			}
			failing = true
		case failing && flowed:
			r.setStatus("")
			failing = false
		case failing && n == 0 && time.Since(probed) >= kafkaProbeEvery:
			probed = time.Now()
			if r.fetcher.probe(1000) == nil {
				r.setStatus("")
				failing = false
			}
		}
	}
	return nil
}

// clientEvent handles an error the client reported while reading: a fatal
// one ends the read, another is reported as the status (librdkafka
// retries).
func (r *kafkaRead) clientEvent(err error) error {
	if ke, ok := err.(ck.Error); ok && ke.IsFatal() {
		return clientError(r.src.topic, err)
	}
	r.setStatus(fmt.Sprintf("kafka topic %q: %v; retrying", r.src.topic, err))
	return nil
}
