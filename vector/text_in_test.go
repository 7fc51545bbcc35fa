package vector

import (
	"testing"
	"time"
)

// roundTrip parses s as t and formats the value again.
func roundTrip(t *testing.T, s string, typ Type, loc *time.Location) (string, error) {
	t.Helper()
	d, err := ParseText(s, typ, loc)
	if err != nil {
		return "", err
	}
	return FormatDatum(d, typ, loc), nil
}

// Expected outputs and errors from PostgreSQL 15 (DateStyle ISO, TimeZone UTC
// unless stated).
func TestParseText(t *testing.T) {
	tests := []struct {
		in   string
		typ  Type
		want string
	}{
		{"yes", Bool, "t"}, {" ON ", Bool, "t"}, {"tr", Bool, "t"}, {"0", Bool, "f"}, {"of", Bool, "f"},
		{" 12 ", Int4, "12"}, {"+12", Int2, "12"}, {"-9223372036854775808", Int8, "-9223372036854775808"},
		{"1e3", Float8, "1000"}, {" inf ", Float8, "Infinity"}, {"-0", Float8, "-0"}, {"0.1", Float4, "0.1"},
		{"1.50", Numeric, "1.50"}, {"1.", Type{Kind: KindNumeric, Precision: 3, Scale: 1}, "1.0"},
		{"abc", Text, "abc"}, {"ab   ", Type{Kind: KindVarchar, Width: 2}, "ab"},
		{`\x0102ff`, Bytea, `\x0102ff`}, {`\x01 02`, Bytea, `\x0102`}, {`\001abc`, Bytea, `\x01616263`}, {`abc\\`, Bytea, `\x6162635c`},
		{"2024-01-02", Date, "2024-01-02"}, {"20240102", Date, "2024-01-02"}, {"0044-03-15 BC", Date, "0044-03-15 BC"},
		{"infinity", Date, "infinity"}, {"2024-01-02 03:04:05", Date, "2024-01-02"},
		{"24:00:00", Time, "24:00:00"}, {"03:04:05+02", Time, "03:04:05"}, {"3:04:05.5", Time, "03:04:05.5"},
		{"2024-01-02 03:04:05.1234567", Timestamp, "2024-01-02 03:04:05.123457"},
		{"2024-01-02T03:04:05Z", Timestamp, "2024-01-02 03:04:05"},
		{"2024-01-02 03:04:05.999999999", Timestamp, "2024-01-02 03:04:06"},
		{"2024-1-2 3:4:5", Timestamp, "2024-01-02 03:04:05"},
		{"epoch", Timestamp, "1970-01-01 00:00:00"},
		{"2024-01-02 03:04:05+05:30", TimestampTZ, "2024-01-01 21:34:05+00"},
		{"0044-03-15 12:00:00 BC", TimestampTZ, "0044-03-15 12:00:00+00 BC"},
		{"-infinity", TimestampTZ, "-infinity"}, {"2024-01-02", TimestampTZ, "2024-01-02 00:00:00+00"},
		{"2024-01-02 03:04:05 America/New_York", TimestampTZ, "2024-01-02 08:04:05+00"},
		{"2024-01-02 03:04:05 UTC", TimestampTZ, "2024-01-02 03:04:05+00"},
		{"2024-01-02 03:04:05-0330", TimestampTZ, "2024-01-02 06:34:05+00"},
		{"2024-01-02 03:04:05.5+00", TimestampTZ, "2024-01-02 03:04:05.5+00"},
		{`{"b":[1,2.0,1e2], "aa": null, "a":"x\"/\u00e9\n", "b": true}`, JSONB, `{"a": "x\"/é\n", "b": true, "aa": null}`},
	}
	for _, tc := range tests {
		got, err := roundTrip(t, tc.in, tc.typ, nil)
		if err != nil || got != tc.want {
			t.Errorf("%q::%s = %q, %v; want %q", tc.in, tc.typ, got, err, tc.want)
		}
	}
}

