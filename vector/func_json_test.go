package vector

import (
	"math"
	"testing"
)

// Expected values from Postgres 15.
func TestJSONOperators(t *testing.T) {
	doc := JSONValue(`{"a": {"b": [1, 2, {"c": null}]}, "x": "s"}`)
	checkBinary(t, "->", JSONB, Text, []binCase{
		{doc, "a", `{"b": [1, 2, {"c": null}]}`}, {doc, "zz", "NULL"}, {nil, "a", "NULL"},
		{JSONValue(`{"a": null}`), "a", "null"},
	})
	checkBinary(t, "->>", JSONB, Text, []binCase{{doc, "x", "s"}, {JSONValue(`{"a": null}`), "a", "NULL"}})
	checkBinary(t, "->", JSONB, Int4, []binCase{{JSONValue("[1, 2, 3]"), int32(-1), "3"}, {JSONValue(`{"a": 1}`), int32(0), "NULL"}})
	checkBinary(t, "->>", JSONB, Int4, []binCase{{JSONValue("[1, 2, 3]"), int32(5), "NULL"}})
	// A scalar is a one-element array to -> and ->> (but not to paths).
	checkBinary(t, "->", JSONB, Int4, []binCase{
		{JSONValue(`"plain"`), int32(0), `"plain"`}, {JSONValue(`"plain"`), int32(-1), `"plain"`},
		{JSONValue(`"plain"`), int32(1), "NULL"}, {JSONValue("5"), int32(0), "5"}, {JSONValue("null"), int32(0), "null"},
	})
	checkBinary(t, "->>", JSONB, Int4, []binCase{{JSONValue(`"plain"`), int32(0), "plain"}, {JSONValue("null"), int32(0), "NULL"}})
	checkFunc(t, "jsonb_extract_path", []Type{JSONB, Text}, []callCase{{args(JSONValue(`"plain"`), "0"), "NULL"}})
}

func TestJSONFunctions(t *testing.T) {
	j := []Type{JSONB}
	checkFunc(t, "jsonb_typeof", j, []callCase{{args(JSONValue("1.5")), "number"}, {args(JSONValue("{}")), "object"}, {args(JSONValue("null")), "null"}})
	checkFunc(t, "jsonb_array_length", j, []callCase{
		{args(JSONValue("[1, [2], 3]")), "3"},
		{args(JSONValue("{}")), "ERROR 22023: cannot get array length of a non-array"},
		{args(JSONValue("1")), "ERROR 22023: cannot get array length of a scalar"},
	})
	checkFunc(t, "jsonb_extract_path", []Type{JSONB, Text, Text, Text}, []callCase{{args(JSONValue(`{"a": {"b": [1, 2]}}`), "a", "b", "1"), "2"}})
	checkFunc(t, "jsonb_extract_path_text", []Type{JSONB, Text, Text}, []callCase{{args(JSONValue(`{"a": {"b": "x"}}`), "a", "b"), "x"}})
	checkFunc(t, "jsonb_build_object", []Type{Text, Int4, Text, Text, Text, Bool}, []callCase{
		{args("b", int32(1), "a", "x", "d", true), `{"a": "x", "b": 1, "d": true}`},
		{args(nil, int32(1), "a", "x", "d", true), "ERROR 22023: argument 1: key must not be null"},
	})
	checkFunc(t, "jsonb_build_array", []Type{Int4, Text, Int4, Numeric}, []callCase{{args(int32(1), "a", nil, dec("2.50")), `[1, "a", null, 2.50]`}})
	checkFunc(t, "to_jsonb", []Type{Timestamp}, []callCase{{args(ts("2024-03-10 12:00:00")), `"2024-03-10T12:00:00"`}, {args(nil), "NULL"}})
	checkFunc(t, "to_jsonb", []Type{Numeric}, []callCase{{args(dec("1.5")), "1.5"}})
	checkFunc(t, "to_jsonb", []Type{Float8}, []callCase{{args(1e-7), "0.0000001"}, {args(math.Inf(1)), `"Infinity"`}, {args(2.5), "2.5"}})
	if _, err := NewFunc("jsonb_build_object", []Expr{NewConst("a", Unknown)}); errString(err) != "ERROR 22023: argument list must have even number of elements" {
		t.Errorf("odd jsonb_build_object: %v", err)
	}
}

func TestJSONContainment(t *testing.T) {
	// Expected values from Postgres 15.
	checkBinary(t, "@>", JSONB, JSONB, []binCase{
		{JSONValue(`{"a": 1, "b": {"c": [1, 2, 3]}}`), JSONValue(`{"b": {"c": [3, 1]}}`), "t"},
		{JSONValue(`[1, 2, [3, 4]]`), JSONValue(`[[4]]`), "t"},
		{JSONValue(`["a"]`), JSONValue(`"a"`), "t"},
		{JSONValue(`"a"`), JSONValue(`["a"]`), "f"},
		{JSONValue(`{"a": 1.0}`), JSONValue(`{"a": 1}`), "t"},
		{JSONValue(`{"a": [1]}`), JSONValue(`{"a": 1}`), "f"},
		{JSONValue(`[1, [2]]`), JSONValue(`[2]`), "f"},
		{JSONValue(`{}`), JSONValue(`{}`), "t"},
		{JSONValue(`[]`), JSONValue(`{}`), "f"},
		{nil, JSONValue(`{}`), "NULL"},
	})
	checkBinary(t, "<@", JSONB, JSONB, []binCase{{JSONValue(`{"b": 2}`), JSONValue(`{"a": 1, "b": 2}`), "t"}})
}

func TestJSONBuildersWithoutArguments(t *testing.T) {
	for name, want := range map[string]string{"jsonb_build_object": "{}", "jsonb_build_array": "[]"} {
		e, err := NewFunc(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(testCtx(), e, &Batch{Len: 1})[0]; got != want {
			t.Errorf("%s(): %s", name, got)
		}
	}
	// concat needs at least one argument: function concat() does not exist.
	if _, err := NewFunc("concat", nil); errString(err) != "ERROR 42883: function concat() does not exist" {
		t.Errorf("concat(): %v", err)
	}
}
