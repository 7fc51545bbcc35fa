package operators

import (
	"cmp"
	"encoding/binary"
	"iter"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// The accumulators that keep every value of a group: min and max (deleting
// the extreme must reveal the next one), string_agg and DISTINCT.

// multiset is a sorted multiset of rows (of values, or single integers):
// each distinct row with its count. Entries are kept in sorted chunks of
// at most maxChunk, so that adding or removing one moves O(maxChunk +
// chunks) memory however large the set grows. Rows that compare equal (1.0
// and 1.00, '1 mon' and '30 days') share one entry, whose row is the first
// one added.
type multiset[R any] struct {
	chunks [][]setEntry[R] // each non-empty and sorted, chunk k before chunk k+1
}

type setEntry[R any] struct {
	row R
	n   int64
}

const maxChunk = 256

// add adds w copies of row (removes -w when w < 0) and returns the row of
// its entry and the entry's count before and after. An entry whose count
// reaches zero is removed.
func (m *multiset[R]) add(row R, w int64, cmp func(a, b R) int) (stored R, before, after int64) {
	if len(m.chunks) == 0 {
		m.chunks = [][]setEntry[R]{{{row: row, n: w}}}
		return row, 0, w
	}
	// The chunk of row: the first whose last entry is not less, else the last.
	c := sort.Search(len(m.chunks)-1, func(c int) bool {
		chunk := m.chunks[c]
		return cmp(chunk[len(chunk)-1].row, row) >= 0
	})
	chunk := m.chunks[c]
	i, found := slices.BinarySearchFunc(chunk, row, func(e setEntry[R], row R) int { return cmp(e.row, row) })
	if !found {
		chunk = slices.Insert(chunk, i, setEntry[R]{row: row, n: w})
		m.chunks[c] = chunk
		if len(chunk) > maxChunk { // split, the new half sized to fill up without growing
			half := len(chunk) / 2
			next := append(make([]setEntry[R], 0, maxChunk+1), chunk[half:]...)
			m.chunks = slices.Insert(m.chunks, c+1, next)
			m.chunks[c] = chunk[:half]
		}
		return row, 0, w
	}
	e := &chunk[i]
	before, e.n = e.n, e.n+w
	stored, after = e.row, e.n
	if after == 0 {
		m.chunks[c] = slices.Delete(chunk, i, i+1)
		if len(m.chunks[c]) == 0 {
			m.chunks = slices.Delete(m.chunks, c, c+1)
		}
	}
	return stored, before, after
}

// empty reports whether the multiset has no entry.
func (m *multiset[R]) empty() bool { return len(m.chunks) == 0 }

// first and last are the least and greatest rows (the multiset is not empty).
func (m *multiset[R]) first() R { return m.chunks[0][0].row }
func (m *multiset[R]) last() R {
	chunk := m.chunks[len(m.chunks)-1]
	return chunk[len(chunk)-1].row
}

// all yields the entries in order.
func (m *multiset[R]) all() iter.Seq[setEntry[R]] {
	return func(yield func(setEntry[R]) bool) {
		for _, chunk := range m.chunks {
			for _, e := range chunk {
				if !yield(e) {
					return
				}
			}
		}
	}
}

// size is the number of entries.
func (m *multiset[R]) size() int {
	n := 0
	for _, chunk := range m.chunks {
		n += len(chunk)
	}
	return n
}

// valueSets keeps, per group, the multiset of an aggregate's argument rows.
// Rows whose first argument is NULL are left out: every aggregate kept so
// ignores them.
type valueSets struct {
	perGroup[multiset[[]vector.Datum]]
	types []vector.Type // of the arguments
	cmp   func(a, b []vector.Datum) int
}

func newValueSets(types []vector.Type) valueSets {
	return valueSets{types: types, cmp: datumRowOrder(types)}
}

// datumRowOrder orders rows of values of the given types column by column as
// ORDER BY does, NULL last; rows that GROUP BY puts together compare equal.
func datumRowOrder(types []vector.Type) func(a, b []vector.Datum) int {
	return func(a, b []vector.Datum) int {
		for c, t := range types {
			x, y := a[c], b[c]
			var r int
			switch {
			case x == nil || y == nil:
				r = boolOrder(x == nil, y == nil)
			default:
				r = vector.CompareDatum(t, x, y)
			}
			if r != 0 {
				return r
			}
		}
		return 0
	}
}

// boolOrder orders false before true.
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// rowAt is row i of args as values.
func (s *valueSets) rowAt(args []arrow.Array, i int) []vector.Datum {
	row := make([]vector.Datum, len(args))
	for c, a := range args {
		row[c] = vector.ValueAt(a, s.types[c], i)
	}
	return row
}

func (s *valueSets) update(args []arrow.Array, ids []int32, w []int64) error {
	for i, g := range ids {
		if g >= 0 && args[0].IsValid(i) {
			s.s[g].add(s.rowAt(args, i), w[i], s.cmp)
		}
	}
	return nil
}

// appendState writes the number of entries, then each entry's count and
// row (vector.AppendRow).
func (s *valueSets) appendState(dst []byte, g int32) []byte {
	set := &s.s[g]
	dst = binary.AppendUvarint(dst, uint64(set.size()))
	if set.empty() {
		return dst
	}
	cols := make([]*vector.Builder, len(s.types))
	for c, t := range s.types {
		cols[c] = vector.NewBuilder(t, 0)
	}
	for e := range set.all() {
		for c, b := range cols {
			b.Append(e.row[c])
		}
	}
	arrs := make([]arrow.Array, len(cols))
	for c, b := range cols {
		arrs[c] = b.Finish()
	}
	i := 0
	for e := range set.all() {
		dst = binary.AppendVarint(dst, e.n)
		dst = vector.AppendRow(dst, arrs, s.types, i)
		i++
	}
	return dst
}

func (s *valueSets) restoreState(r *stateReader, g int32) {
	for n := r.uvarint(); n > 0 && r.err == nil; n-- {
		w := r.varint()
		s.s[g].add(r.row(s.types), w, s.cmp)
	}
}

// incMinMax is min (max false) or max: the least or greatest value of the
// group's multiset.
type incMinMax struct {
	valueSets
	max bool
	typ vector.Type
}

func (m *incMinMax) result(groups []int32) (arrow.Array, error) {
	b := vector.NewBuilder(m.typ, len(groups))
	for _, g := range groups {
		switch set := &m.s[g]; {
		case set.empty():
			b.AppendNull()
		case m.max:
			b.Append(set.last()[0])
		default:
			b.Append(set.first()[0])
		}
	}
	return b.Finish(), nil
}

// incIntMinMax is min (max false) or max of an integer-like argument
// (integers, dates, times, timestamps, whose order is their integer's): as
// incMinMax, over int64s instead of rows of Datums, with the same state.
type incIntMinMax struct {
	perGroup[multiset[int64]]
	max  bool
	typ  vector.Type // of the argument and of the result
	vals []int64     // scratch
}

// intLike reports whether values of t are integers ordered as such (see
// intValues).
func intLike(t vector.Type) bool {
	switch t.Kind {
	case vector.KindInt2, vector.KindInt4, vector.KindInt8, vector.KindDate, vector.KindTime,
		vector.KindTimestamp, vector.KindTimestampTZ:
		return true
	}
	return false
}

// intValues returns the values of arr, of an intLike type, as int64s in
// dst (resized).
func intValues(arr arrow.Array, dst []int64) []int64 {
	dst = grow(dst, arr.Len())
	switch a := arr.(type) {
	case *array.Int16:
		for i, v := range a.Int16Values() {
			dst[i] = int64(v)
		}
	case *array.Int32:
		for i, v := range a.Int32Values() {
			dst[i] = int64(v)
		}
	case *array.Date32:
		for i, v := range a.Date32Values() {
			dst[i] = int64(v)
		}
	default: // int8, time, timestamps: 64-bit values
		copy(dst, arrow.GetValues[int64](arr.Data(), 1))
	}
	return dst
}

// intColumn builds a column of intLike type t from int64s.
func intColumn(t vector.Type, vals []int64, valid []bool) arrow.Array {
	switch t.ArrowType().ID() {
	case arrow.INT16:
		return fixedColumn(t, convertInts[int16](vals), valid)
	case arrow.INT32, arrow.DATE32:
		return fixedColumn(t, convertInts[int32](vals), valid)
	}
	return fixedColumn(t, vals, valid)
}

func convertInts[T int16 | int32](vals []int64) []T {
	out := make([]T, len(vals))
	for i, v := range vals {
		out[i] = T(v)
	}
	return out
}

func (m *incIntMinMax) update(args []arrow.Array, ids []int32, w []int64) error {
	arg := args[0]
	m.vals = intValues(arg, m.vals)
	nulls := arg.NullN() > 0
	for i, g := range ids {
		if g >= 0 && (!nulls || arg.IsValid(i)) {
			m.s[g].add(m.vals[i], w[i], cmp.Compare[int64])
		}
	}
	return nil
}

func (m *incIntMinMax) result(groups []int32) (arrow.Array, error) {
	vals, valid := make([]int64, len(groups)), make([]bool, len(groups))
	for j, g := range groups {
		switch set := &m.s[g]; {
		case set.empty():
		case m.max:
			vals[j], valid[j] = set.last(), true
		default:
			vals[j], valid[j] = set.first(), true
		}
	}
	return intColumn(m.typ, vals, valid), nil
}

// appendState writes what valueSets.appendState writes for the same
// values: the number of entries, then each entry's count and value
// (vector.AppendRow).
func (m *incIntMinMax) appendState(dst []byte, g int32) []byte {
	set := &m.s[g]
	dst = binary.AppendUvarint(dst, uint64(set.size()))
	if set.empty() {
		return dst
	}
	m.vals = m.vals[:0]
	for e := range set.all() {
		m.vals = append(m.vals, e.row)
	}
	col := []arrow.Array{intColumn(m.typ, m.vals, nil)}
	types := []vector.Type{m.typ}
	i := 0
	for e := range set.all() {
		dst = binary.AppendVarint(dst, e.n)
		dst = vector.AppendRow(dst, col, types, i)
		i++
	}
	return dst
}

func (m *incIntMinMax) restoreState(r *stateReader, g int32) {
	types := []vector.Type{m.typ}
	b := vector.NewBuilder(m.typ, 0)
	var counts []int64
	for n := r.uvarint(); n > 0 && r.err == nil; n-- {
		counts = append(counts, r.varint())
		row := r.row(types)
		if row[0] == nil {
			r.fail()
			return
		}
		b.Append(row[0])
	}
	m.vals = intValues(b.Finish(), m.vals)
	for k, w := range counts {
		m.s[g].add(m.vals[k], w, cmp.Compare[int64])
	}
}

// incStringAgg is string_agg(value, separator) over the multiset of a
// group's (value, separator) rows. Its order is unspecified in SQL; here
// values follow the multiset's order (by value, then separator), so it is
// the same whatever order the rows arrived in. Each value but the first is
// preceded by its own row's separator (NULL counts as empty).
type incStringAgg struct {
	valueSets
	typ vector.Type
}

func (s *incStringAgg) result(groups []int32) (arrow.Array, error) {
	rows := make([][]byte, len(groups))
	valid := make([]bool, len(groups))
	for j, g := range groups {
		var buf []byte
		for e := range s.s[g].all() {
			for range e.n {
				if valid[j] {
					buf = appendDatumBytes(buf, e.row[1])
				}
				buf = appendDatumBytes(buf, e.row[0])
				valid[j] = true
			}
		}
		rows[j] = buf
	}
	return bytesColumn(s.typ, rows, valid), nil
}

// appendDatumBytes appends a text or bytea value (nothing for NULL).
func appendDatumBytes(dst []byte, d vector.Datum) []byte {
	switch v := d.(type) {
	case string:
		return append(dst, v...)
	case []byte:
		return append(dst, v...)
	}
	return dst
}
