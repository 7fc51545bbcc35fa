package runnel

import (
	"encoding/binary"
	"fmt"

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
		var ins, del []int32
		for i := range b.Len {
			for n := b.Weight(i); n != 0; {
				switch {
				case n > 0:
					ins, n = append(ins, int32(i)), n-1
				default:
					del, n = append(del, int32(i)), n+1
				}
			}
		}
		if len(w.t.PrimaryKey) == 0 {
			if len(del) > 0 {
				x.Rollback()
				return fmt.Errorf("pipeline retracted a row of table %s, which has no primary key", w.t.Name)
			}
		} else {
			for _, rows := range [][]int32{del, ins} {
				if err := w.deleteKeys(x, vector.TakeRows(b, rows)); err != nil {
					x.Rollback()
					return err
				}
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
