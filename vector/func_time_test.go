package vector

import (
	"testing"
	"time"
)

// ts is the timestamp of a wall-clock time (UTC arithmetic).
func ts(s string) TimestampValue {
	t, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return TimestampValue(t.UnixMicro())
}

// tstz is the timestamptz of a time written with its offset.
func tstz(s string) TimestampTZValue {
	t, err := time.Parse("2006-01-02 15:04:05.999999-07", s)
	if err != nil {
		panic(err)
	}
	return TimestampTZValue(t.UnixMicro())
}

func day(s string) DateValue { return DateValue(int64(ts(s+" 00:00:00")) / microsPerDay) }

func iv(months, days int32, micros int64) IntervalValue {
	return IntervalValue{Months: months, Days: days, Micros: micros}
}

const hour = int64(3600e6)

// Expected values from Postgres 15.
func TestTemporalArithmetic(t *testing.T) {
	checkBinary(t, "+", Date, Int4, []binCase{{day("2024-01-31"), int32(1), "2024-02-01"}})
	checkBinary(t, "+", Int4, Date, []binCase{{int32(1), day("2024-01-31"), "2024-02-01"}})
	checkBinary(t, "-", Date, Date, []binCase{{day("2024-03-01"), day("2024-02-01"), "29"}})
	checkBinary(t, "+", Date, Interval, []binCase{{day("2024-01-31"), iv(1, 0, 0), "2024-02-29 00:00:00"}})
	checkBinary(t, "+", Timestamp, Interval, []binCase{{ts("2024-01-31 10:00:00"), iv(1, 1, hour), "2024-03-01 11:00:00"}})
	checkBinary(t, "-", Timestamp, Interval, []binCase{{ts("2024-03-31 10:00:00"), iv(1, 0, 0), "2024-02-29 10:00:00"}})
	checkBinary(t, "-", Timestamp, Timestamp, []binCase{
		{ts("2024-03-10 12:00:00"), ts("2024-03-09 10:30:00"), "1 day 01:30:00"},
		{ts("2024-03-09 10:30:00"), ts("2024-03-10 12:00:00"), "-1 days -01:30:00"},
	})
	checkBinary(t, "+", Interval, Interval, []binCase{{iv(0, 1, 2*hour), iv(1, 0, -3*hour), "1 mon 1 day -01:00:00"}})
	checkBinary(t, "*", Interval, Float8, []binCase{{iv(1, 0, 0), 1.5, "1 mon 15 days"}})
	checkBinary(t, "/", Interval, Float8, []binCase{
		{iv(0, 1, 0), 3.0, "08:00:00"},
		{iv(12, 0, 0), 7.0, "1 mon 21 days 10:17:08.5344"},
		{iv(0, 1, 0), 0.0, "ERROR 22012: division by zero"},
	})
	checkBinary(t, "+", Date, Time, []binCase{{day("2024-03-10"), TimeValue(10*hour + 30*60e6), "2024-03-10 10:30:00"}})
	checkBinary(t, "+", Time, Interval, []binCase{{TimeValue(23 * hour), iv(0, 0, 2*hour), "01:00:00"}})
	checkBinary(t, "-", Time, Time, []binCase{{TimeValue(10 * hour), TimeValue(12*hour + 30*60e6), "-02:30:00"}})
	checkCall(t, "-interval", testCtx(), func(a []Expr) (Expr, error) { return NewUnary("-", a[0]) },
		[]Type{Interval}, []callCase{{args(iv(0, 1, -2*hour)), "-1 days +02:00:00"}})
}

func TestTimestampTZInNewYork(t *testing.T) {
	ctx := testCtx()
	ctx.Location = mustLoc(t, "America/New_York")
	plus := func(a []Expr) (Expr, error) { return NewBinary("+", a[0], a[1]) }
	// Across the DST change of 2024-03-10: a day keeps the wall clock, 24
	// hours do not.
	checkCall(t, "timestamptz + interval", ctx, plus, []Type{TimestampTZ, Interval}, []callCase{
		{args(tstz("2024-03-09 12:00:00-05"), iv(0, 1, 0)), "2024-03-10 12:00:00-04"},
		{args(tstz("2024-03-09 12:00:00-05"), iv(0, 0, 24*hour)), "2024-03-10 13:00:00-04"},
	})
	checkCall(t, "timestamptz - timestamptz", ctx, func(a []Expr) (Expr, error) { return NewBinary("-", a[0], a[1]) },
		[]Type{TimestampTZ, TimestampTZ}, []callCase{{args(tstz("2024-03-10 12:00:00-04"), tstz("2024-03-09 12:00:00-05")), "23:00:00"}})
	text := []Type{Text, TimestampTZ}
	trunc := func(a []Expr) (Expr, error) { return NewFunc("date_trunc", a) }
	checkCall(t, "date_trunc", ctx, trunc, text, []callCase{{args("day", tstz("2024-03-10 12:00:00+00")), "2024-03-10 00:00:00-05"}})
	extract := func(a []Expr) (Expr, error) { return NewFunc("extract", a) }
	checkCall(t, "extract", ctx, extract, text, []callCase{
		{args("hour", tstz("2024-03-10 12:00:00+00")), "8"},
		{args("timezone", tstz("2024-03-10 12:00:00+00")), "-14400"},
	})
}

