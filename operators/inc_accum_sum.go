package operators

import (
	"encoding/binary"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"
	"github.com/runneldb/runnel/vector"
)

// newIncSum is the state of sum(arg) (avg false) or avg(arg) with the given
// result type (see LookupAggregate). Results match newSumAcc's.
func newIncSum(arg vector.Type, avg bool, result vector.Type) incAccumulator {
	switch arg.Kind {
	case vector.KindInt2:
		return &incIntSum[int16]{avg: avg, typ: result}
	case vector.KindInt4:
		return &incIntSum[int32]{avg: avg, typ: result}
	case vector.KindInt8:
		return &incIntSum[int64]{avg: avg, typ: result}
	case vector.KindFloat4:
		return &incFloatSum[float32]{avg: avg, typ: result}
	case vector.KindFloat8:
		return &incFloatSum[float64]{avg: avg, typ: result}
	case vector.KindNumeric:
		return &incNumericSum{avg: avg}
	}
	return &incIntervalSum{avg: avg}
}

// int128Sum is a group's sum of integers, exact in 128 bits (hi:lo, two's
// complement), and its number of values.
type int128Sum struct {
	lo    uint64
	hi, n int64
}

// add adds w times v.
func (s *int128Sum) add(v, w int64) {
	// The signed 128-bit product: the unsigned one, its high word corrected
	// for negative factors.
	phi, plo := bits.Mul64(uint64(v), uint64(w))
	hi := int64(phi) - v>>63&w - w>>63&v
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, plo, 0)
	s.hi += hi + int64(carry)
	s.n += w
}

// incIntSum is sum or avg of integers.
type incIntSum[T int16 | int32 | int64] struct {
	perGroup[int128Sum]
	avg bool
	typ vector.Type
}

func (s *incIntSum[T]) update(args []arrow.Array, ids []int32, w []int64) error {
	vals := arrow.GetValues[T](args[0].Data(), 1)
	sums := s.s
	if args[0].NullN() == 0 {
		for i, g := range ids {
			if g >= 0 {
				sums[g].add(int64(vals[i]), w[i])
			}
		}
		return nil
	}
	for i, g := range ids {
		if g >= 0 && args[0].IsValid(i) {
			sums[g].add(int64(vals[i]), w[i])
		}
	}
	return nil
}

func (s *incIntSum[T]) result(groups []int32) (arrow.Array, error) {
	lo := make([]uint64, len(groups))
	hi := make([]int64, len(groups))
	n := make([]int64, len(groups))
	for j, g := range groups {
		lo[j], hi[j], n[j] = s.s[g].lo, s.s[g].hi, s.s[g].n
	}
	return intSumColumn(s.typ, s.avg, lo, hi, n)
}

func (s *incIntSum[T]) appendState(dst []byte, g int32) []byte {
	st := s.s[g]
	return binary.AppendVarint(binary.AppendVarint(binary.AppendUvarint(dst, st.lo), st.hi), st.n)
}

func (s *incIntSum[T]) restoreState(r *stateReader, g int32) {
	s.s[g] = int128Sum{lo: r.uvarint(), hi: r.varint(), n: r.varint()}
}

// nonFinite counts a group's NaN and infinite values, which float and
// numeric sums keep out of their finite sum: deleting the infinity of
// 1 + Infinity must give 1 again, not Infinity - Infinity = NaN.
type nonFinite struct{ nan, posInf, negInf int64 }

// add counts w values that are NaN (nan) or else infinite, negative or not.
func (c *nonFinite) add(nan, neg bool, w int64) {
	switch {
	case nan:
		c.nan += w
	case neg:
		c.negInf += w
	default:
		c.posInf += w
	}
}

// total is the number of non-finite values.
func (c *nonFinite) total() int64 { return c.nan + c.posInf + c.negInf }

// sum is what the values make a sum when they are not all finite, as
// Postgres adds them: NaN with NaN or with both infinities, else the
// infinity. ok is false when every value is finite.
func (c *nonFinite) sum() (s float64, ok bool) {
	switch {
	case c.nan > 0 || c.posInf > 0 && c.negInf > 0:
		return math.NaN(), true
	case c.posInf > 0:
		return math.Inf(1), true
	case c.negInf > 0:
		return math.Inf(-1), true
	}
	return 0, false
}

