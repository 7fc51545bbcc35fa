package storage

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// RowID identifies a row of a table. Committed rows are numbered 0, 1, 2, …
// in commit order; the numbering is stable across restarts because replay
// appends the same rows in the same order. Rows inserted by a transaction
// that has not committed carry the localRow bit and number the
// transaction's own inserts.
type RowID uint64

const (
	localRow RowID = 1 << 63
	// NoRow is what LookupPK returns for a key that no visible row has.
	NoRow RowID = ^RowID(0)
)

// chunk is a run of committed rows with consecutive RowIDs, stored as Arrow
// arrays. Its rows and insert sequence numbers never change once it is
// published in a table's chunk list; only deletions are added later, each
// written once (0 → the deleting commit's seq) by the committer, and read
// atomically by scans.
type chunk struct {
	start  RowID
	n      int
	cols   []arrow.Array
	minIns uint64   // the smallest insert seq of a row
	maxIns uint64   // the largest insert seq of a row
	ins    []uint64 // per-row insert seq; nil when every row has maxIns

	dels     atomic.Pointer[[]uint64] // per-row delete seq (0: live); nil until a row is deleted
	firstDel atomic.Uint64            // the smallest delete seq, 0 when no row is deleted
}

// insSeq is the commit seq that inserted row i.
func (c *chunk) insSeq(i int) uint64 {
	if c.ins == nil {
		return c.maxIns
	}
	return c.ins[i]
}

// delSeq is the commit seq that deleted row i, or 0.
func (c *chunk) delSeq(i int) uint64 {
	d := c.dels.Load()
	if d == nil {
		return 0
	}
	return atomic.LoadUint64(&(*d)[i])
}

// visible reports whether row i is visible at snapshot snap.
func (c *chunk) visible(i int, snap uint64) bool {
	if c.insSeq(i) > snap {
		return false
	}
	d := c.delSeq(i)
	return d == 0 || d > snap
}

// allVisible reports whether every row is visible at snap.
func (c *chunk) allVisible(snap uint64) bool {
	fd := c.firstDel.Load()
	return c.maxIns <= snap && (fd == 0 || fd > snap)
}

// markDeleted records that row i was deleted by commit seq. Only the
// committer calls it.
func (c *chunk) markDeleted(i int, seq uint64) {
	d := c.dels.Load()
	if d == nil {
		s := make([]uint64, c.n)
		d = &s
		c.dels.Store(d)
	}
	atomic.StoreUint64(&(*d)[i], seq)
	if c.firstDel.Load() == 0 {
		c.firstDel.Store(seq)
	}
}
