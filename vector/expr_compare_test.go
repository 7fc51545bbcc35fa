package vector

import (
	"math"
	"testing"
)

func TestCompareFixed(t *testing.T) {
	// Every operator over the orders <, =, > and NULL.
	for _, tc := range []struct {
		op   string
		want [4]string // 1 op 2, 2 op 2, 3 op 2, NULL op 2
	}{
		{"=", [4]string{"f", "t", "f", "NULL"}},
		{"<>", [4]string{"t", "f", "t", "NULL"}},
		{"!=", [4]string{"t", "f", "t", "NULL"}},
		{"<", [4]string{"t", "f", "f", "NULL"}},
		{"<=", [4]string{"t", "t", "f", "NULL"}},
		{">", [4]string{"f", "f", "t", "NULL"}},
		{">=", [4]string{"f", "t", "t", "NULL"}},
	} {
		checkBinary(t, tc.op, Int8, Int8, []binCase{
			{int64(1), int64(2), tc.want[0]}, {int64(2), int64(2), tc.want[1]},
			{int64(3), int64(2), tc.want[2]}, {nil, int64(2), tc.want[3]},
		})
		checkBinary(t, tc.op, Text, Text, []binCase{
			{"a", "b", tc.want[0]}, {"b", "b", tc.want[1]}, {"ba", "b", tc.want[2]}, {nil, "b", tc.want[3]},
		})
		checkBinary(t, tc.op, Int4, Numeric, []binCase{
			{int32(1), dec("2.0"), tc.want[0]}, {int32(2), dec("2.00"), tc.want[1]},
			{int32(3), dec("2"), tc.want[2]}, {nil, dec("2"), tc.want[3]},
		})
	}
}

func TestCompareSpecialValues(t *testing.T) {
	nan := math.NaN()
	// Postgres: NaN = NaN, NaN > Infinity, -0 = 0.
	checkBinary(t, "=", Float8, Float8, []binCase{{nan, nan, "t"}, {nan, 1.0, "f"}, {math.Copysign(0, -1), 0.0, "t"}})
	checkBinary(t, ">", Float8, Float8, []binCase{{nan, math.Inf(1), "t"}, {math.Inf(1), nan, "f"}})
	checkBinary(t, "<=", Float4, Float4, []binCase{{float32(nan), float32(nan), "t"}, {float32(1), float32(nan), "t"}})
	// C collation: bytewise, so 'B' < 'a' and 'é' > 'z'.
	checkBinary(t, "<", Text, Text, []binCase{{"B", "a", "t"}, {"z", "é", "t"}, {"", "a", "t"}})
	// '1 month' = '30 days'; '1 day' < '25 hours'.
	checkBinary(t, "=", Interval, Interval, []binCase{{IntervalValue{Months: 1}, IntervalValue{Days: 30}, "t"}})
	checkBinary(t, "<", Interval, Interval, []binCase{{IntervalValue{Days: 1}, IntervalValue{Micros: 25 * 3600e6}, "t"}})
	checkBinary(t, "<", Bool, Bool, []binCase{{false, true, "t"}, {true, true, "f"}})
}

func TestCompareMixedTemporal(t *testing.T) {
	// date '2024-03-10' = timestamp '2024-03-10 00:00' is true;
	// in America/New_York timestamp '2024-03-10 00:00' = timestamptz '2024-03-10 05:00+00'.
	checkBinary(t, "=", Date, Timestamp, []binCase{{DateValue(19792), TimestampValue(19792 * 86400e6), "t"}})
	// Columns only: a constant timestamp is converted when the expression is
	// built, before any session zone is known.
	ctx := testCtx()
	ctx.Location = mustLoc(t, "America/New_York")
	e, err := NewBinary("=", NewColumnRef(0, Timestamp, "ts"), NewColumnRef(1, TimestampTZ, "tz"))
	if err != nil {
		t.Fatal(err)
	}
	b := batchOf([]Type{Timestamp, TimestampTZ},
		[]Datum{TimestampValue(19792 * 86400e6), TimestampValue(19792 * 86400e6)},
		[]Datum{TimestampTZValue(19792*86400e6 + 5*3600e6), TimestampTZValue(19792 * 86400e6)})
	if got := render(ctx, e, b); got[0] != "t" || got[1] != "f" {
		t.Errorf("timestamp = timestamptz in New York: %v", got)
	}
	if _, err := NewBinary("=", NewColumnRef(0, Int4, "i"), NewColumnRef(1, Text, "s")); errString(err) != "ERROR 42883: operator does not exist: integer = text" {
		t.Errorf("integer = text: %v", err)
	}
}

// BenchmarkGreaterConst is a > 1000 over 4096 int64 rows.
func BenchmarkGreaterConst(b *testing.B) {
	e, err := NewBinary(">", NewColumnRef(0, Int8, "a"), NewConst(int32(1000), Int4))
	benchExpr(b, e, err)
}
