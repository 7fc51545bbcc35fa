package operators

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// hashJoin is an equi-join: it builds a hash table over the right input's
// keys, then streams the left input through it.
//
// State: the right input, materialized and indexed by a groupTable over its
// key columns, with the rows of each distinct key chained in input order.
// Rows with a NULL in any key never match.
type hashJoin struct {
	left, right         Operator
	typ                 JoinType
	leftKeys, rightKeys []int
	residual            vector.Expr
	nullAware           bool
	ectx                *vector.EvalContext
}

// NewHashJoin joins left and right on leftKeys[k] = rightKeys[k] for every
// k (the key columns of both sides have the same types). residual, when not
// nil, is a further condition over the concatenated row (left columns then
// right columns): a pair failing it is not a match, also for outer joins.
// Output: left columns then right columns, NULL-padded for the unmatched
// rows of outer joins; semi and anti joins output the left columns only.
//
// nullAware (anti joins only) gives NOT IN semantics: when the right side
// has a row with a NULL key, no row is output; a left row with a NULL key
// is output only when the right side is empty.
func NewHashJoin(left, right Operator, typ JoinType, leftKeys, rightKeys []int, residual vector.Expr, nullAware bool, ectx *vector.EvalContext) Operator {
	return &hashJoin{left: left, right: right, typ: typ, leftKeys: leftKeys, rightKeys: rightKeys,
		residual: residual, nullAware: nullAware, ectx: ectx}
}

func (h *hashJoin) Types() []vector.Type {
	return joinTypes(h.typ, h.left.Types(), h.right.Types())
}

func (h *hashJoin) Run(ctx context.Context, out chan<- Message) error {
	right, n, err := materialize(ctx, h.right)
	if err != nil {
		return err
	}
	keyTypes := make([]vector.Type, len(h.rightKeys))
	for k, c := range h.rightKeys {
		keyTypes[k] = h.right.Types()[c]
	}
	table := newGroupTable(keyTypes)
	table.reserve(n)
	ids := make([]int32, n)
	table.insert(pick(right, h.rightKeys), n, ids)
	rightNull := anyNull(pick(right, h.rightKeys), n, ids)
	if h.nullAware && n > 0 && rightNull {
		return nil // x NOT IN (…, NULL, …) is never true
	}
	// head[g] is the first right row of group g, next[r] the row after r.
	head := make([]int32, table.len())
	for g := range head {
		head[g] = -1
	}
	next := make([]int32, n)
	for r := n - 1; r >= 0; r-- {
		if g := ids[r]; g >= 0 {
			next[r], head[g] = head[g], int32(r)
		}
	}

	j := newJoiner(ctx, out, h.typ, h.residual, h.ectx, h.left.Types(), h.right.Types(), right, n)
	var probe []int32
	err = forEachBatch(ctx, h.left, func(b *vector.Batch) error {
		j.startLeft(b)
		keys := pick(b.Cols, h.leftKeys)
		probe = grow(probe, b.Len)
		table.lookup(keys, b.Len, probe)
		if anyNull(keys, b.Len, probe) && h.nullAware && n > 0 {
			for i, g := range probe {
				if g < 0 && hasNullKey(keys, i) {
					j.matchedLeft[i] = true // NULL NOT IN (non-empty) is not true
				}
			}
		}
		for i, g := range probe {
			if g < 0 {
				continue
			}
			for r := head[g]; r >= 0; r = next[r] {
				if err := j.pair(int32(i), r); err != nil {
					return err
				}
			}
		}
		return j.finishLeft()
	})
	if err != nil {
		return err
	}
	return j.finishRight()
}

// pick returns the columns of cols at the given indexes.
func pick(cols []arrow.Array, idx []int) []arrow.Array {
	out := make([]arrow.Array, len(idx))
	for k, c := range idx {
		out[k] = cols[c]
	}
	return out
}

// anyNull sets ids[i] to -1 for every row with a NULL in some key column
// and reports whether there was one.
func anyNull(keys []arrow.Array, n int, ids []int32) bool {
	found := false
	for _, k := range keys {
		if k.NullN() == 0 {
			continue
		}
		found = true
		for i := 0; i < n; i++ {
			if k.IsNull(i) {
				ids[i] = -1
			}
		}
	}
	return found
}

// hasNullKey reports whether row i has a NULL in some key column.
func hasNullKey(keys []arrow.Array, i int) bool {
	for _, k := range keys {
		if k.IsNull(i) {
			return true
		}
	}
	return false
}
