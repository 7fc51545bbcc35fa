package operators

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"
	"github.com/runneldb/runnel/vector"
)

// newSumAcc is the state of sum(arg) (avg false) or avg(arg) with the
// given result type (see LookupAggregate).
func newSumAcc(arg vector.Type, avg bool, result vector.Type) accumulator {
	switch arg.Kind {
	case vector.KindInt2:
		return &intSumAcc[int16]{avg: avg, typ: result}
	case vector.KindInt4:
		return &intSumAcc[int32]{avg: avg, typ: result}
	case vector.KindInt8:
		return &intSumAcc[int64]{avg: avg, typ: result}
	case vector.KindFloat4:
		return &floatSumAcc[float32]{avg: avg, typ: result}
	case vector.KindFloat8:
		return &floatSumAcc[float64]{avg: avg, typ: result}
	case vector.KindNumeric:
		return &numericSumAcc{avg: avg}
	}
	return &intervalSumAcc{avg: avg}
}

// intSumAcc sums integers exactly in 128 bits (hi:lo two's complement), so
// sum(int8) never overflows; the result is int8 (sum of int2/int4),
// numeric (sum of int8) or the numeric average.
type intSumAcc[T int16 | int32 | int64] struct {
	avg    bool
	typ    vector.Type
	lo     []uint64
	hi     []int64
	counts []int64
}

func (s *intSumAcc[T]) resize(n int) {
	s.lo = extend(s.lo, n)
	s.hi = extend(s.hi, n)
	s.counts = extend(s.counts, n)
}

func (s *intSumAcc[T]) update(args []arrow.Array, ids []int32) error {
	vals := arrow.GetValues[T](args[0].Data(), 1)
	nulls := args[0].NullN() > 0
	lo, hi, counts := s.lo, s.hi, s.counts
	for i, g := range ids {
		if g < 0 || nulls && args[0].IsNull(i) {
			continue
		}
		v := int64(vals[i])
		var carry uint64
		lo[g], carry = bits.Add64(lo[g], uint64(v), 0)
		hi[g] += v>>63 + int64(carry)
		counts[g]++
	}
	return nil
}

func (s *intSumAcc[T]) result(from, to int) (arrow.Array, error) {
	return intSumColumn(s.typ, s.avg, s.lo[from:to], s.hi[from:to], s.counts[from:to])
}

// intSumColumn builds the results of integer sums (sum i is hi[i]:lo[i],
// over counts[i] values) as a column of typ: int8, numeric, or the numeric
// average when avg.
func intSumColumn(typ vector.Type, avg bool, lo []uint64, hi, counts []int64) (arrow.Array, error) {
	if typ.Kind == vector.KindInt8 {
		out := make([]int64, len(lo))
		for i := range out {
			if hi[i] != int64(lo[i])>>63 {
				return nil, vector.Errorf(vector.CodeNumericValueOutOfRange, "bigint out of range")
			}
			out[i] = int64(lo[i])
		}
		return fixedColumn(vector.Int8, out, nonEmpty(counts)), nil
	}
	if !avg {
		return int128Column(lo, hi, counts), nil
	}
	return numericColumn(counts, avg, func(i int) *apd.Decimal { return int128Decimal(hi[i], lo[i]) })
}

// int128Column builds the numeric column of the sums hi[i]:lo[i], NULL
// where counts[i] is 0. Sums within int8's range, the common case, are
// formatted without going through apd.
func int128Column(lo []uint64, hi, counts []int64) arrow.Array {
	rows := make([][]byte, len(lo))
	var buf []byte
	for i, c := range counts {
		if c == 0 {
			continue
		}
		start := len(buf)
		if hi[i] == int64(lo[i])>>63 {
			buf = strconv.AppendInt(buf, int64(lo[i]), 10)
		} else {
			buf = append(buf, vector.FormatNumeric(int128Decimal(hi[i], lo[i]))...)
		}
		rows[i] = buf[start:]
	}
	return bytesColumn(vector.Numeric, rows, nonEmpty(counts))
}

