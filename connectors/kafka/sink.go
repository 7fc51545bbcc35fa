package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// SinkOptions are the options of a Kafka sink besides the engine's and
// the librdkafka properties (options with a dot in their name):
//
//	topic, format  see the package comment
//	delivery       at_least_once (default): every epoch's messages are
//	               delivered, some maybe twice after a failure; or
//	               exactly_once: each epoch is one Kafka transaction, and
//	               readers with isolation.level read_committed see every
//	               message once (see sink_txn.go)
//	key_fields     'col[, col…]': the message key is those columns encoded
//	               in the format (json for debezium_json); no key without it
var SinkOptions = []string{"topic", "format", "delivery", "key_fields"}

// The values of option delivery.
const (
	deliveryAtLeastOnce = "at_least_once"
	deliveryExactlyOnce = "exactly_once"
)

// sinkSettings configure a sink's producer over the user's properties:
// delivery reports on the events channel without the message's bytes, and
// no big channels the package does not use.
var sinkSettings = ck.ConfigMap{
	"go.delivery.report.fields": "none",
	"go.events.channel.size":    4096,
	"go.produce.channel.size":   0,
}

// Sink writes a pipeline's changes to a Kafka topic, one message per row
// (a row of weight n > 1 is n messages; a deletion, weight < 0, only in
// debezium_json), encoded in the sink's format. It connects at the first
// Commit.
//
// Commit and Close are serialized by mu; Close interrupts a Commit that
// is retrying (ctx).
type Sink struct {
	id     string
	topic  string
	format *format.Format
	enc    format.Encoder
	// keyCols are the columns of key_fields, encoded by keyEnc; nil
	// without key_fields.
	keyCols []int
	keyEnc  format.Encoder
	// config is the producer's configuration.
	config ck.ConfigMap
	// txn is the state of an exactly_once sink; nil for at_least_once.
	txn *sinkTxn

	// ctx is cancelled by Close, interrupting a Commit that retries or
	// waits.
	ctx  context.Context
	stop context.CancelFunc

	mu sync.Mutex
	p  *ck.Producer // nil until needed, and after a failure that needs a new one
	// msg, val and key are scratch space for the message being produced.
	msg      ck.Message
	val, key []byte
}

// OpenSink opens a sink writing rows of cols to the topic the WITH options
// opts (lower-case keys) describe. id names the sink durably: an
// exactly_once sink's transactions are "runnel-" + id unless the options
// give a transactional.id. Bad options are 22023 errors naming the option,
// as are properties librdkafka refuses; a metadata column is 0A000.
// Nothing is connected to before the first Commit.
func OpenSink(opts map[string]string, cols []format.Column, id string) (*Sink, error) {
	c, err := parseKafkaOptions(opts)
	if err != nil {
		return nil, err
	}
	for _, col := range cols {
		if col.Metadata != "" {
			return nil, vector.Errorf(vector.CodeFeatureNotSupported, "column %q: a Kafka sink cannot write metadata %q", col.Name, col.Metadata)
		}
	}
	s := &Sink{id: id, topic: c.topic, format: c.format}
	if s.enc, err = c.format.NewEncoder(cols); err != nil {
		return nil, err
	}
	if err := s.parseKeyFields(opts, cols); err != nil {
		return nil, err
	}
	set := maps.Clone(sinkSettings)
	switch v := opts["delivery"]; v {
	case "", deliveryAtLeastOnce:
		// Idempotence keeps librdkafka's own retries from duplicating or
		// reordering messages, unless the user chose acks that exclude it.
		_, idem := c.props["enable.idempotence"]
		_, acks := c.props["acks"]
		_, reqAcks := c.props["request.required.acks"]
		if !idem && !acks && !reqAcks {
			set["enable.idempotence"] = true
		}
	case deliveryExactlyOnce:
		s.txn = newSinkTxn(c, id)
		set["transactional.id"] = s.txn.id
		if err := checkConsumerConfig(offline(s.txn.groupConfig)); err != nil {
			return nil, err
		}
	default:
		return nil, optionError("delivery", v, "at_least_once or exactly_once")
	}
	s.config = clientConfig(c.props, set)
	if err := checkProducerConfig(offline(s.config)); err != nil {
		return nil, err
	}
	s.msg.TopicPartition = ck.TopicPartition{Topic: &s.topic, Partition: ck.PartitionAny}
	s.ctx, s.stop = context.WithCancel(context.Background())
	return s, nil
}

