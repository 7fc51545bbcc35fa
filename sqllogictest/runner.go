package sqllogictest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Options configure a run.
type Options struct {
	// URL is the server to test, as a libpq connection URL.
	URL string
	// Extended sends every statement with the extended query protocol
	// (Parse/Bind/Describe/Execute, text result format) instead of the
	// simple one.
	Extended bool
	// Complete rewrites the file's expected results (and empty error
	// patterns) from what the server answers. Use it against real
	// PostgreSQL to derive expectations.
	Complete bool
	// Verbose prints each record's outcome to standard error.
	Verbose bool
}

// Failure is a record whose outcome differed from its expectation.
type Failure struct {
	File string
	Line int
	SQL  string
	// Expected and Actual describe the two outcomes in sqllogictest form.
	Expected, Actual string
}

func (f Failure) String() string {
	return fmt.Sprintf("%s:%d: %s\n--- expected\n%s\n--- actual\n%s", f.File, f.Line, f.SQL, f.Expected, f.Actual)
}

// Report is the outcome of a run.
type Report struct {
	// Passed and Skipped count records; Failures lists the others.
	Passed, Skipped int
	Failures        []Failure
}

// add accumulates o into r.
func (r *Report) add(o Report) {
	r.Passed += o.Passed
	r.Skipped += o.Skipped
	r.Failures = append(r.Failures, o.Failures...)
}

// recordTimeout bounds one statement, so that a hung server fails the
// record instead of the whole run.
const recordTimeout = 60 * time.Second

// RunFile runs the records of the file at path against opt.URL. Mismatches
// are in the Report; the error is for what stops the run (an unreadable or
// malformed file, a server that cannot be reached).
func RunFile(ctx context.Context, path string, opt Options) (Report, error) {
	r := &runner{opt: opt, conns: map[string]*pgconn.PgConn{}, labels: map[string]string{}}
	defer r.close()
	err := r.runFile(ctx, path)
	return r.report, err
}

// runner holds the state of a run, shared by included files.
type runner struct {
	opt    Options
	conns  map[string]*pgconn.PgConn
	engine string // "runnel" or "postgres", from the server's version

	hashThreshold int
	sortMode      SortMode
	labels        map[string]string // label → result of its first query

	report Report
}

func (r *runner) close() {
	for _, c := range r.conns {
		c.Close(context.Background())
	}
}

// conn returns the named connection, opening it on first use.
func (r *runner) conn(ctx context.Context, name string) (*pgconn.PgConn, error) {
	if c, ok := r.conns[name]; ok && !c.IsClosed() {
		return c, nil
	}
	c, err := pgconn.Connect(ctx, r.opt.URL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", r.opt.URL, err)
	}
	if r.engine == "" {
		r.engine = "postgres"
		if strings.Contains(c.ParameterStatus("server_version"), "runnel") {
			r.engine = "runnel"
		}
	}
	r.conns[name] = c
	return c, nil
}

// runFile runs one file (and what it includes), rewriting it when
// completing.
func (r *runner) runFile(ctx context.Context, path string) error {
	text, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	recs, err := parse(path, string(text))
	if err != nil {
		return err
	}
	// The engine name decides skipif/onlyif: connect before the first record.
	if _, err := r.conn(ctx, ""); err != nil {
		return err
	}
	var edits []edit
	for _, rec := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !rec.runsOn(r.engine) {
			r.report.Skipped++
			continue
		}
		switch rec.kind {
		case kindHalt:
			return r.finish(path, string(text), edits)
		case kindInclude:
			if err := r.include(ctx, path, rec.arg); err != nil {
				return err
			}
		case kindSleep:
			select {
			case <-time.After(rec.duration):
			case <-ctx.Done():
				return ctx.Err()
			}
		case kindHashThreshold:
			r.hashThreshold = rec.n
		case kindSortMode:
			r.sortMode = rec.sortMode
		case kindStatement, kindQuery:
			e, err := r.run(ctx, path, rec)
			if err != nil {
				return err
			}
			edits = append(edits, e...)
		}
	}
	return r.finish(path, string(text), edits)
}

