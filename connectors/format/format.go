// Package format turns rows into records of bytes and back: the serializations
// (json, csv, debezium_json) that connectors share, independent of where the
// bytes go (files, Kafka messages).
//
// A record is one row (one change for debezium_json) without a line terminator.
// Streams of records hold one record per line (see RecordReader). Values are
// written in their Postgres text form, timestamptz in UTC; see json.go and
// csv.go for the exact mapping of each type.
package format

import (
	"fmt"
	"strings"

	"github.com/runneldb/runnel/vector"
)

// Column is a column of the relation a connector reads or writes.
type Column struct {
	Name string
	Type vector.Type
}

// Encoder encodes rows of a fixed list of columns.
type Encoder interface {
	// Append appends to dst the record of row i of b: its insertion, or its
	// deletion when del. Only formats with Retractions are given del = true;
	// the others encode every row as an insertion.
	Append(dst []byte, b *vector.Batch, i int, del bool) []byte
}

// Decoder decodes records into rows of a fixed list of columns.
type Decoder interface {
	// Decode appends the row held by rec to out, one builder per column.
	// Errors are *vector.Error whose message names the column at fault. After
	// an error some builders may hold a value for the row and others not:
	// the caller discards them.
	Decode(rec []byte, out []*vector.Builder) error
}

// Format is a serialization of rows.
type Format struct {
	// Name is the value of the format option that selects it.
	Name string
	// Ext is the extension of files holding its records.
	Ext string
	// Retractions reports whether a record can say that a row was deleted.
	Retractions bool
	// multiline is true when a record may span lines inside double quotes
	// and every line, even an empty one, is a record (csv); otherwise a
	// record is one line and blank lines are skipped.
	multiline  bool
	newEncoder func(cols []Column) Encoder
	// newDecoder is nil for formats that can only be written.
	newDecoder func(cols []Column) Decoder
}

// The formats.
var (
	JSON         = &Format{Name: "json", Ext: "jsonl", newEncoder: newJSONEncoder, newDecoder: newJSONDecoder}
	CSV          = &Format{Name: "csv", Ext: "csv", multiline: true, newEncoder: newCSVEncoder, newDecoder: newCSVDecoder}
	DebeziumJSON = &Format{Name: "debezium_json", Ext: "jsonl", Retractions: true, newEncoder: newDebeziumEncoder}
)

var formats = []*Format{CSV, DebeziumJSON, JSON}

// Lookup is the format called name; an unknown name is a 22023 error listing
// the known ones.
func Lookup(name string) (*Format, error) {
	names := make([]string, len(formats))
	for i, f := range formats {
		if f.Name == name {
			return f, nil
		}
		names[i] = f.Name
	}
	return nil, vector.Errorf(vector.CodeInvalidParameterValue, "format %q does not exist (known formats: %s)",
		name, strings.Join(names, ", "))
}

// NewEncoder returns an encoder of rows of cols.
func (f *Format) NewEncoder(cols []Column) Encoder { return f.newEncoder(cols) }

// NewDecoder returns a decoder of rows of cols; a format that can only be
// written is a 22023 error.
func (f *Format) NewDecoder(cols []Column) (Decoder, error) {
	if f.newDecoder == nil {
		return nil, vector.Errorf(vector.CodeInvalidParameterValue, "format %q can only be written, not read", f.Name)
	}
	return f.newDecoder(cols), nil
}

// columnError prefixes the message of err, a decoding error of column c,
// with the column's name, keeping its SQLSTATE.
func columnError(c Column, err error) error {
	return Context(err, fmt.Sprintf("column %q", c.Name))
}

// Context prefixes the message of a *vector.Error with where it happened
// ("file \"in.csv\", line 3"), keeping its SQLSTATE and detail; other errors
// are wrapped.
func Context(err error, where string) error {
	ve, ok := err.(*vector.Error)
	if !ok {
		return fmt.Errorf("%s: %w", where, err)
	}
	e := *ve
	e.Message = where + ": " + e.Message
	return &e
}
