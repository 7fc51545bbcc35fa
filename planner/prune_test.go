package planner

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// pruneEnv knows fakeEnv's tables and two sources,
//
//	ps  (a int, b text, c text, d bigint, ts timestamp, WATERMARK FOR ts)
//	ps2 (a int, b text, e int)
//
// and notes the reads of sources that bounded plans make when planned
// and when run. A read yields one row of NULLs.
type pruneEnv struct {
	fakeEnv
	planned, run *[]*SourceRead
}

var pruneSources = map[string]*catalog.Table{
	"ps": {ID: 16400, Schema: "public", Name: "ps", Kind: catalog.KindSource, Columns: []catalog.Column{
		{Name: "a", Type: vector.Int4}, {Name: "b", Type: vector.Text}, {Name: "c", Type: vector.Text},
		{Name: "d", Type: vector.Int8}, {Name: "ts", Type: vector.Timestamp}},
		Watermark: &catalog.Watermark{Column: 4}},
	"ps2": {ID: 16401, Schema: "public", Name: "ps2", Kind: catalog.KindSource, Columns: []catalog.Column{
		{Name: "a", Type: vector.Int4}, {Name: "b", Type: vector.Text}, {Name: "e", Type: vector.Int4}}},
}

func (e pruneEnv) Table(schema, name string) (*catalog.Table, error) {
	if t, ok := pruneSources[name]; ok {
		return t, nil
	}
	return e.fakeEnv.Table(schema, name)
}

func (e pruneEnv) ScanSource(r *SourceRead) func(context.Context, func(*vector.Batch) error) error {
	*e.planned = append(*e.planned, r)
	return func(_ context.Context, emit func(*vector.Batch) error) error {
		*e.run = append(*e.run, r)
		cols := r.Columns
		if cols == nil {
			for i := range r.Table.Columns {
				cols = append(cols, i)
			}
		}
		row := make([]arrow.Array, len(cols))
		for i, c := range cols {
			b := vector.NewBuilder(r.Table.Columns[c].Type, 1)
			b.Append(nil)
			row[i] = b.Finish()
		}
		return emit(vector.NewBatch(row, 1))
	}
}

// prunePlanner is a planner over a pruneEnv.
func prunePlanner(t *testing.T, sql string) (*Planner, *tree.Select, pruneEnv) {
	t.Helper()
	st, err := parser.ParseOneWithInt(sql, types.Int4)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	env := pruneEnv{planned: &[]*SourceRead{}, run: &[]*SourceRead{}}
	return New(env, &vector.EvalContext{}, &vector.ParamTypes{}), st.AST.(*tree.Select), env
}

// sourceDetails lists the Detail of the source nodes of a dataflow, in
// the order EXPLAIN shows them.
func sourceDetails(n *operators.Node, out *[]string) {
	if len(n.Inputs) == 0 {
		if _, ok := n.Source.(*SourceRead); ok {
			*out = append(*out, n.Detail)
		}
	}
	for _, in := range n.Inputs {
		sourceDetails(in, out)
	}
}

