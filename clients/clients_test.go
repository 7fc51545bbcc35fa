// Package clients_test runs the Postgres clients people use — psycopg2,
// psycopg 3, pgJDBC, node-postgres, and the queries of Grafana's
// PostgreSQL data source — against a fresh runnel server.
//
// Each non-Go client is a program under this directory that takes the
// server's URL, runs named checks and prints "PASS name" or "FAIL name:
// reason" for each, then "END"; every check becomes a subtest here. The
// test then reads back, with pgx, the rows the program wrote. A missing
// client (Python module, JDK, Node or its packages) skips the test, and
// fails it when CI=true.
package clients_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/runneldb/runnel/sqllogictest/testserver"
)

// clientTimeout bounds one client program's run.
const clientTimeout = 2 * time.Minute

// pythonPath is Debian's interpreter, the one python3-psycopg2 and
// python3-psycopg install into (not a python3 of another installation
// that may come first on PATH). It runs with -B, so that importing
// common.py leaves no __pycache__ in the source tree.
const pythonPath = "/usr/bin/python3"

// jdbcJar is where Debian's libpostgresql-jdbc-java puts pgJDBC.
const jdbcJar = "/usr/share/java/postgresql.jar"

// missingClient skips the test for want of a client, or fails it under CI,
// which must run every client.
func missingClient(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must run every client", msg)
	}
	t.Skip(msg)
}

// needCommand returns the path of a program, or skips (fails under CI).
func needCommand(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missingClient(t, "%s is not installed", name)
	}
	return path
}

// runChecks runs a client program in dir and makes each check it reports
// a subtest of t. The program must end with "END": one that stops before
// (a crash, a hang killed by the timeout) fails t with its stderr.
func runChecks(t *testing.T, dir, program string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	ended, failed := false, false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "END":
			ended = true
		case strings.HasPrefix(line, "PASS "):
			t.Run(strings.TrimPrefix(line, "PASS "), func(*testing.T) {})
		case strings.HasPrefix(line, "FAIL "):
			failed = true
			name, reason, _ := strings.Cut(strings.TrimPrefix(line, "FAIL "), ": ")
			t.Run(name, func(t *testing.T) { t.Error(reason) })
		default:
			t.Errorf("unexpected output line %q", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading the output of %s: %v", program, err)
	}
	switch {
	case !ended:
		t.Fatalf("%s stopped before END: %v\nstdout:\n%s\nstderr:\n%s", program, runErr, out, stderr.Bytes())
	case failed:
		t.Logf("stderr of %s:\n%s", program, stderr.Bytes())
	case runErr != nil:
		t.Fatalf("%s: %v with every check passed\nstderr:\n%s", program, runErr, stderr.Bytes())
	}
}

// connect opens a pgx connection to url, closed when the test ends.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	return c
}

// queryRows runs a query and returns its rows as pgx decodes them.
func queryRows(t *testing.T, c *pgx.Conn, query string) [][]any {
	t.Helper()
	rows, err := c.Query(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return got
}

// expectRows checks that a query returns exactly want.
func expectRows(t *testing.T, c *pgx.Conn, query string, want [][]any) {
	t.Helper()
	got := queryRows(t, c, query)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\ngot  %v\nwant %v", query, got, want)
	}
}

// itemsRows is what every client's item table holds: rows 1..100 of
// (id, 'item-' || id, id * 1.25), the price as numeric text.
func itemsRows() [][]any {
	var rows [][]any
	for i := int64(1); i <= 100; i++ {
		cents := i * 125
		rows = append(rows, []any{i, fmt.Sprintf("item-%d", i), fmt.Sprintf("%d.%02d", cents/100, cents%100)})
	}
	return rows
}

// expectItems checks the item table a client program filled.
func expectItems(t *testing.T, c *pgx.Conn, table string) {
	t.Helper()
	expectRows(t, c, "SELECT id, name, price::text FROM "+table+" ORDER BY id", itemsRows())
}

// allTypesRow is the row each client program writes into its table of
// every type, as pgx decodes it; the programs write the same values in
// their own language's types.
func allTypesRow() []any {
	return []any{
		true, int16(-32768), int32(2147483647), int64(-9223372036854775808), float32(1.5), float64(-0.1),
		pgtype.Numeric{Int: big.NewInt(-123456789), Exp: -3, Valid: true},
		"text ☃ 'quoted' \\ backslash", "varchar", []byte{0, 1, 0xff},
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		pgtype.Time{Microseconds: (13*3600+45*60+6)*1e6 + 789, Valid: true},
		time.Date(2024, 2, 29, 13, 45, 6, 789012000, time.UTC),
		time.Date(2024, 2, 29, 11, 45, 6, 0, time.UTC),
		pgtype.Interval{Days: 3, Microseconds: (4*3600+5*60+6)*1e6 + 500000, Valid: true},
		map[string]any{"a": 1.0, "b": []any{"x", nil}},
	}
}

