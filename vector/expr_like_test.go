package vector

import (
	"fmt"
	"strings"
	"testing"
)

func TestLike(t *testing.T) {
	ctx := testCtx()
	like := func(ci, not bool) func(a []Expr) (Expr, error) {
		return func(a []Expr) (Expr, error) { return NewLike(a[0], a[1], nil, ci, not) }
	}
	// Expected values from Postgres 15.
	checkCall(t, "LIKE", ctx, like(false, false), []Type{Text, Text}, []callCase{
		{args("abc", "a%"), "t"},
		{args("abc", "_b_"), "t"},
		{args("abc", "a_"), "f"},
		{args("a%c", `a\%c`), "t"},
		{args("abc", `a\%c`), "f"},
		{args("héllo", "h_llo"), "t"},
		{args("", "%"), "t"},
		{args("aaa", "%a%a%a%a%"), "f"},
		{args("abcabd", "%ab_"), "t"},
		{args("abc", "abc"), "t"},
		{args("xabcx", "%abc%"), "t"},
		{args("abc", "%c"), "t"},
		{args(nil, "%"), "NULL"},
		{args("abc", nil), "NULL"},
		{args("abc", `ab\`), "ERROR 22025: LIKE pattern must not end with escape character"},
	})
	checkCall(t, "NOT LIKE", ctx, like(false, true), []Type{Text, Text}, []callCase{{args("abc", "%b%"), "f"}, {args(nil, "x"), "NULL"}})
	checkCall(t, "ILIKE", ctx, like(true, false), []Type{Text, Text}, []callCase{{args("ABC", "a%c"), "t"}, {args("xAbCx", "%abc%"), "t"}, {args("abd", "%C"), "f"}})
	checkCall(t, "LIKE ESCAPE", ctx, func(a []Expr) (Expr, error) { return NewLike(a[0], a[1], a[2], false, false) },
		[]Type{Text, Text, Text}, []callCase{{args("a_c", "a#_c", "#"), "t"}, {args("abc", "a#_c", "#"), "f"}, {args("ab", "ab", ""), "t"}})
	// The operator spellings are aliases.
	checkBinary(t, "~~", Text, Text, []binCase{{"abc", "a%", "t"}})
	checkBinary(t, "!~~*", Text, Text, []binCase{{"ABC", "a%", "f"}})
}

func TestRegexMatch(t *testing.T) {
	checkBinary(t, "~", Text, Text, []binCase{{"abc", "^a.c$", "t"}, {"abc", "(", "ERROR 2201B: invalid regular expression: parentheses () not balanced"}, {"abc", "a**", "ERROR 2201B: invalid regular expression: quantifier operand invalid"}})
	checkBinary(t, "~*", Text, Text, []binCase{{"ABC", "b", "t"}})
	checkBinary(t, "!~", Text, Text, []binCase{{"abc", "z", "t"}, {nil, "z", "NULL"}})
}

// BenchmarkLikeContains is col LIKE '%needle%' over 4096 strings.
func BenchmarkLikeContains(b *testing.B) {
	benchLike(b, "%needle%")
}

// BenchmarkLikeGeneral is col LIKE 'a%e_d%' (the backtracking matcher).
func BenchmarkLikeGeneral(b *testing.B) {
	benchLike(b, "%e_d%x")
}

func benchLike(b *testing.B, pattern string) {
	vals := make([]Datum, 4096)
	for i := range vals {
		vals[i] = fmt.Sprintf("row %d %s", i, strings.Repeat("hay", i%7)) + map[bool]string{true: "needle", false: ""}[i%3 == 0]
	}
	batch := batchOf([]Type{Text}, vals)
	e, err := NewLike(NewColumnRef(0, Text, "s"), NewConst(pattern, Text), nil, false, false)
	if err != nil {
		b.Fatal(err)
	}
	ctx := testCtx()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Eval(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
