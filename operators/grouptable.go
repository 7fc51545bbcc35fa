package operators

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runneldb/runnel/vector"
)

// groupTable numbers distinct keys densely: the first key inserted is group
// 0, the next new one group 1, and so on. It backs GROUP BY, DISTINCT, the
// set operations and the build side of hash joins.
//
// Keys are compared as GROUP BY sees them (vector.EqualAt: NULL equals
// NULL) and hashed with vector.HashColumns. The table is open addressing
// with linear probing over slots holding group+1 (0 is empty); it keeps at
// most a quarter of its slots full, since short probe sequences spare
// mispredicted branches (at half full GROUP BY ran a third slower). Each
// key column is stored once per group in a typed keyStore, so probing
// compares Arrow buffers directly.
type groupTable struct {
	types  []vector.Type
	keys   []keyStore
	hashes []uint64 // hash of each group's key
	slots  []int32
	mask   uint64
	hbuf   []uint64 // scratch: hashes of the current batch
}

func newGroupTable(types []vector.Type) *groupTable {
	t := &groupTable{types: types, keys: make([]keyStore, len(types))}
	for c, typ := range types {
		t.keys[c] = newKeyStore(typ)
	}
	t.slots = make([]int32, 256)
	t.mask = 255
	return t
}

// reserve sizes the slots for n groups, sparing rehashes while they are
// added.
func (t *groupTable) reserve(n int) {
	size := len(t.slots)
	for size < 4*n {
		size *= 2
	}
	if size > len(t.slots) {
		t.slots = make([]int32, size/2)
		t.grow()
	}
}

// len is the number of groups.
func (t *groupTable) len() int { return len(t.hashes) }

// insert sets ids[i] to the group of row i of cols (n rows), adding a group
// for each key not seen before.
func (t *groupTable) insert(cols []arrow.Array, n int, ids []int32) {
	t.find(cols, n, ids, true)
}

// insertFirst is insert that also appends to first, in row order, the
// rows that added a new group (the first occurrence of each new key).
func (t *groupTable) insertFirst(cols []arrow.Array, n int, ids, first []int32) []int32 {
	next := int32(t.len()) // new groups are numbered in row order
	t.insert(cols, n, ids)
	for i, g := range ids {
		if g == next {
			first = append(first, int32(i))
			next++
		}
	}
	return first
}

// lookup sets ids[i] to the group of row i of cols, or -1 when the key is
// not in the table.
func (t *groupTable) lookup(cols []arrow.Array, n int, ids []int32) {
	t.find(cols, n, ids, false)
}

func (t *groupTable) find(cols []arrow.Array, n int, ids []int32, add bool) {
	if cap(t.hbuf) < n {
		t.hbuf = make([]uint64, n)
	}
	hashes := t.hbuf[:n]
	vector.HashColumns(cols, t.types, n, hashes)
	for c, k := range t.keys {
		k.bind(cols[c])
	}
	switch len(t.keys) {
	case 1:
		switch k := t.keys[0].(type) {
		case *fixedKeys[int64]:
			if !k.nulls {
				probeFixed(t, k, hashes, ids, add)
				return
			}
		case *fixedKeys[int32]:
			if !k.nulls {
				probeFixed(t, k, hashes, ids, add)
				return
			}
		}
	case 2:
		k0, ok0 := t.keys[0].(*fixedKeys[int64])
		k1, ok1 := t.keys[1].(*fixedKeys[int64])
		if ok0 && ok1 && !k0.nulls && !k1.nulls {
			probeFixedPair(t, k0, k1, hashes, ids, add)
			return
		}
	}
	for i, h := range hashes {
		s := h & t.mask
		for {
			g := t.slots[s] - 1
			if g < 0 {
				ids[i] = t.miss(s, h, i, add)
				break
			}
			if t.hashes[g] == h && t.equal(g, i) {
				ids[i] = g
				break
			}
			s = (s + 1) & t.mask
		}
	}
}

