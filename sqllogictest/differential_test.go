package sqllogictest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/runneldb/runnel/sqllogictest/testserver"
)

// diffQueries is how many random queries TestDifferential runs per seed.
const diffQueries = 150

// TestDifferential runs random queries over random tables on runnel and on
// PostgreSQL and requires the same answers: the same column types, the same
// rows (as multisets, or as lists when ORDER BY covers every column), float
// values equal to 12 significant digits, and errors with the same SQLSTATE.
func TestDifferential(t *testing.T) {
	pg := connect(t, pgURL(t))
	rn := connect(t, testserver.Start(t))
	for _, seed := range []uint64{1, 2, 3, 4, 5, 6, 7, 8} {
		g := newGen(seed)
		setup := append(append([]string{"DROP TABLE IF EXISTS diff_a, diff_b"}, diffTables...), g.inserts()...)
		for _, sql := range setup {
			for _, c := range []*pgconn.PgConn{pg, rn} {
				if _, err := execute(context.Background(), c, sql, false); err != nil && !strings.HasPrefix(sql, "DROP") {
					t.Fatalf("seed %d: %s: %v", seed, sql, err)
				}
			}
		}
		failures := 0
		for i := range diffQueries {
			q := g.query()
			if d := compareOn(pg, rn, q); d != "" {
				t.Errorf("seed %d query %d: %s\n%s", seed, i, q.sql, d)
				if failures++; failures == 10 {
					t.Fatalf("seed %d: too many mismatches; the tables were:\n%s", seed, strings.Join(setup[1:], ";\n"))
				}
			}
		}
		if failures > 0 {
			t.Logf("seed %d tables:\n%s", seed, strings.Join(setup[1:], ";\n"))
		}
	}
	for _, c := range []*pgconn.PgConn{pg, rn} {
		execute(context.Background(), c, "DROP TABLE IF EXISTS diff_a, diff_b", false)
	}
}

// connect opens a connection closed at the end of the test.
func connect(t *testing.T, url string) *pgconn.PgConn {
	t.Helper()
	c, err := pgconn.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// outcome is a query's answer reduced to what the engines must agree on.
type outcome struct {
	code  string // SQLSTATE when the query failed
	msg   string
	types []uint32
	rows  []string
}

// runDiff runs q and canonicalizes its answer: float values rounded to 12
// significant digits, rows sorted unless q is ordered.
func runDiff(c *pgconn.PgConn, q diffQuery) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := execute(ctx, c, q.sql, false)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return outcome{code: pe.Code, msg: pe.Message}
		}
		return outcome{code: "connection", msg: err.Error()}
	}
	var o outcome
	for _, f := range res.cols {
		o.types = append(o.types, f.DataTypeOID)
	}
	for _, row := range res.rows {
		vals := slices.Clone(row)
		for i, v := range vals {
			if oid := o.types[i]; oid == 700 || oid == 701 {
				if x, err := strconv.ParseFloat(v, 64); err == nil {
					vals[i] = strconv.FormatFloat(x, 'g', 12, 64)
				}
			}
		}
		o.rows = append(o.rows, strings.Join(vals, " | "))
	}
	if !q.ordered {
		slices.Sort(o.rows)
	}
	return o
}

// compareOn runs q on both engines and describes how their answers
// differ, or returns "".
func compareOn(pg, rn *pgconn.PgConn, q diffQuery) string {
	want, got := runDiff(pg, q), runDiff(rn, q)
	switch {
	case want.code != "" || got.code != "":
		if want.code != got.code {
			return fmt.Sprintf("postgres: %s\nrunnel:   %s", describeErr(want), describeErr(got))
		}
		return ""
	case !slices.Equal(want.types, got.types):
		return fmt.Sprintf("column types: postgres %v, runnel %v", want.types, got.types)
	case slices.Equal(want.rows, got.rows):
		return ""
	case q.ordered && len(want.rows) == len(got.rows):
		for i := range want.rows {
			if want.rows[i] != got.rows[i] {
				return fmt.Sprintf("first difference at row %d:\npostgres: %s\nrunnel:   %s", i+1, want.rows[i], got.rows[i])
			}
		}
	}
	onlyPG, onlyRN := multisetDiff(want.rows, got.rows)
	return fmt.Sprintf("%d rows from postgres, %d from runnel\nonly postgres:%s\nonly runnel:%s",
		len(want.rows), len(got.rows), firstLines(onlyPG), firstLines(onlyRN))
}

func describeErr(o outcome) string {
	if o.code == "" {
		return fmt.Sprintf("%d rows", len(o.rows))
	}
	return "error " + o.code + ": " + o.msg
}

// multisetDiff returns the rows of a missing from b and those of b missing
// from a, counting duplicates.
func multisetDiff(a, b []string) (onlyA, onlyB []string) {
	count := map[string]int{}
	for _, r := range a {
		count[r]++
	}
	for _, r := range b {
		if count[r] > 0 {
			count[r]--
		} else {
			onlyB = append(onlyB, r)
		}
	}
	for _, r := range a {
		if count[r] > 0 {
			count[r]--
			onlyA = append(onlyA, r)
		}
	}
	return onlyA, onlyB
}

// firstLines formats up to 10 rows, one per indented line.
func firstLines(rows []string) string {
	var b strings.Builder
	for i, r := range rows {
		if i == 10 {
			fmt.Fprintf(&b, "\n    … %d more", len(rows)-10)
			break
		}
		b.WriteString("\n    " + r)
	}
	return b.String()
}