// parseKeyFields reads option key_fields: the key is those columns,
// encoded in the sink's format (json for debezium_json, whose records are
// changes, not rows).
func (s *Sink) parseKeyFields(opts map[string]string, cols []format.Column) error {
	v, ok := opts["key_fields"]
	if !ok {
		return nil
	}
	var keyCols []format.Column
	for _, name := range strings.Split(v, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(cols, func(c format.Column) bool { return c.Name == name })
		if i < 0 {
			return optionError("key_fields", v, fmt.Sprintf("a list of the sink's columns; there is no column %q", name))
		}
		if slices.Contains(s.keyCols, i) {
			return optionError("key_fields", v, fmt.Sprintf("a list of distinct columns; %q is repeated", name))
		}
		s.keyCols = append(s.keyCols, i)
		keyCols = append(keyCols, cols[i])
	}
	f := s.format
	if f.Retractions {
		f = format.JSON
	}
	enc, err := f.NewEncoder(keyCols)
	if err != nil {
		return format.Context(err, "option \"key_fields\"")
	}
	s.keyEnc = enc
	return nil
}

// Retractions reports whether the sink's format can carry deletions
// (debezium_json).
func (s *Sink) Retractions() bool { return s.format.Retractions }

// Commit writes the changes of epoch.
//
// at_least_once: it produces every message and waits until Kafka has
// acknowledged each; after a failure it produces them all again, with
// backoff, until they are all acknowledged (so some may be there twice)
// or the sink is closed.
//
// exactly_once: see commitTxn.
//
// A deletion in a format without retractions is 0A000, before anything
// is produced. A failure that retrying cannot mend (a refused
// authorization, a message too large, a missing topic, another process
// taking over the sink's transactions) is 08000 naming the sink and the
// epoch.
func (s *Sink) Commit(epoch uint64, changes []*vector.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return s.error(epoch, errors.New("the sink is closed"))
	}
	if err := s.checkChanges(changes); err != nil {
		return err
	}
	if s.txn != nil {
		return s.commitTxn(epoch, changes)
	}
	if !slices.ContainsFunc(changes, func(b *vector.Batch) bool { return b.Len > 0 }) {
		return nil
	}
	return s.retry(epoch, func() error { return s.produceAll(changes) })
}

// checkChanges refuses deletions when the format cannot carry them.
func (s *Sink) checkChanges(changes []*vector.Batch) error {
	if s.format.Retractions {
		return nil
	}
	for _, b := range changes {
		if slices.ContainsFunc(b.Weights, func(w int64) bool { return w < 0 }) {
			return vector.Errorf(vector.CodeFeatureNotSupported,
				"kafka sink %q: format %q cannot write deletions; use format 'debezium_json'", s.id, s.format.Name)
		}
	}
	return nil
}

// Backoff between tries of an epoch.
const (
	sinkBackoffMin = 100 * time.Millisecond
	sinkBackoffMax = 5 * time.Second
)

// retry calls try until it succeeds, fails for good (see permanent), or
// the sink is closed. After a failure of a transaction, or a fatal error
// of the producer, the producer is dropped, so the next try starts from a
// new one; an at_least_once producer is kept otherwise (it has nothing in
// flight, and its connections come back by themselves).
func (s *Sink) retry(epoch uint64, try func() error) error {
	backoff := sinkBackoffMin
	for {
		err := try()
		if err == nil {
			return nil
		}
		if s.p != nil && (s.txn != nil || s.p.GetFatalError() != nil) {
			s.dropProducer()
		}
		if permanent(err) {
			return s.error(epoch, err)
		}
		select {
		case <-s.ctx.Done():
			return s.error(epoch, fmt.Errorf("the sink was closed while retrying: %w", err))
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, sinkBackoffMax)
	}
}

// permanentCodes are the failures that retrying a commit cannot mend.
var permanentCodes = []ck.ErrorCode{
	ck.ErrTopicAuthorizationFailed, ck.ErrClusterAuthorizationFailed, ck.ErrGroupAuthorizationFailed,
	ck.ErrTransactionalIDAuthorizationFailed, ck.ErrMsgSizeTooLarge, ck.ErrUnknownTopicOrPart,
	ck.ErrUnknownTopic, ck.ErrProducerFenced, ck.ErrFenced, ck.ErrInvalidArg,
}