func TestParseTextInLocation(t *testing.T) {
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip("no tzdata")
	}
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		in   string
		loc  *time.Location
		want string
	}{
		{"2024-01-02 03:04:05", kolkata, "2024-01-02 03:04:05+05:30"},
		{"1900-01-01", kolkata, "1900-01-01 00:00:00+05:21:10"},
		{"2024-01-02 03:04:05+00", ny, "2024-01-01 22:04:05-05"},
		{"2024-03-10 02:30", ny, "2024-03-10 03:30:00-04"},
		{"2024-11-03 01:30", ny, "2024-11-03 01:30:00-05"},
	}
	for _, tc := range tests {
		got, err := roundTrip(t, tc.in, TimestampTZ, tc.loc)
		if err != nil || got != tc.want {
			t.Errorf("%q::timestamptz in %s = %q, %v; want %q", tc.in, tc.loc, got, err, tc.want)
		}
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct {
		in   string
		typ  Type
		code string
		msg  string
	}{
		{"x", Int4, CodeInvalidTextRepresentation, `invalid input syntax for type integer: "x"`},
		{"1.5", Int4, CodeInvalidTextRepresentation, `invalid input syntax for type integer: "1.5"`},
		{"99999", Int2, CodeNumericValueOutOfRange, `value "99999" is out of range for type smallint`},
		{"9223372036854775808", Int8, CodeNumericValueOutOfRange, `value "9223372036854775808" is out of range for type bigint`},
		{"maybe", Bool, CodeInvalidTextRepresentation, `invalid input syntax for type boolean: "maybe"`},
		{"1e400", Float8, CodeNumericValueOutOfRange, `"1e400" is out of range for type double precision`},
		{"x", Float4, CodeInvalidTextRepresentation, `invalid input syntax for type real: "x"`},
		{`\x0`, Bytea, CodeInvalidParameterValue, "invalid hexadecimal data: odd number of digits"},
		{`\q`, Bytea, CodeInvalidTextRepresentation, "invalid input syntax for type bytea"},
		{"x", Date, CodeInvalidDatetimeFormat, `invalid input syntax for type date: "x"`},
		{"2024-13-01", Date, CodeDatetimeFieldOverflow, `date/time field value out of range: "2024-13-01"`},
		{"2024-02-30", Timestamp, CodeDatetimeFieldOverflow, `date/time field value out of range: "2024-02-30"`},
		{"25:00:00", Time, CodeDatetimeFieldOverflow, `date/time field value out of range: "25:00:00"`},
		{"x", TimestampTZ, CodeInvalidDatetimeFormat, `invalid input syntax for type timestamp with time zone: "x"`},
		{"x", Time, CodeInvalidDatetimeFormat, `invalid input syntax for type time: "x"`},
		{"300000-01-01", Timestamp, CodeDatetimeFieldOverflow, `timestamp out of range: "300000-01-01"`},
		{"x", Interval, CodeInvalidDatetimeFormat, `invalid input syntax for type interval: "x"`},
		{"1 foo", Interval, CodeInvalidDatetimeFormat, `invalid input syntax for type interval: "1 foo"`},
		{"1 day 1 day", Interval, CodeInvalidDatetimeFormat, `invalid input syntax for type interval: "1 day 1 day"`},
		{"99999999999 hours", Interval, CodeDatetimeFieldOverflow, `interval field value out of range: "99999999999 hours"`},
		{"abc", Type{Kind: KindVarchar, Width: 2}, CodeStringDataRightTruncation, "value too long for type character varying(2)"},
		{"[1,", JSONB, CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{`{"a":1} x`, JSONB, CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{"nope", JSONB, CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{"999.995", Type{Kind: KindNumeric, Precision: 5, Scale: 2}, CodeNumericValueOutOfRange, "numeric field overflow"},
	}
	for _, tc := range tests {
		_, err := ParseText(tc.in, tc.typ, nil)
		e, ok := err.(*Error)
		if !ok || e.Code != tc.code || e.Message != tc.msg {
			t.Errorf("%q::%s: got %v, want %s %s", tc.in, tc.typ, err, tc.code, tc.msg)
		}
	}
}

func TestInterval(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1 year 2 months 3 days 4 hours 5 minutes 6.7 seconds", "1 year 2 mons 3 days 04:05:06.7"},
		{"-1 days", "-1 days"}, {"0", "00:00:00"}, {"1.5 years", "1 year 6 mons"},
		{"1.5 weeks", "10 days 12:00:00"}, {"1.7 months", "1 mon 21 days"}, {"1.5 days", "1 day 12:00:00"},
		{"P1Y2M3DT4H5M6.5S", "1 year 2 mons 3 days 04:05:06.5"}, {"PT1.5S", "00:00:01.5"},
		{"@ 1 hour ago", "-01:00:00"}, {"5", "00:00:05"}, {"1.5", "00:00:01.5"},
		{"1 day -02:00:00", "1 day -02:00:00"}, {"-1 year -2 mons +3 days", "-1 years -2 mons +3 days"},
		{"100 hours", "100:00:00"}, {"1-2", "1 year 2 mons"}, {"2 days 1:30", "2 days 01:30:00"},
		{"-1:30", "-01:30:00"}, {"1 millisecond", "00:00:00.001"}, {"3 hours 1.5 minutes", "03:01:30"},
		{"1 decade 1 century", "110 years"}, {"1 hour 30", "01:00:30"}, {"-1 year 2 months", "-10 mons"},
	}
	for _, tc := range tests {
		got, err := roundTrip(t, tc.in, Interval, nil)
		if err != nil || got != tc.want {
			t.Errorf("%q::interval = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	// '1 day' < '25 hours' and '1 mon' = '30 days' (Postgres).
	if c := CompareDatum(Interval, IntervalValue{Days: 1}, IntervalValue{Micros: 25 * usPerHour}); c != -1 {
		t.Errorf("1 day vs 25 hours = %d", c)
	}
	if c := CompareDatum(Interval, IntervalValue{Months: 1}, IntervalValue{Days: 30}); c != 0 {
		t.Errorf("1 mon vs 30 days = %d", c)
	}
}
