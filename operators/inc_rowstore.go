package operators

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/bits"
	"slices"

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
// one chunk. Entries are found through two chained hash tables, by the
// hash of their key columns (keyHeads: the chains, doubly linked through
// prevKey and nextKey) and by the hash of their whole row (rowHeads, and
// nextRow); a table has at least as many buckets as there are entries. An
// entry id is stable until the entry is removed, and is reused after.
//
// The store forgets an entry only when its owner removes it (typically
// once its multiplicity is back to zero), so it grows with the rows that
// are live, without bound.
//
// Checkpoints save entries in runs (see checkpoint): a run is entries of
// equal keys saved under one state key, made of the entries that were new
// at one checkpoint, and written again, whole, when one of them changes.
type rowStore struct {
	types     []vector.Type
	keys      []int // the key columns
	keyTypes  []vector.Type
	rest      []int // the other columns
	restTypes []vector.Type
	tag       byte // the owner's byte in state keys

	ents     pages[rowEntry]
	free     []int32 // ids of removed entries
	keyHeads []int32 // bucket hash&mask → first entry of its key chain, or -1
	rowHeads []int32 // bucket hash&mask → first entry of its row chain, or -1
	mask     uint64

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

	// Checkpointed state: see checkpoint.
	runs      []storeRun
	freeRuns  []int32
	nextRun   uint64   // the id of the next run made
	dirtyRuns []int32  // runs changed since the last checkpoint
	fresh     []int32  // entries changed since the last checkpoint, in no run
	gone      [][]byte // state keys to delete at the next checkpoint

	// What restore collected, for settle: rows, and per row its run
	// (-1 for a row saved on its own by an older version) and aux.
	restored     *changeBuilder
	restoredRun  []int32
	restoredAux  []int64
	restoredRow  []vector.Datum
	restoredRest []vector.Datum

	// Scratch.
	rows     []int32
	restCols []arrow.Array
	keyBuf   []byte
	valBuf   []byte
	builders []*vector.Builder
}

// storeRun is a run of a rowStore: entries of equal keys saved under one
// state key, which ends with id. Its entries form a doubly-linked list
// from head; a run is freed as its last entry leaves.
type storeRun struct {
	id    uint64
	head  int32
	n     int32
	dirty bool // listed in dirtyRuns
}

// The run of an entry in no run: not listed (runNone) or listed in fresh.
const (
	runNone  = -1
	runFresh = -2
)

// maxRunRows bounds the entries of a run, and so the rewrite a change to
// one of them costs.
const maxRunRows = 256

// rowEntry is one distinct row of a rowStore. A removed entry has chunk -1.
type rowEntry struct {
	keyHash, rowHash uint64
	mult             int64
	chunk, row       int32
	prevKey, nextKey int32 // the key chain of its bucket; -1 ends it
	nextRow          int32 // the next entry of its row chain, or -1
	// run is the entry's run, or runNone or runFresh; prevRun and nextRun
	// link the entries of its run (-1 ends the list).
	run, prevRun, nextRun int32
}

// rowChunk is rows of a rowStore, of which live are entries'.
type rowChunk struct {
	cols       []arrow.Array
	rows, live int
}

var errCorruptRow = errors.New("operators: corrupt row state")

// newRowStore returns an empty store of rows of the given types, grouped by
// the key columns keys, whose state keys hold tag.
func newRowStore(types []vector.Type, keys []int, tag byte) *rowStore {
	s := &rowStore{types: types, keys: keys, tag: tag, restored: newChangeBuilder(types)}
	s.rehash(minBuckets)
	inKey := make([]bool, len(types))
	for _, k := range keys {
		s.keyTypes = append(s.keyTypes, types[k])
		inKey[k] = true
	}
	for c, t := range types {
		if !inKey[c] {
			s.rest = append(s.rest, c)
			s.restTypes = append(s.restTypes, t)
		}
	}
	s.restCols = make([]arrow.Array, max(len(s.rest), len(keys)))
	s.restoredRow = make([]vector.Datum, len(keys))
	s.restoredRest = make([]vector.Datum, len(s.rest))
	for _, t := range types {
		s.builders = append(s.builders, vector.NewBuilder(t, 0))
	}
	return s
}

