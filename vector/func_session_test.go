package vector

import "testing"

func TestSessionFunctions(t *testing.T) {
	ctx := testCtx()
	ctx.Session = func(name string) (Datum, bool) {
		v, ok := map[string]Datum{"current_user": "alice", "current_database": "runnel", "version": "PostgreSQL 15.0 (runnel)"}[name]
		return v, ok
	}
	ctx.Settings = func(name string) (string, bool) {
		if name == "timezone" {
			return "UTC", true
		}
		return "", false
	}
	for call, want := range map[string]string{"current_user": "alice", "user": "alice", "session_user": "NULL", "current_database": "runnel", "version": "PostgreSQL 15.0 (runnel)"} {
		e, err := NewFunc(call, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(ctx, e, &Batch{Len: 1})[0]; got != want {
			t.Errorf("%s: got %q, want %q", call, got, want)
		}
	}
	setting := func(a []Expr) (Expr, error) { return NewFunc("current_setting", a) }
	checkCall(t, "current_setting", ctx, setting, []Type{Text}, []callCase{
		{args("timezone"), "UTC"},
		{args("foo"), `ERROR 42704: unrecognized configuration parameter "foo"`},
	})
	checkCall(t, "current_setting", ctx, setting, []Type{Text, Bool}, []callCase{{args("foo", true), "NULL"}})
}

func TestPgTypeof(t *testing.T) {
	// pg_typeof(1), pg_typeof('x'), pg_typeof(1.5), pg_typeof('x'::varchar(3)).
	for _, tc := range []struct {
		arg  Expr
		want string
	}{
		{NewConst(int32(1), Int4), "integer"},
		{NewConst("x", Unknown), "unknown"},
		{NewConst(dec("1.5"), Numeric), "numeric"},
		{NewColumnRef(0, Type{Kind: KindVarchar, Width: 3}, "v"), "character varying"},
	} {
		e, err := NewFunc("pg_typeof", []Expr{tc.arg})
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := IsConst(e); !ok || d != tc.want {
			t.Errorf("pg_typeof(%s) = %v, want %s", tc.arg, d, tc.want)
		}
	}
}
