package file

import (
	"errors"
	"io/fs"
	"os"

	"github.com/runneldb/runnel/vector"
)

// SQLSTATEs of file access errors, as Postgres' errcode_for_file_access
// gives them, that vector does not name.
const (
	codeUndefinedFile = "58P01"
	codeIOError       = "58030"
)

// fileError is err, the failure of an operation on a file, as the user error
// Postgres reports: what could not be done (the message format and args),
// then the system's reason; a missing file is 58P01, a refused permission
// 42501, anything else 58030.
func fileError(err error, format string, args ...any) error {
	code := codeIOError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		code = codeUndefinedFile
	case errors.Is(err, fs.ErrPermission):
		code = vector.CodeInsufficientPrivilege
	}
	// The path is in the message already: keep only the reason.
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	e := vector.Errorf(code, format, args...)
	e.Message += ": " + err.Error()
	return e
}
