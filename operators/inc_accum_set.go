package operators

import (
	"encoding/binary"
	"iter"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// The accumulators that keep every value of a group: min and max (deleting
// the extreme must reveal the next one), string_agg and DISTINCT.

// multiset is a sorted multiset of rows of values: each distinct row with
// its count. Entries are kept in sorted chunks of at most maxChunk, so that
// adding or removing one moves O(maxChunk + chunks) memory however large the
// set grows. Rows that compare equal (1.0 and 1.00, '1 mon' and '30 days')
// share one entry, whose row is the first one added.
type multiset struct {
	chunks [][]setEntry // each non-empty and sorted, chunk k before chunk k+1
}

type setEntry struct {
	row []vector.Datum
	n   int64
}

const maxChunk = 256

// add adds w copies of row (removes -w when w < 0) and returns the row of
// its entry and the entry's count before and after. An entry whose count
// reaches zero is removed.
func (m *multiset) add(row []vector.Datum, w int64, cmp func(a, b []vector.Datum) int) (stored []vector.Datum, before, after int64) {
	if len(m.chunks) == 0 {
		m.chunks = [][]setEntry{{{row: row, n: w}}}
		return row, 0, w
	}
	// The chunk of row: the first whose last entry is not less, else the last.
	c := sort.Search(len(m.chunks)-1, func(c int) bool {
		chunk := m.chunks[c]
		return cmp(chunk[len(chunk)-1].row, row) >= 0
	})
	chunk := m.chunks[c]
	i, found := slices.BinarySearchFunc(chunk, row, func(e setEntry, row []vector.Datum) int { return cmp(e.row, row) })
	if !found {
		chunk = slices.Insert(chunk, i, setEntry{row: row, n: w})
		m.chunks[c] = chunk
		if len(chunk) > maxChunk {
			half := len(chunk) / 2
			m.chunks = slices.Insert(m.chunks, c+1, slices.Clone(chunk[half:]))
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
func (m *multiset) empty() bool { return len(m.chunks) == 0 }

// first and last are the least and greatest rows (the multiset is not empty).
func (m *multiset) first() []vector.Datum { return m.chunks[0][0].row }
func (m *multiset) last() []vector.Datum {
	chunk := m.chunks[len(m.chunks)-1]
	return chunk[len(chunk)-1].row
}

// all yields the entries in order.
func (m *multiset) all() iter.Seq[setEntry] {
	return func(yield func(setEntry) bool) {
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
func (m *multiset) size() int {
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
	perGroup[multiset]
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
