package psql

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/runneldb/runnel/sqllogictest/testserver"
)

// schema is the DDL both servers get: tables with a primary key, NOT NULL
// columns and a default, a view, a materialized view, a schema with a
// table of its own, and a role.
func schema(role string) []string {
	return []string{
		"CREATE TABLE bids (auction bigint NOT NULL, bidder bigint, price numeric(10,2) DEFAULT 0, at timestamptz, PRIMARY KEY (auction, bidder))",
		"CREATE TABLE t2 (a int, b text)",
		"CREATE MATERIALIZED VIEW totals AS SELECT auction, count(*) AS n FROM bids GROUP BY auction",
		"CREATE VIEW v AS SELECT a FROM t2",
		"CREATE SCHEMA s",
		"CREATE TABLE s.items (id int PRIMARY KEY, name varchar(20) NOT NULL, weight double precision DEFAULT 1.5)",
		"INSERT INTO t2 VALUES (1, 'one'), (2, 'two')",
		"CREATE ROLE " + role + " LOGIN CREATEDB",
	}
}

// createSource creates a source in runnel, which is a foreign table of its
// connector's server, and the same foreign table in the reference (of a
// server without a wrapper handler).
func createSource(t *testing.T, psqlPath string, s servers) {
	t.Helper()
	psql(t, psqlPath, s.runnel, "CREATE SOURCE gen (a bigint, b text) WITH (connector = 'datagen', rows = '10')")
	psql(t, psqlPath, s.reference, "CREATE FOREIGN DATA WRAPPER datagen", "CREATE SERVER datagen FOREIGN DATA WRAPPER datagen",
		"CREATE FOREIGN TABLE gen (a bigint, b text) SERVER datagen OPTIONS (rows '10')")
}

// createRole makes the reference role exist only for the test (roles are
// not per database).
func createRole(t *testing.T, psqlPath, role string) {
	t.Helper()
	admin := os.Getenv("RUNNEL_PG_URL")
	psql(t, psqlPath, admin, "DROP ROLE IF EXISTS "+role)
	t.Cleanup(func() {
		if _, err := runStdin(psqlPath, "", append(psqlArgs, "-d", admin, "-c", "DROP ROLE IF EXISTS "+role)...); err != nil {
			t.Errorf("drop role: %v", err)
		}
	})
}

// timing is what \timing prints, whose figure differs at each run.
var timing = regexp.MustCompile(`Time: [0-9.]+ ms`)

// TestMetaCommands compares what psql's meta-commands print for the same
// objects in runnel and in PostgreSQL.
func TestMetaCommands(t *testing.T) {
	psqlPath := tool(t, "psql")
	s := startServers(t, psqlPath)
	role := "psqltest_" + strings.TrimPrefix(s.referenceDB, "psqltest_")
	createRole(t, psqlPath, role)
	s.both(t, psqlPath, schema(role)...)
	createSource(t, psqlPath, s)
	completion := `SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (c.relname) LIKE 'b%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')
UNION ALL
SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE 'b%' AND n.nspname NOT LIKE E'pg\\_%'
LIMIT 1000`
	cases := [][]string{
		{`\d`}, {`\dt`}, {`\dv`}, {`\dm`}, {`\dn`}, {`\df`}, {`\dT`}, {`\di`}, {`\ds`}, {`\dE`}, {`\dp`},
		{`\d bids`}, {`\d+ bids`}, {`\d gen`}, {`\d totals`}, {`\d v`}, {`\d s.items`}, {`\dt s.*`}, {`\d s.*`}, {`\dt+ s.*`},
		{`\du ` + role}, {`\dn+ public`},
		{`\x`, `SELECT * FROM t2 ORDER BY a`},
		{`\timing`, `SELECT count(*) FROM bids`},
		// What psql asks on TAB after "SELECT * FROM b".
		{completion},
	}
	for _, cmds := range cases {
		name := strings.Join(cmds, " ")
		if cmds[0] == completion {
			name = "tab completion"
		}
		t.Run(name, func(t *testing.T) {
			got, want := s.both(t, psqlPath, cmds...)
			got, want = timing.ReplaceAllString(got, "Time: N ms"), timing.ReplaceAllString(want, "Time: N ms")
			if got != want {
				t.Errorf("runnel printed\n%s\nPostgreSQL printed\n%s", got, want)
			}
		})
	}
	// \l lists every database of the reference: compare the row of the
	// one the test uses, unaligned, under one name.
	t.Run(`\l`, func(t *testing.T) {
		got := psql(t, psqlPath, s.runnel, `\pset format unaligned`, `\l runnel`)
		want := psql(t, psqlPath, s.reference, `\pset format unaligned`, `\l `+s.referenceDB)
		want = strings.ReplaceAll(want, s.referenceDB, "runnel")
		if got != want {
			t.Errorf("runnel printed\n%s\nPostgreSQL printed\n%s", got, want)
		}
	})
	// The other meta-commands, whose output differs from PostgreSQL's
	// (owners and descriptions of built-in objects, settings, extensions),
	// run without error (psql runs with ON_ERROR_STOP).
	t.Run("others run", func(t *testing.T) {
		for _, c := range []string{`\d+`, `\l+`, `\df+ abs`, `\dx`, `\dconfig`, `\db`, `\dC`, `\dD`, `\dL`, `\dy`, `\dd`,
			`\dg`, `\drds`, `\des`, `\dew`, `\dF`, `\do`, `\dS pg_class`, `\dRp`, `\dRs`, `\sv v`, `\da`, `\dA`, `\dc`,
			`\dX`, `\dP`, `\dO`} {
			psql(t, psqlPath, s.runnel, c)
		}
	})
}

