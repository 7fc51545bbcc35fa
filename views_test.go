package runnel

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runneldb/runnel/vector"
)

// rowsOf runs a query and renders its rows as text, sorted.
func rowsOf(t *testing.T, s *Session, sql string) []string {
	t.Helper()
	res := run(t, s, sql)
	var out []string
	ctx := context.Background()
	for {
		b, err := res.Rows.Next(ctx)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		if b == nil {
			break
		}
		for i := 0; i < b.Len; i++ {
			vals := make([]string, len(b.Cols))
			for c, col := range b.Cols {
				vals[c] = fmt.Sprint(vector.ValueAt(col, res.Columns[c].Type, i))
				if col.IsNull(i) {
					vals[c] = "NULL"
				}
			}
			out = append(out, strings.Join(vals, "|"))
		}
	}
	res.Rows.Close()
	slices.Sort(out)
	return out
}

// viewQueries are materialized view definitions over every incremental
// operator; each is checked against the same SELECT run by the batch
// engine. mv_base is read by the nested ones.
var viewQueries = []struct{ name, query string }{
	{"mv_base", "SELECT k, v, s FROM t1 WHERE v % 3 <> 0"},
	{"mv_project", "SELECT k * 2 AS k2, v + k AS vk, upper(s) AS us FROM t1"},
	{"mv_group", "SELECT k, count(*) AS n, sum(v) AS sv, min(v) AS lo, max(v) AS hi, avg(v) AS av FROM t1 GROUP BY k"},
	{"mv_group_having", "SELECT k % 4 AS b, count(DISTINCT v) AS dv, bool_and(v > 10) AS ba, bool_or(v > 90) AS bo FROM t1 GROUP BY k % 4 HAVING count(*) > 1"},
	{"mv_global", "SELECT count(*) AS n, sum(v) AS sv, min(s) AS ms, max(v) AS mv FROM t1"},
	{"mv_distinct", "SELECT DISTINCT k % 5 AS r, s FROM t1"},
	{"mv_distinct_on", "SELECT DISTINCT ON (k) k, v, s FROM t1 ORDER BY k, v DESC, s"},
	{"mv_inner", "SELECT t1.k, t1.v, t2.w FROM t1 JOIN t2 ON t1.k = t2.k"},
	{"mv_left", "SELECT t1.k, t1.v, t2.w FROM t1 LEFT JOIN t2 ON t1.k = t2.k AND t2.w > 20"},
	{"mv_right", "SELECT t1.v, t2.k, t2.w FROM t1 RIGHT JOIN t2 ON t1.k = t2.k"},
	{"mv_full", "SELECT t1.v, t2.w FROM t1 FULL JOIN t2 ON t1.k = t2.k"},
	{"mv_three", "SELECT a.k, a.v, b.w, c.v AS cv FROM t1 a JOIN t2 b ON a.k = b.k JOIN t1 c ON c.k = b.w % 10"},
	{"mv_self", "SELECT a.k, a.v AS av, b.v AS bv FROM t1 a JOIN t1 b ON a.k = b.k AND a.v < b.v"},
	{"mv_union_all", "SELECT k, v FROM t1 UNION ALL SELECT k, w FROM t2"},
	{"mv_union", "SELECT k FROM t1 UNION SELECT k FROM t2"},
	{"mv_topn", "SELECT k, v, s FROM t1 ORDER BY v DESC, k, s LIMIT 5"},
	{"mv_topn_offset", "SELECT k, v FROM t1 ORDER BY v, k LIMIT 3 OFFSET 2"},
	{"mv_sub_from", "SELECT g.k, g.n FROM (SELECT k, count(*) AS n FROM t1 GROUP BY k) g WHERE g.n > 1"},
	{"mv_semi", "SELECT k, v FROM t1 WHERE k IN (SELECT k FROM t2 WHERE w > 30)"},
	{"mv_exists", "SELECT k, v FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k)"},
	{"mv_not_exists", "SELECT k, v FROM t1 WHERE NOT EXISTS (SELECT 1 FROM t2 WHERE t2.k = t1.k)"},
	{"mv_nested", "SELECT k, sum(v) AS sv FROM mv_base GROUP BY k"},
	{"mv_nested_join", "SELECT b.k, b.v, g.n FROM mv_base b JOIN mv_group g ON b.k = g.k"},
	{"mv_plain_view", "SELECT k, n FROM v_counts WHERE n > 0"},
}

// TestViewsDifferential creates a materialized view per operator and
// random views over tables and views, applies random inserts, updates and
// deletes with restarts between them, and after every step checks each
// view against its query run by the batch engine. RUNNEL_SOAK (a duration)
// makes it go on with new seeds for that long (make soak).
func TestViewsDifferential(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	var deadline time.Time
	if d, err := time.ParseDuration(os.Getenv("RUNNEL_SOAK")); err == nil {
		deadline = time.Now().Add(d)
	}
	for i := 0; i < len(seeds) || time.Now().Before(deadline); i++ {
		seed := uint64(i + 1)
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { differential(t, seed, 60) })
	}
}

