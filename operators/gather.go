package operators

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runneldb/runnel/vector"
)

// BatchSize is the most rows a batch emitted by these operators holds.
const BatchSize = 4096

// sendRows sends the rows idx (ascending, no repeats) of b: nothing when idx
// is empty, b itself, uncopied, when idx holds every row, otherwise a new
// batch of those rows.
func sendRows(ctx context.Context, out chan<- Message, b *vector.Batch, idx []int32) error {
	switch len(idx) {
	case 0:
		return nil
	case b.Len:
		return Send(ctx, out, Message{Batch: b})
	}
	return Send(ctx, out, Message{Batch: vector.NewBatch(vector.TakeColumns(b.Cols, idx), len(idx))})
}

// nullColumn is a column of n NULLs of type t.
func nullColumn(t vector.Type, n int) arrow.Array {
	return array.MakeArrayOfNull(vector.Mem, t.ArrowType(), n)
}

// rowCount is the number of rows in batches.
func rowCount(batches []*vector.Batch) int {
	n := 0
	for _, b := range batches {
		n += b.Len
	}
	return n
}

// concatColumns concatenates the batches' columns into one array per column
// (a single batch's columns are returned as they are). With no batches it
// returns empty columns of the given types.
func concatColumns(types []vector.Type, batches []*vector.Batch) ([]arrow.Array, error) {
	cols := make([]arrow.Array, len(types))
	for c, t := range types {
		switch len(batches) {
		case 0:
			cols[c] = nullColumn(t, 0)
			continue
		case 1:
			cols[c] = batches[0].Cols[c]
			continue
		}
		parts := make([]arrow.Array, 0, len(batches))
		for _, b := range batches {
			parts = append(parts, b.Cols[c])
		}
		col, err := array.Concatenate(parts, vector.Mem)
		if err != nil {
			return nil, err
		}
		cols[c] = col
	}
	return cols, nil
}

// sendSliced sends the n rows of cols as batches of at most BatchSize rows,
// slicing the columns without copying.
func sendSliced(ctx context.Context, out chan<- Message, cols []arrow.Array, n int) error {
	b := vector.NewBatch(cols, n)
	for from := 0; from < n; from += BatchSize {
		part := sliceBatch(b, int64(from), int64(min(from+BatchSize, n)))
		if err := Send(ctx, out, Message{Batch: part}); err != nil {
			return err
		}
	}
	return nil
}

// validityBuffer is the Arrow validity bitmap of valid (nil when every
// entry is true) and its NULL count.
func validityBuffer(valid []bool) (*memory.Buffer, int) {
	nulls := 0
	for _, v := range valid {
		if !v {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	bits := make([]byte, bitutil.BytesForBits(int64(len(valid))))
	for i, v := range valid {
		if v {
			bitutil.SetBit(bits, i)
		}
	}
	return memory.NewBufferBytes(bits), nulls
}

// fixedColumn builds a column of type t from a copy of vals, row i NULL
// where valid[i] is false (valid nil: no NULLs).
func fixedColumn[T arrow.FixedWidthType](t vector.Type, vals []T, valid []bool) arrow.Array {
	vb, nulls := validityBuffer(valid)
	out := make([]T, len(vals))
	copy(out, vals)
	bufs := []*memory.Buffer{vb, memory.NewBufferBytes(arrow.GetBytes(out))}
	return array.MakeFromData(array.NewData(t.ArrowType(), len(vals), bufs, nil, nulls, 0))
}

// bytesColumn builds a String or Binary column of type t from rows, row i
// NULL where valid[i] is false.
func bytesColumn(t vector.Type, rows [][]byte, valid []bool) arrow.Array {
	vb, nulls := validityBuffer(valid)
	offs := make([]int32, len(rows)+1)
	size := 0
	for _, r := range rows {
		size += len(r)
	}
	data := make([]byte, 0, size)
	for i, r := range rows {
		data = append(data, r...)
		offs[i+1] = int32(len(data))
	}
	bufs := []*memory.Buffer{vb, memory.NewBufferBytes(arrow.GetBytes(offs)), memory.NewBufferBytes(data)}
	return array.MakeFromData(array.NewData(t.ArrowType(), len(rows), bufs, nil, nulls, 0))
}
