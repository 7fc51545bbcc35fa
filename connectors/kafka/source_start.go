package kafka

import (
	"context"
	"fmt"
	"slices"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/vector"
)

// Backoff of the calls retried while the brokers are unreachable: the
// first wait and the longest; and how long a call may wait for an answer,
// at the first try and at most (it doubles at each try, so that a failure
// is reported soon and a slow cluster gets time).
const (
	kafkaBackoffMin    = 100 * time.Millisecond
	kafkaBackoffMax    = 5 * time.Second
	kafkaCallMillisMin = 1000
	kafkaCallMillisMax = 10000
)

// partitionStart is where a partition's reading starts.
type partitionStart struct {
	partition int32
	offset    int64
}

// startOffsets discovers the topic's partitions and resolves where each
// starts, in partition order: from[p] when from has p, else per the
// startup option, as a numeric offset.
func (r *kafkaRead) startOffsets(ctx context.Context, from source.Position) ([]partitionStart, error) {
	var parts []int32
	err := r.retry(ctx, "reading the topic's partitions", func(timeout int) error {
		var err error
		parts, err = r.partitions(timeout)
		return err
	})
	if err != nil {
		return nil, err
	}
	starts := make([]partitionStart, len(parts))
	var missing []int // indexes in starts of partitions absent from from
	for i, p := range parts {
		starts[i].partition = p
		if off, ok := from[p]; ok {
			starts[i].offset = off
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		err = r.retry(ctx, "resolving the start offsets", func(timeout int) error { return r.resolveStarts(starts, missing, timeout) })
		if err != nil {
			return nil, err
		}
	}
	r.setStatus("")
	return starts, nil
}

// partitions lists the topic's partitions, in order, waiting timeout
// milliseconds at most.
func (r *kafkaRead) partitions(timeout int) ([]int32, error) {
	md, err := r.consumer.GetMetadata(&r.src.topic, false, timeout)
	if err != nil {
		return nil, err
	}
	t, ok := md.Topics[r.src.topic]
	if !ok {
		return nil, ck.NewError(ck.ErrUnknownTopicOrPart, "the topic does not exist", false)
	}
	if t.Error.Code() != ck.ErrNoError {
		return nil, t.Error
	}
	if len(t.Partitions) == 0 {
		return nil, ck.NewError(ck.ErrUnknownTopicOrPart, "the topic has no partitions", false)
	}
	parts := make([]int32, len(t.Partitions))
	for i, p := range t.Partitions {
		parts[i] = p.ID
	}
	slices.Sort(parts)
	return parts, nil
}

// resolveStarts sets the offsets of starts[i] for i in missing per the
// startup option, waiting timeout milliseconds at most for each answer.
func (r *kafkaRead) resolveStarts(starts []partitionStart, missing []int, timeout int) error {
	topic := r.src.topic
	switch r.src.startup {
	case startupGroup:
		tps := make([]ck.TopicPartition, len(missing))
		for j, i := range missing {
			tps[j] = ck.TopicPartition{Topic: &topic, Partition: starts[i].partition}
		}
		committed, err := r.consumer.Committed(tps, timeout)
		if err != nil {
			return err
		}
		for j, i := range missing {
			if off := committed[j].Offset; off >= 0 {
				starts[i].offset = int64(off)
				continue
			}
			reset, err := r.groupReset(starts[i].partition)
			if err != nil {
				return err
			}
			if starts[i].offset, err = r.watermark(starts[i].partition, reset, timeout); err != nil {
				return err
			}
		}
	case startupTimestamp:
		tps := make([]ck.TopicPartition, len(missing))
		for j, i := range missing {
			tps[j] = ck.TopicPartition{Topic: &topic, Partition: starts[i].partition, Offset: ck.Offset(r.src.startupMillis)}
		}
		found, err := r.consumer.OffsetsForTimes(tps, timeout)
		if err != nil {
			return err
		}
		for j, i := range missing {
			if found[j].Error != nil {
				return found[j].Error
			}
			// A partition without a message at or after the time starts at its end.
			if off := found[j].Offset; off >= 0 {
				starts[i].offset = int64(off)
			} else if starts[i].offset, err = r.watermark(starts[i].partition, startupLatest, timeout); err != nil {
				return err
			}
		}
	default:
		for _, i := range missing {
			var err error
			if starts[i].offset, err = r.watermark(starts[i].partition, r.src.startup, timeout); err != nil {
				return err
			}
		}
	}
	return nil
}

// watermark is partition's first offset (startupEarliest) or the offset
// after its last message (startupLatest), waiting timeout milliseconds at
// most.
func (r *kafkaRead) watermark(partition int32, which string, timeout int) (int64, error) {
	low, high, err := r.consumer.QueryWatermarkOffsets(r.src.topic, partition, timeout)
	if which == startupLatest {
		return high, err
	}
	return low, err
}

// groupReset is where partition, which has no committed offset, starts in
// 'group' startup, per auto.offset.reset (default earliest); "error" there
// is a 55000 error.
func (r *kafkaRead) groupReset(partition int32) (string, error) {
	v, _ := r.src.consumer["auto.offset.reset"].(string)
	switch v {
	case "", "earliest", "smallest", "beginning":
		return startupEarliest, nil
	case "latest", "largest", "end":
		return startupLatest, nil
	}
	return "", vector.Errorf(vector.CodeObjectNotInPrerequisiteState,
		"kafka topic %q: partition %d has no offset committed by \"group.id\" and \"auto.offset.reset\" is %q",
		r.src.topic, partition, v)
}

// retry calls fn with the time its calls may wait (in milliseconds) until
// it succeeds, ctx is done, or it fails for good (a fatal client error, or
// a *vector.Error). Between tries it waits with exponential backoff,
// reporting the failure as the source's status together with the last
// error the client reported meanwhile (such as a refused authentication),
// which often says more.
func (r *kafkaRead) retry(ctx context.Context, what string, fn func(timeout int) error) error {
	backoff, timeout := kafkaBackoffMin, kafkaCallMillisMin
	var lastEvent error
	for {
		err := fn(timeout)
		if err == nil {
			return nil
		}
		timeout = min(2*timeout, kafkaCallMillisMax)
		if vector.ErrorCode(err) != "" {
			return err
		}
		if ke, ok := err.(ck.Error); ok && ke.IsFatal() {
			return clientError(r.src.topic, err)
		}
		var fatal error
		if lastEvent, fatal = r.clientEvents(0, lastEvent); fatal != nil {
			return fatal
		}
		status := fmt.Sprintf("kafka topic %q: %s: %v", r.src.topic, what, err)
		if lastEvent != nil {
			status += fmt.Sprintf(" (%v)", lastEvent)
		}
		r.setStatus(status + "; retrying")
		for deadline := time.Now().Add(backoff); ctx.Err() == nil && time.Now().Before(deadline); {
			wait := max(1, min(time.Until(deadline), 100*time.Millisecond).Milliseconds())
			if lastEvent, fatal = r.clientEvents(int(wait), lastEvent); fatal != nil {
				return fatal
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		backoff = min(2*backoff, kafkaBackoffMax)
	}
}

// clientEvents reads the events the consumer has queued, waiting wait
// milliseconds at most for the first: it returns the last error among
// them (last when there is none), and a fatal one as its error.
func (r *kafkaRead) clientEvents(wait int, last error) (_, fatal error) {
	for ev := r.consumer.Poll(wait); ev != nil; ev = r.consumer.Poll(0) {
		if e, ok := ev.(ck.Error); ok {
			if e.IsFatal() {
				return last, clientError(r.src.topic, e)
			}
			last = e
		}
	}
	return last, nil
}

// clientError is err, a failure of the Kafka client reading or writing
// topic, as an error naming the topic.
func clientError(topic string, err error) error {
	return vector.Errorf(vector.CodeConnectionException, "kafka topic %q: %v", topic, err)
}