// randomView returns the defining query of a view over one or two of
// sources (FROM items with columns k and v, of any numeric types), with
// columns k and v itself: a random operator over random parameters.
func randomView(rng *rand.Rand, sources []string) string {
	a := sources[rng.IntN(len(sources))]
	b := sources[rng.IntN(len(sources))]
	m := 2 + rng.IntN(5)
	switch rng.IntN(9) {
	case 0:
		return fmt.Sprintf("SELECT a.k, a.v FROM %s a WHERE a.v %% %d <> %d", a, m, rng.IntN(m))
	case 1:
		return fmt.Sprintf("SELECT a.k %% %d AS k, a.v + a.k AS v FROM %s a", m, a)
	case 2:
		agg := []string{"count(*)", "sum(a.v)", "min(a.v)", "max(a.v)", "count(DISTINCT a.v)"}[rng.IntN(5)]
		return fmt.Sprintf("SELECT a.k %% %d AS k, %s AS v FROM %s a GROUP BY a.k %% %d", m, agg, a, m)
	case 3:
		return fmt.Sprintf("SELECT a.k, max(a.v) AS v FROM %s a GROUP BY a.k HAVING count(*) > 1", a)
	case 4:
		return fmt.Sprintf("SELECT DISTINCT a.k, a.v %% %d AS v FROM %s a", m, a)
	case 5:
		return fmt.Sprintf("SELECT a.k, a.v + coalesce(b.v, 0) AS v FROM %s a LEFT JOIN %s b ON a.k = b.k", a, b)
	case 6:
		return fmt.Sprintf("SELECT a.k, a.v FROM %s a ORDER BY a.v DESC, a.k LIMIT %d", a, 1+rng.IntN(6))
	case 7:
		return fmt.Sprintf("SELECT a.k, a.v FROM %s a UNION ALL SELECT b.k, b.v FROM %s b", a, b)
	}
	return fmt.Sprintf("SELECT a.k, a.v FROM %s a WHERE a.k IN (SELECT b.k FROM %s b)", a, b)
}

func differential(t *testing.T, seed uint64, steps int) {
	dir := t.TempDir()
	db, err := Open(dir, Options{Partitions: 2, CheckpointInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	connect := func() *Session {
		s, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := connect()
	run(t, s, "CREATE TABLE t1 (k int, v int, s text)")
	run(t, s, "CREATE TABLE t2 (k int, w int)")
	run(t, s, "CREATE VIEW v_counts AS SELECT k, count(*) AS n FROM t2 GROUP BY k")
	rng := rand.New(rand.NewPCG(seed, 7))
	insert := func() {
		var rows []string
		for range 1 + rng.IntN(8) {
			s := fmt.Sprintf("'%c'", 'a'+rng.IntN(4))
			if rng.IntN(10) == 0 {
				s = "NULL"
			}
			rows = append(rows, fmt.Sprintf("(%d, %d, %s)", rng.IntN(10), rng.IntN(100), s))
		}
		run(t, s, "INSERT INTO t1 VALUES "+strings.Join(rows, ", "))
		run(t, s, fmt.Sprintf("INSERT INTO t2 VALUES (%d, %d)", rng.IntN(12), rng.IntN(60)))
	}
	for range 5 {
		insert()
	}
	views := append([]struct{ name, query string }(nil), viewQueries...)
	sources := []string{"t1", "(SELECT k, w AS v FROM t2)"}
	for i := range 6 {
		name := fmt.Sprintf("rv%d", i)
		views = append(views, struct{ name, query string }{name, randomView(rng, sources)})
		sources = append(sources, name)
	}
	for _, v := range views {
		run(t, s, fmt.Sprintf("CREATE MATERIALIZED VIEW %s AS %s", v.name, v.query))
	}
	check := func(step int) {
		t.Helper()
		for _, v := range views {
			got := rowsOf(t, s, "SELECT * FROM "+v.name)
			want := rowsOf(t, s, v.query)
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d step %d: view %s (%s)\n got  %q\n want %q", seed, step, v.name, v.query, got, want)
			}
		}
	}
	check(0)
	for step := 1; step <= steps; step++ {
		op := rng.IntN(10)
		switch {
		case op < 4:
			insert()
		case op < 6:
			run(t, s, fmt.Sprintf("UPDATE t1 SET v = (v + %d) %% 100 WHERE k = %d", 1+rng.IntN(50), rng.IntN(10)))
		case op < 7:
			run(t, s, fmt.Sprintf("UPDATE t2 SET w = w + 7 WHERE k = %d", rng.IntN(12)))
		case op < 8:
			run(t, s, fmt.Sprintf("DELETE FROM t1 WHERE k = %d", rng.IntN(10)))
		case op < 9:
			run(t, s, fmt.Sprintf("DELETE FROM t2 WHERE w < %d", rng.IntN(30)))
		default:
			if rng.IntN(2) == 0 {
				time.Sleep(20 * time.Millisecond) // let a checkpoint complete
			}
			s.Close()
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if db, err = Open(dir, Options{Partitions: 1 + rng.IntN(3), CheckpointInterval: 5 * time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			s = connect()
		}
		check(step)
	}
}
