package operators

import (
	"math"
	"math/big"
	"math/bits"

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
	if s.typ.Kind == vector.KindInt8 {
		out := make([]int64, to-from)
		for g := from; g < to; g++ {
			if s.hi[g] != int64(s.lo[g])>>63 {
				return nil, vector.Errorf(vector.CodeNumericValueOutOfRange, "bigint out of range")
			}
			out[g-from] = int64(s.lo[g])
		}
		return fixedColumn(vector.Int8, out, nonEmpty(s.counts[from:to])), nil
	}
	return numericColumn(s.counts[from:to], s.avg, func(g int) *apd.Decimal {
		return int128Decimal(s.hi[from+g], s.lo[from+g])
	})
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
	valid := nonEmpty(s.counts[from:to])
	if s.typ.Kind == vector.KindFloat4 {
		out := make([]float32, to-from)
		for g := range out {
			out[g] = float32(s.sums[from+g])
		}
		return fixedColumn(vector.Float4, out, valid), nil
	}
	out := make([]float64, to-from)
	for g := range out {
		out[g] = s.sums[from+g]
		if s.avg {
			out[g] /= float64(s.counts[from+g])
		}
	}
	return fixedColumn(vector.Float8, out, valid), nil
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
	out := make([]arrow.MonthDayNanoInterval, to-from)
	for g := from; g < to; g++ {
		if s.counts[g] == 0 {
			continue
		}
		months, days, micros := s.months[g], s.days[g], s.micros[g]
		if s.avg {
			months, days, micros = intervalDiv(months, days, micros, float64(s.counts[g]))
		}
		if months != int64(int32(months)) || days != int64(int32(days)) {
			return nil, vector.Errorf(vector.CodeDatetimeFieldOverflow, "interval out of range")
		}
		out[g-from] = arrow.MonthDayNanoInterval{Months: int32(months), Days: int32(days), Nanoseconds: micros * 1000}
	}
	return fixedColumn(vector.Interval, out, nonEmpty(s.counts[from:to])), nil
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
