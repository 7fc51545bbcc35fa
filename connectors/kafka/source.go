package kafka

import (
	"context"
	"errors"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"time"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"golang.org/x/sync/errgroup"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/vector"
)

// SourceOptions are the options of a Kafka source besides the engine's and
// the librdkafka properties (options with a dot in their name):
//
//	topic, format      see the package comment
//	startup            where a partition absent from the resumed position
//	                   starts: earliest (default), latest, group (the
//	                   committed offset of group.id, which is then required;
//	                   without one, per auto.offset.reset, default earliest)
//	                   or timestamp (the first message at or after
//	                   startup_timestamp)
//	startup_timestamp  epoch milliseconds, or a timestamptz literal
//	on_error           what a malformed message does: fail (default: Read
//	                   fails naming topic, partition and offset), skip, or
//	                   dead_letter (it is produced to dead_letter_topic)
//	dead_letter_topic  the topic of on_error 'dead_letter'
//	upsert             true: a message without value (a tombstone) deletes
//	                   the row its key decodes to (other columns NULL);
//	                   default false
//
// Without upsert a tombstone is a malformed message, except in
// debezium_json, where it is skipped without a word (Debezium follows
// each deletion with one, for log compaction).
var SourceOptions = []string{"topic", "format", "startup", "startup_timestamp", "on_error", "dead_letter_topic", "upsert"}

// The values of option startup.
const (
	startupEarliest  = "earliest"
	startupLatest    = "latest"
	startupGroup     = "group"
	startupTimestamp = "timestamp"
)

// The values of option on_error.
const (
	onErrorFail       = "fail"
	onErrorSkip       = "skip"
	onErrorDeadLetter = "dead_letter"
)

// defaultGroupID is the group.id of a source's consumer when the options
// give none: librdkafka needs one, and the source then commits nothing.
const defaultGroupID = "runnel-source"

// fetchQueueBackoff is the librdkafka property saying how long a
// partition's fetching pauses once its queue of fetched messages is full;
// its default (a second) starves a source that empties the queue in less,
// so unless the options set it the source pauses
// defaultFetchQueueBackoff milliseconds.
const (
	fetchQueueBackoff        = "fetch.queue.backoff.ms"
	defaultFetchQueueBackoff = "10"
)

// Source reads the messages of a Kafka topic as changes of the declared
// columns. It is unbounded. Every partition is a split, whose position is
// the offset of its next message; partitions are read in parallel, each
// in order (see Read).
type Source struct {
	topic  string
	format *format.Format
	cols   *metaColumns
	// startup is how a partition absent from Read's position starts;
	// startupMillis is the time of startupTimestamp.
	startup       string
	startupMillis int64
	onError       string
	// deadLetterTopic is the topic of on_error 'dead_letter'.
	deadLetterTopic string
	upsert          bool
	// groupID is the user's group.id, "" when not given: offsets are
	// committed to it.
	groupID string
	// consumer and producer are the configurations of the source's
	// consumer and of its dead-letter producer.
	consumer, producer ck.ConfigMap
	// discoverEvery is how often Read looks for partitions added to the
	// topic (kafkaDiscoverEvery).
	discoverEvery time.Duration
}

