// Package format turns changes into records of bytes and back: the
// serializations (json, csv, debezium_json, raw_string, raw_bytes) that
// connectors share, independent of where the bytes go (files, Kafka
// messages).
//
// A record is one row (one change, or an update's two, for debezium_json)
// without a line terminator. Streams of records hold one record per line (see
// RecordReader); a raw record is one line, so a raw value holding a line
// break reads back from a file as several records. Values are written in
// their Postgres text form, timestamptz in UTC; see json.go, csv.go,
// debezium.go and raw.go for the exact mapping of each type.
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
	// Metadata is non-empty for a column the connector fills from a
	// record's metadata rather than from its bytes (Kafka's "offset",
	// "partition", "timestamp", "key", "headers"). Decoders and encoders
	// are given only the other columns.
	Metadata string
}

// Encoder encodes rows of a fixed list of columns.
type Encoder interface {
	// Append appends to dst the record of row i of b: its insertion, or its
	// deletion when del. Only formats with Retractions are given del = true;
	// the others encode every row as an insertion.
	Append(dst []byte, b *vector.Batch, i int, del bool) []byte
}

// Decoder decodes records into changes of a fixed list of columns.
type Decoder interface {
	// Decode appends the changes rec holds to out: one insertion for a row
	// format; for debezium_json a deletion, an insertion, or both (an
	// update). Errors are *vector.Error whose message names the column at
	// fault; after an error out is as it was before the call.
	Decode(rec []byte, out *Changes) error
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
	// (csv).
	multiline bool
	// emptyRecords is true when every line, even an empty one, is a record
	// (csv, raw); otherwise blank lines are skipped.
	emptyRecords bool
	newEncoder   func(cols []Column) (Encoder, error)
	// newDecoder is nil for formats that can only be written. Its decoders
	// may leave out changed after an error: NewDecoder's wrapper undoes that.
	newDecoder func(cols []Column) (Decoder, error)
}

// The formats.
var (
	JSON = &Format{Name: "json", Ext: "jsonl", newEncoder: newJSONEncoder, newDecoder: newJSONDecoder}
	CSV  = &Format{Name: "csv", Ext: "csv", multiline: true, emptyRecords: true,
		newEncoder: newCSVEncoder, newDecoder: newCSVDecoder}
	DebeziumJSON = &Format{Name: "debezium_json", Ext: "jsonl", Retractions: true,
		newEncoder: newDebeziumEncoder, newDecoder: newDebeziumDecoder}
	RawString = &Format{Name: "raw_string", Ext: "txt", emptyRecords: true,
		newEncoder: newRawStringEncoder, newDecoder: newRawStringDecoder}
	RawBytes = &Format{Name: "raw_bytes", Ext: "bin", emptyRecords: true,
		newEncoder: newRawBytesEncoder, newDecoder: newRawBytesDecoder}
)

// formats are all the formats, by name.
var formats = []*Format{CSV, DebeziumJSON, JSON, RawBytes, RawString}

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

// NewEncoder returns an encoder of rows of cols; columns the format cannot
// write (a raw format's, see raw.go) are a 22023 error.
func (f *Format) NewEncoder(cols []Column) (Encoder, error) { return f.newEncoder(cols) }

// NewDecoder returns a decoder of changes of cols; a format that can only
// be written, or columns it cannot read (a raw format's), is a 22023 error.
func (f *Format) NewDecoder(cols []Column) (Decoder, error) {
	if f.newDecoder == nil {
		return nil, vector.Errorf(vector.CodeInvalidParameterValue, "format %q can only be written, not read", f.Name)
	}
	d, err := f.newDecoder(cols)
	if err != nil {
		return nil, err
	}
	return undoingDecoder{d}, nil
}

// undoingDecoder makes its decoder's failures leave out as it was.
type undoingDecoder struct{ Decoder }

func (d undoingDecoder) Decode(rec []byte, out *Changes) error {
	mark := out.mark()
	err := d.Decoder.Decode(rec, out)
	if err != nil {
		out.undo(mark)
	}
	return err
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