func TestDateTrunc(t *testing.T) {
	in := ts("2024-03-10 12:34:56.789")
	cases := []callCase{
		{args("microseconds", in), "2024-03-10 12:34:56.789"},
		{args("milliseconds", ts("2024-05-10 01:02:03.456789")), "2024-05-10 01:02:03.456"},
		{args("second", in), "2024-03-10 12:34:56"},
		{args("MINUTE", in), "2024-03-10 12:34:00"},
		{args("hour", in), "2024-03-10 12:00:00"},
		{args("day", in), "2024-03-10 00:00:00"},
		{args("week", in), "2024-03-04 00:00:00"},
		{args("month", in), "2024-03-01 00:00:00"},
		{args("quarter", ts("2024-05-10 12:34:56")), "2024-04-01 00:00:00"},
		{args("year", in), "2024-01-01 00:00:00"},
		{args("decade", in), "2020-01-01 00:00:00"},
		{args("century", in), "2001-01-01 00:00:00"},
		{args("millennium", in), "2001-01-01 00:00:00"},
		{args("foo", in), `ERROR 22023: unit "foo" not recognized for type timestamp without time zone`},
	}
	checkFunc(t, "date_trunc", []Type{Text, Timestamp}, cases)
	checkFunc(t, "date_trunc", []Type{Text, Interval}, []callCase{
		{args("hour", iv(0, 1, 5*hour+30*60e6)), "1 day 05:00:00"},
		{args("year", iv(17, 3, 0)), "1 year"},
		{args("week", iv(0, 1, 0)), `ERROR 0A000: unit "week" not supported for type interval`},
	})
}

func TestDateBin(t *testing.T) {
	checkFunc(t, "date_bin", []Type{Interval, Timestamp, Timestamp}, []callCase{
		{args(iv(0, 0, 15*60e6), ts("2020-02-11 15:44:17"), ts("2001-01-01 00:00:00")), "2020-02-11 15:30:00"},
		{args(iv(0, 0, 15*60e6), ts("2000-12-31 23:44:17"), ts("2001-01-01 00:00:00")), "2000-12-31 23:30:00"},
		{args(iv(0, 0, 15*60e6), ts("2001-01-01 00:15:00"), ts("2001-01-01 00:00:00")), "2001-01-01 00:15:00"},
		{args(iv(1, 0, 0), ts("2001-01-01 00:15:00"), ts("2001-01-01 00:00:00")), "ERROR 0A000: timestamps cannot be binned into intervals containing months or years"},
		{args(iv(0, 0, 0), ts("2001-01-01 00:15:00"), ts("2001-01-01 00:00:00")), "ERROR 22023: stride must be greater than zero"},
	})
}

func TestExtract(t *testing.T) {
	in := ts("2024-03-10 12:34:56.789")
	checkFunc(t, "extract", []Type{Text, Timestamp}, []callCase{
		{args("second", in), "56.789000"},
		{args("epoch", in), "1710074096.789000"},
		{args("milliseconds", in), "56789.000"},
		{args("microseconds", in), "56789000"},
		{args("foo", in), `ERROR 22023: unit "foo" not recognized for type timestamp without time zone`},
	})
	checkFunc(t, "date_part", []Type{Text, Timestamp}, []callCase{{args("epoch", in), "1710074096.789"}})
	checkFunc(t, "extract", []Type{Text, Date}, []callCase{
		{args("epoch", day("2024-03-10")), "1710028800"},
		{args("week", day("2024-01-01")), "1"},
		{args("century", day("2000-12-31")), "20"},
		{args("millennium", day("2001-01-01")), "3"},
		{args("decade", day("2024-01-01")), "202"},
		{args("dow", day("2024-03-10")), "0"},
		{args("isodow", day("2024-03-10")), "7"},
		{args("doy", day("2024-03-10")), "70"},
		{args("quarter", day("2024-03-10")), "1"},
		{args("hour", day("2024-03-10")), `ERROR 0A000: unit "hour" not supported for type date`},
	})
	checkFunc(t, "extract", []Type{Text, Interval}, []callCase{
		{args("epoch", iv(14, 3, 4*hour+5*60e6+6.5e6)), "37015506.500000"},
		{args("month", iv(14, 0, 0)), "2"},
		{args("year", iv(-14, 0, 0)), "-1"},
		{args("second", iv(0, 0, 65.5e6)), "5.500000"},
		{args("minute", iv(0, 0, 65.5e6)), "1"},
	})
}

