package runnel

import (
	"context"
	"sync"

	"github.com/runneldb/runnel/storage"
	"github.com/runneldb/runnel/vector"
)

// txn is a storage transaction used by a session's statements. A query's
// dataflow may still be reading it (a portal suspended after some rows)
// when the next statement of the transaction writes to it, so every use of
// the storage transaction holds mu; a scan lets go of mu only while it
// hands a batch on, which is where it may wait for its reader.
type txn struct {
	mu sync.Mutex
	st *storage.Txn
	s  *Session
}

func newTxn(s *Session) *txn { return &txn{st: s.db.store.Begin(), s: s} }

func (t *txn) Insert(table uint64, b *vector.Batch) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st.Insert(table, b)
}

func (t *txn) Delete(table uint64, rows []storage.RowID) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st.Delete(table, rows)
}

func (t *txn) LookupPK(table uint64, keys *vector.Batch) ([]storage.RowID, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st.LookupPK(table, keys)
}

func (t *txn) Commit() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.st.Commit(); err != nil {
		return err
	}
	if seq := t.st.Committed(); seq > t.s.lastWrite.Load() {
		t.s.lastWrite.Store(seq)
	}
	return nil
}

func (t *txn) Rollback() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.st.Rollback()
}

// Scan reads the rows of a table the transaction sees.
func (t *txn) Scan(ctx context.Context, table uint64, rowIDs bool, fn storage.ScanFunc) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st.Scan(ctx, table, rowIDs, func(b *vector.Batch, ids []storage.RowID) error {
		t.mu.Unlock()
		defer t.mu.Lock()
		return fn(b, ids)
	})
}
