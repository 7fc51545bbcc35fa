package sqllogictest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The differential test's schema: two small tables whose columns have few
// distinct values (so that joins, groups and DISTINCT find duplicates) and
// NULLs everywhere. Floats are multiples of 0.25, exact in binary, so sums
// do not depend on summation order.
var diffTables = []string{
	"CREATE TABLE diff_a (k int, g int, t text, n numeric(8,2), f float8, b boolean)",
	"CREATE TABLE diff_b (k int, g int, t text, v int)",
}

// diffColumns lists each table's columns by kind, for the generator.
var diffColumns = map[string]struct{ ints, texts, nums, floats, bools []string }{
	"diff_a": {ints: []string{"k", "g"}, texts: []string{"t"}, nums: []string{"n"}, floats: []string{"f"}, bools: []string{"b"}},
	"diff_b": {ints: []string{"k", "g", "v"}, texts: []string{"t"}},
}

// gen generates the data and queries of the differential test from a
// fixed seed.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, 0x5eed))} }

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// orNull returns s, or NULL one time in six.
func (g *gen) orNull(s string) string {
	if g.r.IntN(6) == 0 {
		return "NULL"
	}
	return s
}

func (g *gen) intLit() string  { return fmt.Sprint(g.r.IntN(5)) }
func (g *gen) textLit() string { return g.pick("'a'", "'b'", "'ab'", "''", "'B'") }

// inserts returns the INSERT statements filling both tables.
func (g *gen) inserts() []string {
	var a, b []string
	for range 40 {
		a = append(a, fmt.Sprintf("(%s, %s, %s, %s, %s, %s)", g.orNull(g.intLit()), g.orNull(g.intLit()), g.orNull(g.textLit()),
			g.orNull(fmt.Sprintf("%d.%02d", g.r.IntN(201)-100, g.r.IntN(100))), g.orNull(fmt.Sprint(float64(g.r.IntN(41)-20)*0.25)),
			g.orNull(g.pick("true", "false"))))
	}
	for range 30 {
		b = append(b, fmt.Sprintf("(%s, %s, %s, %s)", g.orNull(g.intLit()), g.orNull(g.intLit()), g.orNull(g.textLit()), g.orNull(fmt.Sprint(g.r.IntN(1000)-500))))
	}
	return []string{"INSERT INTO diff_a VALUES " + strings.Join(a, ", "), "INSERT INTO diff_b VALUES " + strings.Join(b, ", ")}
}

// pred returns a boolean expression over the columns of table (qualified
// by alias q), nested up to depth.
func (g *gen) pred(table, q string, depth int) string {
	c := diffColumns[table]
	col := func(xs []string) string { return q + "." + xs[g.r.IntN(len(xs))] }
	if depth > 0 && g.chance(0.4) {
		l, r := g.pred(table, q, depth-1), g.pred(table, q, depth-1)
		switch g.r.IntN(3) {
		case 0:
			return "(" + l + " AND " + r + ")"
		case 1:
			return "(" + l + " OR " + r + ")"
		}
		return "NOT (" + l + ")"
	}
	op := g.pick("=", "<>", "<", "<=", ">", ">=")
	switch g.r.IntN(9) {
	case 0:
		return col(c.ints) + " " + op + " " + g.intLit()
	case 1:
		return col(c.ints) + " " + op + " " + col(c.ints)
	case 2:
		return col(c.texts) + " " + op + " " + g.textLit()
	case 3:
		return col(c.ints) + g.pick(" IS NULL", " IS NOT NULL")
	case 4:
		return col(c.ints) + g.pick(" IN ", " NOT IN ") + "(" + g.intLit() + ", " + g.orNull(g.intLit()) + ")"
	case 5:
		return col(c.ints) + " BETWEEN " + g.intLit() + " AND " + g.intLit()
	case 6:
		return col(c.texts) + g.pick(" LIKE 'a%'", " NOT LIKE '%b'", " ILIKE 'b'")
	case 7:
		return "(" + col(c.ints) + " + " + col(c.ints) + ") % 3 " + op + " 1"
	}
	if len(c.bools) > 0 {
		return g.pick("", "NOT ") + col(c.bools)
	}
	return "coalesce(" + col(c.ints) + ", 0) " + op + " 2"
}

