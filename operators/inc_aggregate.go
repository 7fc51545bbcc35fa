package operators

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// incAggregate is one instance of NewAggregateNode: GROUP BY over changes.
//
// State: a groupTable numbering the group keys seen, and per group its net
// row count (the group has an output row while it is positive), its flags
// and each aggregate's accumulator. A group whose rows are all deleted
// keeps its number, with empty accumulators, until the dead groups
// outnumber the live ones: compaction then renumbers the live groups and
// forgets the others. Without group columns there is a single group, whose
// row is always shown once first emitted. Everything grows with the number
// of live groups (and, for min, max, string_agg and DISTINCT, of distinct
// values per group).
//
// Until the next Flush, it keeps the output row each touched group had
// before its first change (snapshots), so that Flush emits per group at
// most -old and +new, and nothing when the row did not change. Until the
// next Checkpoint, it lists the groups changed since the last one.
type incAggregate struct {
	groupCols []int
	aggs      []Aggregate
	keyTypes  []vector.Type
	table     *groupTable // nil without group columns
	accs      []incAccumulator
	rows      []int64   // per group: net row count
	flags     []aggFlag // per group
	live      int       // groups whose row count is positive
	emitted   bool      // without group columns: the row was emitted (or restored)

	snapshots []snapshot // since the last Flush
	dirty     []int32    // groups changed since the last Checkpoint
	forgotten [][]byte   // state keys of dirty groups compaction dropped

	// win is set when a group column is a window: groups are forgotten
	// once the watermark closes their window.
	win    *windowed
	winKey int // the window's position among the group columns

	restored     *changeBuilder // keys of groups restored but not settled
	restoredVals [][]byte       // and their state
	row          []vector.Datum // scratch for Restore

	// scratch for Push
	ids, filtered []int32
	ones          []int64
	keys, args    []arrow.Array
}

// aggFlag marks where a group of incAggregate stands.
type aggFlag uint8

const (
	aggTouched aggFlag = 1 << iota // changed since the last Flush
	aggDirty                       // changed since the last Checkpoint
)

// snapshot is the output of the groups a pushed batch touched first since
// the last Flush, as it was before the batch: groups[:shown] had a row,
// whose aggregate values are old (a column per aggregate, aligned with
// them); the other groups had none.
type snapshot struct {
	groups []int32
	shown  int
	old    []arrow.Array
}

// compactMin is the least number of dead groups worth a compaction.
const compactMin = 1024

// NewAggregateNode groups the changes of in by groupCols and maintains aggs
// per group, as NewHashAggregate computes them over the input's contents:
// output columns are the group columns, then one per aggregate. A group has
// a row while it has input rows; with no group columns there is always
// exactly one row (count 0, other aggregates NULL over empty input).
// Ordered aggregates are not supported.
func NewAggregateNode(in *Node, groupCols []int, aggs []Aggregate) *Node {
	inTypes := in.Types()
	keyTypes := make([]vector.Type, len(groupCols))
	for k, c := range groupCols {
		keyTypes[k] = inTypes[c]
	}
	types := slices.Clone(keyTypes)
	for _, agg := range aggs {
		types = append(types, agg.Type)
	}
	n := NewNode("Aggregate", types, in)
	n.Detail = aggregateDetail(groupCols, aggs)
	n.State = "per group: key, row count and accumulators (min, max, string_agg, DISTINCT: each value with its count); unbounded"
	if len(groupCols) > 0 {
		n.Keys = [][]int{groupCols}
	}
	n.New = func() (Incremental, error) {
		a := &incAggregate{groupCols: groupCols, aggs: aggs, keyTypes: keyTypes,
			accs: make([]incAccumulator, len(aggs)), keys: make([]arrow.Array, len(groupCols))}
		for k, agg := range aggs {
			if agg.Func == CountStar && agg.Filter < 0 {
				a.accs[k] = rowCounts{a}
			} else {
				a.accs[k] = newIncAccumulator(agg, inTypes)
			}
		}
		if len(groupCols) > 0 {
			a.table = newGroupTable(keyTypes)
		} else {
			a.resize(1)
		}
		return a, nil
	}
	return n
}

// rowCounts is count(*) without FILTER: the row count of each group, which
// the aggregate keeps anyway.
type rowCounts struct{ a *incAggregate }

func (rowCounts) resize(int)                                   {}
func (rowCounts) update([]arrow.Array, []int32, []int64) error { return nil }
func (rowCounts) compact([]int32)                              {}
func (rowCounts) appendState(dst []byte, _ int32) []byte       { return dst }
func (rowCounts) restoreState(*stateReader, int32)             {}
func (c rowCounts) result(groups []int32) (arrow.Array, error) {
	return fixedColumn(vector.Int8, gatherAt(c.a.rows, groups), nil), nil
}

