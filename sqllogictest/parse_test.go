package sqllogictest

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []record
	}{
		{"statement ok", "statement ok\nCREATE TABLE t (a int)\n",
			[]record{{kind: kindStatement, line: 1, start: 0, end: 2, sql: "CREATE TABLE t (a int)", count: -1, resultLine: -1}}},
		{"multi-line sql, comments skipped", "# c\n\nstatement ok\nSELECT 1\n# mid\n  FROM t\n\n",
			[]record{{kind: kindStatement, line: 3, start: 2, end: 6, sql: "SELECT 1\n  FROM t", count: -1, resultLine: -1}}},
		{"statement error with regex", "statement error division by (zero|0)\nSELECT 1/0",
			[]record{{kind: kindStatement, line: 1, end: 2, sql: "SELECT 1/0", expectError: true, errPattern: "division by (zero|0)", count: -1, resultLine: -1}}},
		{"statement error without regex", "statement error\nSELECT x",
			[]record{{kind: kindStatement, line: 1, end: 2, sql: "SELECT x", expectError: true, count: -1, resultLine: -1}}},
		{"statement count", "statement count 3\nDELETE FROM t",
			[]record{{kind: kindStatement, line: 1, end: 2, sql: "DELETE FROM t", count: 3, resultLine: -1}}},
		{"query with sort mode, label and results", "query IT rowsort lbl\nSELECT 1, 'a'\n----\n1 a\n2  b\n\nhalt\n",
			[]record{
				{kind: kindQuery, line: 1, end: 5, sql: "SELECT 1, 'a'", types: "IT", sortMode: RowSort, sortSet: true, label: "lbl", expected: []string{"1 a", "2  b"}, resultLine: 2, count: -1},
				{kind: kindHalt, line: 7, start: 6, end: 7, count: -1, resultLine: -1},
			}},
		{"query with empty result", "query I\nSELECT 1 WHERE false\n----\n",
			[]record{{kind: kindQuery, line: 1, end: 3, sql: "SELECT 1 WHERE false", types: "I", resultLine: 2, count: -1}}},
		{"query error", "query error relation .* does not exist\nSELECT * FROM nope",
			[]record{{kind: kindQuery, line: 1, end: 2, sql: "SELECT * FROM nope", expectError: true, errPattern: "relation .* does not exist", count: -1, resultLine: -1}}},
		{"conditions and connection", "skipif postgres\nonlyif runnel\nconnection c2\nstatement ok\nBEGIN",
			[]record{{kind: kindStatement, line: 4, start: 3, end: 5, sql: "BEGIN", skipIf: []string{"postgres"}, onlyIf: []string{"runnel"}, conn: "c2", count: -1, resultLine: -1}}},
		{"control records", "hash-threshold 8\n\ncontrol sortmode valuesort\n\nsleep 10ms\n\ninclude other/*.slt\n",
			[]record{
				{kind: kindHashThreshold, line: 1, end: 1, n: 8, count: -1, resultLine: -1},
				{kind: kindSortMode, line: 3, start: 2, end: 3, sortMode: ValueSort, count: -1, resultLine: -1},
				{kind: kindSleep, line: 5, start: 4, end: 5, duration: 10 * time.Millisecond, count: -1, resultLine: -1},
				{kind: kindInclude, line: 7, start: 6, end: 7, arg: "other/*.slt", count: -1, resultLine: -1},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse("f.slt", tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d records, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !reflect.DeepEqual(*got[i], tc.want[i]) {
					t.Errorf("record %d:\n got %+v\nwant %+v", i, *got[i], tc.want[i])
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"frobnicate\n", "f.slt:1: unknown record"},
		{"\nstatement maybe\nSELECT 1", "f.slt:2: unknown statement mode"},
		{"statement ok\n", "f.slt:1: statement without SQL"},
		{"query I nosort lbl extra\nSELECT 1", "f.slt:1: query has too many arguments"},
		{"query I sideways\nSELECT 1", "f.slt:1: unknown sort mode"},
		{"statement count x\nDELETE FROM t", "f.slt:1: statement count: bad number"},
		{"query error x\nSELECT 1\n----\n1", "f.slt:1: query error takes no results"},
		{"hash-threshold -1", "f.slt:1: hash-threshold: bad number"},
		{"sleep soon", "f.slt:1: sleep:"},
		{"control sortmode upward", "f.slt:1: unknown sort mode"},
		{"statement ok\nSELECT 1\n\nskipif runnel\n", "f.slt:4: condition without a record"},
	}
	for _, tc := range tests {
		_, err := parse("f.slt", tc.text)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("parse(%q) = %v, want error starting %q", tc.text, err, tc.want)
		}
	}
}

func TestRunsOn(t *testing.T) {
	tests := []struct {
		rec           record
		runnel, pgsql bool
	}{
		{record{}, true, true},
		{record{skipIf: []string{"runnel"}}, false, true},
		{record{onlyIf: []string{"runnel"}}, true, false},
		{record{onlyIf: []string{"postgres"}, skipIf: []string{"postgres"}}, false, false},
	}
	for _, tc := range tests {
		if got := tc.rec.runsOn("runnel"); got != tc.runnel {
			t.Errorf("%+v runsOn(runnel) = %v", tc.rec, got)
		}
		if got := tc.rec.runsOn("postgres"); got != tc.pgsql {
			t.Errorf("%+v runsOn(postgres) = %v", tc.rec, got)
		}
	}
}
