package vector

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Columns as bytes: the rows of a batch column by column, as raw Arrow
// buffers (little endian), so that encoding costs a copy per column, not
// work per row. Every buffer starts at a multiple of 8 bytes from the
// start of the encoding, so a reader that copies the encoding into
// 8-aligned memory hands the buffers to Arrow without copying them again.
// Table logs (storage) and staged sink output use it.
//
//	per column: uvarint null count; if > 0 the validity bitmap; then
//	  bool:        bitmap
//	  fixed width: rows × width bytes
//	  text, bytea: (rows+1) × int32 offsets from 0, then the bytes
//
// A Batch (AppendBatch) is: version byte, flags byte (batchWeights),
// uvarint rows, uvarint columns, the weights (rows × int64, 8-aligned)
// when flagged, then the columns.

// layout is the physical buffer layout of an Arrow column: every runnel
// type (see Type) is one of three.
type layout uint8

const (
	layoutBits  layout = iota // Boolean: bit-packed values
	layoutFixed               // fixed-width values of width bytes
	layoutVar                 // String, Binary: int32 offsets + bytes
)

// layoutOf returns the layout of dt and, for layoutFixed, the value width.
func layoutOf(dt arrow.DataType) (layout, int) {
	switch dt.ID() {
	case arrow.BOOL:
		return layoutBits, 0
	case arrow.STRING, arrow.BINARY:
		return layoutVar, 0
	}
	if fw, ok := dt.(arrow.FixedWidthDataType); ok && fw.BitWidth()%8 == 0 {
		return layoutFixed, fw.BitWidth() / 8
	}
	panic(fmt.Sprintf("vector: unsupported Arrow type %s", dt))
}

// validityOf returns the validity bitmap of a (nil when a has no nulls) and
// the bit offset of its first row.
func validityOf(a arrow.Array) ([]byte, int) {
	if a.NullN() == 0 {
		return nil, 0
	}
	return a.NullBitmapBytes(), a.Data().Offset()
}

// fixedBytes returns the value bytes of the rows of a fixed-width column a.
func fixedBytes(a arrow.Array, width int) []byte {
	d := a.Data()
	off := d.Offset() * width
	return d.Buffers()[1].Bytes()[off : off+a.Len()*width]
}

// varParts returns the int32 offsets (Len+1 of them, not rebased) and the
// whole value-bytes buffer of a String or Binary column.
func varParts(a arrow.Array) ([]int32, []byte) {
	d := a.Data()
	offs := arrow.Int32Traits.CastFromBytes(d.Buffers()[1].Bytes())[d.Offset() : d.Offset()+a.Len()+1]
	var data []byte
	if b := d.Buffers()[2]; b != nil {
		data = b.Bytes()
	}
	return offs, data
}

// ValueBytes returns the raw bytes of row i of a column that is not
// Boolean: the bytes of a text or bytea value, or the little-endian bytes
// of a fixed-width one. The result aliases the column.
func ValueBytes(a arrow.Array, i int) []byte {
	lay, width := layoutOf(a.DataType())
	if lay == layoutVar {
		offs, data := varParts(a)
		return data[offs[i]:offs[i+1]]
	}
	return fixedBytes(a, width)[i*width : (i+1)*width]
}

// newColumn assembles an array of type dt and n rows from its buffers.
// validity may be nil (no nulls); for layoutVar, values is the offsets
// buffer and data the value bytes.
func newColumn(dt arrow.DataType, n, nulls int, validity, values, data []byte) arrow.Array {
	bufs := []*memory.Buffer{nil, memory.NewBufferBytes(values)}
	if validity != nil {
		bufs[0] = memory.NewBufferBytes(validity)
	}
	if data != nil || dt.ID() == arrow.STRING || dt.ID() == arrow.BINARY {
		bufs = append(bufs, memory.NewBufferBytes(data))
	}
	return array.MakeFromData(array.NewData(dt, n, bufs, nil, nulls, 0))
}

// Pad8 pads dst with zeros to a multiple of 8 bytes.
func Pad8(dst []byte) []byte {
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

// AppendColumns appends the encoding of the first n rows of cols to dst,
// which holds the encoding so far (alignment counts from dst[0]).
func AppendColumns(dst []byte, cols []arrow.Array, n int) []byte {
	for _, a := range cols {
		dst = binary.AppendUvarint(dst, uint64(a.NullN()))
		if src, off := validityOf(a); src != nil {
			dst = appendBits(Pad8(dst), src, off, n)
		}
		dst = Pad8(dst)
		switch lay, width := layoutOf(a.DataType()); lay {
		case layoutBits:
			dst = appendBits(dst, a.Data().Buffers()[1].Bytes(), a.Data().Offset(), n)
		case layoutFixed:
			dst = append(dst, fixedBytes(a, width)[:n*width]...)
		default:
			offs, data := varParts(a)
			base := offs[0]
			for _, o := range offs[:n+1] {
				dst = binary.LittleEndian.AppendUint32(dst, uint32(o-base))
			}
			dst = append(dst, data[base:offs[n]]...)
		}
	}
	return dst
}

// ColumnReader reads an encoding of columns (and the header fields around
// them) from an 8-aligned copy of it. It never panics on corrupt input:
// the first problem is kept in Err, and later reads return zero values.
type ColumnReader struct {
	what string // what is read, for errors
	buf  []byte
	pos  int
	err  error
}

// NewColumnReader returns a reader of value, an encoding of what, copied
// into 8-aligned memory that the decoded arrays will own.
func NewColumnReader(what string, value []byte) *ColumnReader {
	words := make([]uint64, (len(value)+7)/8)
	buf := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), len(words)*8)[:len(value)]
	copy(buf, value)
	return &ColumnReader{what: what, buf: buf}
}