// aggFuncNames are the SQL names of the aggregate functions.
var aggFuncNames = [...]string{Count: "count", CountStar: "count", Sum: "sum", Avg: "avg", Min: "min",
	Max: "max", BoolAnd: "bool_and", BoolOr: "bool_or", StringAgg: "string_agg"}

// aggregateDetail renders the grouping and the aggregates for EXPLAIN, as
// "GROUP BY $0: count(*), sum(DISTINCT $1) FILTER (WHERE $2)".
func aggregateDetail(groupCols []int, aggs []Aggregate) string {
	calls := make([]string, len(aggs))
	for i, agg := range aggs {
		args := keyNames(agg.Args)
		switch {
		case agg.Func == CountStar:
			args = "*"
		case agg.Distinct:
			args = "DISTINCT " + args
		}
		calls[i] = fmt.Sprintf("%s(%s)", aggFuncNames[agg.Func], args)
		if agg.Filter >= 0 {
			calls[i] += fmt.Sprintf(" FILTER (WHERE $%d)", agg.Filter)
		}
	}
	detail := strings.Join(calls, ", ")
	if len(groupCols) > 0 {
		detail = "GROUP BY " + keyNames(groupCols) + ": " + detail
	}
	return detail
}

func (a *incAggregate) Push(_ int, b *vector.Batch, _ Emit) error {
	if err := a.settle(); err != nil {
		return err
	}
	if a.win != nil {
		if b = a.win.dropLate(b); b.Len == 0 {
			return nil
		}
	}
	ids := a.groupIDs(b)
	if err := a.touch(ids); err != nil {
		return err
	}
	w := a.weights(b)
	for i, g := range ids {
		a.rows[g] += w[i]
	}
	for k, agg := range a.aggs {
		rows := ids
		if agg.Filter >= 0 {
			a.filtered = keepWhereTrue(b.Cols[agg.Filter], ids, grow(a.filtered, b.Len))
			rows = a.filtered
		}
		a.args = a.args[:0]
		for _, c := range agg.Args {
			a.args = append(a.args, b.Cols[c])
		}
		if err := a.accs[k].update(a.args, rows, w); err != nil {
			return err
		}
	}
	return nil
}

// groupIDs returns the group of each row of b, adding groups for new keys.
func (a *incAggregate) groupIDs(b *vector.Batch) []int32 {
	a.ids = grow(a.ids, b.Len)
	if a.table == nil {
		clear(a.ids)
		return a.ids
	}
	for k, c := range a.groupCols {
		a.keys[k] = b.Cols[c]
	}
	first := int32(a.table.len())
	a.table.insert(a.keys, b.Len, a.ids)
	a.resize(a.table.len())
	if a.win != nil {
		a.win.added(b.Cols[a.win.col], a.ids, first)
	}
	return a.ids
}

// resize makes room for groups [0, n).
func (a *incAggregate) resize(n int) {
	if n == len(a.rows) {
		return
	}
	a.rows = extend(a.rows, n)
	a.flags = extend(a.flags, n)
	for _, acc := range a.accs {
		acc.resize(n)
	}
}

// weights is the weight of each row of b.
func (a *incAggregate) weights(b *vector.Batch) []int64 {
	if b.Weights != nil {
		return b.Weights
	}
	if len(a.ones) < b.Len {
		a.ones = make([]int64, b.Len)
		for i := range a.ones {
			a.ones[i] = 1
		}
	}
	return a.ones[:b.Len]
}

// shown reports whether group g has an output row.
func (a *incAggregate) shown(g int32) bool {
	if a.table == nil {
		return a.emitted
	}
	return a.rows[g] > 0
}

// touch takes a snapshot of the groups in ids not touched since the last
// Flush, before they change.
func (a *incAggregate) touch(ids []int32) error {
	var s snapshot
	for _, g := range ids {
		if a.flags[g]&aggTouched == 0 {
			a.flags[g] |= aggTouched
			s.groups = append(s.groups, g)
		}
	}
	if len(s.groups) == 0 {
		return nil
	}
	for j, g := range s.groups { // shown groups first
		if a.shown(g) {
			s.groups[s.shown], s.groups[j] = g, s.groups[s.shown]
			s.shown++
		}
	}
	if s.shown > 0 {
		var err error
		if s.old, err = a.results(s.groups[:s.shown]); err != nil {
			return err
		}
	}
	a.snapshots = append(a.snapshots, s)
	return nil
}

