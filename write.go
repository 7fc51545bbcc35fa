package runnel

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/storage"
	"github.com/runneldb/runnel/vector"
)

// collect runs op to its end and returns every batch it produced.
func collect(ctx context.Context, op operators.Operator) ([]*vector.Batch, error) {
	s := operators.Open(ctx, op)
	defer s.Close()
	var out []*vector.Batch
	for {
		b, err := s.NextContext(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctxError(ctx)
			}
			return nil, err
		}
		if b == nil {
			return out, nil
		}
		if b.Len > 0 {
			out = append(out, b)
		}
	}
}

// insert runs INSERT. Its source is read completely before anything is
// written, so a statement never sees its own rows (INSERT INTO t SELECT …
// FROM t copies t once).
func (st *statement) insert(ctx context.Context, ast *tree.Insert) (*Result, error) {
	ins, err := st.plan.Insert(ast)
	if err != nil {
		return nil, err
	}
	batches, err := collect(ctx, ins.Rows)
	if err != nil {
		return nil, err
	}
	t := ins.Table
	var written []*vector.Batch
	n := 0
	for _, b := range batches {
		if err := checkNotNull(t, b); err != nil {
			return nil, err
		}
		rows := []*vector.Batch{b}
		if ins.OnConflict != nil {
			if rows, err = st.onConflict(ctx, t, b, ins.OnConflict); err != nil {
				return nil, err
			}
		}
		for _, r := range rows {
			if r.Len == 0 {
				continue
			}
			if err := st.txn.Insert(uint64(t.ID), r); err != nil {
				return nil, err
			}
			n += r.Len
			written = append(written, r)
		}
	}
	return st.writeResult(fmt.Sprintf("INSERT 0 %d", n), "INSERT 0", ins.Returning, written)
}

// writeResult is the result of a write: its tag, or the RETURNING rows.
func (st *statement) writeResult(tag, countedTag string, ret *planner.Returning, written []*vector.Batch) (*Result, error) {
	if ret == nil {
		return &Result{Tag: tag}, nil
	}
	rows := &batchRows{}
	for _, b := range written {
		out, err := st.project(ret.Exprs, b)
		if err != nil {
			return nil, err
		}
		rows.batches = append(rows.batches, out)
	}
	return &Result{Columns: columnsOf(ret.Columns), Rows: rows, Tag: countedTag, Counted: true}, nil
}

// project evaluates exprs over the rows of b: a batch of one column per
// expression.
func (st *statement) project(exprs []vector.Expr, b *vector.Batch) (*vector.Batch, error) {
	cols := make([]arrow.Array, len(exprs))
	for i, x := range exprs {
		arr, err := x.Eval(st.ectx, b)
		if err != nil {
			return nil, err
		}
		cols[i] = arr
	}
	return vector.NewBatch(cols, b.Len), nil
}

// checkNotNull enforces NOT NULL (and the primary key's implied NOT NULL).
func checkNotNull(t *catalog.Table, b *vector.Batch) error {
	for i, c := range t.Columns {
		if !c.NotNull || b.Cols[i].NullN() == 0 {
			continue
		}
		row := 0
		for b.Cols[i].IsValid(row) {
			row++
		}
		return &vector.Error{
			Code:    vector.CodeNotNullViolation,
			Message: fmt.Sprintf("null value in column %q of relation %q violates not-null constraint", c.Name, t.Name),
			Detail:  "Failing row contains " + rowText(t, b, row) + ".",
		}
	}
	return nil
}