// orderAll orders by every one of n output columns, so that the order is
// total and results compare as lists; sometimes with a LIMIT.
func (g *gen) orderAll(n int) string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprint(i + 1)
		if g.chance(0.3) {
			keys[i] += g.pick(" DESC", " NULLS FIRST", " DESC NULLS LAST")
		}
	}
	s := " ORDER BY " + strings.Join(keys, ", ")
	if g.chance(0.6) {
		s += fmt.Sprintf(" LIMIT %d", g.r.IntN(10)+1)
		if g.chance(0.3) {
			s += fmt.Sprintf(" OFFSET %d", g.r.IntN(5))
		}
	}
	return s
}

// diffQuery is a generated query; ordered says its ORDER BY covers every
// output column, so results compare as lists instead of multisets.
type diffQuery struct {
	sql     string
	ordered bool
}

// query returns the next random query.
func (g *gen) query() diffQuery {
	var sql string
	cols := 0
	switch g.r.IntN(9) {
	case 0: // filter
		sql, cols = "SELECT a.k, a.g, a.t, a.n, a.f, a.b FROM diff_a a WHERE "+g.pred("diff_a", "a", 2), 6
	case 1: // arithmetic and conditional expressions
		sql, cols = "SELECT a.k + a.g, a.k * 3 - a.g, a.n * 2 + 1, a.f / 2, a.k::numeric / 4, -a.g % 3, "+
			"CASE WHEN a.k > 2 THEN 'big' WHEN a.k IS NULL THEN 'none' ELSE a.t END, coalesce(a.t, 'x') || '!', nullif(a.g, 1), "+
			"a.b AND a.k > 1, a.b OR a.g = 0 FROM diff_a a WHERE "+g.pred("diff_a", "a", 1), 11
	case 2: // aggregation
		sql, cols = "SELECT a.g, count(*), count(a.k), count(DISTINCT a.t), sum(a.k), sum(a.n), sum(a.f), avg(a.k), avg(a.n), "+
			"min(a.t), max(a.f), bool_and(a.b), bool_or(a.b), sum(a.k) FILTER (WHERE a.b) FROM diff_a a WHERE "+g.pred("diff_a", "a", 1)+
			" GROUP BY a.g", 14
		if g.chance(0.5) {
			sql += " HAVING count(*) > " + fmt.Sprint(g.r.IntN(6))
		}
	case 3: // joins on equal keys
		join := g.pick("JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN")
		on := "a.k = b.k"
		if g.chance(0.3) {
			on += " AND a.g = b.g"
		}
		sql, cols = "SELECT a.k, a.t, a.g, b.k, b.t, b.v FROM diff_a a "+join+" diff_b b ON "+on, 6
		if g.chance(0.5) {
			sql += " WHERE " + g.pred("diff_b", "b", 1)
		}
	case 4: // grouped join
		sql, cols = "SELECT a.k, count(*), sum(b.v), max(b.t) FROM diff_a a "+g.pick("JOIN", "LEFT JOIN")+" diff_b b ON a.k = b.k GROUP BY a.k", 4
	case 5: // DISTINCT
		sql, cols = "SELECT DISTINCT a.k, a.t FROM diff_a a WHERE "+g.pred("diff_a", "a", 1), 2
	case 6: // UNION
		sql, cols = "SELECT a.k, a.t FROM diff_a a WHERE "+g.pred("diff_a", "a", 1)+g.pick(" UNION ", " UNION ALL ")+
			"SELECT b.g, b.t FROM diff_b b WHERE "+g.pred("diff_b", "b", 1), 2
	case 7: // division: fails with 22012 exactly when a row with a.k = 0 passes the filter
		sql, cols = "SELECT a.g / a.k, a.n / a.k FROM diff_a a WHERE "+g.pred("diff_a", "a", 1), 2
	default: // IN / EXISTS subqueries
		sub := g.pred("diff_b", "b", 1)
		if g.chance(0.5) {
			sql = "SELECT a.k, a.t, a.n FROM diff_a a WHERE a.k " + g.pick("IN", "NOT IN") + " (SELECT b.g FROM diff_b b WHERE " + sub + ")"
		} else {
			sql = "SELECT a.k, a.t, a.n FROM diff_a a WHERE " + g.pick("", "NOT ") + "EXISTS (SELECT 1 FROM diff_b b WHERE b.k = a.k AND " + sub + ")"
		}
		cols = 3
	}
	if g.chance(0.35) {
		return diffQuery{sql: sql + g.orderAll(cols), ordered: true}
	}
	return diffQuery{sql: sql}
}
