package format

import (
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// roundTripCases are values of every type, written as Postgres text, with
// the awkward ones: quoting, unicode, negatives, NaN and the infinities.
var roundTripCases = []struct {
	typ  vector.Type
	vals []any
}{
	{vector.Bool, []any{"t", "f"}},
	{vector.Int2, []any{"-32768", "0", "32767"}},
	{vector.Int4, []any{"-5", "42"}},
	{vector.Int8, []any{"-9223372036854775808", "9223372036854775807"}},
	{vector.Float4, []any{"1.5", "-0.25", "-0", "3.4028235e+38", "NaN", "Infinity", "-Infinity"}},
	{vector.Float8, []any{"0.1", "-1e-300", "1e+20", "NaN", "Infinity", "-Infinity"}},
	{vector.Numeric, []any{"12.50", "-0.001", "123456789012345678901234567890.5", "NaN"}},
	{vector.Type{Kind: vector.KindNumeric, Precision: 10, Scale: 2}, []any{"1.25", "-99999999.99"}},
	{vector.Text, []any{"", "plain", `a,b "quoted"`, "line\nbreak\r\nend\r", "unicode ✓ 日本語 🎉", "<html>&amp;",
		`back\slash`, "tab\there", "  spaced  ", "NULL", `"`, ","}},
	{vector.Type{Kind: vector.KindVarchar, Width: 5}, []any{"abc", "ü,\"x"}},
	{vector.Bytea, []any{`\x00ff10`, `\x`, `\x2c22`}},
	{vector.Date, []any{"2024-02-29", "0044-03-15 BC", "infinity"}},
	{vector.Time, []any{"00:00:00", "23:59:59.999999"}},
	{vector.Timestamp, []any{"2024-01-01 00:00:01.5", "1969-12-31 23:59:59", "-infinity"}},
	{vector.TimestampTZ, []any{"2024-01-01 00:00:01.5+00", "2024-06-01 12:00:00+02", "infinity"}},
	{vector.Interval, []any{"1 year 2 mons -3 days 04:05:06.5", "-00:00:01", "00:00:00"}},
	{vector.JSONB, []any{`{"a": [1, 2.50, "x,\"y\""], "b": null}`, `"str"`, `[]`, `-1.5`, `true`}},
}

// TestRoundTrip encodes rows of every type with json and csv, reads the
// stream back into records and decodes them: the values come back the same,
// NULLs included. Each type is tried alone (an empty csv line is a NULL)
// and beside another column.
func TestRoundTrip(t *testing.T) {
	for _, f := range []*Format{JSON, CSV} {
		for _, c := range roundTripCases {
			layouts := map[string][]Column{
				"alone":  {{Name: `v "1"`, Type: c.typ}},
				"beside": {{Name: `v "1"`, Type: c.typ}, {Name: "n", Type: vector.Int4}},
			}
			for layout, cols := range layouts {
				t.Run(f.Name+"/"+c.typ.String()+"/"+layout, func(t *testing.T) {
					var rows [][]any
					for i, v := range append(c.vals, nil) {
						row := []any{v, "7"}
						if i%2 == 1 {
							row[1] = nil
						}
						rows = append(rows, row[:len(cols)])
					}
					b := batchOf(t, cols, rows...)
					enc := newEncoder(t, f, cols)
					var stream []byte
					for i := range b.Len {
						stream = append(enc.Append(stream, b, i, false), '\n')
					}
					got, err := decodeRecords(f, cols, readStream(t, f, stream)...)
					if err != nil {
						t.Fatalf("decoding %q: %v", stream, err)
					}
					want, have := rowsText(b, cols), rowsText(got, cols)
					if strings.Join(want, "\n") != strings.Join(have, "\n") {
						t.Fatalf("stream %q\nwant %q\ngot  %q", stream, want, have)
					}
				})
			}
		}
	}
}

// encodingCols are the columns of TestEncoding.
var encodingCols = cols("id", vector.Int8, "t", vector.Text, "n", vector.Numeric, "f", vector.Float8, "ok", vector.Bool,
	"ts", vector.Timestamp, "tz", vector.TimestampTZ, "j", vector.JSONB, "by", vector.Bytea,
	"d", vector.Date, "iv", vector.Interval)

// TestEncoding checks records against the documented form of each type.
func TestEncoding(t *testing.T) {
	b := batchOf(t, encodingCols,
		[]any{"1", `a"b,c`, "12.50", "NaN", "t", "2024-01-01 00:00:01.5", "2024-06-01 12:00:00+02",
			`{"k": [1, "x"]}`, `\x00ff`, "2024-02-29", "1 day 02:00:00"},
		[]any{"-7", "", nil, "-1.5", "f", nil, nil, nil, nil, nil, nil},
		[]any{"0", "<✓&>", "-0.5", "1e+20", nil, nil, nil, `"s"`, `\x`, "infinity", "-00:00:01"},
	)
	tests := []struct {
		f    *Format
		want []string
	}{
		{JSON, []string{
			`{"id":1,"t":"a\"b,c","n":12.50,"f":"NaN","ok":true,"ts":"2024-01-01 00:00:01.5","tz":"2024-06-01 10:00:00+00",` +
				`"j":{"k": [1, "x"]},"by":"\\x00ff","d":"2024-02-29","iv":"1 day 02:00:00"}`,
			`{"id":-7,"t":"","n":null,"f":-1.5,"ok":false,"ts":null,"tz":null,"j":null,"by":null,"d":null,"iv":null}`,
			`{"id":0,"t":"<✓&>","n":-0.5,"f":1e+20,"ok":null,"ts":null,"tz":null,"j":"s","by":"\\x","d":"infinity","iv":"-00:00:01"}`,
		}},
		{CSV, []string{
			`1,"a""b,c",12.50,NaN,t,2024-01-01 00:00:01.5,2024-06-01 10:00:00+00,"{""k"": [1, ""x""]}",\x00ff,2024-02-29,1 day 02:00:00`,
			`-7,"",,-1.5,f,,,,,,`,
			`0,<✓&>,-0.5,1e+20,,,,"""s""",\x,infinity,-00:00:01`,
		}},
	}
	for _, tt := range tests {
		enc := newEncoder(t, tt.f, encodingCols)
		for i, want := range tt.want {
			if got := string(enc.Append(nil, b, i, false)); got != want {
				t.Errorf("%s row %d:\ngot  %s\nwant %s", tt.f.Name, i, got, want)
			}
		}
	}
}

// TestDecodeJSON covers what json decoding accepts beyond what it writes.
func TestDecodeJSON(t *testing.T) {
	cols := cols("a", vector.Int4, "ts", vector.Timestamp, "tz", vector.TimestampTZ, "t", vector.Text,
		"b", vector.Bool, "n", vector.Numeric, "j", vector.JSONB)
	tests := []struct {
		rec  string
		want []any
	}{
		{`{"a": 1, "ts": "2024-01-01T00:00:01.5Z", "tz": "2024-01-01T02:00:00+02:00", "t": "x", "b": true, "n": 1.50, "j": {"b":1,"a":2}}`,
			[]any{"1", "2024-01-01 00:00:01.5", "2024-01-01 00:00:00+00", "x", "t", "1.50", `{"a": 2, "b": 1}`}},
		// 2024-01-01 00:00:00 UTC is 1704067200 s after the epoch.
		{`{"ts": 1704067201500, "tz": -1000}`, []any{nil, "2024-01-01 00:00:01.5", "1969-12-31 23:59:59+00", nil, nil, nil, nil}},
		// 0001-01-01 00:00:00 UTC is -62135596800 s after the epoch: the first millisecond read.
		{`{"ts": -62135596800000}`, []any{nil, "0001-01-01 00:00:00", nil, nil, nil, nil, nil}},
		{`{"a": "12", "b": "yes", "n": "NaN", "extra": [1], "t": null}`, []any{"12", nil, nil, nil, "t", "NaN", nil}},
		{`{"a": 1, "a": 2}`, []any{"2", nil, nil, nil, nil, nil, nil}},
		{`  { "a" : 3 , "j" : null }  `, []any{"3", nil, nil, nil, nil, nil, nil}},
		{`{"j": "s", "t": "\u00e9\n"}`, []any{nil, nil, nil, "é\n", nil, nil, `"s"`}},
		{`{}`, []any{nil, nil, nil, nil, nil, nil, nil}},
		// Keys in another order, escaped keys, values of other keys skipped.
		{`{"t":"y","a":7,"x":{"a":[1,{"b":null}],"c":"}"},"b":false,"y":[],"\u0061":8,"z":"\\"}`,
			[]any{"8", nil, nil, "y", "f", nil, nil}},
		// Escapes: every short one, a surrogate pair, a lone surrogate.
		{`{"t":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800x"}`,
			[]any{nil, nil, nil, "\"\\/\b\f\n\r\té😀\ufffdx", nil, nil, nil}},
		{"\t{\r\n\"a\"\n:\n5\t}\n", []any{"5", nil, nil, nil, nil, nil, nil}},
		{`{"n":-12.5e-3,"j":[{"k":"v"}, 1e2]}`, []any{nil, nil, nil, nil, nil, "-0.0125", `[{"k": "v"}, 100]`}},
	}
	for _, tt := range tests {
		got, err := decodeRecords(JSON, cols, []byte(tt.rec))
		if err != nil {
			t.Errorf("%s: %v", tt.rec, err)
			continue
		}
		if want, have := rowsText(batchOf(t, cols, tt.want), cols)[0], rowsText(got, cols)[0]; want != have {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.rec, have, want)
		}
	}
}

