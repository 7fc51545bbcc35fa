package datagen

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/vector"
)

// emitFunc is an Output calling itself on each chunk.
type emitFunc func(source.Chunk) error

func (f emitFunc) Emit(c source.Chunk) error { return f(c) }
func (emitFunc) Status(string)               {}

// collected are the rows a read emitted, and the size of each batch.
type collected struct {
	rows    [][]vector.Datum // nil for NULL
	batches []int
}

// collect reads src from position skip of its split 0: to its end, or,
// when limit > 0, until it has emitted limit rows or more, after which it
// cancels the read. It checks that every chunk is of split 0 and has rows,
// and that its position is the number of rows generated so far.
func collect(t *testing.T, src source.Source, cols []format.Column, skip, limit int64) collected {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out collected
	err := src.Read(ctx, source.Position{0: skip}, emitFunc(func(c source.Chunk) error {
		b := c.Rows
		if c.Split != 0 || b == nil {
			t.Fatalf("chunk of split %d with rows %v, want split 0 and rows", c.Split, b)
		}
		if want := skip + int64(len(out.rows)+b.Len); c.Next != want {
			t.Fatalf("chunk ends at position %d, want %d", c.Next, want)
		}
		if len(b.Cols) != len(cols) {
			t.Fatalf("batch of %d columns, want %d", len(b.Cols), len(cols))
		}
		for _, c := range b.Cols {
			if c.Len() != b.Len {
				t.Fatalf("column of %d rows in a batch of %d", c.Len(), b.Len)
			}
		}
		out.batches = append(out.batches, b.Len)
		for i := range b.Len {
			row := make([]vector.Datum, len(cols))
			for c, col := range b.Cols {
				if !col.IsNull(i) {
					row[c] = vector.ValueAt(col, cols[c].Type, i)
				}
			}
			out.rows = append(out.rows, row)
		}
		if limit > 0 && int64(len(out.rows)) >= limit {
			cancel()
		}
		return nil
	}))
	if err != nil && !(limit > 0 && errors.Is(err, context.Canceled)) {
		t.Fatalf("Read: %v", err)
	}
	return out
}

// text renders rows as "v1|v2|…", NULL as "NULL".
func text(rows [][]vector.Datum, cols []format.Column) []string {
	out := make([]string, len(rows))
	for r, row := range rows {
		vals := make([]string, len(row))
		for c, d := range row {
			vals[c] = "NULL"
			if d != nil {
				vals[c] = vector.FormatDatum(d, cols[c].Type, time.UTC)
			}
		}
		out[r] = strings.Join(vals, "|")
	}
	return out
}

// checkError fails unless err has SQLSTATE code and a message containing msg.
func checkError(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s containing %q", what, code, msg)
		return
	}
	if vector.ErrorCode(err) != code || !strings.Contains(err.Error(), msg) {
		t.Errorf("%s: error %v (%s), want %s containing %q", what, err, vector.ErrorCode(err), code, msg)
	}
}
