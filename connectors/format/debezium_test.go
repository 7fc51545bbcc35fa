package format

import (
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestDebeziumEncode: an insertion is op c with the row after, a deletion op d
// with the row before.
func TestDebeziumEncode(t *testing.T) {
	cols := cols("id", vector.Int8, "t", vector.Text)
	b := batchOf(t, cols, []any{"1", "x"}, []any{"2", nil})
	enc := newEncoder(t, DebeziumJSON, cols)
	tests := []struct {
		row  int
		del  bool
		want string
	}{
		{0, false, `{"before":null,"after":{"id":1,"t":"x"},"op":"c"}`},
		{1, true, `{"before":{"id":2,"t":null},"after":null,"op":"d"}`},
	}
	for _, tt := range tests {
		if got := string(enc.Append(nil, b, tt.row, tt.del)); got != tt.want {
			t.Errorf("row %d del %v:\ngot  %s\nwant %s", tt.row, tt.del, got, tt.want)
		}
	}
	if !DebeziumJSON.Retractions || JSON.Retractions || CSV.Retractions {
		t.Errorf("only debezium_json carries retractions")
	}
}

// TestDebeziumDecode: each op, the schema/payload wrapper, inferred ops and
// tombstones give the changes Debezium means by them.
func TestDebeziumDecode(t *testing.T) {
	cols := cols("id", vector.Int8, "t", vector.Text)
	const oldRow, newRow = `{"id":1,"t":"old"}`, `{"id":1,"t":"new"}`
	del, ins := `-"1" "old"`, `+"1" "new"`
	tests := []struct {
		name, rec string
		want      []string
	}{
		{"create", `{"before":null,"after":` + newRow + `,"op":"c"}`, []string{ins}},
		{"snapshot read", `{"after":` + newRow + `,"op":"r","source":{"snapshot":"true"}}`, []string{ins}},
		{"update", `{"before":` + oldRow + `,"after":` + newRow + `,"op":"u","ts_ms":1}`, []string{del, ins}},
		{"update without before", `{"before":null,"after":` + newRow + `,"op":"u"}`, []string{ins}},
		{"update, before missing", `{"after":` + newRow + `,"op":"u"}`, []string{ins}},
		{"delete", `{"before":` + oldRow + `,"after":null,"op":"d"}`, []string{del}},
		{"op first, other members", `{"op":"d","transaction":null,"before":` + oldRow + `,"source":{"db":"x","n":[1,{}]}}`, []string{del}},
		{"schema and payload", `{"schema":{"type":"struct","fields":[{"field":"before"}]},"payload":{"before":` + oldRow +
			`,"after":` + newRow + `,"op":"u"}}`, []string{del, ins}},
		{"payload first", `{"payload":{"after":` + newRow + `,"op":"c"},"schema":null}`, []string{ins}},
		{"inferred insert", `{"before":null,"after":` + newRow + `}`, []string{ins}},
		{"inferred delete", `{"before":` + oldRow + `}`, []string{del}},
		{"inferred update", `{"op":null,"before":` + oldRow + `,"after":` + newRow + `}`, []string{del, ins}},
		{"row with missing and extra keys", `{"after":{"x":[1],"id":2},"op":"c"}`, []string{`+"2" NULL`}},
		{"duplicate op: the last wins", `{"op":"d","op":"c","before":` + oldRow + `,"after":` + newRow + `}`, []string{ins}},
		{"tombstone", ``, nil},
		{"blank tombstone", " \r\n", nil},
		{"null payload", `{"schema":null,"payload":null}`, nil},
	}
	for _, tt := range tests {
		b, err := decodeRecords(DebeziumJSON, cols, []byte(tt.rec))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := changesText(b, cols); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %s\ngot  %q\nwant %q", tt.name, tt.rec, got, tt.want)
		}
	}
}

// TestDebeziumDecodeErrors: what is not a Debezium change is an error
// saying what is wrong, with the documented SQLSTATE.
func TestDebeziumDecodeErrors(t *testing.T) {
	cols := cols("id", vector.Int8, "t", vector.Text)
	tests := []struct {
		rec, code, msg string
	}{
		{`not json`, vector.CodeInvalidTextRepresentation, "a record must be a JSON object"},
		{`[1]`, vector.CodeInvalidTextRepresentation, "a record must be a JSON object"},
		{`null`, vector.CodeInvalidTextRepresentation, "a record must be a JSON object"},
		{`{"op":"c","after":{"id":1}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{`{"op":"c","after":{"id":1}} x`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{`{"op":"c","after":{"id":1,}}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{`{"op":"x","after":{"id":1}}`, vector.CodeInvalidTextRepresentation, `unknown op "x"`},
		{`{"op":"t"}`, vector.CodeInvalidTextRepresentation, `unknown op "t"`},
		{`{"op":1,"after":{"id":1}}`, vector.CodeInvalidTextRepresentation, `"op" must be a string, not a JSON number`},
		{`{"op":"c"}`, vector.CodeInvalidTextRepresentation, `op "c" without "after"`},
		{`{"op":"r","after":null,"before":{"id":1}}`, vector.CodeInvalidTextRepresentation, `op "r" without "after"`},
		{`{"op":"u","before":{"id":1}}`, vector.CodeInvalidTextRepresentation, `op "u" without "after"`},
		{`{"op":"d","after":{"id":1}}`, vector.CodeInvalidTextRepresentation, `op "d" without "before"`},
		{`{}`, vector.CodeInvalidTextRepresentation, `no "op", and "before" and "after" are both missing or null`},
		{`{"before":null,"after":null,"source":{}}`, vector.CodeInvalidTextRepresentation, `both missing or null`},
		{`{"before":[1],"op":"d"}`, vector.CodeInvalidTextRepresentation, `"before" must be an object or null, not a JSON array`},
		{`{"after":"x","op":"c"}`, vector.CodeInvalidTextRepresentation, `"after" must be an object or null, not a JSON string`},
		{`{"schema":{},"payload":5}`, vector.CodeInvalidTextRepresentation, `"payload": invalid Debezium change: a record must be a JSON object`},
		{`{"payload":{"op":"z"}}`, vector.CodeInvalidTextRepresentation, `unknown op "z"`},
		{`{"op":"c","after":{"id":"x"}}`, vector.CodeInvalidTextRepresentation, `"after": column "id": invalid input syntax for type bigint`},
		{`{"op":"d","before":{"t":1}}`, vector.CodeInvalidTextRepresentation, `"before": column "t": a JSON number is not a value of type text`},
		{`{"op":"c","after":{"id":99999999999999999999}}`, vector.CodeNumericValueOutOfRange, `"after": column "id"`},
	}
	for _, tt := range tests {
		_, err := decodeRecords(DebeziumJSON, cols, []byte(tt.rec))
		if vector.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: error %v (%s), want %s containing %q", tt.rec, err, vector.ErrorCode(err), tt.code, tt.msg)
		}
	}
}
