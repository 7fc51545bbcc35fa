package kafka

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	ck "github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// metaField is a metadata a source column can be filled with.
type metaField struct {
	name string
	// kinds are the types a column filled with it may have, want names them.
	kinds []vector.Kind
	want  string
}

// metaFields are the metadata of a message.
var metaFields = []metaField{
	{"offset", []vector.Kind{vector.KindInt8}, "bigint"},
	{"partition", []vector.Kind{vector.KindInt4}, "integer"},
	{"timestamp", []vector.Kind{vector.KindTimestampTZ, vector.KindTimestamp}, "timestamptz or timestamp"},
	{"key", []vector.Kind{vector.KindText, vector.KindVarchar, vector.KindBytea}, "text or bytea"},
	{"headers", []vector.Kind{vector.KindJSONB}, "jsonb"},
}

// metaColumns is how the declared columns of a source split between the
// message's value, decoded by the format, and its metadata.
type metaColumns struct {
	// value are the columns decoded from the value, in declared order.
	value []format.Column
	// meta are the metadata columns, in declared order.
	meta []format.Column
	// isMeta[i] tells whether declared column i is a metadata column.
	isMeta []bool
	// headers is true when a column holds the headers.
	headers bool
}

// splitMetaColumns splits cols and checks the metadata columns: an unknown
// field is 22023, a column of a type its field cannot fill 42804, both
// naming the column.
func splitMetaColumns(cols []format.Column) (*metaColumns, error) {
	m := &metaColumns{isMeta: make([]bool, len(cols))}
	for i, c := range cols {
		if c.Metadata == "" {
			m.value = append(m.value, c)
			continue
		}
		j := slices.IndexFunc(metaFields, func(f metaField) bool { return f.name == c.Metadata })
		if j < 0 {
			names := make([]string, len(metaFields))
			for k, f := range metaFields {
				names[k] = f.name
			}
			return nil, vector.Errorf(vector.CodeInvalidParameterValue, "column %q: unknown Kafka metadata %q (known: %s)",
				c.Name, c.Metadata, strings.Join(names, ", "))
		}
		if f := metaFields[j]; !slices.Contains(f.kinds, c.Type.Kind) {
			return nil, vector.Errorf(vector.CodeDatatypeMismatch, "column %q: Kafka metadata %q is %s, not %s",
				c.Name, c.Metadata, f.want, c.Type)
		}
		m.isMeta[i] = true
		m.meta = append(m.meta, c)
		m.headers = m.headers || c.Metadata == "headers"
	}
	return m, nil
}

// metaValues are the metadata of one message, as the metadata columns hold
// them.
type metaValues struct {
	key     vector.Datum // string or []byte, nil when the message has none
	headers vector.Datum // JSONValue when a column holds headers
}

// read reads the metadata of msg that need checking: a key that a text
// column cannot hold (not UTF-8, 22021) or headers that jsonb cannot are
// errors.
func (m *metaColumns) read(msg *kafkaMessage) (metaValues, error) {
	var v metaValues
	for _, c := range m.meta {
		if c.Metadata != "key" || msg.key == nil {
			continue
		}
		if c.Type.Kind == vector.KindBytea {
			v.key = msg.key
			continue
		}
		if !utf8.Valid(msg.key) {
			return v, vector.Errorf(vector.CodeCharacterNotInRepertoire, "column %q: the message key is not valid UTF8", c.Name)
		}
		v.key = string(msg.key)
	}
	if m.headers {
		h, err := headersJSON(msg.headerList())
		if err != nil {
			return v, format.Context(err, "headers")
		}
		v.headers = h
	}
	return v, nil
}

// headersJSON is the jsonb object of headers: each name to its value as a
// string (null when it has none); the last of repeated names wins.
func headersJSON(headers []ck.Header) (vector.JSONValue, error) {
	buf := []byte{'{'}
	for i, h := range headers {
		if i > 0 {
			buf = append(buf, ',')
		}
		name, _ := json.Marshal(h.Key) // a string always marshals
		buf = append(append(buf, name...), ':')
		if h.Value == nil {
			buf = append(buf, "null"...)
			continue
		}
		val, _ := json.Marshal(string(h.Value))
		buf = append(buf, val...)
	}
	return vector.CanonicalJSON(string(append(buf, '}')))
}

// metaBuilders accumulate the metadata columns of the rows of a batch.
type metaBuilders struct {
	cols []format.Column
	b    []*vector.Builder
}

func newMetaBuilders(cols []format.Column) *metaBuilders {
	m := &metaBuilders{cols: cols, b: make([]*vector.Builder, len(cols))}
	for i, c := range cols {
		m.b[i] = vector.NewBuilder(c.Type, 0)
	}
	return m
}

// append appends n rows of the metadata of msg, whose checked values are v.
func (m *metaBuilders) append(msg *kafkaMessage, v metaValues, n int) {
	for i, c := range m.cols {
		var d vector.Datum
		switch c.Metadata {
		case "offset":
			d = msg.offset
		case "partition":
			d = msg.partition
		case "timestamp":
			if !msg.hasTimestamp {
				break
			}
			if us := msg.timestamp * 1000; c.Type.Kind == vector.KindTimestampTZ {
				d = vector.TimestampTZValue(us)
			} else {
				d = vector.TimestampValue(us)
			}
		case "key":
			d = v.key
		case "headers":
			d = v.headers
		}
		for range n {
			m.b[i].Append(d)
		}
	}
}

// batch is the batch of the declared columns: the value columns of
// values (nil when no row was decoded) and the metadata columns built so
// far, which it resets.
func (m *metaBuilders) batch(cols *metaColumns, values *vector.Batch) *vector.Batch {
	arrs := make([]arrow.Array, len(cols.isMeta))
	vi, mi := 0, 0
	for i, isMeta := range cols.isMeta {
		if isMeta {
			arrs[i] = m.b[mi].Finish()
			mi++
			continue
		}
		arrs[i] = values.Cols[vi]
		vi++
	}
	return &vector.Batch{Cols: arrs, Len: values.Len, Weights: values.Weights}
}
