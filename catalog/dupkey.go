package catalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/runneldb/runnel/vector"
)

// attach makes storage report primary key violations of table id with the
// table's current names, as Postgres does:
//
//	duplicate key value violates unique constraint "t_pkey"
//	DETAIL: Key (a, b)=(1, x) already exists.
func (c *Catalog) attach(id uint32) error {
	st, ok := c.st.Table(uint64(id))
	if !ok {
		return fmt.Errorf("catalog: table %d has no storage", id)
	}
	st.SetDuplicateKeyError(func(b *vector.Batch, row int) error {
		t, ok := c.TableByID(id)
		if !ok {
			return vector.Errorf(vector.CodeUniqueViolation, "duplicate key value violates unique constraint")
		}
		names := make([]string, len(t.PrimaryKey))
		vals := make([]string, len(t.PrimaryKey))
		for j, col := range t.PrimaryKey {
			ty := t.Columns[col].Type
			names[j] = t.Columns[col].Name
			vals[j] = vector.FormatDatum(vector.ValueAt(b.Cols[col], ty, row), ty, time.UTC)
		}
		return &vector.Error{Code: vector.CodeUniqueViolation,
			Message: fmt.Sprintf("duplicate key value violates unique constraint \"%s\"", t.PrimaryKeyName),
			Detail:  fmt.Sprintf("Key (%s)=(%s) already exists.", strings.Join(names, ", "), strings.Join(vals, ", "))}
	})
	return nil
}
