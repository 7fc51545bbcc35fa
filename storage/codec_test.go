package storage

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

var allTypes = []vector.Type{vector.Bool, vector.Int2, vector.Int4, vector.Int8, vector.Float4,
	vector.Float8, vector.Numeric, vector.Text, vector.Bytea, vector.Date, vector.Time,
	vector.Timestamp, vector.TimestampTZ, vector.Interval, vector.JSONB}

// allTypesColumns builds n rows of every type; row i is NULL when i%3 == 1.
func allTypesColumns(n int) []arrow.Array {
	var cols []arrow.Array
	for _, ty := range allTypes {
		b := array.NewBuilder(vector.Mem, ty.ArrowType())
		for i := range n {
			if i%3 == 1 {
				b.AppendNull()
				continue
			}
			switch b := b.(type) {
			case *array.BooleanBuilder:
				b.Append(i%2 == 0)
			case *array.Int16Builder:
				b.Append(int16(i))
			case *array.Int32Builder:
				b.Append(int32(-i))
			case *array.Int64Builder:
				b.Append(int64(i) << 40)
			case *array.Float32Builder:
				b.Append(float32(i) / 2)
			case *array.Float64Builder:
				b.Append(float64(i) / 4)
			case *array.StringBuilder:
				b.Append(string(rune('a' + i%26)))
			case *array.BinaryBuilder:
				b.Append([]byte{byte(i), 0})
			case *array.Date32Builder:
				b.Append(arrow.Date32(i))
			case *array.Time64Builder:
				b.Append(arrow.Time64(i * 1000))
			case *array.TimestampBuilder:
				b.Append(arrow.Timestamp(i))
			case *array.MonthDayNanoIntervalBuilder:
				b.Append(arrow.MonthDayNanoInterval{Months: int32(i), Days: 1, Nanoseconds: 1000})
			}
		}
		cols = append(cols, b.NewArray())
	}
	return cols
}

func arrowTypes(types []vector.Type) []arrow.DataType {
	var dts []arrow.DataType
	for _, t := range types {
		dts = append(dts, t.ArrowType())
	}
	return dts
}

func sliceAll(cols []arrow.Array, lo, hi int) []arrow.Array {
	out := make([]arrow.Array, len(cols))
	for c, a := range cols {
		out[c] = array.NewSlice(a, int64(lo), int64(hi))
	}
	return out
}

func TestPartRoundTrip(t *testing.T) {
	cols := allTypesColumns(40)
	cases := []struct {
		name string
		cols []arrow.Array
		del  []RowID
	}{
		{"whole", cols, nil},
		{"unaligned slice", sliceAll(cols, 5, 27), nil},
		{"deletion", sliceAll(cols, 3, 6), []RowID{7, 9, 1 << 40}},
		{"empty", sliceAll(cols, 0, 0), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := c.cols[0].Len()
			p, err := decodePart(arrowTypes(allTypes), encodePart(nil, c.cols, n, c.del))
			if err != nil {
				t.Fatal(err)
			}
			if p.n != n || (p.delIDs != nil) != (c.del != nil) {
				t.Fatalf("decoded %d rows, deletion %v", p.n, p.delIDs != nil)
			}
			for i, id := range c.del {
				if p.delIDs[i] != id {
					t.Fatalf("RowIDs %v, want %v", p.delIDs, c.del)
				}
			}
			for i := range c.cols {
				if !array.Equal(p.cols[i], c.cols[i]) {
					t.Fatalf("column %s: got %v want %v", allTypes[i], p.cols[i], c.cols[i])
				}
			}
		})
	}
}

// Every truncation of a valid part, and garbage, must fail cleanly.
func TestPartCorrupt(t *testing.T) {
	enc := encodePart(nil, allTypesColumns(10), 10, nil)
	for n := range len(enc) {
		if _, err := decodePart(arrowTypes(allTypes), enc[:n]); err == nil {
			t.Fatalf("truncation to %d bytes decoded", n)
		}
	}
	if _, err := decodePart(arrowTypes(allTypes), append(enc, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
	if _, err := decodePart(arrowTypes(allTypes[:3]), enc); err == nil {
		t.Fatal("wrong column count accepted")
	}
}

func TestTakeColumns(t *testing.T) {
	cols := sliceAll(allTypesColumns(30), 3, 30) // offset 3: unaligned bits
	idx := []int32{0, 1, 4, 5, 26}
	got := vector.TakeColumns(cols, idx)
	for c := range cols {
		for j, i := range idx {
			want := array.NewSlice(cols[c], int64(i), int64(i)+1)
			have := array.NewSlice(got[c], int64(j), int64(j)+1)
			if !array.Equal(want, have) {
				t.Fatalf("%s row %d: got %v want %v", allTypes[c], i, have, want)
			}
		}
	}
}

// Keys equal under Postgres' equality encode equally; others do not.
func TestKeyCanonical(t *testing.T) {
	cases := []struct {
		ty    vector.Type
		a, b  any
		equal bool
	}{
		{vector.Numeric, "1.50", "1.5", true},
		{vector.Numeric, "2.000", "2", true},
		{vector.Numeric, "-0.00", "0", true},
		{vector.Numeric, "10", "1", false},
		{vector.Numeric, "100", "1.00", false},
		{vector.Float8, 0.0, negZero(), true},
		{vector.Text, "a", "a ", false},
		{vector.Interval, arrow.MonthDayNanoInterval{Months: 1}, arrow.MonthDayNanoInterval{Days: 30}, true},
		{vector.Interval, arrow.MonthDayNanoInterval{Days: 1}, arrow.MonthDayNanoInterval{Nanoseconds: 86400e9}, true},
		{vector.Interval, arrow.MonthDayNanoInterval{Days: 1}, arrow.MonthDayNanoInterval{Days: 2, Nanoseconds: -86400e9}, true},
		{vector.Interval, arrow.MonthDayNanoInterval{Days: 1}, arrow.MonthDayNanoInterval{Nanoseconds: 1000}, false},
	}
	for _, c := range cases {
		b := array.NewBuilder(vector.Mem, c.ty.ArrowType())
		for _, v := range []any{c.a, c.b} {
			switch b := b.(type) {
			case *array.StringBuilder:
				b.Append(v.(string))
			case *array.Float64Builder:
				b.Append(v.(float64))
			case *array.MonthDayNanoIntervalBuilder:
				b.Append(v.(arrow.MonthDayNanoInterval))
			}
		}
		cols := []arrow.Array{b.NewArray()}
		e := newKeyEncoder([]vector.Type{c.ty}, []int{0})
		ka, kb := e.appendKey(nil, cols, 0), e.appendKey(nil, cols, 1)
		if (string(ka) == string(kb)) != c.equal {
			t.Errorf("%s: %v = %v is %v, want %v", c.ty, c.a, c.b, !c.equal, c.equal)
		}
	}
}

func negZero() float64 { z := 0.0; return -z }
