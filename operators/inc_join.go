package operators

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// NewJoinNode is the continuous counterpart of NewHashJoin: it joins left
// (input 0) and right (input 1) on leftKeys[k] = rightKeys[k] for every k,
// a pair matching only when residual (over the left columns then the right
// columns; nil: always) is true, with the same output as NewHashJoin for
// every JoinType (a NULL key never matches). The null-aware anti join of
// NOT IN is not supported.
func NewJoinNode(left, right *Node, typ JoinType, leftKeys, rightKeys []int, residual vector.Expr, ectx *vector.EvalContext) *Node {
	n := joinNode(left, right, typ, leftKeys, rightKeys, residual)
	n.State = joinStateText + "; unbounded"
	n.New = func() (Incremental, error) {
		return newIncJoin(left, right, typ, leftKeys, rightKeys, residual, ectx), nil
	}
	return n
}

// joinStateText says what every continuous join keeps.
const joinStateText = "per input: its rows with a non-NULL key, by key, with their multiplicity " +
	"(and their match count on the preserved side of an outer join, the left of a semi or anti join)"

// joinNode is the node of a continuous join, without New and State. A join
// without keys runs as one instance.
func joinNode(left, right *Node, typ JoinType, leftKeys, rightKeys []int, residual vector.Expr) *Node {
	n := NewNode("Join", joinTypes(typ, left.Types(), right.Types()), left, right)
	conds := make([]string, len(leftKeys))
	for k := range leftKeys {
		conds[k] = fmt.Sprintf("$%d = $%d", leftKeys[k], len(left.Types())+rightKeys[k])
	}
	if residual != nil {
		conds = append(conds, residual.String())
	}
	n.Detail = joinTypeNames[typ]
	if len(conds) > 0 {
		n.Detail += " on " + strings.Join(conds, " and ")
	}
	if len(leftKeys) > 0 {
		n.Keys = [][]int{leftKeys, rightKeys}
	}
	return n
}

// newIncJoin makes an instance of a join of left and right.
func newIncJoin(left, right *Node, typ JoinType, leftKeys, rightKeys []int, residual vector.Expr, ectx *vector.EvalContext) *incJoin {
	j := &incJoin{typ: typ, residual: residual, ectx: ectx}
	j.sides[0] = newJoinSide(left.Types(), leftKeys, 0, typ != InnerJoin && typ != RightJoin)
	j.sides[1] = newJoinSide(right.Types(), rightKeys, 1, typ == RightJoin || typ == FullJoin)
	return j
}

var joinTypeNames = [...]string{InnerJoin: "inner", LeftJoin: "left", RightJoin: "right", FullJoin: "full",
	SemiJoin: "semi", AntiJoin: "anti"}

// incJoin is one instance of a continuous equi-join (NewJoinNode, and
// NewTimeJoinNode with a timer).
//
// State: per side, its rows with a non-NULL key, in a rowStore by key
// (rows with a NULL key, or a NULL event time in an interval join, never
// match, so they pass through, NULL-padded when their side is output
// unmatched, and are not kept). A tracked side, one whose rows are output
// on their own (the preserved side of an outer join, the left side of a
// semi or anti join), also keeps per entry its match count (see
// joinEntry).
//
// A batch of changes to one side is joined with the other side's current
// rows, then added to its own side, so that Δl ⋈ R + L' ⋈ Δr is exact. The
// matching pairs are emitted at Push, not netted (a pair added and removed
// before a barrier is emitted +1 then -1). The rows of a tracked side are
// emitted at Flush: for each entry changed since the last Flush, the net
// change of its output weight. An entry whose multiplicity is back to zero
// is removed only at Flush, so that a row deleted and re-added before the
// barrier keeps its match count.
//
// A time join (timer non-nil) instead emits a tracked entry's own row only
// when its watermarks close it, and forgets closed entries then (see
// joinTimer).
type incJoin struct {
	typ      JoinType
	residual vector.Expr
	ectx     *vector.EvalContext
	sides    [2]*joinSide
	timer    *joinTimer // nil but for time joins

	// Scratch for Push and Flush.
	hashes  []uint64
	nullKey []int32 // rows with a NULL in a needed column
	di, se  []int32 // candidate pairs: delta row, other side's entry
	fresh   []int64 // per delta row, its match count
	keep    []int32
	idx     []int32
	weights []int64
}

// joinSide is one input of an incJoin and its state.
type joinSide struct {
	types []vector.Type
	keys  []int
	// needed lists the columns a row must have non-NULL to match: the
	// keys, and the event time of an interval join.
	needed  []int
	store   *rowStore
	tracked bool
	ents    pages[joinEntry] // per store entry
	pending []int32          // entries changed since the last Flush
}

// joinEntry is what an incJoin keeps per entry besides its row and
// multiplicity. On tracked sides, matches is the summed multiplicity of
// the other side's rows with an equal key that satisfy the residual, and
// out the weight of the entry's own output row emitted so far (see
// outWeight), which Flush brings up to date; both are 0 on other sides.
// An entry that is not listed in pending may still be in the list,
// forgotten since or listed again after: the flag is the truth.
type joinEntry struct {
	matches, out int64
	pending      bool // listed in pending
	closed       bool // time joins: closed by the watermarks, to be forgotten
}

