package vector

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// fakeCatalog resolves reg* names from a fixed table, as a session would.
type fakeCatalog map[Kind]map[string]uint32

func (c fakeCatalog) OIDByName(k Kind, name string) (uint32, error) {
	if oid, ok := c[k][name]; ok {
		return oid, nil
	}
	return 0, Errorf(CodeUndefinedTable, "relation %q does not exist", name)
}

func (c fakeCatalog) NameByOID(k Kind, oid uint32) (string, bool) {
	for name, o := range c[k] {
		if o == oid {
			return name, true
		}
	}
	return "", false
}

var testCatalog = fakeCatalog{
	KindRegclass:     {"pg_class": 1259, "public.t": 16386},
	KindRegtype:      {"integer": 23},
	KindRegnamespace: {"pg_catalog": 11},
}

// Text input and output of oid, reg* (without a catalog), name and "char".
// Expected values and errors from PostgreSQL 15.
func TestCatalogScalarText(t *testing.T) {
	regnamespace := Type{Kind: KindRegnamespace}
	tests := []struct {
		typ  Type
		in   string
		want string // output text, or "ERROR <code>"
	}{
		{OID, "1259", "1259"}, {OID, "4294967295", "4294967295"}, {OID, "-1", "4294967295"},
		{OID, "-2147483648", "2147483648"}, {OID, "  5", "5"}, {OID, "5 ", "5"}, {OID, "+5", "5"},
		{OID, "-0", "0"}, {OID, "00012", "12"},
		{OID, "4294967296", "ERROR " + CodeNumericValueOutOfRange}, {OID, "-2147483649", "ERROR " + CodeNumericValueOutOfRange},
		{OID, "99999999999999999999", "ERROR " + CodeNumericValueOutOfRange},
		{OID, "x", "ERROR " + CodeInvalidTextRepresentation}, {OID, "", "ERROR " + CodeInvalidTextRepresentation},
		{OID, "1e3", "ERROR " + CodeInvalidTextRepresentation}, {OID, "- 5", "ERROR " + CodeInvalidTextRepresentation},
		{Regclass, "-", "-"}, {Regclass, "0", "-"}, {Regproc, "-", "-"}, {regnamespace, "16386", "16386"},
		{Regclass, "pg_class", "ERROR " + CodeFeatureNotSupported},
		{Name, "abc", "abc"}, {Name, strings.Repeat("a", 70), strings.Repeat("a", 63)},
		{Name, strings.Repeat("é", 40), strings.Repeat("é", 31)},
		{Char, "a", "a"}, {Char, "abc", "a"}, {Char, "", ""}, {Char, `\303`, `\303`}, {Char, "é", `\303`},
		{Char, `\3`, `\`}, {Char, `\\`, `\`},
	}
	for _, tc := range tests {
		d, err := ParseText(tc.in, tc.typ, nil)
		got := ""
		if err != nil {
			got = "ERROR " + sqlState(err)
		} else {
			got = FormatDatum(d, tc.typ, nil)
			if col := string(AppendText(nil, ArrayOf(tc.typ, d), tc.typ, 0, nil)); col != got {
				t.Errorf("%q::%s: AppendText %q, FormatDatum %q", tc.in, tc.typ, col, got)
			}
		}
		if got != tc.want {
			t.Errorf("%q::%s = %q, want %q", tc.in, tc.typ, got, tc.want)
		}
		// COPY reads through the builder: the same values and errors.
		b := NewBuilder(tc.typ, 1)
		if err := b.AppendText([]byte(tc.in), nil); err != nil {
			got = "ERROR " + sqlState(err)
		} else {
			got = FormatDatum(ValueAt(b.Finish(), tc.typ, 0), tc.typ, nil)
		}
		if got != tc.want {
			t.Errorf("Builder.AppendText %q as %s = %q, want %q", tc.in, tc.typ, got, tc.want)
		}
	}
}

// Casts among integers, oid, the reg* types, text, name and "char", as
// constants folded at construction and as columns. Expected values and
// errors from PostgreSQL 15.
func TestCatalogScalarCasts(t *testing.T) {
	tests := []struct {
		val      Datum
		from, to Type
		want     string // output text, or "ERROR <code>: <message>"
	}{
		{int32(-1), Int4, OID, "4294967295"}, {int16(-1), Int2, OID, "4294967295"}, {int64(4294967295), Int8, OID, "4294967295"},
		{int64(-1), Int8, OID, "ERROR 22003: OID out of range"}, {int64(4294967296), Int8, Regclass, "ERROR 22003: OID out of range"},
		{int64(4294967295), OID, Int4, "-1"}, {int64(4294967295), OID, Int8, "4294967295"}, {int64(23), Regtype, Int4, "23"},
		{int64(1259), OID, Regclass, "1259"}, {int64(1259), Regclass, OID, "1259"},
		{int64(4294967295), OID, Text, "4294967295"}, {"12", Text, OID, "12"},
		{"abcd", Text, Char, "a"}, {"", Text, Char, ""}, {"ab", Name, Char, "a"}, {"ab", Varchar, Char, "a"},
		{"a", Char, Text, "a"}, {"\xc3", Char, Text, `\303`}, {"a", Char, Name, "a"}, {"", Char, Text, ""},
		{"a", Char, Int4, "97"}, {"\xc3", Char, Int4, "-61"}, {"", Char, Int4, "0"},
		{int32(65), Int4, Char, "A"}, {int32(-56), Int4, Char, `\310`}, {int32(0), Int4, Char, ""},
		{int32(200), Int4, Char, `ERROR 22003: "char" out of range`},
		{strings.Repeat("x", 64), Text, Name, strings.Repeat("x", 63)}, {"abc", Name, Text, "abc"},
		{int32(1), Int4, Name, "1"},
	}
	ctx := &EvalContext{}
	for _, tc := range tests {
		name := fmt.Sprintf("%v::%s::%s", tc.val, tc.from, tc.to)
		e, err := NewCast(NewConst(tc.val, tc.from), tc.to)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := render(ctx, e, &Batch{Len: 1})[0]; got != tc.want {
			t.Errorf("%s = %q, want %q", name, got, tc.want)
		}
		got := ""
		out, err := CastArray(ctx, ArrayOf(tc.from, nil, tc.val), tc.from, tc.to)
		if err != nil {
			got = errString(err)
		} else if !out.IsNull(0) {
			got = "NULL not kept"
		} else {
			got = renderAt(out, tc.to, 1, nil)
		}
		if got != tc.want {
			t.Errorf("column %s = %q, want %q", name, got, tc.want)
		}
	}
	// Casts Postgres does not have.
	for _, p := range [][2]Type{{OID, Int2}, {OID, Numeric}, {OID, Float8}, {Numeric, Char}, {Bool, Char}, {Char, Int8}, {Regclass, Regtype}} {
		if _, err := NewCast(NewColumnRef(0, p[0], "x"), p[1]); sqlState(err) != CodeCannotCoerce {
			t.Errorf("%s::%s: %v, want 42846", p[0], p[1], err)
		}
	}
}

// Text to reg* looks the name up in the session's catalog when evaluated,
// and reg* to text prints the name; a number is the OID itself.
func TestRegCatalogLookups(t *testing.T) {
	regnamespace := Type{Kind: KindRegnamespace}
	tests := []struct {
		in   string
		to   Type
		want string // the OID, or "ERROR <code>"
		text string // the value cast back to text
	}{
		{"pg_class", Regclass, "1259", "pg_class"}, {"public.t", Regclass, "16386", "public.t"},
		{"16386", Regclass, "16386", "public.t"}, {"99999", Regclass, "99999", "99999"},
		{"-", Regclass, "0", "-"}, {"integer", Regtype, "23", "integer"}, {"pg_catalog", regnamespace, "11", "pg_catalog"},
		{"nope", Regclass, "ERROR " + CodeUndefinedTable, ""}, {"1x", Regclass, "ERROR " + CodeUndefinedTable, ""},
		{"4294967296", Regclass, "ERROR " + CodeNumericValueOutOfRange, ""},
	}
	ctx := &EvalContext{Catalog: testCatalog}
	for _, tc := range tests {
		reg, err := NewCast(NewConst(tc.in, Unknown), tc.to)
		if err != nil {
			t.Fatalf("'%s'::%s at construction: %v", tc.in, tc.to, err)
		}
		oid, err := NewCast(reg, OID)
		if err != nil {
			t.Fatal(err)
		}
		got := render(ctx, oid, &Batch{Len: 1})[0]
		if strings.HasPrefix(got, "ERROR") {
			got = got[:len("ERROR 22003")]
		}
		if got != tc.want {
			t.Errorf("'%s'::%s::oid = %s, want %s", tc.in, tc.to, got, tc.want)
		}
		if tc.text == "" {
			continue
		}
		text, err := NewCast(reg, Text)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(ctx, text, &Batch{Len: 1})[0]; got != tc.text {
			t.Errorf("'%s'::%s::text = %s, want %s", tc.in, tc.to, got, tc.text)
		}
	}
	// A parameter cast to a reg* type is read as text, looked up when used.
	params := &ParamTypes{}
	e, err := NewCast(NewParam(0, params), Regclass)
	if err != nil || params.Types[0] != Text {
		t.Fatalf("$1::regclass: %v, parameter type %v", err, params.Types)
	}
	pctx := &EvalContext{Catalog: testCatalog, Params: []Datum{"pg_class"}}
	if got := render(pctx, e, &Batch{Len: 1})[0]; got != "1259" {
		t.Errorf("$1::regclass with 'pg_class' = %s, want 1259", got)
	}
	// Without a session there is no catalog: a name is refused, not a panic.
	e, err = NewCast(NewConst("pg_class", Unknown), Regclass)
	if err != nil {
		t.Fatal(err)
	}
	if got := render(&EvalContext{}, e, &Batch{Len: 1})[0]; !strings.HasPrefix(got, "ERROR "+CodeFeatureNotSupported) {
		t.Errorf("'pg_class'::regclass without a catalog = %s", got)
	}
}

// Comparisons resolve as Postgres: oid against integers and unknown
// literals in oid, "char" against its literals, name against text.
func TestCatalogScalarCompare(t *testing.T) {
	types := []Type{OID, Char, Name, Regclass}
	b := batchOf(types,
		[]Datum{int64(1259), int64(4294967295), nil},
		[]Datum{"r", "", "\xc3"},
		[]Datum{"pg_class", "abc", "b"},
		[]Datum{int64(1259), int64(0), int64(16386)},
	)
	col := func(i int) Expr { return NewColumnRef(i, types[i], types[i].String()) }
	tests := []struct {
		name string
		op   string
		l, r Expr
		want string
	}{
		{"oid = 1259", "=", col(0), NewConst(int32(1259), Int4), "t f NULL"},
		{"oid = -1", "=", col(0), NewConst(int32(-1), Int4), "f t NULL"},
		{"oid > 2000::int8", ">", col(0), NewConst(int64(2000), Int8), "f t NULL"},
		{"oid = '1259'", "=", col(0), NewConst("1259", Unknown), "t f NULL"},
		{"oid < 4294967295::oid", "<", col(0), NewConst(int64(4294967295), OID), "t f NULL"},
		{"regclass = oid", "=", col(3), col(0), "t f NULL"},
		{"regclass = 0", "=", col(3), NewConst(int32(0), Int4), "f t f"},
		{"relkind = 'r'", "=", col(1), NewConst("r", Unknown), "t f f"},
		{"relkind = ''", "=", col(1), NewConst("", Unknown), "f t f"},
		{"relkind > 'b'", ">", col(1), NewConst("b", Unknown), "t f t"},
		{"relkind::text = '\\303'", "=", col(1), NewConst(`\303`, Text), "f f t"},
		{"name = 'abc'::text", "=", col(2), NewConst("abc", Text), "f t f"},
		{"name < 'b'", "<", col(2), NewConst("b", Unknown), "f t f"},
	}
	for _, tc := range tests {
		e, err := NewBinary(tc.op, tc.l, tc.r)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := strings.Join(render(testCtx(), e, b), " "); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, got, tc.want)
		}
	}
	in, err := NewIn(col(1), []Expr{NewConst("r", Unknown), NewConst("p", Unknown), NewConst("", Unknown)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(render(testCtx(), in, b), " "); got != "t t f" {
		t.Errorf("relkind IN ('r','p','') = %s, want t t f", got)
	}
	in, err = NewIn(col(0), []Expr{NewConst(int32(1259), Int4), NewConst(int64(7), Int8), NewConst("4294967295", Unknown)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(render(testCtx(), in, b), " "); got != "t t NULL" {
		t.Errorf("oid IN (1259, 7::int8, '4294967295') = %s, want t t NULL", got)
	}
	for _, bad := range [][2]Expr{{col(0), NewConst(mustNumeric(t, "1.5"), Numeric)}, {col(0), NewConst("x", Text)}} {
		if _, err := NewBinary("=", bad[0], bad[1]); sqlState(err) != CodeUndefinedFunction {
			t.Errorf("%s = %s: %v, want 42883", bad[0], bad[1], err)
		}
	}
	if _, err := NewBinary("+", col(0), NewConst(int32(1), Int4)); sqlState(err) != CodeUndefinedFunction {
		t.Errorf("oid + 1: %v, want 42883", err)
	}
}

// The common type of CASE, COALESCE and UNION: oid wins over integers, a
// reg* type keeps its kind over what converts to it, name and text as
// Postgres' select_common_type. Expected from PostgreSQL 15's pg_typeof.
func TestCatalogScalarCommonType(t *testing.T) {
	tests := []struct {
		in   []Type
		want string
	}{
		{[]Type{OID, Int4}, "oid"}, {[]Type{Int4, OID}, "oid"}, {[]Type{OID, Int8}, "oid"},
		{[]Type{Regclass, OID}, "regclass"}, {[]Type{OID, Regclass}, "oid"}, {[]Type{Regclass, Int4}, "regclass"},
		{[]Type{Name, Text}, "name"}, {[]Type{Text, Name}, "text"}, {[]Type{Name, Varchar}, "name"},
		{[]Type{Char, Unknown}, `"char"`}, {[]Type{Char, Text}, "ERROR"}, {[]Type{OID, Float8}, "ERROR"},
		{[]Type{Regtype, Regclass}, "ERROR"},
	}
	for _, tc := range tests {
		got, err := CommonType(tc.in)
		s := got.String()
		if err != nil {
			s = "ERROR"
		}
		if s != tc.want {
			t.Errorf("CommonType%v = %s (%v), want %s", tc.in, s, err, tc.want)
		}
	}
}

// Binary send and receive. Expected bytes from PostgreSQL 15's oidsend,
// regclasssend, namesend and charsend.
func TestCatalogScalarBinary(t *testing.T) {
	tests := []struct {
		typ  Type
		val  Datum
		want string
	}{
		{OID, int64(4294967295), "ffffffff"}, {OID, int64(1259), "000004eb"}, {Regclass, int64(0), "00000000"},
		{Regtype, int64(23), "00000017"}, {Name, "abc", "616263"}, {Char, "a", "61"}, {Char, "", "00"}, {Char, "\xc3", "c3"},
	}
	for _, tc := range tests {
		got := AppendBinary(nil, ArrayOf(tc.typ, tc.val), tc.typ, 0)
		if hex.EncodeToString(got) != tc.want {
			t.Errorf("send %s %q = %x, want %s", tc.typ, tc.val, got, tc.want)
		}
		back, err := DecodeBinary(got, tc.typ)
		if err != nil || back != tc.val {
			t.Errorf("recv %s %x = %q, %v; want %q", tc.typ, got, back, err, tc.val)
		}
	}
	bad := []struct {
		typ  Type
		hex  string
		code string
	}{
		{OID, "0001", CodeInvalidBinaryRepresentation}, {Regclass, "0000000001", CodeInvalidBinaryRepresentation},
		{Char, "", CodeInvalidBinaryRepresentation}, {Char, "6162", CodeInvalidBinaryRepresentation},
		{Name, hex.EncodeToString([]byte(strings.Repeat("a", 64))), CodeNameTooLong},
		{Name, "ff", CodeCharacterNotInRepertoire},
	}
	for _, tc := range bad {
		b, _ := hex.DecodeString(tc.hex)
		if _, err := DecodeBinary(b, tc.typ); sqlState(err) != tc.code {
			t.Errorf("recv %s %s: %v, want %s", tc.typ, tc.hex, err, tc.code)
		}
	}
}

// Ordering, equality and hashing of the new kinds: oids as unsigned
// numbers, "char" as unsigned bytes with the zero byte first, name
// bytewise; equal values hash equal.
func TestCatalogScalarOrder(t *testing.T) {
	tests := []struct {
		typ  Type
		vals []Datum // ascending
	}{
		{OID, []Datum{int64(0), int64(1), int64(2147483648), int64(4294967295)}},
		{Regclass, []Datum{int64(0), int64(1259), int64(16386)}},
		{Char, []Datum{"", "a", "b", "\xc3"}},
		{Name, []Datum{"", "A", "a", "ab", "b"}},
	}
	for _, tc := range tests {
		arr := ArrayOf(tc.typ, tc.vals...)
		cmp := Comparator(arr, tc.typ)
		hashes := make([]uint64, len(tc.vals))
		HashColumns(nil, nil, len(tc.vals), hashes)
		HashColumn(arr, tc.typ, hashes)
		for i := range tc.vals {
			for j := range tc.vals {
				want := sign(i - j)
				if got := sign(CompareAt(arr, i, arr, j, tc.typ)); got != want {
					t.Errorf("%s CompareAt(%q, %q) = %d, want %d", tc.typ, tc.vals[i], tc.vals[j], got, want)
				}
				if got := sign(cmp(i, j)); got != want {
					t.Errorf("%s Comparator(%q, %q) = %d, want %d", tc.typ, tc.vals[i], tc.vals[j], got, want)
				}
				if got := sign(CompareDatum(tc.typ, tc.vals[i], tc.vals[j])); got != want {
					t.Errorf("%s CompareDatum(%q, %q) = %d, want %d", tc.typ, tc.vals[i], tc.vals[j], got, want)
				}
				if (hashes[i] == hashes[j]) != (i == j) {
					t.Errorf("%s hashes of %q and %q: equal %v", tc.typ, tc.vals[i], tc.vals[j], hashes[i] == hashes[j])
				}
			}
		}
		// The row codec keeps every value.
		types := []Type{tc.typ}
		row := make([]Datum, 1)
		for i, v := range tc.vals {
			rest, err := DecodeRow(AppendRow(nil, []arrow.Array{arr}, types, i), types, row)
			if err != nil || len(rest) != 0 || row[0] != v {
				t.Errorf("%s row codec %q: %q, %v", tc.typ, v, row[0], err)
			}
		}
	}
}
