package storage

import (
	"context"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// ScanBatchRows is the most rows a scan passes in one batch.
const ScanBatchRows = 8 << 10

// ScanFunc receives the rows of a scan. b must not be modified; rowIDs (nil
// unless asked for) has one RowID per row of b, for Delete.
type ScanFunc func(b *vector.Batch, rowIDs []RowID) error

// Scan calls fn with the rows of table id that the transaction sees: the
// committed rows of its snapshot minus those it deleted, then the rows it
// inserted. Batches of fully visible committed rows are zero-copy slices of
// the stored arrays.
func (x *Txn) Scan(ctx context.Context, id uint64, withRowIDs bool, fn ScanFunc) error {
	return x.ScanPart(ctx, id, 0, 1, withRowIDs, fn)
}

// ScanPart is part part (0 ≤ part < nparts) of Scan. Committed rows are
// cut into units of ScanBatchRows consecutive RowIDs, and unit k belongs to
// part k mod nparts; the transaction's own inserts are cut likewise by
// their local numbers. The parts are disjoint and together are the whole
// scan, so nparts goroutines may scan one table in parallel, one part each
// (calls of ScanPart may run concurrently; no other method of x may).
func (x *Txn) ScanPart(ctx context.Context, id uint64, part, nparts int, withRowIDs bool, fn ScanFunc) error {
	if x.done {
		return errFinished
	}
	tt := x.tables[id]
	if tt == nil {
		t, err := x.s.table(id)
		if err != nil {
			return err
		}
		tt = &txnTable{t: t}
	}
	var dels []RowID // this txn's deletions, sorted
	if len(tt.dels) > 0 {
		dels = slices.Clone(tt.dels)
		slices.Sort(dels)
	}
	var idx []int32
	for _, c := range tt.t.snapshotChunks() {
		if c.minIns > x.snap {
			continue
		}
		for lo := 0; lo < c.n; {
			r := c.start + RowID(lo)
			unit := int(r / ScanBatchRows)
			hi := min(c.n, int((RowID(unit+1))*ScanBatchRows-c.start))
			if unit%nparts != part {
				lo = hi
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			first, _ := slices.BinarySearch(dels, r)
			ownDels := first < len(dels) && dels[first] < c.start+RowID(hi)
			var err error
			if c.allVisible(x.snap) && !ownDels {
				err = emitSlice(c.cols, lo, hi, c.n, c.start, withRowIDs, fn)
			} else {
				idx = idx[:0]
				for i := lo; i < hi; i++ {
					if c.visible(i, x.snap) && !isDeleted(dels, &first, c.start+RowID(i)) {
						idx = append(idx, int32(i))
					}
				}
				err = emitTaken(c.cols, idx, c.start, withRowIDs, fn)
			}
			if err != nil {
				return err
			}
			lo = hi
		}
	}
	for bi, b := range tt.ins {
		for lo := 0; lo < b.Len; {
			k := tt.insOff[bi] + lo // local row number
			unit := k / ScanBatchRows
			hi := min(b.Len, (unit+1)*ScanBatchRows-tt.insOff[bi])
			if unit%nparts != part {
				lo = hi
				continue
			}
			base := localRow | RowID(tt.insOff[bi])
			dead := tt.insDead[k : tt.insOff[bi]+hi]
			var err error
			if !slices.Contains(dead, true) {
				err = emitSlice(b.Cols, lo, hi, b.Len, base, withRowIDs, fn)
			} else {
				idx = idx[:0]
				for i, d := range dead {
					if !d {
						idx = append(idx, int32(lo+i))
					}
				}
				err = emitTaken(b.Cols, idx, base, withRowIDs, fn)
			}
			if err != nil {
				return err
			}
			lo = hi
		}
	}
	return nil
}

// isDeleted reports whether r is in dels, advancing *pos past smaller ids;
// rows are asked for in increasing order.
func isDeleted(dels []RowID, pos *int, r RowID) bool {
	for *pos < len(dels) && dels[*pos] < r {
		*pos++
	}
	return *pos < len(dels) && dels[*pos] == r
}

// emitSlice passes rows [lo, hi) of cols (n rows, the first with RowID base)
// to fn without copying.
func emitSlice(cols []arrow.Array, lo, hi, n int, base RowID, withRowIDs bool, fn ScanFunc) error {
	out := cols
	if lo != 0 || hi != n {
		out = make([]arrow.Array, len(cols))
		for c, a := range cols {
			out[c] = array.NewSlice(a, int64(lo), int64(hi))
		}
	}
	var ids []RowID
	if withRowIDs {
		ids = make([]RowID, hi-lo)
		for i := range ids {
			ids[i] = base + RowID(lo+i)
		}
	}
	return fn(vector.NewBatch(out, hi-lo), ids)
}

// emitTaken passes rows idx of cols (whose first row has RowID base) to fn.
func emitTaken(cols []arrow.Array, idx []int32, base RowID, withRowIDs bool, fn ScanFunc) error {
	if len(idx) == 0 {
		return nil
	}
	var ids []RowID
	if withRowIDs {
		ids = make([]RowID, len(idx))
		for j, i := range idx {
			ids[j] = base + RowID(i)
		}
	}
	return fn(vector.NewBatch(vector.TakeColumns(cols, idx), len(idx)), ids)
}
