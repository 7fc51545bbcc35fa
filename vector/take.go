package vector

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Gathering rows: the one copy of rows chosen by index that operators,
// storage and the writes of the engine share.

// Take returns a new column of len(idx) rows: row k is row idx[k] of arr, or
// NULL when idx[k] < 0 (the missing side of an outer join). Values are copied
// buffer to buffer, with no per-row allocation.
func Take(arr arrow.Array, idx []int32) arrow.Array {
	n := len(idx)
	data := arr.Data()
	dt := arr.DataType()
	var vals *memory.Buffer
	var missing bool // some idx[k] < 0
	switch dt.ID() {
	case arrow.BOOL:
		src, off := data.Buffers()[1].Bytes(), data.Offset()
		out := make([]byte, bitutil.BytesForBits(int64(n)))
		for k, i := range idx {
			if i < 0 {
				missing = true
			} else if bitutil.BitIsSet(src, off+int(i)) {
				bitutil.SetBit(out, k)
			}
		}
		vals = memory.NewBufferBytes(out)
	case arrow.STRING, arrow.BINARY:
		return takeStrings(arr, idx)
	case arrow.INT16:
		vals, missing = takeFixed[int16](data, idx)
	case arrow.INT32, arrow.DATE32, arrow.FLOAT32:
		vals, missing = takeFixed[int32](data, idx)
	case arrow.INT64, arrow.TIME64, arrow.TIMESTAMP, arrow.FLOAT64:
		vals, missing = takeFixed[int64](data, idx)
	case arrow.INTERVAL_MONTH_DAY_NANO:
		vals, missing = takeFixed[arrow.MonthDayNanoInterval](data, idx)
	default:
		panic("vector: Take of unsupported type " + dt.String())
	}
	valid, nulls := takeValidity(arr, idx, missing)
	return array.MakeFromData(array.NewData(dt, n, []*memory.Buffer{valid, vals}, nil, nulls, 0))
}

// takeFixed gathers fixed-width values; rows with a negative index get zero
// and make missing true.
func takeFixed[T arrow.FixedWidthType](data arrow.ArrayData, idx []int32) (vals *memory.Buffer, missing bool) {
	src := arrow.GetValues[T](data, 1)
	out := make([]T, len(idx))
	for k, i := range idx {
		if i >= 0 {
			out[k] = src[i]
		} else {
			missing = true
		}
	}
	return memory.NewBufferBytes(arrow.GetBytes(out)), missing
}

// takeValidity is the validity bitmap of Take's result (nil when no row is
// NULL) and its NULL count; missing says whether some idx[k] is negative.
func takeValidity(arr arrow.Array, idx []int32, missing bool) (*memory.Buffer, int) {
	srcNulls := arr.NullN() > 0
	if !srcNulls && !missing {
		return nil, 0
	}
	nulls := 0
	var out []byte
	for k, i := range idx {
		if i >= 0 && (!srcNulls || arr.IsValid(int(i))) {
			continue
		}
		if out == nil {
			out = make([]byte, bitutil.BytesForBits(int64(len(idx))))
			bitutil.SetBitsTo(out, 0, int64(len(idx)), true)
		}
		bitutil.ClearBit(out, k)
		nulls++
	}
	if out == nil {
		return nil, 0
	}
	return memory.NewBufferBytes(out), nulls
}

// takeStrings gathers a String or Binary column.
func takeStrings(arr arrow.Array, idx []int32) arrow.Array {
	offs, src := RawBytes(arr)
	size, missing := 0, false
	for _, i := range idx {
		if i >= 0 {
			size += int(offs[i+1] - offs[i])
		} else {
			missing = true
		}
	}
	outOffs := make([]int32, len(idx)+1)
	out := make([]byte, 0, size)
	for k, i := range idx {
		if i >= 0 {
			out = append(out, src[offs[i]:offs[i+1]]...)
		}
		outOffs[k+1] = int32(len(out))
	}
	valid, nulls := takeValidity(arr, idx, missing)
	bufs := []*memory.Buffer{valid, memory.NewBufferBytes(arrow.GetBytes(outOffs)), memory.NewBufferBytes(out)}
	return array.MakeFromData(array.NewData(arr.DataType(), len(idx), bufs, nil, nulls, 0))
}

// TakeColumns applies Take to every column.
func TakeColumns(cols []arrow.Array, idx []int32) []arrow.Array {
	out := make([]arrow.Array, len(cols))
	for c, col := range cols {
		out[c] = Take(col, idx)
	}
	return out
}

// TakeRows returns the rows idx of b, weights included: b itself when idx
// is every row in order.
func TakeRows(b *Batch, idx []int32) *Batch {
	if len(idx) == b.Len {
		return b
	}
	out := NewBatch(TakeColumns(b.Cols, idx), len(idx))
	if b.Weights != nil {
		out.Weights = make([]int64, len(idx))
		for k, i := range idx {
			out.Weights[k] = b.Weights[i]
		}
	}
	return out
}
