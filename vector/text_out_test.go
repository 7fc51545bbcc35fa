package vector

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"testing"
	"time"
)

// Expected outputs from PostgreSQL 15 (extra_float_digits 1).
func TestFloatText(t *testing.T) {
	f8 := []struct {
		v    float64
		want string
	}{
		{1e14, "100000000000000"}, {1e15, "1e+15"}, {123456789012345.6, "123456789012345.6"}, {0.0001, "0.0001"},
		{0.00001, "1e-05"}, {1.5e-5, "1.5e-05"}, {math.Copysign(0, -1), "-0"}, {1e100, "1e+100"}, {1e-100, "1e-100"},
		{math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"}, {math.NaN(), "NaN"}, {1.2345678901234567e17, "1.2345678901234566e+17"},
		{100, "100"}, {1e20, "1e+20"}, {0.1, "0.1"},
	}
	for _, tc := range f8 {
		if got := FormatDatum(tc.v, Float8, nil); got != tc.want {
			t.Errorf("float8 %v = %s, want %s", tc.v, got, tc.want)
		}
	}
	f4 := []struct {
		v    float32
		want string
	}{{1e6, "1e+06"}, {123456, "123456"}, {1234567, "1.234567e+06"}, {0.1, "0.1"}, {float32(math.NaN()), "NaN"}}
	for _, tc := range f4 {
		if got := FormatDatum(tc.v, Float4, nil); got != tc.want {
			t.Errorf("float4 %v = %s, want %s", tc.v, got, tc.want)
		}
	}
}

func TestAppendTextColumns(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	ts, _ := ParseText("2024-01-02 03:04:05+00", TimestampTZ, nil)
	tests := []struct {
		typ  Type
		val  Datum
		loc  *time.Location
		want string
	}{
		{Bool, true, nil, "t"}, {Int2, int16(-5), nil, "-5"}, {Int8, int64(math.MinInt64), nil, "-9223372036854775808"},
		{Bytea, []byte{1, 2, 0xff}, nil, `\x0102ff`}, {Numeric, mustNumeric(t, "1.50"), nil, "1.50"},
		{JSONB, JSONValue(`{"a": 1}`), nil, `{"a": 1}`}, {TimestampTZ, ts, ny, "2024-01-01 22:04:05-05"},
		{Date, DateValue(-2440588), nil, "4714-11-24 BC"}, {Time, TimeValue(3*usPerHour + 500000), nil, "03:00:00.5"},
		{Interval, IntervalValue{Months: 14, Days: 3, Micros: 4*usPerHour + 5*usPerMin + 6700000}, nil, "1 year 2 mons 3 days 04:05:06.7"},
	}
	for _, tc := range tests {
		arr := ArrayOf(tc.typ, nil, tc.val)
		if got := string(AppendText(nil, arr, tc.typ, 1, tc.loc)); got != tc.want {
			t.Errorf("AppendText %s = %q, want %q", tc.typ, got, tc.want)
		}
	}
}

func BenchmarkAppendTextInt64(b *testing.B) {
	arr := ArrayOf(Int8, int64(1234567890123), int64(-42), int64(7))
	benchAppendText(b, arr, Int8)
}

func BenchmarkAppendTextFloat64(b *testing.B) {
	arr := ArrayOf(Float8, 3.141592653589793, 1e20, 0.1)
	benchAppendText(b, arr, Float8)
}

func BenchmarkAppendTextTimestamp(b *testing.B) {
	arr := ArrayOf(Timestamp, TimestampValue(1704164645123456), TimestampValue(0), TimestampValue(-1000000))
	benchAppendText(b, arr, Timestamp)
}

func benchAppendText(b *testing.B, arr arrow.Array, typ Type) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = AppendText(buf[:0], arr, typ, i%3, nil)
	}
}
