package sqllogictest

import (
	"os"
	"slices"
	"strings"
)

// edit replaces lines [start, end) (0-based) of a file by lines.
type edit struct {
	start, end int
	lines      []string
}

// keyword is the record's first word: statement or query.
func (rec *record) keyword() string {
	if rec.kind == kindQuery {
		return "query"
	}
	return "statement"
}

// headerEdit replaces the record's keyword line.
func headerEdit(rec *record, header string) edit {
	return edit{start: rec.line - 1, end: rec.line, lines: []string{header}}
}

// completeQuery rewrites a query's header (types from the result columns)
// and its results with actual.
func completeQuery(rec *record, res *result, actual []string) []edit {
	types := make([]byte, len(res.cols))
	for i, c := range res.cols {
		types[i] = typeLetter(c.DataTypeOID)
	}
	header := []string{"query", string(types)}
	if len(types) == 0 {
		header[1] = rec.types
	}
	if rec.sortSet {
		header = append(header, [...]string{"nosort", "rowsort", "valuesort"}[rec.sortMode])
	}
	if rec.label != "" {
		header = append(header, rec.label)
	}
	results := append([]string{"----"}, actual...)
	if rec.resultLine < 0 {
		// No "----" yet: the results go after the SQL, which ends the record.
		return []edit{headerEdit(rec, strings.Join(header, " ")), {start: rec.end, end: rec.end, lines: results}}
	}
	return []edit{headerEdit(rec, strings.Join(header, " ")), {start: rec.resultLine, end: rec.end, lines: results}}
}

// finish writes the completed file when completing and anything changed.
func (r *runner) finish(path, text string, edits []edit) error {
	if !r.opt.Complete || len(edits) == 0 {
		return nil
	}
	lines := strings.Split(text, "\n")
	slices.SortStableFunc(edits, func(a, b edit) int { return b.start - a.start })
	for _, e := range edits {
		lines = slices.Replace(lines, e.start, e.end, e.lines...)
	}
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
}
