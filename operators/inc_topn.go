package operators

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"iter"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// incTopN keeps, per partition, the rows at positions [offset,
// offset+limit) in order (or, with a rank, the rows whose rank is in
// (offset, offset+limit], the rank appended), over changes.
//
// State: a groupTable of partition keys; an entry per distinct row of a
// partition with its multiplicity; per partition, its entries in order
// (sortedRows). Rows are copied out of the input batches that bring them,
// a batch's new rows together; once the copies hold more rows gone from
// state than rows in state, the rows in state are copied anew
// (compactRows, at a Checkpoint). An entry whose multiplicity drops to
// zero stays, out of the output, until the next Checkpoint deletes its
// state. A partition that empties keeps its key until the table is
// compacted, at a Checkpoint once such partitions are most of it. Between
// Flushes, each partition changed keeps its output as it was at the last
// Flush, to emit the difference. With a window among the partition
// columns (NewWindowTopNNode), the watermark closing a window zeroes the
// multiplicities of its partitions' rows, after emitting what they owe and
// without a change to the output, so that the next Checkpoint deletes
// them; rows that come later for the window are dropped as late.
//
// A change costs O(log n) comparisons in its partition of n rows, and
// moves at most a block of sortedRows. Computing a partition's output
// walks its rows up to the last one output: with no limit, all of them,
// twice per Flush for each partition changed.
type incTopN struct {
	types     []vector.Type
	partition []int
	order     totalOrder
	lo, hi    int64 // output ranks are in (lo, hi]
	rank      RankKind

	parts    *groupTable // partition keys
	state    []topNPartition
	nonEmpty int // partitions with rows
	entries  []topEntry
	free     []int32 // unused entries
	copied   int     // rows copied since compactRows: at least those entries refer to
	touched  []int32 // partitions changed since the last Flush
	changed  []int32 // entries changed since the last Checkpoint
	out      *changeBuilder

	keyTypes []vector.Type  // of the partition columns
	keyCols  []arrow.Array  // scratch: the partition columns of a batch
	ids      []int32        // scratch: the partition of each row of a batch
	added    []int32        // scratch: the entries a batch added
	rowIdx   []int32        // scratch: their rows in the batch
	keyRow   []vector.Datum // scratch of Restore
	restored restoredRows

	// win is set when a partition column is a window: partitions are
	// forgotten once the watermark closes their window.
	win    *windowed
	winKey int // the window's position among the partition columns
}

// topEntry is a distinct row of partition part and its multiplicity, in
// the partition's sortedRows. An unused entry is zero.
type topEntry struct {
	row     rowRef
	n       int64
	part    int32
	changed bool // listed in incTopN.changed
}

// topNPartition is one partition of incTopN.
type topNPartition struct {
	rows    sortedRows
	old     []windowRow // the output at the last Flush, while touched
	touched bool
}

// windowRow is an output row with its rank (0 under NoRank) and weight.
type windowRow struct {
	row     rowRef
	rank, n int64
}

// NewTopNNode implements, per partition (all rows are one partition when
// partition is empty), ORDER BY order LIMIT limit OFFSET offset (limit < 0:
// no limit). With rank != NoRank it appends an int8 column, the row's
// rank in its partition, and keeps the rows whose rank is in (offset,
// offset+limit]: SELECT *, rank() OVER (PARTITION BY … ORDER BY …) r …
// WHERE r <= limit. DISTINCT ON (cols) ORDER BY … is
// NewTopNNode(in, cols, order, 1, 0, NoRank).
//
// Rows that tie on order are ordered by all their columns (see
// totalOrder): which of tied rows are kept is runnel's choice, where
// Postgres leaves it unspecified.
func NewTopNNode(in *Node, partition []int, order []SortKey, limit, offset int64, rank RankKind) *Node {
	types := in.Types()
	outTypes := types
	if rank != NoRank {
		outTypes = append(slices.Clip(types), vector.Int8)
	}
	n := NewNode("TopN", outTypes, in)
	n.Detail = topNDetail(partition, order, limit, offset, rank)
	n.State = "per partition: every row and its multiplicity, in order; unbounded"
	if len(partition) > 0 {
		n.Keys = [][]int{partition}
	}
	hi := int64(math.MaxInt64)
	if limit >= 0 && limit <= math.MaxInt64-offset {
		hi = offset + limit
	}
	keyTypes := make([]vector.Type, len(partition))
	for k, c := range partition {
		keyTypes[k] = types[c]
	}
	n.New = func() (Incremental, error) {
		return &incTopN{
			types: types, partition: partition, order: newTotalOrder(types, order),
			lo: offset, hi: hi, rank: rank,
			parts: newGroupTable(keyTypes), out: newChangeBuilder(outTypes),
			keyTypes: keyTypes, keyCols: make([]arrow.Array, len(partition)),
			restored: restoredRows{types: types},
		}, nil
	}
	return n
}