// int128Decimal is the numeric value of the 128-bit integer hi:lo.
func int128Decimal(hi int64, lo uint64) *apd.Decimal {
	if hi == int64(lo)>>63 {
		return vector.NumericFromInt(int64(lo))
	}
	b := new(big.Int).SetInt64(hi)
	b.Lsh(b, 64)
	b.Add(b, new(big.Int).SetUint64(lo))
	return apd.NewWithBigInt(new(apd.BigInt).SetMathBigInt(b), 0)
}

// numericColumn builds a numeric result column: for each group with a
// non-zero count, sum(g), or sum(g)/count when avg; NULL for empty groups.
func numericColumn(counts []int64, avg bool, sum func(g int) *apd.Decimal) (arrow.Array, error) {
	rows := make([][]byte, len(counts))
	for g, c := range counts {
		if c == 0 {
			continue
		}
		d := sum(g)
		if avg {
			var err error
			if d, err = vector.NumericDiv(d, vector.NumericFromInt(c)); err != nil {
				return nil, err
			}
		}
		rows[g] = []byte(vector.FormatNumeric(d))
	}
	return bytesColumn(vector.Numeric, rows, nonEmpty(counts)), nil
}

// nonEmpty is the validity of aggregate results: a group with no input
// value has a NULL result.
func nonEmpty(counts []int64) []bool {
	valid := make([]bool, len(counts))
	for g, c := range counts {
		valid[g] = c > 0
	}
	return valid
}

// floatSumAcc sums floats: sum(float4) in float4 arithmetic as Postgres'
// float4pl, sum(float8) and avg in float8.
type floatSumAcc[T float32 | float64] struct {
	avg    bool
	typ    vector.Type
	sums   []float64
	counts []int64
}

func (s *floatSumAcc[T]) resize(n int) {
	s.sums = extend(s.sums, n)
	s.counts = extend(s.counts, n)
}

func (s *floatSumAcc[T]) update(args []arrow.Array, ids []int32) error {
	vals := arrow.GetValues[T](args[0].Data(), 1)
	nulls := args[0].NullN() > 0
	single := s.typ.Kind == vector.KindFloat4
	for i, g := range ids {
		if g < 0 || nulls && args[0].IsNull(i) {
			continue
		}
		if single {
			s.sums[g] = float64(float32(s.sums[g]) + float32(vals[i]))
		} else {
			s.sums[g] += float64(vals[i])
		}
		s.counts[g]++
	}
	return nil
}

func (s *floatSumAcc[T]) result(from, to int) (arrow.Array, error) {
	return floatSumColumn(s.typ, s.avg, s.sums[from:to], s.counts[from:to]), nil
}

// floatSumColumn builds the results of float sums (sums[i] over counts[i]
// values) as a column of typ: float4 or float8, the average when avg.
func floatSumColumn(typ vector.Type, avg bool, sums []float64, counts []int64) arrow.Array {
	valid := nonEmpty(counts)
	if typ.Kind == vector.KindFloat4 {
		out := make([]float32, len(sums))
		for i := range out {
			out[i] = float32(sums[i])
		}
		return fixedColumn(vector.Float4, out, valid)
	}
	out := make([]float64, len(sums))
	for i := range out {
		out[i] = sums[i]
		if avg {
			out[i] /= float64(counts[i])
		}
	}
	return fixedColumn(vector.Float8, out, valid)
}

// numericSumAcc sums numerics exactly (Postgres' rules for NaN and
// infinities, the largest scale of the inputs).
type numericSumAcc struct {
	avg    bool
	sums   []*apd.Decimal
	counts []int64
}

func (s *numericSumAcc) resize(n int) {
	s.sums = extend(s.sums, n)
	s.counts = extend(s.counts, n)
}

