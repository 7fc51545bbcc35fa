package planner

import (
	"context"
	"strings"
	"testing"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// The catalog's type names, plain and pg_catalog-qualified, resolve to the
// types pg_typeof names in PostgreSQL 15; bpchar stays unsupported.
func TestResolveCatalogTypes(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"oid", "oid"}, {"regclass", "regclass"}, {"regtype", "regtype"}, {"regproc", "regproc"},
		{"regprocedure", "regproc"}, {"regnamespace", "regnamespace"}, {"regrole", "regrole"},
		{"name", "name"}, {`"char"`, `"char"`}, {"pg_catalog.oid", "oid"}, {`pg_catalog."char"`, `"char"`},
		{"pg_catalog.char", `"char"`}, {"pg_catalog.name", "name"}, {"pg_catalog.regclass", "regclass"},
		{"pg_catalog.int4", "integer"}, {"pg_catalog.text", "text"},
		{"char", "ERROR 0A000"}, {"character(3)", "ERROR 0A000"}, {"bpchar", "ERROR 0A000"},
		{"pg_catalog.nosuch", "ERROR 42704"}, {"public.oid", "ERROR 42704"},
	} {
		e, err := parser.ParseExprWithInt("NULL::"+tc.name, types.Int4)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		typ, err := ResolveType(e.(*tree.CastExpr).Type)
		got := typ.String()
		if err != nil {
			got = "ERROR " + vector.ErrorCode(err)
		}
		if got != tc.want {
			t.Errorf("%s resolves to %s, want %s", tc.name, got, tc.want)
		}
	}
}

// regNames is a catalog that knows one relation and one type.
type regNames struct{}

func (regNames) OIDByName(k vector.Kind, name string) (uint32, error) {
	return 0, vector.Errorf(vector.CodeUndefinedObject, "%q does not exist", name)
}

func (regNames) NameByOID(k vector.Kind, oid uint32) (string, bool) {
	switch {
	case k == vector.KindRegclass && oid == 1259:
		return "pg_class", true
	case k == vector.KindRegtype && oid == 23:
		return "integer", true
	}
	return "", false
}

// A reg* column of a query result goes to the client as text: the name
// the session's catalog gives the OID, its number when there is none, "-"
// for 0. oid stays a number.
func TestRegColumnsPrintNames(t *testing.T) {
	sql := "SELECT 1259::regclass AS r, 1259::oid AS o, 23::regtype AS t, 0::regclass AS z, 99::regclass AS u"
	st, err := parser.ParseOneWithInt(sql, types.Int4)
	if err != nil {
		t.Fatal(err)
	}
	p := New(fakeEnv{}, &vector.EvalContext{Catalog: regNames{}}, &vector.ParamTypes{})
	q, err := p.Query(st.AST.(*tree.Select))
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range q.Columns {
		cols = append(cols, c.Name+"|"+c.Type.String())
	}
	if got, want := strings.Join(cols, " "), "r|text o|oid t|text z|text u|text"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	s := operators.Open(context.Background(), q.Root)
	defer s.Close()
	b, err := s.Next()
	if err != nil || b == nil || b.Len != 1 {
		t.Fatalf("first batch %v, %v", b, err)
	}
	var vals []string
	for i, c := range q.Columns {
		vals = append(vals, vector.FormatDatum(vector.ValueAt(b.Cols[i], c.Type, 0), c.Type, nil))
	}
	if got, want := strings.Join(vals, " "), "pg_class 1259 integer - 99"; got != want {
		t.Errorf("values %s, want %s", got, want)
	}
}