// probeFixed is the probe loop of find for a single integer key bound to a
// column without NULLs: a group matches when its value is the row's and
// not NULL, so neither hashes nor keyStore calls are needed to compare.
func probeFixed[T int32 | int64](t *groupTable, k *fixedKeys[T], hashes []uint64, ids []int32, add bool) {
	for i, h := range hashes {
		v := k.in[i]
		s := h & t.mask
		for {
			g := t.slots[s] - 1
			if g < 0 {
				ids[i] = t.miss(s, h, i, add)
				break
			}
			if k.vals[g] == v && k.valid[g] {
				ids[i] = g
				break
			}
			s = (s + 1) & t.mask
		}
	}
}

// probeFixedPair is probeFixed for two 64-bit integer keys (a window and
// a bigint, say), both bound to columns without NULLs.
func probeFixedPair(t *groupTable, k0, k1 *fixedKeys[int64], hashes []uint64, ids []int32, add bool) {
	for i, h := range hashes {
		v0, v1 := k0.in[i], k1.in[i]
		s := h & t.mask
		for {
			g := t.slots[s] - 1
			if g < 0 {
				ids[i] = t.miss(s, h, i, add)
				break
			}
			if t.hashes[g] == h && k0.vals[g] == v0 && k1.vals[g] == v1 && k0.valid[g] && k1.valid[g] {
				ids[i] = g
				break
			}
			s = (s + 1) & t.mask
		}
	}
}

// miss is the group of row i (hash h) whose probe ended at empty slot s:
// a new group when add, else -1.
func (t *groupTable) miss(s, h uint64, i int, add bool) int32 {
	if !add {
		return -1
	}
	return t.addGroup(s, h, i)
}

// equal reports whether group g's key equals row i of the bound columns.
func (t *groupTable) equal(g int32, i int) bool {
	for _, k := range t.keys {
		if !k.equal(g, i) {
			return false
		}
	}
	return true
}

// addGroup stores row i of the bound columns as a new group in empty slot s.
func (t *groupTable) addGroup(s, h uint64, i int) int32 {
	g := int32(len(t.hashes))
	t.hashes = append(t.hashes, h)
	for _, k := range t.keys {
		k.add(i)
	}
	t.slots[s] = g + 1
	if 4*len(t.hashes) > len(t.slots) {
		t.grow()
	}
	return g
}

// grow doubles the slots and reinserts every group by its hash.
func (t *groupTable) grow() {
	t.slots = make([]int32, 2*len(t.slots))
	t.mask = uint64(len(t.slots) - 1)
	for g, h := range t.hashes {
		s := h & t.mask
		for t.slots[s] != 0 {
			s = (s + 1) & t.mask
		}
		t.slots[s] = int32(g) + 1
	}
}

// keyColumns returns the key columns of groups [from, to).
func (t *groupTable) keyColumns(from, to int) []arrow.Array {
	cols := make([]arrow.Array, len(t.keys))
	for c, k := range t.keys {
		cols[c] = k.column(t.types[c], from, to)
	}
	return cols
}

// keyColumnsOf returns the key columns of the given groups, in that order.
func (t *groupTable) keyColumnsOf(groups []int32) []arrow.Array {
	cols := make([]arrow.Array, len(t.keys))
	for c, k := range t.keys {
		cols[c] = k.gather(t.types[c], groups)
	}
	return cols
}

// gatherAt returns s[idx[0]], s[idx[1]], … as a new slice.
func gatherAt[T any](s []T, idx []int32) []T {
	out := make([]T, len(idx))
	for k, i := range idx {
		out[k] = s[i]
	}
	return out
}