// permanent reports whether err is a failure retrying cannot mend.
func permanent(err error) bool {
	var ke ck.Error
	return errors.As(err, &ke) && slices.Contains(permanentCodes, ke.Code())
}

// error is err, the failure of epoch's commit, as an error naming the sink.
func (s *Sink) error(epoch uint64, err error) error {
	return vector.Errorf(vector.CodeConnectionException, "kafka sink %q (topic %q): epoch %d not committed: %v", s.id, s.topic, epoch, err)
}

// producer returns the sink's producer, creating it when needed.
func (s *Sink) producer() (*ck.Producer, error) {
	if s.p == nil {
		p, err := ck.NewProducer(&s.config)
		if err != nil {
			return nil, configError(err)
		}
		s.p = p
	}
	return s.p, nil
}

// dropProducer closes the producer, abandoning what it has not delivered.
func (s *Sink) dropProducer() {
	if s.p == nil {
		return
	}
	// Purging fails only on a closed producer, and this one is open.
	_ = s.p.Purge(ck.PurgeQueue | ck.PurgeInFlight)
	s.p.Close()
	s.p = nil
	if s.txn != nil {
		s.txn.reset()
	}
}

// produceAll produces the messages of changes and waits for every
// delivery report; it returns the first failure.
func (s *Sink) produceAll(changes []*vector.Batch) error {
	p, err := s.producer()
	if err != nil {
		return err
	}
	r := deliveries{events: p.Events(), closing: s.ctx.Done()}
	for _, b := range changes {
		var keys *vector.Batch
		if s.keyCols != nil {
			cols := make([]arrow.Array, len(s.keyCols))
			for j, c := range s.keyCols {
				cols[j] = b.Cols[c]
			}
			keys = vector.NewBatch(cols, b.Len)
		}
		for i := range b.Len {
			n := b.Weight(i)
			s.val = s.enc.Append(s.val[:0], b, i, n < 0)
			s.msg.Value = s.val
			if keys != nil {
				s.key = s.keyEnc.Append(s.key[:0], keys, i, false)
				s.msg.Key = s.key
			}
			for range max(n, -n) {
				if err := s.produce(p, &r); err != nil {
					return errors.Join(err, r.wait(0))
				}
			}
		}
	}
	return r.wait(0)
}

// produce produces s.msg, waiting for delivery reports while librdkafka's
// queue is full.
func (s *Sink) produce(p *ck.Producer, r *deliveries) error {
	for {
		err := p.Produce(&s.msg, nil)
		if err == nil {
			r.inflight++
			return r.serve()
		}
		if ke, ok := err.(ck.Error); !ok || ke.Code() != ck.ErrQueueFull {
			return err
		}
		if err := r.wait(r.inflight - 1); err != nil {
			return err
		}
	}
}

// deliveries counts the messages a producer has in flight and reads their
// delivery reports from its events channel.
type deliveries struct {
	events   chan ck.Event
	closing  <-chan struct{}
	inflight int
	// failed is the first failure reported.
	failed error
}

// serve reads the reports already there, without waiting; it returns a
// failure reported.
func (r *deliveries) serve() error {
	for len(r.events) > 0 {
		r.handle(<-r.events)
	}
	return r.failed
}

// wait reads reports until at most n messages are in flight, or the sink
// is closing; it returns the first failure reported.
func (r *deliveries) wait(n int) error {
	for r.inflight > n {
		select {
		case ev := <-r.events:
			r.handle(ev)
		case <-r.closing:
			return errors.New("the sink was closed while waiting for deliveries")
		}
	}
	return r.failed
}

// handle reads one event of the producer.
func (r *deliveries) handle(ev ck.Event) {
	switch e := ev.(type) {
	case *ck.Message:
		r.inflight--
		if err := e.TopicPartition.Error; err != nil && r.failed == nil {
			r.failed = err
		}
	case ck.Error:
		// librdkafka retries what is not fatal; a fatal error fails the
		// messages in flight, and the producer must be replaced.
		if e.IsFatal() && r.failed == nil {
			r.failed = e
		}
	}
}

// Close closes the producer, interrupting a Commit that is retrying.
// Nothing is left to flush: a Commit returns only once Kafka has
// acknowledged every message, and one that fails drops its producer.
// Committed epochs stay committed.
func (s *Sink) Close() error {
	s.stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.p != nil {
		if s.txn != nil {
			s.txn.abandon(s.p)
		}
		s.dropProducer()
	}
	if s.txn != nil {
		s.txn.close()
	}
	return nil
}
