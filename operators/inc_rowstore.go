package operators

import (
	"encoding/binary"
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// rowStore is a multiset of rows grouped by key, the state of continuous
// operators that keep their input. Each distinct row is an entry with its
// net multiplicity; rows equal as DISTINCT sees them (vector.EqualAt) are
// one entry, which shows the first of them added.
//
// Rows are added a batch at a time and are not copied one by one: a chunk
// is the columns of an added batch, cut down to the rows that became
// entries, and an entry refers to its row by chunk and index. A removed
// entry's row stays in its chunk until the chunk has no entry left or,
// once dead rows outnumber live ones, compact copies the live rows into
// one chunk. Entries are found by the hash of their key columns (byKey: the
// head of a doubly-linked chain of the entries whose keys hash alike) and
// by the hash of their whole row (byRow: the head of a chain of the entries
// whose rows hash alike). An entry id is stable until the entry is removed,
// and is reused after.
//
// The store forgets an entry only when its owner removes it (typically
// once its multiplicity is back to zero), so it grows with the rows that
// are live, without bound.
type rowStore struct {
	types    []vector.Type
	keys     []int // the key columns
	keyTypes []vector.Type
	rest     []int // the other columns

	ents  []rowEntry
	free  []int32          // ids of removed entries
	byKey map[uint64]int32 // key hash → first entry of its chain
	byRow map[uint64]int32 // row hash → first entry of its chain

	chunks     []rowChunk
	freeChunks []int32 // slots of dropped chunks
	stored     int     // rows in chunks, of live entries or not
	live       int     // entries

	// The batch being added, between begin and end.
	cur     int32    // its chunk slot
	curLen  int      // its rows
	keyHash []uint64 // its key hashes
	rowHash []uint64 // its row hashes
	added   []int32  // the entries its rows created, in row order

	restored *changeBuilder // rows restore collected, for settle
	rows     []int32        // scratch
	builders []*vector.Builder
}

// rowEntry is one distinct row of a rowStore. A removed entry has chunk -1.
type rowEntry struct {
	keyHash, rowHash uint64
	mult             int64
	chunk, row       int32
	prevKey, nextKey int32 // the key chain; -1 ends it
	nextRow          int32 // the next entry whose row hashes alike, or -1
}

// rowChunk is rows of a rowStore, of which live are entries'.
type rowChunk struct {
	cols       []arrow.Array
	rows, live int
}

var errCorruptRow = errors.New("operators: corrupt row state")

// newRowStore returns an empty store of rows of the given types, grouped by
// the key columns keys.
func newRowStore(types []vector.Type, keys []int) *rowStore {
	s := &rowStore{types: types, keys: keys, byKey: map[uint64]int32{}, byRow: map[uint64]int32{},
		restored: newChangeBuilder(types)}
	inKey := make([]bool, len(types))
	for _, k := range keys {
		s.keyTypes = append(s.keyTypes, types[k])
		inKey[k] = true
	}
	for c := range types {
		if !inKey[c] {
			s.rest = append(s.rest, c)
		}
	}
	for _, t := range types {
		s.builders = append(s.builders, vector.NewBuilder(t, 0))
	}
	return s
}

// begin binds a batch of n rows, its columns and the hashes of its key
// columns (vector.HashColumns), for entry; end unbinds it. The store keeps
// keyHash until end.
func (s *rowStore) begin(cols []arrow.Array, n int, keyHash []uint64) {
	s.cur, s.curLen, s.keyHash = s.addChunk(rowChunk{cols: cols, rows: n}), n, keyHash
	s.rowHash = grow(s.rowHash, n)
	copy(s.rowHash, keyHash[:n])
	for _, c := range s.rest {
		vector.HashColumn(cols[c], s.types[c], s.rowHash)
	}
	s.added = s.added[:0]
}

// entry returns the entry of row i of the bound batch, adding one of
// multiplicity 0 (created) when there is none.
func (s *rowStore) entry(i int) (e int32, created bool) {
	h := s.rowHash[i]
	head, ok := s.byRow[h]
	if ok {
		for e := head; e >= 0; e = s.ents[e].nextRow {
			if s.rowEqual(e, i) {
				return e, false
			}
		}
	} else {
		head = -1
	}
	e = s.alloc()
	kh := s.keyHash[i]
	next, ok := s.byKey[kh]
	if ok {
		s.ents[next].prevKey = e
	} else {
		next = -1
	}
	s.ents[e] = rowEntry{keyHash: kh, rowHash: h, chunk: s.cur, row: int32(i), prevKey: -1, nextKey: next, nextRow: head}
	s.byKey[kh], s.byRow[h] = e, e
	s.added = append(s.added, e)
	s.live++
	return e, true
}

// end keeps the rows of the bound batch that became entries as a chunk.
func (s *rowStore) end() {
	s.keyHash = nil
	c := &s.chunks[s.cur]
	n := len(s.added)
	switch {
	case n == 0:
		c.cols = nil
		s.freeChunks = append(s.freeChunks, s.cur)
		return
	case n < s.curLen:
		rows := s.rows[:0]
		for _, e := range s.added {
			rows = append(rows, s.ents[e].row)
		}
		c.cols = vector.TakeColumns(c.cols, rows)
		for k, e := range s.added {
			s.ents[e].row = int32(k)
		}
		s.rows = rows
	}
	c.rows, c.live = n, n
	s.stored += n
}

// alloc returns an unused entry id.
func (s *rowStore) alloc() int32 { return putSlot(&s.ents, &s.free, rowEntry{}) }

// addChunk puts c in a free slot and returns the slot.
func (s *rowStore) addChunk(c rowChunk) int32 { return putSlot(&s.chunks, &s.freeChunks, c) }

// putSlot stores v in a slot of slots listed in free (taking it off the
// list), or in a new slot at the end, and returns the slot.
func putSlot[T any](slots *[]T, free *[]int32, v T) int32 {
	if n := len(*free); n > 0 {
		slot := (*free)[n-1]
		*free = (*free)[:n-1]
		(*slots)[slot] = v
		return slot
	}
	*slots = append(*slots, v)
	return int32(len(*slots) - 1)
}

// rowEqual reports whether entry e's row equals row i of the bound batch.
func (s *rowStore) rowEqual(e int32, i int) bool {
	ent := &s.ents[e]
	stored, cur := s.chunks[ent.chunk].cols, s.chunks[s.cur].cols
	for c, t := range s.types {
		if !vector.EqualAt(stored[c], int(ent.row), cur[c], i, t) {
			return false
		}
	}
	return true
}

// first is the first entry whose key hashes to h, or -1; next is the entry
// after e with a key of the same hash, or -1. Keys hashing alike may
// differ: see keyEqual.
func (s *rowStore) first(h uint64) int32 {
	if e, ok := s.byKey[h]; ok {
		return e
	}
	return -1
}

func (s *rowStore) next(e int32) int32 { return s.ents[e].nextKey }

// keyEqual reports whether entry e's key equals row i of keys, columns of
// the key types (NULL equals NULL).
func (s *rowStore) keyEqual(e int32, keys []arrow.Array, i int) bool {
	ent := &s.ents[e]
	cols := s.chunks[ent.chunk].cols
	for c, k := range s.keys {
		if !vector.EqualAt(cols[k], int(ent.row), keys[c], i, s.keyTypes[c]) {
			return false
		}
	}
	return true
}

// has reports whether entry e is in the store (not removed).
func (s *rowStore) has(e int32) bool { return int(e) < len(s.ents) && s.ents[e].chunk >= 0 }

// mult is entry e's multiplicity; add adds w to it.
func (s *rowStore) mult(e int32) int64   { return s.ents[e].mult }
func (s *rowStore) add(e int32, w int64) { s.ents[e].mult += w }

// remove forgets entry e.
func (s *rowStore) remove(e int32) {
	ent := &s.ents[e]
	switch {
	case ent.prevKey >= 0:
		s.ents[ent.prevKey].nextKey = ent.nextKey
	case ent.nextKey >= 0:
		s.byKey[ent.keyHash] = ent.nextKey
	default:
		delete(s.byKey, ent.keyHash)
	}
	if ent.nextKey >= 0 {
		s.ents[ent.nextKey].prevKey = ent.prevKey
	}
	if head := s.byRow[ent.rowHash]; head != e {
		p := head
		for s.ents[p].nextRow != e {
			p = s.ents[p].nextRow
		}
		s.ents[p].nextRow = ent.nextRow
	} else if ent.nextRow >= 0 {
		s.byRow[ent.rowHash] = ent.nextRow
	} else {
		delete(s.byRow, ent.rowHash)
	}
	c := &s.chunks[ent.chunk]
	if c.live--; c.live == 0 {
		s.stored -= c.rows
		c.cols = nil
		s.freeChunks = append(s.freeChunks, ent.chunk)
	}
	s.live--
	ent.chunk = -1
	s.free = append(s.free, e)
}

// gather returns the rows of entries ids (at least one) as columns.
func (s *rowStore) gather(ids []int32) []arrow.Array {
	c := s.ents[ids[0]].chunk
	rows := s.rows[:0]
	for _, e := range ids {
		ent := &s.ents[e]
		if ent.chunk != c {
			return s.build(ids)
		}
		rows = append(rows, ent.row)
	}
	s.rows = rows
	return vector.TakeColumns(s.chunks[c].cols, rows)
}

// build is gather for entries in several chunks: value by value.
func (s *rowStore) build(ids []int32) []arrow.Array {
	cols := make([]arrow.Array, len(s.types))
	for c, b := range s.builders {
		for _, e := range ids {
			ent := &s.ents[e]
			b.AppendFrom(s.chunks[ent.chunk].cols[c], int(ent.row))
		}
		cols[c] = b.Finish()
	}
	return cols
}

// compact copies the live rows into one chunk once the rows of removed
// entries outnumber them (by a batch), so that the chunks take memory in
// proportion to the entries.
func (s *rowStore) compact() {
	if s.stored-s.live <= s.live+BatchSize {
		return
	}
	ids := make([]int32, 0, s.live)
	for e := range s.ents {
		if s.ents[e].chunk >= 0 {
			ids = append(ids, int32(e))
		}
	}
	var chunks []rowChunk
	if len(ids) > 0 {
		chunks = []rowChunk{{cols: s.gather(ids), rows: len(ids), live: len(ids)}}
	}
	s.chunks, s.freeChunks, s.stored = chunks, nil, len(ids)
	for k, e := range ids {
		s.ents[e].chunk, s.ents[e].row = 0, int32(k)
	}
}

// appendStateKey appends entry e's state key: the hash of its key (big
// endian, as it routes), tag, its key columns and its row, both encoded by
// vector.AppendRow.
func (s *rowStore) appendStateKey(dst []byte, e int32, tag byte) []byte {
	ent := &s.ents[e]
	cols := s.chunks[ent.chunk].cols
	dst = binary.BigEndian.AppendUint64(dst, ent.keyHash)
	dst = append(dst, tag)
	dst = vector.AppendRow(dst, pick(cols, s.keys), s.keyTypes, int(ent.row))
	return vector.AppendRow(dst, cols, s.types, int(ent.row))
}

// restore collects the row of a state key written by appendStateKey, with
// multiplicity mult, for settle.
func (s *rowStore) restore(key []byte, mult int64) error {
	if len(key) < 9 || mult == 0 {
		return errCorruptRow
	}
	row := make([]vector.Datum, max(len(s.types), len(s.keys)))
	rest, err := vector.DecodeRow(key[9:], s.keyTypes, row)
	if err == nil {
		rest, err = vector.DecodeRow(rest, s.types, row)
	}
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errCorruptRow
	}
	s.restored.addDatums(row, mult)
	return nil
}

// settle adds the rows restore collected as entries and returns their ids,
// in the order restored.
func (s *rowStore) settle() []int32 {
	var b *vector.Batch
	_ = s.restored.flush(func(r *vector.Batch) error { b = r; return nil })
	if b == nil {
		return nil
	}
	keyHash := make([]uint64, b.Len)
	vector.HashColumns(pick(b.Cols, s.keys), s.keyTypes, b.Len, keyHash)
	s.begin(b.Cols, b.Len, keyHash)
	ids := make([]int32, b.Len)
	for i := range ids {
		ids[i], _ = s.entry(i)
		s.add(ids[i], b.Weight(i))
	}
	s.end()
	return ids
}
