package storage

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

const (
	// maxPartRows bounds the rows of a chunk and of a log part.
	maxPartRows = 64 << 10
	// mergeRows: chunks are merged up to this size, so that many small
	// commits do not leave many tiny chunks behind (see appendChunk).
	mergeRows = 8 << 10
)

// DuplicateKeyFunc builds the error for a primary key violation: row of b
// (which has all the table's columns) has a key that a visible row already
// has. It returns a *vector.Error with SQLSTATE 23505.
type DuplicateKeyFunc func(b *vector.Batch, row int) error

// Table is the in-memory state of one table: its committed rows in chunks
// and its primary key index.
//
// Invariants: chunks are ordered by RowID, and RowIDs are consecutive from 0
// to nextRow-1 (a row stays in place when deleted); the index maps the hash
// of the key of every live committed row (inserted, not deleted, by the
// commits applied so far, including commits not yet published) to its
// RowID. Only the committer (and replay, before the store opens) changes a
// Table, holding mu; readers hold mu.RLock while they read chunks or idx.
type Table struct {
	id    uint64
	types []vector.Type
	dts   []arrow.DataType
	pk    []int
	key   keyEncoder
	dup   atomic.Pointer[DuplicateKeyFunc]

	mu      sync.RWMutex
	chunks  []*chunk // appended in place; replaced by a copy when an element changes
	nextRow RowID
	lastSeq uint64     // the last applied commit that changed the table
	idx     *hashIndex // nil when the table has no primary key
}

func newTable(id uint64, types []vector.Type, pk []int) *Table {
	t := &Table{id: id, types: types, pk: pk, key: newKeyEncoder(types, pk)}
	for _, ty := range types {
		t.dts = append(t.dts, ty.ArrowType())
	}
	if len(pk) > 0 {
		t.idx = newHashIndex()
	}
	return t
}

// ID is the table's storage id.
func (t *Table) ID() uint64 { return t.id }

// Types are the column types.
func (t *Table) Types() []vector.Type { return t.types }

// PrimaryKey are the indexes of the primary key columns (nil: no key).
func (t *Table) PrimaryKey() []int { return t.pk }

// SetDuplicateKeyError sets how primary key violations are reported.
func (t *Table) SetDuplicateKeyError(f DuplicateKeyFunc) { t.dup.Store(&f) }

func (t *Table) duplicate(cols []arrow.Array, n, row int) error {
	if f := t.dup.Load(); f != nil {
		return (*f)(vector.NewBatch(cols, n), row)
	}
	return &vector.Error{Code: vector.CodeUniqueViolation,
		Message: fmt.Sprintf("duplicate key value violates unique constraint \"%d_pkey\"", t.id)}
}

// snapshotChunks returns the current chunk list; the caller must not modify it.
func (t *Table) snapshotChunks() []*chunk {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.chunks
}

// locate returns the chunk holding committed row r and r's offset in it.
// The caller holds mu (or reads a list obtained from snapshotChunks).
func locate(chunks []*chunk, r RowID) (*chunk, int, bool) {
	i := sort.Search(len(chunks), func(i int) bool { return chunks[i].start+RowID(chunks[i].n) > r })
	if i == len(chunks) || r < chunks[i].start {
		return nil, 0, false
	}
	return chunks[i], int(r - chunks[i].start), true
}

// liveRow finds the live committed row (in the latest applied state) whose
// key is key, ignoring rows in skip. The caller holds mu.
func (t *Table) liveRow(key []byte, h uint64, skip map[RowID]struct{}, buf []byte) (RowID, bool) {
	return t.idx.find(h, func(r RowID) bool {
		if _, ok := skip[r]; ok {
			return false
		}
		c, i, _ := locate(t.chunks, r)
		return string(t.key.appendKey(buf[:0], c.cols, i)) == string(key)
	})
}

// change is one commit's change to a table, as applied in memory: the
// committed rows it deletes and the rows it inserts, in chunks of at most
// maxPartRows rows. hashes, when not nil, are the key hashes of the
// inserted rows in order.
type change struct {
	dels   []RowID
	ins    [][]arrow.Array
	insN   []int
	hashes []uint64
}

// apply applies ch as commit seq. The caller holds mu and has validated ch:
// every deleted row is live.
func (t *Table) apply(seq uint64, ch *change) error {
	var buf []byte
	for _, r := range ch.dels {
		c, i, ok := locate(t.chunks, r)
		if !ok || c.delSeq(i) != 0 {
			return fmt.Errorf("storage: table %d: delete of missing row %d", t.id, r)
		}
		c.markDeleted(i, seq)
		if t.idx != nil {
			buf = t.key.appendKey(buf[:0], c.cols, i)
			t.idx.remove(hashKey(buf), r)
		}
	}
	k := 0
	for p, cols := range ch.ins {
		n := ch.insN[p]
		start := t.nextRow
		t.appendChunk(seq, cols, n)
		if t.idx != nil {
			for i := range n {
				var h uint64
				if ch.hashes != nil {
					h = ch.hashes[k]
				} else {
					buf = t.key.appendKey(buf[:0], cols, i)
					h = hashKey(buf)
				}
				k++
				t.idx.add(h, start+RowID(i))
			}
		}
	}
	if len(ch.dels) > 0 || len(ch.ins) > 0 {
		t.lastSeq = seq
	}
	return nil
}

// appendChunk appends n rows inserted by commit seq. Small trailing chunks
// are merged like a binary counter — the last two merge while the older is
// no larger than the newer and both fit in mergeRows — so that many small
// commits leave O(log mergeRows) small chunks behind, and each row is
// copied O(log mergeRows) times.
func (t *Table) appendChunk(seq uint64, cols []arrow.Array, n int) {
	t.chunks = append(t.chunks, &chunk{start: t.nextRow, n: n, cols: cols, minIns: seq, maxIns: seq})
	t.nextRow += RowID(n)
	for k := len(t.chunks); k >= 2; k-- {
		a, b := t.chunks[k-2], t.chunks[k-1]
		if a.n > b.n || a.n+b.n > mergeRows {
			break
		}
		// Replace the last two by their merge in a new list: scans may
		// be reading the old one.
		t.chunks = append(t.chunks[:k-2:k-2], mergeChunks(a, b))
	}
}

// mergeChunks returns one chunk holding the rows of a followed by those of b.
func mergeChunks(a, b *chunk) *chunk {
	m := &chunk{start: a.start, n: a.n + b.n, minIns: a.minIns, maxIns: b.maxIns}
	m.cols = make([]arrow.Array, len(a.cols))
	for c := range a.cols {
		col, err := array.Concatenate([]arrow.Array{a.cols[c], b.cols[c]}, vector.Mem)
		if err != nil {
			panic(fmt.Sprintf("storage: concatenate: %v", err)) // same types: cannot fail
		}
		m.cols[c] = col
	}
	if a.minIns != b.maxIns {
		m.ins = make([]uint64, m.n)
		for i := range a.n {
			m.ins[i] = a.insSeq(i)
		}
		for i := range b.n {
			m.ins[a.n+i] = b.insSeq(i)
		}
	}
	for _, src := range []*chunk{a, b} {
		if src.dels.Load() == nil {
			continue
		}
		for i := range src.n {
			if d := src.delSeq(i); d != 0 {
				m.markDeleted(i+int(src.start-a.start), d)
			}
		}
	}
	fd := a.firstDel.Load()
	if bd := b.firstDel.Load(); fd == 0 || (bd != 0 && bd < fd) {
		fd = bd
	}
	m.firstDel.Store(fd)
	return m
}