// TestDecodeErrors: bad records are errors with the documented SQLSTATE,
// naming the column at fault when there is one.
func TestDecodeErrors(t *testing.T) {
	jsonCols := cols("a", vector.Int4, "ts", vector.Timestamp, "t", vector.Text, "d", vector.Date)
	csvCols := cols("a", vector.Int4, "b", vector.Text)
	tests := []struct {
		f     *Format
		rec   string
		code  string
		where string // in the message
	}{
		{JSON, `nope`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": 1`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `[1, 2]`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `null`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, ``, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": 1} x`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": "x"}`, vector.CodeInvalidTextRepresentation, `column "a": invalid input syntax for type integer`},
		{JSON, `{"a": true}`, vector.CodeInvalidTextRepresentation, `column "a": a JSON boolean is not a value of type integer`},
		{JSON, `{"a": 1.5}`, vector.CodeInvalidTextRepresentation, `column "a"`},
		{JSON, `{"a": 3000000000}`, vector.CodeNumericValueOutOfRange, `column "a"`},
		{JSON, `{"ts": 1.5}`, vector.CodeInvalidTextRepresentation, `column "ts"`},
		{JSON, `{"ts": 253402300800000}`, vector.CodeDatetimeFieldOverflow, `column "ts"`},
		{JSON, `{"ts": -62135596800001}`, vector.CodeDatetimeFieldOverflow, `column "ts"`},
		{JSON, `{"ts": 99999999999999999999}`, vector.CodeDatetimeFieldOverflow, `column "ts"`},
		{JSON, `{"ts": "soon"}`, vector.CodeInvalidDatetimeFormat, `column "ts"`},
		{JSON, `{"t": {"x": 1}}`, vector.CodeInvalidTextRepresentation, `column "t": a JSON object is not a value of type text`},
		{JSON, `{"t": 5}`, vector.CodeInvalidTextRepresentation, `column "t": a JSON number`},
		{JSON, `{"d": [5]}`, vector.CodeInvalidTextRepresentation, `column "d": a JSON array`},
		{JSON, `{"a": 1,}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a" 1}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{a: 1}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": 1 "t": "x"}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"x": [1,]}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"x": [,1]}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"x": {"y" 1}}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": 01}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": -}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": 1.}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": 1e}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": +1}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": tru}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"a": nul}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"t": "x\q"}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"t": "\u12g4"}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"t": "\u12"}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, "{\"t\": \"tab\there\"}", vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"t": "open}`, vector.CodeInvalidTextRepresentation, "invalid input syntax for type json"},
		{JSON, `{"x": ` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `}`, vector.CodeProgramLimitExceeded, "stack depth"},
		{JSON, "{\"t\": \"\xff\"}", vector.CodeCharacterNotInRepertoire, `column "t": invalid byte sequence for encoding "UTF8"`},
		{JSON, `{"t": "nul\u0000"}`, vector.CodeUntranslatableCharacter, `column "t": unsupported Unicode escape sequence`},
		{CSV, `1,x,3`, vector.CodeBadCopyFileFormat, "extra data after last expected column"},
		{CSV, `1`, vector.CodeBadCopyFileFormat, `missing data for column "b"`},
		{CSV, `"1,x`, vector.CodeBadCopyFileFormat, "unterminated CSV quoted field"},
		{CSV, `1,x"y`, vector.CodeBadCopyFileFormat, "double quote inside an unquoted CSV field"},
		{CSV, `"1"x,y`, vector.CodeBadCopyFileFormat, "after the closing quote"},
		{CSV, `x,y`, vector.CodeInvalidTextRepresentation, `column "a": invalid input syntax for type integer`},
		{CSV, `"",y`, vector.CodeInvalidTextRepresentation, `column "a"`},
		{CSV, `99999999999,y`, vector.CodeNumericValueOutOfRange, `column "a"`},
	}
	for _, tt := range tests {
		cols := jsonCols
		if tt.f == CSV {
			cols = csvCols
		}
		_, err := decodeRecords(tt.f, cols, []byte(tt.rec))
		if vector.ErrorCode(err) != tt.code || err == nil || !strings.Contains(err.Error(), tt.where) {
			t.Errorf("%s %q: got error %v (%s), want %s containing %q", tt.f.Name, tt.rec, err, vector.ErrorCode(err), tt.code, tt.where)
		}
	}
}

