package runnel

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sourceRow returns the row of SHOW SOURCES for name (Name, Type,
// Connector, State, Rows, Bad Rows), "" when it is not listed.
func sourceRow(t *testing.T, s *Session, name string) string {
	t.Helper()
	for _, row := range rowsOf(t, s, "SHOW SOURCES") {
		if strings.HasPrefix(row, name+"|") {
			return row
		}
	}
	return ""
}

// TestIngestFileTable: a table with a connector and no type stores what
// the connector reads, once: a view over it sees the rows, and a restart
// resumes after what is stored instead of storing it again.
func TestIngestFileTable(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	var lines []string
	for i := 1; i <= 2500; i++ { // more than a batch
		lines = append(lines, fmt.Sprintf("%d,name %d", i, i%7))
	}
	if err := os.WriteFile(input, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// 1 + … + 2500, and the rows per name.
	const sum = 2500 * 2501 / 2
	db, s := openDB(t, filepath.Join(dir, "db"), Options{})
	run(t, s, "CREATE TABLE f (id int, name text) WITH (connector = 'file', path = '"+input+"', format = 'csv')")
	run(t, s, "CREATE MATERIALIZED VIEW f_sum AS SELECT count(*) AS n, sum(id) AS total FROM f")
	done := "f|table|file|finished|2500|0"
	eventually(t, func() string {
		if got := sourceRow(t, s, "f"); got != done {
			return fmt.Sprintf("SHOW SOURCES: %q, want %q", got, done)
		}
		return ""
	})
	want := []string{fmt.Sprintf("2500|%d", sum)}
	if got := rowsOf(t, s, "SELECT count(*), sum(id) FROM f"); !slices.Equal(got, want) {
		t.Errorf("table f: %q, want %q", got, want)
	}
	// The view follows the table: it is as of every commit once FLUSH
	// returns.
	run(t, s, "FLUSH")
	if got := rowsOf(t, s, "SELECT n, total FROM f_sum"); !slices.Equal(got, want) {
		t.Errorf("view f_sum: %q, want %q", got, want)
	}
	s.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, s = openDB(t, filepath.Join(dir, "db"), Options{})
	defer db.Close()
	// Finished again, having stored nothing more.
	eventually(t, func() string {
		if got, want := sourceRow(t, s, "f"), "f|table|file|finished|0|0"; got != want {
			return fmt.Sprintf("SHOW SOURCES after the restart: %q, want %q", got, want)
		}
		return ""
	})
	if got := rowsOf(t, s, "SELECT count(*), sum(id) FROM f"); !slices.Equal(got, want) {
		t.Errorf("table f after the restart: %q, want %q", got, want)
	}
	if got := rowsOf(t, s, "SELECT n, total FROM f_sum"); !slices.Equal(got, want) {
		t.Errorf("view f_sum after the restart: %q, want %q", got, want)
	}
	// Dropping the table stops its ingest and forgets it.
	run(t, s, "DROP TABLE f CASCADE")
	if got := sourceRow(t, s, "f"); got != "" {
		t.Errorf("SHOW SOURCES after DROP TABLE: %q", got)
	}
}

// TestIngestFailure: a malformed record stops the ingest of its table,
// which says why in SHOW SOURCES; the rows before it stay stored.
func TestIngestFailure(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(input, []byte("1,a\n2,b\nthree,c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db, s := openDB(t, filepath.Join(dir, "db"), Options{})
	defer db.Close()
	run(t, s, "CREATE TABLE g (id int, name text) WITH (connector = 'file', path = '"+input+"', format = 'csv')")
	eventually(t, func() string {
		got := sourceRow(t, s, "g")
		if !strings.HasPrefix(got, "g|table|file|failed: ") || !strings.Contains(got, `line 3`) {
			return fmt.Sprintf("SHOW SOURCES: %q, want g failed at line 3", got)
		}
		return ""
	})
	// What is stored is a prefix of the good rows, and the table still
	// answers.
	got := rowsOf(t, s, "SELECT id FROM g ORDER BY id")
	if len(got) > 2 || !slices.Equal(got, []string{"1", "2"}[:len(got)]) {
		t.Errorf("table g: %q, want a prefix of [1 2]", got)
	}
}
