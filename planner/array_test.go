package planner

import (
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestArrayColumns checks the names and types of array and set-returning
// results against PostgreSQL 15's (psql's \gdesc over the same tables).
func TestArrayColumns(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{"SELECT ARRAY[1, 2], ARRAY(SELECT a FROM pu), '{1}'::int[], ('{1}'::int[])[1], '1 2'::int2vector, '{a}'::pg_catalog.name[]",
			"array|integer[] array|integer[] int4|integer[] int4|integer int2vector|int2vector name|name[]"},
		{"SELECT unnest(ARRAY['a']), generate_series(1, 2), information_schema._pg_expandarray(ARRAY[1]), (information_schema._pg_expandarray(ARRAY[1])).n",
			"unnest|text generate_series|integer _pg_expandarray|record n|integer"},
		{"SELECT * FROM unnest(ARRAY[1.5]) WITH ORDINALITY", "unnest|numeric ordinality|bigint"},
		{"SELECT * FROM unnest('{1}'::oid[]) AS src(tbloid)", "tbloid|oid"},
		{"SELECT * FROM information_schema._pg_expandarray('1 2'::int2vector)", "x|smallint n|integer"},
		{"SELECT array_agg(a), array_agg(b ORDER BY b) FROM pt", "array_agg|integer[] array_agg|text[]"},
		{"SELECT * FROM pg_options_to_table('{a=1}')", "option_name|text option_value|text"},
		{"SELECT t.* FROM unnest(ARRAY[1]) t", "t|integer"},
	} {
		checkColumns(t, tc.sql, tc.want)
	}
}

// TestArrayErrors checks the SQLSTATE and message of planning errors of
// arrays and set-returning functions against PostgreSQL 15's.
func TestArrayErrors(t *testing.T) {
	for _, tc := range []struct{ sql, code, msg string }{
		{"SELECT ARRAY[]", "42P18", "cannot determine type of empty array"},
		{"SELECT unnest(1)", "42883", "function unnest(integer) does not exist"},
		{"SELECT a FROM pt WHERE unnest(ARRAY[a]) = 1", "0A000", "set-returning functions are not allowed in WHERE"},
		{"SELECT ARRAY(SELECT a, f FROM pu)", "42601", "subquery must return only one column"},
		{"SELECT (a).x FROM pt", "42809", "column notation .x applied to type integer, which is not a composite type"},
		{"SELECT a[1] FROM pt", "42804", "cannot subscript type integer because it does not support subscripting"},
		{"SELECT a = ANY(a) FROM pt", "42809", "op ANY/ALL (array) requires array on right side"},
	} {
		_, err := plan(t, tc.sql)
		ve, ok := err.(*vector.Error)
		if !ok || ve.Code != tc.code || ve.Message != tc.msg {
			t.Errorf("%s:\n got %v\nwant %s %s", tc.sql, err, tc.code, tc.msg)
		}
	}
}
