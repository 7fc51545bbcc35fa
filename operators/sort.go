package operators

import (
	"context"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// SortKey is one ORDER BY key: a column of the input, its direction and
// where NULLs go. Postgres' default is NULLS LAST for ASC and NULLS FIRST
// for DESC; the planner sets NullsFirst explicitly.
type SortKey struct {
	Col        int
	Desc       bool
	NullsFirst bool
}

// sortOp materializes its input and emits it ordered by keys. Ties keep
// their input order (the sort is stable).
type sortOp struct {
	in   Operator
	keys []SortKey
}

// NewSort orders all of in by keys.
func NewSort(in Operator, keys []SortKey) Operator { return &sortOp{in: in, keys: keys} }

func (s *sortOp) Types() []vector.Type { return s.in.Types() }

func (s *sortOp) Run(ctx context.Context, out chan<- Message) error {
	batches, err := collect(ctx, s.in)
	if err != nil {
		return err
	}
	cols, n, err := sortedColumns(s.in.Types(), batches, s.keys)
	if err != nil {
		return err
	}
	return sendSliced(ctx, out, cols, n)
}

// sortedColumns concatenates batches and returns their rows ordered by keys.
func sortedColumns(types []vector.Type, batches []*vector.Batch, keys []SortKey) ([]arrow.Array, int, error) {
	cols, err := concatColumns(types, batches)
	if err != nil {
		return nil, 0, err
	}
	n := rowCount(batches)
	perm := make([]int32, n)
	if !sortByIntKey(perm, cols, types, keys) {
		for i := range perm {
			perm[i] = int32(i)
		}
		order := rowOrder(cols, types, keys)
		slices.SortFunc(perm, func(i, j int32) int {
			if c := order(i, j); c != 0 {
				return c
			}
			return int(i - j) // ties keep input order
		})
	}
	return vector.TakeColumns(cols, perm), n, nil
}

// sortEntry is a row in a sort whose first key is integer-like: the key
// travels with the row number, so comparisons touch no other memory.
type sortEntry struct {
	key  int64
	row  int32
	null bool
}

// sortByIntKey fills perm with the row order when the first key is of an
// integer-like type (integers, oids, dates, times, timestamps) and reports
// whether it did.
func sortByIntKey(perm []int32, cols []arrow.Array, types []vector.Type, keys []SortKey) bool {
	if len(keys) == 0 {
		return false
	}
	first := keys[0]
	arr := cols[first.Col]
	var vals []int64
	switch types[first.Col].Kind {
	case vector.KindInt2:
		vals = widen(arrow.GetValues[int16](arr.Data(), 1))
	case vector.KindInt4, vector.KindDate:
		vals = widen(arrow.GetValues[int32](arr.Data(), 1))
	case vector.KindInt8, vector.KindTime, vector.KindTimestamp, vector.KindTimestampTZ,
		vector.KindOID, vector.KindRegclass, vector.KindRegtype, vector.KindRegproc, vector.KindRegnamespace, vector.KindRegrole:
		vals = arrow.GetValues[int64](arr.Data(), 1)
	default:
		return false
	}
	entries := make([]sortEntry, len(perm))
	nulls := arr.NullN() > 0
	for i := range entries {
		entries[i] = sortEntry{row: int32(i), null: nulls && arr.IsNull(i)}
		if !entries[i].null {
			entries[i].key = vals[i]
		}
	}
	var rest func(i, j int32) int
	if len(keys) > 1 {
		rest = rowOrder(cols, types, keys[1:])
	}
	slices.SortFunc(entries, func(a, b sortEntry) int {
		switch {
		case a.null != b.null:
			if a.null == first.NullsFirst {
				return -1
			}
			return 1
		case a.key != b.key:
			if (a.key < b.key) != first.Desc {
				return -1
			}
			return 1
		}
		if rest != nil {
			if c := rest(a.row, b.row); c != 0 {
				return c
			}
		}
		return int(a.row - b.row) // ties keep input order
	})
	for i, e := range entries {
		perm[i] = e.row
	}
	return true
}

// widen converts integers to int64.
func widen[T int16 | int32](vals []T) []int64 {
	out := make([]int64, len(vals))
	for i, v := range vals {
		out[i] = int64(v)
	}
	return out
}

// rowOrder returns the comparison of two rows of cols by keys, with typed
// comparators bound once.
func rowOrder(cols []arrow.Array, types []vector.Type, keys []SortKey) func(i, j int32) int {
	type boundKey struct {
		SortKey
		arr   arrow.Array
		nulls bool
		cmp   func(i, j int) int
	}
	bound := make([]boundKey, len(keys))
	for k, key := range keys {
		arr := cols[key.Col]
		bound[k] = boundKey{key, arr, arr.NullN() > 0, vector.Comparator(arr, types[key.Col])}
	}
	return func(i, j int32) int {
		for _, k := range bound {
			if k.nulls {
				ni, nj := k.arr.IsNull(int(i)), k.arr.IsNull(int(j))
				if ni || nj {
					if ni == nj {
						continue
					}
					if ni == k.NullsFirst {
						return -1
					}
					return 1
				}
			}
			c := k.cmp(int(i), int(j))
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
}

// topN keeps the first limit+offset rows in key order and emits those past
// offset.
type topN struct {
	in            Operator
	keys          []SortKey
	limit, offset int64
}

// NewTopN implements ORDER BY keys LIMIT limit OFFSET offset while keeping
// only limit+offset rows in memory: after each input batch the kept rows
// and the batch are sorted together and cut back to limit+offset.
func NewTopN(in Operator, keys []SortKey, limit, offset int64) Operator {
	return &topN{in: in, keys: keys, limit: limit, offset: offset}
}

func (t *topN) Types() []vector.Type { return t.in.Types() }

func (t *topN) Run(ctx context.Context, out chan<- Message) error {
	if t.limit < 0 {
		return NewLimit(NewSort(t.in, t.keys), -1, t.offset).Run(ctx, out)
	}
	types := t.in.Types()
	keep := t.limit + t.offset
	var kept *vector.Batch
	err := forEachBatch(ctx, t.in, func(b *vector.Batch) error {
		batches := []*vector.Batch{b}
		if kept != nil {
			batches = []*vector.Batch{kept, b}
		}
		cols, n, err := sortedColumns(types, batches, t.keys)
		if err != nil {
			return err
		}
		kept = sliceBatch(vector.NewBatch(cols, n), 0, min(int64(n), keep))
		return nil
	})
	if err != nil || kept == nil || int64(kept.Len) <= t.offset {
		return err
	}
	rest := sliceBatch(kept, t.offset, int64(kept.Len))
	return sendSliced(ctx, out, rest.Cols, rest.Len)
}
