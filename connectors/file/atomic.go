package file

import (
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Temporary files are hidden: a dot, the final name, and tempSuffix.
const tempSuffix = ".tmp"

// tempName is the name under which the file called name is written before
// it is renamed to name.
func tempName(name string) string { return "." + name + tempSuffix }

// isTempOf reports whether name is the temporary name of a file whose name
// starts with prefix.
func isTempOf(name, prefix string) bool {
	return strings.HasPrefix(name, "."+prefix) && strings.HasSuffix(name, tempSuffix)
}

// writeAtomic creates the file path holding what write writes, so that after
// a crash path either is complete or does not exist: write goes to a
// temporary file in the same directory (see tempName), which is synced,
// renamed to path, and the directory synced. On error the temporary file is
// removed and path is not created. A temporary file left by a crash is for
// the caller to remove.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, name := filepath.Split(path)
	tmp := filepath.Join(dir, tempName(name))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fileError(err, "could not create file %q", tmp)
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				f.Close()
			}
			os.Remove(tmp)
		}
	}()
	if err := write(f); err != nil {
		return fileError(err, "could not write file %q", tmp)
	}
	if err := f.Sync(); err != nil {
		return fileError(err, "could not fsync file %q", tmp)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fileError(err, "could not close file %q", tmp)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fileError(err, "could not rename file %q to %q", tmp, path)
	}
	return syncDir(filepath.Clean(dir))
}

// syncDir makes the entries of directory dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fileError(err, "could not open directory %q", dir)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fileError(err, "could not fsync directory %q", dir)
	}
	return nil
}
