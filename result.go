package runnel

import (
	"context"

	"github.com/runneldb/runnel/vector"
)

// Column describes one column of a statement's result.
type Column struct {
	Name string
	Type vector.Type
	// TableOID and Attr identify the table column the value comes from
	// directly, or are 0.
	TableOID uint32
	Attr     int16
}

// Rows is a cursor over the rows of a result. Next returns the next batch
// (never with weights) or nil at the end; Close releases it early. A Rows is
// read by one goroutine.
type Rows interface {
	Next(ctx context.Context) (*vector.Batch, error)
	Close()
}

// Result is the outcome of executing one statement.
type Result struct {
	// Columns is non-nil exactly when the statement returns rows.
	Columns []Column
	Rows    Rows
	// Tag is the command tag ("CREATE TABLE", "INSERT 0 3", "SELECT").
	// When Counted is set the sender appends " <number of rows sent>".
	Tag     string
	Counted bool
	// CopyIn is set for COPY … FROM STDIN: the sender streams the client's
	// data into it.
	CopyIn *CopyIn
	// CopyOut is set for COPY … TO STDOUT.
	CopyOut *CopyOut
	// Notices are sent to the client before the command completes.
	Notices []*vector.Error
	// Params are session parameters reported to the client (ParameterStatus)
	// whose values the statement changed.
	Params []Param
}

// Param is a named session parameter value.
type Param struct{ Name, Value string }

// CopyFormat is the data format of COPY.
type CopyFormat uint8

// COPY data formats.
const (
	CopyText CopyFormat = iota
	CopyCSV
	CopyBinary
)

// CopyIn receives the data of COPY … FROM STDIN.
type CopyIn struct {
	Format  CopyFormat
	Columns int
	// Write consumes the next chunk of data; chunks split rows anywhere.
	Write func(data []byte) error
	// Done finishes the copy (the client sent CopyDone) and returns the
	// command tag ("COPY n"). Nothing is written unless Done succeeds.
	Done func() (string, error)
	// Abort abandons the copy (the client sent CopyFail or went away).
	Abort func(reason string)
}

// CopyOut produces the data of COPY … TO STDOUT.
type CopyOut struct {
	Format  CopyFormat
	Columns int
	// Next returns the next rows, each a complete line of the format with
	// its line terminator; an empty slice with nil error means the end.
	Next func(ctx context.Context) ([][]byte, error)
	// Tag is the command tag once Next has reported the end ("COPY n").
	Tag func() string
}
