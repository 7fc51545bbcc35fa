package operators

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// hashAggregate groups its input by key columns and computes aggregates.
//
// State: a groupTable numbering the distinct keys, and per aggregate an
// accumulator holding typed slices indexed by group number. Everything is
// kept until the input ends, then emitted group by group in batches.
type hashAggregate struct {
	in        Operator
	groupCols []int
	aggs      []Aggregate
	types     []vector.Type
}

// NewHashAggregate groups in by groupCols and computes aggs per group.
// Output columns: the group columns, then one per aggregate. With no group
// columns it emits exactly one row, even over empty input (count 0, other
// aggregates NULL), as Postgres does.
func NewHashAggregate(in Operator, groupCols []int, aggs []Aggregate) Operator {
	var types []vector.Type
	for _, c := range groupCols {
		types = append(types, in.Types()[c])
	}
	for _, a := range aggs {
		types = append(types, a.Type)
	}
	return &hashAggregate{in: in, groupCols: groupCols, aggs: aggs, types: types}
}

func (h *hashAggregate) Types() []vector.Type { return h.types }

func (h *hashAggregate) Run(ctx context.Context, out chan<- Message) error {
	inTypes := h.in.Types()
	keyTypes := h.types[:len(h.groupCols)]
	table := newGroupTable(keyTypes)
	accs := make([]accumulator, len(h.aggs))
	for a, agg := range h.aggs {
		accs[a] = newAccumulator(agg, inTypes)
	}
	global := len(h.groupCols) == 0
	if global {
		for _, acc := range accs {
			acc.resize(1)
		}
	}
	var ids, filtered []int32
	keys := make([]arrow.Array, len(h.groupCols))
	err := forEachBatch(ctx, h.in, func(b *vector.Batch) error {
		ids = grow(ids, b.Len)
		if global {
			clear(ids)
		} else {
			for k, c := range h.groupCols {
				keys[k] = b.Cols[c]
			}
			table.insert(keys, b.Len, ids)
			for _, acc := range accs {
				acc.resize(table.len())
			}
		}
		for a, agg := range h.aggs {
			rows := ids
			if agg.Filter >= 0 {
				filtered = keepWhereTrue(b.Cols[agg.Filter], ids, grow(filtered, b.Len))
				rows = filtered
			}
			args := make([]arrow.Array, len(agg.Args))
			for i, c := range agg.Args {
				args[i] = b.Cols[c]
			}
			if err := accs[a].update(args, rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	groups := table.len()
	if global {
		groups = 1
	}
	for from := 0; from < groups; from += BatchSize {
		to := min(from+BatchSize, groups)
		cols := table.keyColumns(from, to)
		if global {
			cols = nil
		}
		for _, acc := range accs {
			col, err := acc.result(from, to)
			if err != nil {
				return err
			}
			cols = append(cols, col)
		}
		if err := Send(ctx, out, Message{Batch: vector.NewBatch(cols, to-from)}); err != nil {
			return err
		}
	}
	return nil
}

// keepWhereTrue copies ids into dst, with -1 for rows where the boolean
// column cond is false or NULL.
func keepWhereTrue(cond arrow.Array, ids, dst []int32) []int32 {
	c := cond.(*array.Boolean)
	nulls := c.NullN() > 0
	for i, g := range ids {
		if c.Value(i) && (!nulls || c.IsValid(i)) {
			dst[i] = g
		} else {
			dst[i] = -1
		}
	}
	return dst
}
