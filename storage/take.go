package storage

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// takeColumn returns a new column holding the rows idx of a, in the order of
// idx. It copies values buffer to buffer, with no per-row allocation.
func takeColumn(a arrow.Array, idx []int32) arrow.Array {
	n := len(idx)
	var validity []byte
	nulls := 0
	if src, off := validityOf(a); src != nil {
		validity = make([]byte, bitutil.BytesForBits(int64(n)))
		for j, i := range idx {
			if bitutil.BitIsSet(src, off+int(i)) {
				bitutil.SetBit(validity, j)
			} else {
				nulls++
			}
		}
		if nulls == 0 {
			validity = nil
		}
	}
	dt := a.DataType()
	switch lay, width := layoutOf(dt); lay {
	case layoutBits:
		src := a.Data().Buffers()[1].Bytes()
		off := a.Data().Offset()
		vals := make([]byte, bitutil.BytesForBits(int64(n)))
		for j, i := range idx {
			if bitutil.BitIsSet(src, off+int(i)) {
				bitutil.SetBit(vals, j)
			}
		}
		return newColumn(dt, n, nulls, validity, vals, nil)
	case layoutFixed:
		src := fixedBytes(a, width)
		vals := make([]byte, n*width)
		switch width {
		case 8:
			s, d := arrow.Int64Traits.CastFromBytes(src), arrow.Int64Traits.CastFromBytes(vals)
			for j, i := range idx {
				d[j] = s[i]
			}
		case 4:
			s, d := arrow.Int32Traits.CastFromBytes(src), arrow.Int32Traits.CastFromBytes(vals)
			for j, i := range idx {
				d[j] = s[i]
			}
		default:
			for j, i := range idx {
				copy(vals[j*width:(j+1)*width], src[int(i)*width:])
			}
		}
		return newColumn(dt, n, nulls, validity, vals, nil)
	default:
		offs, data := varParts(a)
		size := 0
		for _, i := range idx {
			size += int(offs[i+1] - offs[i])
		}
		outOffs := make([]int32, n+1)
		outData := make([]byte, 0, size)
		for j, i := range idx {
			outData = append(outData, data[offs[i]:offs[i+1]]...)
			outOffs[j+1] = int32(len(outData))
		}
		return newColumn(dt, n, nulls, validity, arrow.Int32Traits.CastToBytes(outOffs), outData)
	}
}

// takeColumns applies takeColumn to every column.
func takeColumns(cols []arrow.Array, idx []int32) []arrow.Array {
	out := make([]arrow.Array, len(cols))
	for c, a := range cols {
		out[c] = takeColumn(a, idx)
	}
	return out
}
