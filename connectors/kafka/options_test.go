package kafka

import (
	"strings"
	"testing"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// base options of a source or sink; the brokers are never contacted.
func baseOpts(extra ...string) map[string]string {
	opts := map[string]string{"topic": "t", "bootstrap.servers": "127.0.0.1:1"}
	for i := 0; i+1 < len(extra); i += 2 {
		opts[extra[i]] = extra[i+1]
	}
	return opts
}

// optionCase is a set of options (over baseOpts; "" as a value removes the
// option) and the SQLSTATE and the words of the error opening must give.
type optionCase struct {
	opts []string
	cols []format.Column
	code string
	says []string
}

// checkOpen checks the error open gives for each case.
func checkOpen(t *testing.T, tests []optionCase, open func(map[string]string, []format.Column) error) {
	for _, tc := range tests {
		t.Run(strings.Join(tc.opts, "="), func(t *testing.T) {
			opts := baseOpts(tc.opts...)
			for k, v := range opts {
				if v == "" {
					delete(opts, k)
				}
			}
			cols := tc.cols
			if cols == nil {
				cols = idNameCols
			}
			err := open(opts, cols)
			if err == nil || vector.ErrorCode(err) != tc.code {
				t.Fatalf("error %v (SQLSTATE %q), want SQLSTATE %s", err, vector.ErrorCode(err), tc.code)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

// TestOpenSourceOptions refuses each bad option of a source, naming it.
func TestOpenSourceOptions(t *testing.T) {
	const bad = vector.CodeInvalidParameterValue
	checkOpen(t, []optionCase{
		{opts: []string{"topic", ""}, code: bad, says: []string{`"topic"`}},
		{opts: []string{"bootstrap.servers", ""}, code: bad, says: []string{`"bootstrap.servers"`}},
		{opts: []string{"format", "xml"}, code: bad, says: []string{`"xml"`}},
		{opts: []string{"format", "raw_string"}, code: bad, says: []string{"raw_string"}},
		{opts: []string{"startup", "now"}, code: bad, says: []string{`"startup"`}},
		{opts: []string{"startup", "group"}, code: bad, says: []string{`"group.id"`}},
		{opts: []string{"startup", "timestamp"}, code: bad, says: []string{`"startup_timestamp"`}},
		{opts: []string{"startup", "timestamp", "startup_timestamp", "soon"}, code: bad, says: []string{`"startup_timestamp"`}},
		{opts: []string{"startup_timestamp", "0"}, code: bad, says: []string{`"startup_timestamp"`}},
		{opts: []string{"on_error", "ignore"}, code: bad, says: []string{`"on_error"`}},
		{opts: []string{"on_error", "dead_letter"}, code: bad, says: []string{`"dead_letter_topic"`}},
		{opts: []string{"dead_letter_topic", "d"}, code: bad, says: []string{`"dead_letter_topic"`}},
		{opts: []string{"on_error", "dead_letter", "dead_letter_topic", "t"}, code: bad, says: []string{`"dead_letter_topic"`}},
		{opts: []string{"upsert", "yes"}, code: bad, says: []string{`"upsert"`}},
		{opts: []string{"upsert", "true", "format", "debezium_json"}, code: bad, says: []string{`"upsert"`}},
		{opts: []string{"fetch.wait.max.ms", "soon"}, code: bad, says: []string{"fetch.wait.max.ms"}},
		{opts: []string{"no.such.property", "1"}, code: bad, says: []string{"no.such.property"}},
		{opts: []string{"properties.acks", "many"}, code: bad, says: []string{"acks"}},
		{opts: []string{"go.events.channel.enable", "true"}, code: bad, says: []string{"go.events.channel.enable"}},
		{opts: []string{"security.protocol", "sasl_plaintext", "sasl.mechanism", "PLAIN"}, code: bad, says: []string{"sasl.username"}},
		{opts: []string{"on_error", "dead_letter", "dead_letter_topic", "d", "transactional.id", "x", "properties.acks", "1"},
			code: bad, says: []string{"acks"}},
		{cols: []format.Column{{Name: "id", Type: vector.Int8}, {Name: "p", Type: vector.Int8, Metadata: "partition"}},
			code: vector.CodeDatatypeMismatch, says: []string{`"p"`, "integer"}},
		{cols: []format.Column{{Name: "id", Type: vector.Int8}, {Name: "k", Type: vector.Int8, Metadata: "key"}},
			code: vector.CodeDatatypeMismatch, says: []string{`"k"`}},
		{cols: []format.Column{{Name: "id", Type: vector.Int8}, {Name: "x", Type: vector.Int8, Metadata: "leader"}},
			code: bad, says: []string{`"x"`, `"leader"`}},
	}, func(opts map[string]string, cols []format.Column) error {
		_, err := OpenSource(opts, cols)
		return err
	})
}

// TestOpenSinkOptions refuses each bad option of a sink, naming it.
func TestOpenSinkOptions(t *testing.T) {
	const bad = vector.CodeInvalidParameterValue
	checkOpen(t, []optionCase{
		{opts: []string{"topic", ""}, code: bad, says: []string{`"topic"`}},
		{opts: []string{"bootstrap.servers", ""}, code: bad, says: []string{`"bootstrap.servers"`}},
		{opts: []string{"format", "xml"}, code: bad, says: []string{`"xml"`}},
		{opts: []string{"delivery", "twice"}, code: bad, says: []string{`"delivery"`}},
		{opts: []string{"key_fields", "id, nope"}, code: bad, says: []string{`"key_fields"`, `"nope"`}},
		{opts: []string{"key_fields", "id,id"}, code: bad, says: []string{`"key_fields"`}},
		{opts: []string{"format", "raw_string"}, cols: []format.Column{{Name: "id", Type: vector.Text}, {Name: "b", Type: vector.Text}},
			code: bad, says: []string{"raw_string"}},
		{opts: []string{"batch.num.messages", "-5"}, code: bad, says: []string{"batch.num.messages"}},
		{opts: []string{"properties.acks", "1", "enable.idempotence", "true"}, code: bad, says: []string{"acks"}},
		{opts: []string{"delivery", "exactly_once", "enable.idempotence", "false"}, code: bad, says: []string{"idempotence"}},
		{cols: []format.Column{{Name: "id", Type: vector.Int8, Metadata: "offset"}}, code: vector.CodeFeatureNotSupported, says: []string{`"id"`}},
	}, func(opts map[string]string, cols []format.Column) error {
		_, err := OpenSink(opts, cols, "s")
		return err
	})
}
