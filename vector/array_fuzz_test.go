package vector

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// arrayFuzzTypes are the array types FuzzArrayText cycles through.
var arrayFuzzTypes = []Type{ArrayOfKind(KindInt4), ArrayOfKind(KindText), ArrayOfKind(KindNumeric), ArrayOfKind(KindFloat8),
	ArrayOfKind(KindBytea), ArrayOfKind(KindTimestampTZ), ArrayOfKind(KindBool), Int2Vector, OIDVector}

// FuzzArrayText: no input panics or fails other than with an SQL error,
// read as text or as the binary form; a value that parses is canonical
// (its text reads back as itself), and the binary form of a valid UTF-8
// value without NUL bytes reads back as the same value (binary input
// checks the encoding, which text input leaves to the protocol).
func FuzzArrayText(f *testing.F) {
	for _, s := range []string{"{}", "{1,2}", " { 1 , NULL } ", `{a,"b c","",NULL,"NULL","q\"",x\,y}`, "[0:1]={1,2}",
		"[2]={5,6}", "{{1}}", "{1,}", "{", `{"a}`, `{a"b}`, "{1.50,-0,NaN}", `{"\\x01",abc}`, "{2024-01-02 03:04:05+02}",
		"{t,f,yes}", "1 2", " 3  -1 ", "", "[1:0]={}", "[-5:-4]={1,2}",
		"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x17\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x07"} {
		for k := range arrayFuzzTypes {
			f.Add(s, uint8(k))
		}
	}
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		typ := arrayFuzzTypes[int(k)%len(arrayFuzzTypes)]
		if _, err := DecodeBinary([]byte(s), typ); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%x as binary %s: non-SQL error %v", s, typ, err)
			}
		}
		d, err := ParseText(s, typ, nil)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%q::%s: non-SQL error %v", s, typ, err)
			}
			return
		}
		v := string(d.(ArrayValue))
		back, err := ParseText(v, typ, nil)
		if err != nil || string(back.(ArrayValue)) != v {
			t.Fatalf("%q::%s is %q, which reads back as %v (%v)", s, typ, v, back, err)
		}
		if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
			return
		}
		bin := AppendBinary(nil, ArrayOf(typ, d), typ, 0)
		fromBin, err := DecodeBinary(bin, typ)
		if err != nil || CompareDatum(typ, fromBin, d) != 0 {
			t.Fatalf("%q::%s: binary form reads back as %v (%v)", v, typ, fromBin, err)
		}
	})
}
