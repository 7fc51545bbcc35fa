package vector

import (
	"testing"
)

// jsonbOf is the canonical jsonb of a JSON text.
func jsonbOf(t *testing.T, s string) JSONValue {
	t.Helper()
	j, err := CanonicalJSON(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return j
}

// Expected signs from PostgreSQL 15 (a < b, a = b), C collation.
func TestCompareJSON(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{`{"a":1}`, `{"a":1.0}`, 0},
		{`[1.0, 2]`, `[1, 2.00]`, 0},
		{`[1,2]`, `[2,1]`, -1},
		{`1`, `[]`, 1},     // raw scalar against an array: count first
		{`1`, `[5]`, -1},   // then the raw scalar is smaller
		{`1`, `[1,2]`, -1}, //
		{`"a"`, `[]`, 1},   //
		{`null`, `[]`, 1},  //
		{`true`, `[]`, 1},  //
		{`[]`, `{}`, -1},   // array < object
		{`1`, `{}`, -1},    //
		{`[[1]]`, `[{}]`, -1},
		{`{"b":1}`, `{"aa":1}`, 1}, // keys compare as strings, not by length
		{`{"a":1,"b":2}`, `{"c":0}`, 1},
		{`[1,2,3]`, `[9,9]`, 1},
		{`"a\""`, `"a!"`, 1}, // decoded bytes: '"' > '!'
		{`"ab"`, `"b"`, -1},
		{`"a"`, `"ab"`, -1},
		{`[true]`, `[1]`, 1},
		{`{"a":[1]}`, `{"a":{}}`, -1},
		{`{"a":[]}`, `{"a":1}`, 1},
		{`null`, `"x"`, -1},
		{`"x"`, `-5`, -1},
		{`-5`, `-4.5`, -1},
		{`10`, `9.99`, 1},
		{`false`, `true`, -1},
		{`true`, `100`, 1},
		{`"\n"`, `"\u0001"`, 1},
		{`{"a":{"b":[1,"x"]},"c":null}`, `{"a":{"b":[1,"y"]},"c":null}`, -1},
	}
	for _, tc := range tests {
		a, b := jsonbOf(t, tc.a), jsonbOf(t, tc.b)
		if got := CompareDatum(JSONB, a, b); sign(got) != tc.want {
			t.Errorf("compare %s, %s = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := CompareDatum(JSONB, b, a); sign(got) != -tc.want {
			t.Errorf("compare %s, %s = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
		col := ArrayOf(JSONB, a, b)
		if got := CompareAt(col, 0, col, 1, JSONB); sign(got) != tc.want {
			t.Errorf("CompareAt %s, %s = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Comparator(col, JSONB)(0, 1); sign(got) != tc.want {
			t.Errorf("Comparator %s, %s = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		h := hashesOf(col, JSONB)
		if EqualAt(col, 0, col, 1, JSONB) != (tc.want == 0) || (tc.want == 0 && h[0] != h[1]) {
			t.Errorf("%s, %s: equal %v, hashes %x %x", tc.a, tc.b, EqualAt(col, 0, col, 1, JSONB), h[0], h[1])
		}
	}
}

func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

func TestJSONHashKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a": 1.0}`, `{"a": 1}`},
		{`[1.50, 0.00, 100, -2.10, "1.0"]`, `[1.5, 0, 100, -2.1, "1.0"]`},
		{`{"x.0": "y\"1.0", "z": [10.010]}`, `{"x.0": "y\"1.0", "z": [10.01]}`},
		{`1.25`, `1.25`},
		{`true`, `true`},
	}
	var scratch []byte
	for _, tc := range tests {
		if got := string(jsonHashKey([]byte(tc.in), &scratch)); got != tc.want {
			t.Errorf("jsonHashKey(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