func (s *numericSumAcc) update(args []arrow.Array, ids []int32) error {
	a := args[0].(*array.String)
	for i, g := range ids {
		if g < 0 || a.IsNull(i) {
			continue
		}
		v, err := vector.ParseNumeric(a.Value(i))
		if err != nil {
			return err
		}
		if s.counts[g] > 0 {
			if v, err = vector.NumericAdd(s.sums[g], v); err != nil {
				return err
			}
		}
		s.sums[g] = v
		s.counts[g]++
	}
	return nil
}

func (s *numericSumAcc) result(from, to int) (arrow.Array, error) {
	return numericColumn(s.counts[from:to], s.avg, func(g int) *apd.Decimal { return s.sums[from+g] })
}

// intervalSumAcc sums intervals field by field (months, days, µs), as
// Postgres' interval_pl; avg divides as interval_div does.
type intervalSumAcc struct {
	avg                  bool
	months, days, micros []int64
	counts               []int64
}

func (s *intervalSumAcc) resize(n int) {
	s.months = extend(s.months, n)
	s.days = extend(s.days, n)
	s.micros = extend(s.micros, n)
	s.counts = extend(s.counts, n)
}

func (s *intervalSumAcc) update(args []arrow.Array, ids []int32) error {
	vals := arrow.GetValues[arrow.MonthDayNanoInterval](args[0].Data(), 1)
	nulls := args[0].NullN() > 0
	for i, g := range ids {
		if g < 0 || nulls && args[0].IsNull(i) {
			continue
		}
		v := vals[i]
		s.months[g] += int64(v.Months)
		s.days[g] += int64(v.Days)
		s.micros[g] += v.Nanoseconds / 1000
		s.counts[g]++
	}
	return nil
}

func (s *intervalSumAcc) result(from, to int) (arrow.Array, error) {
	return intervalSumColumn(s.avg, s.months[from:to], s.days[from:to], s.micros[from:to], s.counts[from:to])
}

// intervalSumColumn builds the results of interval sums (field by field,
// over counts[i] values) as an interval column, the average when avg.
func intervalSumColumn(avg bool, months, days, micros, counts []int64) (arrow.Array, error) {
	out := make([]arrow.MonthDayNanoInterval, len(counts))
	for i, n := range counts {
		if n == 0 {
			continue
		}
		m, d, us := months[i], days[i], micros[i]
		if avg {
			m, d, us = intervalDiv(m, d, us, float64(n))
		}
		if m != int64(int32(m)) || d != int64(int32(d)) {
			return nil, vector.Errorf(vector.CodeDatetimeFieldOverflow, "interval out of range")
		}
		out[i] = arrow.MonthDayNanoInterval{Months: int32(m), Days: int32(d), Nanoseconds: us * 1000}
	}
	return fixedColumn(vector.Interval, out, nonEmpty(counts)), nil
}

// intervalDiv divides an interval by f as Postgres' interval_div: the
// fractional part of months cascades into days (30 per month), the
// fractional part of days into time, each rounded to microseconds.
func intervalDiv(months, days, micros int64, f float64) (int64, int64, int64) {
	const secsPerDay = 86400
	tsRound := func(x float64) float64 { return math.RoundToEven(x*1e6) / 1e6 }
	rm := int64(float64(months) / f)
	rd := int64(float64(days) / f)
	monthRemDays := tsRound((float64(months)/f - float64(rm)) * 30)
	secRem := tsRound((float64(days)/f - float64(rd) + monthRemDays - float64(int64(monthRemDays))) * secsPerDay)
	if math.Abs(secRem) >= secsPerDay {
		rd += int64(secRem / secsPerDay)
		secRem -= float64(int64(secRem/secsPerDay)) * secsPerDay
	}
	rd += int64(monthRemDays)
	return rm, rd, int64(math.RoundToEven(float64(micros)/f + secRem*1e6))
}
