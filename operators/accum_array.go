package operators

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// arrayAggResult is the type of array_agg(x) for x of type t: an array of
// t, for any t that has an array type other than an array (which would
// make a multidimensional array).
func arrayAggResult(t vector.Type) (vector.Type, bool) {
	at := vector.ArrayOfKind(t.Kind)
	return at, !t.Kind.IsArray() && at.OID() != 0
}

// arrayAggAcc is array_agg(value): each group's values, NULLs included, in
// input order (sorted, NULLs last, for array_agg(DISTINCT value), as
// Postgres' sort for DISTINCT leaves them); NULL for a group without rows.
type arrayAggAcc struct {
	elem, typ vector.Type
	sorted    bool
	vals      [][]vector.Datum
	seen      []bool
}

func (a *arrayAggAcc) resize(n int) {
	a.vals = extend(a.vals, n)
	a.seen = extend(a.seen, n)
}

func (a *arrayAggAcc) update(args []arrow.Array, ids []int32) error {
	for i, g := range ids {
		if g >= 0 {
			a.vals[g] = append(a.vals[g], vector.ValueAt(args[0], a.elem, i))
			a.seen[g] = true
		}
	}
	return nil
}

func (a *arrayAggAcc) result(from, to int) (arrow.Array, error) {
	b := vector.NewBuilder(a.typ, to-from)
	order := datumRowOrder([]vector.Type{a.elem})
	for g := from; g < to; g++ {
		if !a.seen[g] {
			b.AppendNull()
			continue
		}
		vals := a.vals[g]
		if a.sorted {
			vals = slices.Clone(vals)
			slices.SortStableFunc(vals, func(x, y vector.Datum) int { return order([]vector.Datum{x}, []vector.Datum{y}) })
		}
		b.Append(vector.NewArrayValue(a.elem, vals))
	}
	return b.Finish(), nil
}