func (c *nonFinite) appendTo(dst []byte) []byte {
	return binary.AppendVarint(binary.AppendVarint(binary.AppendVarint(dst, c.nan), c.posInf), c.negInf)
}

func (c *nonFinite) readFrom(r *stateReader) {
	*c = nonFinite{nan: r.varint(), posInf: r.varint(), negInf: r.varint()}
}

// floatSum is a group's sum of floats: the sum of its finite values, its
// number of values and its non-finite ones. Deleting a value subtracts it,
// so the sum may drift from what adding the remaining values gives by
// rounding errors; it restarts at exactly zero whenever no finite value
// remains.
type floatSum struct {
	sum float64
	n   int64
	nonFinite
}

// incFloatSum is sum or avg of floats: sum(float4) in float4 arithmetic as
// Postgres' float4pl, sum(float8) and avg in float8.
type incFloatSum[T float32 | float64] struct {
	perGroup[floatSum]
	avg bool
	typ vector.Type
}

func (s *incFloatSum[T]) update(args []arrow.Array, ids []int32, w []int64) error {
	vals := arrow.GetValues[T](args[0].Data(), 1)
	nulls := args[0].NullN() > 0
	single := s.typ.Kind == vector.KindFloat4
	for i, g := range ids {
		if g < 0 || nulls && args[0].IsNull(i) {
			continue
		}
		st, v := &s.s[g], float64(vals[i])
		st.n += w[i]
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			st.nonFinite.add(math.IsNaN(v), v < 0, w[i])
		case single:
			st.sum = float64(float32(st.sum) + float32(vals[i])*float32(w[i]))
		default:
			st.sum += v * float64(w[i])
		}
		if st.n == st.total() {
			st.sum = 0
		}
	}
	return nil
}

func (s *incFloatSum[T]) result(groups []int32) (arrow.Array, error) {
	sums := make([]float64, len(groups))
	n := make([]int64, len(groups))
	for j, g := range groups {
		st := &s.s[g]
		sums[j], n[j] = st.sum, st.n
		if f, ok := st.nonFinite.sum(); ok {
			sums[j] = f
		}
	}
	return floatSumColumn(s.typ, s.avg, sums, n), nil
}

func (s *incFloatSum[T]) appendState(dst []byte, g int32) []byte {
	st := &s.s[g]
	dst = binary.AppendUvarint(dst, math.Float64bits(st.sum))
	return st.nonFinite.appendTo(binary.AppendVarint(dst, st.n))
}

func (s *incFloatSum[T]) restoreState(r *stateReader, g int32) {
	st := &s.s[g]
	st.sum, st.n = math.Float64frombits(r.uvarint()), r.varint()
	st.nonFinite.readFrom(r)
}

// numericSum is a group's sum of numerics: the exact sum of its finite
// values, its number of values, its non-finite ones, and how many finite
// values it has of each display scale. A sum shows the largest scale of
// the values added (1.5 + 2.25 is 3.75), so once 2.25 is deleted the sum
// must show as 1.5, not 1.50.
type numericSum struct {
	sum    *apd.Decimal // nil when the group has no finite value
	n      int64
	scales map[int32]int64
	nonFinite
}

// incNumericSum is sum or avg of numerics.
type incNumericSum struct {
	perGroup[numericSum]
	avg bool
}

func (s *incNumericSum) update(args []arrow.Array, ids []int32, w []int64) error {
	a := args[0].(*array.String)
	for i, g := range ids {
		if g < 0 || a.IsNull(i) {
			continue
		}
		v, err := vector.ParseNumeric(a.Value(i))
		if err != nil {
			return err
		}
		if err := s.s[g].add(v, w[i]); err != nil {
			return err
		}
	}
	return nil
}

// add adds w times v.
func (st *numericSum) add(v *apd.Decimal, w int64) error {
	st.n += w
	if v.Form != apd.Finite {
		st.nonFinite.add(v.Form != apd.Infinite, v.Negative, w)
		return nil
	}
	if st.scales == nil {
		st.scales = map[int32]int64{}
	}
	scale := max(-v.Exponent, 0)
	if st.scales[scale] += w; st.scales[scale] == 0 {
		delete(st.scales, scale)
	}
	if len(st.scales) == 0 {
		st.sum = nil
		return nil
	}
	var err error
	if w != 1 {
		if v, err = vector.NumericMul(v, vector.NumericFromInt(w)); err != nil {
			return err
		}
	}
	if st.sum != nil {
		v, err = vector.NumericAdd(st.sum, v)
	}
	st.sum = v
	return err
}

