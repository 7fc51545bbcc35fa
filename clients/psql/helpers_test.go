// Package psql runs the real psql and pg_dump of PostgreSQL 15 against a
// fresh runnel and against the reference PostgreSQL (RUNNEL_PG_URL), on the
// same objects, and compares what they print: psql's meta-commands read
// the system catalogs with queries of their own, which is what any tool
// that lists tables and columns does.
//
// A missing psql, pg_dump or RUNNEL_PG_URL skips the tests, and fails them
// when CI=true.
package psql

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/runneldb/runnel/sqllogictest/testserver"
)

// toolTimeout bounds one run of psql or pg_dump.
const toolTimeout = time.Minute

// missing skips the test for want of a tool, or fails it under CI, which
// must run every test.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must run this test", msg)
	}
	t.Skip(msg)
}

// tool returns the path of a PostgreSQL client program.
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s is not installed", name)
	}
	return path
}

// run runs a client program and returns what it printed, standard error
// (where psql says it found nothing) after standard output; its failure
// fails the test.
func run(t *testing.T, program string, args ...string) string {
	t.Helper()
	out, err := runStdin(program, "", args...)
	if err != nil {
		t.Fatalf("%s %s: %v", program, strings.Join(args, " "), err)
	}
	return out
}

// runStdin runs a client program with input on its standard input.
func runStdin(program, input string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = toolEnv()
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%w\n%s%s", err, stdout.String(), stderr.String())
	}
	return stdout.String() + stderr.String(), nil
}

// toolEnv is the environment of the client programs: notices (of DROP
// … IF EXISTS) are not printed.
func toolEnv() []string {
	return append(os.Environ(), "PGOPTIONS=-c client_min_messages=warning")
}

// psqlArgs are the options every psql run takes: no psqlrc, no pager,
// stop at the first error.
var psqlArgs = []string{"-X", "-P", "pager=off", "-v", "ON_ERROR_STOP=1"}

// psql runs psql against url with each command given by -c, in one
// session.
func psql(t *testing.T, psqlPath, url string, cmds ...string) string {
	t.Helper()
	args := append(append([]string(nil), psqlArgs...), "-d", url)
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	return run(t, psqlPath, args...)
}

// psqlFile runs the SQL file file with psql against url.
func psqlFile(t *testing.T, psqlPath, url, file string) string {
	t.Helper()
	return run(t, psqlPath, append(append([]string(nil), psqlArgs...), "-d", url, "-f", file)...)
}

// servers are a fresh runnel and a fresh database of the reference
// PostgreSQL, with the URL of each.
type servers struct {
	runnel, reference string
	// referenceDB is the name of the reference database.
	referenceDB string
}

// startServers starts runnel and creates the reference database.
func startServers(t *testing.T, psqlPath string) servers {
	t.Helper()
	ref, name := referenceDatabase(t, psqlPath)
	return servers{runnel: testserver.Start(t), reference: ref, referenceDB: name}
}

// referenceDatabase creates a database in the reference PostgreSQL, which
// the test drops when it ends, and returns its URL and name.
func referenceDatabase(t *testing.T, psqlPath string) (string, string) {
	t.Helper()
	admin := os.Getenv("RUNNEL_PG_URL")
	if admin == "" {
		missing(t, "RUNNEL_PG_URL is not set")
	}
	name := fmt.Sprintf("psqltest_%d", rand.Uint32())
	psql(t, psqlPath, admin, "CREATE DATABASE "+name)
	t.Cleanup(func() {
		if _, err := runStdin(psqlPath, "", append(psqlArgs, "-d", admin, "-c", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")...); err != nil {
			t.Errorf("drop the reference database: %v", err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("RUNNEL_PG_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String(), name
}

// both runs the same psql commands against both servers.
func (s servers) both(t *testing.T, psqlPath string, cmds ...string) (runnel, reference string) {
	t.Helper()
	return psql(t, psqlPath, s.runnel, cmds...), psql(t, psqlPath, s.reference, cmds...)
}
