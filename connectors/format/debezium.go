package format

import (
	"bytes"
	"fmt"

	"github.com/runneldb/runnel/vector"
)

// The debezium_json format: a record is one change of a row, in the
// envelope of Debezium's JSON converter. Encoding writes the envelope
// without a schema, one record per change:
//
//	{"before":null,"after":{…},"op":"c"}   the row {…} was inserted
//	{"before":{…},"after":null,"op":"d"}   the row {…} was deleted
//
// so an update, a deletion followed by an insertion in a batch, is two
// records. Decoding reads what Debezium writes, with or without schemas:
//
//   - the envelope may be wrapped as {"schema":…,"payload":{envelope}};
//     other members of both (source, ts_ms, transaction) are ignored, and
//     of duplicate keys the last wins.
//   - op "c" (create) and "r" (snapshot read) insert after; "u" deletes
//     before, when present and not null, and inserts after; "d" deletes
//     before. Without op (or with op null) the change is inferred from
//     which of before and after are null: an insertion, a deletion, or an
//     update when both are rows.
//   - a row object (before, after) decodes as a record of the json format
//     does: missing keys are NULL, keys that are not columns are ignored.
//   - an empty record, or one whose payload is null, is a tombstone (the
//     empty Kafka message Debezium sends after a deletion): no change.
//   - anything else is 22P02 saying what is wrong: a record that is not a
//     JSON object, an op other than c, r, u and d, a row that is not an
//     object, an op without the row it needs ("c" without after).

// debeziumEncoder writes changes in Debezium's envelope.
type debeziumEncoder struct {
	row *jsonEncoder
}

func newDebeziumEncoder(cols []Column) (Encoder, error) {
	return &debeziumEncoder{row: newJSONObjectEncoder(cols)}, nil
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

// debeziumDecoder reads Debezium envelopes into changes.
type debeziumDecoder struct {
	row *jsonDecoder
}

func newDebeziumDecoder(cols []Column) (Decoder, error) {
	return &debeziumDecoder{row: newJSONRowDecoder(cols)}, nil
}

// debeziumEnvelope holds the members of an envelope that matter, as JSON
// text (nil when missing).
type debeziumEnvelope struct {
	before, after, op, payload []byte
}

func (d *debeziumDecoder) Decode(rec []byte, out *Changes) error {
	if len(bytes.TrimLeft(rec, " \t\r\n")) == 0 {
		return nil
	}
	env, err := scanDebeziumEnvelope(rec)
	if err != nil {
		return err
	}
	if env.payload != nil && env.before == nil && env.after == nil && env.op == nil {
		if isJSONNull(env.payload) {
			return nil
		}
		if env, err = scanDebeziumEnvelope(env.payload); err != nil {
			return Context(err, `"payload"`)
		}
	}
	del, ins, err := debeziumRows(env)
	if err != nil {
		return err
	}
	if del != nil {
		from := out.Len()
		if err := d.row.row(&jsonScan{rec: del}, out); err != nil {
			return Context(err, `"before"`)
		}
		out.Negate(from)
	}
	if ins != nil {
		if err := d.row.row(&jsonScan{rec: ins}, out); err != nil {
			return Context(err, `"after"`)
		}
	}
	return nil
}

// scanDebeziumEnvelope reads the members of the object rec, valid or not.
func scanDebeziumEnvelope(rec []byte) (debeziumEnvelope, error) {
	var env debeziumEnvelope
	s := jsonScan{rec: rec}
	s.space()
	if s.i == len(rec) || rec[s.i] != '{' {
		return env, errDebezium("a record must be a JSON object")
	}
	s.i++
	for first := true; ; first = false {
		key, ok, err := s.member(first)
		if err != nil {
			return env, err
		}
		if !ok {
			break
		}
		start := s.i
		if err := s.value(1); err != nil {
			return env, err
		}
		val := rec[start:s.i]
		switch string(key) {
		case "before":
			env.before = val
		case "after":
			env.after = val
		case "op":
			env.op = val
		case "payload":
			env.payload = val
		}
	}
	return env, s.end()
}

// debeziumRows are the rows an envelope deletes and inserts (nil when it
// does not), as JSON objects.
func debeziumRows(env debeziumEnvelope) (del, ins []byte, err error) {
	for _, m := range []struct {
		name string
		val  []byte
	}{{"before", env.before}, {"after", env.after}} {
		if m.val != nil && !isJSONNull(m.val) && m.val[0] != '{' {
			return nil, nil, errDebezium(fmt.Sprintf("%q must be an object or null, not a JSON %s", m.name, jsonKindName(m.val[0])))
		}
	}
	before, after := nonNull(env.before), nonNull(env.after)
	op := nonNull(env.op)
	if op == nil {
		if before == nil && after == nil {
			return nil, nil, errDebezium(`no "op", and "before" and "after" are both missing or null`)
		}
		return before, after, nil
	}
	if op[0] != '"' {
		return nil, nil, errDebezium(fmt.Sprintf(`"op" must be a string, not a JSON %s`, jsonKindName(op[0])))
	}
	switch op := string(op[1 : len(op)-1]); op {
	case "c", "r":
		if after == nil {
			return nil, nil, errDebezium(fmt.Sprintf(`op %q without "after"`, op))
		}
		return nil, after, nil
	case "u":
		if after == nil {
			return nil, nil, errDebezium(`op "u" without "after"`)
		}
		return before, after, nil
	case "d":
		if before == nil {
			return nil, nil, errDebezium(`op "d" without "before"`)
		}
		return before, nil, nil
	default:
		return nil, nil, errDebezium(fmt.Sprintf(`unknown op %q (known: c, r, u, d)`, op))
	}
}

// nonNull is v, a JSON value, or nil when it is null.
func nonNull(v []byte) []byte {
	if isJSONNull(v) {
		return nil
	}
	return v
}

// isJSONNull reports whether v, valid JSON text, is null.
func isJSONNull(v []byte) bool { return len(v) > 0 && v[0] == 'n' }

// errDebezium is the error of a record that is not a Debezium change.
func errDebezium(msg string) error {
	return vector.Errorf(vector.CodeInvalidTextRepresentation, "invalid Debezium change: %s", msg)
}
