package vector

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Expected values are what PostgreSQL 15 prints for the same input.

var (
	intArr  = ArrayOfKind(KindInt4)
	textArr = ArrayOfKind(KindText)
)

// av is an ArrayValue (the canonical text of an array).
func av(s string) ArrayValue { return ArrayValue(s) }

func TestArrayTextInput(t *testing.T) {
	for _, tc := range []struct {
		typ      Type
		in, want string
	}{
		{intArr, "{ 1 , 2}", "{1,2}"},
		{intArr, "  {}  ", "{}"},
		{intArr, "[2]={5,6}", "{5,6}"},
		{intArr, "[-5:-4]={1,2}", "[-5:-4]={1,2}"},
		{textArr, `{ a b , " c " ,\\,x\\ }`, `{"a b"," c ","\\","x\\"}`},
		{textArr, `{NuLL,"null",nulls}`, `{NULL,"null",nulls}`},
		{textArr, `{(1,2),""," "}`, `{(1,2),""," "}`},
		{ArrayOfKind(KindNumeric), "{1.50,-0.0}", "{1.50,0.0}"},
		{ArrayOfKind(KindFloat8), "{-0,1.5,NaN}", "{-0,1.5,NaN}"},
		{ArrayOfKind(KindBool), "{yes,off}", "{t,f}"},
		{ArrayOfKind(KindBytea), `{"a b",x}`, `{"\\x612062","\\x78"}`},
		{ArrayOfKind(KindTimestampTZ), "{2024-01-02 03:04:05+02}", `{"2024-01-02 01:04:05+00"}`},
		{Int2Vector, " 1  2 ", "1 2"},
		{Int2Vector, "", ""},
		{OIDVector, "1 -1", "1 4294967295"},
	} {
		d, err := ParseText(tc.in, tc.typ, nil)
		switch {
		case err != nil:
			t.Errorf("%q::%s: %v", tc.in, tc.typ, err)
		case string(d.(ArrayValue)) != tc.want:
			t.Errorf("%q::%s: got %q, want %q", tc.in, tc.typ, d, tc.want)
		}
	}
}

func TestArrayTextInputErrors(t *testing.T) {
	for _, tc := range []struct {
		typ                   Type
		in, code, msg, detail string
	}{
		{intArr, "{1 2}", CodeInvalidTextRepresentation, `invalid input syntax for type integer: "1 2"`, ""},
		{intArr, "abc", CodeInvalidTextRepresentation, `malformed array literal: "abc"`, `Array value must start with "{" or dimension information.`},
		{intArr, "[1:2]={1}", CodeInvalidTextRepresentation, `malformed array literal: "[1:2]={1}"`, "Specified array dimensions do not match array contents."},
		{intArr, "[3:1]={}", CodeArraySubscriptError, "upper bound cannot be less than lower bound", ""},
		{intArr, "[1:1]", CodeInvalidTextRepresentation, `malformed array literal: "[1:1]"`, `Missing "=" after array dimensions.`},
		{intArr, "[a]={1}", CodeInvalidTextRepresentation, `malformed array literal: "[a]={1}"`, `"[" must introduce explicitly-specified array dimensions.`},
		{textArr, `{"a"b}`, CodeInvalidTextRepresentation, `malformed array literal: "{"a"b}"`, "Unexpected array element."},
		{textArr, `{a"b}`, CodeInvalidTextRepresentation, `malformed array literal: "{a"b}"`, "Unexpected array element."},
		{textArr, `{"a" "b"}`, CodeInvalidTextRepresentation, `malformed array literal: "{"a" "b"}"`, "Unexpected array element."},
		{textArr, "{a{b}", CodeInvalidTextRepresentation, `malformed array literal: "{a{b}"`, `Unexpected "{" character.`},
		{textArr, "{,}", CodeInvalidTextRepresentation, `malformed array literal: "{,}"`, `Unexpected "," character.`},
		{intArr, "{1,2", CodeInvalidTextRepresentation, `malformed array literal: "{1,2"`, "Unexpected end of input."},
		{intArr, "{1,2}x", CodeInvalidTextRepresentation, `malformed array literal: "{1,2}x"`, "Junk after closing right brace."},
		{intArr, "{{1},{2}}", CodeFeatureNotSupported, "multidimensional arrays are not supported", ""},
		{intArr, "[1:1][1:1]={{1}}", CodeFeatureNotSupported, "multidimensional arrays are not supported", ""},
		{Int2Vector, "1 x", CodeInvalidTextRepresentation, `invalid input syntax for type smallint: "x"`, ""},
		{Int2Vector, "1 99999", CodeNumericValueOutOfRange, `value "99999" is out of range for type smallint`, ""},
	} {
		_, err := ParseText(tc.in, tc.typ, nil)
		e, ok := err.(*Error)
		if !ok || e.Code != tc.code || e.Message != tc.msg || e.Detail != tc.detail {
			t.Errorf("%q::%s: got %#v, want %s %q (%s)", tc.in, tc.typ, err, tc.code, tc.msg, tc.detail)
		}
	}
}

