package vector

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// batchCodecTypes and batchCodecRows are a batch of every physical layout,
// a row of NULLs among them.
var batchCodecTypes = []Type{Int4, Int8, Text, Float8, Numeric, Bool, Bytea, Interval, JSONB, Timestamp, TimestampTZ, Date}

func batchCodecRows(t testing.TB) [][]Datum {
	return [][]Datum{
		{int32(7), int64(-3), "héllo", 1.5, mustNumeric(t, "12.340"), true, []byte{0, 1}, IntervalValue{1, 2, 3},
			JSONValue(`{"a": 1}`), TimestampValue(1_700_000_000_000_000), TimestampTZValue(-5), DateValue(19000)},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
		{int32(0), int64(1 << 40), "", -0.25, mustNumeric(t, "-1"), false, []byte{}, IntervalValue{}, JSONValue(`[]`),
			TimestampValue(0), TimestampTZValue(1), DateValue(-1)},
	}
}

func batchCodecColumns(t testing.TB, rows [][]Datum) []arrow.Array {
	cols := make([]arrow.Array, len(batchCodecTypes))
	for c, typ := range batchCodecTypes {
		var vals []Datum
		for _, r := range rows {
			vals = append(vals, r[c])
		}
		cols[c] = ArrayOf(typ, vals...)
	}
	return cols
}

// TestBatchCodecRoundTrip encodes batches of every layout, with and
// without weights, whole and sliced, after a prefix that shifts the
// alignment, and checks each decodes to the same rows and weights.
func TestBatchCodecRoundTrip(t *testing.T) {
	rows := batchCodecRows(t)
	cols := batchCodecColumns(t, rows)
	sliced := make([]arrow.Array, len(cols))
	for i, c := range cols {
		sliced[i] = array.NewSlice(c, 1, 3)
	}
	cases := []struct {
		name string
		b    *Batch
		rows [][]Datum
	}{
		{"whole", &Batch{Cols: cols, Len: 3}, rows},
		{"weighted", &Batch{Cols: cols, Len: 3, Weights: []int64{2, -1, 5}}, rows},
		{"sliced", &Batch{Cols: sliced, Len: 2, Weights: []int64{-3, 1}}, rows[1:]},
	}
	for _, c := range cases {
		enc := AppendBatch(Pad8([]byte("abc")), c.b)
		got, err := DecodeBatch(enc[8:], batchCodecTypes)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.Len != len(c.rows) || len(got.Weights) != len(c.b.Weights) {
			t.Fatalf("%s: decoded %d rows, %d weights; want %d, %d", c.name, got.Len, len(got.Weights), len(c.rows), len(c.b.Weights))
		}
		for i, w := range c.b.Weights {
			if got.Weights[i] != w {
				t.Errorf("%s: weight %d: %d, want %d", c.name, i, got.Weights[i], w)
			}
		}
		for i, want := range c.rows {
			for k, typ := range batchCodecTypes {
				d := ValueAt(got.Cols[k], typ, i)
				if (d == nil) != (want[k] == nil) || (want[k] != nil && CompareDatum(typ, d, want[k]) != 0) {
					t.Errorf("%s: row %d col %d: got %v, want %v", c.name, i, k, d, want[k])
				}
			}
		}
	}
}

// TestBatchCodecCorrupt checks that truncated, extended and mistyped
// encodings are errors.
func TestBatchCodecCorrupt(t *testing.T) {
	rows := batchCodecRows(t)
	enc := AppendBatch(nil, &Batch{Cols: batchCodecColumns(t, rows), Len: 3, Weights: []int64{1, 2, 3}})
	for n := range len(enc) {
		if _, err := DecodeBatch(enc[:n], batchCodecTypes); err == nil {
			t.Errorf("%d of %d bytes decoded without error", n, len(enc))
		}
	}
	if _, err := DecodeBatch(append(enc, 0), batchCodecTypes); err == nil {
		t.Error("trailing bytes decoded without error")
	}
	if _, err := DecodeBatch(enc, batchCodecTypes[1:]); err == nil {
		t.Error("a batch decoded with a column missing")
	}
}

// FuzzDecodeBatch feeds DecodeBatch arbitrary bytes: it returns an error
// or a batch whose every value can be read, and never panics.
func FuzzDecodeBatch(f *testing.F) {
	rows := batchCodecRows(f)
	f.Add(AppendBatch(nil, &Batch{Cols: batchCodecColumns(f, rows), Len: 3, Weights: []int64{1, -2, 3}}))
	f.Add(AppendBatch(nil, &Batch{Cols: batchCodecColumns(f, rows), Len: 3}))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBatch(data, batchCodecTypes)
		if err != nil {
			return
		}
		for k, typ := range batchCodecTypes {
			for i := range b.Len {
				ValueAt(b.Cols[k], typ, i)
			}
		}
	})
}
