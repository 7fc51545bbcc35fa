package operators

import (
	"testing"

	"github.com/cockroachdb/apd/v3"
	"github.com/runneldb/runnel/vector"
)

func num(s string) *apd.Decimal {
	d, err := vector.ParseNumeric(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestGenerateSeries(t *testing.T) {
	const day = 86_400_000_000
	jan31 := vector.TimestampValue(19753 * day) // 2024-01-31
	may1 := vector.TimestampValue(19844 * day)  // 2024-05-01
	// Expected values from PostgreSQL 15.
	tests := []struct {
		name              string
		start, stop, step vector.Datum
		typ               vector.Type
		want              []string
	}{
		{"int4 up", int32(1), int32(3), int32(1), vector.Int4, []string{"1", "2", "3"}},
		{"int4 down by 2", int32(5), int32(1), int32(-2), vector.Int4, []string{"5", "3", "1"}},
		{"int4 at max", int32(2147483646), int32(2147483647), int32(1), vector.Int4, []string{"2147483646", "2147483647"}},
		{"int8 wrong direction", int64(5), int64(1), int64(1), vector.Int8, nil},
		{"int8 null", nil, int64(1), int64(1), vector.Int8, nil},
		{"numeric scale", num("1.5"), num("3"), num("0.50"), vector.Numeric, []string{"1.5", "2.00", "2.50", "3.00"}},
		{"timestamp by month clamps", jan31, may1, vector.IntervalValue{Months: 1}, vector.Timestamp,
			[]string{"1706659200000000", "1709164800000000", "1711670400000000", "1714348800000000"}},
	}
	for _, tc := range tests {
		op, err := NewGenerateSeries(tc.start, tc.stop, tc.step, tc.typ)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		checkRows(t, tc.name, run(t, op), tc.want)
	}
	if got := len(run(t, mustSeries(t, int64(1), int64(10000), int64(1)))); got != 10000 {
		t.Errorf("series of 10000 has %d rows", got)
	}
}

func mustSeries(t *testing.T, start, stop, step vector.Datum) Operator {
	op, err := NewGenerateSeries(start, stop, step, vector.Int8)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func TestGenerateSeriesErrors(t *testing.T) {
	tests := []struct {
		name              string
		start, stop, step vector.Datum
		typ               vector.Type
		msg               string
	}{
		{"zero int step", int32(1), int32(3), int32(0), vector.Int4, "step size cannot equal zero"},
		{"zero interval step", vector.TimestampValue(0), vector.TimestampValue(1), vector.IntervalValue{}, vector.Timestamp, "step size cannot equal zero"},
		{"numeric NaN start", num("NaN"), num("3"), num("1"), vector.Numeric, "start value cannot be NaN"},
		{"numeric infinite stop", num("1.0"), num("Infinity"), num("1"), vector.Numeric, "stop value cannot be infinity"},
	}
	for _, tc := range tests {
		_, err := NewGenerateSeries(tc.start, tc.stop, tc.step, tc.typ)
		e, ok := err.(*vector.Error)
		if !ok || e.Code != vector.CodeInvalidParameterValue || e.Message != tc.msg {
			t.Errorf("%s: error %v, want 22023 %q", tc.name, err, tc.msg)
		}
	}
}