// NewWindowTopNNode is NewTopNNode where partition column
// partition[windowCol] is a window of the input (a timestamp column such as
// window_start), related to its watermark by bound. Once the watermark
// closes a window, its partitions get no more rows: the operator forgets
// them (their output rows stay, as emitted); rows that still come for a
// closed window are dropped as late.
func NewWindowTopNNode(in *Node, partition []int, order []SortKey, limit, offset int64, rank RankKind, windowCol int, bound Bound) *Node {
	n := NewTopNNode(in, partition, order, limit, offset, rank)
	n.Detail += fmt.Sprintf(" window $%d", partition[windowCol])
	n.State = "per partition of an open window: every row and its multiplicity, in order; forgotten when the watermark closes the window"
	newTopN := n.New
	n.New = func() (Incremental, error) {
		op, err := newTopN()
		if err != nil {
			return nil, err
		}
		t := op.(*incTopN)
		t.win, t.winKey = newWindowed(partition[windowCol], bound), windowCol
		return t, nil
	}
	return n
}

// topNDetail renders a top-N for EXPLAIN.
func topNDetail(partition []int, order []SortKey, limit, offset int64, rank RankKind) string {
	var parts []string
	if len(partition) > 0 {
		parts = append(parts, "partition by "+keyNames(partition))
	}
	keys := make([]string, len(order))
	for k, key := range order {
		keys[k] = fmt.Sprintf("$%d", key.Col)
		if key.Desc {
			keys[k] += " desc"
		}
		switch {
		case key.NullsFirst && !key.Desc:
			keys[k] += " nulls first"
		case !key.NullsFirst && key.Desc:
			keys[k] += " nulls last"
		}
	}
	parts = append(parts, "order by "+strings.Join(keys, ", "))
	if limit >= 0 {
		parts = append(parts, fmt.Sprintf("limit %d", limit))
	}
	if offset > 0 {
		parts = append(parts, fmt.Sprintf("offset %d", offset))
	}
	if rank != NoRank {
		parts = append(parts, rank.String())
	}
	return strings.Join(parts, " ")
}

func (t *incTopN) Push(_ int, b *vector.Batch, _ Emit) error {
	if err := t.settle(); err != nil {
		return err
	}
	if t.win != nil {
		if b = t.win.dropLate(b); b.Len == 0 {
			return nil
		}
	}
	return t.apply(b)
}

// apply adds the changes of b to state. Rows new to state are copied out
// of b together (b may be a slice of a much larger array).
func (t *incTopN) apply(b *vector.Batch) error {
	for k, c := range t.partition {
		t.keyCols[k] = b.Cols[c]
	}
	t.ids = grow(t.ids, b.Len)
	first := int32(t.parts.len())
	t.parts.insert(t.keyCols, b.Len, t.ids)
	t.state = extend(t.state, t.parts.len())
	if t.win != nil {
		t.win.added(b.Cols[t.win.col], t.ids, first)
	}
	t.added = t.added[:0]
	for i, p := range t.ids {
		if err := t.update(p, rowRef{b.Cols, i}, b.Weight(i)); err != nil {
			return err
		}
	}
	if len(t.added) > 0 {
		t.rowIdx = t.rowIdx[:0]
		for _, e := range t.added {
			t.rowIdx = append(t.rowIdx, int32(t.entries[e].row.i))
		}
		rows := vector.TakeColumns(b.Cols, t.rowIdx)
		for k, e := range t.added {
			t.entries[e].row = rowRef{rows, k}
		}
		t.copied += len(t.added)
	}
	return nil
}

