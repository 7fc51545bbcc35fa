package runnel

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// testSession opens a database in a temporary directory and connects.
func testSession(t *testing.T) *Session {
	t.Helper()
	db, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// execOne runs one statement and returns its result.
func execOne(t *testing.T, s *Session, sql string) (*Result, error) {
	t.Helper()
	stmts, err := s.Parse(sql)
	if err != nil {
		return nil, err
	}
	p, err := s.Prepare(stmts[0], nil)
	if err != nil {
		return nil, err
	}
	return s.Execute(context.Background(), p, nil)
}

// copyChunks runs COPY … FROM STDIN with data cut into chunks of size
// bytes (all at once when size is 0), and returns the first error.
func copyChunks(t *testing.T, s *Session, sql, data string, size int) error {
	t.Helper()
	res, err := execOne(t, s, sql)
	if err != nil {
		return err
	}
	if size == 0 {
		size = len(data) + 1
	}
	for len(data) > 0 {
		n := min(size, len(data))
		if err := res.CopyIn.Write([]byte(data[:n])); err != nil {
			res.CopyIn.Abort("")
			return err
		}
		data = data[n:]
	}
	_, err = res.CopyIn.Done()
	return err
}

// tableRows renders every row of sql's result as "a|b|…" with NULL as
// <NULL>, sorted.
func tableRows(t *testing.T, s *Session, sql string) []string {
	t.Helper()
	res, err := execOne(t, s, sql)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for {
		b, err := res.Rows.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			break
		}
		for r := 0; r < b.Len; r++ {
			vals := make([]string, len(b.Cols))
			for c, col := range b.Cols {
				vals[c] = "<NULL>"
				if col.IsValid(r) {
					vals[c] = string(vector.AppendText(nil, col, res.Columns[c].Type, r, nil))
				}
			}
			rows = append(rows, strings.Join(vals, "|"))
		}
	}
	slices.Sort(rows)
	return rows
}