// results builds each aggregate's values of groups.
func (a *incAggregate) results(groups []int32) ([]arrow.Array, error) {
	cols := make([]arrow.Array, len(a.accs))
	for k, acc := range a.accs {
		var err error
		if cols[k], err = acc.result(groups); err != nil {
			return nil, err
		}
	}
	return cols, nil
}

func (a *incAggregate) Flush(emit Emit) error {
	if err := a.settle(); err != nil {
		return err
	}
	if a.table == nil && !a.emitted {
		if err := a.touch([]int32{0}); err != nil {
			return err
		}
		a.emitted = true
	}
	for _, s := range a.snapshots {
		if err := a.emitChanges(s, emit); err != nil {
			return err
		}
	}
	a.snapshots = nil
	if a.table != nil {
		a.compact()
	}
	return nil
}

// emitChanges emits -old +new for each group of s whose row changed.
func (a *incAggregate) emitChanges(s snapshot, emit Emit) error {
	cur, err := a.results(s.groups)
	if err != nil {
		return err
	}
	// positions in s.groups of the rows retracted, added
	gone, come := make([]int32, 0, s.shown), make([]int32, 0, len(s.groups))
	for j, g := range s.groups {
		a.flags[g] &^= aggTouched
		if a.flags[g]&aggDirty == 0 {
			a.flags[g] |= aggDirty
			a.dirty = append(a.dirty, g)
		}
		was, is := j < s.shown, a.shown(g)
		if was && is && sameRow(s.old, cur, j) {
			continue
		}
		if was {
			gone = append(gone, int32(j))
			a.live--
		}
		if is {
			come = append(come, int32(j))
			a.live++
		}
	}
	if err := a.emitRows(s.groups, gone, s.old, -1, emit); err != nil {
		return err
	}
	return a.emitRows(s.groups, come, cur, 1, emit)
}

// emitRows emits, with weight w, the rows of the groups at positions pos of
// groups, with aggregate values vals (aligned with groups).
func (a *incAggregate) emitRows(groups, pos []int32, vals []arrow.Array, w int64, emit Emit) error {
	if len(pos) == 0 {
		return nil
	}
	var cols []arrow.Array
	if a.table != nil {
		cols = a.table.keyColumnsOf(gatherAt(groups, pos))
	}
	for _, v := range vals {
		cols = append(cols, vector.Take(v, pos))
	}
	b := vector.NewBatch(cols, len(pos))
	if w != 1 {
		b.Weights = make([]int64, len(pos))
		for i := range b.Weights {
			b.Weights[i] = w
		}
	}
	return emit(b)
}

// sameRow reports whether row j of x and of y hold the same values.
func sameRow(x, y []arrow.Array, j int) bool {
	for k := range x {
		if !sameValue(x[k], j, y[k], j) {
			return false
		}
	}
	return true
}

// sameValue reports whether row i of a and row j of b (of one type) are
// the same value, bit for bit, NULL the same as NULL. Unlike EqualAt, it
// tells 1.0 from 1.00 and -0 from 0, as their output does.
func sameValue(a arrow.Array, i int, b arrow.Array, j int) bool {
	if an, bn := a.IsNull(i), b.IsNull(j); an || bn {
		return an == bn
	}
	switch a := a.(type) {
	case *array.Boolean:
		return a.Value(i) == b.(*array.Boolean).Value(j)
	case *array.String, *array.Binary:
		return bytes.Equal(rowBytesOf(a, i), rowBytesOf(b, j))
	}
	width := a.DataType().(arrow.FixedWidthDataType).Bytes()
	return bytes.Equal(fixedBytes(a, i, width), fixedBytes(b, j, width))
}

// fixedBytes is the memory of row i of a fixed-width column.
func fixedBytes(a arrow.Array, i, width int) []byte {
	d := a.Data()
	at := (d.Offset() + i) * width
	return d.Buffers()[1].Bytes()[at : at+width]
}