// minBuckets is the number of buckets of an empty store's tables.
const minBuckets = 64

// rehash sizes the tables to n buckets (a power of two) and chains every
// entry again.
func (s *rowStore) rehash(n int) {
	s.keyHeads, s.rowHeads = slices.Repeat([]int32{-1}, n), slices.Repeat([]int32{-1}, n)
	s.mask = uint64(n - 1)
	for e := range int32(s.ents.len()) {
		if ent := s.ents.at(e); ent.chunk >= 0 {
			s.link(e, ent)
		}
	}
}

// link puts entry e (ent) at the head of its chains.
func (s *rowStore) link(e int32, ent *rowEntry) {
	kb, rb := &s.keyHeads[ent.keyHash&s.mask], &s.rowHeads[ent.rowHash&s.mask]
	ent.prevKey, ent.nextKey, ent.nextRow = -1, *kb, *rb
	if *kb >= 0 {
		s.ents.at(*kb).prevKey = e
	}
	*kb, *rb = e, e
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
	if need := s.live + n; need > len(s.keyHeads) {
		s.rehash(1 << bits.Len(uint(need-1)))
	}
}

// entry returns the entry of row i of the bound batch, adding one of
// multiplicity 0 (created) when there is none.
func (s *rowStore) entry(i int) (e int32, created bool) {
	h := s.rowHash[i]
	for e := s.rowHeads[h&s.mask]; e >= 0; {
		ent := s.ents.at(e)
		if ent.rowHash == h && s.rowEqual(ent, i) {
			return e, false
		}
		e = ent.nextRow
	}
	e = s.alloc()
	ent := s.ents.at(e)
	*ent = rowEntry{keyHash: s.keyHash[i], rowHash: h, chunk: s.cur, row: int32(i), run: runNone, prevRun: -1, nextRun: -1}
	s.link(e, ent)
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
			rows = append(rows, s.ents.at(e).row)
		}
		c.cols = vector.TakeColumns(c.cols, rows)
		for k, e := range s.added {
			s.ents.at(e).row = int32(k)
		}
		s.rows = rows
	}
	c.rows, c.live = n, n
	s.stored += n
}

// alloc returns an unused entry id.
func (s *rowStore) alloc() int32 {
	if n := len(s.free); n > 0 {
		e := s.free[n-1]
		s.free = s.free[:n-1]
		return e
	}
	e := int32(s.ents.len())
	s.ents.extend(int(e) + 1)
	return e
}

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