// compactRows copies the rows of the entries into one new copy once the
// copies they refer to hold more other rows than theirs, so that copies
// take memory in proportion to the rows in state. It runs right after a
// Flush and a Checkpoint, when only entries refer to rows.
func (t *incTopN) compactRows() {
	inUse := len(t.entries) - len(t.free)
	if t.copied <= 2*inUse+BatchSize {
		return
	}
	refs := make([]*rowRef, 0, inUse)
	for e := range t.entries {
		if t.entries[e].inUse() {
			refs = append(refs, &t.entries[e].row)
		}
	}
	recopyRows(t.types, refs)
	t.copied = len(refs)
}

// inUse reports whether e holds a row: an unused entry is zero, and an
// entry at zero is listed as changed until the Checkpoint that frees it.
func (e *topEntry) inUse() bool { return e.n != 0 || e.changed }

// update adds w to the multiplicity of row r in partition p, adding an
// entry for r (to t.added) when it has none.
func (t *incTopN) update(p int32, r rowRef, w int64) error {
	rows := &t.state[p].rows
	blk, i, found := rows.find(func(e int32) int { return t.order.compare(t.entries[e].row, r) })
	if err := t.touch(p); err != nil {
		return err
	}
	var e int32
	if found {
		e = rows.blocks[blk][i]
		t.entries[e].n += w
	} else {
		if rows.empty() {
			t.nonEmpty++
		}
		e = t.newEntry(topEntry{row: r, n: w, part: p})
		rows.insert(blk, i, e)
		t.added = append(t.added, e)
	}
	if !t.entries[e].changed {
		t.entries[e].changed = true
		t.changed = append(t.changed, e)
	}
	return nil
}

// newEntry stores e in an unused entry and returns it.
func (t *incTopN) newEntry(e topEntry) int32 { return putSlot(&t.entries, &t.free, e) }

// touch keeps the output of partition p before its first change since the
// last Flush.
func (t *incTopN) touch(p int32) error {
	part := &t.state[p]
	if part.touched {
		return nil
	}
	old, err := t.window(&part.rows)
	if err != nil {
		return err
	}
	part.old, part.touched = old, true
	t.touched = append(t.touched, p)
	return nil
}

// window returns the output of a partition's rows, in order.
func (t *incTopN) window(rows *sortedRows) ([]windowRow, error) {
	var out []windowRow
	r := ranker{kind: t.rank}
	var prev *rowRef
	for id := range rows.all() {
		e := &t.entries[id]
		switch {
		case e.n < 0:
			return nil, errNegativeMultiplicity
		case e.n == 0:
			continue
		}
		rank := r.next(e.n, prev != nil && t.order.peers(*prev, e.row))
		if rank > t.hi {
			break
		}
		prev = &e.row
		switch t.rank {
		case Rank, DenseRank:
			if rank > t.lo {
				out = append(out, windowRow{e.row, rank, e.n})
			}
			continue
		}
		// The copies of the row have ranks rank, rank+1, …: keep those in
		// (lo, hi].
		from, to := max(rank, t.lo+1), min(rank+e.n-1, t.hi)
		switch {
		case from > to:
		case t.rank == NoRank:
			out = append(out, windowRow{e.row, 0, to - from + 1})
		default:
			for k := from; k <= to; k++ {
				out = append(out, windowRow{e.row, k, 1})
			}
		}
	}
	return out, nil
}

// Flush emits, for each partition changed since the last Flush, the
// difference between its output then and now.
func (t *incTopN) Flush(emit Emit) error {
	if err := t.settle(); err != nil {
		return err
	}
	for _, p := range t.touched {
		if err := t.flushPartition(p, emit); err != nil {
			return err
		}
	}
	t.touched = t.touched[:0]
	return t.out.flush(emit)
}

