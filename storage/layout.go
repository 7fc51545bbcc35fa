package storage

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// layout is the physical buffer layout of an Arrow column, as far as storage
// cares: every runnel type (see vector.Type) is one of three.
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
	panic(fmt.Sprintf("storage: unsupported Arrow type %s", dt))
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
