package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// readAll reads src after skip rows: the ids read, and each batch's length.
func readAll(t *testing.T, src *Source, skip int64) (ids []int64, lens []int, err error) {
	t.Helper()
	err = src.Read(context.Background(), skip, func(b *vector.Batch) error {
		lens = append(lens, b.Len)
		for i := range b.Len {
			ids = append(ids, vector.ValueAt(b.Cols[0], vector.Int8, i).(int64))
		}
		return nil
	})
	return ids, lens, err
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

// TestSourceSkipAndBatches: rows come in file order, in batches of at most
// operators.BatchSize, after the skipped ones.
func TestSourceSkipAndBatches(t *testing.T) {
	n := int64(2*operators.BatchSize + 5)
	path := writeFile(t, t.TempDir(), "in.csv", csvRows(seq(1, n)))
	src, err := OpenSource(path, format.CSV, testCols)
	if err != nil {
		t.Fatal(err)
	}
	bs := operators.BatchSize
	tests := []struct {
		skip int64
		lens []int
	}{
		{0, []int{bs, bs, 5}},
		{3, []int{bs, bs, 2}},
		{int64(bs) + 1, []int{bs, 4}},
		{n - 1, []int{1}},
		{n, nil},
		{n + 10, nil},
	}
	for _, tt := range tests {
		ids, lens, err := readAll(t, src, tt.skip)
		if err != nil {
			t.Fatalf("skip %d: %v", tt.skip, err)
		}
		if !slices.Equal(lens, tt.lens) {
			t.Errorf("skip %d: batches of %v, want %v", tt.skip, lens, tt.lens)
		}
		if want := seq(min(tt.skip, n)+1, n); !slices.Equal(ids, want) {
			t.Errorf("skip %d: read %d ids from %v, want %d from %d", tt.skip, len(ids), ids[:min(1, len(ids))], len(want), min(tt.skip, n)+1)
		}
	}
}

// TestSourceDirectory: the files of a directory in name order, without
// hidden files and subdirectories; skip runs across files.
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
	for skip := range int64(5) {
		ids, _, err := readAll(t, src, skip)
		if err != nil {
			t.Fatal(err)
		}
		if want := seq(skip+1, 4); !slices.Equal(ids, want) {
			t.Errorf("skip %d: ids %v, want %v", skip, ids, want)
		}
	}
	// A file added after the source was opened is read too.
	writeFile(t, dir, "e.jsonl", `{"id": 5}`)
	if ids, _, _ := readAll(t, src, 4); !slices.Equal(ids, []int64{5}) {
		t.Errorf("after adding e.jsonl: ids %v, want [5]", ids)
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
	ids, _, err := readAll(t, src, 0)
	if want := []int64{0, 1, 1, 2, 3, 3, 4, 5, 5}; err != nil || !slices.Equal(ids, want) {
		t.Errorf("ids %v, %v; want %v", ids, err, want)
	}
}

// TestSourceErrors: opening a missing file or an unreadable format fails;
// a bad record fails the read naming file, line and column.
func TestSourceErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenSource(filepath.Join(dir, "missing.csv"), format.CSV, testCols); errorCode(err) != codeUndefinedFile {
		t.Errorf("missing file: %v, want %s", err, codeUndefinedFile)
	}
	good := writeFile(t, dir, "good.csv", "1,x\n")
	if _, err := OpenSource(good, format.DebeziumJSON, testCols); errorCode(err) != vector.CodeInvalidParameterValue {
		t.Errorf("debezium_json source: %v, want 22023", err)
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
	}
	for _, tt := range tests {
		src, err := OpenSource(writeFile(t, dir, tt.name, tt.data), tt.f, testCols)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = readAll(t, src, 0)
		if errorCode(err) != tt.code || !strings.Contains(err.Error(), tt.where) {
			t.Errorf("%s: error %v (%s), want %s containing %q", tt.name, err, errorCode(err), tt.code, tt.where)
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
	if err := src.Read(ctx, 0, func(*vector.Batch) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}
	stop := errors.New("stop")
	if err := src.Read(context.Background(), 0, func(*vector.Batch) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("emit error: %v", err)
	}
}