// value is the group's sum: NaN or an infinity when it has such values,
// else the finite sum shown with the largest scale of its values.
func (st *numericSum) value() *apd.Decimal {
	if f, ok := st.nonFinite.sum(); ok {
		d, _ := vector.NumericFromFloat(f)
		return d
	}
	if st.sum == nil {
		return vector.NumericFromInt(0)
	}
	scale := int32(0)
	for s := range st.scales {
		scale = max(scale, s)
	}
	return vector.NumericRound(st.sum, scale)
}

func (s *incNumericSum) result(groups []int32) (arrow.Array, error) {
	n := make([]int64, len(groups))
	for j, g := range groups {
		n[j] = s.s[g].n
	}
	return numericColumn(n, s.avg, func(j int) *apd.Decimal { return s.s[groups[j]].value() })
}

// appendState writes the count, the non-finite counts, the finite sum's
// text and the (scale, count) pairs.
func (s *incNumericSum) appendState(dst []byte, g int32) []byte {
	st := &s.s[g]
	dst = st.nonFinite.appendTo(binary.AppendVarint(dst, st.n))
	var sum string
	if st.sum != nil {
		sum = vector.FormatNumeric(st.sum)
	}
	dst = append(binary.AppendUvarint(dst, uint64(len(sum))), sum...)
	dst = binary.AppendUvarint(dst, uint64(len(st.scales)))
	for scale, n := range st.scales {
		dst = binary.AppendVarint(binary.AppendVarint(dst, int64(scale)), n)
	}
	return dst
}

func (s *incNumericSum) restoreState(r *stateReader, g int32) {
	st := &s.s[g]
	st.n = r.varint()
	st.nonFinite.readFrom(r)
	size := r.uvarint()
	if size > uint64(len(r.src)) {
		r.fail()
		return
	}
	if size > 0 {
		sum, err := vector.ParseNumeric(string(r.src[:size]))
		if err != nil {
			r.fail()
			return
		}
		st.sum = sum
	}
	r.src = r.src[size:]
	st.scales = map[int32]int64{}
	for k := r.uvarint(); k > 0 && r.err == nil; k-- {
		st.scales[int32(r.varint())] = r.varint()
	}
}

// intervalSum is a group's sum of intervals, field by field, and its
// number of values.
type intervalSum struct{ months, days, micros, n int64 }

// incIntervalSum is sum or avg of intervals.
type incIntervalSum struct {
	perGroup[intervalSum]
	avg bool
}

func (s *incIntervalSum) update(args []arrow.Array, ids []int32, w []int64) error {
	vals := arrow.GetValues[arrow.MonthDayNanoInterval](args[0].Data(), 1)
	nulls := args[0].NullN() > 0
	for i, g := range ids {
		if g < 0 || nulls && args[0].IsNull(i) {
			continue
		}
		st, v := &s.s[g], vals[i]
		st.months += int64(v.Months) * w[i]
		st.days += int64(v.Days) * w[i]
		st.micros += v.Nanoseconds / 1000 * w[i]
		st.n += w[i]
	}
	return nil
}

func (s *incIntervalSum) result(groups []int32) (arrow.Array, error) {
	months := make([]int64, len(groups))
	days := make([]int64, len(groups))
	micros := make([]int64, len(groups))
	n := make([]int64, len(groups))
	for j, g := range groups {
		st := s.s[g]
		months[j], days[j], micros[j], n[j] = st.months, st.days, st.micros, st.n
	}
	return intervalSumColumn(s.avg, months, days, micros, n)
}

func (s *incIntervalSum) appendState(dst []byte, g int32) []byte {
	st := s.s[g]
	for _, v := range []int64{st.months, st.days, st.micros, st.n} {
		dst = binary.AppendVarint(dst, v)
	}
	return dst
}

func (s *incIntervalSum) restoreState(r *stateReader, g int32) {
	s.s[g] = intervalSum{months: r.varint(), days: r.varint(), micros: r.varint(), n: r.varint()}
}
