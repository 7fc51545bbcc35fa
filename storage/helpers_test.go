package storage

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// The test table: (id int8 PRIMARY KEY, v int8, s text).
var testTypes = []vector.Type{vector.Int8, vector.Int8, vector.Text}

type row struct {
	id, v int64
	s     string
}

func openStore(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func makeBatch(rows ...row) *vector.Batch {
	ib := array.NewInt64Builder(vector.Mem)
	vb := array.NewInt64Builder(vector.Mem)
	sb := array.NewStringBuilder(vector.Mem)
	for _, r := range rows {
		ib.Append(r.id)
		vb.Append(r.v)
		sb.Append(r.s)
	}
	return vector.NewBatch([]arrow.Array{ib.NewArray(), vb.NewArray(), sb.NewArray()}, len(rows))
}

// rowsOf returns n rows with ids from..from+n-1, v = 10*id, s = "s<id>".
func rowsOf(from, n int) []row {
	var out []row
	for i := from; i < from+n; i++ {
		out = append(out, row{int64(i), int64(10 * i), fmt.Sprintf("s%d", i)})
	}
	return out
}

func batchRows(b *vector.Batch) []row {
	ids, vs, ss := b.Cols[0].(*array.Int64), b.Cols[1].(*array.Int64), b.Cols[2].(*array.String)
	out := make([]row, b.Len)
	for i := range out {
		out[i] = row{ids.Value(i), vs.Value(i), ss.Value(i)}
	}
	return out
}

// scanAll returns the rows x sees in table id, sorted by id, with their RowIDs.
func scanAll(t testing.TB, x *Txn, id uint64) ([]row, map[int64]RowID) {
	t.Helper()
	var out []row
	ids := map[int64]RowID{}
	err := x.Scan(context.Background(), id, true, func(b *vector.Batch, r []RowID) error {
		for i, rw := range batchRows(b) {
			out = append(out, rw)
			ids[rw.id] = r[i]
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, ids
}

func mustCommit(t testing.TB, x *Txn) {
	t.Helper()
	if err := x.Commit(); err != nil {
		t.Fatal(err)
	}
}

func insertRows(t testing.TB, s *Store, id uint64, rows []row) {
	t.Helper()
	x := s.Begin()
	if err := x.Insert(id, makeBatch(rows...)); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, x)
}

func equalRows(a, b []row) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sqlstate(err error) string {
	if e, ok := err.(*vector.Error); ok {
		return e.Code
	}
	return ""
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