func TestArrayTimestampTZInZone(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	typ := ArrayOfKind(KindTimestampTZ)
	d, err := ParseText("{2024-01-02 03:04:05,NULL}", typ, ny)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"2024-01-02 08:04:05+00",NULL}`; string(d.(ArrayValue)) != want {
		t.Errorf("stored as %q, want %q", d, want)
	}
	if got, want := FormatDatum(d, typ, ny), `{"2024-01-02 03:04:05-05",NULL}`; got != want {
		t.Errorf("shown in New York as %q, want %q", got, want)
	}
	if got, want := string(AppendText(nil, ArrayOf(typ, d), typ, 0, ny)), `{"2024-01-02 03:04:05-05",NULL}`; got != want {
		t.Errorf("column shown in New York as %q, want %q", got, want)
	}
	ctx := testCtx()
	ctx.Location = ny
	checkCall(t, "array_to_string", ctx, func(a []Expr) (Expr, error) { return NewFunc("array_to_string", a) }, []Type{typ, Text},
		[]callCase{{args(d, ";"), "2024-01-02 03:04:05-05"}})
}

func TestArrayBinary(t *testing.T) {
	for _, tc := range []struct {
		typ  Type
		text string
		hex  string // array_send's output, laid out by hand
	}{
		{intArr, "{1,NULL}", "00000001" + "00000001" + "00000017" + "00000002" + "00000001" + "00000004" + "00000001" + "ffffffff"},
		{intArr, "{}", "00000000" + "00000000" + "00000017"},
		{intArr, "[0:0]={7}", "00000001" + "00000000" + "00000017" + "00000001" + "00000000" + "00000004" + "00000007"},
		{textArr, `{"a b"}`, "00000001" + "00000000" + "00000019" + "00000001" + "00000001" + "00000003" + "612062"},
		{Int2Vector, "1 2", "00000001" + "00000000" + "00000015" + "00000002" + "00000000" + "00000002" + "0001" + "00000002" + "0002"},
		{OIDVector, "26", "00000001" + "00000000" + "0000001a" + "00000001" + "00000000" + "00000004" + "0000001a"},
	} {
		got := hex.EncodeToString(AppendBinary(nil, ArrayOf(tc.typ, av(tc.text)), tc.typ, 0))
		if got != tc.hex {
			t.Errorf("%s %s: sent %s, want %s", tc.typ, tc.text, got, tc.hex)
		}
		raw, _ := hex.DecodeString(tc.hex)
		back, err := DecodeBinary(raw, tc.typ)
		if err != nil || back != av(tc.text) {
			t.Errorf("%s %s: received as %v (%v)", tc.typ, tc.hex, back, err)
		}
	}
}

func TestArrayBinaryErrors(t *testing.T) {
	for _, tc := range []struct {
		typ       Type
		hex, code string
	}{
		{ArrayOfKind(KindInt8), "00000001" + "00000000" + "00000017" + "00000001" + "00000001" + "00000004" + "00000001", CodeDatatypeMismatch},
		{intArr, "00000002" + "00000000" + "00000017" + "00000001" + "00000001" + "00000001" + "00000001", CodeFeatureNotSupported},
		{intArr, "00000001" + "00000002" + "00000017" + "00000001" + "00000001" + "00000004" + "00000001", CodeInvalidBinaryRepresentation},
		{intArr, "00000001" + "00000000" + "00000017" + "00000002" + "00000001" + "00000004" + "00000001", CodeInvalidBinaryRepresentation},
		{intArr, "00000001" + "00000000" + "00000017" + "00000001" + "00000001" + "00000003" + "000001", CodeInvalidBinaryRepresentation},
		{intArr, "000000", CodeInvalidBinaryRepresentation},
		{Int2Vector, "00000001" + "00000000" + "00000015" + "00000001" + "00000001" + "00000002" + "0001", CodeInvalidBinaryRepresentation},
	} {
		raw, _ := hex.DecodeString(tc.hex)
		if _, err := DecodeBinary(raw, tc.typ); ErrorCode(err) != tc.code {
			t.Errorf("%s %s: got %v, want %s", tc.typ, tc.hex, err, tc.code)
		}
	}
}

func TestArrayOrderAndHash(t *testing.T) {
	for _, tc := range []struct {
		typ  Type
		a, b string
		want int
	}{
		{intArr, "{1,2}", "{1,10}", -1},
		{intArr, "{1}", "{1,2}", -1},
		{intArr, "{}", "{1}", -1},
		{intArr, "{2}", "{1,5}", 1},
		{intArr, "[0:1]={1,2}", "{1,2}", -1},
		{intArr, "[2:3]={1,2}", "{1,2}", 1},
		{intArr, "{NULL}", "{NULL}", 0},
		{intArr, "{NULL}", "{1}", 1},
		{ArrayOfKind(KindNumeric), "{1.0}", "{1.00}", 0},
		{ArrayOfKind(KindFloat8), "{-0}", "{0}", 0},
		{textArr, "{b}", "{a,z}", 1},
		{Int2Vector, "1 2", "1 3", -1},
		{Int2Vector, "1 2", "1 2", 0},
	} {
		if got := CompareDatum(tc.typ, av(tc.a), av(tc.b)); sign(got) != tc.want {
			t.Errorf("%s %s vs %s: CompareDatum %d, want %d", tc.typ, tc.a, tc.b, got, tc.want)
		}
		col := ArrayOf(tc.typ, av(tc.a), av(tc.b))
		if got := CompareAt(col, 0, col, 1, tc.typ); sign(got) != tc.want {
			t.Errorf("%s %s vs %s: CompareAt %d, want %d", tc.typ, tc.a, tc.b, got, tc.want)
		}
		if h := hashesOf(col, tc.typ); tc.want == 0 && h[0] != h[1] {
			t.Errorf("%s %s and %s are equal but hash apart", tc.typ, tc.a, tc.b)
		}
	}
}

func TestArrayFunctions(t *testing.T) {
	ai, ait := []Type{intArr, Int4}, []Type{intArr, Text}
	checkFunc(t, "array_to_string", ait, []callCase{
		{args(av("{1,NULL,3}"), ","), "1,3"}, {args(av("{}"), ","), ""}, {args(nil, ","), "NULL"}, {args(av("{1}"), nil), "NULL"},
	})
	checkFunc(t, "array_to_string", []Type{intArr, Text, Text}, []callCase{{args(av("{1,NULL,3}"), ",", "*"), "1,*,3"}})
	checkFunc(t, "array_to_string", []Type{Int2Vector, Text}, []callCase{{args(av("1 2"), ","), "1,2"}})
	checkFunc(t, "array_upper", ai, []callCase{
		{args(av("{1,2}"), int32(1)), "2"}, {args(av("[0:1]={1,2}"), int32(1)), "1"},
		{args(av("{}"), int32(1)), "NULL"}, {args(av("{1,2}"), int32(2)), "NULL"},
	})
	checkFunc(t, "array_upper", []Type{Int2Vector, Int4}, []callCase{{args(av("5 7"), int32(1)), "1"}})
	checkFunc(t, "array_lower", ai, []callCase{{args(av("[0:1]={1,2}"), int32(1)), "0"}, {args(av("{}"), int32(1)), "NULL"}})
	checkFunc(t, "array_length", ai, []callCase{{args(av("{1,2}"), int32(1)), "2"}, {args(av("{}"), int32(1)), "NULL"}})
	checkFunc(t, "cardinality", []Type{intArr}, []callCase{{args(av("{}")), "0"}, {args(av("{1,NULL}")), "2"}})
	checkFunc(t, "array_ndims", []Type{intArr}, []callCase{{args(av("{1}")), "1"}, {args(av("{}")), "NULL"}})
	checkFunc(t, "array_dims", []Type{intArr}, []callCase{{args(av("[0:1]={1,2}")), "[0:1]"}, {args(av("{}")), "NULL"}})
	checkFunc(t, "string_to_array", []Type{Text, Text}, []callCase{
		{args("a,b,,c", ","), `{a,b,"",c}`}, {args("abc", nil), "{a,b,c}"}, {args("abc", ""), "{abc}"}, {args("", ","), "{}"},
	})
	checkFunc(t, "string_to_array", []Type{Text, Text, Text}, []callCase{{args("a,N,b", ",", "N"), "{a,NULL,b}"}})
	checkFunc(t, "array_position", ai, []callCase{
		{args(av("{1,NULL,3}"), nil), "2"}, {args(av("[0:2]={5,6,7}"), int32(7)), "2"}, {args(av("{1,2}"), int32(5)), "NULL"},
	})
	checkFunc(t, "array_position", []Type{intArr, Int4, Int4}, []callCase{{args(av("{1,2,3,2}"), int32(2), int32(3)), "4"}})
	checkFunc(t, "array_remove", ai, []callCase{{args(av("{1,2,1}"), int32(1)), "{2}"}, {args(av("{1,NULL}"), nil), "{1}"}})
	checkFunc(t, "array_cat", []Type{intArr, intArr}, []callCase{
		{args(av("[2:3]={1,2}"), av("[5:6]={3,4}")), "[2:5]={1,2,3,4}"}, {args(av("{}"), av("[5:6]={3,4}")), "[5:6]={3,4}"},
		{args(av("{1}"), nil), "{1}"}, {args(nil, nil), "NULL"},
	})
	checkFunc(t, "array_append", ai, []callCase{{args(nil, int32(1)), "{1}"}, {args(av("{1}"), nil), "{1,NULL}"}})
	checkFunc(t, "array_prepend", []Type{Int2, Int2Vector}, []callCase{{args(int16(0), av("1 2")), "[0:2]={0,1,2}"}})
	checkFunc(t, "cardinality", []Type{Int4}, []callCase{{args(int32(1)), "ERROR 42883: function cardinality(integer) does not exist"}})
}

func TestArrayOperators(t *testing.T) {
	checkBinary(t, "||", intArr, intArr, []binCase{{av("{1}"), av("{2,3}"), "{1,2,3}"}, {nil, av("{2}"), "{2}"}})
	checkBinary(t, "||", intArr, Int4, []binCase{{av("{1}"), nil, "{1,NULL}"}, {av("[0:0]={1}"), int32(2), "[0:1]={1,2}"}})
	checkBinary(t, "||", intArr, Int8, []binCase{{av("{1}"), int64(2), "{1,2}"}})
	checkBinary(t, "||", Int2, Int2Vector, []binCase{{int16(0), av("1 2"), "[0:2]={0,1,2}"}})
	checkBinary(t, "||", intArr, Unknown, []binCase{{av("{1}"), "{2}", "{1,2}"}})
	checkBinary(t, "||", intArr, Text, []binCase{{av("{1}"), "a", "ERROR 42883: operator does not exist: integer[] || text"}})
	checkBinary(t, "=", intArr, intArr, []binCase{
		{av("{1,2}"), av("{1,2}"), "t"}, {av("[0:1]={1,2}"), av("{1,2}"), "f"}, {av("{NULL}"), av("{NULL}"), "t"}, {nil, av("{1}"), "NULL"},
	})
	checkBinary(t, "<", intArr, intArr, []binCase{
		{av("{1,2}"), av("{1,10}"), "t"}, {av("{1}"), av("{1,2}"), "t"}, {av("[2:3]={1,2}"), av("{1,2}"), "f"},
	})
	checkBinary(t, "=", intArr, Unknown, []binCase{{av("{0}"), "{0}", "t"}})
	checkBinary(t, "=", intArr, ArrayOfKind(KindInt8), []binCase{{av("{1}"), av("{1}"), "ERROR 42883: operator does not exist: integer[] = bigint[]"}})
	checkBinary(t, "=", Int2Vector, Int2Vector, []binCase{{av("1 2"), av("1 2"), "t"}})
	checkBinary(t, "@>", intArr, intArr, []binCase{
		{av("{1,2}"), av("{1}"), "t"}, {av("{1}"), av("{1,2}"), "f"}, {av("{1,NULL}"), av("{NULL}"), "f"}, {av("{1}"), av("{}"), "t"},
		{nil, av("{1}"), "NULL"},
	})
	checkBinary(t, "<@", intArr, intArr, []binCase{{av("{1}"), av("{1,2}"), "t"}})
	checkBinary(t, "&&", intArr, intArr, []binCase{{av("{1,2}"), av("{2,3}"), "t"}, {av("{1}"), av("{2}"), "f"}, {av("{NULL}"), av("{NULL}"), "f"}})
	checkBinary(t, "@>", intArr, Unknown, []binCase{{av("{1,2}"), "{2}", "t"}})
	checkBinary(t, "@>", intArr, ArrayOfKind(KindInt8), []binCase{{av("{1}"), av("{1}"), "ERROR 42883: operator does not exist: integer[] @> bigint[]"}})
}

func TestArrayIsDistinctFrom(t *testing.T) {
	checkCall(t, "IS DISTINCT FROM", testCtx(), func(a []Expr) (Expr, error) { return NewIsDistinct(a[0], a[1], false) },
		[]Type{intArr, intArr}, []callCase{
			{args(av("{1,2}"), av("{1,2}")), "f"}, {args(av("{1}"), nil), "t"}, {args(nil, nil), "f"}, {args(av("{1}"), av("{2}")), "t"},
		})
}

func TestArrayAnyAll(t *testing.T) {
	quantified := func(op string, all bool) func(a []Expr) (Expr, error) {
		return func(a []Expr) (Expr, error) { return NewArrayCompare(op, a[0], a[1], all) }
	}
	ctx := testCtx()
	checkCall(t, "= ANY", ctx, quantified("=", false), []Type{Int4, intArr}, []callCase{
		{args(int32(1), av("{1,2}")), "t"}, {args(int32(3), av("{1,2}")), "f"}, {args(int32(2), av("{1,NULL}")), "NULL"},
		{args(int32(1), av("{1,NULL}")), "t"}, {args(nil, av("{}")), "f"}, {args(nil, av("{1}")), "NULL"}, {args(int32(1), nil), "NULL"},
	})
	checkCall(t, "<> ALL", ctx, quantified("<>", true), []Type{Int4, intArr}, []callCase{
		{args(int32(1), av("{2,3}")), "t"}, {args(int32(2), av("{2,3}")), "f"}, {args(int32(1), av("{2,NULL}")), "NULL"},
		{args(int32(2), av("{2,NULL}")), "f"}, {args(int32(1), av("{}")), "t"},
	})
	checkCall(t, "< ANY", ctx, quantified("<", false), []Type{Int4, intArr}, []callCase{{args(int32(1), av("{0,2}")), "t"}, {args(int32(5), av("{0,2}")), "f"}})
	checkCall(t, "= ANY", ctx, quantified("=", false), []Type{Int8, intArr}, []callCase{{args(int64(1), av("{1}")), "t"}})
	checkCall(t, "= ANY", ctx, quantified("=", false), []Type{Numeric, intArr}, []callCase{{args(dec("2.5"), av("{1,2}")), "f"}, {args(dec("2.0"), av("{1,2}")), "t"}})
	checkCall(t, "= ANY", ctx, quantified("=", false), []Type{Int2, Int2Vector}, []callCase{{args(int16(2), av("1 2")), "t"}})
	checkCall(t, "= ANY", ctx, quantified("=", false), []Type{Int4, Unknown}, []callCase{{args(int32(2), "{1,2}"), "t"}})
	checkCall(t, "= ANY", ctx, quantified("=", false), []Type{Text, intArr}, []callCase{{args("a", av("{1}")), "ERROR 42883: operator does not exist: text = integer"}})
	checkCall(t, "= ANY", ctx, quantified("=", false), []Type{Int4, Int4}, []callCase{{args(int32(1), int32(1)), "ERROR 42809: op ANY/ALL (array) requires array on right side"}})
}

func TestArraySubscript(t *testing.T) {
	sub := func(a []Expr) (Expr, error) { return NewSubscript(a[0], a[1]) }
	ctx := testCtx()
	checkCall(t, "[]", ctx, sub, []Type{intArr, Int4}, []callCase{
		{args(av("{10,20,30}"), int32(2)), "20"}, {args(av("{10,20,30}"), int32(4)), "NULL"}, {args(av("{10,20,30}"), int32(0)), "NULL"},
		{args(av("[0:1]={1,2}"), int32(0)), "1"}, {args(nil, int32(1)), "NULL"}, {args(av("{1}"), nil), "NULL"},
	})
	checkCall(t, "[]", ctx, sub, []Type{Int2Vector, Int4}, []callCase{{args(av("5 7"), int32(1)), "7"}, {args(av("5 7"), int32(2)), "NULL"}})
	checkCall(t, "[]", ctx, sub, []Type{Name, Int4}, []callCase{
		{args("abc", int32(0)), "a"}, {args("abc", int32(5)), ""}, {args("abc", int32(64)), "NULL"},
	})
	checkCall(t, "[]", ctx, sub, []Type{Int4, Int4}, []callCase{
		{args(int32(1), int32(1)), "ERROR 42804: cannot subscript type integer because it does not support subscripting"},
	})
}

func TestArraySlice(t *testing.T) {
	ctx := testCtx()
	slice := func(a []Expr) (Expr, error) { return NewSlice(a[0], a[1], a[2]) }
	checkCall(t, "[:]", ctx, slice, []Type{intArr, Int4, Int4}, []callCase{
		{args(av("{1,2,3}"), int32(2), int32(3)), "{2,3}"}, {args(av("{1,2,3}"), int32(5), int32(6)), "{}"},
		{args(av("[0:2]={1,2,3}"), int32(0), int32(1)), "{1,2}"}, {args(av("{1,2,3}"), int32(3), int32(1)), "{}"},
		{args(av("{1,2,3}"), nil, int32(2)), "NULL"},
	})
	checkCall(t, "[:]", ctx, slice, []Type{Int2Vector, Int4, Int4}, []callCase{{args(av("1 2 3"), int32(1), int32(2)), "{2,3}"}})
	open := func(a []Expr) (Expr, error) { return NewSlice(a[0], nil, a[1]) }
	checkCall(t, "[:upper]", ctx, open, []Type{intArr, Int4}, []callCase{{args(av("{1,2,3}"), int32(2)), "{1,2}"}})
	from := func(a []Expr) (Expr, error) { return NewSlice(a[0], a[1], nil) }
	checkCall(t, "[lower:]", ctx, from, []Type{intArr, Int4}, []callCase{{args(av("{1,2,3}"), int32(2)), "{2,3}"}})
}

func TestArrayConstructor(t *testing.T) {
	ctor := func(a []Expr) (Expr, error) { return NewArrayCtor(a) }
	ctx := testCtx()
	checkCall(t, "ARRAY", ctx, ctor, []Type{Int4, Int4}, []callCase{{args(int32(1), int32(2)), "{1,2}"}, {args(int32(1), nil), "{1,NULL}"}})
	checkCall(t, "ARRAY", ctx, ctor, []Type{Text, Text}, []callCase{{args("a b", `q"`), `{"a b","q\""}`}, {args("", "NULL"), `{"","NULL"}`}})
	checkCall(t, "ARRAY", ctx, ctor, []Type{Int4, Numeric}, []callCase{{args(int32(1), dec("2.5")), "{1,2.5}"}})
	checkCall(t, "ARRAY", ctx, ctor, []Type{intArr}, []callCase{{args(av("{1}")), "ERROR 0A000: multidimensional arrays are not supported"}})
	if _, err := NewArrayCtor(nil); ErrorCode(err) != CodeIndeterminateDatatype {
		t.Errorf("ARRAY[]: got %v, want 42P18", err)
	}
}

func TestArrayCasts(t *testing.T) {
	ctx := testCtx()
	for _, tc := range []struct {
		from, to Type
		in       Datum
		want     string
	}{
		{ArrayOfKind(KindInt2), intArr, av("{1,2}"), "{1,2}"},
		{Int2Vector, ArrayOfKind(KindInt2), av("1 2"), "[0:1]={1,2}"},
		{OIDVector, ArrayOfKind(KindOID), av("26 23"), "[0:1]={26,23}"},
		{Text, intArr, "{ 1,2 }", "{1,2}"},
		{intArr, Text, av("{1,2}"), "{1,2}"},
		{intArr, textArr, av("{1,NULL}"), "{1,NULL}"},
		{textArr, intArr, av("{a}"), `ERROR 22P02: invalid input syntax for type integer: "a"`},
		{ArrayOfKind(KindFloat8), intArr, av("{1.5,2.5}"), "{2,2}"},
		{intArr, Int2Vector, av("{1}"), "ERROR 42846: cannot cast type integer[] to int2vector"},
		{intArr, Int4, av("{1}"), "ERROR 42846: cannot cast type integer[] to integer"},
		{Text, ArrayType(Type{Kind: KindVarchar, Width: 3}), "{abcd,NULL}", "{abc,NULL}"},
		{Text, ArrayType(Type{Kind: KindNumeric, Precision: 5, Scale: 2}), "{1.234}", "{1.23}"},
	} {
		var got string
		if e, err := NewCast(NewColumnRef(0, tc.from, "a"), tc.to); err != nil {
			got = errString(err)
		} else {
			got = render(ctx, e, batchOf([]Type{tc.from}, []Datum{tc.in}))[0]
		}
		if got != tc.want {
			t.Errorf("%v::%s → %s: got %q, want %q", tc.in, tc.from, tc.to, got, tc.want)
		}
	}
	for _, tc := range []struct {
		from, to       Type
		implicit, assn bool
	}{
		{ArrayOfKind(KindInt2), intArr, true, true},
		{intArr, textArr, false, true},
		{textArr, intArr, false, false},
		{Int2Vector, ArrayOfKind(KindInt2), true, true},
		{ArrayOfKind(KindInt2), Int2Vector, false, false},
		{intArr, Text, false, true},
		{Text, intArr, false, false},
	} {
		if got := CanCoerce(tc.from, tc.to); got != tc.implicit {
			t.Errorf("CanCoerce(%s, %s) = %v", tc.from, tc.to, got)
		}
		if _, err := NewAssignmentCast(NewColumnRef(0, tc.from, "a"), tc.to); (err == nil) != tc.assn {
			t.Errorf("assignment %s → %s: %v", tc.from, tc.to, err)
		}
	}
	// Assignment keeps the elements' modifiers strict.
	v3 := ArrayType(Type{Kind: KindVarchar, Width: 3})
	if _, err := NewAssignmentCast(NewConst("{abcd}", Unknown), v3); err == nil || errString(err) != "ERROR 22001: value too long for type character varying(3)" {
		t.Errorf("'{abcd}' assigned to %s: %v", v3, err)
	}
	if got, want := v3.String()+" "+strconv.Itoa(int(v3.Modifier())), "character varying(3)[] 7"; got != want {
		t.Errorf("varchar(3)[] is %q, want %q", got, want)
	}
}

func TestArrayCommonType(t *testing.T) {
	for _, tc := range []struct {
		in   []Type
		want string
	}{
		{[]Type{intArr, Unknown}, "integer[]"},
		{[]Type{intArr, ArrayOfKind(KindInt8)}, "bigint[]"},
		{[]Type{Int2Vector, Int2Vector}, "int2vector"},
		{[]Type{intArr, Int4}, "ERROR 42804: types integer[] and integer cannot be matched"},
	} {
		got, err := CommonType(tc.in)
		if s := got.String(); err != nil && errString(err) != tc.want || err == nil && s != tc.want {
			t.Errorf("CommonType(%v) = %s, %v; want %s", tc.in, s, err, tc.want)
		}
	}
}

func TestExpandArrayRecords(t *testing.T) {
	rows, err := ExpandArray(textArr, av(`{a,"b c",NULL,"q\"",""}`))
	if err != nil {
		t.Fatal(err)
	}
	rt := ExpandArrayType(textArr)
	want := []string{"(a,1)", `("b c",2)`, "(,3)", `("q""",4)`, `("",5)`}
	xs := []string{"a", "b c", "NULL", `q"`, ""}
	for i, w := range want {
		if got := renderAt(rows, rt, i, time.UTC); got != w {
			t.Errorf("record %d: got %s, want %s", i, got, w)
		}
	}
	ref := NewColumnRef(0, rt, "keys")
	x, err := NewFieldSelect(ref, "x")
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewFieldSelect(ref, "n")
	if err != nil {
		t.Fatal(err)
	}
	b := NewBatch([]arrow.Array{rows}, rows.Len())
	if got := render(testCtx(), x, b); strings.Join(got, "|") != strings.Join(xs, "|") {
		t.Errorf("(keys).x: got %q, want %q", got, xs)
	}
	if got := render(testCtx(), n, b); strings.Join(got, "|") != "1|2|3|4|5" {
		t.Errorf("(keys).n: got %q", got)
	}
	if _, err := NewFieldSelect(ref, "y"); ErrorCode(err) != CodeUndefinedColumn {
		t.Errorf("(keys).y: got %v, want 42703", err)
	}
	if _, err := NewFieldSelect(NewColumnRef(0, Int4, "i"), "x"); ErrorCode(err) != CodeWrongObjectType {
		t.Errorf("(i).x: got %v, want 42809", err)
	}
}

// Record fields print as Postgres' record_out prints them (SELECT
// ROW('a"b', 'c\d', ”, 'x y', 'p(q)', 'plain')): quotes and backslashes
// doubled inside the quotes, unlike array elements.
func TestAppendRecordField(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`a"b`, `"a""b"`}, {`c\d`, `"c\\d"`}, {``, `""`}, {`x y`, `"x y"`}, {`p(q)`, `"p(q)"`}, {`plain`, `plain`},
		{`NULL`, `NULL`},
	} {
		if got := string(appendRecordField(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("field %q prints %s, want %s", tc.in, got, tc.want)
		}
	}
}
