package operators

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/apd/v3"
	"github.com/runneldb/runnel/vector"
)

// col builds a column of type t from Datums (nil is NULL); numerics may be
// given as their text.
func col(t vector.Type, vals ...any) arrow.Array {
	b := vector.NewBuilder(t, len(vals))
	for _, v := range vals {
		if s, ok := v.(string); ok && t.Kind == vector.KindNumeric {
			d, err := vector.ParseNumeric(s)
			if err != nil {
				panic(err)
			}
			v = d
		}
		b.Append(v)
	}
	return b.Finish()
}

// batch builds a batch from columns of equal length.
func batch(cols ...arrow.Array) *vector.Batch {
	return vector.NewBatch(cols, cols[0].Len())
}

// values is an operator emitting the given batches.
func valuesOf(types []vector.Type, batches ...*vector.Batch) Operator {
	return NewValues(types, batches)
}

// run executes op and renders its rows as "v1|v2|…" (NULL for NULL), in
// output order.
func run(t *testing.T, op Operator) []string {
	t.Helper()
	rows, err := runErr(op)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return rows
}

func runErr(op Operator) ([]string, error) {
	s := Open(context.Background(), op)
	defer s.Close()
	types := op.Types()
	var rows []string
	for {
		b, err := s.Next()
		if err != nil {
			return rows, err
		}
		if b == nil {
			return rows, nil
		}
		for i := 0; i < b.Len; i++ {
			vals := make([]string, len(b.Cols))
			for c, arr := range b.Cols {
				vals[c] = render(vector.ValueAt(arr, types[c], i))
			}
			rows = append(rows, strings.Join(vals, "|"))
		}
	}
}

func render(d vector.Datum) string {
	switch v := d.(type) {
	case nil:
		return "NULL"
	case *apd.Decimal:
		return vector.FormatNumeric(v)
	case vector.IntervalValue:
		return fmt.Sprintf("%dmon%dd%dus", v.Months, v.Days, v.Micros)
	}
	return fmt.Sprint(d)
}

// sorted returns rows sorted, for outputs whose order is unspecified.
func sorted(rows []string) []string {
	rows = slices.Clone(rows)
	slices.Sort(rows)
	return rows
}

func checkRows(t *testing.T, name string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", name, got, want)
	}
}