// Err is the first problem met, or nil.
func (d *ColumnReader) Err() error { return d.err }

// fail records a problem, unless one was met already.
func (d *ColumnReader) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("corrupt %s: %s", d.what, fmt.Sprintf(format, args...))
	}
}

// Bytes reads the next n bytes.
func (d *ColumnReader) Bytes(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.buf)-d.pos {
		d.fail("truncated at byte %d", d.pos)
		return nil
	}
	b := d.buf[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b
}

// Uvarint reads a uvarint.
func (d *ColumnReader) Uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, k := binary.Uvarint(d.buf[d.pos:])
	if k <= 0 {
		d.fail("truncated at byte %d", d.pos)
		return 0
	}
	d.pos += k
	return v
}

// Align skips to the next multiple of 8 bytes.
func (d *ColumnReader) Align() {
	if d.err == nil {
		d.pos = min(len(d.buf), (d.pos+7)&^7)
	}
}

// Words reads n 8-aligned 64-bit words, aliasing the reader's memory.
func (d *ColumnReader) Words(n int) []uint64 {
	if n < 0 || n > len(d.buf) {
		d.fail("%d words", n)
		return nil
	}
	d.Align()
	b := d.Bytes(n * 8)
	if d.err != nil {
		return nil
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// Rows reads a row count, checking it is plausible for the bytes there
// are.
func (d *ColumnReader) Rows() int {
	n := d.Uvarint()
	if n > uint64(len(d.buf)) {
		d.fail("%d rows", n)
		return 0
	}
	return int(n)
}

// Columns reads n rows of columns of the Arrow types dts.
func (d *ColumnReader) Columns(dts []arrow.DataType, n int) []arrow.Array {
	bitmapLen := int(bitutil.BytesForBits(int64(n)))
	cols := make([]arrow.Array, len(dts))
	for c, dt := range dts {
		nulls := int(d.Uvarint())
		if nulls < 0 || nulls > n {
			d.fail("%d nulls in %d rows", nulls, n)
		}
		var validity []byte
		if nulls > 0 {
			d.Align()
			validity = d.Bytes(bitmapLen)
		}
		d.Align()
		var values, data []byte
		switch lay, width := layoutOf(dt); lay {
		case layoutBits:
			values = d.Bytes(bitmapLen)
		case layoutFixed:
			values = d.Bytes(n * width)
		default:
			values = d.Bytes((n + 1) * 4)
			if d.err == nil {
				offs := arrow.Int32Traits.CastFromBytes(values)
				if offs[0] != 0 || offs[n] < 0 {
					d.fail("bad offsets")
				} else {
					for i := range n {
						if offs[i+1] < offs[i] {
							d.fail("bad offsets")
							break
						}
					}
					data = d.Bytes(int(offs[n]))
				}
			}
		}
		if d.err != nil {
			return nil
		}
		cols[c] = newColumn(dt, n, nulls, validity, values, data)
	}
	return cols
}

// End checks that nothing is left to read, and returns Err.
func (d *ColumnReader) End() error {
	if d.err == nil && d.pos != len(d.buf) {
		d.fail("%d trailing bytes", len(d.buf)-d.pos)
	}
	return d.err
}

// The header of an encoded batch.
const (
	batchVersion = 1
	batchWeights = 1 // flag: the weights follow the header
)

// AppendBatch appends the encoding of b, whose columns have the given
// types, to dst (alignment counts from dst[0]).
func AppendBatch(dst []byte, b *Batch) []byte {
	flags := byte(0)
	if b.Weights != nil {
		flags = batchWeights
	}
	dst = append(dst, batchVersion, flags)
	dst = binary.AppendUvarint(dst, uint64(b.Len))
	dst = binary.AppendUvarint(dst, uint64(len(b.Cols)))
	if b.Weights != nil {
		dst = Pad8(dst)
		dst = append(dst, arrow.Int64Traits.CastToBytes(b.Weights)...)
	}
	return AppendColumns(dst, b.Cols, b.Len)
}

// DecodeBatch decodes what AppendBatch encoded: a batch of columns of the
// given types. The result does not alias value. Corrupt input is an error,
// never a panic.
func DecodeBatch(value []byte, types []Type) (*Batch, error) {
	d := NewColumnReader("encoded batch", value)
	if v := d.Bytes(2); d.Err() == nil && (v[0] != batchVersion || v[1]&^batchWeights != 0) {
		return nil, fmt.Errorf("encoded batch: unknown version %d flags %d", v[0], v[1])
	}
	weighted := d.Err() == nil && d.buf[1]&batchWeights != 0
	n := d.Rows()
	if nc := d.Uvarint(); d.Err() == nil && nc != uint64(len(types)) {
		return nil, fmt.Errorf("encoded batch has %d columns, want %d", nc, len(types))
	}
	b := &Batch{Len: n}
	if weighted {
		w := d.Words(n)
		b.Weights = unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(w))), len(w))
		for _, v := range b.Weights {
			if v == 0 {
				d.fail("a weight of 0")
				break
			}
		}
	}
	dts := make([]arrow.DataType, len(types))
	for i, t := range types {
		dts[i] = t.ArrowType()
	}
	b.Cols = d.Columns(dts, n)
	if err := d.End(); err != nil {
		return nil, err
	}
	return b, nil
}
