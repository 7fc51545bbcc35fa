package format

import "github.com/runneldb/runnel/vector"

// The debezium_json format, for sinks only: a record is one change, in the
// envelope of Debezium's JSON converter without its schema:
//
//	{"before":null,"after":{…},"op":"c"}   the row {…} was inserted
//	{"before":{…},"after":null,"op":"d"}   the row {…} was deleted
//
// The row objects are those of the json format. An update is a deletion
// followed by an insertion, as the changes of a batch have it.

// debeziumEncoder writes changes in Debezium's envelope.
type debeziumEncoder struct {
	row *jsonEncoder
}

func newDebeziumEncoder(cols []Column) Encoder {
	return &debeziumEncoder{row: newJSONObjectEncoder(cols)}
}

func (e *debeziumEncoder) Append(dst []byte, b *vector.Batch, i int, del bool) []byte {
	if del {
		dst = append(dst, `{"before":`...)
		dst = e.row.Append(dst, b, i, false)
		return append(dst, `,"after":null,"op":"d"}`...)
	}
	dst = append(dst, `{"before":null,"after":`...)
	dst = e.row.Append(dst, b, i, false)
	return append(dst, `,"op":"c"}`...)
}
