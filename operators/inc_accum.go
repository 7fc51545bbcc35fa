package operators

import (
	"encoding/binary"
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// incAccumulator is the state of one aggregate of NewAggregateNode over
// every group, indexed by group number like accumulator. Its updates carry
// weights, so a group loses values as well as gains them, and it is written
// to checkpoints group by group. A group whose values were all deleted is
// empty again, as a new group.
type incAccumulator interface {
	// resize makes room for groups [0, n); new groups start empty.
	resize(n int)
	// update adds row i of args w[i] times (deletes it when negative) to
	// group ids[i], skipping rows whose id is negative.
	update(args []arrow.Array, ids []int32, w []int64) error
	// result builds the aggregate's values of the given groups.
	result(groups []int32) (arrow.Array, error)
	// compact keeps groups live[0], live[1], … as groups 0, 1, … and
	// forgets the others.
	compact(live []int32)
	// appendState appends the encoding of group g's state to dst.
	appendState(dst []byte, g int32) []byte
	// restoreState reads group g's state, as appendState wrote it, from r.
	restoreState(r *stateReader, g int32)
}

// newIncAccumulator builds the state of agg over input columns of types in.
func newIncAccumulator(agg Aggregate, in []vector.Type) incAccumulator {
	args := make([]vector.Type, len(agg.Args))
	for i, c := range agg.Args {
		args[i] = in[c]
	}
	var acc incAccumulator
	switch agg.Func {
	case Count, CountStar:
		acc = &incCount{star: agg.Func == CountStar}
	case Sum, Avg:
		acc = newIncSum(args[0], agg.Func == Avg, agg.Type)
	case Min, Max:
		// DISTINCT changes nothing for min, max, bool_and and bool_or.
		if intLike(args[0]) {
			return &incIntMinMax{max: agg.Func == Max, typ: agg.Type}
		}
		return &incMinMax{valueSets: newValueSets(args), max: agg.Func == Max, typ: agg.Type}
	case BoolAnd, BoolOr:
		return &incBool{and: agg.Func == BoolAnd}
	case StringAgg:
		acc = &incStringAgg{valueSets: newValueSets(args), typ: agg.Type}
	}
	if agg.Distinct {
		acc = &incDistinctAcc{valueSets: newValueSets(args), inner: acc}
	}
	return acc
}

// perGroup keeps an accumulator's state as one S per group, so that the
// state of a group is one memory access away.
type perGroup[S any] struct{ s []S }

func (p *perGroup[S]) resize(n int)         { p.s = extend(p.s, n) }
func (p *perGroup[S]) compact(live []int32) { p.s = gatherAt(p.s, live) }

var errCorruptAggregate = errors.New("operators: corrupt aggregate state")

// stateReader reads the fields of a checkpointed state entry in the order
// they were appended, keeping the first error.
type stateReader struct {
	src []byte
	err error
}

func (r *stateReader) fail() {
	if r.err == nil {
		r.err = errCorruptAggregate
	}
	r.src = nil
}

func (r *stateReader) varint() int64 {
	v, n := binary.Varint(r.src)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.src = r.src[n:]
	return v
}

func (r *stateReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.src)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.src = r.src[n:]
	return v
}

// row reads a row encoded by vector.AppendRow.
func (r *stateReader) row(types []vector.Type) []vector.Datum {
	row := make([]vector.Datum, len(types))
	if r.err != nil {
		return row
	}
	rest, err := vector.DecodeRow(r.src, types, row)
	if err != nil {
		r.err, r.src = err, nil
		return row
	}
	r.src = rest
	return row
}

// incCount is count(x) (non-NULL values) or count(*) (rows): per group,
// their net number.
type incCount struct {
	perGroup[int64]
	star bool
}

func (c *incCount) update(args []arrow.Array, ids []int32, w []int64) error {
	counts := c.s
	if c.star || args[0].NullN() == 0 {
		for i, g := range ids {
			if g >= 0 {
				counts[g] += w[i]
			}
		}
		return nil
	}
	for i, g := range ids {
		if g >= 0 && args[0].IsValid(i) {
			counts[g] += w[i]
		}
	}
	return nil
}

func (c *incCount) result(groups []int32) (arrow.Array, error) {
	return fixedColumn(vector.Int8, gatherAt(c.s, groups), nil), nil
}