// rowText renders a row as Postgres does in error details: (1, null, abc).
func rowText(t *catalog.Table, b *vector.Batch, row int) string {
	parts := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		d := vector.ValueAt(b.Cols[i], c.Type, row)
		if d == nil {
			parts[i] = "null"
		} else {
			parts[i] = vector.FormatDatum(d, c.Type, nil)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// onConflict resolves the rows of b whose primary key a visible row (or an
// earlier row of b) already has, and returns the rows to insert: DO NOTHING
// drops them; DO UPDATE deletes the existing row and returns its updated
// version too.
func (st *statement) onConflict(ctx context.Context, t *catalog.Table, b *vector.Batch, oc *planner.OnConflict) ([]*vector.Batch, error) {
	keys := make([]arrow.Array, len(t.PrimaryKey))
	for i, k := range t.PrimaryKey {
		keys[i] = b.Cols[k]
	}
	existing, err := st.txn.LookupPK(uint64(t.ID), vector.NewBatch(keys, b.Len))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var keep []int32
	var conflictRows []int32
	var conflictIDs []storage.RowID
	for i := 0; i < b.Len; i++ {
		k := keyText(t, b, i)
		if seen[k] {
			if oc.DoNothing {
				continue
			}
			return nil, vector.Errorf(vector.CodeCardinalityViolation, "ON CONFLICT DO UPDATE command cannot affect row a second time")
		}
		seen[k] = true
		if existing[i] == storage.NoRow {
			keep = append(keep, int32(i))
		} else if !oc.DoNothing {
			conflictRows = append(conflictRows, int32(i))
			conflictIDs = append(conflictIDs, existing[i])
		}
	}
	out := pick(b, keep)
	if len(conflictIDs) == 0 {
		return []*vector.Batch{out}, nil
	}
	old, err := st.fetchRows(ctx, t, conflictIDs)
	if err != nil {
		return nil, err
	}
	proposed := pick(b, conflictRows)
	both := vector.NewBatch(append(append([]arrow.Array(nil), old.Cols...), proposed.Cols...), old.Len)
	var mask arrow.Array
	if oc.Where != nil {
		if mask, err = oc.Where.Eval(st.ectx, both); err != nil {
			return nil, err
		}
	}
	updated, err := st.project(oc.Set, both)
	if err != nil {
		return nil, err
	}
	var upd []int32
	var del []storage.RowID
	for i := 0; i < old.Len; i++ {
		if mask == nil || (mask.IsValid(i) && mask.(*array.Boolean).Value(i)) {
			upd = append(upd, int32(i))
			del = append(del, conflictIDs[i])
		}
	}
	updated = pick(updated, upd)
	if oc.Generated != nil {
		if updated, err = st.project(oc.Generated, updated); err != nil {
			return nil, err
		}
	}
	if err := checkNotNull(t, updated); err != nil {
		return nil, err
	}
	if err := st.txn.Delete(uint64(t.ID), del); err != nil {
		return nil, err
	}
	return []*vector.Batch{out, updated}, nil
}

// keyText is a row's primary key as text, for finding repeats.
func keyText(t *catalog.Table, b *vector.Batch, row int) string {
	var sb strings.Builder
	for _, k := range t.PrimaryKey {
		sb.WriteString(vector.FormatDatum(vector.ValueAt(b.Cols[k], t.Columns[k].Type, row), t.Columns[k].Type, nil))
		sb.WriteByte(0)
	}
	return sb.String()
}

// pick copies the given rows of b into a new batch.
func pick(b *vector.Batch, rows []int32) *vector.Batch {
	return vector.NewBatch(vector.TakeColumns(b.Cols, rows), len(rows))
}

// fetchRows reads the rows with the given ids, in that order.
func (st *statement) fetchRows(ctx context.Context, t *catalog.Table, ids []storage.RowID) (*vector.Batch, error) {
	want := make(map[storage.RowID]int, len(ids))
	for i, id := range ids {
		want[id] = i
	}
	found := make([]*vector.Batch, len(ids))
	foundRow := make([]int, len(ids))
	err := st.txn.Scan(ctx, uint64(t.ID), true, func(b *vector.Batch, rowIDs []storage.RowID) error {
		for r, id := range rowIDs {
			if i, ok := want[id]; ok {
				found[i], foundRow[i] = b, r
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, len(t.Columns))
	for c, col := range t.Columns {
		bl := vector.NewBuilder(col.Type, len(ids))
		for i := range ids {
			bl.AppendFrom(found[i].Cols[c], foundRow[i])
		}
		cols[c] = bl.Finish()
	}
	return vector.NewBatch(cols, len(ids)), nil
}

// rowIDsOf reads the row id column (the last) of a write plan's batch.
func rowIDsOf(b *vector.Batch) []storage.RowID {
	ids := b.Cols[len(b.Cols)-1].(*array.Int64).Int64Values()
	out := make([]storage.RowID, len(ids))
	for i, id := range ids {
		out[i] = storage.RowID(id)
	}
	return out
}

// withoutRowIDs drops the row id column.
func withoutRowIDs(b *vector.Batch) *vector.Batch {
	return vector.NewBatch(b.Cols[:len(b.Cols)-1], b.Len)
}

// update runs UPDATE: every old row is deleted before any new row is
// inserted, so keys may move within the statement.
func (st *statement) update(ctx context.Context, ast *tree.Update) (*Result, error) {
	up, err := st.plan.Update(ast)
	if err != nil {
		return nil, err
	}
	batches, err := collect(ctx, up.Rows)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, b := range batches {
		if err := st.txn.Delete(uint64(up.Table.ID), rowIDsOf(b)); err != nil {
			return nil, err
		}
		n += b.Len
	}
	written := make([]*vector.Batch, len(batches))
	for i, b := range batches {
		written[i] = withoutRowIDs(b)
		if err := checkNotNull(up.Table, written[i]); err != nil {
			return nil, err
		}
		if err := st.txn.Insert(uint64(up.Table.ID), written[i]); err != nil {
			return nil, err
		}
	}
	return st.writeResult(fmt.Sprintf("UPDATE %d", n), "UPDATE", up.Returning, written)
}

// delete runs DELETE.
func (st *statement) delete(ctx context.Context, ast *tree.Delete) (*Result, error) {
	del, err := st.plan.Delete(ast)
	if err != nil {
		return nil, err
	}
	batches, err := collect(ctx, del.Rows)
	if err != nil {
		return nil, err
	}
	n := 0
	written := make([]*vector.Batch, len(batches))
	for i, b := range batches {
		if err := st.txn.Delete(uint64(del.Table.ID), rowIDsOf(b)); err != nil {
			return nil, err
		}
		written[i] = withoutRowIDs(b)
		n += b.Len
	}
	return st.writeResult(fmt.Sprintf("DELETE %d", n), "DELETE", del.Returning, written)
}
