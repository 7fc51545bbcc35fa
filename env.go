package runnel

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/connectors"
	"github.com/runneldb/runnel/storage"
	"github.com/runneldb/runnel/vector"
)

// env answers the planner's questions for one statement: names resolve
// through the session's search_path, and scans read the statement's
// transaction.
type env struct {
	s   *Session
	txn *txn
}

// Table resolves a table name.
func (e *env) Table(schema, name string) (*catalog.Table, error) {
	return e.s.lookupTable(schema, name)
}

// lookupTable resolves a possibly qualified table name: a qualified name
// in its schema, an unqualified one along the lookup path (pg_catalog,
// unless the search_path places it, then the search_path). The system
// relations of pg_catalog and information_schema resolve like tables.
func (s *Session) lookupTable(schema, name string) (*catalog.Table, error) {
	cat := s.db.catalog
	if schema != "" {
		if t, ok := catalog.SystemTable(schema, name); ok {
			return t, nil
		}
		if _, ok := cat.Schema(schema); !ok {
			return nil, vector.Errorf(vector.CodeUndefinedSchema, "schema %q does not exist", schema)
		}
		if t, ok := cat.Table(schema, name); ok {
			return t, nil
		}
		return nil, vector.Errorf(vector.CodeUndefinedTable, "relation \"%s.%s\" does not exist", schema, name)
	}
	for _, sc := range s.lookupPath() {
		if t, ok := catalog.SystemTable(sc, name); ok {
			return t, nil
		}
		if t, ok := cat.Table(sc, name); ok {
			return t, nil
		}
	}
	return nil, vector.Errorf(vector.CodeUndefinedTable, "relation %q does not exist", name)
}

// creationSchema is the schema an unqualified new object goes to: the first
// existing schema of the search_path.
func (s *Session) creationSchema(schema string) (string, error) {
	if schema != "" {
		return schema, nil
	}
	for _, sc := range s.searchPath() {
		if _, ok := s.db.catalog.Schema(sc); ok {
			return sc, nil
		}
	}
	return "", vector.Errorf(vector.CodeUndefinedSchema, "no schema has been selected to create in")
}

// Scan reads t's rows visible to the statement's transaction; a
// materialized view's, once it reflects the session's last write; a system
// relation's, computed from the catalog as it is now.
func (e *env) Scan(t *catalog.Table, rowIDs bool) func(ctx context.Context, emit func(*vector.Batch) error) error {
	if t.Kind == catalog.KindSystem {
		return func(ctx context.Context, emit func(*vector.Batch) error) error {
			if rowIDs {
				return errSystemCatalog(t)
			}
			b, err := e.s.db.catalog.SystemRows(t, &sessionCatalog{s: e.s, txn: e.txn})
			if err != nil {
				return err
			}
			return emit(b)
		}
	}
	if t.Kind == catalog.KindMaterializedView {
		return func(ctx context.Context, emit func(*vector.Batch) error) error {
			v, err := e.s.db.streams.view(ctx, t.ID, e.s.lastWrite.Load())
			if err != nil {
				return err
			}
			return v.Scan(emit)
		}
	}
	return func(ctx context.Context, emit func(*vector.Batch) error) error {
		return e.txn.Scan(ctx, uint64(t.ID), rowIDs, func(b *vector.Batch, ids []storage.RowID) error {
			if rowIDs {
				b = vector.NewBatch(append(append([]arrow.Array(nil), b.Cols...), rowIDColumn(ids)), b.Len)
			}
			return emit(b)
		})
	}
}

// rowIDColumn makes an int8 column of row ids.
func rowIDColumn(ids []storage.RowID) arrow.Array {
	b := array.NewInt64Builder(vector.Mem)
	b.Reserve(len(ids))
	for _, id := range ids {
		b.UnsafeAppend(int64(id))
	}
	return b.NewArray()
}

// connectorColumns describes t's columns to a connector.
func connectorColumns(t *catalog.Table) []connectors.Column {
	cols := make([]connectors.Column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = connectors.Column{Name: c.Name, Type: c.Type, Metadata: c.Metadata}
	}
	return cols
}