// include runs the files matching pattern, relative to the including file.
func (r *runner) include(ctx context.Context, from, pattern string) error {
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(filepath.Dir(from), pattern)
	}
	files, err := filepath.Glob(pattern)
	if err != nil {
		return fmt.Errorf("%s: include %s: %w", from, pattern, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: include %s: no such file", from, pattern)
	}
	for _, f := range files {
		if err := r.runFile(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// run executes a statement or query record and checks its outcome; against
// PostgreSQL, runnel's view statements are translated first (forOracle).
// The returned edits complete the record when Options.Complete is set.
func (r *runner) run(ctx context.Context, path string, rec *record) ([]edit, error) {
	c, err := r.conn(ctx, rec.conn)
	if err != nil {
		return nil, err
	}
	sql := rec.sql
	if r.engine == "postgres" {
		var ok bool
		if sql, ok = forOracle(sql); !ok {
			r.pass(path, rec)
			return nil, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, recordTimeout)
	defer cancel()
	res, err := execute(ctx, c, sql, r.opt.Extended)
	fail := func(expected, actual string) {
		r.report.Failures = append(r.report.Failures, Failure{File: path, Line: rec.line, SQL: rec.sql, Expected: expected, Actual: actual})
		r.logf("%s:%d: FAIL", path, rec.line)
	}
	if err != nil {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) {
			pe = &pgconn.PgError{Message: err.Error()}
		}
		if !rec.expectError {
			fail(expectation(rec), "error "+pe.Code+": "+pe.Message)
			return nil, nil
		}
		if rec.errPattern == "" && r.opt.Complete {
			r.pass(path, rec)
			return []edit{headerEdit(rec, rec.keyword()+" error "+regexp.QuoteMeta(pe.Message))}, nil
		}
		ok, rerr := errorMatches(rec.errPattern, pe)
		if rerr != nil {
			return nil, fmt.Errorf("%s:%d: bad error pattern: %w", path, rec.line, rerr)
		}
		if !ok {
			fail(expectation(rec), "error "+pe.Code+": "+pe.Message)
			return nil, nil
		}
		r.pass(path, rec)
		return nil, nil
	}
	if rec.expectError {
		fail(expectation(rec), "no error")
		return nil, nil
	}
	if rec.kind == kindStatement {
		if rec.count >= 0 && res.tag.RowsAffected() != rec.count {
			fail(expectation(rec), fmt.Sprintf("%d rows affected (%s)", res.tag.RowsAffected(), res.tag))
			return nil, nil
		}
		r.pass(path, rec)
		return nil, nil
	}
	return r.checkQuery(path, rec, res, fail), nil
}

// checkQuery compares a query's rows with its expected results.
func (r *runner) checkQuery(path string, rec *record, res *result, fail func(expected, actual string)) []edit {
	mode := r.sortMode
	if rec.sortSet {
		mode = rec.sortMode
	}
	actual := resultLines(res.rows, mode, r.hashThreshold)
	if rec.label != "" {
		got := strings.Join(actual, "\n")
		if prev, ok := r.labels[rec.label]; ok && prev != got {
			fail("same result as earlier query labelled "+rec.label+":\n"+prev, got)
			return nil
		}
		r.labels[rec.label] = got
	}
	if r.opt.Complete {
		r.pass(path, rec)
		return completeQuery(rec, res, actual)
	}
	if !slices.Equal(expectedLines(rec.expected, mode), expectedLines(actual, mode)) {
		fail(strings.Join(rec.expected, "\n"), strings.Join(actual, "\n"))
		return nil
	}
	r.pass(path, rec)
	return nil
}

func (r *runner) pass(path string, rec *record) {
	r.report.Passed++
	r.logf("%s:%d: ok", path, rec.line)
}

func (r *runner) logf(format string, args ...any) {
	if r.opt.Verbose {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

// expectation describes what rec expects, for failure reports.
func expectation(rec *record) string {
	switch {
	case rec.expectError && rec.errPattern == "":
		return "an error"
	case rec.expectError:
		return "error matching " + rec.errPattern
	case rec.kind == kindQuery:
		return strings.Join(rec.expected, "\n")
	case rec.count >= 0:
		return fmt.Sprintf("%d rows affected", rec.count)
	}
	return "ok"
}

// errorMatches reports whether pattern (a regular expression) is found in
// the error's message or matches its SQLSTATE entirely.
func errorMatches(pattern string, pe *pgconn.PgError) (bool, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return false, err
	}
	if re.MatchString(pe.Message) {
		return true, nil
	}
	return pe.Code != "" && regexp.MustCompile("^(?:"+pattern+")$").MatchString(pe.Code), nil
}
