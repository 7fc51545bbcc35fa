package storage

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// Txn is a transaction with snapshot isolation. It sees the commits
// published when it began, plus its own writes. A Txn is used by one
// goroutine at a time.
type Txn struct {
	s      *Store
	snap   uint64
	tables map[uint64]*txnTable
	done   bool
	// committed is the seq of the commit, once it committed changes.
	committed uint64
	// state entries to write atomically with the changes (see SetState).
	stateSets []StateEntry
}

// txnTable is what a transaction changed in one table.
//
// Invariants: ins holds every batch the txn inserted, in order, and local
// row k (RowID localRow|k) is row k of their concatenation; insDead[k] is
// set when the txn deleted local row k; hashes[k] is the key hash of local
// row k (tables with a primary key); local indexes the live local rows by
// key hash; dels are the committed rows the txn deleted, each once.
type txnTable struct {
	t       *Table
	ins     []*vector.Batch
	insOff  []int // local row of the first row of each batch
	nIns    int
	insDead []bool
	nDead   int
	hashes  []uint64
	local   *hashIndex // local rows by key hash, as RowIDs without localRow
	dels    []RowID
	delSet  map[RowID]struct{}
	// checkedAt is the Table.lastSeq at the first key check: commits after
	// it may have inserted keys the checks have not seen.
	checkedAt uint64
	checked   bool
}

// Begin starts a transaction on the last published commit.
func (s *Store) Begin() *Txn {
	return &Txn{s: s, snap: s.published.Load(), tables: make(map[uint64]*txnTable)}
}

// BeginAt starts a read-only view of the commits up to seq, which must
// not be later than the last published commit.
func (s *Store) BeginAt(seq uint64) *Txn {
	return &Txn{s: s, snap: min(seq, s.published.Load()), tables: make(map[uint64]*txnTable)}
}

// Committed is the seq of the transaction's commit: 0 before Commit, and
// when it changed nothing.
func (x *Txn) Committed() uint64 { return x.committed }

// Snapshot is the commit seq the transaction reads.
func (x *Txn) Snapshot() uint64 { return x.snap }

// Rollback abandons the transaction.
func (x *Txn) Rollback() { x.done, x.tables = true, nil }

func (x *Txn) state(id uint64) (*txnTable, error) {
	if x.done {
		return nil, errFinished
	}
	if tt := x.tables[id]; tt != nil {
		return tt, nil
	}
	t, err := x.s.table(id)
	if err != nil {
		return nil, err
	}
	tt := &txnTable{t: t, delSet: make(map[RowID]struct{})}
	if t.idx != nil {
		tt.local = newHashIndex()
	}
	x.tables[id] = tt
	return tt, nil
}

// Insert adds the rows of b (weights ignored) to table id. b has the
// table's column types; it must not be modified afterwards. A row whose
// primary key a visible row already has fails with 23505, and nothing of b
// is inserted.
func (x *Txn) Insert(id uint64, b *vector.Batch) error {
	tt, err := x.state(id)
	if err != nil || b.Len == 0 {
		return err
	}
	if len(b.Cols) != len(tt.t.types) {
		return fmt.Errorf("storage: table %d has %d columns, batch has %d", id, len(tt.t.types), len(b.Cols))
	}
	for c, a := range b.Cols {
		if a.Len() != b.Len || !arrow.TypeEqual(a.DataType(), tt.t.dts[c]) {
			return fmt.Errorf("storage: table %d column %d: got %d rows of %s, want %d of %s",
				id, c, a.Len(), a.DataType(), b.Len, tt.t.dts[c])
		}
	}
	if tt.t.idx != nil {
		if err := tt.checkKeys(b.Cols, b.Len); err != nil {
			return err
		}
	}
	tt.ins = append(tt.ins, vector.NewBatch(b.Cols, b.Len))
	tt.insOff = append(tt.insOff, tt.nIns)
	tt.nIns += b.Len
	tt.insDead = append(tt.insDead, make([]bool, b.Len)...)
	return nil
}

// checkKeys checks that no row of cols has a key that a live committed row
// (not deleted by this txn) or a live local row has, and on success records
// the rows as local rows nIns, nIns+1, … in the local index.
func (tt *txnTable) checkKeys(cols []arrow.Array, n int) error {
	t := tt.t
	t.mu.RLock()
	if !tt.checked {
		tt.checkedAt, tt.checked = t.lastSeq, true
	}
	hashes := make([]uint64, n)
	key, buf := make([]byte, 0, 64), make([]byte, 0, 64)
	var err error
	added := 0
	for i := range n {
		key = t.key.appendKey(key[:0], cols, i)
		h := hashKey(key)
		hashes[i] = h
		_, dup := t.liveRow(key, h, tt.delSet, buf)
		if !dup {
			_, dup = tt.localFind(key, h, cols, buf)
		}
		if dup {
			err = t.duplicate(cols, n, i)
			break
		}
		tt.local.add(h, RowID(tt.nIns+i))
		added++
	}
	t.mu.RUnlock()
	if err != nil {
		for i := range added {
			tt.local.remove(hashes[i], RowID(tt.nIns+i))
		}
		return err
	}
	tt.hashes = append(tt.hashes, hashes...)
	return nil
}