// flushPartition adds to the output the difference between partition p's
// output at the last Flush and now, if it changed since (a watermark may
// have flushed it already), and emits the output once it holds a batch.
func (t *incTopN) flushPartition(p int32, emit Emit) error {
	part := &t.state[p]
	if !part.touched {
		return nil
	}
	cur, err := t.window(&part.rows)
	if err != nil {
		return err
	}
	t.emitDiff(part.old, cur)
	part.old, part.touched = nil, false
	if t.out.len() >= BatchSize {
		return t.out.flush(emit)
	}
	return nil
}

func (t *incTopN) LateRows() int64 {
	if t.win == nil {
		return 0
	}
	return t.win.late
}

// Watermark forgets the partitions of the windows t closes, after emitting
// what they owe: their rows' multiplicities drop to zero without a change
// to the output, so that the next Checkpoint deletes their state.
func (t *incTopN) Watermark(_ int, wm int64, emit Emit) error {
	w := t.win
	if w == nil {
		return nil
	}
	if err := t.settle(); err != nil {
		return err
	}
	w.wm = wm
	if !w.closing(wm) {
		return nil
	}
	err := w.exp.expire(wm, func(_ int64, p int32) error {
		if err := t.flushPartition(p, emit); err != nil {
			return err
		}
		for id := range t.state[p].rows.all() {
			e := &t.entries[id]
			e.n = 0
			if !e.changed {
				e.changed = true
				t.changed = append(t.changed, id)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return t.out.flush(emit)
}

// emitDiff adds cur minus old to the output; both are in order.
func (t *incTopN) emitDiff(old, cur []windowRow) {
	for len(old) > 0 || len(cur) > 0 {
		var c int
		switch {
		case len(old) == 0:
			c = 1
		case len(cur) == 0:
			c = -1
		default:
			c = cmp.Or(t.order.compare(old[0].row, cur[0].row), cmp.Compare(old[0].rank, cur[0].rank))
		}
		switch {
		case c < 0:
			t.emitRow(old[0], -old[0].n)
			old = old[1:]
		case c > 0:
			t.emitRow(cur[0], cur[0].n)
			cur = cur[1:]
		default:
			if w := cur[0].n - old[0].n; w != 0 {
				t.emitRow(cur[0], w)
			}
			old, cur = old[1:], cur[1:]
		}
	}
}

// emitRow adds an output row with weight w.
func (t *incTopN) emitRow(r windowRow, w int64) {
	for k, col := range r.row.cols {
		t.out.builders[k].AppendFrom(col, r.row.i)
	}
	if t.rank != NoRank {
		t.out.builders[len(t.types)].Append(r.rank)
	}
	t.out.weight(w)
}

// Checkpoint writes each row changed since the last Checkpoint with its
// multiplicity, keyed by the hash of its partition key, the partition key
// and the row, and forgets the entries at zero.
func (t *incTopN) Checkpoint(w StateWriter) error {
	if err := t.settle(); err != nil {
		return err
	}
	for _, id := range t.changed {
		e := &t.entries[id]
		e.changed = false
		if err := putCount(w, t.stateKey(e), e.n); err != nil {
			return err
		}
		if e.n == 0 {
			t.removeEntry(id)
		}
	}
	t.changed = t.changed[:0]
	t.compactRows()
	t.compactPartitions()
	return nil
}

// removeEntry takes entry id out of its partition and makes it unused.
func (t *incTopN) removeEntry(id int32) {
	e := &t.entries[id]
	rows := &t.state[e.part].rows
	blk, i, _ := rows.find(func(other int32) int { return t.order.compare(t.entries[other].row, e.row) })
	if rows.remove(blk, i); rows.empty() {
		t.nonEmpty--
	}
	*e = topEntry{}
	t.free = append(t.free, id)
}

// stateKey is the key of entry e's state.
func (t *incTopN) stateKey(e *topEntry) []byte {
	r := e.row
	key := binary.BigEndian.AppendUint64(nil, t.parts.hashes[e.part])
	for _, col := range t.partition {
		key = vector.AppendRow(key, r.cols[col:col+1], t.types[col:col+1], r.i)
	}
	return vector.AppendRow(key, r.cols, t.types, r.i)
}

// compactPartitions drops the partitions without rows from the table once
// they are most of it. It runs right after a Flush and a Checkpoint, when
// no partition is touched and no entry is at zero.
func (t *incTopN) compactPartitions() {
	if !worthCompacting(t.parts.len(), t.nonEmpty) {
		return
	}
	keep := make([]int32, 0, t.nonEmpty)
	renumber := make([]int32, len(t.state))
	for p := range t.state {
		if !t.state[p].rows.empty() {
			renumber[p] = int32(len(keep))
			keep = append(keep, int32(p))
		}
	}
	for e := range t.entries {
		if t.entries[e].inUse() {
			t.entries[e].part = renumber[t.entries[e].part]
		}
	}
	t.parts = compactTable(t.parts, keep)
	t.state = gatherAt(t.state, keep)
	if t.win != nil {
		t.win.reindex(t.parts, t.winKey)
	}
}

func (t *incTopN) Restore(key, value []byte) error {
	if len(key) < 8 {
		return errCorruptCounts
	}
	if t.keyRow == nil {
		t.keyRow = make([]vector.Datum, len(t.keyTypes))
	}
	row, err := vector.DecodeRow(key[8:], t.keyTypes, t.keyRow) // the partition key, also in the row
	if err != nil {
		return err
	}
	return t.restored.add(row, value)
}

// settle adds the rows restored to the state, once Restore is done.
func (t *incTopN) settle() error {
	b := t.restored.take()
	if b == nil {
		return nil
	}
	t.keyRow = nil
	if err := t.apply(b); err != nil {
		return err
	}
	// The rows restored were written already.
	for _, id := range t.changed {
		t.entries[id].changed = false
	}
	t.changed = t.changed[:0]
	return t.Flush(discard)
}

// rowRef is row i of cols.
type rowRef struct {
	cols []arrow.Array
	i    int
}

// copyRows builds columns of the given types holding the rows refs refer
// to, in order.
func copyRows(types []vector.Type, refs []rowRef) []arrow.Array {
	builders := make([]*vector.Builder, len(types))
	for c, typ := range types {
		builders[c] = vector.NewBuilder(typ, len(refs))
	}
	for _, r := range refs {
		for c, b := range builders {
			b.AppendFrom(r.cols[c], r.i)
		}
	}
	cols := make([]arrow.Array, len(builders))
	for c, b := range builders {
		cols[c] = b.Finish()
	}
	return cols
}

// recopyRows copies the rows refs refer to into one new copy and points
// each ref at its row there, so that the copies they referred to can go.
func recopyRows(types []vector.Type, refs []*rowRef) {
	rows := make([]rowRef, len(refs))
	for k, r := range refs {
		rows[k] = *r
	}
	cols := copyRows(types, rows)
	for k, r := range refs {
		*r = rowRef{cols, k}
	}
}

// totalOrder orders the rows of a top-N: by the ORDER BY keys, then, to
// break ties, by every column ascending with NULLs last, then by how
// equal values are stored (compareStored). Rows it finds equal are
// identical, so equal rows are one entry of sortedRows.
type totalOrder struct {
	types []vector.Type
	keys  []SortKey // ORDER BY, then every column
	peer  int       // rows equal on keys[:peer] are peers
}

func newTotalOrder(types []vector.Type, order []SortKey) totalOrder {
	keys := slices.Clone(order)
	for c := range types {
		keys = append(keys, SortKey{Col: c})
	}
	return totalOrder{types: types, keys: keys, peer: len(order)}
}

func (o *totalOrder) compare(a, b rowRef) int {
	if c := compareRows(o.types, o.keys, a, b); c != 0 {
		return c
	}
	for c, t := range o.types {
		if a.cols[c].IsNull(a.i) {
			continue
		}
		if d := compareStored(a.cols[c], a.i, b.cols[c], b.i, t); d != 0 {
			return d
		}
	}
	return 0
}

// peers reports whether a and b are equal under ORDER BY.
func (o *totalOrder) peers(a, b rowRef) bool {
	return compareRows(o.types, o.keys[:o.peer], a, b) == 0
}

// compareRows orders rows a and b by keys as ORDER BY does.
func compareRows(types []vector.Type, keys []SortKey, a, b rowRef) int {
	for _, k := range keys {
		x, y := a.cols[k.Col], b.cols[k.Col]
		xn, yn := x.IsNull(a.i), y.IsNull(b.i)
		if xn || yn {
			if xn == yn {
				continue
			}
			if xn == k.NullsFirst {
				return -1
			}
			return 1
		}
		c := vector.CompareAt(x, a.i, y, b.i, types[k.Col])
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// compareStored orders two values that vector.CompareAt finds equal by how
// they are stored, so that values written differently (1.5 and 1.50, 0
// and -0, '1 mon' and '30 days') stay different rows. Neither is NULL.
func compareStored(a arrow.Array, i int, b arrow.Array, j int, t vector.Type) int {
	switch t.Kind {
	case vector.KindNumeric, vector.KindJSONB, vector.KindArray, vector.KindInt2Vector, vector.KindOIDVector, vector.KindRecord:
		return strings.Compare(a.(*array.String).Value(i), b.(*array.String).Value(j))
	case vector.KindFloat4:
		return cmp.Compare(math.Float32bits(a.(*array.Float32).Value(i)), math.Float32bits(b.(*array.Float32).Value(j)))
	case vector.KindFloat8:
		return cmp.Compare(math.Float64bits(a.(*array.Float64).Value(i)), math.Float64bits(b.(*array.Float64).Value(j)))
	case vector.KindInterval:
		x, y := a.(*array.MonthDayNanoInterval).Value(i), b.(*array.MonthDayNanoInterval).Value(j)
		return cmp.Or(cmp.Compare(x.Months, y.Months), cmp.Compare(x.Days, y.Days), cmp.Compare(x.Nanoseconds, y.Nanoseconds))
	}
	return 0
}

// sortedRows keeps a partition's entries in totalOrder of their rows, as
// a list of blocks of at most maxBlockRows entries: finding a row is two
// binary searches, and adding or removing one moves the entries of one
// block (and the list of blocks when a block splits or empties), not all.
type sortedRows struct {
	blocks [][]int32 // none empty
}

const maxBlockRows = 256

func (s *sortedRows) empty() bool { return len(s.blocks) == 0 }

// find returns where the row sought is, or where it belongs: its block and
// its index in the block. cmp orders entry e against the row sought.
func (s *sortedRows) find(cmp func(e int32) int) (blk, i int, found bool) {
	blk = sort.Search(len(s.blocks), func(b int) bool {
		rows := s.blocks[b]
		return cmp(rows[len(rows)-1]) >= 0
	})
	if blk == len(s.blocks) { // after every row: at the end of the last block
		if blk == 0 {
			return 0, 0, false
		}
		return blk - 1, len(s.blocks[blk-1]), false
	}
	i, found = slices.BinarySearchFunc(s.blocks[blk], 0, func(e int32, _ int) int { return cmp(e) })
	return blk, i, found
}

// insert puts entry e at position i of block blk, as find returned them.
func (s *sortedRows) insert(blk, i int, e int32) {
	if s.empty() {
		s.blocks = [][]int32{{e}}
		return
	}
	rows := slices.Insert(s.blocks[blk], i, e)
	if len(rows) > maxBlockRows {
		half := len(rows) / 2
		s.blocks = slices.Insert(s.blocks, blk+1, slices.Clone(rows[half:]))
		rows = rows[:half]
	}
	s.blocks[blk] = rows
}

// remove removes the entry at position i of block blk.
func (s *sortedRows) remove(blk, i int) {
	if rows := slices.Delete(s.blocks[blk], i, i+1); len(rows) > 0 {
		s.blocks[blk] = rows
	} else {
		s.blocks = slices.Delete(s.blocks, blk, blk+1)
	}
}

// all yields the entries in order.
func (s *sortedRows) all() iter.Seq[int32] {
	return func(yield func(int32) bool) {
		for _, rows := range s.blocks {
			for _, e := range rows {
				if !yield(e) {
					return
				}
			}
		}
	}
}