// TestLookup finds every format by name and lists them all when the name
// is unknown.
func TestLookup(t *testing.T) {
	all := []*Format{JSON, CSV, DebeziumJSON, RawString, RawBytes}
	for _, f := range all {
		if got, err := Lookup(f.Name); got != f || err != nil {
			t.Errorf("Lookup(%q) = %v, %v", f.Name, got, err)
		}
		if _, err := f.NewDecoder(cols("s", vector.Text)); err != nil && f != RawBytes {
			t.Errorf("%s cannot read a text column: %v", f.Name, err)
		}
	}
	_, err := Lookup("xml")
	if vector.ErrorCode(err) != vector.CodeInvalidParameterValue ||
		!strings.Contains(err.Error(), "known formats: csv, debezium_json, json, raw_bytes, raw_string") {
		t.Errorf("Lookup(xml): %v", err)
	}
}

// TestDecodeErrorUndoes: a record that fails after some of its values were
// appended leaves the changes as they were, in every readable format.
func TestDecodeErrorUndoes(t *testing.T) {
	cols := cols("id", vector.Int8, "n", vector.Int4)
	tests := []struct {
		f         *Format
		good, bad string
	}{
		{JSON, `{"id":1,"n":2}`, `{"id":3,"n":"x"}`},
		{CSV, `1,2`, `3,x`},
		{DebeziumJSON, `{"op":"u","before":{"id":1,"n":1},"after":{"id":1,"n":2}}`,
			`{"op":"u","before":{"id":3,"n":3},"after":{"id":3,"n":"x"}}`},
	}
	for _, tt := range tests {
		want, err := decodeRecords(tt.f, cols, []byte(tt.good), []byte(tt.good))
		if err != nil {
			t.Fatal(err)
		}
		dec, err := tt.f.NewDecoder(cols)
		if err != nil {
			t.Fatal(err)
		}
		out := NewChanges(cols)
		for i, rec := range []string{tt.good, tt.bad, tt.good} {
			n := out.Len()
			if err := dec.Decode([]byte(rec), out); (err != nil) != (i == 1) || i == 1 && out.Len() != n {
				t.Errorf("%s %s: error %v, %d rows before and %d after", tt.f.Name, rec, err, n, out.Len())
			}
		}
		if got := changesText(out.Finish(), cols); !slices.Equal(got, changesText(want, cols)) {
			t.Errorf("%s: rows %q, want %q", tt.f.Name, got, changesText(want, cols))
		}
	}
}