// rowEqual reports whether entry ent's row equals row i of the bound batch.
func (s *rowStore) rowEqual(ent *rowEntry, i int) bool {
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
func (s *rowStore) first(h uint64) int32 { return s.sameHash(s.keyHeads[h&s.mask], h) }

func (s *rowStore) next(e int32) int32 {
	ent := s.ents.at(e)
	return s.sameHash(ent.nextKey, ent.keyHash)
}

// sameHash is the first entry of the key chain from e on whose key hashes
// to h, or -1.
func (s *rowStore) sameHash(e int32, h uint64) int32 {
	for e >= 0 {
		ent := s.ents.at(e)
		if ent.keyHash == h {
			return e
		}
		e = ent.nextKey
	}
	return -1
}

// keyEqual reports whether entry e's key equals row i of keys, columns of
// the key types (NULL equals NULL).
func (s *rowStore) keyEqual(e int32, keys []arrow.Array, i int) bool {
	ent := s.ents.at(e)
	cols := s.chunks[ent.chunk].cols
	for c, k := range s.keys {
		if !vector.EqualAt(cols[k], int(ent.row), keys[c], i, s.keyTypes[c]) {
			return false
		}
	}
	return true
}

// has reports whether entry e is in the store (not removed).
func (s *rowStore) has(e int32) bool { return int(e) < s.ents.len() && s.ents.at(e).chunk >= 0 }

// mult is entry e's multiplicity; add adds w to it.
func (s *rowStore) mult(e int32) int64   { return s.ents.at(e).mult }
func (s *rowStore) add(e int32, w int64) { s.ents.at(e).mult += w }

// remove forgets entry e; the next checkpoint forgets it too.
func (s *rowStore) remove(e int32) {
	ent := s.ents.at(e)
	if ent.run >= 0 {
		s.leaveRun(e)
	}
	if ent.prevKey >= 0 {
		s.ents.at(ent.prevKey).nextKey = ent.nextKey
	} else {
		s.keyHeads[ent.keyHash&s.mask] = ent.nextKey
	}
	if ent.nextKey >= 0 {
		s.ents.at(ent.nextKey).prevKey = ent.prevKey
	}
	if head := &s.rowHeads[ent.rowHash&s.mask]; *head == e {
		*head = ent.nextRow
	} else {
		p := s.ents.at(*head)
		for p.nextRow != e {
			p = s.ents.at(p.nextRow)
		}
		p.nextRow = ent.nextRow
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
	c := s.ents.at(ids[0]).chunk
	rows := s.rows[:0]
	for _, e := range ids {
		ent := s.ents.at(e)
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
			ent := s.ents.at(e)
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
	for e := range int32(s.ents.len()) {
		if s.ents.at(e).chunk >= 0 {
			ids = append(ids, e)
		}
	}
	var chunks []rowChunk
	if len(ids) > 0 {
		chunks = []rowChunk{{cols: s.gather(ids), rows: len(ids), live: len(ids)}}
	}
	s.chunks, s.freeChunks, s.stored = chunks, nil, len(ids)
	for k, e := range ids {
		ent := s.ents.at(e)
		ent.chunk, ent.row = 0, int32(k)
	}
}

// pageBits is log2 of the elements of a full page of a pages.
const pageBits = 12

// pages is a growable array of T kept in pages of 1<<pageBits elements,
// so that growing it never copies what it holds (doubling a slice of
// millions of entries copies them all, and faults in twice the memory).
// The first page grows as a slice up to its full size.
type pages[T any] struct {
	p [][]T
	n int
}

// at is element i (< len()).
func (s *pages[T]) at(i int32) *T { return &s.p[i>>pageBits][i&(1<<pageBits-1)] }

func (s *pages[T]) len() int { return s.n }

// extend makes the array at least n long; new elements are zero.
func (s *pages[T]) extend(n int) {
	if n <= s.n {
		return
	}
	s.n = n
	if len(s.p) == 0 {
		s.p = [][]T{nil}
	}
	if n <= 1<<pageBits {
		s.p[0] = extend(s.p[0], n)
		return
	}
	s.p[0] = extend(s.p[0], 1<<pageBits)
	for len(s.p)<<pageBits < n {
		s.p = append(s.p, make([]T, 1<<pageBits))
	}
}

// The state of a rowStore in checkpoints. A run's state key is the hash of
// its key (big endian, as it routes), the owner's tag, its key columns
// (vector.AppendRow) and its id (uvarint); its value is the number of its
// entries (uvarint) and per entry its multiplicity and the owner's aux
// value (varints) and its other columns (vector.AppendRow). Entries of
// equal keys route alike, so a run is restored whole by the instance that
// owns its key, however many instances there are.
//
// An older version saved each entry on its own: the hash, the tag, the
// key columns and the whole row (vector.AppendRow) as state key, and the
// multiplicity and aux value as value. restoreEntry reads those; the next
// checkpoint deletes them and saves their entries in runs.

// changed notes that live entry e changed since the last checkpoint: its
// multiplicity, or its aux value.
func (s *rowStore) changed(e int32) {
	switch r := s.ents.at(e).run; {
	case r >= 0:
		s.dirtyRun(r)
	case r == runNone:
		s.ents.at(e).run = runFresh
		s.fresh = append(s.fresh, e)
	}
}

// dirtyRun lists run r as changed since the last checkpoint.
func (s *rowStore) dirtyRun(r int32) {
	if !s.runs[r].dirty {
		s.runs[r].dirty = true
		s.dirtyRuns = append(s.dirtyRuns, r)
	}
}

// newRun returns a new empty run, listed as changed.
func (s *rowStore) newRun() int32 {
	r := putSlot(&s.runs, &s.freeRuns, storeRun{id: s.nextRun, head: -1})
	s.nextRun++
	s.dirtyRun(r)
	return r
}

// joinRun adds entry e, in no run, to run r.
func (s *rowStore) joinRun(e, r int32) {
	run := &s.runs[r]
	ent := s.ents.at(e)
	ent.run, ent.prevRun, ent.nextRun = r, -1, run.head
	if run.head >= 0 {
		s.ents.at(run.head).prevRun = e
	}
	run.head = e
	run.n++
}

// leaveRun takes entry e, still stored, out of its run, which changes; a
// run left empty is freed, and its state key deleted at the next
// checkpoint.
func (s *rowStore) leaveRun(e int32) {
	ent := s.ents.at(e)
	r := ent.run
	run := &s.runs[r]
	if ent.prevRun >= 0 {
		s.ents.at(ent.prevRun).nextRun = ent.nextRun
	} else {
		run.head = ent.nextRun
	}
	if ent.nextRun >= 0 {
		s.ents.at(ent.nextRun).prevRun = ent.prevRun
	}
	ent.run = runNone
	if run.n--; run.n > 0 {
		s.dirtyRun(r)
		return
	}
	s.gone = append(s.gone, s.appendRunKey(nil, e, run.id))
	run.dirty = false
	s.freeRuns = append(s.freeRuns, r)
}

// sameKey reports whether entries a and b have equal keys.
func (s *rowStore) sameKey(a, b int32) bool {
	ea, eb := s.ents.at(a), s.ents.at(b)
	if ea.keyHash != eb.keyHash {
		return false
	}
	ca, cb := s.chunks[ea.chunk].cols, s.chunks[eb.chunk].cols
	for k, c := range s.keys {
		if !vector.EqualAt(ca[c], int(ea.row), cb[c], int(eb.row), s.keyTypes[k]) {
			return false
		}
	}
	return true
}

// checkpoint writes what changed since the last checkpoint: it deletes
// the state keys of runs that emptied, puts the entries new since then in
// runs of up to maxRunRows entries of equal keys, and writes every run
// made or changed. aux(e) is saved with entry e.
func (s *rowStore) checkpoint(w StateWriter, aux func(e int32) int64) error {
	for _, k := range s.gone {
		if err := w.Delete(k); err != nil {
			return err
		}
	}
	s.gone = nil
	s.formRuns()
	for _, r := range s.dirtyRuns {
		run := &s.runs[r]
		if !run.dirty {
			continue // emptied since
		}
		run.dirty = false
		s.keyBuf = s.appendRunKey(s.keyBuf[:0], run.head, run.id)
		v := binary.AppendUvarint(s.valBuf[:0], uint64(run.n))
		for e := run.head; e >= 0; e = s.ents.at(e).nextRun {
			ent := s.ents.at(e)
			v = binary.AppendVarint(v, ent.mult)
			v = binary.AppendVarint(v, aux(e))
			cols := s.chunks[ent.chunk].cols
			for k, c := range s.rest {
				s.restCols[k] = cols[c]
			}
			v = vector.AppendRow(v, s.restCols[:len(s.rest)], s.restTypes, int(ent.row))
		}
		s.valBuf = v
		if err := w.Put(s.keyBuf, v); err != nil {
			return err
		}
	}
	s.dirtyRuns = s.dirtyRuns[:0]
	return nil
}

// formRuns puts the entries listed in fresh into new runs, of up to
// maxRunRows entries of equal keys. Fresh entries come in the order they
// were added, and an entry's key chain leads to the entries of its key
// added before it: an entry joins the run of the first of them when that
// run is one of these new runs and has room, else starts a run. (An entry
// listed out of order may start a run that could have been shared: runs
// are then smaller, never wrong.)
func (s *rowStore) formRuns() {
	firstNew := s.nextRun
	for _, e := range s.fresh {
		ent := s.ents.at(e)
		if ent.chunk < 0 || ent.run != runFresh {
			continue // removed, or listed twice
		}
		ent.run = runNone
		r := int32(-1)
		if prev := s.next(e); prev >= 0 {
			if pr := s.ents.at(prev).run; pr >= 0 && s.runs[pr].id >= firstNew && s.runs[pr].n < maxRunRows && s.sameKey(prev, e) {
				r = pr
			}
		}
		if r < 0 {
			r = s.newRun()
		}
		s.joinRun(e, r)
	}
	s.fresh = s.fresh[:0]
}

// appendRunKey appends the state key of run id, of which e is an entry.
func (s *rowStore) appendRunKey(dst []byte, e int32, id uint64) []byte {
	ent := s.ents.at(e)
	cols := s.chunks[ent.chunk].cols
	for k, c := range s.keys {
		s.restCols[k] = cols[c] // scratch: the key columns
	}
	dst = binary.BigEndian.AppendUint64(dst, ent.keyHash)
	dst = append(dst, s.tag)
	dst = vector.AppendRow(dst, s.restCols[:len(s.keys)], s.keyTypes, int(ent.row))
	return binary.AppendUvarint(dst, id)
}

// restoreRun collects the entries of a run written by checkpoint, for
// settle.
func (s *rowStore) restoreRun(key, value []byte) error {
	if len(key) < 9 {
		return errCorruptRow
	}
	row := s.restoredRow
	rest, err := vector.DecodeRow(key[9:], s.keyTypes, row)
	if err != nil {
		return err
	}
	id, n := binary.Uvarint(rest)
	count, m := binary.Uvarint(value)
	if n <= 0 || n != len(rest) || m <= 0 || count == 0 {
		return errCorruptRow
	}
	s.nextRun = max(s.nextRun, id+1)
	r := putSlot(&s.runs, &s.freeRuns, storeRun{id: id, head: -1})
	value = value[m:]
	full := make([]vector.Datum, len(s.types))
	for range count {
		mult, n := binary.Varint(value)
		if n <= 0 || mult == 0 {
			return errCorruptRow
		}
		aux, m := binary.Varint(value[n:])
		if m <= 0 {
			return errCorruptRow
		}
		if value, err = vector.DecodeRow(value[n+m:], s.restTypes, s.restoredRest); err != nil {
			return err
		}
		for k, c := range s.keys {
			full[c] = row[k]
		}
		for k, c := range s.rest {
			full[c] = s.restoredRest[k]
		}
		s.collect(full, mult, r, aux)
	}
	if len(value) > 0 {
		return errCorruptRow
	}
	return nil
}

// restoreEntry collects the entry of a state key an older version wrote
// for it alone (see above), for settle; the next checkpoint deletes the
// key.
func (s *rowStore) restoreEntry(key []byte, mult, aux int64) error {
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
	s.gone = append(s.gone, bytes.Clone(key))
	s.collect(row[:len(s.types)], mult, -1, aux)
	return nil
}

// collect adds a restored row, its multiplicity, run (-1: none) and aux
// value to what settle adds.
func (s *rowStore) collect(row []vector.Datum, mult int64, run int32, aux int64) {
	s.restored.addDatums(row, mult)
	s.restoredRun = append(s.restoredRun, run)
	s.restoredAux = append(s.restoredAux, aux)
}

// settle adds the rows restore collected as entries, in their runs (an
// entry of an older version's is fresh, to be saved at the next
// checkpoint), and returns their ids and aux values in the order
// restored.
func (s *rowStore) settle() (ids []int32, aux []int64) {
	if len(s.restoredRun) == 0 {
		return nil, nil
	}
	var b *vector.Batch
	_ = s.restored.flush(func(r *vector.Batch) error { b = r; return nil })
	if b == nil {
		return nil, nil
	}
	keyHash := make([]uint64, b.Len)
	vector.HashColumns(pick(b.Cols, s.keys), s.keyTypes, b.Len, keyHash)
	s.begin(b.Cols, b.Len, keyHash)
	ids = make([]int32, b.Len)
	for i := range ids {
		ids[i], _ = s.entry(i)
		s.add(ids[i], b.Weight(i))
	}
	s.end()
	for i, e := range ids {
		switch r := s.restoredRun[i]; {
		case s.ents.at(e).run != runNone: // a row restored twice
		case r >= 0:
			s.joinRun(e, r)
		default:
			s.changed(e)
		}
	}
	aux = s.restoredAux
	s.restoredRun, s.restoredAux = nil, nil
	return ids, aux
}
