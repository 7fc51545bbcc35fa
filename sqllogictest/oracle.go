package sqllogictest

import "regexp"

// runnel maintains a materialized view incrementally: whenever it is read,
// it holds what its defining query returns over the current tables, which
// is what a PostgreSQL plain view returns (a PostgreSQL materialized view
// is a snapshot, refreshed on demand only). So when the server is the
// reference PostgreSQL, the runner translates runnel's view statements
// into their oracle:
//
//	CREATE MATERIALIZED VIEW …  →  CREATE VIEW …
//	DROP MATERIALIZED VIEW …    →  DROP VIEW …
//	FLUSH                       →  nothing; the record passes
//
// Only the leading keywords are rewritten. What has no such equivalent
// (SHOW MATERIALIZED VIEWS, EXPLAIN CREATE MATERIALIZED VIEW, CREATE
// MATERIALIZED VIEW IF NOT EXISTS, runnel's refusals) goes in runnel-only
// records or files (see TestCorpus).
var (
	materializedRE = regexp.MustCompile(`(?is)^(\s*(?:create|drop)\s+)materialized\s+(view\b)`)
	flushRE        = regexp.MustCompile(`(?is)^\s*flush\s*;?\s*$`)
)

// forOracle returns sql as the reference PostgreSQL runs it, and false when
// there is nothing to run.
func forOracle(sql string) (string, bool) {
	if flushRE.MatchString(sql) {
		return "", false
	}
	return materializedRE.ReplaceAllString(sql, "${1}${2}"), true
}
