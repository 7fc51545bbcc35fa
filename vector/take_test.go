package vector

import "testing"

// TestTake gathers rows of every type, with NULLs kept and a negative index
// giving NULL, and checks each value against ValueAt of the source row.
func TestTake(t *testing.T) {
	idx := []int32{2, -1, 0, 2, 1}
	for _, typ := range []Type{Bool, Int2, Int4, Int8, Float4, Float8, Numeric, Text, Bytea, Date, Time, Timestamp, TimestampTZ, Interval, JSONB} {
		src := NewBuilder(typ, 3)
		vals := map[Kind][]Datum{
			KindBool: {true, false}, KindInt2: {int16(1), int16(-2)}, KindInt4: {int32(7), int32(8)},
			KindInt8: {int64(9), int64(10)}, KindFloat4: {float32(1.5), float32(2)}, KindFloat8: {0.25, 8.0},
			KindText: {"ab", ""}, KindBytea: {[]byte{1}, []byte{}}, KindDate: {DateValue(3), DateValue(-4)},
			KindTime: {TimeValue(5), TimeValue(6)}, KindTimestamp: {TimestampValue(7), TimestampValue(8)},
			KindTimestampTZ: {TimestampTZValue(9), TimestampTZValue(10)},
			KindInterval:    {IntervalValue{Months: 1, Days: 2, Micros: 3}, IntervalValue{Micros: -1}},
			KindJSONB:       {JSONValue(`{"a": 1}`), JSONValue(`[]`)},
		}[typ.Kind]
		if typ.Kind == KindNumeric {
			a, _ := ParseNumeric("1.50")
			b, _ := ParseNumeric("-2")
			vals = []Datum{a, b}
		}
		src.Append(vals[0])
		src.AppendNull()
		src.Append(vals[1])
		arr := src.Finish()
		got := Take(arr, idx)
		if got.Len() != len(idx) {
			t.Fatalf("%s: %d rows, want %d", typ, got.Len(), len(idx))
		}
		for k, i := range idx {
			var want Datum
			if i >= 0 {
				want = ValueAt(arr, typ, int(i))
			}
			g := ValueAt(got, typ, k)
			if (g == nil) != (want == nil) || g != nil && CompareDatum(typ, g, want) != 0 {
				t.Errorf("%s row %d: got %v, want %v", typ, k, g, want)
			}
		}
	}
}