// The byte after the hash in the state keys of side in: runTag+in in the
// runs of rowStore.checkpoint, in for the entries an older version saved
// one by one.
const runTag = 2

func newJoinSide(types []vector.Type, keys []int, in byte, tracked bool) *joinSide {
	return &joinSide{types: types, keys: keys, needed: keys, store: newRowStore(types, keys, runTag+in), tracked: tracked}
}

// touch lists entry e as changed since the last Flush.
func (s *joinSide) touch(e int32) {
	if je := s.ents.at(e); !je.pending {
		je.pending = true
		s.pending = append(s.pending, e)
	}
}

// setEntry sets the state of entry e, a new one.
func (s *joinSide) setEntry(e int32, je joinEntry) {
	s.ents.extend(int(e) + 1)
	*s.ents.at(e) = je
}

// forget removes entry e, from the next Checkpoint on too.
func (s *joinSide) forget(e int32) {
	s.ents.at(e).pending = false
	s.store.remove(e)
}

// outWeight is the weight of a tracked row's own output given its
// multiplicity and match count: unmatched rows for outer and anti joins,
// matched ones for semi joins.
func (j *incJoin) outWeight(mult, matches int64) int64 {
	if (matches != 0) == (j.typ == SemiJoin) {
		return mult
	}
	return 0
}

// emitsPairs reports whether matching pairs are output rows.
func (j *incJoin) emitsPairs() bool { return j.typ != SemiJoin && j.typ != AntiJoin }

func (j *incJoin) Push(in int, b *vector.Batch, emit Emit) error {
	j.settle()
	if j.timer != nil {
		if b = j.timer.admit(in, b); b.Len == 0 {
			return nil
		}
	}
	s, o := j.sides[in], j.sides[1-in]
	keys, needed := pick(b.Cols, s.keys), pick(b.Cols, s.needed)
	j.hashes = grow(j.hashes, b.Len)
	vector.HashColumns(keys, s.store.keyTypes, b.Len, j.hashes)
	j.fresh = grow(j.fresh, b.Len)
	clear(j.fresh)
	j.nullKey = j.nullKey[:0]
	nulls := slices.ContainsFunc(needed, func(k arrow.Array) bool { return k.NullN() > 0 })
	for i := 0; i < b.Len; i++ {
		if nulls && hasNullKey(needed, i) {
			j.nullKey = append(j.nullKey, int32(i))
			continue
		}
		for e := o.store.first(j.hashes[i]); e >= 0; e = o.store.next(e) {
			if !o.store.keyEqual(e, keys, i) {
				continue
			}
			j.di, j.se = append(j.di, int32(i)), append(j.se, e)
			if len(j.di) == BatchSize {
				if err := j.match(in, b, emit); err != nil {
					return err
				}
			}
		}
	}
	if err := j.match(in, b, emit); err != nil {
		return err
	}
	if len(j.nullKey) > 0 && s.tracked && j.outWeight(1, 0) != 0 {
		rows := vector.TakeRows(b, j.nullKey)
		if err := emit(&vector.Batch{Cols: j.padded(in, rows.Cols, rows.Len), Len: rows.Len, Weights: rows.Weights}); err != nil {
			return err
		}
	}
	s.store.begin(b.Cols, b.Len, j.hashes)
	nullKey := j.nullKey
	for i := 0; i < b.Len; i++ {
		if len(nullKey) > 0 && int(nullKey[0]) == i {
			nullKey = nullKey[1:]
			continue
		}
		e, created := s.store.entry(i)
		if created {
			var je joinEntry
			if s.tracked {
				je.matches = j.fresh[i]
			}
			s.setEntry(e, je)
			if j.timer != nil {
				j.timer.track(in, e, i)
			}
		}
		s.store.add(e, b.Weight(i))
		s.touch(e)
	}
	s.store.end()
	if j.timer != nil {
		return j.closeEntries(emit)
	}
	return nil
}

// match settles the candidate pairs (delta row di[k] of b, on side in;
// entry se[k] of the other side): those satisfying the residual match. A
// match adds to the delta row's match count (fresh) and to the entry's,
// and, when the join outputs pairs, is emitted with the product of their
// weights.
func (j *incJoin) match(in int, b *vector.Batch, emit Emit) error {
	n := len(j.di)
	if n == 0 {
		return nil
	}
	o := j.sides[1-in]
	var cols []arrow.Array
	if j.emitsPairs() || j.residual != nil {
		delta, stored := vector.TakeColumns(b.Cols, j.di), o.store.gather(j.se)
		if in == 0 {
			cols = append(delta, stored...)
		} else {
			cols = append(stored, delta...)
		}
	}
	matched := n
	if j.residual != nil {
		var err error
		if j.keep, err = selectTrue(j.ectx, j.residual, vector.NewBatch(cols, n), j.keep[:0]); err != nil {
			return err
		}
		matched = len(j.keep)
	}
	j.idx, j.weights = j.idx[:0], j.weights[:0]
	for k := range matched {
		p := k
		if j.residual != nil {
			p = int(j.keep[k])
		}
		i, e := j.di[p], j.se[p]
		w, m := b.Weight(int(i)), o.store.mult(e)
		j.fresh[i] += m
		if o.tracked {
			o.ents.at(e).matches += w
			o.touch(e)
		}
		if w*m != 0 && j.emitsPairs() {
			j.idx, j.weights = append(j.idx, int32(p)), append(j.weights, w*m)
		}
	}
	j.di, j.se = j.di[:0], j.se[:0]
	if len(j.idx) == 0 {
		return nil
	}
	if len(j.idx) < n {
		cols = vector.TakeColumns(cols, j.idx)
	}
	return emit(&vector.Batch{Cols: cols, Len: len(j.idx), Weights: weightsOrNil(j.weights)})
}

