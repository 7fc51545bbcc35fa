package planner

import (
	"strings"
	"testing"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// TestWindowColumns checks the result columns of queries with window
// calls against PostgreSQL 15's (psql's \gdesc): a rank is a bigint named
// after its function, and the columns computing window calls are not
// among those * stands for.
func TestWindowColumns(t *testing.T) {
	for _, tc := range []struct{ sql, want string }{
		{"SELECT a, row_number() OVER (PARTITION BY b ORDER BY c), rank() OVER w AS r, dense_rank() OVER (ORDER BY a) FROM pt WINDOW w AS (ORDER BY d)",
			"a|integer row_number|bigint r|bigint dense_rank|bigint"},
		{"SELECT b, sum(e), rank() OVER (ORDER BY sum(e) DESC) FROM pt GROUP BY b",
			"b|text sum|numeric rank|bigint"},
		{"SELECT * FROM (SELECT *, row_number() OVER () FROM pu) s",
			"a|integer f|boolean row_number|bigint"},
		{"SELECT DISTINCT a, rank() OVER (ORDER BY a) - 1 FROM pt ORDER BY 2",
			"a|integer ?column?|bigint"},
		{"SELECT pu.*, dense_rank() OVER (PARTITION BY f) AS d FROM pu ORDER BY rank() OVER (ORDER BY a)",
			"a|integer f|boolean d|bigint"},
	} {
		checkColumns(t, tc.sql, tc.want)
	}
}

// TestWindowErrors checks the refusals of window calls: where Postgres
// refuses them, its SQLSTATE and message; what runnel does not support,
// 0A000 naming it.
func TestWindowErrors(t *testing.T) {
	for _, tc := range []struct{ sql, code, msg string }{
		{"SELECT a FROM pt WHERE row_number() OVER () > 1", "42P20", "window functions are not allowed in WHERE"},
		{"SELECT a FROM pt WHERE a IN (SELECT rank() OVER () FROM pu) AND rank() OVER () > 0", "42P20", "window functions are not allowed in WHERE"},
		{"SELECT count(*) FROM pt GROUP BY rank() OVER ()", "42P20", "window functions are not allowed in GROUP BY"},
		{"SELECT b FROM pt GROUP BY b HAVING rank() OVER () > 1", "42P20", "window functions are not allowed in HAVING"},
		{"SELECT 1 FROM pt JOIN pu ON rank() OVER () = pu.a", "42P20", "window functions are not allowed in JOIN conditions"},
		{"SELECT a FROM pt ORDER BY row_number() OVER (PARTITION BY rank() OVER ())", "42P20", "window functions are not allowed in window definitions"},
		{"SELECT sum(rank() OVER ()) FROM pt", "42803", "aggregate function calls cannot contain window function calls"},
		{"SELECT rank() OVER (PARTITION BY a), a FROM pt GROUP BY b", "42803", `column "pt.a" must appear in the GROUP BY clause or be used in an aggregate function`},
		{"SELECT rank() FILTER (WHERE a > 1) OVER () FROM pt", "0A000", "FILTER is not implemented for non-aggregate window functions"},
		{"SELECT row_number(a, b) OVER () FROM pt", "42883", "function row_number(integer, text) does not exist"},
		{"SELECT rank() OVER w FROM pt", "42704", `window "w" does not exist`},
		{"SELECT rank() OVER w FROM pt WINDOW w AS (ORDER BY a), w AS (ORDER BY b)", "42P20", `window "w" is already defined`},
		{"SELECT rank() OVER (w PARTITION BY a) FROM pt WINDOW w AS (PARTITION BY b)", "42P20", `cannot override PARTITION BY clause of window "w"`},
		{"SELECT rank() OVER (w2 ORDER BY a) FROM pt WINDOW w AS (ORDER BY b), w2 AS (w)", "42P20", `cannot override ORDER BY clause of window "w2"`},
		{"SELECT rank() OVER (w) FROM pt WINDOW w AS (ORDER BY a ROWS UNBOUNDED PRECEDING)", "42P20", `cannot copy window "w" because it has a frame clause`},
		{"SELECT sum(a) OVER (PARTITION BY b) FROM pt", "0A000", "window function sum() is not supported"},
		{"SELECT a, lag(a) OVER (ORDER BY d) FROM pt", "0A000", "window function lag() is not supported"},
		{"SELECT count(*) OVER () FROM pt", "0A000", "window function count() is not supported"},
	} {
		_, err := plan(t, tc.sql)
		ve, ok := err.(*vector.Error)
		if !ok || ve.Code != tc.code || ve.Message != tc.msg {
			t.Errorf("%s:\n got %v\nwant %s %s", tc.sql, err, tc.code, tc.msg)
		}
	}
}

// planView plans sql as a materialized view.
func planView(t *testing.T, sql string) (*View, error) {
	t.Helper()
	st, err := parser.ParseOneWithInt(sql, types.Int4)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	p := New(fakeEnv{}, &vector.EvalContext{}, &vector.ParamTypes{})
	return p.View(st.AST.(*tree.Select), false)
}

// explain renders a dataflow a node a line, inputs indented below.
func explain(n *operators.Node, indent string, lines *[]string) {
	line := indent + n.Name
	if n.Detail != "" {
		line += " " + n.Detail
	}
	if n.Keyed() {
		line += " keyed"
	}
	*lines = append(*lines, line)
	for _, in := range n.Inputs {
		explain(in, indent+"  ", lines)
	}
}

// TestWindowView checks that the top-N-per-group pattern plans to one
// continuous top-N (partitioned, routed by its partition, bounded by the
// least bound, keeping the rank), with the other WHERE terms in a filter
// above.
func TestWindowView(t *testing.T) {
	for _, tc := range []struct{ sql, columns, plan string }{
		{"SELECT * FROM (SELECT a, b, row_number() OVER (PARTITION BY b ORDER BY c DESC, a) AS rn FROM pt) s WHERE rn <= 3",
			"a|integer b|text rn|bigint", `
Project a, b, rn
  Project a, b, row_number
    TopN partition by $1 order by $2 desc, $0 limit 3 row_number keyed
      Source public.pt`},
		{"SELECT s.a FROM (SELECT a, rank() OVER (ORDER BY e) AS r FROM pt) s WHERE 5 > r AND r <= 7 AND a > 0",
			"a|integer", `
Project a
  Filter (a > 0)
    Project a, rank
      TopN order by $4 limit 4 rank
        Source public.pt`},
		{"SELECT * FROM (SELECT f, dense_rank() OVER (PARTITION BY a % 2 ORDER BY f) FROM pu) s (flag, dr) WHERE dr = 2 AND dr > 1",
			"flag|boolean dr|bigint", `
Project flag, dr
  Filter ((dr = 2) AND (dr > 1))
    Project f, dense_rank
      TopN partition by $2 order by $1 limit 2 dense_rank keyed
        Project a, f, (a % 2)
          Source public.pu`},
		{"SELECT b, total, r FROM (SELECT b, sum(e) AS total, rank() OVER (ORDER BY sum(e) DESC) AS r FROM pt GROUP BY b) s WHERE r < 1",
			"b|text total|numeric r|bigint", `
Project b, total, r
  Project b, sum, rank
    TopN order by $1 desc limit 0 rank
      Aggregate`},
	} {
		v, err := planView(t, tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		var cols []string
		for _, c := range v.Columns {
			cols = append(cols, c.Name+"|"+c.Type.String())
		}
		if got := strings.Join(cols, " "); got != tc.columns {
			t.Errorf("%s: columns\n got %s\nwant %s", tc.sql, got, tc.columns)
		}
		var lines []string
		explain(v.Root, "", &lines)
		if got := "\n" + strings.Join(lines, "\n"); !strings.HasPrefix(got, tc.plan) {
			t.Errorf("%s: plan\n got %s\nwant %s…", tc.sql, got, tc.plan)
		}
	}
}

// TestWindowViewRefused checks that a view refuses every window call but
// the top-N-per-group pattern.
func TestWindowViewRefused(t *testing.T) {
	unbounded := "window function %s() without a bound in the enclosing query (SELECT … FROM (SELECT …, %[1]s() OVER (…) AS r FROM …) s WHERE r <= n) is not supported in a materialized view"
	for _, tc := range []struct{ sql, fn string }{
		{"SELECT a, rank() OVER (ORDER BY a) FROM pt", "rank"},
		{"SELECT * FROM (SELECT a, rank() OVER (ORDER BY a) AS r FROM pt) s", "rank"},
		{"SELECT * FROM (SELECT a, rank() OVER (ORDER BY a) AS r FROM pt) s WHERE r >= 2", "rank"},
		{"SELECT * FROM (SELECT a, rank() OVER (ORDER BY a) AS r FROM pt) s WHERE 2 <> r", "rank"},
		{"SELECT * FROM (SELECT a, rank() OVER (ORDER BY a) AS r FROM pt) s WHERE r <= 2.5", "rank"},
		{"SELECT * FROM (SELECT a, rank() OVER (ORDER BY a) AS r FROM pt) s WHERE r <= 2 OR a = 1", "rank"},
		{"SELECT * FROM (SELECT a, rank() OVER (ORDER BY a) AS r FROM pt) s WHERE t.r <= 2", "rank"},
		{"SELECT * FROM (SELECT a, rank() OVER (ORDER BY a) AS r FROM pt LIMIT 9) s WHERE r <= 2", "rank"},
		{"SELECT * FROM (SELECT a, 1 + row_number() OVER (ORDER BY a) AS r FROM pt) s WHERE r <= 2", "row_number"},
		{"SELECT * FROM (SELECT *, row_number() OVER (ORDER BY a) AS r FROM pu) s (x, y, z) WHERE z <= 2", "row_number"},
		{"SELECT * FROM (SELECT a, row_number() OVER (ORDER BY a) AS r FROM pt) s JOIN pu USING (a) WHERE r <= 2", "row_number"},
		{"WITH s AS (SELECT a, row_number() OVER (ORDER BY a) AS r FROM pt) SELECT * FROM s WHERE r <= 2", "row_number"},
	} {
		_, err := planView(t, tc.sql)
		want := strings.ReplaceAll(unbounded, "%s", tc.fn)
		want = strings.ReplaceAll(want, "%[1]s", tc.fn)
		if ve, ok := err.(*vector.Error); !ok || ve.Code != vector.CodeFeatureNotSupported || ve.Message != want {
			t.Errorf("%s:\n got %v\nwant 0A000 %s", tc.sql, err, want)
		}
	}
	_, err := planView(t, "SELECT * FROM (SELECT a, rank() OVER (ORDER BY a) AS r, rank() OVER (ORDER BY b) AS r2 FROM pt) s WHERE r <= 2")
	if ve, ok := err.(*vector.Error); !ok || ve.Message != "more than one window function in a SELECT is not supported in a materialized view" {
		t.Errorf("two windows: got %v", err)
	}
}

// TestUpperBounds checks the recognition of the WHERE terms bounding the
// rank column s.r from above.
func TestUpperBounds(t *testing.T) {
	isR := func(e tree.Expr) bool {
		n, ok := e.(*tree.UnresolvedName)
		return ok && n.Parts[0] == "r" && (n.NumParts == 1 || n.Parts[1] == "s")
	}
	for _, tc := range []struct {
		where string
		limit int64 // -1: no bound
		rest  string
	}{
		{"r <= 3", 3, ""},
		{"r < 3", 2, ""},
		{"3 >= r", 3, ""},
		{"3 > s.r", 2, ""},
		{"(r = 1)", 1, "(r = 1)"},
		{"r < 0", 0, ""},
		{"r <= 5 AND x = 1 AND r < 4 AND r <= 9", 3, "x = 1"},
		{"r = 2 AND r > 1", 2, "r = 2 | r > 1"},
		{"r > 3", -1, "r > 3"},
		{"3 <> r", -1, "3 != r"},
		{"3 < r", -1, "3 < r"},
		{"r <= x", -1, "r <= x"},
		{"r <= 2.5", -1, "r <= 2.5"},
		{"t.r <= 2", -1, "t.r <= 2"},
		{"r <= 2 OR x", -1, "(r <= 2) OR x"},
	} {
		e, err := parser.ParseExpr(tc.where)
		if err != nil {
			t.Fatal(err)
		}
		bound, rest := upperBounds(splitAnd(e), isR)
		limit := int64(-1)
		if bound != nil {
			limit = bound.limit
		}
		var texts []string
		for _, r := range rest {
			texts = append(texts, tree.AsString(r))
		}
		if got := strings.Join(texts, " | "); limit != tc.limit || got != tc.rest {
			t.Errorf("%s: got bound %d rest %q, want %d %q", tc.where, limit, got, tc.limit, tc.rest)
		}
	}
}