// keyStore keeps one key column of a groupTable: the value of each group.
type keyStore interface {
	// bind makes arr the column that equal and add read rows of.
	bind(arr arrow.Array)
	// equal reports whether group g's value equals row i (NULL = NULL).
	equal(g int32, i int) bool
	// add appends row i as the value of the next group.
	add(i int)
	// column builds the values of groups [from, to) as a column of type t.
	column(t vector.Type, from, to int) arrow.Array
	// gather builds the values of the given groups as a column of type t.
	gather(t vector.Type, groups []int32) arrow.Array
}

func newKeyStore(t vector.Type) keyStore {
	switch t.Kind {
	case vector.KindBool:
		return &boolKeys{}
	case vector.KindInt2:
		return &fixedKeys[int16]{}
	case vector.KindInt4, vector.KindDate:
		return &fixedKeys[int32]{}
	case vector.KindInt8, vector.KindTime, vector.KindTimestamp, vector.KindTimestampTZ,
		vector.KindOID, vector.KindRegclass, vector.KindRegtype, vector.KindRegproc, vector.KindRegnamespace, vector.KindRegrole:
		return &fixedKeys[int64]{}
	case vector.KindFloat4:
		return &floatKeys[float32]{}
	case vector.KindFloat8:
		return &floatKeys[float64]{}
	case vector.KindInterval:
		return &intervalKeys{}
	case vector.KindNumeric:
		return &stringKeys{numeric: true}
	}
	return &stringKeys{}
}

// nullKeys is the NULL bookkeeping every keyStore shares: valid[g] is false
// for a group whose value is NULL.
type nullKeys struct {
	valid []bool
	cur   arrow.Array
	nulls bool // cur has NULLs
}

func (k *nullKeys) bindNulls(arr arrow.Array) {
	k.cur = arr
	k.nulls = arr.NullN() > 0
}

// nullEqual decides equality when group g or row i is NULL: decided is
// false when both are values, which the caller then compares.
func (k *nullKeys) nullEqual(g int32, i int) (eq, decided bool) {
	rowNull := k.nulls && k.cur.IsNull(i)
	if !k.valid[g] || rowNull {
		return k.valid[g] == !rowNull, true
	}
	return false, false
}

// addNull appends the validity of row i and reports whether it is NULL.
func (k *nullKeys) addNull(i int) bool {
	isNull := k.nulls && k.cur.IsNull(i)
	k.valid = append(k.valid, !isNull)
	return isNull
}

// fixedVals is what the fixed-width keyStores share: one value per group
// (zero for a NULL group) and the values of the bound input column. Each
// store embedding it adds only its own equal.
type fixedVals[T arrow.FixedWidthType] struct {
	nullKeys
	vals []T
	in   []T
}

func (k *fixedVals[T]) bind(arr arrow.Array) {
	k.bindNulls(arr)
	k.in = arrow.GetValues[T](arr.Data(), 1)
}

func (k *fixedVals[T]) add(i int) {
	var v T
	if !k.addNull(i) {
		v = k.in[i]
	}
	k.vals = append(k.vals, v)
}

func (k *fixedVals[T]) column(t vector.Type, from, to int) arrow.Array {
	return fixedColumn(t, k.vals[from:to], k.valid[from:to])
}

func (k *fixedVals[T]) gather(t vector.Type, groups []int32) arrow.Array {
	return fixedColumn(t, gatherAt(k.vals, groups), gatherAt(k.valid, groups))
}

// fixedKeys stores integer-like keys (ints, dates, times, timestamps),
// equal when their bits are equal.
type fixedKeys[T int16 | int32 | int64] struct{ fixedVals[T] }

func (k *fixedKeys[T]) equal(g int32, i int) bool {
	if k.nulls || !k.valid[g] {
		if eq, ok := k.nullEqual(g, i); ok {
			return eq
		}
	}
	return k.vals[g] == k.in[i]
}

// floatKeys stores floats, equal in Postgres' sense (-0 = 0, NaN = NaN).
type floatKeys[T float32 | float64] struct{ fixedVals[T] }

func (k *floatKeys[T]) equal(g int32, i int) bool {
	if eq, ok := k.nullEqual(g, i); ok {
		return eq
	}
	return vector.CompareFloat(float64(k.vals[g]), float64(k.in[i])) == 0
}

