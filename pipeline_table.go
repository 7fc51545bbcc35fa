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
	id := uint64(w.t.ID)
	for _, b := range changes {
		var ins []int32
		if len(w.t.PrimaryKey) == 0 {
			for i := range b.Len {
				n := b.Weight(i)
				if n < 0 {
					x.Rollback()
					return fmt.Errorf("pipeline retracted a row of table %s, which has no primary key", w.t.Name)
				}
				for ; n > 0; n-- {
					ins = append(ins, int32(i))
				}
			}
		} else {
			var touched []int32
			touched, ins = w.lastChanges(b)
			if err := w.deleteKeys(x, vector.TakeRows(b, touched)); err != nil {
				x.Rollback()
				return err
			}
		}
		if len(ins) == 0 {
			continue
		}
		rows := vector.TakeRows(b, ins)
		rows.Weights = nil
		if err := checkNotNull(w.t, rows); err != nil {
			x.Rollback()
			return err
		}
		if err := x.Insert(id, rows); err != nil {
			x.Rollback()
			return err
		}
	}
	x.SetState(w.marker, binary.BigEndian.AppendUint64(nil, epoch))
	return x.Commit()
}

// lastChanges reads a batch of changes to a table with a primary key as
// upserts and deletes by key: for each key changed, the last change wins
// (an update is -old +new; a batch may hold several). It returns a row of
// each key changed, and the rows to insert: those whose key's last change
// is an insertion.
func (w *tableWriter) lastChanges(b *vector.Batch) (touched, ins []int32) {
	cols := make([]arrow.Array, len(w.t.PrimaryKey))
	types := make([]vector.Type, len(w.t.PrimaryKey))
	for k, c := range w.t.PrimaryKey {
		cols[k], types[k] = b.Cols[c], w.t.Columns[c].Type
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

// deleteKeys deletes the rows with the primary keys of the rows of b.
func (w *tableWriter) deleteKeys(x *storage.Txn, b *vector.Batch) error {
	if b.Len == 0 {
		return nil
	}
	keys := &vector.Batch{Len: b.Len}
	for _, c := range w.t.PrimaryKey {
		keys.Cols = append(keys.Cols, b.Cols[c])
	}
	ids, err := x.LookupPK(uint64(w.t.ID), keys)
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
	return x.Delete(uint64(w.t.ID), found)
}