// compact forgets the groups without rows once they are many and outnumber
// the others, renumbering the live groups 0, 1, … in order.
func (a *incAggregate) compact() {
	dead := a.table.len() - a.live
	if dead <= a.live || dead < compactMin {
		return
	}
	live := make([]int32, 0, a.live)
	var gone []int32
	for g, n := range a.rows {
		switch {
		case n > 0:
			live = append(live, int32(g))
		case a.flags[g]&aggDirty != 0:
			gone = append(gone, int32(g))
		}
	}
	a.forgotten = append(a.forgotten, a.stateKeys(gone)...)
	keys := a.table.keyColumnsOf(live)
	a.table = newGroupTable(a.keyTypes)
	a.table.reserve(len(live))
	a.table.insert(keys, len(live), make([]int32, len(live)))
	a.rows, a.flags = gatherAt(a.rows, live), gatherAt(a.flags, live)
	for _, acc := range a.accs {
		acc.compact(live)
	}
	a.dirty = a.dirty[:0]
	for g, f := range a.flags {
		if f&aggDirty != 0 {
			a.dirty = append(a.dirty, int32(g))
		}
	}
	a.reindexWindows()
}

// Checkpoint writes the state of each group changed since the last
// Checkpoint under its state key, or deletes the key of a group that has
// no rows left. The value is the row count, then each accumulator's state.
func (a *incAggregate) Checkpoint(w StateWriter) error {
	for _, key := range a.forgotten {
		if err := w.Delete(key); err != nil {
			return err
		}
	}
	a.forgotten = nil
	keys := a.stateKeys(a.dirty)
	var buf []byte
	for j, g := range a.dirty {
		a.flags[g] &^= aggDirty
		if !a.shown(g) {
			if err := w.Delete(keys[j]); err != nil {
				return err
			}
			continue
		}
		start := len(buf)
		buf = binary.AppendVarint(buf, a.rows[g])
		for _, acc := range a.accs {
			buf = acc.appendState(buf, g)
		}
		if err := w.Put(keys[j], buf[start:len(buf):len(buf)]); err != nil {
			return err
		}
	}
	a.dirty = a.dirty[:0]
	return nil
}

// stateKeys returns the state key of each group: the 8-byte big-endian
// hash of its key (as routing computes it), then the key (vector.AppendRow).
// Without group columns, the key is the hash of no columns.
func (a *incAggregate) stateKeys(groups []int32) [][]byte {
	keys := make([][]byte, len(groups))
	if a.table == nil {
		var h [1]uint64
		vector.HashColumns(nil, nil, 1, h[:])
		for j := range keys {
			keys[j] = binary.BigEndian.AppendUint64(nil, h[0])
		}
		return keys
	}
	cols := a.table.keyColumnsOf(groups)
	var buf []byte
	for j, g := range groups {
		start := len(buf)
		buf = binary.BigEndian.AppendUint64(buf, a.table.hashes[g])
		buf = vector.AppendRow(buf, cols, a.keyTypes, j)
		keys[j] = buf[start:len(buf):len(buf)]
	}
	return keys
}

// Restore loads a group written by Checkpoint. Groups are added to the
// table a batch at a time (see settle).
func (a *incAggregate) Restore(key, value []byte) error {
	if len(key) < 8 {
		return errCorruptAggregate
	}
	if a.table == nil {
		a.emitted = true
		return a.restoreGroup(0, value)
	}
	if a.restored == nil {
		a.restored = newChangeBuilder(a.keyTypes)
		a.row = make([]vector.Datum, len(a.keyTypes))
	}
	rest, err := vector.DecodeRow(key[8:], a.keyTypes, a.row)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errCorruptAggregate
	}
	a.restored.addDatums(a.row, 1)
	a.restoredVals = append(a.restoredVals, bytes.Clone(value))
	if len(a.restoredVals) == BatchSize {
		return a.settle()
	}
	return nil
}

// settle adds the groups restored and not yet added to the state.
func (a *incAggregate) settle() error {
	if len(a.restoredVals) == 0 {
		return nil
	}
	var keys []arrow.Array
	a.restored.flush(func(b *vector.Batch) error { keys = b.Cols; return nil })
	a.ids = grow(a.ids, len(a.restoredVals))
	first := int32(a.table.len())
	a.table.insert(keys, len(a.ids), a.ids)
	a.resize(a.table.len())
	if a.win != nil {
		a.win.added(keys[a.winKey], a.ids, first)
	}
	for j, g := range a.ids {
		if err := a.restoreGroup(g, a.restoredVals[j]); err != nil {
			return err
		}
		a.live++
	}
	a.restoredVals = a.restoredVals[:0]
	return nil
}

// restoreGroup sets group g's state from a value written by Checkpoint.
func (a *incAggregate) restoreGroup(g int32, value []byte) error {
	r := &stateReader{src: value}
	a.rows[g] = r.varint()
	for _, acc := range a.accs {
		acc.restoreState(r, g)
	}
	if r.err == nil && len(r.src) != 0 {
		return errCorruptAggregate
	}
	return r.err
}
