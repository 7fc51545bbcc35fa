package operators

import (
	"context"

	"github.com/runneldb/runnel/vector"
)

// SetOp is a set operation between two queries.
type SetOp uint8

// The set operations.
const (
	Union SetOp = iota
	Intersect
	Except
)

// NewSetOp combines left and right (same column types) as UNION,
// INTERSECT or EXCEPT. Rows compare with NULLs equal. Without all the
// result has no duplicates; with all a row occurring l times on the left
// and r times on the right occurs l+r (UNION ALL), min(l, r) (INTERSECT
// ALL) or max(l-r, 0) (EXCEPT ALL) times, as in Postgres.
func NewSetOp(left, right Operator, op SetOp, all bool) Operator {
	if op == Union {
		if all {
			return NewUnionAll(left, right)
		}
		return NewDistinct(NewUnionAll(left, right))
	}
	return &setOp{left: left, right: right, op: op, all: all}
}

// setOp is INTERSECT [ALL] and EXCEPT [ALL]. State: a groupTable of the
// distinct left rows and, per row, how often it occurs on each side.
type setOp struct {
	left, right Operator
	op          SetOp
	all         bool
}

func (s *setOp) Types() []vector.Type { return s.left.Types() }

func (s *setOp) Run(ctx context.Context, out chan<- Message) error {
	table := newGroupTable(s.left.Types())
	var lcount, rcount []int64
	var ids []int32
	err := forEachBatch(ctx, s.left, func(b *vector.Batch) error {
		ids = grow(ids, b.Len)
		table.insert(b.Cols, b.Len, ids)
		lcount = extend(lcount, table.len())
		for _, g := range ids {
			lcount[g]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	rcount = make([]int64, table.len())
	err = forEachBatch(ctx, s.right, func(b *vector.Batch) error {
		ids = grow(ids, b.Len)
		table.lookup(b.Cols, b.Len, ids)
		for _, g := range ids {
			if g >= 0 {
				rcount[g]++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Output each group as many times as the operation says, BatchSize
	// rows at a time.
	var idx []int32
	flush := func() error {
		if len(idx) == 0 {
			return nil
		}
		from, to := int(idx[0]), int(idx[len(idx)-1])+1
		for k := range idx {
			idx[k] -= int32(from)
		}
		cols := vector.TakeColumns(table.keyColumns(from, to), idx)
		err := Send(ctx, out, Message{Batch: vector.NewBatch(cols, len(idx))})
		idx = idx[:0]
		return err
	}
	for g := range lcount {
		for range s.copies(lcount[g], rcount[g]) {
			idx = append(idx, int32(g))
			if len(idx) == BatchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// copies is how many times a row occurring l > 0 times on the left and r
// times on the right is output.
func (s *setOp) copies(l, r int64) int64 {
	switch {
	case s.op == Intersect && s.all:
		return min(l, r)
	case s.op == Except && s.all:
		return max(l-r, 0)
	case s.op == Intersect && r > 0, s.op == Except && r == 0:
		return 1
	}
	return 0
}
