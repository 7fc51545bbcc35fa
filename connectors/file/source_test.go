package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// chunks is a source.Output keeping what it is given; Emit fails with
// err when it is set.
type chunks struct {
	got []source.Chunk
	err error
}

func (c *chunks) Emit(ch source.Chunk) error {
	c.got = append(c.got, ch)
	return c.err
}

func (c *chunks) Status(string) {}

// ids are the ids of the rows of the chunks, each with its weight when it
// is not +1 ("-3" for a deletion of id 3).
func (c *chunks) ids() []string {
	var ids []string
	for _, ch := range c.got {
		if ch.Rows == nil {
			continue
		}
		for i := range ch.Rows.Len {
			id := strconv.FormatInt(vector.ValueAt(ch.Rows.Cols[0], vector.Int8, i).(int64), 10)
			if w := ch.Rows.Weight(i); w != 1 {
				id = strconv.FormatInt(w, 10) + "*" + id
			}
			ids = append(ids, id)
		}
	}
	return ids
}

// lens are the numbers of rows of the chunks (0 for Rows nil), and nexts
// their positions.
func (c *chunks) lens() (lens []int, nexts []int64) {
	for _, ch := range c.got {
		n := 0
		if ch.Rows != nil {
			n = ch.Rows.Len
		}
		lens = append(lens, n)
		nexts = append(nexts, ch.Next)
	}
	return lens, nexts
}

// readAll reads src from position from, checking that every chunk is of
// split 0, skips nothing, and holds rows (Len > 0) or none (nil).
func readAll(t *testing.T, src *Source, from source.Position) (*chunks, error) {
	t.Helper()
	out := &chunks{}
	err := src.Read(context.Background(), from, out)
	for _, ch := range out.got {
		if ch.Split != 0 || ch.Skipped != 0 || ch.Rows != nil && ch.Rows.Len == 0 {
			t.Errorf("from %v: chunk of split %d, %d skipped, rows %v", from, ch.Split, ch.Skipped, ch.Rows)
		}
	}
	return out, err
}

// idStrings is ids in decimal.
func idStrings(ids []int64) []string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return s
}

// seq is first, first+1, …, last.
func seq(first, last int64) []int64 {
	var s []int64
	for v := first; v <= last; v++ {
		s = append(s, v)
	}
	return s
}

// csvRows is the csv lines of rows with the given ids.
func csvRows(ids []int64) string {
	var sb strings.Builder
	for _, id := range ids {
		sb.WriteString(strconv.FormatInt(id, 10) + ",x\n")
	}
	return sb.String()
}

// TestSourcePositions: rows come in file order, in chunks of at most
// operators.BatchSize, after the position read from; each chunk's Next is
// the number of records read, and reading from it gives the rest.
func TestSourcePositions(t *testing.T) {
	n := int64(2*operators.BatchSize + 5)
	path := writeFile(t, t.TempDir(), "in.csv", csvRows(seq(1, n)))
	src, err := OpenSource(path, format.CSV, testCols)
	if err != nil {
		t.Fatal(err)
	}
	bs := operators.BatchSize
	tests := []struct {
		from  source.Position
		lens  []int
		nexts []int64
	}{
		{nil, []int{bs, bs, 5}, []int64{int64(bs), int64(2 * bs), n}},
		{source.Position{0: 0}, []int{bs, bs, 5}, []int64{int64(bs), int64(2 * bs), n}},
		{source.Position{0: 3}, []int{bs, bs, 2}, []int64{int64(bs) + 3, int64(2*bs) + 3, n}},
		{source.Position{0: int64(bs)}, []int{bs, 5}, []int64{int64(2 * bs), n}},
		{source.Position{0: int64(bs) + 1}, []int{bs, 4}, []int64{int64(2*bs) + 1, n}},
		{source.Position{0: n - 1}, []int{1}, []int64{n}},
		{source.Position{0: n}, nil, nil},
		{source.Position{0: n + 10}, nil, nil},
		{source.Position{1: 5}, []int{bs, bs, 5}, []int64{int64(bs), int64(2 * bs), n}}, // not our split
	}
	for _, tt := range tests {
		out, err := readAll(t, src, tt.from)
		if err != nil {
			t.Fatalf("from %v: %v", tt.from, err)
		}
		lens, nexts := out.lens()
		if !slices.Equal(lens, tt.lens) || !slices.Equal(nexts, tt.nexts) {
			t.Errorf("from %v: chunks of %v rows at %v, want %v at %v", tt.from, lens, nexts, tt.lens, tt.nexts)
		}
		if want := idStrings(seq(min(tt.from[0], n)+1, n)); !slices.Equal(out.ids(), want) {
			t.Errorf("from %v: read %d ids, want %d from %s", tt.from, len(out.ids()), len(want), want[:min(1, len(want))])
		}
	}
}