// localFind returns the live local row with key. cols, when not nil, is
// the batch being inserted: local rows from nIns on, those before the
// current row already in local.
func (tt *txnTable) localFind(key []byte, h uint64, cols []arrow.Array, buf []byte) (int, bool) {
	r, ok := tt.local.find(h, func(r RowID) bool {
		k := int(r)
		rowCols, row := cols, k-tt.nIns
		if row < 0 {
			b, j := tt.localRow(k)
			rowCols, row = b.Cols, j
		}
		return string(tt.t.key.appendKey(buf[:0], rowCols, row)) == string(key)
	})
	return int(r), ok
}

// localRow returns the batch and row of local row k.
func (tt *txnTable) localRow(k int) (*vector.Batch, int) {
	lo, hi := 0, len(tt.insOff)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if tt.insOff[mid] <= k {
			lo = mid
		} else {
			hi = mid
		}
	}
	return tt.ins[lo], k - tt.insOff[lo]
}

// Delete deletes rows of table id, as Scan reported them (committed rows
// visible to the txn, or rows the txn inserted). Deleting a row twice is a
// no-op.
func (x *Txn) Delete(id uint64, rows []RowID) error {
	tt, err := x.state(id)
	if err != nil {
		return err
	}
	chunks := tt.t.snapshotChunks()
	for _, r := range rows {
		if r&localRow != 0 {
			k := int(r &^ localRow)
			if k >= tt.nIns {
				return fmt.Errorf("storage: table %d: no local row %d", id, k)
			}
			if !tt.insDead[k] {
				tt.insDead[k] = true
				tt.nDead++
				if tt.local != nil {
					tt.local.remove(tt.hashes[k], RowID(k))
				}
			}
			continue
		}
		if _, ok := tt.delSet[r]; ok {
			continue
		}
		if c, i, ok := locate(chunks, r); !ok || !c.visible(i, x.snap) {
			return fmt.Errorf("storage: table %d: row %d is not visible", id, r)
		}
		tt.delSet[r] = struct{}{}
		tt.dels = append(tt.dels, r)
	}
	return nil
}

// LookupPK returns, for each row of keys (the primary key columns, in key
// order), the RowID of the row visible to the txn with that key, or NoRow.
// A key whose live row was committed after the snapshot fails with 40001,
// as Postgres does under REPEATABLE READ.
func (x *Txn) LookupPK(id uint64, keys *vector.Batch) ([]RowID, error) {
	tt, err := x.state(id)
	if err != nil {
		return nil, err
	}
	t := tt.t
	if t.idx == nil || len(keys.Cols) != len(t.pk) {
		return nil, fmt.Errorf("storage: table %d: LookupPK with %d key columns, primary key has %d", id, len(keys.Cols), len(t.pk))
	}
	// Spread the key columns at their table positions for the encoder.
	cols := make([]arrow.Array, len(t.types))
	for j, c := range t.pk {
		cols[c] = keys.Cols[j]
	}
	out := make([]RowID, keys.Len)
	key, buf := make([]byte, 0, 64), make([]byte, 0, 64)
	t.mu.RLock()
	defer t.mu.RUnlock()
	for i := range keys.Len {
		key = t.key.appendKey(key[:0], cols, i)
		h := hashKey(key)
		out[i] = NoRow
		if k, ok := tt.localFind(key, h, nil, buf); ok {
			out[i] = localRow | RowID(k)
			continue
		}
		if r, ok := t.liveRow(key, h, tt.delSet, buf); ok {
			c, j, _ := locate(t.chunks, r)
			if c.insSeq(j) > x.snap {
				return nil, serializationFailure()
			}
			out[i] = r
		}
	}
	return out, nil
}

var errFinished = errors.New("storage: transaction already finished")

func serializationFailure() error {
	return vector.Errorf(vector.CodeSerializationFailure, "could not serialize access due to concurrent update")
}

// SetState makes the commit also set a state entry (see state.go), in the
// same atomic write as its changes: a writer records how far its writes
// have gone together with them.
func (x *Txn) SetState(key, value []byte) {
	x.stateSets = append(x.stateSets, StateEntry{Key: append([]byte(nil), key...), Value: append([]byte(nil), value...)})
}

// State reads a state entry as committed; nil when there is none.
func (s *Store) State(key []byte) ([]byte, error) {
	v, closer, err := s.db.Get(stateKey(key))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("storage: state: %w", err)
	}
	defer closer.Close()
	return append([]byte(nil), v...), nil
}
