// Package connectors connects tables and pipelines to the outside world:
// sinks that receive a pipeline's output one checkpoint epoch at a time, and
// sources that read bounded inputs into tables. A connector is chosen and
// configured by the WITH options of the table that declares it, e.g.
//
//	WITH (connector = 'file', path = '/out', format = 'json', type = 'sink')
//
// The formats are in connectors/format, the file connector in connectors/file.
package connectors

import (
	"slices"
	"strings"

	"github.com/runneldb/runnel/connectors/datagen"
	"github.com/runneldb/runnel/connectors/file"
	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/kafka"
	"github.com/runneldb/runnel/connectors/nexmark"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/vector"
)

// Column is a column of the relation a connector reads or writes.
type Column = format.Column

// Sink writes a pipeline's output one checkpoint epoch at a time.
type Sink interface {
	// Retractions reports whether the sink's format can carry retractions
	// (debezium_json).
	Retractions() bool
	// Commit writes the changes of epoch e durably and atomically: after a
	// crash either all of them are in the output or none is. Committing an
	// epoch already committed does nothing (recovery may commit an epoch
	// again). Epochs are committed in increasing order. A change with weight
	// n > 1 is n rows; a negative weight is an error for a sink without
	// retractions.
	Commit(epoch uint64, changes []*vector.Batch) error
	Close() error
}

// Source reads an input (a file, a generator, Kafka) as chunks of rows of
// the declared columns, each tagged with its position (see package source).
type Source = source.Source

// engineOptions are the WITH options the engine interprets; every connector
// accepts them.
var engineOptions = []string{"connector", "type", "event_time_field", "watermark_field", "idle_timeout"}

// connector is a kind of connector.
type connector struct {
	name string
	// required are the connector's own options that must be given
	// (non-empty); optional the others it takes, where an entry ending in
	// "." stands for every option starting with it ("fields.").
	required, optional []string
	// dotted is set when every option whose key holds a dot is the
	// connector's to check (Kafka passes them to librdkafka).
	dotted bool
	// openSink opens the connector as a sink named id; nil when it cannot
	// be one.
	openSink func(opts map[string]string, cols []Column, id string) (Sink, error)
	// openSource opens it as a source; nil when it cannot be one.
	openSource func(opts map[string]string, cols []Column) (Source, error)
}

// connectorList holds the connectors, by name.
var connectorList = []connector{
	{name: "blackhole", openSink: openBlackhole},
	{name: "file", required: []string{"path", "format"}, openSink: openFileSink, openSource: openFileSource},
	{name: "datagen", optional: datagen.DatagenOptions, openSource: openDatagen},
	{name: "impulse", optional: datagen.ImpulseOptions, openSource: openImpulse},
	{name: "nexmark", required: []string{"table"}, optional: []string{"events", "rate", "seed", "base_time", "partitions"}, openSource: openNexmarkSource},
	{name: "kafka", required: []string{"topic", "bootstrap.servers"}, optional: slices.Concat(kafka.SourceOptions, kafka.SinkOptions), dotted: true,
		openSink: openKafkaSink, openSource: openKafkaSource},
}

// OpenSink opens the sink the WITH options opts (lower-case keys) describe,
// writing rows of cols. id names the sink durably, the same across
// restarts, for connectors that keep state outside (Kafka transactions).
// Bad options are 22023 errors naming the option.
func OpenSink(opts map[string]string, cols []Column, id string) (Sink, error) {
	c, err := lookupConnector(opts, "sink", func(c *connector) bool { return c.openSink != nil })
	if err != nil {
		return nil, err
	}
	return c.openSink(opts, cols, id)
}

// OpenSource opens the source the WITH options opts describe, reading rows
// of cols. Bad options are 22023 errors naming the option; a missing input
// file is 58P01. The input is not read until Read.
func OpenSource(opts map[string]string, cols []Column) (Source, error) {
	c, err := lookupConnector(opts, "source", func(c *connector) bool { return c.openSource != nil })
	if err != nil {
		return nil, err
	}
	return c.openSource(opts, cols)
}

// lookupConnector finds the connector opts name among those that can play
// role (for which can is true), and checks its options.
func lookupConnector(opts map[string]string, role string, can func(*connector) bool) (*connector, error) {
	name, ok := opts["connector"]
	if !ok {
		return nil, vector.Errorf(vector.CodeInvalidParameterValue, "missing required option \"connector\"")
	}
	var names []string
	for i := range connectorList {
		c := &connectorList[i]
		if !can(c) {
			continue
		}
		if c.name == name {
			return c, c.checkOptions(opts)
		}
		names = append(names, c.name)
	}
	return nil, vector.Errorf(vector.CodeInvalidParameterValue, "%s connector %q does not exist (%s connectors: %s)",
		role, name, role, strings.Join(names, ", "))
}

// checkOptions refuses options c does not know and requires its own.
func (c *connector) checkOptions(opts map[string]string) error {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		prefixed := slices.ContainsFunc(c.optional, func(o string) bool { return strings.HasSuffix(o, ".") && strings.HasPrefix(k, o) }) ||
			c.dotted && strings.Contains(k, ".")
		if !slices.Contains(engineOptions, k) && !slices.Contains(c.required, k) && !slices.Contains(c.optional, k) && !prefixed {
			return vector.Errorf(vector.CodeInvalidParameterValue, "unrecognized option %q for connector %q", k, c.name)
		}
	}
	for _, k := range c.required {
		if opts[k] == "" {
			return vector.Errorf(vector.CodeInvalidParameterValue, "connector %q requires option %q", c.name, k)
		}
	}
	return nil
}

// openFileSink opens a file sink (options path and format).
func openFileSink(opts map[string]string, cols []Column, _ string) (Sink, error) {
	f, err := format.Lookup(opts["format"])
	if err != nil {
		return nil, err
	}
	s, err := file.OpenSink(opts["path"], f, cols)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openFileSource opens a file source (options path and format).
func openFileSource(opts map[string]string, cols []Column) (Source, error) {
	f, err := format.Lookup(opts["format"])
	if err != nil {
		return nil, err
	}
	s, err := file.OpenSource(opts["path"], f, cols)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openDatagen opens a datagen source (see package datagen).
func openDatagen(opts map[string]string, cols []Column) (Source, error) {
	s, err := datagen.OpenDatagen(opts, cols)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openImpulse opens an impulse source (see package datagen).
func openImpulse(opts map[string]string, cols []Column) (Source, error) {
	s, err := datagen.OpenImpulse(opts, cols)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openNexmarkSource opens a Nexmark generator (see package nexmark).
func openNexmarkSource(opts map[string]string, cols []Column) (Source, error) {
	s, err := nexmark.Open(opts, cols)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openKafkaSource opens a Kafka source (see package kafka).
func openKafkaSource(opts map[string]string, cols []Column) (Source, error) {
	s, err := kafka.OpenSource(opts, cols)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openKafkaSink opens a Kafka sink (see package kafka).
func openKafkaSink(opts map[string]string, cols []Column, id string) (Sink, error) {
	s, err := kafka.OpenSink(opts, cols, id)
	if err != nil {
		return nil, err
	}
	return s, nil
}