// expectAllTypes checks a client's table of every type: the typed row and
// a row of NULLs.
func expectAllTypes(t *testing.T, c *pgx.Conn, table string) {
	t.Helper()
	got := queryRows(t, c, "SELECT b, i2, i4, i8, f4, f8, n, t, vc, by, d, tm, ts, tz, iv, j FROM "+table+" ORDER BY b NULLS LAST")
	if len(got) != 2 {
		t.Fatalf("%s has %d rows, want 2", table, len(got))
	}
	for i, want := range allTypesRow() {
		g := got[0][i]
		if tm, ok := g.(time.Time); ok {
			g = tm.UTC()
		}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("%s column %d: got %#v, want %#v", table, i+1, g, want)
		}
		if got[1][i] != nil {
			t.Errorf("%s column %d of the NULL row: got %#v", table, i+1, got[1][i])
		}
	}
}

// needPythonModule skips (fails under CI) unless Debian's python3 imports
// module.
func needPythonModule(t *testing.T, module string) {
	t.Helper()
	if out, err := exec.Command(pythonPath, "-c", "import "+module).CombinedOutput(); err != nil {
		missingClient(t, "%s cannot import %s: %v %s", pythonPath, module, err, out)
	}
}

func TestPsycopg2(t *testing.T) {
	needPythonModule(t, "psycopg2")
	url := testserver.Start(t)
	runChecks(t, "python", pythonPath, "-B", "psycopg2_client.py", url)
	c := connect(t, url)
	expectItems(t, c, "py2_items")
	expectAllTypes(t, c, "py2_types")
	expectRows(t, c, "SELECT id, name, price::text FROM py2_copy ORDER BY id", [][]any{
		{int32(1), "a, quoted", "1.50"}, {int32(2), nil, nil}, {int32(3), "tab\tescaped", "3.25"}, {int32(4), nil, nil},
	})
}

func TestPsycopg3(t *testing.T) {
	needPythonModule(t, "psycopg")
	url := testserver.Start(t)
	runChecks(t, "python", pythonPath, "-B", "psycopg3_client.py", url)
	c := connect(t, url)
	expectItems(t, c, "py3_items")
	expectAllTypes(t, c, "py3_types")
	expectRows(t, c, "SELECT id, name, price::text FROM py3_copy ORDER BY id", [][]any{
		{int32(1), "tab\there", "1.50"}, {int32(2), nil, nil}, {int32(3), "binary", "3.25"}, {int32(4), "comma, here", "4.00"},
	})
}

// compileJava compiles the named sources of clients/java against pgJDBC
// into a temporary directory and returns the java program and the class
// path to run them with.
func compileJava(t *testing.T, sources ...string) (java, classPath string) {
	t.Helper()
	javac := needCommand(t, "javac")
	java = needCommand(t, "java")
	if _, err := os.Stat(jdbcJar); err != nil {
		missingClient(t, "pgJDBC is not installed (%v)", err)
	}
	classes := t.TempDir()
	args := []string{"-d", classes, "-cp", jdbcJar}
	for _, s := range sources {
		args = append(args, filepath.Join("java", s))
	}
	if out, err := exec.Command(javac, args...).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	return java, classes + string(os.PathListSeparator) + jdbcJar
}

func TestJDBC(t *testing.T) {
	java, classPath := compileJava(t, "JdbcClient.java")
	url := testserver.Start(t)
	runChecks(t, ".", java, "-cp", classPath, "JdbcClient", url)
	c := connect(t, url)
	expectItems(t, c, "jdbc_items")
	expectAllTypes(t, c, "jdbc_types")
}

// nodeModules installs clients/node's packages (npm ci) unless they are
// there already, and returns the node program's path.
func nodeModules(t *testing.T) string {
	t.Helper()
	node := needCommand(t, "node")
	if _, err := os.Stat(filepath.Join("node", "node_modules", "pg-cursor")); err == nil {
		return node
	}
	npm := needCommand(t, "npm")
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = "node"
	if out, err := cmd.CombinedOutput(); err != nil {
		missingClient(t, "npm ci in clients/node: %v\n%s", err, out)
	}
	return node
}

func TestNodePostgres(t *testing.T) {
	node := nodeModules(t)
	url := testserver.Start(t)
	runChecks(t, "node", node, "client.js", url)
	c := connect(t, url)
	expectItems(t, c, "node_items")
	expectAllTypes(t, c, "node_types")
}
