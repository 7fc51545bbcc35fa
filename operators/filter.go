package operators

import (
	"context"
	byteorder "encoding/binary"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runneldb/runnel/vector"
)

// filter keeps the rows for which a boolean predicate is true.
type filter struct {
	in   Operator
	pred vector.Expr
	ectx *vector.EvalContext
}

// NewFilter keeps the rows of in where pred (a boolean expression over in's
// columns) is true; rows where it is false or NULL are dropped.
func NewFilter(in Operator, pred vector.Expr, ectx *vector.EvalContext) Operator {
	return &filter{in: in, pred: pred, ectx: ectx}
}

func (f *filter) Types() []vector.Type { return f.in.Types() }

func (f *filter) Run(ctx context.Context, out chan<- Message) error {
	var idx []int32
	return forEachBatch(ctx, f.in, func(b *vector.Batch) error {
		var err error
		idx, err = selectTrue(f.ectx, f.pred, b, idx[:0])
		if err != nil {
			return err
		}
		return sendRows(ctx, out, b, idx)
	})
}

// selectTrue evaluates pred over b and appends to idx the rows where it is
// true (not false, not NULL). It reads the predicate's value and validity
// bitmaps 64 rows at a time and skips words with no row selected.
func selectTrue(ectx *vector.EvalContext, pred vector.Expr, b *vector.Batch, idx []int32) ([]int32, error) {
	arr, err := pred.Eval(ectx, b)
	if err != nil {
		return idx, err
	}
	data := arr.(*array.Boolean).Data()
	off := data.Offset()
	vals, valid := bufferBytes(data.Buffers()[1]), bufferBytes(data.Buffers()[0])
	if arr.NullN() == 0 {
		valid = nil
	}
	for base := 0; base < b.Len; base += 64 {
		w := bitmapWord(vals, off+base)
		if len(valid) > 0 { // as Arrow's IsValid: no bitmap, no NULLs
			w &= bitmapWord(valid, off+base)
		}
		if rest := b.Len - base; rest < 64 {
			w &= 1<<rest - 1
		}
		if w == ^uint64(0) {
			for k := range 64 {
				idx = append(idx, int32(base+k))
			}
			continue
		}
		for ; w != 0; w &= w - 1 {
			idx = append(idx, int32(base+bits.TrailingZeros64(w)))
		}
	}
	return idx, nil
}

// bufferBytes is the contents of buf, nil for a missing buffer.
func bufferBytes(buf *memory.Buffer) []byte {
	if buf == nil {
		return nil
	}
	return buf.Bytes()
}

// bitmapWord returns the 64 bits of the Arrow (LSB-first) bitmap bm that
// start at bit pos; bits past the end of bm read as 0.
func bitmapWord(bm []byte, pos int) uint64 {
	i, shift := pos>>3, uint(pos&7)
	var lo, hi uint64
	if i+9 <= len(bm) {
		lo, hi = byteorder.LittleEndian.Uint64(bm[i:]), uint64(bm[i+8])
	} else {
		for k := 0; k < 8 && i+k < len(bm); k++ {
			lo |= uint64(bm[i+k]) << (8 * k)
		}
		if i+8 < len(bm) {
			hi = uint64(bm[i+8])
		}
	}
	return lo>>shift | hi<<(64-shift)
}
