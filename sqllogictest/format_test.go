package sqllogictest

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{nil, "NULL"},
		{[]byte{}, "(empty)"},
		{[]byte("t"), "t"},
		{[]byte("2024-01-01  10:00:00\n"), "2024-01-01 10:00:00"},
	}
	for _, tc := range tests {
		if got := formatValue(tc.in); got != tc.want {
			t.Errorf("formatValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestResultLines(t *testing.T) {
	rows := [][]string{{"2", "b"}, {"1", "a"}, {"10", "NULL"}}
	tests := []struct {
		name      string
		mode      SortMode
		threshold int
		want      []string
	}{
		{"nosort keeps order", NoSort, 0, []string{"2 b", "1 a", "10 NULL"}},
		{"rowsort sorts rows as text", RowSort, 0, []string{"1 a", "10 NULL", "2 b"}},
		{"valuesort one value per line", ValueSort, 0, []string{"1", "10", "2", "NULL", "a", "b"}},
		{"under the threshold no hash", RowSort, 6, []string{"1 a", "10 NULL", "2 b"}},
		// md5 of "1\na\n10\nNULL\n2\nb\n", computed with md5sum.
		{"over the threshold hashes sorted values", RowSort, 5, []string{"6 values hashing to a2d391b03186b769a854b78ddf695a9c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := resultLines(rows, tc.mode, tc.threshold); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestResultLinesHash(t *testing.T) {
	// md5sum of "1\n2\nx y\n".
	got := resultLines([][]string{{"1"}, {"2"}, {"x y"}}, NoSort, 2)
	want := []string{"3 values hashing to c3cba9e6592c684930d37c2620a76662"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestExpectedLines(t *testing.T) {
	got := expectedLines([]string{"b  2", " a 1 "}, RowSort)
	if want := []string{"a 1", "b 2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rowsort: got %q, want %q", got, want)
	}
	got = expectedLines([]string{"b  2", " a 1 "}, NoSort)
	if want := []string{"b 2", "a 1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("nosort: got %q, want %q", got, want)
	}
}

func TestErrorMatches(t *testing.T) {
	pe := &pgconn.PgError{Code: "22012", Message: "division by zero"}
	tests := []struct {
		pattern string
		want    bool
	}{
		{"division by zero", true},
		{"by", true},
		{"^division", true},
		{"22012", true},
		{"22...", true},
		{"220", false}, // a SQLSTATE pattern matches the whole code
		{"out of range", false},
	}
	for _, tc := range tests {
		got, err := errorMatches(tc.pattern, pe)
		if err != nil || got != tc.want {
			t.Errorf("errorMatches(%q) = %v, %v; want %v", tc.pattern, got, err, tc.want)
		}
	}
	if _, err := errorMatches("(", pe); err == nil {
		t.Error("bad pattern: want an error")
	}
}
