package server

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/vector"
)

func TestExpandFormats(t *testing.T) {
	tests := []struct {
		codes []int16
		n     int
		want  []int16
		err   string
	}{
		{nil, 2, []int16{0, 0}, ""},
		{[]int16{1}, 3, []int16{1, 1, 1}, ""},
		{[]int16{1, 0}, 2, []int16{1, 0}, ""},
		{[]int16{2}, 1, nil, "unsupported format code: 2"},
	}
	for _, tt := range tests {
		got, err := expandFormats(tt.codes, tt.n)
		if tt.err != "" {
			if pe, ok := err.(*vector.Error); !ok || pe.Code != vector.CodeInvalidParameterValue || pe.Message != tt.err {
				t.Errorf("%v: error %v, want 22023 %s", tt.codes, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%v over %d: %v, %v; want %v", tt.codes, tt.n, got, err, tt.want)
		}
	}
}

// testBatch is two int8 and text columns: (1, "ab"), (NULL, "").
func testBatch() (*vector.Batch, []runnel.Column) {
	ib := array.NewInt64Builder(vector.Mem)
	ib.Append(1)
	ib.AppendNull()
	sb := array.NewStringBuilder(vector.Mem)
	sb.Append("ab")
	sb.Append("")
	cols := []runnel.Column{{Name: "i", Type: vector.Int8}, {Name: "s", Type: vector.Text}}
	return vector.NewBatch([]arrow.Array{ib.NewArray(), sb.NewArray()}, 2), cols
}

// TestAppendRows decodes the encoded DataRows with pgproto3 and checks the
// values: NULL stays NULL, an empty string is an empty value.
func TestAppendRows(t *testing.T) {
	b, cols := testBatch()
	var e rowEncoder
	e.appendRows(b, 0, 2, cols, []int16{formatBinary, formatText})
	var rows [][][]byte
	for buf := e.buf; len(buf) > 0; {
		if buf[0] != 'D' {
			t.Fatalf("message type %q, want D", buf[0])
		}
		n := int(uint32(buf[1])<<24|uint32(buf[2])<<16|uint32(buf[3])<<8|uint32(buf[4])) + 1
		var dr pgproto3.DataRow
		if err := dr.Decode(buf[5:n]); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, slices.Clone(dr.Values))
		buf = buf[n:]
	}
	want := [][][]byte{{{0, 0, 0, 0, 0, 0, 0, 1}, []byte("ab")}, {nil, {}}}
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2", len(rows))
	}
	for i := range want {
		for j := range want[i] {
			if (rows[i][j] == nil) != (want[i][j] == nil) || string(rows[i][j]) != string(want[i][j]) {
				t.Errorf("row %d col %d: %q, want %q", i, j, rows[i][j], want[i][j])
			}
		}
	}
}

func TestRowDescription(t *testing.T) {
	cols := []runnel.Column{{Name: "v", Type: vector.Type{Kind: vector.KindVarchar, Width: 10}, TableOID: 16384, Attr: 2}}
	got := rowDescription(cols, []int16{formatBinary}).Fields[0]
	want := pgproto3.FieldDescription{Name: []byte("v"), TableOID: 16384, TableAttributeNumber: 2,
		DataTypeOID: 1043, DataTypeSize: -1, TypeModifier: 14, Format: 1}
	if string(got.Name) != "v" || got.TableOID != want.TableOID || got.TableAttributeNumber != want.TableAttributeNumber ||
		got.DataTypeOID != want.DataTypeOID || got.DataTypeSize != want.DataTypeSize ||
		got.TypeModifier != want.TypeModifier || got.Format != want.Format {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func BenchmarkAppendRows(b *testing.B) {
	ib := array.NewInt64Builder(vector.Mem)
	sb := array.NewStringBuilder(vector.Mem)
	for i := range 4096 {
		ib.Append(int64(i) * 7919)
		sb.Append("some text value")
	}
	batch := vector.NewBatch([]arrow.Array{ib.NewArray(), sb.NewArray()}, 4096)
	cols := []runnel.Column{{Name: "i", Type: vector.Int8}, {Name: "s", Type: vector.Text}}
	var e rowEncoder
	b.ReportAllocs()
	for b.Loop() {
		e.buf = e.buf[:0]
		e.appendRows(batch, 0, batch.Len, cols, nil)
	}
}