// intervalKeys stores intervals, equal when their spans are equal.
type intervalKeys struct {
	fixedVals[arrow.MonthDayNanoInterval]
}

func (k *intervalKeys) equal(g int32, i int) bool {
	if eq, ok := k.nullEqual(g, i); ok {
		return eq
	}
	return vector.CompareInterval(k.vals[g], k.in[i]) == 0
}

// boolKeys stores booleans.
type boolKeys struct {
	nullKeys
	vals []bool
	in   *array.Boolean
}

func (k *boolKeys) bind(arr arrow.Array) {
	k.bindNulls(arr)
	k.in = arr.(*array.Boolean)
}

func (k *boolKeys) equal(g int32, i int) bool {
	if eq, ok := k.nullEqual(g, i); ok {
		return eq
	}
	return k.vals[g] == k.in.Value(i)
}

func (k *boolKeys) add(i int) {
	k.vals = append(k.vals, !k.addNull(i) && k.in.Value(i))
}

func (k *boolKeys) column(t vector.Type, from, to int) arrow.Array {
	b := array.NewBooleanBuilder(vector.Mem)
	b.AppendValues(k.vals[from:to], k.valid[from:to])
	return b.NewArray()
}

func (k *boolKeys) gather(t vector.Type, groups []int32) arrow.Array {
	b := array.NewBooleanBuilder(vector.Mem)
	b.AppendValues(gatherAt(k.vals, groups), gatherAt(k.valid, groups))
	return b.NewArray()
}

// stringKeys stores variable-length keys in one byte buffer: text and
// bytea bytewise, numeric (numeric true) by value.
type stringKeys struct {
	nullKeys
	numeric bool
	offs    []int32 // group g is data[offs[g]:offs[g+1]]
	data    []byte
	inOffs  []int32
	inData  []byte
}

func (k *stringKeys) bind(arr arrow.Array) {
	k.bindNulls(arr)
	k.inOffs, k.inData = vector.RawBytes(arr)
}

func (k *stringKeys) equal(g int32, i int) bool {
	if eq, ok := k.nullEqual(g, i); ok {
		return eq
	}
	a := k.data[k.offs[g]:k.offs[g+1]]
	b := k.inData[k.inOffs[i]:k.inOffs[i+1]]
	if k.numeric {
		return vector.CompareNumericText(a, b) == 0
	}
	return bytes.Equal(a, b)
}

func (k *stringKeys) add(i int) {
	if len(k.offs) == 0 {
		k.offs = append(k.offs, 0)
	}
	if !k.addNull(i) {
		k.data = append(k.data, k.inData[k.inOffs[i]:k.inOffs[i+1]]...)
	}
	k.offs = append(k.offs, int32(len(k.data)))
}

func (k *stringKeys) column(t vector.Type, from, to int) arrow.Array {
	valid, nulls := validityBuffer(k.valid[from:to])
	if len(k.offs) == 0 {
		k.offs = append(k.offs, 0)
	}
	base := k.offs[from]
	offs := make([]int32, to-from+1)
	for g := range offs {
		offs[g] = k.offs[from+g] - base
	}
	data := append([]byte(nil), k.data[base:k.offs[to]]...)
	bufs := []*memory.Buffer{valid, memory.NewBufferBytes(arrow.GetBytes(offs)), memory.NewBufferBytes(data)}
	return array.MakeFromData(array.NewData(t.ArrowType(), to-from, bufs, nil, nulls, 0))
}

func (k *stringKeys) gather(t vector.Type, groups []int32) arrow.Array {
	rows := make([][]byte, len(groups))
	for j, g := range groups {
		if k.valid[g] {
			rows[j] = k.data[k.offs[g]:k.offs[g+1]]
		}
	}
	return bytesColumn(t, rows, gatherAt(k.valid, groups))
}
