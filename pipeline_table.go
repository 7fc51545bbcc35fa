package runnel

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/storage"
	"github.com/runneldb/runnel/vector"
)

// tableWriter is a pipeline's writer into a table. Each epoch's changes are
// one transaction, which also records the epoch under the pipeline's
// marker: an epoch committed already is skipped, so a restart that
// commits it again writes nothing twice. A table with a primary key takes
// the changes as upserts and deletes by key; one without only takes
// insertions.
type tableWriter struct {
	store  *storage.Store
	t      *catalog.Table
	marker []byte
}

// markerKey is the state key recording the last epoch pipeline id wrote;
// it sits beside the pipeline's operator state, past every node's prefix.
func markerKey(id uint32) []byte {
	return binary.BigEndian.AppendUint32(stateID(id), ^uint32(0))
}

func (w *tableWriter) Commit(epoch uint64, changes []*vector.Batch) error {
	v, err := w.store.State(w.marker)
	if err != nil {
		return err
	}
	if len(v) == 8 && binary.BigEndian.Uint64(v) >= epoch {
		return nil
	}
	x := w.store.Begin()
	if err := applyChanges(x, w.t, changes); err != nil {
		x.Rollback()
		return err
	}
	x.SetState(w.marker, binary.BigEndian.AppendUint64(nil, epoch))
	return x.Commit()
}

// applyChanges writes changes into table t in x. A table with a primary
// key takes them as upserts and deletes by key; one without only takes
// insertions (n of a row of weight n).
func applyChanges(x *storage.Txn, t *catalog.Table, changes []*vector.Batch) error {
	id := uint64(t.ID)
	for _, b := range changes {
		var ins []int32
		if len(t.PrimaryKey) == 0 {
			for i := range b.Len {
				n := b.Weight(i)
				if n < 0 {
					return fmt.Errorf("a row of table %s, which has no primary key, was retracted", t.Name)
				}
				for ; n > 0; n-- {
					ins = append(ins, int32(i))
				}
			}
		} else {
			var touched []int32
			touched, ins = lastChanges(t, b)
			if err := deleteKeys(x, t, vector.TakeRows(b, touched)); err != nil {
				return err
			}
		}
		if len(ins) == 0 {
			continue
		}
		rows := vector.TakeRows(b, ins)
		rows.Weights = nil
		if err := checkNotNull(t, rows); err != nil {
			return err
		}
		if err := x.Insert(id, rows); err != nil {
			return err
		}
	}
	return nil
}

// lastChanges reads a batch of changes to a table with a primary key as
// upserts and deletes by key: for each key changed, the last change wins
// (an update is -old +new; a batch may hold several). It returns a row of
// each key changed, and the rows to insert: those whose key's last change
// is an insertion.
func lastChanges(t *catalog.Table, b *vector.Batch) (touched, ins []int32) {
	cols := make([]arrow.Array, len(t.PrimaryKey))
	types := make([]vector.Type, len(t.PrimaryKey))
	for k, c := range t.PrimaryKey {
		cols[k], types[k] = b.Cols[c], t.Columns[c].Type
	}
	last := map[string]int32{}
	var key []byte
	for i := range b.Len {
		key = vector.AppendRow(key[:0], cols, types, i)
		if _, seen := last[string(key)]; !seen {
			touched = append(touched, int32(i))
		}
		last[string(key)] = int32(i)
	}
	for _, i := range touched {
		key = vector.AppendRow(key[:0], cols, types, int(i))
		if j := last[string(key)]; b.Weight(int(j)) > 0 {
			ins = append(ins, j)
		}
	}
	return touched, ins
}

// deleteKeys deletes the rows of t with the primary keys of the rows of b.
func deleteKeys(x *storage.Txn, t *catalog.Table, b *vector.Batch) error {
	if b.Len == 0 {
		return nil
	}
	keys := &vector.Batch{Len: b.Len}
	for _, c := range t.PrimaryKey {
		keys.Cols = append(keys.Cols, b.Cols[c])
	}
	ids, err := x.LookupPK(uint64(t.ID), keys)
	if err != nil {
		return err
	}
	var found []storage.RowID
	for _, r := range ids {
		if r != storage.NoRow {
			found = append(found, r)
		}
	}
	if len(found) == 0 {
		return nil
	}
	return x.Delete(uint64(t.ID), found)
}
