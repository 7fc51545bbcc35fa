package runnel

import (
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// LOCK TABLE reads every form of Postgres' statement; anything else is a
// syntax error that points at the offending word.
func TestParseLock(t *testing.T) {
	for _, tc := range []struct {
		sql    string
		tables [][2]string
		err    string
	}{
		{"LOCK TABLE public.bids IN ACCESS SHARE MODE", [][2]string{{"public", "bids"}}, ""},
		{"lock t", [][2]string{{"", "t"}}, ""},
		{`LOCK TABLE ONLY a *, "B" IN SHARE UPDATE EXCLUSIVE MODE NOWAIT;`, [][2]string{{"", "a"}, {"", "B"}}, ""},
		{"LOCK TABLE a IN SHARE MODE", [][2]string{{"", "a"}}, ""},
		{"LOCK TABLE a IN ACCESS EXCLUSIVE MODE", [][2]string{{"", "a"}}, ""},
		{"LOCK TABLE a IN SHARE", nil, "syntax error at end of input"},
		{"LOCK TABLE a IN WRONG MODE", nil, `syntax error at or near "WRONG"`},
		{"LOCK TABLE a b", nil, `syntax error at or near "b"`},
		{"LOCK TABLE", nil, "syntax error at end of input"},
		{`LOCK TABLE "`, [][2]string{{"", ""}}, ""},
		{`LOCK TABLE "a""b`, [][2]string{{"", `a"b`}}, ""},
	} {
		stmts, ok, err := parseLockText(tc.sql)
		if !ok {
			t.Fatalf("%s: not read as LOCK", tc.sql)
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.sql, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		if got := stmts[0].ast.(*lockStatement).tables; !slices.Equal(got, tc.tables) {
			t.Errorf("%s: tables %v, want %v", tc.sql, got, tc.tables)
		}
	}
	if _, ok, _ := parseLockText("SELECT 1"); ok {
		t.Error("SELECT read as LOCK")
	}
}

// Object names of the reg* types: dotted identifiers, quoted ones kept as
// written, others folded to lower case.
func TestSplitName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"pg_class", []string{"pg_class"}},
		{"Public.Bids", []string{"public", "bids"}},
		{` "My ""T"""  . x `, []string{`My "T"`, "x"}},
		{"a.", nil},
		{`"open`, nil},
		{"a b", nil},
		{"", nil},
	} {
		got, err := splitName(tc.in)
		if tc.want == nil {
			if vector.ErrorCode(err) != vector.CodeInvalidName {
				t.Errorf("splitName(%q) = %q, %v; want 42602", tc.in, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("splitName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// A relation name of pg_catalog resolves there first unless the
// search_path places pg_catalog after the schema that also has it, as in
// Postgres; a qualified name resolves in its schema.
func TestSystemRelationLookup(t *testing.T) {
	_, s := openDB(t, t.TempDir(), Options{})
	for _, sql := range []string{"CREATE TABLE pg_am (mine int)", "INSERT INTO public.pg_am VALUES (7)"} {
		run(t, s, sql)
	}
	for _, tc := range []struct{ sql, want string }{
		{"SELECT count(*) FROM pg_am", "2"},
		{"SELECT count(*) FROM pg_catalog.pg_am", "2"},
		{"SELECT mine FROM public.pg_am", "7"},
		{"SET search_path = public, pg_catalog", ""},
		{"SELECT mine FROM pg_am", "7"},
		{"SELECT count(*) FROM information_schema.tables WHERE table_name = 'pg_am' AND table_schema = 'public'", "1"},
	} {
		if tc.want == "" {
			run(t, s, tc.sql)
			continue
		}
		if got := tableRows(t, s, tc.sql); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s = %v, want %s", tc.sql, got, tc.want)
		}
	}
}

// The catalog shows a role the privileges granted to it: has_*_privilege,
// relacl, and information_schema listing only what it may use.
func TestCatalogPrivileges(t *testing.T) {
	rs := newRoleSessions(t)
	rs.runSteps([]step{
		{"runnel", "CREATE TABLE orders (id int PRIMARY KEY, amount int)", "", ""},
		{"runnel", "CREATE VIEW big AS SELECT id FROM orders WHERE amount > 15", "", ""},
		{"runnel", "CREATE ROLE dashboard LOGIN", "", ""},
		{"runnel", "GRANT SELECT ON big TO dashboard", "", ""},
	})
	dash := rs.as("dashboard")
	for _, tc := range []struct {
		sql  string
		want []string
	}{
		{"SELECT has_table_privilege('orders', 'SELECT'), has_table_privilege('big', 'SELECT'), has_table_privilege('big', 'INSERT')",
			[]string{"f|t|f"}},
		{"SELECT has_table_privilege('runnel', 'orders', 'SELECT'), has_schema_privilege('public', 'CREATE'), has_schema_privilege('public', 'USAGE')",
			[]string{"t|f|t"}},
		{"SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", []string{"big"}},
		{"SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'", []string{"id"}},
		{"SELECT relacl::text FROM pg_class WHERE relname IN ('orders', 'big') ORDER BY relname",
			[]string{"<NULL>", "{runnel=arwdDxt/runnel,dashboard=r/runnel}"}},
		{"SELECT rolname FROM pg_roles WHERE rolname IN ('runnel', 'dashboard') ORDER BY 1", []string{"dashboard", "runnel"}},
	} {
		got := tableRows(t, dash, tc.sql)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.sql, got, tc.want)
		}
	}
}

// pg_stat_activity lists the server's sessions, the one reading active.
func TestStatActivity(t *testing.T) {
	db, s := openDB(t, t.TempDir(), Options{})
	other, err := db.Connect(ConnParams{User: "runnel", Database: "runnel", Options: map[string]string{"application_name": "loader"}})
	if err != nil {
		t.Fatal(err)
	}
	run(t, other, "SELECT 1")
	got := tableRows(t, s, "SELECT usename, application_name, state, query FROM pg_stat_activity ORDER BY pid")
	want := []string{"runnel|loader|idle|SELECT 1",
		"runnel||active|SELECT usename, application_name, state, query FROM pg_stat_activity ORDER BY pid"}
	if !slices.Equal(got, want) {
		t.Errorf("pg_stat_activity = %q, want %q", got, want)
	}
	other.Close()
	if got := tableRows(t, s, "SELECT count(*) FROM pg_stat_activity"); !slices.Equal(got, []string{"1"}) {
		t.Errorf("after a session closed: %v sessions", got)
	}
}
