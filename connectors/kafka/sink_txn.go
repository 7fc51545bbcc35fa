package kafka

import (
	"context"
	"errors"
	"slices"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/runneldb/runnel/vector"
)

// An exactly_once sink writes each epoch in one Kafka transaction, and
// records in the same transaction that the epoch is committed: it commits
// offset epoch+1 of partition 0 of the sink's topic for the consumer group
// "runnel-sink-" + id, atomically with the epoch's messages. That offset
// is thus the first epoch not committed. A sink reads it when it starts
// (after InitTransactions, which fences a previous incarnation of the same
// transactional.id and aborts its unfinished transaction), and a Commit of
// an epoch below it does nothing, so an epoch committed again after a
// restart is not written twice.

// sinkTxnMillis bounds one transactional call (InitTransactions,
// CommitTransaction, reading the committed epoch); sinkAbortMillis the
// abort of a transaction left open when the sink closes.
const (
	sinkTxnMillis   = 30000
	sinkAbortMillis = 5000
)

// sinkTxn is the transactional state of an exactly_once sink.
//
// Invariant: ready is true only while the sink's producer has initialized
// its transactions and next was read since; open only while that producer
// has a transaction begun and not ended.
type sinkTxn struct {
	// id is the transactional.id; groupID the group that records the
	// committed epochs, read by group (configured by groupConfig; nil
	// until needed), whose metadata meta is sent with each transaction.
	id          string
	groupID     string
	groupConfig ck.ConfigMap
	group       *ck.Consumer
	meta        *ck.ConsumerGroupMetadata
	// next is the first epoch not committed.
	next  uint64
	ready bool
	open  bool
}

// newSinkTxn returns the state of the exactly_once sink named id with the
// options c.
func newSinkTxn(c *kafkaConfig, id string) *sinkTxn {
	t := &sinkTxn{id: "runnel-" + id, groupID: "runnel-sink-" + id}
	if v, _ := c.props["transactional.id"].(string); v != "" {
		t.id = v
	}
	t.groupConfig = clientConfig(c.props, ck.ConfigMap{
		"group.id": t.groupID, "isolation.level": "read_committed", "enable.auto.commit": false})
	return t
}

// commitTxn commits epoch in one transaction holding the messages of
// changes and the record that epoch is committed; an epoch below the
// first not committed does nothing. A failure aborts the transaction (by
// dropping the producer: the next one's InitTransactions aborts it) and
// the epoch is tried again, from reading what is committed, so that a
// commit that succeeded but failed to say so is not repeated.
func (s *Sink) commitTxn(epoch uint64, changes []*vector.Batch) error {
	t := s.txn
	empty := !slices.ContainsFunc(changes, func(b *vector.Batch) bool { return b.Len > 0 })
	return s.retry(epoch, func() error {
		p, err := s.producer()
		if err != nil {
			return err
		}
		if !t.ready {
			if err := s.initTxn(p); err != nil {
				return err
			}
		}
		if epoch < t.next || empty {
			return nil
		}
		if err := p.BeginTransaction(); err != nil {
			return err
		}
		t.open = true
		if err := s.produceAll(changes); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(s.ctx, sinkTxnMillis*time.Millisecond)
		defer cancel()
		offsets := []ck.TopicPartition{{Topic: &s.topic, Partition: 0, Offset: ck.Offset(epoch + 1)}}
		if err := p.SendOffsetsToTransaction(ctx, offsets, t.meta); err != nil {
			return err
		}
		if err := p.CommitTransaction(ctx); err != nil {
			return err
		}
		t.open, t.next = false, epoch+1
		return nil
	})
}

// initTxn initializes the transactions of p and reads the first epoch not
// committed.
func (s *Sink) initTxn(p *ck.Producer) error {
	t := s.txn
	ctx, cancel := context.WithTimeout(s.ctx, sinkTxnMillis*time.Millisecond)
	defer cancel()
	if err := p.InitTransactions(ctx); err != nil {
		return err
	}
	if t.group == nil {
		c, err := ck.NewConsumer(&t.groupConfig)
		if err != nil {
			return configError(err)
		}
		meta, err := c.GetConsumerGroupMetadata()
		if err != nil {
			c.Close()
			return err
		}
		t.group, t.meta = c, meta
	}
	t.next = 0
	committed, err := t.group.Committed([]ck.TopicPartition{{Topic: &s.topic, Partition: 0}}, sinkTxnMillis)
	if err == nil {
		err = committed[0].Error
	}
	switch {
	case groupNotFound(err):
		// No epoch was ever committed (some brokers say so this way).
	case err != nil:
		return err
	case committed[0].Offset >= 0:
		t.next = uint64(committed[0].Offset)
	}
	t.ready = true
	return nil
}

// reset forgets the state of a producer that is dropped.
func (t *sinkTxn) reset() { t.ready, t.open = false, false }

// abandon aborts the transaction p has open, if any, waiting a few seconds
// at most (the next incarnation's InitTransactions aborts it otherwise).
func (t *sinkTxn) abandon(p *ck.Producer) {
	if !t.open {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), sinkAbortMillis*time.Millisecond)
	defer cancel()
	// A failure leaves the transaction to the broker's timeout or the next
	// incarnation: nothing else to do.
	_ = p.AbortTransaction(ctx)
	t.open = false
}

// close closes the consumer of the committed epochs.
func (t *sinkTxn) close() {
	if t.group != nil {
		t.group.Close()
		t.group = nil
	}
}

// groupNotFound reports whether err says the consumer group does not
// exist.
func groupNotFound(err error) bool {
	var ke ck.Error
	return errors.As(err, &ke) && ke.Code() == ck.ErrGroupIDNotFound
}
