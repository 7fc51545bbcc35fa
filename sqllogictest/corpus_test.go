package sqllogictest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runneldb/runnel/sqllogictest/testserver"
)

// TestCorpus runs every testdata/*.slt file against a fresh in-process
// runnel, with the simple and with the extended protocol, and against the
// reference PostgreSQL when RUNNEL_PG_URL is set, proving that the
// expectations are Postgres'. Files named *_runnel.slt hold what only
// runnel has (its own statements, its refusals) and are not run against
// PostgreSQL.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/*.slt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	protocols := []struct {
		name     string
		extended bool
	}{{"simple", false}, {"extended", true}}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			for _, p := range protocols {
				t.Run("runnel/"+p.name, func(t *testing.T) {
					runCorpusFile(t, f, Options{URL: testserver.Start(t), Extended: p.extended})
				})
			}
			if strings.HasSuffix(f, "_runnel.slt") || os.Getenv("RUNNEL_PG_URL") == "" && os.Getenv("CI") == "" {
				return
			}
			for _, p := range protocols {
				t.Run("postgres/"+p.name, func(t *testing.T) {
					runCorpusFile(t, f, Options{URL: pgURL(t), Extended: p.extended})
				})
			}
		})
	}
}

func runCorpusFile(t *testing.T, path string, opt Options) {
	t.Helper()
	rep, err := RunFile(context.Background(), path, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Failures {
		t.Error(f)
	}
	if rep.Passed == 0 {
		t.Errorf("%s: no record passed", path)
	}
}
