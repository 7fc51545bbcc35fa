package vector

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Expected values and errors from PostgreSQL 15.
func TestCast(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	tests := []struct {
		in       string
		from, to Type
		want     string // "" when an error is expected
		code     string
	}{
		{"1.5", Float8, Int4, "2", ""}, {"2.5", Float8, Int4, "2", ""}, {"-2.5", Float8, Int8, "-2", ""},
		{"2.5", Numeric, Int4, "3", ""}, {"-2.5", Numeric, Int2, "-3", ""}, {"0.1", Float4, Float8, "0.10000000149011612", ""},
		{"0.1", Float8, Numeric, "0.1", ""}, {"0.1", Float4, Numeric, "0.1", ""}, {"1e20", Float8, Numeric, "100000000000000000000", ""},
		{"true", Bool, Text, "true", ""}, {"abcdef", Text, Type{Kind: KindVarchar, Width: 3}, "abc", ""},
		{"12345", Int4, Type{Kind: KindNumeric, Precision: 7, Scale: 2}, "12345.00", ""},
		{"2024-01-02 23:30:00", Timestamp, Date, "2024-01-02", ""}, {"2024-01-02", Date, Timestamp, "2024-01-02 00:00:00", ""},
		{"2024-01-02 03:04:05", Timestamp, Time, "03:04:05", ""}, {"26:30", Interval, Time, "02:30:00", ""},
		{"03:04", Time, Interval, "03:04:00", ""}, {`{"a":1}`, JSONB, Text, `{"a": 1}`, ""}, {"1.7", JSONB, Int4, "2", ""},
		{"true", JSONB, Bool, "t", ""}, {"1", Int4, Bool, "t", ""}, {"true", Bool, Int4, "1", ""},
		{"2024-07-01 12:00", Timestamp, TimestampTZ, "2024-07-01 12:00:00-04", ""},
		{"2024-07-01 12:00+00", TimestampTZ, Timestamp, "2024-07-01 08:00:00", ""},
		{"2024-07-01 02:00+00", TimestampTZ, Date, "2024-06-30", ""},
		{"3000000000", Int8, Int4, "", CodeNumericValueOutOfRange}, {"1e10", Float8, Int4, "", CodeNumericValueOutOfRange},
		{"nan", Float8, Int4, "", CodeNumericValueOutOfRange}, {`"a"`, JSONB, Int4, "", CodeInvalidParameterValue},
		{"1e39", Float8, Float4, "", CodeNumericValueOutOfRange}, {"1e-50", Float8, Float4, "", CodeNumericValueOutOfRange},
		{"NaN", Numeric, Int4, "", CodeFeatureNotSupported}, {"abc", Text, Int4, "", CodeInvalidTextRepresentation},
	}
	ctx := &EvalContext{Location: ny}
	for _, tc := range tests {
		d, err := ParseText(tc.in, tc.from, ny)
		if err != nil {
			t.Fatalf("%q::%s: %v", tc.in, tc.from, err)
		}
		out, err := CastArray(ctx, ArrayOf(tc.from, d, nil), tc.from, tc.to)
		if tc.want == "" {
			if sqlState(err) != tc.code {
				t.Errorf("%q::%s::%s: got %v, want %s", tc.in, tc.from, tc.to, err, tc.code)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q::%s::%s: %v", tc.in, tc.from, tc.to, err)
			continue
		}
		if got := FormatDatum(ValueAt(out, tc.to, 0), tc.to, ny); got != tc.want || !out.IsNull(1) {
			t.Errorf("%q::%s::%s = %q (null kept: %v), want %q", tc.in, tc.from, tc.to, got, out.IsNull(1), tc.want)
		}
	}
}

func TestCastExprs(t *testing.T) {
	// Unknown literals are parsed at compile time, with Postgres' errors.
	if _, err := NewCast(NewConst("abc", Unknown), Int4); err == nil || err.Error() != `invalid input syntax for type integer: "abc"` {
		t.Errorf("'abc'::int4: %v", err)
	}
	c, err := NewCast(NewConst("12", Unknown), Int8)
	if d, ok := IsConst(c); err != nil || !ok || d != int64(12) {
		t.Errorf("'12'::int8 = %v, %v", d, err)
	}
	if _, err := NewCast(NewColumnRef(0, Date, "d"), Int4); sqlState(err) != CodeCannotCoerce || err.Error() != "cannot cast type date to integer" {
		t.Errorf("date::int4: %v", err)
	}
	// Assignment: varchar(n) is strict, explicit casts truncate.
	v3 := Type{Kind: KindVarchar, Width: 3}
	if _, err := NewAssignmentCast(NewConst("abcd", Unknown), v3); sqlState(err) != CodeStringDataRightTruncation {
		t.Errorf("assign literal 'abcd' to varchar(3): %v", err)
	}
	// A typed constant that does not convert fails only when evaluated.
	e, err := NewAssignmentCast(NewConst("abcd", Text), v3)
	if err != nil {
		t.Fatalf("assign 'abcd'::text to varchar(3) at construction: %v", err)
	}
	if _, err := e.Eval(&EvalContext{}, &Batch{Len: 1}); sqlState(err) != CodeStringDataRightTruncation {
		t.Errorf("assign 'abcd'::text to varchar(3): %v", err)
	}
	if _, err := NewAssignmentCast(NewColumnRef(0, Text, "t"), Int4); sqlState(err) != CodeDatatypeMismatch {
		t.Errorf("assign text to int4: %v", err)
	}
	e, err = NewAssignmentCast(NewColumnRef(0, Int8, "x"), Int4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Eval(&EvalContext{}, NewBatch([]arrow.Array{ArrayOf(Int8, int64(1)<<40)}, 1)); sqlState(err) != CodeNumericValueOutOfRange {
		t.Errorf("assign 2^40 to int4: %v", err)
	}
}

func BenchmarkCastArrayInt4ToInt8(b *testing.B) {
	vals := make([]Datum, 4096)
	for i := range vals {
		vals[i] = int32(i)
	}
	arr := ArrayOf(Int4, vals...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CastArray(&EvalContext{}, arr, Int4, Int8); err != nil {
			b.Fatal(err)
		}
	}
}
