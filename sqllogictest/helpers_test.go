package sqllogictest

import (
	"os"
	"testing"
)

// pgURL returns the URL of the reference PostgreSQL (RUNNEL_PG_URL). Without
// it the test is skipped, except under CI where it fails: CI must prove the
// expectations against PostgreSQL.
func pgURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("RUNNEL_PG_URL")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("RUNNEL_PG_URL is not set; CI must run this test against PostgreSQL")
		}
		t.Skip("RUNNEL_PG_URL is not set")
	}
	return u
}
