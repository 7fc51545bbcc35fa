package operators

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// JoinType is the kind of a join.
type JoinType uint8

// The join types. Semi and anti joins output only the left columns: each
// left row that has a match (semi) or has none (anti), once.
const (
	InnerJoin JoinType = iota
	LeftJoin
	RightJoin
	FullJoin
	SemiJoin
	AntiJoin
)

// joinTypes is the output schema of a join of left and right.
func joinTypes(typ JoinType, left, right []vector.Type) []vector.Type {
	if typ == SemiJoin || typ == AntiJoin {
		return left
	}
	return append(append([]vector.Type(nil), left...), right...)
}

// joiner turns candidate pairs (left row, right row) into join output; it
// is what hash and nested-loop joins share. The right side is materialized
// (right); left rows arrive a batch at a time.
//
// A candidate pair matches when cond (over the left columns then the right
// columns) is true, or always when cond is nil. Pairs are buffered and
// evaluated BatchSize at a time. It remembers which right rows matched
// (for RIGHT and FULL joins, reported by finishRight) and, per left batch,
// which left rows matched (for LEFT, FULL, SEMI and ANTI, by finishLeft).
type joiner struct {
	ctx  context.Context
	out  chan<- Message
	typ  JoinType
	cond vector.Expr
	ectx *vector.EvalContext

	right        []arrow.Array
	rightTypes   []vector.Type
	rightLen     int
	matchedRight []bool

	left        *vector.Batch
	leftTypes   []vector.Type
	matchedLeft []bool
	lidx, ridx  []int32 // buffered candidate pairs
	keep        []int32 // scratch: pairs cond kept
}

func newJoiner(ctx context.Context, out chan<- Message, typ JoinType, cond vector.Expr, ectx *vector.EvalContext,
	leftTypes, rightTypes []vector.Type, right []arrow.Array, rightLen int) *joiner {
	return &joiner{ctx: ctx, out: out, typ: typ, cond: cond, ectx: ectx, leftTypes: leftTypes,
		rightTypes: rightTypes, right: right, rightLen: rightLen, matchedRight: make([]bool, rightLen)}
}

// startLeft begins the pairs of the left batch b.
func (j *joiner) startLeft(b *vector.Batch) {
	j.left = b
	j.matchedLeft = grow(j.matchedLeft, b.Len)
	clear(j.matchedLeft)
}

// pair adds the candidate pair (left row i, right row r).
func (j *joiner) pair(i, r int32) error {
	j.lidx = append(j.lidx, i)
	j.ridx = append(j.ridx, r)
	if len(j.lidx) >= BatchSize {
		return j.flush()
	}
	return nil
}

// flush evaluates the buffered pairs, records matches and emits the
// matching pairs of inner and outer joins.
func (j *joiner) flush() error {
	if len(j.lidx) == 0 {
		return nil
	}
	lidx, ridx := j.lidx, j.ridx
	j.lidx, j.ridx = j.lidx[:0], j.ridx[:0]
	var cols []arrow.Array
	if j.cond != nil || j.emitsPairs() {
		cols = append(vector.TakeColumns(j.left.Cols, lidx), vector.TakeColumns(j.right, ridx)...)
	}
	if j.cond != nil {
		var err error
		j.keep, err = selectTrue(j.ectx, j.cond, vector.NewBatch(cols, len(lidx)), j.keep[:0])
		if err != nil {
			return err
		}
		if len(j.keep) < len(lidx) {
			if j.emitsPairs() {
				cols = vector.TakeColumns(cols, j.keep)
			}
			for k, p := range j.keep {
				lidx[k], ridx[k] = lidx[p], ridx[p]
			}
			lidx, ridx = lidx[:len(j.keep)], ridx[:len(j.keep)]
		}
	}
	for k := range lidx {
		j.matchedLeft[lidx[k]] = true
		j.matchedRight[ridx[k]] = true
	}
	if !j.emitsPairs() || len(lidx) == 0 {
		return nil
	}
	return Send(j.ctx, j.out, Message{Batch: vector.NewBatch(cols, len(lidx))})
}

// emitsPairs reports whether matching pairs are output rows.
func (j *joiner) emitsPairs() bool { return j.typ != SemiJoin && j.typ != AntiJoin }

// finishLeft flushes the current left batch's pairs, then emits its rows
// that LEFT/FULL pad with NULLs, or that SEMI/ANTI output.
func (j *joiner) finishLeft() error {
	if err := j.flush(); err != nil {
		return err
	}
	var idx []int32
	want := j.typ == SemiJoin // emit matched rows, else unmatched ones
	if j.typ == InnerJoin || j.typ == RightJoin {
		return nil
	}
	for i, m := range j.matchedLeft {
		if m == want {
			idx = append(idx, int32(i))
		}
	}
	if len(idx) == 0 {
		return nil
	}
	var cols []arrow.Array
	if len(idx) == j.left.Len {
		cols = j.left.Cols
	} else {
		cols = vector.TakeColumns(j.left.Cols, idx)
	}
	if j.emitsPairs() {
		cols = append(cols, nullColumns(j.rightTypes, len(idx))...)
	}
	return Send(j.ctx, j.out, Message{Batch: vector.NewBatch(cols, len(idx))})
}

// finishRight emits, for RIGHT and FULL joins, the right rows that matched
// nothing, padded with NULL left columns.
func (j *joiner) finishRight() error {
	if j.typ != RightJoin && j.typ != FullJoin {
		return nil
	}
	var idx []int32
	for r, m := range j.matchedRight {
		if !m {
			idx = append(idx, int32(r))
		}
	}
	for from := 0; from < len(idx); from += BatchSize {
		part := idx[from:min(from+BatchSize, len(idx))]
		cols := append(nullColumns(j.leftTypes, len(part)), vector.TakeColumns(j.right, part)...)
		if err := Send(j.ctx, j.out, Message{Batch: vector.NewBatch(cols, len(part))}); err != nil {
			return err
		}
	}
	return nil
}

// nullColumns is one all-NULL column of n rows per type.
func nullColumns(types []vector.Type, n int) []arrow.Array {
	cols := make([]arrow.Array, len(types))
	for c, t := range types {
		cols[c] = nullColumn(t, n)
	}
	return cols
}

// materialize runs op to its end and returns its rows as one column per
// type, and their number.
func materialize(ctx context.Context, op Operator) ([]arrow.Array, int, error) {
	batches, err := collect(ctx, op)
	if err != nil {
		return nil, 0, err
	}
	n := rowCount(batches)
	cols, err := concatColumns(op.Types(), batches)
	return cols, n, err
}