func (c *incCount) appendState(dst []byte, g int32) []byte {
	return binary.AppendVarint(dst, c.s[g])
}

func (c *incCount) restoreState(r *stateReader, g int32) { c.s[g] = r.varint() }

// boolCounts is the state of bool_and or bool_or in a group: how many true
// and false values it has.
type boolCounts struct{ trues, falses int64 }

// incBool is bool_and (and) or bool_or.
type incBool struct {
	perGroup[boolCounts]
	and bool
}

func (b *incBool) update(args []arrow.Array, ids []int32, w []int64) error {
	a := args[0].(*array.Boolean)
	nulls := a.NullN() > 0
	for i, g := range ids {
		switch {
		case g < 0 || nulls && a.IsNull(i):
		case a.Value(i):
			b.s[g].trues += w[i]
		default:
			b.s[g].falses += w[i]
		}
	}
	return nil
}

func (b *incBool) result(groups []int32) (arrow.Array, error) {
	vals := make([]bool, len(groups))
	valid := make([]bool, len(groups))
	for j, g := range groups {
		c := b.s[g]
		vals[j] = b.and && c.falses == 0 || !b.and && c.trues > 0
		valid[j] = c.trues+c.falses > 0
	}
	bb := array.NewBooleanBuilder(vector.Mem)
	bb.AppendValues(vals, valid)
	return bb.NewArray(), nil
}

func (b *incBool) appendState(dst []byte, g int32) []byte {
	return binary.AppendVarint(binary.AppendVarint(dst, b.s[g].trues), b.s[g].falses)
}

func (b *incBool) restoreState(r *stateReader, g int32) {
	b.s[g] = boolCounts{trues: r.varint(), falses: r.varint()}
}

// incDistinctAcc is an aggregate over DISTINCT arguments: it keeps the
// multiset of each group's argument rows and feeds its inner accumulator a
// row once (+1) when its count rises from zero and takes it back (-1) when
// the count returns to zero. It takes back the row as first stored, so the
// inner state cancels exactly even when the deleted row is written
// differently (1.0 and 1.00). Checkpoints hold the multisets only: restore
// rebuilds the inner state from them.
type incDistinctAcc struct {
	valueSets
	inner incAccumulator
	// scratch: the changes fed to inner
	rows [][]vector.Datum
	ids  []int32
	w    []int64
}

func (d *incDistinctAcc) resize(n int) {
	d.valueSets.resize(n)
	d.inner.resize(n)
}

func (d *incDistinctAcc) compact(live []int32) {
	d.valueSets.compact(live)
	d.inner.compact(live)
}

func (d *incDistinctAcc) update(args []arrow.Array, ids []int32, w []int64) error {
	d.rows, d.ids, d.w = d.rows[:0], d.ids[:0], d.w[:0]
	for i, g := range ids {
		if g < 0 || args[0].IsNull(i) {
			continue
		}
		stored, before, after := d.s[g].add(d.rowAt(args, i), w[i], d.cmp)
		switch {
		case before <= 0 && after > 0:
			d.feed(stored, g, 1)
		case before > 0 && after <= 0:
			d.feed(stored, g, -1)
		}
	}
	return d.flushFeed()
}

func (d *incDistinctAcc) feed(row []vector.Datum, g int32, w int64) {
	d.rows = append(d.rows, row)
	d.ids = append(d.ids, g)
	d.w = append(d.w, w)
}

// flushFeed passes the rows fed so far to the inner accumulator.
func (d *incDistinctAcc) flushFeed() error {
	if len(d.rows) == 0 {
		return nil
	}
	cols := make([]arrow.Array, len(d.types))
	for c, t := range d.types {
		b := vector.NewBuilder(t, len(d.rows))
		for _, row := range d.rows {
			b.Append(row[c])
		}
		cols[c] = b.Finish()
	}
	return d.inner.update(cols, d.ids, d.w)
}

func (d *incDistinctAcc) result(groups []int32) (arrow.Array, error) { return d.inner.result(groups) }

func (d *incDistinctAcc) restoreState(r *stateReader, g int32) {
	d.valueSets.restoreState(r, g)
	d.rows, d.ids, d.w = d.rows[:0], d.ids[:0], d.w[:0]
	for e := range d.s[g].all() {
		d.feed(e.row, g, 1)
	}
	if err := d.flushFeed(); err != nil && r.err == nil {
		r.err = err
	}
}