// TestCopy copies rows in and out of a table with psql's \copy, which
// runs COPY FROM STDIN and COPY TO STDOUT, and compares the files written.
func TestCopy(t *testing.T) {
	psqlPath := tool(t, "psql")
	s := startServers(t, psqlPath)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.tsv")
	if err := os.WriteFile(in, []byte("1\tone\n2\t\\N\n3\tthree, with a comma\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name, url := range map[string]string{"runnel": s.runnel, "reference": s.reference} {
		text := filepath.Join(dir, name+".tsv")
		csv := filepath.Join(dir, name+".csv")
		printed := psql(t, psqlPath, url, "CREATE TABLE c (a int PRIMARY KEY, b text)", `\copy c from '`+in+`'`,
			`\copy c to '`+text+`'`, `\copy (SELECT b, a FROM c ORDER BY a DESC) to '`+csv+`' with (format csv, header)`)
		if printed != "CREATE TABLE\nCOPY 3\nCOPY 3\nCOPY 3\n" {
			t.Errorf("%s: psql printed %q", name, printed)
		}
		for _, f := range []string{text, csv} {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out[name+filepath.Ext(f)] = string(data)
		}
	}
	for _, ext := range []string{".tsv", ".csv"} {
		if out["runnel"+ext] != out["reference"+ext] {
			t.Errorf("%s: runnel wrote\n%s\nPostgreSQL wrote\n%s", ext, out["runnel"+ext], out["reference"+ext])
		}
	}
}

// TestWatch runs \watch on a view (psql 15's \watch has no count: psql
// reads the query from its standard input and is stopped once done) and
// inserts a row while it runs: a later refresh shows it.
func TestWatch(t *testing.T) {
	psqlPath := tool(t, "psql")
	url := testserver.Start(t)
	psql(t, psqlPath, url, "CREATE TABLE w (a int)", "CREATE VIEW wv AS SELECT count(*) AS n FROM w", "INSERT INTO w VALUES (1)")
	cmd := exec.Command(psqlPath, append(append([]string(nil), psqlArgs...), "-d", url)...)
	cmd.Env = toolEnv()
	cmd.Stdin = strings.NewReader("SELECT n FROM wv \\watch 0.1\n")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill() //nolint:errcheck // stopping \watch
		cmd.Wait()         //nolint:errcheck // killed
	}()
	refresh := regexp.MustCompile(`\(every 0\.1s\)\n\n n \n---\n +([0-9]+)\n\(1 row\)`)
	waitFor := func(n string) {
		t.Helper()
		deadline := time.Now().Add(toolTimeout)
		for time.Now().Before(deadline) {
			for _, m := range refresh.FindAllStringSubmatch(out.String(), -1) {
				if m[1] == n {
					return
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("no refresh showed n = %s; psql printed\n%s", n, out.String())
	}
	waitFor("1")
	psql(t, psqlPath, url, "INSERT INTO w VALUES (2)")
	waitFor("2")
}

// lockedBuffer is an output buffer a child process writes while the test
// reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
