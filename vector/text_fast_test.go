package vector

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Expected values and errors from PostgreSQL 15 (TimeZone America/New_York
// for the timestamptz row, UTC otherwise).
var textInputCases = []struct {
	in   string
	typ  Type
	want string // printed value, or "" with code set
	code string
}{
	{in: " 42 ", typ: Int2, want: "42"},
	{in: "-2147483648", typ: Int4, want: "-2147483648"},
	{in: "9223372036854775807", typ: Int8, want: "9223372036854775807"},
	{in: "1.5e3", typ: Float4, want: "1500"},
	{in: "-Infinity", typ: Float8, want: "-Infinity"},
	{in: " NaN", typ: Float8, want: "NaN"},
	{in: "2024-02-29", typ: Date, want: "2024-02-29"},
	{in: "13:45:01.5", typ: Time, want: "13:45:01.5"},
	{in: "2024-03-10 02:30:00", typ: Timestamp, want: "2024-03-10 02:30:00"},
	{in: "abc", typ: Text, want: "abc"},
	{in: "ab  ", typ: Type{Kind: KindVarchar, Width: 2}, want: "ab"},
	{in: "  -007.50 ", typ: Numeric, want: "-7.50"},
	{in: "-0.000", typ: Numeric, want: "0.000"},
	{in: "5.", typ: Numeric, want: "5"},
	{in: ".5", typ: Numeric, want: "0.5"},
	{in: "1E2", typ: Numeric, want: "100"},
	{in: "1.25", typ: Type{Kind: KindNumeric, Precision: 3, Scale: 1}, want: "1.3"},
	{in: `{"b":1, "a":[1,2]}`, typ: JSONB, want: `{"a": [1, 2], "b": 1}`},
	{in: `\x0aff`, typ: Bytea, want: `\x0aff`},
	{in: "1 day 02:00", typ: Interval, want: "1 day 02:00:00"},
	{in: "TRUE", typ: Bool, want: "t"},
	{in: "32768", typ: Int2, code: CodeNumericValueOutOfRange},
	{in: "abc", typ: Int4, code: CodeInvalidTextRepresentation},
	{in: "1.5", typ: Int8, code: CodeInvalidTextRepresentation},
	{in: "", typ: Float4, code: CodeInvalidTextRepresentation},
	{in: "1e400", typ: Float8, code: CodeNumericValueOutOfRange},
	{in: "2024-02-30", typ: Date, code: CodeDatetimeFieldOverflow},
	{in: "xyz", typ: Timestamp, code: CodeInvalidDatetimeFormat},
	{in: "abcd", typ: Type{Kind: KindVarchar, Width: 2}, code: CodeStringDataRightTruncation},
	{in: "1.2.3", typ: Numeric, code: CodeInvalidTextRepresentation},
	{in: "123.4", typ: Type{Kind: KindNumeric, Precision: 3, Scale: 1}, code: CodeNumericValueOutOfRange},
}

func TestBuilderAppendText(t *testing.T) {
	for _, tc := range textInputCases {
		b := NewBuilder(tc.typ, 1)
		err := b.AppendText([]byte(tc.in), nil)
		if code := ErrorCode(err); code != tc.code {
			t.Errorf("AppendText(%q) as %s: error %v, want code %q", tc.in, tc.typ, err, tc.code)
			continue
		}
		if tc.code != "" {
			if b.Len() != 0 {
				t.Errorf("AppendText(%q) as %s appended a row on error", tc.in, tc.typ)
			}
			continue
		}
		arr := b.Finish()
		if got := FormatDatum(ValueAt(arr, tc.typ, 0), tc.typ, nil); got != tc.want {
			t.Errorf("AppendText(%q) as %s = %q, want %q", tc.in, tc.typ, got, tc.want)
		}
	}
}

func TestBuilderAppendTextLocation(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	b := NewBuilder(TimestampTZ, 1)
	if err := b.AppendText([]byte("2024-07-01 12:00"), ny); err != nil {
		t.Fatal(err)
	}
	if got := FormatDatum(ValueAt(b.Finish(), TimestampTZ, 0), TimestampTZ, ny); got != "2024-07-01 12:00:00-04" {
		t.Errorf("got %q, want 2024-07-01 12:00:00-04", got)
	}
}

// The input buffer is reused by COPY: the appended value must not alias it.
func TestBuilderAppendTextCopies(t *testing.T) {
	for _, typ := range []Type{Text, Numeric, Type{Kind: KindVarchar, Width: 5}} {
		buf := []byte("12.50")
		b := NewBuilder(typ, 1)
		if err := b.AppendText(buf, nil); err != nil {
			t.Fatal(err)
		}
		copy(buf, "99999")
		if got := b.Finish().(*array.String).Value(0); got != "12.50" {
			t.Errorf("%s: value changed with the input buffer: %q", typ, got)
		}
	}
}

func TestBuilderAppendTextAllocs(t *testing.T) {
	inputs := []struct {
		typ Type
		in  string
	}{
		{Int4, "12345"}, {Int8, "-9876543210"}, {Float8, "3.25E2"}, {Date, "2024-01-02"},
		{Timestamp, "2024-01-02 03:04:05.5"}, {TimestampTZ, "2024-01-02 03:04:05+02"}, {TimestampTZ, "2024-01-02 03:04:05 UTC"},
		{Text, "hello"}, {Numeric, "-0012.500"},
	}
	for _, in := range inputs {
		b := NewBuilder(in.typ, 2000)
		s := []byte(in.in)
		b.AppendText(s, nil) // warm the numeric scratch buffer
		if n := testing.AllocsPerRun(1000, func() { _ = b.AppendText(s, nil) }); n != 0 {
			t.Errorf("AppendText(%q) as %s: %v allocations per value, want 0", in.in, in.typ, n)
		}
	}
}

// Casting a text column takes the typed path for these targets; it must
// agree with ParseText row by row, NULLs kept.
func TestCastFromTextColumn(t *testing.T) {
	ctx := &EvalContext{}
	for _, tc := range textInputCases {
		col := ArrayOf(Text, nil, tc.in)
		out, err := CastArray(ctx, col, Text, tc.typ)
		want, werr := ParseText(tc.in, tc.typ, nil)
		if tc.typ.Kind == KindVarchar {
			continue // explicit casts to varchar(n) cut instead of failing
		}
		if ErrorCode(err) != ErrorCode(werr) {
			t.Errorf("cast %q to %s: error %v, want %v", tc.in, tc.typ, err, werr)
			continue
		}
		if err != nil {
			continue
		}
		if !out.IsNull(0) || out.Len() != 2 {
			t.Errorf("cast %q to %s: NULL row lost", tc.in, tc.typ)
			continue
		}
		if got := ValueAt(out, tc.typ, 1); CompareDatum(tc.typ, got, want) != 0 || FormatDatum(got, tc.typ, nil) != tc.want {
			t.Errorf("cast %q to %s = %v, want %s", tc.in, tc.typ, got, tc.want)
		}
	}
}

// appendPlainDecimal must print exactly what the general numeric path does.
func TestPlainDecimalAgreesWithParseNumeric(t *testing.T) {
	for _, s := range []string{"0", "-0", "000", "+1", "-1.0", "0.000", "-0.0010", "123456789012345678901234567890.123",
		"00.5", " 7 ", "-.5", "5.", "-5.", ".", "-", "", "1.2.3", "1e5", "0x10", "1 2"} {
		got, ok := appendPlainDecimal(nil, s)
		d, err := ParseNumeric(s)
		switch {
		case ok && err != nil:
			t.Errorf("%q: plain path accepted %q, ParseNumeric fails: %v", s, got, err)
		case ok && string(got) != FormatNumeric(d):
			t.Errorf("%q: plain path %q, ParseNumeric %q", s, got, FormatNumeric(d))
		}
	}
}
