package vector

import (
	"slices"
	"testing"
	"time"
)

// pg_size_pretty's units and rounding; expected values from PostgreSQL 15.
func TestSizePretty(t *testing.T) {
	for size, want := range map[int64]string{
		0: "0 bytes", 1: "1 bytes", 10239: "10239 bytes", 10240: "10 kB", 10752: "11 kB",
		20970496: "20 MB", 20971520: "20 MB", 1073741824: "1024 MB", 5497558138880: "5120 GB",
		3377699720527872: "3072 TB", -10240: "-10 kB", -10753: "-11 kB", 9223372036854775807: "8192 PB",
	} {
		if got := SizePretty(size); got != want {
			t.Errorf("SizePretty(%d) = %q, want %q", size, got, want)
		}
	}
	checkFunc(t, "pg_size_pretty", []Type{Numeric}, []callCase{{args(NumericFromInt(123456789012)), "115 GB"}, {args(nil), "NULL"}})
}

// acldefault's privileges by kind of object; expected values from
// PostgreSQL 15 (with its owner's name in place of runnel's).
func TestACLDefault(t *testing.T) {
	for kind, want := range map[string][]Datum{
		"r": {"o=arwdDxt/o"}, "n": {"o=UC/o"}, "d": {"=Tc/o", "o=CTc/o"}, "f": {"=X/o", "o=X/o"}, "T": {"=U/o", "o=U/o"},
	} {
		got, err := ACLDefault(kind, "o")
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ACLDefault(%s) = %v, %v; want %v", kind, got, err, want)
		}
	}
	if _, err := ACLDefault("?", "o"); ErrorCode(err) != CodeInvalidParameterValue {
		t.Errorf("ACLDefault(?) error %v", err)
	}
}

// format_type applies the modifier of numeric and varchar; a NULL
// modifier is none; an OID no type has prints as ???.
func TestFormatType(t *testing.T) {
	checkFunc(t, "format_type", []Type{OID, Int4}, []callCase{
		{args(int64(OIDInt4), int32(-1)), "integer"},
		{args(int64(OIDVarchar), int32(24)), "character varying(20)"},
		{args(int64(OIDNumeric), int32(10<<16|2+4)), "numeric(10,2)"},
		{args(int64(OIDTimestampTZ), nil), "timestamp with time zone"},
		{args(int64(1007), int32(-1)), "integer[]"},
		{args(int64(OIDChar), int32(-1)), `"char"`},
		{args(nil, int32(-1)), "NULL"},
		{args(int64(99999), nil), "???"},
	})
}

// Outside a session the catalog functions fail rather than guess.
func TestCatalogFunctionsNeedASession(t *testing.T) {
	checkFunc(t, "pg_table_is_visible", []Type{OID}, []callCase{{args(int64(1259)), "ERROR 0A000: pg_table_is_visible can only be called in a session"}})
}

// privilegeRecorder is a session catalog that records the privilege
// checks asked of it and holds every privilege.
type privilegeRecorder struct {
	fakeCatalog
	checks []PrivilegeCheck
}

func (r *privilegeRecorder) Visible(Kind, uint32) (bool, bool) { return true, true }
func (r *privilegeRecorder) Relkind(uint32) (byte, bool)       { return 'r', true }
func (r *privilegeRecorder) Definition(Definition, uint32, int, bool) (string, bool) {
	return "", false
}
func (r *privilegeRecorder) Description(string, uint32, int32) (string, bool) { return "", false }
func (r *privilegeRecorder) SearchPath(bool) []string                         { return []string{"public"} }
func (r *privilegeRecorder) SetConfig(_, v string, _ bool) (string, error)    { return v, nil }
func (r *privilegeRecorder) ServerStart() time.Time                           { return time.Unix(0, 0) }
func (r *privilegeRecorder) TxID() int64                                      { return 1 }
func (r *privilegeRecorder) HasPrivilege(p PrivilegeCheck) (bool, bool, error) {
	r.checks = append(r.checks, p)
	return true, true, nil
}

// Each form of the has_*_privilege functions asks about the user, object,
// column and privileges its arguments name.
func TestPrivilegeFunctionArguments(t *testing.T) {
	for _, tc := range []struct {
		fn    string
		types []Type
		args  []Datum
		want  PrivilegeCheck
	}{
		{"has_table_privilege", []Type{Text, Text}, args("t", "SELECT"), PrivilegeCheck{On: 'r', Name: "t", Privileges: "SELECT"}},
		{"has_table_privilege", []Type{OID, Text}, args(int64(16384), "INSERT"), PrivilegeCheck{On: 'r', Object: 16384, Privileges: "INSERT"}},
		{"has_table_privilege", []Type{Text, OID, Text}, args("u", int64(16384), "SELECT"),
			PrivilegeCheck{On: 'r', RoleName: "u", Object: 16384, Privileges: "SELECT"}},
		{"has_table_privilege", []Type{OID, Text, Text}, args(int64(10), "t", "SELECT"),
			PrivilegeCheck{On: 'r', Role: 10, Name: "t", Privileges: "SELECT"}},
		{"has_schema_privilege", []Type{Text, Text}, args("s", "USAGE"), PrivilegeCheck{On: 'n', Name: "s", Privileges: "USAGE"}},
		{"has_database_privilege", []Type{Text, Text}, args("runnel", "CONNECT"), PrivilegeCheck{On: 'd', Name: "runnel", Privileges: "CONNECT"}},
		{"has_column_privilege", []Type{Text, Text, Text}, args("t", "c", "SELECT"),
			PrivilegeCheck{On: 'c', Name: "t", Column: "c", Privileges: "SELECT"}},
		{"has_column_privilege", []Type{Text, OID, Int2, Text}, args("u", int64(16384), int16(2), "UPDATE"),
			PrivilegeCheck{On: 'c', RoleName: "u", Object: 16384, Attnum: 2, Privileges: "UPDATE"}},
		{"pg_has_role", []Type{Text, Text, Text}, args("u", "g", "MEMBER"), PrivilegeCheck{On: 'a', RoleName: "u", Name: "g", Privileges: "MEMBER"}},
	} {
		rec := &privilegeRecorder{}
		ctx := testCtx()
		ctx.Catalog = rec
		consts := make([]Expr, len(tc.args))
		for i, a := range tc.args {
			consts[i] = NewConst(a, tc.types[i])
		}
		e, err := NewFunc(tc.fn, consts)
		if err != nil {
			t.Fatalf("%s%v: %v", tc.fn, tc.args, err)
		}
		if got := render(ctx, e, &Batch{Len: 1}); got[0] != "t" {
			t.Errorf("%s%v = %v", tc.fn, tc.args, got)
		}
		if len(rec.checks) != 1 || rec.checks[0] != tc.want {
			t.Errorf("%s%v asked %+v, want %+v", tc.fn, tc.args, rec.checks, tc.want)
		}
	}
}

// pg_proc lists the scalar functions with their argument types.
func TestSignatures(t *testing.T) {
	sigs := Signatures()
	if !slices.ContainsFunc(sigs, func(s Signature) bool {
		return s.Name == "lower" && slices.Equal(s.Args, []uint32{OIDText}) && s.Result == OIDText && s.Volatility == 'i'
	}) {
		t.Error("no lower(text) returning text")
	}
	if !slices.ContainsFunc(sigs, func(s Signature) bool { return s.Name == "now" && s.Volatility == 's' }) {
		t.Error("no stable now()")
	}
}
