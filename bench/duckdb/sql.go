package main

import (
	"fmt"
	"regexp"

	"github.com/runneldb/runnel/bench"
	"github.com/runneldb/runnel/vector"
)

// DuckDB has no window table functions. duckDBSQL rewrites a query of
// bench.Queries into DuckDB's dialect by replacing each TUMBLE(t, ts,
// size) and HOP(t, ts, slide, size) in it with a derived table of the same
// columns, and keeps the rest of the text as it is (what else the queries
// use is SQL both engines read alike). The derived tables give windows as
// runnel's do (operators.Windows, with no offset): they are aligned to the
// Unix epoch, window_end is window_start + size, and a row at time t is in
// the windows with window_start <= t < window_start + size, that is those
// starting at floor(t/slide)*slide - k*slide for k = 0 .. size/slide - 1 (a
// tumble window's slide being its size). A row whose time is NULL or
// infinite is in none.

// windowCall matches a TUMBLE or HOP call: the table, the time column and
// the one or two interval literals.
var windowCall = regexp.MustCompile(`\b(TUMBLE|HOP)\((\w+), (\w+), INTERVAL '([^']+)'(?:, INTERVAL '([^']+)')?\)`)

// duckDBSQL is q's SQL in DuckDB's dialect. A window call it cannot
// rewrite (a hop of size not a multiple of its slide, an interval with
// months, an offset) is an error.
func duckDBSQL(q bench.Query) (string, error) {
	var failed error
	out := windowCall.ReplaceAllStringFunc(q.SQL, func(call string) string {
		table, err := windowTableOf(windowCall.FindStringSubmatch(call))
		if err != nil && failed == nil {
			failed = fmt.Errorf("%s: %s: %w", q.Name, call, err)
		}
		return table
	})
	if failed == nil && leftWindowCall.MatchString(out) {
		failed = fmt.Errorf("%s: a window call is not of a form rewritten: %s", q.Name, q.SQL)
	}
	return out, failed
}

// leftWindowCall matches any TUMBLE or HOP call left after the rewrite.
var leftWindowCall = regexp.MustCompile(`(?i)\b(TUMBLE|HOP)\s*\(`)

// windowTableOf is the derived table for the window call of submatches m
// of windowCall.
func windowTableOf(m []string) (string, error) {
	fn, table, ts := m[1], m[2], m[3]
	slide, err := intervalMicros(m[4])
	if err != nil {
		return "", err
	}
	size := slide
	switch {
	case fn == "TUMBLE" && m[5] != "":
		return "", fmt.Errorf("a tumble window with an offset is not rewritten")
	case fn == "HOP" && m[5] == "":
		return "", fmt.Errorf("a hop window needs a slide and a size")
	case fn == "HOP":
		if size, err = intervalMicros(m[5]); err != nil {
			return "", err
		}
		if size%slide != 0 {
			return "", fmt.Errorf("the hop window's size is not a multiple of its slide")
		}
	}
	return windowTable(table, ts, slide, size), nil
}

// windowTable is the derived table of the rows of table with the
// window_start and window_end of each window of size µs every slide µs
// that holds their time column ts. The start of a row's last window is
// computed once per row, in µs, with a floor division exact for times
// before 1970 too (DuckDB's // truncates); a hop's windows are then that
// row once per earlier start (a cross join with range(size/slide)).
func windowTable(table, ts string, slide, size int64) string {
	us := fmt.Sprintf("epoch_us(t.%s)", ts)
	rows := fmt.Sprintf("(SELECT t.*, %[1]s - (%[1]s %% %[2]d + %[2]d) %% %[2]d AS bucket_us FROM %[3]s t WHERE isfinite(t.%[4]s)) b",
		us, slide, table, ts)
	start := "b.bucket_us"
	if size != slide {
		rows += fmt.Sprintf(" CROSS JOIN range(%d) k(k)", size/slide)
		start = fmt.Sprintf("(b.bucket_us - %d * k.k)", slide)
	}
	return fmt.Sprintf("(SELECT b.* EXCLUDE (bucket_us), make_timestamp(%[1]s) AS window_start, make_timestamp(%[1]s + %[2]d) AS window_end\n      FROM %[3]s)",
		start, size, rows)
}

// intervalMicros is the length in µs of the interval literal s ('2
// seconds'), which must be positive and have no months (whose length
// varies); a day is 24 hours, as in runnel's windows.
func intervalMicros(s string) (int64, error) {
	d, err := vector.ParseText(s, vector.Interval, nil)
	if err != nil {
		return 0, fmt.Errorf("interval %q: %w", s, err)
	}
	iv := d.(vector.IntervalValue)
	us := int64(iv.Days)*24*3600*1e6 + iv.Micros
	if iv.Months != 0 || us <= 0 {
		return 0, fmt.Errorf("interval %q: a window needs a positive length without months", s)
	}
	return us, nil
}
