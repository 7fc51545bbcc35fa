package storage

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
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
		dst = pad8(dst)
		for _, id := range delIDs {
			dst = binary.LittleEndian.AppendUint64(dst, uint64(id))
		}
	}
	for _, a := range cols {
		dst = binary.AppendUvarint(dst, uint64(a.NullN()))
		if src, off := validityOf(a); src != nil {
			dst = appendBits(pad8(dst), src, off, n)
		}
		dst = pad8(dst)
		switch lay, width := layoutOf(a.DataType()); lay {
		case layoutBits:
			dst = appendBits(dst, a.Data().Buffers()[1].Bytes(), a.Data().Offset(), n)
		case layoutFixed:
			dst = append(dst, fixedBytes(a, width)...)
		default:
			offs, data := varParts(a)
			base := offs[0]
			for _, o := range offs {
				dst = binary.LittleEndian.AppendUint32(dst, uint32(o-base))
			}
			dst = append(dst, data[base:offs[n]]...)
		}
	}
	return dst
}

func pad8(dst []byte) []byte {
	for len(dst)%8 != 0 {
		dst = append(dst, 0)
	}
	return dst
}

func appendBits(dst, src []byte, off, n int) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, bitutil.BytesForBits(int64(n)))...)
	bitutil.CopyBitmap(src, off, n, dst[start:], 0)
	return dst
}

// part is a decoded log part.
type part struct {
	cols   []arrow.Array
	n      int
	delIDs []RowID // nil for an insertion part
}

// partDecoder reads one encoded part; it never panics on corrupt input.
type partDecoder struct {
	buf []byte
	pos int
	err error
}

// decodePart decodes value, the encoding of a part of a table whose columns
// have the Arrow types dts. The result does not alias value.
func decodePart(dts []arrow.DataType, value []byte) (part, error) {
	// Copy into 8-aligned memory that the arrays will own.
	words := make([]uint64, (len(value)+7)/8)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), len(words)*8)[:len(value)]
	copy(buf, value)
	d := &partDecoder{buf: buf}
	var p part
	if v := d.bytes(2); d.err == nil && (v[0] != partVersion || v[1]&^partDeletion != 0) {
		return p, fmt.Errorf("storage: log part: unknown version %d flags %d", v[0], v[1])
	} else if d.err == nil && v[1]&partDeletion != 0 {
		p.delIDs = []RowID{}
	}
	p.n = int(d.uvarint())
	if nc := d.uvarint(); d.err == nil && nc != uint64(len(dts)) {
		return p, fmt.Errorf("storage: log part has %d columns, table has %d", nc, len(dts))
	}
	if p.n < 0 || p.n > len(buf) {
		return p, fmt.Errorf("storage: corrupt log part: %d rows", p.n)
	}
	if p.delIDs != nil {
		d.align()
		p.delIDs = unsafe.Slice((*RowID)(unsafe.Pointer(unsafe.SliceData(d.bytes(p.n*8)))), p.n)
	}
	bitmapLen := int(bitutil.BytesForBits(int64(p.n)))
	p.cols = make([]arrow.Array, len(dts))
	for c, dt := range dts {
		nulls := int(d.uvarint())
		if nulls < 0 || nulls > p.n {
			d.fail()
		}
		var validity []byte
		if nulls > 0 {
			d.align()
			validity = d.bytes(bitmapLen)
		}
		d.align()
		var values, data []byte
		switch lay, width := layoutOf(dt); lay {
		case layoutBits:
			values = d.bytes(bitmapLen)
		case layoutFixed:
			values = d.bytes(p.n * width)
		default:
			values = d.bytes((p.n + 1) * 4)
			if d.err == nil {
				offs := arrow.Int32Traits.CastFromBytes(values)
				if offs[0] != 0 || offs[p.n] < 0 {
					d.err = fmt.Errorf("storage: corrupt log part: bad offsets")
				} else {
					data = d.bytes(int(offs[p.n]))
				}
			}
		}
		if d.err != nil {
			return p, d.err
		}
		p.cols[c] = newColumn(dt, p.n, nulls, validity, values, data)
	}
	if d.err == nil && d.pos != len(buf) {
		d.err = fmt.Errorf("storage: corrupt log part: %d trailing bytes", len(buf)-d.pos)
	}
	return p, d.err
}

func (d *partDecoder) fail() {
	if d.err == nil {
		d.err = fmt.Errorf("storage: corrupt log part: truncated at byte %d", d.pos)
	}
}

func (d *partDecoder) bytes(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.buf)-d.pos {
		d.fail()
		return nil
	}
	b := d.buf[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b
}

func (d *partDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, k := binary.Uvarint(d.buf[d.pos:])
	if k <= 0 {
		d.fail()
		return 0
	}
	d.pos += k
	return v
}

func (d *partDecoder) align() {
	if d.err == nil {
		d.pos = min(len(d.buf), (d.pos+7)&^7)
	}
}