// TestCopyFromFormats loads text and CSV data, whole and cut into chunks
// of every size, and checks the rows stored. Expected rows are what
// PostgreSQL 15 stores for the same data.
func TestCopyFromFormats(t *testing.T) {
	cases := []struct {
		name, copy, data string
		want             []string
	}{
		{"text plain", "COPY t FROM STDIN", "1\tx\n2\t\\N\n\\N\t\n",
			[]string{"1|x", "2|<NULL>", "<NULL>|"}},
		{"text escapes", "COPY t FROM STDIN", "1\ta\\x41\\101\\q\\t\n2\t\\\\N\n",
			[]string{"1|aAAq\t", `2|\N`}},
		{"text escaped delimiter and newline", "COPY t (b, a) FROM STDIN (DELIMITER '|')",
			"a\\|b|1\nx\\\ny|2\nq\\\\|3\nw\\\n|4\n",
			[]string{"1|a|b", "2|x\ny", `3|q\`, "4|w\n"}},
		{"text CRLF and end marker", "COPY t FROM STDIN", "1\tx\r\n2\ty\r\n\\.\r\n3\tz\r\n",
			[]string{"1|x", "2|y"}},
		{"text last line unterminated", "COPY t FROM STDIN", "1\tx\n2\ty",
			[]string{"1|x", "2|y"}},
		{"csv quotes", "COPY t (b, a) FROM STDIN (FORMAT csv)",
			"\"y\nz\",1\n\"a\"\"b\",2\n\"\",3\n,4\n\"\\.\",5\nab\"c,d\"e,6\n",
			[]string{"1|y\nz", `2|a"b`, "3|", "4|<NULL>", `5|\.`, "6|abc,de"}},
		{"csv escape and header", "COPY t (b, a) FROM STDIN (FORMAT csv, HEADER, ESCAPE '\\')",
			"b,a\n\"a\\\"b\",1\n\\\\,2\n",
			[]string{`1|a"b`, `2|\\`}},
		{"csv null string", "COPY t FROM STDIN (FORMAT csv, NULL 'NA')",
			"1,NA\n2,\"NA\"\n3,\n",
			[]string{"1|<NULL>", "2|NA", "3|"}},
	}
	for _, tc := range cases {
		for _, size := range []int{0, 1, 2, 3, 5, 7} {
			s := testSession(t)
			if _, err := execOne(t, s, "CREATE TABLE t (a int, b text)"); err != nil {
				t.Fatal(err)
			}
			if err := copyChunks(t, s, tc.copy, tc.data, size); err != nil {
				t.Errorf("%s (chunks of %d): %v", tc.name, size, err)
				continue
			}
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := tableRows(t, s, "SELECT a, b FROM t"); !slices.Equal(got, want) {
				t.Errorf("%s (chunks of %d): rows %q, want %q", tc.name, size, got, want)
			}
		}
	}
}

// TestCopyFromErrors checks that bad data fails the whole COPY with
// Postgres' SQLSTATE and writes nothing.
func TestCopyFromErrors(t *testing.T) {
	const text = "COPY t FROM STDIN"
	cases := []struct {
		name, copy, data, code string
	}{
		{"missing column", text, "1\tx\n2\n", vector.CodeBadCopyFileFormat},
		{"extra column", text, "1\tx\ty\n", vector.CodeBadCopyFileFormat},
		{"bad integer", text, "1\tx\nfoo\ty\n", vector.CodeInvalidTextRepresentation},
		{"integer out of range", text, "99999999999\tx\n", vector.CodeNumericValueOutOfRange},
		{"unterminated CSV quote", "COPY t FROM STDIN (FORMAT csv)", "1,\"x\n", vector.CodeBadCopyFileFormat},
		{"letter delimiter", "COPY t FROM STDIN (DELIMITER 'a')", "1a2\n", vector.CodeInvalidParameterValue},
		{"newline delimiter", "COPY t FROM STDIN (FORMAT csv, DELIMITER E'\\n')", "", vector.CodeInvalidParameterValue},
	}
	for _, tc := range cases {
		s := testSession(t)
		if _, err := execOne(t, s, "CREATE TABLE t (a int, b text)"); err != nil {
			t.Fatal(err)
		}
		err := copyChunks(t, s, tc.copy, tc.data, 0)
		var ve *vector.Error
		if !errors.As(err, &ve) || ve.Code != tc.code {
			t.Errorf("%s: error %v, want SQLSTATE %s", tc.name, err, tc.code)
		}
		if got := tableRows(t, s, "SELECT a, b FROM t"); len(got) != 0 {
			t.Errorf("%s: rows %q written by a failed COPY", tc.name, got)
		}
	}
}

// FuzzCopyFrom feeds arbitrary data, in two chunks, to COPY in each
// format: it must never panic, and every error must carry a SQLSTATE.
func FuzzCopyFrom(f *testing.F) {
	f.Add("1\tx\n2\t\\N\n", 3, uint8(0))
	f.Add("a\\|b|1\nx\\\ny|2\n", 5, uint8(0))
	f.Add("\"y\nz\",1\n\"a\"\"b\",2\n", 4, uint8(1))
	f.Add("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x01x", 9, uint8(2))
	db, err := Open(f.TempDir(), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	setup, _ := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
	if err := execAll(setup, "CREATE TABLE t (a text, b int)"); err != nil {
		f.Fatal(err)
	}
	setup.Close()
	formats := []string{"", " (DELIMITER '|')", " (FORMAT csv)", " (FORMAT binary)"}
	f.Fuzz(func(t *testing.T, data string, cut int, format uint8) {
		s, err := db.Connect(ConnParams{User: "runnel", Database: "runnel"})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		res, err := execOne(t, s, "COPY t FROM STDIN"+formats[int(format)%len(formats)])
		if err != nil {
			t.Fatal(err)
		}
		cut = min(max(cut, 0), len(data))
		err = res.CopyIn.Write([]byte(data[:cut]))
		if err == nil {
			err = res.CopyIn.Write([]byte(data[cut:]))
		}
		if err == nil {
			_, err = res.CopyIn.Done()
		} else {
			res.CopyIn.Abort("")
		}
		var ve *vector.Error
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("%q: error without SQLSTATE: %v", data, err)
		}
	})
}

// TestCopyTo checks COPY … TO STDOUT output in each format, byte for byte
// as PostgreSQL 15 writes it for the same rows.
func TestCopyTo(t *testing.T) {
	s := testSession(t)
	for _, sql := range []string{
		"CREATE TABLE o (a int, b text)",
		`INSERT INTO o VALUES (1, E'x\ty\\z'), (NULL, 'a,"b'), (3, ''), (4, NULL)`,
	} {
		if _, err := execOne(t, s, sql); err != nil {
			t.Fatal(err)
		}
	}
	const query = "COPY (SELECT * FROM o ORDER BY a NULLS FIRST) TO STDOUT"
	cases := []struct{ options, want string }{
		{"", "\\N\ta,\"b\n1\tx\\ty\\\\z\n3\t\n4\t\\N\n"},
		{" (FORMAT csv, HEADER)", "a,b\n,\"a,\"\"b\"\n1,x\ty\\z\n3,\"\"\n4,\n"},
		{" (FORMAT binary)", "PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
			"\x00\x02\xff\xff\xff\xff\x00\x00\x00\x04a,\"b" +
			"\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x05x\ty\\z" +
			"\x00\x02\x00\x00\x00\x04\x00\x00\x00\x03\x00\x00\x00\x00" +
			"\x00\x02\x00\x00\x00\x04\x00\x00\x00\x04\xff\xff\xff\xff" +
			"\xff\xff"},
	}
	for _, tc := range cases {
		res, err := execOne(t, s, query+tc.options)
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for {
			lines, err := res.CopyOut.Next(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) == 0 {
				break
			}
			for _, l := range lines {
				got = append(got, l...)
			}
		}
		if string(got) != tc.want {
			t.Errorf("COPY TO%s:\n got  %q\n want %q", tc.options, got, tc.want)
		}
		if tag := res.CopyOut.Tag(); tag != "COPY 4" {
			t.Errorf("COPY TO%s: tag %q, want COPY 4", tc.options, tag)
		}
	}
}
