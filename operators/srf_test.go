package operators

import (
	"context"
	"fmt"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestProjectSet: each input row yields as many rows as its longest call
// (shorter ones padded with NULL, a NULL array yielding nothing), numbered
// by the ordinality column and weighted as the input row; a row for which
// no call yields anything is dropped.
func TestProjectSet(t *testing.T) {
	intArr := vector.ArrayOfKind(vector.KindInt4)
	in := batch(col(vector.Int4, int32(1), int32(0), int32(3), int32(4)),
		col(intArr, vector.ArrayValue("{10,20}"), vector.ArrayValue("{}"), nil, vector.ArrayValue("{30,NULL,40}")))
	in.Weights = []int64{1, 1, 1, -2}
	one := vector.NewConst(int32(1), vector.Int4)
	calls := []*SetCall{
		NewUnnest(vector.NewColumnRef(1, intArr, "a")),
		NewSeriesCall([]vector.Expr{one, vector.NewColumnRef(0, vector.Int4, "n"), one}, vector.Int4),
	}
	op := NewProjectSet(valuesOf([]vector.Type{vector.Int4, intArr}, in), calls, true, &vector.EvalContext{})
	want := []string{
		"1|{10,20}|10|1|1 ×1", "1|{10,20}|20|NULL|2 ×1",
		"3|NULL|NULL|1|1 ×1", "3|NULL|NULL|2|2 ×1", "3|NULL|NULL|3|3 ×1",
		"4|{30,NULL,40}|30|1|1 ×-2", "4|{30,NULL,40}|NULL|2|2 ×-2", "4|{30,NULL,40}|40|3|3 ×-2", "4|{30,NULL,40}|NULL|4|4 ×-2",
	}
	s := Open(context.Background(), op)
	defer s.Close()
	var got []string
	for {
		b, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		for i := 0; i < b.Len; i++ {
			row := ""
			for c, arr := range b.Cols {
				if c > 0 {
					row += "|"
				}
				row += render(vector.ValueAt(arr, op.Types()[c], i))
			}
			got = append(got, fmt.Sprintf("%s ×%d", row, b.Weight(i)))
		}
	}
	checkRows(t, "ProjectSet", got, want)
}

// TestExpandArrayCall: _pg_expandarray yields the record (element,
// position) of each element.
func TestExpandArrayCall(t *testing.T) {
	k := vector.NewConst(vector.ArrayValue("5 7"), vector.Int2Vector)
	op := NewProjectSet(valuesOf(nil, &vector.Batch{Len: 1}), []*SetCall{NewExpandArray(k)}, false, &vector.EvalContext{})
	checkRows(t, "_pg_expandarray", run(t, op), []string{"(5,1)", "(7,2)"})
}

// TestProjectSetLong: a call longer than a batch streams in batches of at
// most BatchSize rows, numbered on across them, a shorter call beside it
// padded with NULLs.
func TestProjectSetLong(t *testing.T) {
	n := BatchSize + 10
	calls := []*SetCall{
		NewSeriesCall([]vector.Expr{vector.NewConst(int32(1), vector.Int4), vector.NewConst(int32(n), vector.Int4), vector.NewConst(int32(1), vector.Int4)}, vector.Int4),
		NewUnnest(vector.NewConst(vector.ArrayValue("{a,b}"), vector.ArrayOfKind(vector.KindText))),
	}
	op := NewProjectSet(valuesOf(nil, &vector.Batch{Len: 1}), calls, true, &vector.EvalContext{})
	s := Open(context.Background(), op)
	defer s.Close()
	rows := 0
	for {
		b, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		if b.Len > BatchSize {
			t.Errorf("a batch of %d rows", b.Len)
		}
		for i := 0; i < b.Len; i++ {
			rows++
			series, ord := vector.ValueAt(b.Cols[0], vector.Int4, i), vector.ValueAt(b.Cols[2], vector.Int8, i)
			elem := vector.ValueAt(b.Cols[1], vector.Text, i)
			if series != int32(rows) || ord != int64(rows) || (rows <= 2) != (elem != nil) {
				t.Fatalf("row %d: %v %v %v", rows, series, elem, ord)
			}
		}
	}
	if rows != n {
		t.Errorf("%d rows, want %d", rows, n)
	}
}
