package format

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// batchOf builds a batch of cols whose rows hold the Postgres text of each
// value (nil is NULL), read by vector.ParseText.
func batchOf(t testing.TB, cols []Column, rows ...[]any) *vector.Batch {
	t.Helper()
	arrs := make([]arrow.Array, len(cols))
	for c, col := range cols {
		b := vector.NewBuilder(col.Type, len(rows))
		for _, row := range rows {
			if row[c] == nil {
				b.AppendNull()
				continue
			}
			d, err := vector.ParseText(row[c].(string), col.Type, nil)
			if err != nil {
				t.Fatalf("test value %q of %s: %v", row[c], col.Type, err)
			}
			b.Append(d)
		}
		arrs[c] = b.Finish()
	}
	return vector.NewBatch(arrs, len(rows))
}

// rowsText is every row of b as the quoted text form of each value, NULL
// for NULL: two rows hold the same values when their texts are equal.
func rowsText(b *vector.Batch, cols []Column) []string {
	out := make([]string, b.Len)
	for i := range b.Len {
		vals := make([]string, len(cols))
		for c, col := range cols {
			if d := vector.ValueAt(b.Cols[c], col.Type, i); d != nil {
				vals[c] = strconv.Quote(vector.FormatDatum(d, col.Type, nil))
			} else {
				vals[c] = "NULL"
			}
		}
		out[i] = strings.Join(vals, " ")
	}
	return out
}

// decodeRecords decodes recs, one record each, into a batch of cols (with
// no rows when they hold no change).
func decodeRecords(f *Format, cols []Column, recs ...[]byte) (*vector.Batch, error) {
	dec, err := f.NewDecoder(cols)
	if err != nil {
		return nil, err
	}
	out := NewChanges(cols)
	for _, rec := range recs {
		if err := dec.Decode(rec, out); err != nil {
			return nil, err
		}
	}
	if b := out.Finish(); b != nil {
		return b, nil
	}
	empty := make([]arrow.Array, len(cols))
	for c, col := range cols {
		empty[c] = vector.NewBuilder(col.Type, 0).Finish()
	}
	return vector.NewBatch(empty, 0), nil
}

// newEncoder is f's encoder of cols, which must have one.
func newEncoder(t testing.TB, f *Format, cols []Column) Encoder {
	t.Helper()
	enc, err := f.NewEncoder(cols)
	if err != nil {
		t.Fatalf("%s encoder: %v", f.Name, err)
	}
	return enc
}

// readStream splits stream into the records of f.
func readStream(t testing.TB, f *Format, stream []byte) [][]byte {
	t.Helper()
	r := f.NewRecordReader(strings.NewReader(string(stream)))
	var recs [][]byte
	for {
		rec, _, err := r.Next()
		if errors.Is(err, io.EOF) {
			return recs
		}
		if err != nil {
			t.Fatalf("reading %q: %v", stream, err)
		}
		recs = append(recs, []byte(string(rec)))
	}
}

// cols is the columns named and typed by nameTypes: a name, its type, and
// so on.
func cols(nameTypes ...any) []Column {
	out := make([]Column, len(nameTypes)/2)
	for i := range out {
		out[i] = Column{Name: nameTypes[2*i].(string), Type: nameTypes[2*i+1].(vector.Type)}
	}
	return out
}
