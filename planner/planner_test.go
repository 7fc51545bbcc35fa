package planner

import (
	"context"
	"strings"
	"testing"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// fakeEnv knows two empty tables:
//
//	pt (a int, b text, c numeric(10,2), d timestamptz, e bigint)
//	pu (a int, f boolean)
type fakeEnv struct{}

var fakeTables = map[string]*catalog.Table{
	"pt": {ID: 16384, Schema: "public", Name: "pt", Columns: []catalog.Column{
		{Name: "a", Type: vector.Int4}, {Name: "b", Type: vector.Text},
		{Name: "c", Type: vector.Type{Kind: vector.KindNumeric, Precision: 10, Scale: 2}},
		{Name: "d", Type: vector.TimestampTZ}, {Name: "e", Type: vector.Int8}}},
	"pu": {ID: 16385, Schema: "public", Name: "pu", Columns: []catalog.Column{
		{Name: "a", Type: vector.Int4}, {Name: "f", Type: vector.Bool}}},
}

func (fakeEnv) Table(schema, name string) (*catalog.Table, error) {
	if t, ok := fakeTables[name]; ok {
		return t, nil
	}
	return nil, vector.Errorf(vector.CodeUndefinedTable, "relation %q does not exist", name)
}

func (fakeEnv) Scan(*catalog.Table, bool) func(context.Context, func(*vector.Batch) error) error {
	return func(context.Context, func(*vector.Batch) error) error { return nil }
}

func (fakeEnv) ScanSource(*SourceRead) func(context.Context, func(*vector.Batch) error) error {
	return func(context.Context, func(*vector.Batch) error) error { return nil }
}

func plan(t *testing.T, sql string) (*Query, error) {
	t.Helper()
	st, err := parser.ParseOneWithInt(sql, types.Int4)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	p := New(fakeEnv{}, &vector.EvalContext{}, &vector.ParamTypes{})
	return p.Query(st.AST.(*tree.Select))
}

// TestColumns checks the names and types of result columns against what
// PostgreSQL 15 reports for the same queries over the same tables (psql's
// \gdesc).
func TestColumns(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{"SELECT 1, 'x', 1.5, 10000000000, NULL",
			"?column?|integer ?column?|text ?column?|numeric ?column?|bigint ?column?|text"},
		{"SELECT a, b AS name, c * 2, a + e, count(*) FROM pt GROUP BY a, b, c, e",
			"a|integer name|text ?column?|numeric ?column?|bigint count|bigint"},
		{"SELECT 1::int, 'x'::text, cast(a as varchar(10)), a::bigint FROM pt",
			"int4|integer text|text a|character varying(10) a|bigint"},
		{"SELECT sum(a), sum(e), avg(a), avg(c), min(b), max(d), string_agg(b, ','), bool_and(f), count(DISTINCT a) FROM pt JOIN pu USING (a)",
			"sum|bigint sum|numeric avg|numeric avg|numeric min|text max|timestamp with time zone string_agg|text bool_and|boolean count|bigint"},
		{"SELECT (SELECT max(a) FROM pu), EXISTS (SELECT 1 FROM pu), a IN (SELECT a FROM pu) FROM pt",
			"max|integer exists|boolean ?column?|boolean"},
		{"SELECT CASE WHEN a > 0 THEN 'p' ELSE 'n' END, coalesce(a, e), nullif(b, ''), greatest(a, 3) FROM pt",
			"case|text coalesce|bigint nullif|text greatest|integer"},
		{"SELECT * FROM pt NATURAL JOIN pu",
			"a|integer b|text c|numeric(10,2) d|timestamp with time zone e|bigint f|boolean"},
		{"SELECT pt.*, pu.f FROM pt LEFT JOIN pu ON pt.a = pu.a",
			"a|integer b|text c|numeric(10,2) d|timestamp with time zone e|bigint f|boolean"},
		{"SELECT 1 UNION SELECT 2.5", "?column?|numeric"},
		{"SELECT * FROM (VALUES (1, 'a'), (2, NULL)) v", "column1|integer column2|text"},
		{"SELECT g FROM generate_series(1, 3) g", "g|integer"},
		{"SELECT now(), extract(year FROM d), date_trunc('day', d), d - interval '1 hour' FROM pt",
			"now|timestamp with time zone extract|numeric date_trunc|timestamp with time zone ?column?|timestamp with time zone"},
		{"SELECT a / 2, a % 2, -a, a::float8 / 3, c / 3 FROM pt",
			"?column?|integer ?column?|integer ?column?|integer ?column?|double precision ?column?|numeric"},
	} {
		checkColumns(t, tc.sql, tc.want)
	}
}

// checkColumns plans sql and compares its result columns, rendered as
// "name|type" separated by spaces, with want.
func checkColumns(t *testing.T, sql, want string) {
	t.Helper()
	q, err := plan(t, sql)
	if err != nil {
		t.Errorf("%s: %v", sql, err)
		return
	}
	var got []string
	for _, c := range q.Columns {
		got = append(got, c.Name+"|"+c.Type.String())
	}
	if g := strings.Join(got, " "); g != want {
		t.Errorf("%s:\n got %s\nwant %s", sql, g, want)
	}
}

// TestErrors checks the SQLSTATE and message of planning errors against
// PostgreSQL 15's.
func TestErrors(t *testing.T) {
	for _, tc := range []struct{ sql, code, msg string }{
		{"SELECT x FROM pt", "42703", `column "x" does not exist`},
		{"SELECT a FROM pt, pu", "42702", `column reference "a" is ambiguous`},
		{"SELECT pz.a FROM pt", "42P01", `missing FROM-clause entry for table "pz"`},
		{"SELECT * FROM nosuch", "42P01", `relation "nosuch" does not exist`},
		{"SELECT b, count(*) FROM pt", "42803", `column "pt.b" must appear in the GROUP BY clause or be used in an aggregate function`},
		{"SELECT a FROM pt WHERE count(*) > 1", "42803", "aggregate functions are not allowed in WHERE"},
		{"SELECT a FROM pt WHERE b", "42804", "argument of WHERE must be type boolean, not type text"},
		{"SELECT a FROM pt ORDER BY 3", "42P10", "ORDER BY position 3 is not in select list"},
		{"SELECT DISTINCT a FROM pt ORDER BY b", "42P10", "for SELECT DISTINCT, ORDER BY expressions must appear in select list"},
		{"SELECT DISTINCT ON (a) a, b FROM pt ORDER BY b", "42P10", "SELECT DISTINCT ON expressions must match initial ORDER BY expressions"},
		{"SELECT 1 UNION SELECT 1, 2", "42601", "each UNION query must have the same number of columns"},
		{"SELECT (SELECT a, b FROM pt)", "42601", "subquery must return only one column"},
		{"SELECT a FROM pt WHERE a IN (SELECT a, f FROM pu)", "42601", "subquery has too many columns"},
		{"SELECT a FROM pt LIMIT -1", "2201W", "LIMIT must not be negative"},
		{"SELECT a FROM pt OFFSET -1", "2201X", "OFFSET must not be negative"},
	} {
		_, err := plan(t, tc.sql)
		ve, ok := err.(*vector.Error)
		if !ok || ve.Code != tc.code || ve.Message != tc.msg {
			t.Errorf("%s:\n got %v\nwant %s %s", tc.sql, err, tc.code, tc.msg)
		}
	}
}
