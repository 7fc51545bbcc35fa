package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// Source reads the rows of a file, or of the files of a directory in name
// order, in one format. It is bounded: a Read ends at the end of the last
// file. Files are read when Read runs, not when the source is opened.
type Source struct {
	path   string
	format *format.Format
	cols   []format.Column
}

// OpenSource opens a source of rows of cols from path (a file or a
// directory) in format f. A missing path is 58P01; a format that cannot be
// read is 22023.
func OpenSource(path string, f *format.Format, cols []format.Column) (*Source, error) {
	if _, err := f.NewDecoder(cols); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fileError(err, "could not open file %q", path)
	}
	return &Source{path: path, format: f, cols: cols}, nil
}

// files lists the files to read: the path itself, or the files of the
// directory in name order, except subdirectories and hidden files (whose
// name starts with a dot, as a file sink's temporary files do).
func (s *Source) files() ([]string, error) {
	info, err := os.Stat(s.path)
	if err != nil {
		return nil, fileError(err, "could not open file %q", s.path)
	}
	if !info.IsDir() {
		return []string{s.path}, nil
	}
	entries, err := os.ReadDir(s.path) // sorted by name
	if err != nil {
		return nil, fileError(err, "could not read directory %q", s.path)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			files = append(files, filepath.Join(s.path, e.Name()))
		}
	}
	return files, nil
}

// Read calls emit with the rows after the first skip, in file order, in
// batches of at most operators.BatchSize rows, and returns nil at the end of
// the input. A record that cannot be decoded stops the read with an error
// naming the file, line and column. Skipped records are not decoded.
// Bounded is true: a file ends.
func (s *Source) Bounded() bool { return true }

func (s *Source) Read(ctx context.Context, skip int64, emit func(*vector.Batch) error) error {
	files, err := s.files()
	if err != nil {
		return err
	}
	dec, err := s.format.NewDecoder(s.cols)
	if err != nil {
		return err
	}
	r := &sourceRead{ctx: ctx, emit: emit, format: s.format, dec: dec, skip: skip,
		out: make([]*vector.Builder, len(s.cols))}
	for i, c := range s.cols {
		r.out[i] = vector.NewBuilder(c.Type, operators.BatchSize)
	}
	for _, path := range files {
		if err := r.readFile(path); err != nil {
			return err
		}
	}
	return r.flush()
}

// sourceRead is one Read in progress.
type sourceRead struct {
	ctx    context.Context
	emit   func(*vector.Batch) error
	format *format.Format
	dec    format.Decoder
	skip   int64             // records still to skip
	out    []*vector.Builder // the batch being built, one builder per column
	rows   int               // rows in out
}

// readFile reads the records of the file path.
func (r *sourceRead) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fileError(err, "could not open file %q", path)
	}
	defer f.Close()
	recs := r.format.NewRecordReader(f)
	for n := 0; ; n++ {
		if n%operators.BatchSize == 0 {
			if err := r.ctx.Err(); err != nil {
				return err
			}
		}
		rec, line, err := recs.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return recordError(err, path, line)
		}
		if r.skip > 0 {
			r.skip--
			continue
		}
		if err := r.dec.Decode(rec, r.out); err != nil {
			return recordError(err, path, line)
		}
		if r.rows++; r.rows == operators.BatchSize {
			if err := r.flush(); err != nil {
				return err
			}
		}
	}
}

// recordError is err, met reading the record starting at line of the file
// path: a data error names where it is, an I/O error is a file error.
func recordError(err error, path string, line int64) error {
	if _, ok := err.(*vector.Error); !ok {
		return fileError(err, "could not read file %q", path)
	}
	return format.Context(err, fmt.Sprintf("file %q, line %d", path, line))
}

// flush emits the rows built so far, if any.
func (r *sourceRead) flush() error {
	if r.rows == 0 {
		return nil
	}
	cols := make([]arrow.Array, len(r.out))
	for i, b := range r.out {
		cols[i] = b.Finish()
	}
	n := r.rows
	r.rows = 0
	return r.emit(vector.NewBatch(cols, n))
}
