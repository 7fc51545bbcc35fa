package vector

import "testing"

func TestCommonType(t *testing.T) {
	tests := []struct {
		in   []Type
		want Type
		err  string
	}{
		{[]Type{Unknown, Unknown}, Text, ""},
		{[]Type{Int4, Unknown}, Int4, ""},
		{[]Type{Int2, Int4, Int8}, Int8, ""},
		{[]Type{Int4, Numeric}, Numeric, ""},
		{[]Type{Numeric, Float8}, Float8, ""},
		{[]Type{Float4, Numeric}, Float4, ""},
		{[]Type{Varchar, Text}, Varchar, ""}, {[]Type{Text, Varchar}, Text, ""},
		{[]Type{Date, TimestampTZ}, TimestampTZ, ""},
		{[]Type{Date, Timestamp}, Timestamp, ""},
		{[]Type{{Kind: KindVarchar, Width: 3}, {Kind: KindVarchar, Width: 3}}, Type{Kind: KindVarchar, Width: 3}, ""},
		{[]Type{Int4, Text}, Type{}, "types integer and text cannot be matched"},
	}
	for _, tc := range tests {
		got, err := CommonType(tc.in)
		if tc.err != "" {
			if sqlState(err) != CodeDatatypeMismatch || err.Error() != tc.err {
				t.Errorf("CommonType(%v): %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("CommonType(%v) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := CommonTypeIn("UNION", []Type{Int4, Text}); err.Error() != "UNION types integer and text cannot be matched" {
		t.Errorf("UNION: %v", err)
	}
}

func TestCoerce(t *testing.T) {
	if e, err := Coerce(NewConst("2024-01-02", Unknown), Date); err != nil || e.Type() != Date {
		t.Errorf("coerce unknown to date: %v %v", e, err)
	}
	if _, err := Coerce(NewColumnRef(0, Int8, "x"), Int4); sqlState(err) != CodeDatatypeMismatch {
		t.Errorf("int8 to int4 is not implicit: %v", err)
	}
	if e, err := Coerce(NewColumnRef(0, Int4, "x"), Float8); err != nil || e.Type() != Float8 {
		t.Errorf("int4 to float8: %v %v", e, err)
	}
	slots := &ParamTypes{}
	p := NewParam(1, slots)
	e, err := Coerce(p, Int8)
	if err != nil || e != p || slots.Types[1] != Int8 || slots.Types[0] != Unknown {
		t.Errorf("param coercion: %v %v %v", e, err, slots.Types)
	}
	for _, tc := range []struct {
		from, to Type
		want     bool
	}{{Int2, Numeric, true}, {Numeric, Int4, false}, {Timestamp, TimestampTZ, true}, {TimestampTZ, Timestamp, false}, {Text, Int4, false}, {Unknown, JSONB, true}} {
		if CanCoerce(tc.from, tc.to) != tc.want {
			t.Errorf("CanCoerce(%s, %s) != %v", tc.from, tc.to, tc.want)
		}
	}
}
