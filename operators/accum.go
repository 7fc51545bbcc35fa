package operators

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runneldb/runnel/vector"
)

// accumulator is the typed state of one aggregate over every group: slices
// indexed by group number, updated a batch at a time.
type accumulator interface {
	// resize makes room for groups [0, n); new groups start empty.
	resize(n int)
	// update folds row i of args into group ids[i], skipping rows whose id
	// is negative.
	update(args []arrow.Array, ids []int32) error
	// result builds the aggregate's values of groups [from, to).
	result(from, to int) (arrow.Array, error)
}

// newAccumulator builds the state of agg over input columns of types in.
func newAccumulator(agg Aggregate, in []vector.Type) accumulator {
	var arg vector.Type
	if len(agg.Args) > 0 {
		arg = in[agg.Args[0]]
	}
	var acc accumulator
	switch agg.Func {
	case Count, CountStar:
		acc = &countAcc{star: agg.Func == CountStar}
	case Sum, Avg:
		acc = newSumAcc(arg, agg.Func == Avg, agg.Type)
	case Min, Max:
		acc = newMinMaxAcc(arg, agg.Func == Max, agg.Type)
	case BoolAnd, BoolOr:
		acc = &boolAcc{and: agg.Func == BoolAnd}
	case StringAgg:
		acc = &stringAggAcc{typ: agg.Type}
	case ArrayAgg:
		acc = &arrayAggAcc{elem: arg, typ: agg.Type, sorted: agg.Distinct}
	}
	if agg.Distinct {
		types := []vector.Type{vector.Int4}
		for _, a := range agg.Args {
			types = append(types, in[a])
		}
		acc = &distinctAcc{inner: acc, seen: newGroupTable(types)}
	}
	return acc
}

// distinctAcc feeds its inner accumulator only the first occurrence of
// each (group, arguments) combination.
type distinctAcc struct {
	inner accumulator
	seen  *groupTable // keyed by group number then the arguments
	ids   []int32     // scratch: entries in seen
	first []int32     // scratch: rows that are first occurrences
	rows  []int32     // scratch: groups of the rows passed on, or -1
}

func (d *distinctAcc) resize(n int) { d.inner.resize(n) }

func (d *distinctAcc) update(args []arrow.Array, ids []int32) error {
	n := len(ids)
	cols := append([]arrow.Array{int32Column(ids)}, args...)
	d.ids = grow(d.ids, n)
	d.first = d.seen.insertFirst(cols, n, d.ids, d.first[:0])
	d.rows = grow(d.rows, n)
	for i := range d.rows {
		d.rows[i] = -1
	}
	for _, i := range d.first {
		d.rows[i] = ids[i]
	}
	return d.inner.update(args, d.rows)
}

func (d *distinctAcc) result(from, to int) (arrow.Array, error) { return d.inner.result(from, to) }

// int32Column wraps vals as an Int32 column without copying.
func int32Column(vals []int32) arrow.Array {
	bufs := []*memory.Buffer{nil, memory.NewBufferBytes(arrow.GetBytes(vals))}
	return array.MakeFromData(array.NewData(arrow.PrimitiveTypes.Int32, len(vals), bufs, nil, 0, 0))
}

// grow returns s with length n, reusing its storage when large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// extend appends zero values to s until it has length n.
func extend[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	return append(s, make([]T, n-len(s))...)
}

// countAcc is count(x) (non-NULL values) or count(*) (rows).
type countAcc struct {
	star   bool
	counts []int64
}

func (c *countAcc) resize(n int) { c.counts = extend(c.counts, n) }

func (c *countAcc) update(args []arrow.Array, ids []int32) error {
	nulls := !c.star && args[0].NullN() > 0
	for i, g := range ids {
		if g >= 0 && (!nulls || args[0].IsValid(i)) {
			c.counts[g]++
		}
	}
	return nil
}

func (c *countAcc) result(from, to int) (arrow.Array, error) {
	return fixedColumn(vector.Int8, c.counts[from:to], nil), nil
}

// boolAcc is bool_and / bool_or.
type boolAcc struct {
	and  bool
	vals []bool
	seen []bool
}

func (b *boolAcc) resize(n int) {
	b.vals = extend(b.vals, n)
	b.seen = extend(b.seen, n)
}

func (b *boolAcc) update(args []arrow.Array, ids []int32) error {
	a := args[0].(*array.Boolean)
	nulls := a.NullN() > 0
	for i, g := range ids {
		if g < 0 || nulls && a.IsNull(i) {
			continue
		}
		v := a.Value(i)
		switch {
		case !b.seen[g]:
			b.vals[g], b.seen[g] = v, true
		case b.and:
			b.vals[g] = b.vals[g] && v
		default:
			b.vals[g] = b.vals[g] || v
		}
	}
	return nil
}

func (b *boolAcc) result(from, to int) (arrow.Array, error) {
	bb := array.NewBooleanBuilder(vector.Mem)
	bb.AppendValues(b.vals[from:to], b.seen[from:to])
	return bb.NewArray(), nil
}

// stringAggAcc is string_agg(value, separator): values in input order,
// each but the first preceded by its own row's separator (a NULL separator
// counts as empty); NULL values are skipped.
type stringAggAcc struct {
	typ  vector.Type
	bufs [][]byte
	seen []bool
}

func (s *stringAggAcc) resize(n int) {
	s.bufs = extend(s.bufs, n)
	s.seen = extend(s.seen, n)
}

func (s *stringAggAcc) update(args []arrow.Array, ids []int32) error {
	vals, sep := args[0], args[1]
	for i, g := range ids {
		if g < 0 || vals.IsNull(i) {
			continue
		}
		if s.seen[g] && sep.IsValid(i) {
			s.bufs[g] = append(s.bufs[g], rowBytesOf(sep, i)...)
		}
		s.bufs[g] = append(s.bufs[g], rowBytesOf(vals, i)...)
		s.seen[g] = true
	}
	return nil
}

func (s *stringAggAcc) result(from, to int) (arrow.Array, error) {
	return bytesColumn(s.typ, s.bufs[from:to], s.seen[from:to]), nil
}

// rowBytesOf is row i of a String or Binary column, without copying.
func rowBytesOf(arr arrow.Array, i int) []byte {
	offs, data := vector.RawBytes(arr)
	return data[offs[i]:offs[i+1]]
}
