package vector

import "testing"

func TestJSONAccess(t *testing.T) {
	doc, err := CanonicalJSON(`{"b": {"c": [1, "x", null]}, "a": "s\"q"}`)
	if err != nil {
		t.Fatal(err)
	}
	if doc != `{"a": "s\"q", "b": {"c": [1, "x", null]}}` {
		t.Fatalf("canonical = %s", doc)
	}
	b, ok := JSONGet(doc, "b")
	if !ok || b != `{"c": [1, "x", null]}` {
		t.Errorf("-> 'b' = %s %v", b, ok)
	}
	if _, ok := JSONGet(doc, "zz"); ok {
		t.Error("-> 'zz' found")
	}
	c, _ := JSONGet(b, "c")
	for idx, want := range map[int]string{0: "1", 1: `"x"`, -1: "null", -3: "1"} {
		if got, ok := JSONIndex(c, idx); !ok || string(got) != want {
			t.Errorf("-> %d = %s %v, want %s", idx, got, ok, want)
		}
	}
	if _, ok := JSONIndex(c, 3); ok {
		t.Error("-> 3 found")
	}
	a, _ := JSONGet(doc, "a")
	if s, ok := JSONText(a); !ok || s != `s"q` {
		t.Errorf("->> 'a' = %q", s)
	}
	if _, ok := JSONText("null"); ok {
		t.Error("->> of null is not NULL")
	}
	if s, _ := JSONText(b); s != `{"c": [1, "x", null]}` {
		t.Errorf("->> object = %s", s)
	}
}
