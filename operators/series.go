package operators

import (
	"cmp"
	"context"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/apd/v3"
	"github.com/runneldb/runnel/vector"
)

// series emits generate_series' values, BatchSize at a time. next fills a
// column of at most max values and returns it with its length (0 when the
// series is exhausted).
type series struct {
	t    vector.Type
	next func(max int) (arrow.Array, int, error)
}

// NewGenerateSeries is generate_series(start, stop, step) of type t: int4,
// int8 or numeric with a step of the same type, timestamp or timestamptz
// with an interval step. The series runs from start while not past stop
// (below it for a positive step, above for a negative one); a NULL
// argument gives no rows. A zero step fails with 22023, as do NaN and
// infinite numeric arguments.
//
// Timestamptz steps add months and days in UTC (Postgres uses the
// session's time zone).
func NewGenerateSeries(start, stop, step vector.Datum, t vector.Type) (Operator, error) {
	s := &series{t: t}
	if start == nil || stop == nil || step == nil {
		s.next = func(int) (arrow.Array, int, error) { return nil, 0, nil }
		return s, nil
	}
	var err error
	switch t.Kind {
	case vector.KindInt4:
		s.next, err = intSeries(int64(start.(int32)), int64(stop.(int32)), int64(step.(int32)), func(v []int64) arrow.Array {
			out := make([]int32, len(v))
			for i, x := range v {
				out[i] = int32(x)
			}
			return fixedColumn(vector.Int4, out, nil)
		})
	case vector.KindInt8:
		s.next, err = intSeries(start.(int64), stop.(int64), step.(int64), func(v []int64) arrow.Array {
			return fixedColumn(vector.Int8, v, nil)
		})
	case vector.KindNumeric:
		s.next, err = numericSeries(start.(*apd.Decimal), stop.(*apd.Decimal), step.(*apd.Decimal))
	case vector.KindTimestamp:
		s.next, err = timestampSeries(int64(start.(vector.TimestampValue)), int64(stop.(vector.TimestampValue)), step.(vector.IntervalValue), t)
	case vector.KindTimestampTZ:
		s.next, err = timestampSeries(int64(start.(vector.TimestampTZValue)), int64(stop.(vector.TimestampTZValue)), step.(vector.IntervalValue), t)
	default:
		return nil, vector.Errorf(vector.CodeUndefinedFunction, "function generate_series(%s, %s) does not exist", t.Name(), t.Name())
	}
	return s, err
}

func (s *series) Types() []vector.Type { return []vector.Type{s.t} }

func (s *series) Run(ctx context.Context, out chan<- Message) error {
	for {
		col, n, err := s.next(BatchSize)
		if err != nil || n == 0 {
			return err
		}
		if err := Send(ctx, out, Message{Batch: vector.NewBatch([]arrow.Array{col}, n)}); err != nil {
			return err
		}
	}
}

func errZeroStep() error {
	return vector.Errorf(vector.CodeInvalidParameterValue, "step size cannot equal zero")
}

// inSeries reports whether a value comparing c against stop is still part
// of a series with a step of sign stepSign.
func inSeries(c, stepSign int) bool { return c == 0 || c < 0 == (stepSign > 0) }

// intSeries generates integers; values are computed in int64 and the
// series ends before the next value would overflow.
func intSeries(start, stop, step int64, column func([]int64) arrow.Array) (func(int) (arrow.Array, int, error), error) {
	if step == 0 {
		return nil, errZeroStep()
	}
	cur, done := start, false
	sign := 1
	if step < 0 {
		sign = -1
	}
	var buf []int64
	return func(max int) (arrow.Array, int, error) {
		buf = buf[:0]
		for !done && len(buf) < max && inSeries(cmp.Compare(cur, stop), sign) {
			buf = append(buf, cur)
			next := cur + step
			done = (step > 0) != (next > cur) // overflow
			cur = next
		}
		return column(buf), len(buf), nil
	}, nil
}

// numericSeries generates numerics; each value has the larger scale of
// the previous one and the step (1.5, 2.00, 2.50 for a step of 0.50).
func numericSeries(start, stop, step *apd.Decimal) (func(int) (arrow.Array, int, error), error) {
	for _, a := range []struct {
		d    *apd.Decimal
		what string
	}{{start, "start value"}, {stop, "stop value"}, {step, "step size"}} {
		switch a.d.Form {
		case apd.NaN, apd.NaNSignaling:
			return nil, vector.Errorf(vector.CodeInvalidParameterValue, "%s cannot be NaN", a.what)
		case apd.Infinite:
			return nil, vector.Errorf(vector.CodeInvalidParameterValue, "%s cannot be infinity", a.what)
		}
	}
	if step.IsZero() {
		return nil, errZeroStep()
	}
	sign := 1
	if step.Negative {
		sign = -1
	}
	cur := start
	return func(max int) (arrow.Array, int, error) {
		var rows [][]byte
		for len(rows) < max && inSeries(vector.NumericCompare(cur, stop), sign) {
			rows = append(rows, []byte(vector.FormatNumeric(cur)))
			next, err := vector.NumericAdd(cur, step)
			if err != nil {
				return nil, 0, err
			}
			cur = next
		}
		return bytesColumn(vector.Numeric, rows, nil), len(rows), nil
	}, nil
}

// timestampSeries generates timestamps (µs since the epoch) by repeatedly
// adding step as Postgres' timestamp_pl_interval: months first (clamping
// the day to the month's length), then days, then time.
func timestampSeries(start, stop int64, step vector.IntervalValue, t vector.Type) (func(int) (arrow.Array, int, error), error) {
	zero := vector.IntervalValue{}
	if step == zero {
		return nil, errZeroStep()
	}
	sign := vector.CompareInterval(arrow.MonthDayNanoInterval{Months: step.Months, Days: step.Days, Nanoseconds: step.Micros * 1000}, arrow.MonthDayNanoInterval{})
	cur := start
	var buf []int64
	return func(max int) (arrow.Array, int, error) {
		buf = buf[:0]
		for len(buf) < max && inSeries(cmp.Compare(cur, stop), sign) {
			buf = append(buf, cur)
			next, ok := addInterval(cur, step)
			if !ok {
				return nil, 0, vector.Errorf(vector.CodeDatetimeFieldOverflow, "timestamp out of range")
			}
			cur = next
		}
		return fixedColumn(t, buf, nil), len(buf), nil
	}, nil
}

// addInterval adds iv to the timestamp ts (µs since the epoch, UTC).
func addInterval(ts int64, iv vector.IntervalValue) (int64, bool) {
	if iv.Months != 0 {
		tm := time.UnixMicro(ts).UTC()
		y, m, d := tm.Date()
		months := int(m) - 1 + int(iv.Months)
		y += months / 12
		if months %= 12; months < 0 {
			months += 12
			y--
		}
		last := time.Date(y, time.Month(months+2), 0, 0, 0, 0, 0, time.UTC).Day()
		tm = time.Date(y, time.Month(months+1), min(d, last), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), time.UTC)
		ts = tm.UnixMicro()
	}
	delta := float64(iv.Days)*86400e6 + float64(iv.Micros)
	if math.Abs(float64(ts)+delta) > 9.2e18 {
		return 0, false
	}
	return ts + int64(iv.Days)*86_400_000_000 + iv.Micros, true
}
