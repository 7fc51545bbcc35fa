package runnel

import (
	"strings"
	"testing"
)

// The Postgres syntax clients send that the grammar lacks is rewritten to
// what it accepts, keeping the text's length (error positions stay).
func TestPreparseCatalogSyntax(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$'`, `WHERE c.relname ~ '^(t)$'`},
		{`SELECT a OPERATOR(!~*) 'x'`, `SELECT a !~* 'x'`},
		{`x COLLATE pg_catalog.default AND y COLLATE "C"`, `x AND y`},
		{`x COLLATE "POSIX" < 'a' COLLATE "default"`, `x < 'a'`},
		{`x COLLATE "en_US"`, `x COLLATE "en_US"`},
		{`SELECT 'OPERATOR(pg_catalog.~)'`, `SELECT 'OPERATOR(pg_catalog.~)'`},
		{`COPY "t"("a") FROM stdin WITH DELIMITER AS '|' NULL AS '\N'`, `COPY "t"("a") FROM stdin WITH DELIMITER '|' NULL '\N'`},
		{`COPY t TO STDOUT CSV QUOTE AS '"' ESCAPE AS '\'`, `COPY t TO STDOUT CSV QUOTE '"' ESCAPE '\'`},
		{`SELECT 1 AS null`, `SELECT 1 AS null`},
	} {
		got := preparse(tc.in)
		if strings.Join(strings.Fields(got), " ") != tc.want || len(got) != len(tc.in) {
			t.Errorf("preparse(%q) = %q, want %q as long as the input", tc.in, got, tc.want)
		}
	}
}

// Syntax errors read as Postgres words them, without the parser's remarks
// about its own project.
func TestSyntaxMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`at or near "x": syntax error`, `syntax error at or near "x"`},
		{`at or near "EOF": syntax error`, `syntax error at end of input`},
		{`at or near "as": syntax error: unimplemented: this syntax`, `syntax error at or near "as"`},
		{`at or near "x": syntax error: missing FROM`, `syntax error at or near "x": missing FROM`},
	} {
		if got := syntaxMessage(tc.in); got != tc.want {
			t.Errorf("syntaxMessage(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
