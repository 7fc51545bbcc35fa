package kafka

import (
	"context"
	"strconv"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// The headers a message sent to the dead-letter topic carries besides its
// own: where it was read and why it could not be.
const (
	headerSourceTopic     = "runnel.source.topic"
	headerSourcePartition = "runnel.source.partition"
	headerSourceOffset    = "runnel.source.offset"
	headerError           = "runnel.error"
)

// deadLetterSettings configure the dead-letter producer over the user's
// properties: delivery reports without the message's bytes, and no big
// channels the package does not use.
var deadLetterSettings = ck.ConfigMap{
	"go.delivery.report.fields": "none",
	"go.events.channel.size":    16,
	"go.produce.channel.size":   0,
}

// deadLetter sends malformed messages to the dead-letter topic of a
// source with on_error 'dead_letter'.
type deadLetter struct {
	p      *ck.Producer
	topic  string // the dead-letter topic
	source string // the topic read
}

func newDeadLetter(s *Source) (*deadLetter, error) {
	p, err := ck.NewProducer(&s.producer)
	if err != nil {
		return nil, configError(err)
	}
	return &deadLetter{p: p, topic: s.deadLetterTopic, source: s.topic}, nil
}

// send produces m's key, value and headers to the dead-letter topic, with
// headers saying where m was read and reason, and waits until Kafka has
// it, so that the source's position passes m only once it is safe.
func (d *deadLetter) send(ctx context.Context, m *kafkaMessage, reason error) error {
	headers := append(m.headerList(),
		ck.Header{Key: headerSourceTopic, Value: []byte(d.source)},
		ck.Header{Key: headerSourcePartition, Value: strconv.AppendInt(nil, int64(m.partition), 10)},
		ck.Header{Key: headerSourceOffset, Value: strconv.AppendInt(nil, m.offset, 10)},
		ck.Header{Key: headerError, Value: []byte(reason.Error())})
	dr := make(chan ck.Event, 1)
	err := d.p.Produce(&ck.Message{
		TopicPartition: ck.TopicPartition{Topic: &d.topic, Partition: ck.PartitionAny},
		Key:            m.key, Value: m.value, Headers: headers,
	}, dr)
	if err != nil {
		return clientError(d.topic, err)
	}
	select {
	case ev := <-dr:
		if err := ev.(*ck.Message).TopicPartition.Error; err != nil {
			return clientError(d.topic, err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close closes the producer, abandoning what it could not deliver (a
// read that stops does not pass those messages).
func (d *deadLetter) close() {
	d.p.Purge(ck.PurgeQueue | ck.PurgeInFlight)
	d.p.Close()
}