func TestNowAndFriends(t *testing.T) {
	ctx := testCtx()
	ctx.Location = mustLoc(t, "Asia/Tokyo")
	for name, want := range map[string]string{
		"now":               "2024-03-10 21:34:56.789+09",
		"current_timestamp": "2024-03-10 21:34:56.789+09",
		"current_date":      "2024-03-10",
		"localtimestamp":    "2024-03-10 21:34:56.789",
		"current_time":      "21:34:56.789",
	} {
		e, err := NewFunc(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(ctx, e, &Batch{Len: 2}); got[0] != want || got[1] != want {
			t.Errorf("%s: got %v, want %s", name, got, want)
		}
	}
	checkFunc(t, "to_timestamp", []Type{Float8}, []callCase{{args(1710074096.5), "2024-03-10 12:34:56.5+00"}})
	checkFunc(t, "make_date", []Type{Int4, Int4, Int4}, []callCase{
		{args(int32(2024), int32(2), int32(29)), "2024-02-29"},
		{args(int32(2023), int32(2), int32(29)), "ERROR 22008: date field value out of range: 2023-02-29"},
	})
}

func TestToChar(t *testing.T) {
	checkFunc(t, "to_char", []Type{Timestamp, Text}, []callCase{
		{args(ts("2024-03-05 14:07:09.123456"), "YYYY-MM-DD HH24:MI:SS.MS US"), "2024-03-05 14:07:09.123 123456"},
		{args(ts("2024-03-05 14:07:09"), `Mon Month Dy Day | MON DY | FMMonth FMDay | HH12 AM pm | DDD D Q "quoted YYYY" YY`),
			"Mar March     Tue Tuesday   | MAR TUE | March Tuesday | 02 PM pm | 065 3 1 quoted YYYY 24"},
		{args(ts("2024-03-05 00:07:09"), "HH12:MI a.m. FMHH12 FMDD FMMM"), "12:07 a.m. 12 5 3"},
	})
	ctx := testCtx()
	ctx.Location = mustLoc(t, "Asia/Tokyo")
	checkCall(t, "to_char", ctx, func(a []Expr) (Expr, error) { return NewFunc("to_char", a) }, []Type{TimestampTZ, Text},
		[]callCase{{args(tstz("2024-03-05 14:07:09+00"), "YYYY-MM-DD HH24:MI TZ"), "2024-03-05 23:07 JST"}})
}

func TestDateTruncOfDateIsTimestampTZ(t *testing.T) {
	// Postgres: date_trunc('month', date '2024-03-10') is timestamptz
	// 2024-03-01 00:00:00 in the session's zone.
	e, err := NewFunc("date_trunc", []Expr{NewConst("month", Unknown), NewColumnRef(0, Date, "d")})
	if err != nil || e.Type() != TimestampTZ {
		t.Fatalf("date_trunc(unknown, date): %v %v", e, err)
	}
	ctx := testCtx()
	ctx.Location = mustLoc(t, "Asia/Tokyo")
	if got := render(ctx, e, batchOf([]Type{Date}, []Datum{day("2024-03-10")}))[0]; got != "2024-03-01 00:00:00+09" {
		t.Errorf("got %s", got)
	}
}

func TestAgeAndMakeInterval(t *testing.T) {
	// Expected values from Postgres 15.
	checkFunc(t, "age", []Type{Timestamp, Timestamp}, []callCase{
		{args(ts("2024-03-31 10:00:00"), ts("2024-01-31 12:30:00")), "1 mon 30 days 21:30:00"},
		{args(ts("2024-01-31 00:00:00"), ts("2024-03-01 00:00:00")), "-1 mons -1 days"},
		{args(ts("2023-02-28 23:00:00"), ts("2024-03-01 01:00:00")), "-1 years -02:00:00"},
	})
	checkFunc(t, "make_interval", []Type{Int4, Int4, Int4, Int4, Int4, Int4, Float8}, []callCase{
		{args(int32(1), int32(2), int32(3), int32(4), int32(5), int32(6), 7.5), "1 year 2 mons 25 days 05:06:07.5"},
	})
	checkFunc(t, "make_interval", []Type{Int4, Int4}, []callCase{{args(int32(1), int32(-1)), "11 mons"}})
}

func TestAtTimeZone(t *testing.T) {
	// Expected values from Postgres 15 (session zone UTC).
	checkFunc(t, "timezone", []Type{Text, TimestampTZ}, []callCase{
		{args("America/New_York", tstz("2024-03-10 12:00:00+00")), "2024-03-10 08:00:00"},
		{args("Foo/Bar", tstz("2024-03-10 12:00:00+00")), `ERROR 22023: time zone "Foo/Bar" not recognized`},
	})
	checkFunc(t, "timezone", []Type{Text, Timestamp}, []callCase{
		{args("America/New_York", ts("2024-03-10 12:00:00")), "2024-03-10 16:00:00+00"},
		{args("utc", ts("2024-03-10 12:00:00")), "2024-03-10 12:00:00+00"},
	})
}
