// Package file is the file connector: a sink writing each checkpoint epoch's
// rows to its own part file of a directory, and a source reading the rows of a
// file or of the files of a directory.
package file

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// partPrefix starts the name of every part file.
const partPrefix = "part-"

// Sink writes a pipeline's output to a directory, one part file per
// checkpoint epoch.
//
// The rows of epoch e are in part-<e as 20 digits>.<format extension>, one
// record per line, so listing the directory in name order gives the rows in
// commit order. A part file appears whole or not at all (see writeAtomic);
// an epoch without rows has no part file. The sink keeps no state besides the
// directory: an epoch whose part file exists is committed.
type Sink struct {
	dir    string
	format *format.Format
	enc    format.Encoder
	rec    []byte // scratch: one encoded record
}

// OpenSink opens a sink writing rows of cols to dir in format f, creating
// dir when it does not exist and removing the temporary files of part files
// whose writing a crash interrupted. Columns f cannot write are a 22023
// error.
func OpenSink(dir string, f *format.Format, cols []format.Column) (*Sink, error) {
	enc, err := f.NewEncoder(cols)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fileError(err, "could not create directory %q", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fileError(err, "could not read directory %q", dir)
	}
	for _, e := range entries {
		if isTempOf(e.Name(), partPrefix) {
			path := filepath.Join(dir, e.Name())
			if err := os.Remove(path); err != nil {
				return nil, fileError(err, "could not remove file %q", path)
			}
		}
	}
	// Make the directory's creation and the removals durable.
	if err := syncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	return &Sink{dir: dir, format: f, enc: enc}, nil
}

// Retractions reports whether the sink's format can carry deletions.
func (s *Sink) Retractions() bool { return s.format.Retractions }

// partName is the name of the part file of epoch.
func (s *Sink) partName(epoch uint64) string {
	return fmt.Sprintf("%s%020d.%s", partPrefix, epoch, s.format.Ext)
}

// Commit writes the rows of changes, the output of epoch, to the epoch's
// part file, atomically and durably. It does nothing when the part file
// exists already (the epoch was committed) or changes hold no rows. A row of
// weight n > 1 is written n times; a negative weight is a deletion, written
// as such by a format with retractions and refused (0A000, before anything
// is written) by the others.
func (s *Sink) Commit(epoch uint64, changes []*vector.Batch) error {
	path := filepath.Join(s.dir, s.partName(epoch))
	if _, err := os.Lstat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fileError(err, "could not stat file %q", path)
	}
	empty, err := s.checkChanges(changes)
	if err != nil || empty {
		return err
	}
	return writeAtomic(path, func(w io.Writer) error { return s.write(w, changes) })
}

// checkChanges reports whether changes hold no rows, and refuses deletions
// when the format cannot carry them.
func (s *Sink) checkChanges(changes []*vector.Batch) (empty bool, err error) {
	empty = true
	for _, b := range changes {
		empty = empty && b.Len == 0
		if s.format.Retractions {
			continue
		}
		for _, w := range b.Weights {
			if w < 0 {
				return false, vector.Errorf(vector.CodeFeatureNotSupported,
					"format %q cannot write deletions; use format 'debezium_json'", s.format.Name)
			}
		}
	}
	return empty, nil
}

// write writes the records of changes to w, one per line.
func (s *Sink) write(w io.Writer, changes []*vector.Batch) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, b := range changes {
		for i := range b.Len {
			n := b.Weight(i)
			s.rec = append(s.enc.Append(s.rec[:0], b, i, n < 0), '\n')
			for range max(n, -n) {
				bw.Write(s.rec) // a failed write is kept and returned by Flush
			}
		}
	}
	return bw.Flush()
}

// Close releases the sink; committed epochs stay committed.
func (s *Sink) Close() error { return nil }
