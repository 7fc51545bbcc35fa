package vector

import "testing"

// Expected values from Postgres 15 with the C locale.
func TestStringFunctions(t *testing.T) {
	s, ss, sss := []Type{Text}, []Type{Text, Text}, []Type{Text, Text, Text}
	si, sis := []Type{Text, Int4}, []Type{Text, Int4, Text}
	checkFunc(t, "lower", s, []callCase{{args("AbÉ"), "abÉ"}, {args(nil), "NULL"}})
	checkFunc(t, "upper", s, []callCase{{args("abé"), "ABé"}})
	checkFunc(t, "length", s, []callCase{{args("héllo"), "5"}, {args(""), "0"}})
	checkFunc(t, "octet_length", s, []callCase{{args("héllo"), "6"}})
	checkFunc(t, "substr", []Type{Text, Int4, Int4}, []callCase{
		{args("hello", int32(2), int32(3)), "ell"},
		{args("hello", int32(0), int32(3)), "he"},
		{args("hello", nil, int32(3)), "NULL"},
		{args("abc", int32(1), int32(-1)), "ERROR 22011: negative substring length not allowed"},
	})
	checkFunc(t, "substring", si, []callCase{{args("hello", int32(-1)), "hello"}, {args("héllo", int32(2)), "éllo"}})
	checkFunc(t, "position", ss, []callCase{{args("l", "hello"), "3"}})
	checkFunc(t, "strpos", ss, []callCase{{args("héllo", "l"), "3"}, {args("abc", ""), "1"}, {args("abc", "z"), "0"}})
	checkFunc(t, "btrim", ss, []callCase{{args("xxhixx", "x"), "hi"}})
	checkFunc(t, "ltrim", s, []callCase{{args("  hi  "), "hi  "}})
	checkFunc(t, "rtrim", s, []callCase{{args("  hi  "), "  hi"}})
	checkFunc(t, "trim", s, []callCase{{args("  hi  "), "hi"}})
	checkFunc(t, "replace", sss, []callCase{{args("abcabc", "b", "XY"), "aXYcaXYc"}, {args("abc", "", "x"), "abc"}})
	checkFunc(t, "concat_ws", sss, []callCase{{args(",", "a", nil), "a"}, {args(nil, "a", "b"), "NULL"}})
	checkFunc(t, "left", si, []callCase{{args("héllo", int32(2)), "hé"}, {args("hello", int32(-2)), "hel"}})
	checkFunc(t, "right", si, []callCase{{args("hello", int32(2)), "lo"}, {args("hello", int32(-2)), "llo"}})
	checkFunc(t, "lpad", sis, []callCase{{args("hi", int32(5), "xy"), "xyxhi"}, {args("hello", int32(2), "x"), "he"}})
	checkFunc(t, "rpad", si, []callCase{{args("hi", int32(5)), "hi   "}})
	checkFunc(t, "repeat", si, []callCase{{args("ab", int32(3)), "ababab"}, {args("ab", int32(-1)), ""}})
	checkFunc(t, "reverse", s, []callCase{{args("héllo"), "olléh"}})
	checkFunc(t, "split_part", []Type{Text, Text, Int4}, []callCase{
		{args("a,b,c", ",", int32(2)), "b"},
		{args("a,b,c", ",", int32(-1)), "c"},
		{args("a,b,c", ",", int32(5)), ""},
		{args("", ",", int32(1)), ""},
		{args("a,b", ",", int32(0)), "ERROR 22023: field position must not be zero"},
	})
	checkFunc(t, "starts_with", ss, []callCase{{args("hello", "he"), "t"}, {args("hello", "lo"), "f"}})
	checkFunc(t, "initcap", s, []callCase{{args("hello wORLD-foo bar_baz 3rd"), "Hello World-Foo Bar_Baz 3rd"}, {args("éa"), "éA"}})
	checkFunc(t, "md5", s, []callCase{{args("abc"), "900150983cd24fb0d6963f7d28e17f72"}})
	checkFunc(t, "chr", []Type{Int4}, []callCase{{args(int32(233)), "é"}, {args(int32(0)), "ERROR 54000: null character not permitted"}})
	checkFunc(t, "ascii", s, []callCase{{args("é"), "233"}, {args(""), "0"}})
	checkFunc(t, "translate", sss, []callCase{{args("12345", "143", "ax"), "a2x5"}})
	checkFunc(t, "to_hex", []Type{Int4}, []callCase{{args(int32(255)), "ff"}, {args(int32(-1)), "ffffffff"}})
	checkFunc(t, "to_hex", []Type{Int8}, []callCase{{args(int64(-1)), "ffffffffffffffff"}})
	checkFunc(t, "quote_ident", s, []callCase{{args("abc"), "abc"}, {args("Abc"), `"Abc"`}, {args("a b"), `"a b"`}, {args("select"), `"select"`}})
	checkFunc(t, "quote_literal", s, []callCase{{args("it's"), "'it''s'"}, {args(`a\b`), `E'a\\b'`}})
	checkFunc(t, "format", sss, []callCase{{args("%2$s %1$s", "a", "b"), "b a"}, {args("%s-%L", "x", nil), "x-NULL"}})
	checkFunc(t, "format", ss, []callCase{{args("%L", "o'k"), "'o''k'"}, {args("%I", "A b"), `"A b"`}})
	checkFunc(t, "regexp_replace", []Type{Text, Text, Text, Text}, []callCase{
		{args("foobarbaz", "b(..)", `X\1Y`, "g"), "fooXarYXazY"},
		{args("ABC", "b", "x", "i"), "AxC"},
	})
	checkFunc(t, "regexp_replace", sss, []callCase{{args("Hello", "l", "L"), "HeLlo"}})
}

func TestConcatFunctionsAndOperator(t *testing.T) {
	// concat('a', NULL, 1, true) = 'a1t': NULLs skipped, others by their output.
	e, err := NewFunc("concat", []Expr{NewConst("a", Unknown), NewConst(nil, Unknown), NewConst(int32(1), Int4), NewConst(true, Bool)})
	if err != nil {
		t.Fatal(err)
	}
	if got := render(testCtx(), e, &Batch{Len: 1})[0]; got != "a1t" {
		t.Errorf("concat: %q", got)
	}
	checkBinary(t, "||", Text, Int4, []binCase{{"a", int32(1), "a1"}, {"a", nil, "NULL"}})
	checkBinary(t, "||", Int4, Unknown, []binCase{{int32(1), "a", "1a"}})
	checkBinary(t, "||", Varchar, Text, []binCase{{"ab", "cd", "abcd"}})
	checkBinary(t, "||", Int4, Int4, []binCase{{int32(1), int32(2), "ERROR 42883: operator does not exist: integer || integer"}})
}

func TestUnknownFunction(t *testing.T) {
	_, err := NewFunc("foo", []Expr{NewConst(int32(1), Int4)})
	e, ok := err.(*Error)
	if !ok || e.Code != CodeUndefinedFunction || e.Message != "function foo(integer) does not exist" ||
		e.Hint != "No function matches the given name and argument types. You might need to add explicit type casts." {
		t.Errorf("got %#v", err)
	}
	if _, err := NewFunc("lower", []Expr{NewConst(int32(1), Int4)}); errString(err) != "ERROR 42883: function lower(integer) does not exist" {
		t.Errorf("lower(int): %v", err)
	}
	if !FuncExists("lower") || FuncExists("foo") {
		t.Error("FuncExists")
	}
}