// TestPruneView checks which columns the sources of continuous queries
// read: those the query names, the event-time column, every column a name
// matches even when it is ambiguous there, the columns an alias renames by
// position, and at least one.
func TestPruneView(t *testing.T) {
	for _, tc := range []struct{ sql, columns, sources string }{
		{"SELECT a, count(*) FROM TUMBLE(ps, ts, INTERVAL '1 minute') GROUP BY a, window_start",
			"a|integer count|bigint", "public.ps (a, ts), event time $1"},
		{"SELECT * FROM ps", "a|integer b|text c|text d|bigint ts|timestamp without time zone", "public.ps, event time $4"},
		{"SELECT ps.* FROM ps JOIN ps2 ON ps.a = ps2.a", "a|integer b|text c|text d|bigint ts|timestamp without time zone",
			"public.ps, event time $4 / public.ps2 (a)"},
		{"SELECT count(*) FROM ps", "count|bigint", "public.ps (ts), event time $0"},
		{"SELECT count(*) FROM ps2", "count|bigint", "public.ps2 (a)"},
		// The event time the window call implies.
		{"SELECT d, tumble(INTERVAL '1 minute') AS w FROM ps GROUP BY d, w",
			"d|bigint w_start|timestamp without time zone w_end|timestamp without time zone",
			"public.ps (d, ts), event time $1"},
		// Renamed by position: the first two columns are kept.
		{"SELECT y FROM ps AS p (x, y)", "y|text", "public.ps (a, b, ts), event time $2"},
		{"SELECT q, window_start FROM HOP(ps, ts, INTERVAL '1 minute', INTERVAL '2 minutes') AS h (p, q)",
			"q|text window_start|timestamp without time zone", "public.ps (a, b, ts), event time $2"},
		// b is ambiguous in the join, so GROUP BY b is the select list's
		// b: each b stays, and so does that meaning.
		{"SELECT ps.d + 1 AS b, max(ps.c) FROM ps JOIN ps2 ON ps.a = ps2.a GROUP BY b", "b|bigint max|text",
			"public.ps, event time $4 / public.ps2 (a, b)"},
		{"SELECT e FROM ps NATURAL JOIN ps2", "e|integer", "public.ps (a, b, ts), event time $2 / public.ps2"},
		{"SELECT a FROM ps WHERE a IN (SELECT e FROM ps2)", "a|integer", "public.ps (a, ts), event time $1 / public.ps2 (e)"},
		{"WITH w AS (SELECT a, c FROM ps) SELECT x.a FROM w x JOIN w y ON x.a = y.a WHERE y.c = 'k'", "a|integer",
			"public.ps (a, c, ts), event time $2 / public.ps (a, c, ts), event time $2"},
	} {
		p, sel, _ := prunePlanner(t, tc.sql)
		v, err := p.View(sel, false)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		var cols, sources []string
		for _, c := range v.Columns {
			cols = append(cols, c.Name+"|"+c.Type.String())
		}
		if got := strings.Join(cols, " "); got != tc.columns {
			t.Errorf("%s: columns\n got %s\nwant %s", tc.sql, got, tc.columns)
		}
		sourceDetails(v.Root, &sources)
		for i, s := range sources {
			sources[i], _, _ = strings.Cut(s, " less ")
		}
		if got := strings.Join(sources, " / "); got != tc.sources {
			t.Errorf("%s: sources\n got %s\nwant %s", tc.sql, got, tc.sources)
		}
	}
}

// TestPruneQuery checks the columns bounded queries read from sources
// when they run, correlated subqueries among them, and that a statement
// only typed reads every column.
func TestPruneQuery(t *testing.T) {
	for _, tc := range []struct {
		sql   string
		reads [][]int
	}{
		{"SELECT b FROM ps WHERE d IS NULL", [][]int{{1, 3, 4}}},
		{"SELECT * FROM ps2", [][]int{nil}},
		{"SELECT a, (SELECT max(e) FROM ps2 WHERE ps2.a IS NOT DISTINCT FROM ps.a) FROM ps ORDER BY d", [][]int{{0, 3, 4}, {0, 2}}},
		{"SELECT ps2.b FROM ps2 JOIN pt ON pt.a = ps2.a", [][]int{{0, 1}}},
	} {
		p, sel, env := prunePlanner(t, tc.sql)
		q, err := p.Query(sel)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		st := operators.Open(context.Background(), q.Root)
		rows := 0
		for {
			b, err := st.Next()
			if err != nil {
				t.Fatalf("%s: %v", tc.sql, err)
			}
			if b == nil {
				break
			}
			rows += b.Len
		}
		st.Close()
		var got [][]int
		for _, r := range *env.run {
			got = append(got, r.Columns)
		}
		if !slices.EqualFunc(got, tc.reads, slices.Equal) {
			t.Errorf("%s: reads %v, want %v", tc.sql, got, tc.reads)
		}
	}
	p, sel, env := prunePlanner(t, "SELECT b FROM ps")
	p.DescribeOnly()
	if _, err := p.Query(sel); err != nil || len(*env.planned) != 1 || (*env.planned)[0].Columns != nil {
		t.Errorf("SELECT b FROM ps typed only: %v, reads %v, want one read of every column", err, *env.planned)
	}
}
