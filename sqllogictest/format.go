package sqllogictest

import (
	"crypto/md5"
	"fmt"
	"slices"
	"strings"
)

// formatValue renders one text-format value the way sqllogictest prints
// it: NULL for null, (empty) for the empty string, the text otherwise with
// whitespace runs collapsed to one space.
func formatValue(v []byte) string {
	switch {
	case v == nil:
		return "NULL"
	case len(v) == 0:
		return "(empty)"
	}
	return normalize(string(v))
}

// normalize collapses every run of whitespace in s to one space and trims
// it, so that comparisons ignore layout.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// resultLines turns rows of formatted values into the lines that are
// compared with (and written as) a query's expected results: one row per
// line (one value per line for ValueSort), sorted as mode says, or the
// single line "N values hashing to MD5" when there are more than
// threshold values (threshold 0: never hash).
func resultLines(rows [][]string, mode SortMode, threshold int) []string {
	if mode == ValueSort {
		var vals [][]string
		for _, row := range rows {
			for _, v := range row {
				vals = append(vals, []string{v})
			}
		}
		rows = vals
	}
	lines := make([]string, len(rows))
	for i, row := range rows {
		lines[i] = strings.Join(row, " ")
	}
	if mode != NoSort {
		idx := make([]int, len(rows))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(lines[a], lines[b]) })
		sorted := make([][]string, len(rows))
		for i, j := range idx {
			sorted[i] = rows[j]
		}
		rows = sorted
		slices.Sort(lines)
	}
	n := 0
	for _, row := range rows {
		n += len(row)
	}
	if threshold > 0 && n > threshold {
		h := md5.New()
		for _, row := range rows {
			for _, v := range row {
				h.Write([]byte(v))
				h.Write([]byte{'\n'})
			}
		}
		return []string{fmt.Sprintf("%d values hashing to %x", n, h.Sum(nil))}
	}
	return lines
}

// expectedLines normalizes a query's written results for comparison with
// resultLines: whitespace collapsed, and sorted when mode sorts (so that
// hand-written expectations need not be in sorted order).
func expectedLines(lines []string, mode SortMode) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = normalize(l)
	}
	if mode != NoSort {
		slices.Sort(out)
	}
	return out
}

// typeLetter is the sqllogictest column type letter for a Postgres type
// OID: B boolean, I integer, R float or numeric, T anything else.
func typeLetter(oid uint32) byte {
	switch oid {
	case 16:
		return 'B'
	case 20, 21, 23:
		return 'I'
	case 700, 701, 1700:
		return 'R'
	}
	return 'T'
}