// padded is the output of rows cols (n of them) of side in on their own:
// NULL-padded for outer joins.
func (j *incJoin) padded(in int, cols []arrow.Array, n int) []arrow.Array {
	if !j.emitsPairs() {
		return cols
	}
	nulls := nullColumns(j.sides[1-in].types, n)
	if in == 0 {
		return slices.Concat(cols, nulls)
	}
	return slices.Concat(nulls, cols)
}

// weightsOrNil is a copy of w for a batch, nil when every weight is 1.
func weightsOrNil(w []int64) []int64 {
	if !slices.ContainsFunc(w, func(x int64) bool { return x != 1 }) {
		return nil
	}
	return slices.Clone(w)
}

// Flush emits the change of the tracked sides' own rows and removes the
// entries whose multiplicity is zero.
func (j *incJoin) Flush(emit Emit) error {
	j.settle()
	for in, s := range j.sides {
		if err := j.flushSide(in, emit); err != nil {
			return err
		}
		for _, e := range s.pending {
			je := s.ents.at(e)
			if !je.pending {
				continue
			}
			je.pending = false
			if s.store.mult(e) != 0 {
				s.store.changed(e)
				continue
			}
			s.forget(e)
		}
		s.pending = s.pending[:0]
		s.store.compact()
	}
	return nil
}

// flushSide emits, for side in when tracked, the change of the output
// weight of each entry changed since the last Flush. Time joins emit
// their sides' own rows when the watermarks close them instead.
func (j *incJoin) flushSide(in int, emit Emit) error {
	s := j.sides[in]
	if !s.tracked || j.timer != nil {
		return nil
	}
	j.idx, j.weights = j.idx[:0], j.weights[:0]
	for _, e := range s.pending {
		je := s.ents.at(e)
		if now := j.outWeight(s.store.mult(e), je.matches); now != je.out {
			j.idx, j.weights = append(j.idx, e), append(j.weights, now-je.out)
			je.out = now
		}
	}
	return j.emitOwn(in, j.idx, j.weights, emit)
}

// emitOwn emits the rows of entries ids of side in on their own (see
// padded), with the given weights.
func (j *incJoin) emitOwn(in int, ids []int32, weights []int64, emit Emit) error {
	s := j.sides[in]
	for from := 0; from < len(ids); from += BatchSize {
		to := min(from+BatchSize, len(ids))
		cols := j.padded(in, s.store.gather(ids[from:to]), to-from)
		if err := emit(&vector.Batch{Cols: cols, Len: to - from, Weights: weightsOrNil(weights[from:to])}); err != nil {
			return err
		}
	}
	return nil
}

// Checkpoint writes, per side, the entries changed since the last
// Checkpoint (see rowStore.checkpoint), each with its match count.
func (j *incJoin) Checkpoint(w StateWriter) error {
	for _, s := range j.sides {
		if err := s.store.checkpoint(w, func(e int32) int64 { return s.ents.at(e).matches }); err != nil {
			return err
		}
	}
	return nil
}

// Restore collects a run of entries written by Checkpoint, or an entry an
// older version wrote on its own; the entries are added to the stores
// before the next Push or Flush (settle).
func (j *incJoin) Restore(key, value []byte) error {
	if len(key) < 9 || key[8] > runTag+1 {
		return errCorruptRow
	}
	s := j.sides[key[8]%runTag]
	if key[8] >= runTag {
		return s.store.restoreRun(key, value)
	}
	mult, n := binary.Varint(value)
	matches, m := binary.Varint(value[max(n, 0):])
	if n <= 0 || m <= 0 || n+m != len(value) {
		return errCorruptRow
	}
	return s.store.restoreEntry(key, mult, matches)
}

// settle adds the restored entries to the stores, as emitted (for time
// joins, whose entries emit only once closed, as open).
func (j *incJoin) settle() {
	for in, s := range j.sides {
		ids, matches := s.store.settle()
		if len(ids) == 0 {
			continue
		}
		for k, e := range ids {
			var je joinEntry
			if s.tracked {
				je.matches = matches[k]
				if j.timer == nil {
					je.out = j.outWeight(s.store.mult(e), je.matches)
				}
			}
			s.setEntry(e, je)
		}
		if j.timer != nil {
			j.timer.trackRestored(in, ids, s.store.gather(ids))
		}
	}
}