// TestSourceDirectory: the files of a directory in name order, without
// hidden files and subdirectories; positions run across files and count
// records, not lines.
func TestSourceDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.jsonl", `{"id": 3}`+"\n"+`{"id": 4, "t": "four"}`)
	writeFile(t, dir, "a.jsonl", `{"id": 1}`+"\n\n"+`{"id": 2}`+"\n")
	writeFile(t, dir, ".part-00000000000000000001.jsonl.tmp", `{"id": 99}`)
	if err := os.Mkdir(filepath.Join(dir, "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "c"), "d.jsonl", `{"id": 98}`)
	src, err := OpenSource(dir, format.JSON, testCols)
	if err != nil {
		t.Fatal(err)
	}
	for from := range int64(5) {
		out, err := readAll(t, src, source.Position{0: from})
		if err != nil {
			t.Fatal(err)
		}
		if want := idStrings(seq(from+1, 4)); !slices.Equal(out.ids(), want) {
			t.Errorf("from %d: ids %v, want %v", from, out.ids(), want)
		}
		if _, nexts := out.lens(); from < 4 && !slices.Equal(nexts, []int64{4}) {
			t.Errorf("from %d: chunks at %v, want one at 4", from, nexts)
		}
	}
	// A file added after the source was opened is read too.
	writeFile(t, dir, "e.jsonl", `{"id": 5}`)
	if out, _ := readAll(t, src, source.Position{0: 4}); !slices.Equal(out.ids(), []string{"5"}) {
		t.Errorf("after adding e.jsonl: ids %v, want [5]", out.ids())
	}
}

// TestSourceDebezium: a debezium_json file gives changes with weights; a
// position counts records, an update being one record of two rows, and
// chunks never exceed operators.BatchSize rows.
func TestSourceDebezium(t *testing.T) {
	dir := t.TempDir()
	bs := operators.BatchSize
	var sb strings.Builder
	// Record i (from 1) updates row i to row -i: bs/2 + 1 updates.
	for i := 1; i <= bs/2+1; i++ {
		fmt.Fprintf(&sb, `{"before":{"id":%d},"after":{"id":%d},"op":"u"}`+"\n", i, -i)
	}
	sb.WriteString(`{"before":{"id":7},"after":null}` + "\n" + `{"payload":null}` + "\n")
	src, err := OpenSource(writeFile(t, dir, "cdc.jsonl", sb.String()), format.DebeziumJSON, testCols)
	if err != nil {
		t.Fatal(err)
	}
	records := int64(bs/2 + 3)
	tests := []struct {
		from  int64
		lens  []int
		nexts []int64
		ids   []string // the first ones
	}{
		// The first chunk stops when another update might not fit.
		{0, []int{bs, 3}, []int64{int64(bs / 2), records}, []string{"-1*1", "-1", "-1*2", "-2"}},
		{int64(bs / 2), []int{3}, []int64{records}, []string{"-1*" + strconv.Itoa(bs/2+1), strconv.Itoa(-bs/2 - 1), "-1*7"}},
		{records - 1, []int{0}, []int64{records}, nil}, // the tombstone: no rows, the position moves
		{records, nil, nil, nil},
	}
	for _, tt := range tests {
		out, err := readAll(t, src, source.Position{0: tt.from})
		if err != nil {
			t.Fatal(err)
		}
		lens, nexts := out.lens()
		if !slices.Equal(lens, tt.lens) || !slices.Equal(nexts, tt.nexts) {
			t.Errorf("from %d: chunks of %v rows at %v, want %v at %v", tt.from, lens, nexts, tt.lens, tt.nexts)
		}
		if ids := out.ids(); len(ids) < len(tt.ids) || !slices.Equal(ids[:len(tt.ids)], tt.ids) {
			t.Errorf("from %d: ids start %.8q, want %q", tt.from, ids, tt.ids)
		}
	}
}

// TestSourceReadsSinkOutput: a file source reads back what a file sink wrote.
func TestSourceReadsSinkOutput(t *testing.T) {
	dir := t.TempDir()
	sink, err := OpenSink(dir, format.CSV, testCols)
	if err != nil {
		t.Fatal(err)
	}
	for e := range uint64(3) {
		if err := sink.Commit(e, []*vector.Batch{rows([]int64{1, 2}, int64(2*e), int64(2*e+1))}); err != nil {
			t.Fatal(err)
		}
	}
	src, err := OpenSource(dir, format.CSV, testCols)
	if err != nil {
		t.Fatal(err)
	}
	out, err := readAll(t, src, nil)
	if want := idStrings([]int64{0, 1, 1, 2, 3, 3, 4, 5, 5}); err != nil || !slices.Equal(out.ids(), want) {
		t.Errorf("ids %v, %v; want %v", out.ids(), err, want)
	}
}

// TestSourceErrors: opening a missing file or an unreadable format fails;
// a bad record fails the read naming file, line and column.
func TestSourceErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenSource(filepath.Join(dir, "missing.csv"), format.CSV, testCols); vector.ErrorCode(err) != codeUndefinedFile {
		t.Errorf("missing file: %v, want %s", err, codeUndefinedFile)
	}
	good := writeFile(t, dir, "good.csv", "1,x\n")
	if _, err := OpenSource(good, format.RawString, testCols); vector.ErrorCode(err) != vector.CodeInvalidParameterValue {
		t.Errorf("raw_string source of two columns: %v, want 22023", err)
	}

	tests := []struct {
		name, data string
		f          *format.Format
		code       string
		where      string
	}{
		// The record at line 1 spans two lines.
		{"bad.csv", "1,\"x\ny\"\noops,z\n", format.CSV, vector.CodeInvalidTextRepresentation, `bad.csv", line 3: column "id"`},
		{"open.csv", "1,x\n2,\"never closed\n", format.CSV, vector.CodeBadCopyFileFormat, `open.csv", line 2: unterminated`},
		{"bad.jsonl", "{\"id\": 1}\n\n{\"id\": 2\n", format.JSON, vector.CodeInvalidTextRepresentation, `bad.jsonl", line 3: invalid input syntax for type json`},
		{"type.jsonl", "{\"id\": 1}\n{\"id\": 2, \"t\": false}\n", format.JSON, vector.CodeInvalidTextRepresentation, `type.jsonl", line 2: column "t"`},
		{"cdc.jsonl", "{\"op\": \"c\", \"after\": {\"id\": 1}}\n{\"op\": \"u\", \"before\": {\"id\": 1}, \"after\": {\"id\": \"x\"}}\n",
			format.DebeziumJSON, vector.CodeInvalidTextRepresentation, `cdc.jsonl", line 2: "after": column "id"`},
	}
	for _, tt := range tests {
		src, err := OpenSource(writeFile(t, dir, tt.name, tt.data), tt.f, testCols)
		if err != nil {
			t.Fatal(err)
		}
		_, err = readAll(t, src, nil)
		if vector.ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.where) {
			t.Errorf("%s: error %v (%s), want %s containing %q", tt.name, err, vector.ErrorCode(err), tt.code, tt.where)
		}
	}
}

// TestSourceStops: a cancelled context and an emit error end the read with
// that error.
func TestSourceStops(t *testing.T) {
	src, err := OpenSource(writeFile(t, t.TempDir(), "in.csv", csvRows(seq(1, 10))), format.CSV, testCols)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := src.Read(ctx, nil, &chunks{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}
	stop := errors.New("stop")
	if err := src.Read(context.Background(), nil, &chunks{err: stop}); !errors.Is(err, stop) {
		t.Errorf("emit error: %v", err)
	}
}