// OpenSource opens a source reading rows of cols from the topic the WITH
// options opts (lower-case keys) describe. Bad options are 22023 errors
// naming the option, as are properties librdkafka refuses; a metadata
// column of the wrong type is 42804. Nothing is connected to before Read.
func OpenSource(opts map[string]string, cols []format.Column) (*Source, error) {
	c, err := parseKafkaOptions(opts)
	if err != nil {
		return nil, err
	}
	mc, err := splitMetaColumns(cols)
	if err != nil {
		return nil, err
	}
	if _, err := c.format.NewDecoder(mc.value); err != nil {
		return nil, err
	}
	s := &Source{topic: c.topic, format: c.format, cols: mc, startup: startupEarliest, onError: onErrorFail,
		discoverEvery: kafkaDiscoverEvery}
	s.groupID, _ = c.props["group.id"].(string)
	if err := s.parseOptions(opts, c); err != nil {
		return nil, err
	}
	set := ck.ConfigMap{"enable.auto.offset.store": false}
	if _, ok := c.props[fetchQueueBackoff]; !ok {
		set[fetchQueueBackoff] = defaultFetchQueueBackoff
	}
	if s.groupID == "" {
		set["group.id"] = defaultGroupID
		set["enable.auto.commit"] = false
	}
	s.consumer = clientConfig(c.props, set)
	if err := checkConsumerConfig(offline(s.consumer)); err != nil {
		return nil, err
	}
	if s.onError == onErrorDeadLetter {
		s.producer = clientConfig(c.props, deadLetterSettings)
		if err := checkProducerConfig(offline(s.producer)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// epochMillis matches a startup_timestamp given in epoch milliseconds.
var epochMillis = regexp.MustCompile(`^-?[0-9]+$`)

// parseOptions reads the source's own options into s.
func (s *Source) parseOptions(opts map[string]string, c *kafkaConfig) error {
	if v, ok := opts["startup"]; ok {
		switch v {
		case startupEarliest, startupLatest, startupTimestamp:
		case startupGroup:
			if s.groupID == "" {
				return vector.Errorf(vector.CodeInvalidParameterValue, "option \"startup\" = 'group' requires option \"group.id\"")
			}
		default:
			return optionError("startup", v, "earliest, latest, group or timestamp")
		}
		s.startup = v
	}
	ts, ok := opts["startup_timestamp"]
	switch {
	case s.startup == startupTimestamp && !ok:
		return vector.Errorf(vector.CodeInvalidParameterValue, "option \"startup\" = 'timestamp' requires option \"startup_timestamp\"")
	case s.startup != startupTimestamp && ok:
		return vector.Errorf(vector.CodeInvalidParameterValue, "option \"startup_timestamp\" needs option \"startup\" = 'timestamp'")
	case ok && epochMillis.MatchString(ts):
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || ms < 0 {
			return optionError("startup_timestamp", ts, "epoch milliseconds or a timestamptz")
		}
		s.startupMillis = ms
	case ok:
		d, err := vector.ParseText(ts, vector.TimestampTZ, nil)
		if err != nil || d.(vector.TimestampTZValue) < 0 {
			return optionError("startup_timestamp", ts, "epoch milliseconds or a timestamptz")
		}
		s.startupMillis = int64(d.(vector.TimestampTZValue)) / 1000
	}
	if v, ok := opts["on_error"]; ok {
		if v != onErrorFail && v != onErrorSkip && v != onErrorDeadLetter {
			return optionError("on_error", v, "fail, skip or dead_letter")
		}
		s.onError = v
	}
	s.deadLetterTopic = opts["dead_letter_topic"]
	switch {
	case s.onError == onErrorDeadLetter && s.deadLetterTopic == "":
		return vector.Errorf(vector.CodeInvalidParameterValue, "option \"on_error\" = 'dead_letter' requires option \"dead_letter_topic\"")
	case s.onError != onErrorDeadLetter && s.deadLetterTopic != "":
		return vector.Errorf(vector.CodeInvalidParameterValue, "option \"dead_letter_topic\" needs option \"on_error\" = 'dead_letter'")
	case s.deadLetterTopic == c.topic:
		return optionError("dead_letter_topic", s.deadLetterTopic, "a topic other than the one read")
	}
	if v, ok := opts["upsert"]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil || (v != "true" && v != "false") {
			return optionError("upsert", v, "true or false")
		}
		s.upsert = b
	}
	if s.upsert && c.format.Retractions {
		return vector.Errorf(vector.CodeInvalidParameterValue, "option \"upsert\" = 'true' cannot be used with format %q, which carries its own deletions", c.format.Name)
	}
	return nil
}

// Bounded is false: a topic never ends.
func (s *Source) Bounded() bool { return false }

// Read reads the topic until ctx is done, then returns nil or ctx's error.
//
// It discovers the partitions (retrying with backoff while the brokers are
// unreachable, which out.Status reports), resolves the start offset of
// each (from[p] when present, else per startup), emits an empty chunk per
// partition at that offset, and assigns them all to one consumer, with no
// group rebalancing. Then every kafkaDiscoverEvery it looks for partitions
// added to the topic meanwhile and reads each the same way, from from[p]
// when present, else from its earliest offset whatever startup says
// (nothing in a partition added after Read started predates it): each is
// announced with an empty chunk at that offset before any of its rows,
// then added to the consumer's assignment without disturbing the others'
// reading. Messages are decoded by GOMAXPROCS workers, partition p by
// worker p mod GOMAXPROCS, so each partition keeps its order; a chunk
// holds rows of one partition, emitted when it reaches
// operators.BatchSize rows or when its partition has been quiet for a
// moment (see kafkaLinger). A broker that goes away is reported by
// out.Status until messages flow again; librdkafka reconnects and reading
// resumes where it was. A fatal client error, or a malformed message with
// on_error 'fail', ends Read with an error.
func (s *Source) Read(ctx context.Context, from source.Position, out source.Output) error {
	c, err := ck.NewConsumer(&s.consumer)
	if err != nil {
		return configError(err)
	}
	r := &kafkaRead{src: s, consumer: c, out: out}
	err = r.run(ctx, from)
	if cerr := r.close(); err == nil {
		err = cerr
	}
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return ctx.Err()
	}
	return err
}

// kafkaRead is one Read in progress.
type kafkaRead struct {
	src *Source
	// consumer resolves where the partitions start, and is closed then
	// in the background, its error sent to consumerClosed; fetcher reads
	// the messages, from then on.
	consumer       *ck.Consumer
	consumerClosed chan error
	fetcher        *kafkaFetcher
	// mu serializes the calls to out, which are never concurrent.
	mu  sync.Mutex
	out source.Output
	// status is the last status reported (under mu).
	status string
	// dlq sends malformed messages to the dead-letter topic; nil until the
	// first one.
	dlqOnce sync.Once
	dlq     *deadLetter
	dlqErr  error
}

// run reads from from until ctx is done or something fails.
func (r *kafkaRead) run(ctx context.Context, from source.Position) error {
	starts, err := r.startOffsets(ctx, from)
	if err != nil {
		return err
	}
	r.closeConsumer()
	headers := r.src.cols.headers || r.src.onError == onErrorDeadLetter
	if r.fetcher, err = newKafkaFetcher(r.src.consumer, r.src.topic, headers); err != nil {
		return err
	}
	for _, st := range starts {
		if err := r.emit(source.Chunk{Split: st.partition, Next: st.offset}); err != nil {
			return err
		}
	}
	if err := r.assign(starts); err != nil {
		return err
	}
	// As many workers as threads, not partitions: partitions may come.
	g, gctx := errgroup.WithContext(ctx)
	workers := make([]*kafkaWorker, runtime.GOMAXPROCS(0))
	for i := range workers {
		if workers[i], err = r.newWorker(); err != nil {
			return err
		}
	}
	for _, st := range starts {
		workers[int(st.partition)%len(workers)].addPartition(st)
	}
	for _, w := range workers {
		g.Go(func() error { return w.run(gctx) })
	}
	g.Go(func() error { return r.poll(gctx, workers) })
	g.Go(func() error { return r.discover(gctx, from, starts, workers) })
	return g.Wait()
}

// closeConsumer starts closing the consumer in the background: closing
// waits for a poll of the client (a tenth of a second), which reading
// need not wait for.
func (r *kafkaRead) closeConsumer() {
	c := r.consumer
	r.consumer, r.consumerClosed = nil, make(chan error, 1)
	go func() { r.consumerClosed <- c.Close() }()
}

// close closes the consumer (or waits until it is closed), the fetcher
// and the dead-letter producer.
func (r *kafkaRead) close() error {
	var err error
	if r.consumer != nil {
		err = r.consumer.Close()
	} else {
		err = <-r.consumerClosed
	}
	if r.fetcher != nil {
		r.fetcher.close()
	}
	if r.dlq != nil {
		r.dlq.close()
	}
	if err != nil {
		return clientError(r.src.topic, err)
	}
	return nil
}

// emit hands c to the output.
func (r *kafkaRead) emit(c source.Chunk) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.Emit(c)
}

// setStatus reports s as the source's status when it changed.
func (r *kafkaRead) setStatus(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s != r.status {
		r.status = s
		r.out.Status(s)
	}
}

// deadLetter returns the dead-letter producer, creating it on first use.
func (r *kafkaRead) deadLetter() (*deadLetter, error) {
	r.dlqOnce.Do(func() { r.dlq, r.dlqErr = newDeadLetter(r.src) })
	return r.dlq, r.dlqErr
}
