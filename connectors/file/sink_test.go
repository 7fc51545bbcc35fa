package file

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// TestSinkCommit commits epochs, commits one again, leaves a crash's
// temporary file, reopens: the part files, in name order, hold exactly the
// rows of the committed epochs.
func TestSinkCommit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "deeper") // created by OpenSink
	s, err := OpenSink(dir, format.JSON, testCols)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		epoch   uint64
		changes []*vector.Batch
	}{
		{1, []*vector.Batch{rows(nil, 1), rows([]int64{1, 2}, 2, -3)}},
		{2, []*vector.Batch{rows(nil, 4)}},
		{3, nil},                            // no rows: no file
		{4, []*vector.Batch{rows(nil)}},     // an empty batch: no file either
		{2, []*vector.Batch{rows(nil, 99)}}, // committed already: nothing changes
		{10, []*vector.Batch{rows(nil, 10)}},
	}
	for _, st := range steps {
		if err := s.Commit(st.epoch, st.changes); err != nil {
			t.Fatalf("commit %d: %v", st.epoch, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A crash while epoch 11 was written leaves its temporary file.
	writeFile(t, dir, ".part-00000000000000000011.jsonl.tmp", `{"id":11,"t"`)
	writeFile(t, dir, ".keep.tmp", "not ours") // not a part's: stays
	if s, err = OpenSink(dir, format.JSON, testCols); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(11, []*vector.Batch{rows(nil, 11)}); err != nil {
		t.Fatal(err)
	}
	wantFiles := []string{".keep.tmp", "part-00000000000000000001.jsonl", "part-00000000000000000002.jsonl",
		"part-00000000000000000010.jsonl", "part-00000000000000000011.jsonl"}
	if got := dirFiles(t, dir); !slices.Equal(got, wantFiles) {
		t.Fatalf("files %q, want %q", got, wantFiles)
	}
	os.Remove(filepath.Join(dir, ".keep.tmp"))
	want := []string{`{"id":1,"t":"r1"}`, `{"id":2,"t":"r2"}`, `{"id":-3,"t":null}`, `{"id":-3,"t":null}`,
		`{"id":4,"t":"r4"}`, `{"id":10,"t":"r10"}`, `{"id":11,"t":"r11"}`}
	if got := readLines(t, dir); !slices.Equal(got, want) {
		t.Fatalf("rows\n%q\nwant\n%q", got, want)
	}
}

// TestSinkFormats: the extension and the handling of deletions per format.
func TestSinkFormats(t *testing.T) {
	tests := []struct {
		f        *format.Format
		weights  []int64
		wantFile string
		want     []string
		code     string // of the error Commit returns
	}{
		{format.CSV, []int64{2}, "part-00000000000000000007.csv", []string{"5,r5", "5,r5"}, ""},
		{format.DebeziumJSON, []int64{-2}, "part-00000000000000000007.jsonl", []string{
			`{"before":{"id":5,"t":"r5"},"after":null,"op":"d"}`, `{"before":{"id":5,"t":"r5"},"after":null,"op":"d"}`}, ""},
		{format.JSON, []int64{-1}, "", nil, vector.CodeFeatureNotSupported},
		{format.CSV, []int64{-1}, "", nil, vector.CodeFeatureNotSupported},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		s, err := OpenSink(dir, tt.f, testCols)
		if err != nil {
			t.Fatal(err)
		}
		if s.Retractions() != tt.f.Retractions {
			t.Errorf("%s: Retractions() = %v", tt.f.Name, s.Retractions())
		}
		err = s.Commit(7, []*vector.Batch{rows(tt.weights, 5)})
		if vector.ErrorCode(err) != tt.code || (err == nil) != (tt.code == "") {
			t.Errorf("%s weights %v: error %v, want %q", tt.f.Name, tt.weights, err, tt.code)
		}
		files := dirFiles(t, dir)
		if tt.wantFile == "" {
			if len(files) != 0 {
				t.Errorf("%s weights %v: refused commit left %q", tt.f.Name, tt.weights, files)
			}
			continue
		}
		if !slices.Equal(files, []string{tt.wantFile}) {
			t.Errorf("%s: files %q, want %s", tt.f.Name, files, tt.wantFile)
		}
		if got := readLines(t, dir); !slices.Equal(got, tt.want) {
			t.Errorf("%s: rows %q, want %q", tt.f.Name, got, tt.want)
		}
	}
}

// TestWriteAtomic: while a file is written nothing is under its final name;
// a failed write leaves nothing at all.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "part-1.csv")
	err := writeAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		if got := dirFiles(t, dir); !slices.Equal(got, []string{".part-1.csv.tmp"}) {
			t.Errorf("while writing: files %q, want only the temporary file", got)
		}
		io.WriteString(w, " and the rest\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "half and the rest\n" {
		t.Errorf("written %q, %v", data, err)
	}

	failed := filepath.Join(dir, "part-2.csv")
	err = writeAtomic(failed, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return errors.New("disk full")
	})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failed write returned %v", err)
	}
	if got := dirFiles(t, dir); !slices.Equal(got, []string{"part-1.csv"}) {
		t.Errorf("after a failed write: files %q, want only part-1.csv", got)
	}
}

// TestSinkOpenErrors: a sink directory that cannot be created is a file
// access error; columns the format cannot write are 22023, and nothing is
// created.
func TestSinkOpenErrors(t *testing.T) {
	notDir := writeFile(t, t.TempDir(), "plain", "x")
	if _, err := OpenSink(notDir, format.JSON, testCols); vector.ErrorCode(err) != codeIOError {
		t.Errorf("sink in a file: %v, want %s", err, codeIOError)
	}
	dir := filepath.Join(t.TempDir(), "raw")
	if _, err := OpenSink(dir, format.RawString, testCols); vector.ErrorCode(err) != vector.CodeInvalidParameterValue {
		t.Errorf("raw_string sink of two columns: %v, want 22023", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused sink created its directory: %v", err)
	}
}
