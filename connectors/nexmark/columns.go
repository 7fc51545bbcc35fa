package nexmark

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runneldb/runnel/vector"
)

// Columns are built straight into the buffers of Arrow arrays: a []int64
// for bigint and timestamp columns, offsets and bytes for text ones. No
// column has NULLs.

// textColumn is a text column being built. Invariant: offs has one entry
// more than the rows ended so far, offs[0] = 0, and row i is
// data[offs[i]:offs[i+1]].
type textColumn struct {
	offs []int32
	data []byte
}

// newTextColumn makes an empty column with room for n rows of about width
// bytes.
func newTextColumn(n, width int) *textColumn {
	c := &textColumn{offs: make([]int32, 1, n+1)}
	if width > 0 {
		c.data = make([]byte, 0, n*width)
	}
	return c
}

// end ends the current row: it holds the bytes appended since the last end.
func (c *textColumn) end() { c.offs = append(c.offs, int32(len(c.data))) }

// add appends a row holding s.
func (c *textColumn) add(s string) {
	c.data = append(c.data, s...)
	c.end()
}

// array is the column as an Arrow array of type t.
func (c *textColumn) array(t vector.Type) arrow.Array {
	bufs := []*memory.Buffer{nil, memory.NewBufferBytes(arrow.GetBytes(c.offs)), memory.NewBufferBytes(c.data)}
	return array.MakeFromData(array.NewData(t.ArrowType(), len(c.offs)-1, bufs, nil, 0, 0))
}

// intArray is vals as an Arrow array of type t (bigint or timestamp).
func intArray(t vector.Type, vals []int64) arrow.Array {
	bufs := []*memory.Buffer{nil, memory.NewBufferBytes(arrow.GetBytes(vals))}
	return array.MakeFromData(array.NewData(t.ArrowType(), len(vals), bufs, nil, 0, 0))
}
