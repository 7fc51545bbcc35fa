package psql

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPgDump dumps runnel's schema with pg_dump --schema-only, restores
// the dump into a fresh PostgreSQL database and compares what psql's \d
// prints there with what it prints for the reference database that ran
// the same DDL: the dump holds every table with its columns, defaults, NOT
// NULL and primary key, every view and materialized view, every schema,
// and the sources as foreign tables.
func TestPgDump(t *testing.T) {
	psqlPath := tool(t, "psql")
	pgDump := tool(t, "pg_dump")
	s := startServers(t, psqlPath)
	role := "psqltest_" + strings.TrimPrefix(s.referenceDB, "psqltest_")
	createRole(t, psqlPath, role)
	s.both(t, psqlPath, schema(role)...)
	createSource(t, psqlPath, s)
	dump := run(t, pgDump, "--schema-only", "--no-owner", "-d", s.runnel)
	for _, want := range []string{
		"CREATE TABLE public.bids (\n    auction bigint NOT NULL,\n    bidder bigint NOT NULL,\n    price numeric(10,2) DEFAULT 0,\n    at timestamp with time zone\n);",
		"CREATE MATERIALIZED VIEW public.totals AS",
		"CREATE VIEW public.v AS",
		"CREATE SCHEMA s;",
		"ADD CONSTRAINT bids_pkey PRIMARY KEY (auction, bidder);",
		"name character varying(20) NOT NULL,",
		"CREATE FOREIGN TABLE public.gen (",
	} {
		if !strings.Contains(dump, want) {
			t.Errorf("the dump lacks %q:\n%s", want, dump)
		}
	}
	restored, _ := referenceDatabase(t, psqlPath)
	file := filepath.Join(t.TempDir(), "dump.sql")
	if err := os.WriteFile(file, []byte(dump), 0o644); err != nil {
		t.Fatal(err)
	}
	psqlFile(t, psqlPath, restored, file)
	for _, cmd := range []string{`\d`, `\d bids`, `\d totals`, `\d v`, `\dn`, `\d s.items`, `\d gen`} {
		got := psql(t, psqlPath, restored, cmd)
		want := psql(t, psqlPath, s.reference, cmd)
		if got != want {
			t.Errorf("%s: restored from runnel's dump:\n%s\nas created:\n%s", cmd, got, want)
		}
	}
}
