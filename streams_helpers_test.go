package runnel

import (
	"testing"
	"time"
)

// Helpers of the tests of continuous queries (views, pipelines, sinks,
// sources).

// openDB opens the database in dir with opts and connects a session.
func openDB(t testing.TB, dir string, opts Options) (*DB, *Session) {
	t.Helper()
	db, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db, s
}

// eventually calls check every few milliseconds until it returns "", and
// fails the test with check's last answer after 10 seconds. It waits for
// what continuous queries do in the background, never for a duration.
func eventually(t *testing.T, check func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still, after 10 s: %s", msg)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
