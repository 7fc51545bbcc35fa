package vector

import (
	"math"
	"testing"
)

// fuzzTypes are the types the fuzz targets cycle through.
var fuzzTypes = []Type{Bool, Int2, Int4, Int8, Float4, Float8, Numeric, Text, Bytea, Date, Time, Timestamp, TimestampTZ,
	Interval, JSONB, {Kind: KindVarchar, Width: 4}, {Kind: KindNumeric, Precision: 6, Scale: 2}, OID, Regclass, Name, Char}

// sameValue reports whether two Datums of t are the same value (NaN equal to NaN).
func sameValue(t Type, a, b Datum) bool {
	if t.Kind == KindFloat4 || t.Kind == KindFloat8 {
		fa, fb := toF64(a), toF64(b)
		return fa == fb && math.Signbit(fa) == math.Signbit(fb) || math.IsNaN(fa) && math.IsNaN(fb)
	}
	return CompareDatum(t, a, b) == 0 && FormatDatum(a, t, nil) == FormatDatum(b, t, nil)
}

func toF64(d Datum) float64 {
	if f, ok := d.(float32); ok {
		return float64(f)
	}
	return d.(float64)
}

// FuzzParseText: no input panics, and a value that parses formats to text
// that parses back to the same value.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"1", "-0", "1.5e3", "NaN", "t", `\x0102`, "2024-01-02 03:04:05.5+05:30", "1 year -2 days 03:00",
		"P1DT2H", "0044-03-15 BC", `{"a":[1,2]}`, "infinity", "24:00:00", "abcde"} {
		for k := range fuzzTypes {
			f.Add(s, uint8(k))
		}
	}
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		typ := fuzzTypes[int(k)%len(fuzzTypes)]
		d, err := ParseText(s, typ, nil)
		b := NewBuilder(typ, 1)
		if berr := b.AppendText([]byte(s), nil); ErrorCode(berr) != ErrorCode(err) {
			t.Fatalf("%q::%s: AppendText error %v, ParseText error %v", s, typ, berr, err)
		} else if err == nil && !sameValue(typ, d, ValueAt(b.Finish(), typ, 0)) {
			t.Fatalf("%q::%s: AppendText and ParseText disagree", s, typ)
		}
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%q::%s: non-SQL error %v", s, typ, err)
			}
			return
		}
		out := FormatDatum(d, typ, nil)
		back, err := ParseText(out, typ, nil)
		if err != nil {
			t.Fatalf("%q::%s printed %q which fails to parse: %v", s, typ, out, err)
		}
		if !sameValue(typ, d, back) {
			t.Fatalf("%q::%s printed %q which reads back as %q", s, typ, out, FormatDatum(back, typ, nil))
		}
	})
}

// FuzzDecodeBinary: no input panics, and a value that decodes encodes to
// bytes that decode to the same value.
func FuzzDecodeBinary(f *testing.F) {
	for _, h := range [][]byte{{0, 0, 0, 1}, {0, 2, 0, 0, 0, 0, 0, 4, 4, 210, 22, 46}, {1, '{', '}'}, {0x3f, 0xf8, 0, 0, 0, 0, 0, 0}} {
		for k := range fuzzTypes {
			f.Add(h, uint8(k))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, k uint8) {
		typ := fuzzTypes[int(k)%len(fuzzTypes)]
		d, err := DecodeBinary(b, typ)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("recv %s %x: non-SQL error %v", typ, b, err)
			}
			return
		}
		enc := AppendBinary(nil, ArrayOf(typ, d), typ, 0)
		back, err := DecodeBinary(enc, typ)
		if err != nil || !sameValue(typ, d, back) {
			t.Fatalf("recv %s %x -> %x -> %v, %v", typ, b, enc, back, err)
		}
	})
}

// FuzzCompareJSON: the jsonb order is antisymmetric, and values compare
// equal exactly when their hash keys are equal.
func FuzzCompareJSON(f *testing.F) {
	for _, p := range [][2]string{{`{"a":1}`, `{"a":1.0}`}, {`[1,2]`, `[2,1]`}, {`1`, `[]`}, {`"a\""`, `"a!"`},
		{`{"b":[1,{"c":null}]}`, `{"b":[1,{"c":false}]}`}, {`[[1.50]]`, `[[1.5]]`}} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, x, y string) {
		a, err1 := CanonicalJSON(x)
		b, err2 := CanonicalJSON(y)
		if err1 != nil || err2 != nil {
			return
		}
		ab, ba := CompareDatum(JSONB, a, b), CompareDatum(JSONB, b, a)
		if sign(ab) != -sign(ba) {
			t.Fatalf("%s vs %s: %d, reversed %d", a, b, ab, ba)
		}
		var s1, s2 []byte
		keysEqual := string(jsonHashKey(jsonBytes(a), &s1)) == string(jsonHashKey(jsonBytes(b), &s2))
		if (ab == 0) != keysEqual {
			t.Fatalf("%s vs %s: compare %d, hash keys equal %v", a, b, ab, keysEqual)
		}
	})
}
