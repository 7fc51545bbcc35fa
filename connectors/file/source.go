package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// Source reads the changes of a file, or of the files of a directory in
// name order, in one format: a source.Source of one split (0) whose
// position is the number of records read. It is bounded: a Read ends at the
// end of the last file. Files are read when Read runs, not when the source
// is opened.
type Source struct {
	path   string
	format *format.Format
	cols   []format.Column
}

var _ source.Source = (*Source)(nil)

// OpenSource opens a source of rows of cols from path (a file or a
// directory) in format f. A missing path is 58P01; a format that cannot be
// read, or cannot read cols, is 22023.
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

// Bounded is true: a file ends.
func (s *Source) Bounded() bool { return true }

// Read emits the changes of the records after position from[0] (0 when
// absent) of split 0, the only one, in file order, and returns nil at the
// end of the input. A position counts records (not lines, and not rows: a
// debezium_json update is one record of two rows) from the start of the
// first file; skipped records are not decoded. Each chunk holds at most
// operators.BatchSize rows, with Next the number of records read so far;
// the last one may hold no rows (Rows nil) when the records after the last
// rows held none. A record that cannot be decoded stops the read with an
// error naming the file, line and column.
func (s *Source) Read(ctx context.Context, from source.Position, out source.Output) error {
	files, err := s.files()
	if err != nil {
		return err
	}
	dec, err := s.format.NewDecoder(s.cols)
	if err != nil {
		return err
	}
	start := max(from[0], 0)
	r := &sourceRead{ctx: ctx, out: out, format: s.format, dec: dec, changes: format.NewChanges(s.cols),
		start: start, emitted: start, maxRecordRows: 1}
	if s.format.Retractions {
		r.maxRecordRows = 2 // an update
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
	ctx     context.Context
	out     source.Output
	format  *format.Format
	dec     format.Decoder
	changes *format.Changes // the rows of the chunk being built
	start   int64           // the position read from: records to skip
	read    int64           // records read (skipped ones included)
	emitted int64           // the position of the last chunk emitted
	// maxRecordRows is the most rows a record decodes to.
	maxRecordRows int
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
		r.read++
		if r.read <= r.start {
			continue
		}
		if err := r.dec.Decode(rec, r.changes); err != nil {
			return recordError(err, path, line)
		}
		if r.changes.Len()+r.maxRecordRows > operators.BatchSize {
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

// flush emits the rows built so far, if any, or else the position when
// records were read since the last chunk.
func (r *sourceRead) flush() error {
	if r.read <= r.emitted {
		return nil
	}
	r.emitted = r.read
	return r.out.Emit(source.Chunk{Split: 0, Next: r.read, Rows: r.changes.Finish()})
}
