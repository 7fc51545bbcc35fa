package storage

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// The encoding of one log part: the rows of one chunk of a change batch,
// column by column, as raw Arrow buffers (little endian). Every buffer
// starts at a multiple of 8 bytes from the start of the value, so a decoder
// that copies the value into 8-aligned memory can hand the buffers to Arrow
// without copying them again.
//
//	version byte (partVersion), flags byte (partDeletion)
//	uvarint rows, uvarint columns
//	deletion parts: rows × uint64 RowIDs of the deleted rows
//	per column: uvarint null count; if > 0 the validity bitmap; then
//	  bool:        bitmap
//	  fixed width: rows × width bytes
//	  text, bytea: (rows+1) × int32 offsets from 0, then the bytes
const (
	partVersion  = 1
	partDeletion = 1 // flag: every row has weight −1 and its RowID is stored
)

// encodePart appends the encoding of the n rows of cols to dst. delIDs is
// nil for an insertion part, or the n RowIDs of deleted rows.
func encodePart(dst []byte, cols []arrow.Array, n int, delIDs []RowID) []byte {
	flags := byte(0)
	if delIDs != nil {
		flags = partDeletion
	}
	dst = append(dst, partVersion, flags)
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = binary.AppendUvarint(dst, uint64(len(cols)))
	if delIDs != nil {
		dst = vector.Pad8(dst)
		for _, id := range delIDs {
			dst = binary.LittleEndian.AppendUint64(dst, uint64(id))
		}
	}
	return vector.AppendColumns(dst, cols, n)
}

// part is a decoded log part.
type part struct {
	cols   []arrow.Array
	n      int
	delIDs []RowID // nil for an insertion part
}

// decodePart decodes value, the encoding of a part of a table whose columns
// have the Arrow types dts. The result does not alias value.
func decodePart(dts []arrow.DataType, value []byte) (part, error) {
	d := vector.NewColumnReader("log part", value)
	var p part
	v := d.Bytes(2)
	if d.Err() == nil && (v[0] != partVersion || v[1]&^partDeletion != 0) {
		return p, fmt.Errorf("storage: log part: unknown version %d flags %d", v[0], v[1])
	}
	p.n = d.Rows()
	if nc := d.Uvarint(); d.Err() == nil && nc != uint64(len(dts)) {
		return p, fmt.Errorf("storage: log part has %d columns, table has %d", nc, len(dts))
	}
	if d.Err() == nil && v[1]&partDeletion != 0 {
		w := d.Words(p.n)
		p.delIDs = unsafe.Slice((*RowID)(unsafe.Pointer(unsafe.SliceData(w))), len(w))
		if p.delIDs == nil {
			p.delIDs = []RowID{}
		}
	}
	p.cols = d.Columns(dts, p.n)
	if err := d.End(); err != nil {
		return p, fmt.Errorf("storage: %w", err)
	}
	return p, nil
}
