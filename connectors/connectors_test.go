package connectors

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runneldb/runnel/connectors/source"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

var testCols = []Column{{Name: "a", Type: vector.Int4}}

// TestOpenOptions: WITH options are checked before anything is opened;
// every error is 22023 (58P01 for a missing input) and names the problem.
func TestOpenOptions(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	tests := []struct {
		source bool
		opts   map[string]string
		code   string // "" when the connector opens
		msg    string
	}{
		{false, map[string]string{}, vector.CodeInvalidParameterValue, `missing required option "connector"`},
		{false, map[string]string{"connector": "nexmark"}, vector.CodeInvalidParameterValue,
			`sink connector "nexmark" does not exist (sink connectors: blackhole, file, kafka)`},
		{false, map[string]string{"connector": "kafka", "type": "sink"}, vector.CodeInvalidParameterValue,
			`connector "kafka" requires option "topic"`},
		{true, map[string]string{"connector": "kafka", "topic": "t", "bootstrap.servers": "127.0.0.1:1", "sasl.colour": "red"}, vector.CodeInvalidParameterValue,
			`sasl.colour`},
		{true, map[string]string{"connector": "blackhole"}, vector.CodeInvalidParameterValue,
			`source connector "blackhole" does not exist (source connectors: file, datagen, impulse, nexmark, kafka)`},
		{true, map[string]string{"connector": "nexmark"}, vector.CodeInvalidParameterValue,
			`connector "nexmark" requires option "table"`},
		{false, map[string]string{"connector": "file", "format": "json"}, vector.CodeInvalidParameterValue,
			`connector "file" requires option "path"`},
		{false, map[string]string{"connector": "file", "path": "", "format": "json"}, vector.CodeInvalidParameterValue,
			`connector "file" requires option "path"`},
		{true, map[string]string{"connector": "file", "path": in}, vector.CodeInvalidParameterValue,
			`connector "file" requires option "format"`},
		{false, map[string]string{"connector": "file", "path": out, "format": "json", "compression": "gzip"},
			vector.CodeInvalidParameterValue, `unrecognized option "compression" for connector "file"`},
		{false, map[string]string{"connector": "blackhole", "format": "json"}, vector.CodeInvalidParameterValue,
			`unrecognized option "format" for connector "blackhole"`},
		{false, map[string]string{"connector": "file", "path": out, "format": "xml"}, vector.CodeInvalidParameterValue,
			`format "xml" does not exist`},
		{true, map[string]string{"connector": "file", "path": in, "format": "raw_string"}, vector.CodeInvalidParameterValue,
			`format "raw_string" needs exactly one column`},
		{true, map[string]string{"connector": "file", "path": filepath.Join(dir, "nope.csv"), "format": "csv"}, "58P01",
			`could not open file`},
		{false, map[string]string{"connector": "file", "path": out, "format": "debezium_json", "type": "sink"}, "", ""},
		{false, map[string]string{"connector": "blackhole", "type": "sink"}, "", ""},
		{true, map[string]string{"connector": "file", "path": in, "format": "csv", "type": "source",
			"event_time_field": "a", "watermark_field": "a", "idle_timeout": "5s"}, "", ""},
	}
	for _, tt := range tests {
		var err error
		if tt.source {
			_, err = OpenSource(tt.opts, testCols)
		} else {
			_, err = OpenSink(tt.opts, testCols, "t")
		}
		if tt.code == "" {
			if err != nil {
				t.Errorf("%v: %v", tt.opts, err)
			}
			continue
		}
		if vector.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%v: error %v (%s), want %s containing %q", tt.opts, err, vector.ErrorCode(err), tt.code, tt.msg)
		}
	}
}

// TestOpenedConnectors: the connectors opened by options work end to end.
func TestOpenedConnectors(t *testing.T) {
	dir := t.TempDir()
	sink, err := OpenSink(map[string]string{"connector": "file", "path": dir, "format": "csv"}, testCols, "t")
	if err != nil {
		t.Fatal(err)
	}
	if sink.Retractions() {
		t.Errorf("a csv sink claims retractions")
	}
	b := vector.NewBatch([]arrow.Array{vector.ArrayOf(vector.Int4, int32(7), nil)}, 2)
	if err := sink.Commit(1, []*vector.Batch{b}); err != nil {
		t.Fatal(err)
	}
	src, err := OpenSource(map[string]string{"connector": "file", "path": dir, "format": "csv"}, testCols)
	if err != nil {
		t.Fatal(err)
	}
	var got []any
	err = src.Read(t.Context(), nil, rowsOutput(func(b *vector.Batch) {
		for i := range b.Len {
			got = append(got, vector.ValueAt(b.Cols[0], vector.Int4, i))
		}
	}))
	if err != nil || len(got) != 2 || got[0] != int32(7) || got[1] != nil {
		t.Errorf("read back %v, %v; want [7 <nil>]", got, err)
	}
}

// TestBlackhole: rows are counted by weight and summed up, an epoch
// committed again is not counted twice.
func TestBlackhole(t *testing.T) {
	s, err := OpenSink(map[string]string{"connector": "blackhole"}, testCols, "t")
	if err != nil {
		t.Fatal(err)
	}
	bh := s.(*Blackhole)
	if !bh.Retractions() {
		t.Errorf("a blackhole takes retractions")
	}
	col := vector.ArrayOf(vector.Int4, int32(1), int32(2), int32(3))
	plain := vector.NewBatch([]arrow.Array{col}, 3)
	weighted := &vector.Batch{Cols: []arrow.Array{col}, Len: 3, Weights: []int64{2, -3, 1}}
	steps := []struct {
		epoch uint64
		b     *vector.Batch
		want  int64
	}{
		{1, plain, 3},
		{2, weighted, 3 + 6},
		{2, plain, 9}, // again: ignored
		{1, plain, 9},
		{5, plain, 12},
	}
	for _, st := range steps {
		if err := bh.Commit(st.epoch, []*vector.Batch{st.b}); err != nil {
			t.Fatal(err)
		}
		if got := bh.Rows(); got != st.want {
			t.Errorf("after epoch %d: %d rows, want %d", st.epoch, got, st.want)
		}
	}
	// Epochs 1, 2 and 5: 1, 2, 3 once each three times, and 2·1, -3·2, 1·3.
	var want vector.Checksum
	want.Add(&vector.Batch{Cols: []arrow.Array{col}, Len: 3, Weights: []int64{4, -1, 3}}, []vector.Type{vector.Int4})
	if got := bh.Checksum(); !got.Equal(want) {
		t.Errorf("checksum %v, want %v", got, want)
	}
	if err := bh.Close(); err != nil {
		t.Fatal(err)
	}
}

// rowsOutput is a source output passing the rows of each chunk to f.
type rowsOutput func(*vector.Batch)

func (o rowsOutput) Emit(c source.Chunk) error {
	if c.Rows != nil {
		o(c.Rows)
	}
	return nil
}

func (rowsOutput) Status(string) {}
