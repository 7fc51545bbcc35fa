// Package kafka is the Kafka connector: a source reading a topic's
// partitions in parallel (partitions added to the topic while it reads
// included, picked up within seconds and read from their start), and a
// sink writing each checkpoint epoch's changes to a topic, at least once
// or exactly once (in a Kafka transaction). It speaks to Kafka through
// librdkafka (confluent-kafka-go).
//
//	CREATE TABLE clicks (user_id bigint, url text, at timestamptz,
//	    off bigint METADATA FROM 'offset')
//	WITH (connector = 'kafka', type = 'source', topic = 'clicks',
//	    "bootstrap.servers" = 'localhost:9092', format = 'json')
//
// Options of both (values are strings):
//
//	topic              the topic (required)
//	bootstrap.servers  the brokers to start from (required)
//	format             json (default), csv, raw_string, raw_bytes, debezium_json
//
// Every option whose name contains a dot is a librdkafka property passed
// as is (security.protocol, sasl.mechanism, sasl.username, ssl.ca.location,
// group.id, …); properties.<name> passes <name> (for properties without a
// dot, such as acks). The source's options are in source.go, the sink's in
// sink.go.
//
// Opening a source or a sink checks every option without touching the
// network: the brokers may be down when a table is created.
package kafka

import (
	"log/slog"
	"maps"
	"strings"
	"sync"

	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// propertiesPrefix starts an option that passes the librdkafka property
// named by the rest of its name.
const propertiesPrefix = "properties."

// kafkaConfig is what the options shared by the source and the sink say.
type kafkaConfig struct {
	topic  string
	format *format.Format
	// props are the librdkafka properties the options pass through,
	// bootstrap.servers among them. Values are strings.
	props ck.ConfigMap
}

// parseKafkaOptions reads the options shared by the source and the sink.
// Bad values are 22023 errors naming the option.
func parseKafkaOptions(opts map[string]string) (*kafkaConfig, error) {
	c := &kafkaConfig{topic: opts["topic"], props: ck.ConfigMap{}}
	if c.topic == "" {
		return nil, vector.Errorf(vector.CodeInvalidParameterValue, "connector \"kafka\" requires option \"topic\"")
	}
	if opts["bootstrap.servers"] == "" {
		return nil, vector.Errorf(vector.CodeInvalidParameterValue, "connector \"kafka\" requires option \"bootstrap.servers\"")
	}
	name := "json"
	if v, ok := opts["format"]; ok {
		name = v
	}
	f, err := format.Lookup(name)
	if err != nil {
		return nil, err
	}
	c.format = f
	for k, v := range opts {
		if !strings.Contains(k, ".") {
			continue
		}
		prop := strings.TrimPrefix(k, propertiesPrefix)
		if prop == "" || strings.HasPrefix(prop, "go.") {
			return nil, vector.Errorf(vector.CodeInvalidParameterValue, "option %q is not a librdkafka property", k)
		}
		c.props[prop] = v
	}
	return c, nil
}

// optionError is the error of a bad value v of option key, which should be
// what want says.
func optionError(key, v, want string) error {
	return vector.Errorf(vector.CodeInvalidParameterValue, "invalid value for option %q of connector \"kafka\": %q (want %s)", key, v, want)
}

// clientConfig is a copy of props with the settings every client of the
// package has (librdkafka's log routed to slog) and then set over them.
func clientConfig(props ck.ConfigMap, set ck.ConfigMap) ck.ConfigMap {
	kafkaLogOnce.Do(func() { go pumpKafkaLogs() })
	cm := ck.ConfigMap{"go.logs.channel.enable": true, "go.logs.channel": kafkaLogs}
	maps.Copy(cm, props)
	maps.Copy(cm, set)
	return cm
}

// kafkaLogs receives the log lines of every librdkafka client of the
// process; pumpKafkaLogs, started once, hands them to slog at debug level
// (what a user must see is reported as a source's status or an error).
var (
	kafkaLogs    = make(chan ck.LogEvent, 256)
	kafkaLogOnce sync.Once
)

func pumpKafkaLogs() {
	for e := range kafkaLogs {
		slog.Debug("librdkafka", "client", e.Name, "tag", e.Tag, "level", e.Level, "message", e.Message)
	}
}

// offline is cm without the properties that make a client connect (the
// brokers to start from), so that creating a client from it checks the
// configuration without touching the network.
func offline(cm ck.ConfigMap) ck.ConfigMap {
	c := maps.Clone(cm)
	delete(c, "bootstrap.servers")
	delete(c, "metadata.broker.list") // bootstrap.servers' alias
	return c
}

// checkConsumerConfig has librdkafka check the configuration of a
// consumer; what it rejects is a 22023 error with its message.
func checkConsumerConfig(cm ck.ConfigMap) error {
	c, err := ck.NewConsumer(&cm)
	if err != nil {
		return configError(err)
	}
	return c.Close()
}

// checkProducerConfig has librdkafka check the configuration of a
// producer; what it rejects is a 22023 error with its message.
func checkProducerConfig(cm ck.ConfigMap) error {
	p, err := ck.NewProducer(&cm)
	if err != nil {
		return configError(err)
	}
	p.Close()
	return nil
}

// configError is librdkafka's refusal of a configuration as a user error.
func configError(err error) error {
	return vector.Errorf(vector.CodeInvalidParameterValue, "invalid Kafka client configuration: %s", strings.TrimSpace(err.Error()))
}
