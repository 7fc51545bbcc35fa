package vector

import (
	"maps"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/cockroachdb/apd/v3"
)

const (
	microsPerSecond = 1000000
	microsPerDay    = 86400 * microsPerSecond
	// unixEpochJulian is the Julian day number of 1970-01-01.
	unixEpochJulian = 2440588
)

// newTemporalArith builds + - * / involving dates, times, timestamps and
// intervals, with Postgres' result types.
func newTemporalArith(op string, l, r Expr) (Expr, error) {
	lk, rk := l.Type().Kind, r.Type().Kind
	base := func(k Kind) bool { return isDateTime(k) || k == KindTime }
	if (op == "+" && (!base(lk) && base(rk) || lk == KindTime && rk == KindDate)) || (op == "*" && lk.IsNumeric() && rk == KindInterval) {
		// number + date, interval + timestamp, time + date, float8 *
		// interval: the operators commute; put the date (interval) first.
		e, err := newTemporalArith(op, r, l)
		if err != nil {
			return nil, undefinedOperator(op, l, r)
		}
		return e, nil
	}
	sign := int64(1)
	if op == "-" {
		sign = -1
	}
	switch {
	case lk == KindDate && rk.IsInteger() && rk != KindInt8 && (op == "+" || op == "-"):
		r, err := Coerce(r, Int4)
		if err != nil {
			return nil, err
		}
		return temporalCall(op, Date, l, r, immutable, func(ctx *EvalContext, args []operand) func(int) (int32, error) {
			d, k := fixedAt[int32](args[0]), fixedAt[int32](args[1])
			return func(i int) (int32, error) { return dateAddDays(d(i), sign*int64(k(i))) }
		})
	case lk == KindDate && rk == KindDate && op == "-":
		return temporalCall(op, Int4, l, r, immutable, func(ctx *EvalContext, args []operand) func(int) (int32, error) {
			a, b := fixedAt[int32](args[0]), fixedAt[int32](args[1])
			return func(i int) (int32, error) { return a(i) - b(i), nil }
		})
	case lk == KindDate && rk == KindTime && op == "+":
		return temporalCall(op, Timestamp, l, r, immutable, func(ctx *EvalContext, args []operand) func(int) (int64, error) {
			d, t := fixedAt[int32](args[0]), fixedAt[int64](args[1])
			return func(i int) (int64, error) { return int64(d(i))*microsPerDay + t(i), nil }
		})
	case lk == KindDate && rk == KindInterval && (op == "+" || op == "-"):
		l, err := Coerce(l, Timestamp)
		if err != nil {
			return nil, err
		}
		return newTemporalArith(op, l, r)
	case (lk == KindTimestamp || lk == KindTimestampTZ) && rk == KindInterval && (op == "+" || op == "-"):
		vol := immutable
		if lk == KindTimestampTZ {
			vol = stable
		}
		return temporalCall(op, l.Type(), l, r, vol, func(ctx *EvalContext, args []operand) func(int) (int64, error) {
			ts, iv := fixedAt[int64](args[0]), intervalGetter(args[1])
			loc := time.UTC
			if lk == KindTimestampTZ {
				loc = ctx.location()
			}
			return func(i int) (int64, error) { return timestampAddInterval(ts(i), iv(i), sign, loc) }
		})
	case (lk == KindTimestamp || lk == KindTimestampTZ) && rk == lk && op == "-":
		return temporalCall(op, Interval, l, r, immutable, func(ctx *EvalContext, args []operand) func(int) (arrow.MonthDayNanoInterval, error) {
			a, b := fixedAt[int64](args[0]), fixedAt[int64](args[1])
			return func(i int) (arrow.MonthDayNanoInterval, error) {
				d := a(i) - b(i)
				return arrow.MonthDayNanoInterval{Days: int32(d / microsPerDay), Nanoseconds: d % microsPerDay * 1000}, nil
			}
		})
	case lk == KindTime && rk == KindInterval && (op == "+" || op == "-"):
		return temporalCall(op, Time, l, r, immutable, func(ctx *EvalContext, args []operand) func(int) (int64, error) {
			t, iv := fixedAt[int64](args[0]), intervalGetter(args[1])
			return func(i int) (int64, error) {
				v := (t(i) + sign*iv(i).Nanoseconds/1000) % microsPerDay
				if v < 0 {
					v += microsPerDay
				}
				return v, nil
			}
		})
	case lk == KindTime && rk == KindTime && op == "-":
		return temporalCall(op, Interval, l, r, immutable, func(ctx *EvalContext, args []operand) func(int) (arrow.MonthDayNanoInterval, error) {
			a, b := fixedAt[int64](args[0]), fixedAt[int64](args[1])
			return func(i int) (arrow.MonthDayNanoInterval, error) {
				return arrow.MonthDayNanoInterval{Nanoseconds: (a(i) - b(i)) * 1000}, nil
			}
		})
	case lk == KindInterval && rk == KindInterval && (op == "+" || op == "-"):
		return temporalCall(op, Interval, l, r, immutable, func(ctx *EvalContext, args []operand) func(int) (arrow.MonthDayNanoInterval, error) {
			a, b := intervalGetter(args[0]), intervalGetter(args[1])
			return func(i int) (arrow.MonthDayNanoInterval, error) { return intervalAdd(a(i), b(i), sign) }
		})
	case lk == KindInterval && rk.IsNumeric() && (op == "*" || op == "/"):
		r, err := Coerce(r, Float8)
		if err != nil {
			return nil, err
		}
		return temporalCall(op, Interval, l, r, immutable, func(ctx *EvalContext, args []operand) func(int) (arrow.MonthDayNanoInterval, error) {
			a, f := intervalGetter(args[0]), fixedAt[float64](args[1])
			return func(i int) (arrow.MonthDayNanoInterval, error) { return intervalScale(a(i), f(i), op == "/") }
		})
	}
	return nil, undefinedOperator(op, l, r)
}

// temporalCall builds a row-at-a-time operator whose per-row function is
// made from the evaluated operands by mk; NULL rows are skipped.
func temporalCall[R fixed | arrow.MonthDayNanoInterval](op string, t Type, l, r Expr, vol volatility, mk func(ctx *EvalContext, args []operand) func(int) (R, error)) (Expr, error) {
	return newCall(op, true, t, []Expr{l, r}, func(ctx *EvalContext, args []operand, n int) (arrow.Array, error) {
		return rowwise(ctx, t, n, args, mk)
	}, vol)
}

// location is the session's zone (UTC when unset).
func (ctx *EvalContext) location() *time.Location {
	if ctx == nil || ctx.Location == nil {
		return time.UTC
	}
	return ctx.Location
}

// errDateRange is Postgres' error for a date outside its range.
func errDateRange() error { return Errorf(CodeDatetimeFieldOverflow, "date out of range") }

// errTimestampRange is Postgres' error for a timestamp outside its range.
func errTimestampRange() error { return Errorf(CodeDatetimeFieldOverflow, "timestamp out of range") }

// dateAddDays is date + n days.
func dateAddDays(d int32, n int64) (int32, error) {
	r := int64(d) + n
	// Postgres dates run from 4714-11-24 BC to 5874897-12-31.
	if r < -2440588 || r > 2147483647-unixEpochJulian {
		return 0, errDateRange()
	}
	return int32(r), nil
}

// timestampAddInterval is ts + sign*iv, with months and days added on the
// calendar in loc (the session's zone for timestamptz, UTC for timestamp):
// a month added to Jan 31 gives the last day of February, and a day across a
// DST change keeps the wall-clock time. Microseconds are added last.
func timestampAddInterval(ts int64, iv arrow.MonthDayNanoInterval, sign int64, loc *time.Location) (int64, error) {
	months, days := sign*int64(iv.Months), sign*int64(iv.Days)
	if months != 0 || days != 0 {
		t := time.UnixMicro(ts).In(loc)
		y, m, d := t.Date()
		if months != 0 {
			total := int64(y)*12 + int64(m-1) + months
			yy, mm := total/12, total%12
			if mm < 0 {
				yy, mm = yy-1, mm+12
			}
			y, m = int(yy), time.Month(mm+1)
			d = min(d, daysIn(y, m))
		}
		t = time.Date(y, m, d+int(days), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
		ts = t.UnixMicro()
	}
	r := ts + sign*(iv.Nanoseconds/1000)
	if (ts > 0 && iv.Nanoseconds*sign > 0 && r < 0) || (ts < 0 && iv.Nanoseconds*sign < 0 && r > 0) {
		return 0, errTimestampRange()
	}
	return r, nil
}

// daysIn is the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// errIntervalRange is Postgres' error for an interval overflow.
func errIntervalRange() error { return Errorf(CodeDatetimeFieldOverflow, "interval out of range") }

// intervalAdd is a + sign*b, field by field, with overflow checks.
func intervalAdd(a, b arrow.MonthDayNanoInterval, sign int64) (arrow.MonthDayNanoInterval, error) {
	m := int64(a.Months) + sign*int64(b.Months)
	d := int64(a.Days) + sign*int64(b.Days)
	us := a.Nanoseconds/1000 + sign*(b.Nanoseconds/1000)
	if m != int64(int32(m)) || d != int64(int32(d)) || math.Abs(float64(us)) > math.MaxInt64/1000 {
		return a, errIntervalRange()
	}
	return arrow.MonthDayNanoInterval{Months: int32(m), Days: int32(d), Nanoseconds: us * 1000}, nil
}

// tsRound rounds seconds to microseconds (Postgres' TSROUND).
func tsRound(x float64) float64 { return math.RoundToEven(x*1e6) / 1e6 }

// intervalScale is interval * f (or / f when div) as Postgres' interval_mul
// and interval_div compute it: fractional months spill into days (30 per
// month) and fractional days into time.
func intervalScale(v arrow.MonthDayNanoInterval, f float64, div bool) (arrow.MonthDayNanoInterval, error) {
	if div && f == 0 {
		return v, errDivByZero()
	}
	scale := func(x float64) float64 { return x * f }
	if div {
		scale = func(x float64) float64 { return x / f }
	}
	fm, fd := scale(float64(v.Months)), scale(float64(v.Days))
	if math.IsNaN(fm) || math.Abs(fm) > math.MaxInt32 || math.IsNaN(fd) || math.Abs(fd) > math.MaxInt32 {
		return v, errIntervalRange()
	}
	months, days := int32(fm), int32(fd)
	monthRemDays := tsRound((fm - float64(months)) * 30)
	secRem := tsRound((fd - float64(days) + monthRemDays - math.Trunc(monthRemDays)) * 86400)
	if math.Abs(secRem) >= 86400 {
		days += int32(secRem / 86400)
		secRem -= math.Trunc(secRem/86400) * 86400
	}
	days += int32(monthRemDays)
	us := math.RoundToEven(scale(float64(v.Nanoseconds/1000)) + secRem*1e6)
	if math.IsNaN(us) || math.Abs(us) >= math.MaxInt64/1000 {
		return v, errIntervalRange()
	}
	return arrow.MonthDayNanoInterval{Months: months, Days: days, Nanoseconds: int64(us) * 1000}, nil
}

func init() {
	now := func(ctx *EvalContext, _ []operand, n int) (arrow.Array, error) {
		return makeFixed(TimestampTZ, broadcast(ctx.StatementTime.UnixMicro(), n), nil, 0), nil
	}
	for _, name := range []string{"now", "current_timestamp", "transaction_timestamp", "statement_timestamp"} {
		register(name, overload{ret: TimestampTZ, vol: stable, fn: now})
	}
	register("clock_timestamp", overload{ret: TimestampTZ, vol: volatile, fn: func(_ *EvalContext, _ []operand, n int) (arrow.Array, error) {
		return makeFixed(TimestampTZ, broadcast(time.Now().UnixMicro(), n), nil, 0), nil
	}})
	register("current_date", overload{ret: Date, vol: stable, fn: func(ctx *EvalContext, _ []operand, n int) (arrow.Array, error) {
		return makeFixed(Date, broadcast(int32(localMicros(ctx.StatementTime.UnixMicro(), ctx.location())/microsPerDay), n), nil, 0), nil
	}})
	register("current_time", overload{ret: Time, vol: stable, fn: func(ctx *EvalContext, _ []operand, n int) (arrow.Array, error) {
		us := localMicros(ctx.StatementTime.UnixMicro(), ctx.location())
		return makeFixed(Time, broadcast((us%microsPerDay+microsPerDay)%microsPerDay, n), nil, 0), nil
	}})
	register("localtimestamp", overload{ret: Timestamp, vol: stable, fn: func(ctx *EvalContext, _ []operand, n int) (arrow.Array, error) {
		return makeFixed(Timestamp, broadcast(localMicros(ctx.StatementTime.UnixMicro(), ctx.location()), n), nil, 0), nil
	}})
	register("date_trunc",
		overload{params: []Type{Text, Timestamp}, ret: Timestamp, fn: truncFn(Timestamp)},
		overload{params: []Type{Text, TimestampTZ}, ret: TimestampTZ, vol: stable, fn: truncFn(TimestampTZ)},
		overload{params: []Type{Text, Interval}, ret: Interval, fn: truncIntervalFn})
	register("date_bin",
		overload{params: []Type{Interval, Timestamp, Timestamp}, ret: Timestamp, fn: dateBinFn(Timestamp)},
		overload{params: []Type{Interval, TimestampTZ, TimestampTZ}, ret: TimestampTZ, fn: dateBinFn(TimestampTZ)})
	for _, src := range []Type{Timestamp, TimestampTZ, Date, Time, Interval} {
		vol := immutable
		if src.Kind == KindTimestampTZ {
			vol = stable
		}
		register("extract", overload{params: []Type{Text, src}, ret: Numeric, vol: vol, fn: extractFn(src, false)})
		register("date_part", overload{params: []Type{Text, src}, ret: Float8, vol: vol, fn: extractFn(src, true)})
	}
	register("to_timestamp", overload{params: []Type{Float8}, ret: TimestampTZ, fn: fixedFn(TimestampTZ, func(r *row) (int64, bool, error) {
		f := r.flt(0)
		if math.IsNaN(f) || math.Abs(f) > 9.2e12 {
			return 0, false, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range: \"%g\"", f)
		}
		return int64(math.RoundToEven(f * microsPerSecond)), false, nil
	})})
	register("to_char",
		overload{params: []Type{Timestamp, Text}, ret: Text, fn: toCharFn(Timestamp)},
		overload{params: []Type{TimestampTZ, Text}, ret: Text, vol: stable, fn: toCharFn(TimestampTZ)})
	register("age",
		overload{params: []Type{Timestamp, Timestamp}, ret: Interval, fn: ageFn(Timestamp)},
		overload{params: []Type{TimestampTZ, TimestampTZ}, ret: Interval, vol: stable, fn: ageFn(TimestampTZ)})
	makeInterval := []Type{Int4, Int4, Int4, Int4, Int4, Int4, Float8}
	for k := range makeInterval {
		register("make_interval", overload{params: makeInterval[:k+1], ret: Interval, fn: makeIntervalFn})
	}
	// timezone(zone, x) is x AT TIME ZONE zone.
	register("timezone",
		overload{params: []Type{Text, TimestampTZ}, ret: Timestamp, fn: atTimeZoneFn(true)},
		overload{params: []Type{Text, Timestamp}, ret: TimestampTZ, fn: atTimeZoneFn(false)})
	register("make_date", overload{params: []Type{Int4, Int4, Int4}, ret: Date, fn: fixedFn(Date, func(r *row) (int32, bool, error) {
		us, err := makeTimestamp(r.int(0), r.int(1), r.int(2), 0, 0, 0)
		return int32(us / microsPerDay), false, err
	})})
	register("make_timestamp", overload{params: []Type{Int4, Int4, Int4, Int4, Int4, Float8}, ret: Timestamp, fn: fixedFn(Timestamp, func(r *row) (int64, bool, error) {
		us, err := makeTimestamp(r.int(0), r.int(1), r.int(2), r.int(3), r.int(4), r.flt(5))
		return us, false, err
	})})
}

// localMicros is the wall-clock time of the instant us in loc, as
// microseconds since 1970-01-01 00:00 of that wall clock.
func localMicros(us int64, loc *time.Location) int64 {
	_, off := time.UnixMicro(us).In(loc).Zone()
	return us + int64(off)*microsPerSecond
}

// makeTimestamp is make_date / make_timestamp: fields out of range are
// 22008 "date field value out of range".
func makeTimestamp(y, m, d, h, mi int64, sec float64) (int64, error) {
	if y == 0 || m < 1 || m > 12 || d < 1 || d > int64(daysIn(int(y), time.Month(m))) {
		return 0, Errorf(CodeDatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y, m, d)
	}
	if h < 0 || h > 24 || mi < 0 || mi > 59 || sec < 0 || sec > 60 {
		return 0, Errorf(CodeDatetimeFieldOverflow, "time field value out of range: %d:%02d:%02g", h, mi, sec)
	}
	if y < 0 {
		y++ // 1 BC is year 0 of the proleptic calendar
	}
	t := time.Date(int(y), time.Month(m), int(d), int(h), int(mi), 0, 0, time.UTC)
	return t.UnixMicro() + int64(math.RoundToEven(sec*microsPerSecond)), nil
}

// timeUnit is a date_trunc / extract field, normalized.
type timeUnit string

// unitAliases maps the spellings Postgres accepts for a date_trunc or
// extract field to their unit: the interval unit words and the fields
// only these functions know.
var unitAliases = func() map[string]timeUnit {
	m := maps.Clone(unitWords)
	maps.Copy(m, map[string]timeUnit{
		"quarter": "quarter", "qtr": "quarter", "millenniums": "millennium",
		"epoch": "epoch", "dow": "dow", "isodow": "isodow", "doy": "doy", "isoyear": "isoyear", "julian": "julian", "j": "julian",
		"timezone": "timezone", "timezone_hour": "timezone_hour", "timezone_minute": "timezone_minute",
	})
	return m
}()

// parseUnit resolves a field name (case-insensitive) for type t.
func parseUnit(name []byte, t Type) (timeUnit, error) {
	u, ok := unitAliases[strings.ToLower(string(name))]
	if !ok {
		return "", Errorf(CodeInvalidParameterValue, "unit \"%s\" not recognized for type %s", name, t)
	}
	return u, nil
}

// errUnitNotSupported is Postgres' error for a known unit that does not
// apply to the type.
func errUnitNotSupported(u timeUnit, t Type) error {
	return Errorf(CodeFeatureNotSupported, "unit \"%s\" not supported for type %s", u, t)
}

// truncFn is date_trunc(field, timestamp|timestamptz): timestamptz is
// truncated on the session's wall clock.
func truncFn(t Type) evalFn {
	return func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		loc := time.UTC
		if t.Kind == KindTimestampTZ {
			loc = ctx.location()
		}
		return fixedFn(t, func(r *row) (int64, bool, error) {
			u, err := parseUnit(r.str(0), t)
			if err != nil {
				return 0, false, err
			}
			v, err := truncTimestamp(u, r.int(1), loc, t)
			return v, false, err
		})(ctx, ops, n)
	}
}

// truncTimestamp truncates the instant us to unit u on the calendar of loc.
func truncTimestamp(u timeUnit, us int64, loc *time.Location, t Type) (int64, error) {
	switch u {
	case "microseconds":
		return us, nil
	case "milliseconds":
		return us - mod(us, 1000), nil
	case "second":
		return us - mod(us, microsPerSecond), nil
	}
	tm := time.UnixMicro(us).In(loc)
	y, m, d := tm.Date()
	h, mi := tm.Hour(), tm.Minute()
	switch u {
	case "minute":
		return time.Date(y, m, d, h, mi, 0, 0, loc).UnixMicro(), nil
	case "hour":
		mi = 0
	case "day":
		h, mi = 0, 0
	case "week":
		d -= (int(tm.Weekday()) + 6) % 7
		h, mi = 0, 0
	case "month", "quarter", "year", "decade", "century", "millennium":
		h, mi, d = 0, 0, 1
		switch u {
		case "quarter":
			m = (m-1)/3*3 + 1
		case "year":
			m = 1
		case "decade":
			m, y = 1, y-mod64(y, 10)
		case "century":
			m, y = 1, centuryStart(y)
		case "millennium":
			m, y = 1, millenniumStart(y)
		}
	default:
		return 0, errUnitNotSupported(u, t)
	}
	return time.Date(y, m, d, h, mi, 0, 0, loc).UnixMicro(), nil
}

// mod is the non-negative remainder of a / b (b > 0).
func mod(a, b int64) int64 { return (a%b + b) % b }

func mod64(a, b int) int { return (a%b + b) % b }

// centuryStart is the first year of y's century (centuries start at xx01).
func centuryStart(y int) int {
	if y > 0 {
		return (y-1)/100*100 + 1
	}
	return -((99-(y-1))/100)*100 + 1
}

// millenniumStart is the first year of y's millennium.
func millenniumStart(y int) int {
	if y > 0 {
		return (y-1)/1000*1000 + 1
	}
	return -((999-(y-1))/1000)*1000 + 1
}

// truncIntervalFn is date_trunc(field, interval).
func truncIntervalFn(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
	return rowwise(ctx, Interval, n, ops, func(_ *EvalContext, args []operand) func(int) (arrow.MonthDayNanoInterval, error) {
		field, iv := stringAt(args[0]), intervalGetter(args[1])
		return func(i int) (arrow.MonthDayNanoInterval, error) {
			u, err := parseUnit(field(i), Interval)
			if err != nil {
				return iv(i), err
			}
			return truncInterval(u, iv(i))
		}
	})
}

// truncInterval zeroes the fields of v below unit u.
func truncInterval(u timeUnit, v arrow.MonthDayNanoInterval) (arrow.MonthDayNanoInterval, error) {
	us := v.Nanoseconds / 1000
	unitMicros := map[timeUnit]int64{"microseconds": 1, "milliseconds": 1000, "second": microsPerSecond, "minute": 60 * microsPerSecond, "hour": 3600 * microsPerSecond}
	if step, ok := unitMicros[u]; ok {
		return arrow.MonthDayNanoInterval{Months: v.Months, Days: v.Days, Nanoseconds: (us - us%step) * 1000}, nil
	}
	monthsPer := map[timeUnit]int32{"month": 1, "quarter": 3, "year": 12, "decade": 120, "century": 1200, "millennium": 12000}
	switch step, ok := monthsPer[u]; {
	case u == "day":
		return arrow.MonthDayNanoInterval{Months: v.Months, Days: v.Days}, nil
	case ok:
		return arrow.MonthDayNanoInterval{Months: v.Months - v.Months%step}, nil
	case u == "week":
		e := errUnitNotSupported(u, Interval)
		e.(*Error).Detail = "Months usually have fractional weeks."
		return v, e
	}
	return v, errUnitNotSupported(u, Interval)
}

// dateBinFn is date_bin(stride, source, origin): the start of the bin of
// width stride (no months) that holds source, bins aligned on origin.
func dateBinFn(t Type) evalFn {
	return func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		return rowwise(ctx, t, n, ops, func(_ *EvalContext, args []operand) func(int) (int64, error) {
			stride, src, origin := intervalGetter(args[0]), fixedAt[int64](args[1]), fixedAt[int64](args[2])
			return func(i int) (int64, error) {
				s := stride(i)
				if s.Months != 0 {
					return 0, Errorf(CodeFeatureNotSupported, "timestamps cannot be binned into intervals containing months or years")
				}
				step := int64(s.Days)*microsPerDay + s.Nanoseconds/1000
				if step <= 0 {
					return 0, Errorf(CodeInvalidParameterValue, "stride must be greater than zero")
				}
				diff := src(i) - origin(i)
				delta := diff - diff%step
				if diff < 0 && diff%step != 0 {
					delta -= step
				}
				return origin(i) + delta, nil
			}
		})
	}
}

// extractFn is extract(field FROM src) → numeric, or date_part(field, src)
// → double precision (asFloat).
func extractFn(src Type, asFloat bool) evalFn {
	return func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		loc := ctx.location()
		part := func(r *row) (int64, int32, error) {
			u, err := parseUnit(r.str(0), src)
			if err != nil {
				return 0, 0, err
			}
			if src.Kind == KindInterval {
				iv := intervalGetter(r.ops[1])(r.i)
				return extractInterval(u, iv)
			}
			return extractTime(u, src, r.int(1), loc)
		}
		if asFloat {
			return fixedFn(Float8, func(r *row) (float64, bool, error) {
				v, scale, err := part(r)
				return float64(v) / math.Pow10(int(scale)), false, err
			})(ctx, ops, n)
		}
		return textFn(Numeric, true, func(dst []byte, r *row) ([]byte, bool, error) {
			v, scale, err := part(r)
			if err != nil {
				return nil, false, err
			}
			return append(dst, FormatNumeric(apd.New(v, -scale))...), false, nil
		})(ctx, ops, n)
	}
}

// extractTime is a field of a timestamp, timestamptz (on the session's
// calendar), date or time value v, as v/10^scale.
func extractTime(u timeUnit, t Type, v int64, loc *time.Location) (val int64, scale int32, err error) {
	instant := v
	switch t.Kind {
	case KindDate:
		v *= microsPerDay
		instant = v
		switch u {
		case "microseconds", "milliseconds", "second", "minute", "hour", "timezone", "timezone_hour", "timezone_minute":
			return 0, 0, errUnitNotSupported(u, t)
		case "epoch":
			return v / microsPerSecond, 0, nil
		}
	case KindTime:
		switch u {
		case "microseconds", "milliseconds", "second", "minute", "hour", "epoch":
		default:
			return 0, 0, errUnitNotSupported(u, t)
		}
	case KindTimestampTZ:
		v = localMicros(v, loc)
	}
	secs := mod(v, 60*microsPerSecond) // seconds with fraction, in µs
	tm := time.UnixMicro(v).UTC()
	year := tm.Year()
	if year <= 0 {
		year-- // no year 0 in SQL: 1 BC follows 1 AD
	}
	switch u {
	case "microseconds":
		return secs, 0, nil
	case "milliseconds":
		return secs, 3, nil
	case "second":
		return secs, 6, nil
	case "minute":
		return int64(tm.Minute()), 0, nil
	case "hour":
		if t.Kind == KindTime {
			return v / (3600 * microsPerSecond), 0, nil
		}
		return int64(tm.Hour()), 0, nil
	case "epoch":
		if t.Kind == KindTime {
			return v, 6, nil
		}
		return instant, 6, nil
	case "day":
		return int64(tm.Day()), 0, nil
	case "month":
		return int64(tm.Month()), 0, nil
	case "quarter":
		return int64(tm.Month()-1)/3 + 1, 0, nil
	case "year":
		return int64(year), 0, nil
	case "decade":
		if year >= 0 {
			return int64(year / 10), 0, nil
		}
		return int64(-((8 - (year - 1)) / 10)), 0, nil
	case "century":
		if year > 0 {
			return int64((year + 99) / 100), 0, nil
		}
		return int64(-((99 - (year - 1)) / 100)), 0, nil
	case "millennium":
		if year > 0 {
			return int64((year + 999) / 1000), 0, nil
		}
		return int64(-((999 - (year - 1)) / 1000)), 0, nil
	case "dow":
		return int64(tm.Weekday()), 0, nil
	case "isodow":
		return int64((int(tm.Weekday())+6)%7 + 1), 0, nil
	case "doy":
		return int64(tm.YearDay()), 0, nil
	case "week":
		_, w := tm.ISOWeek()
		return int64(w), 0, nil
	case "isoyear":
		y, _ := tm.ISOWeek()
		if y <= 0 {
			y--
		}
		return int64(y), 0, nil
	}
	if t.Kind == KindTimestampTZ {
		_, off := time.UnixMicro(instant).In(loc).Zone()
		switch u {
		case "timezone":
			return int64(off), 0, nil
		case "timezone_hour":
			return int64(off / 3600), 0, nil
		case "timezone_minute":
			return int64(off / 60 % 60), 0, nil
		}
	}
	return 0, 0, errUnitNotSupported(u, t)
}

// extractInterval is a field of an interval, as v/10^scale.
func extractInterval(u timeUnit, iv arrow.MonthDayNanoInterval) (int64, int32, error) {
	us := iv.Nanoseconds / 1000
	years := int64(iv.Months / 12)
	switch u {
	case "microseconds":
		return us % (60 * microsPerSecond), 0, nil
	case "milliseconds":
		return us % (60 * microsPerSecond), 3, nil
	case "second":
		return us % (60 * microsPerSecond), 6, nil
	case "minute":
		return us / (60 * microsPerSecond) % 60, 0, nil
	case "hour":
		return us / (3600 * microsPerSecond), 0, nil
	case "day":
		return int64(iv.Days), 0, nil
	case "month":
		return int64(iv.Months % 12), 0, nil
	case "quarter":
		return int64(iv.Months%12)/3 + 1, 0, nil
	case "year":
		return years, 0, nil
	case "decade":
		return years / 10, 0, nil
	case "century":
		return years / 100, 0, nil
	case "millennium":
		return years / 1000, 0, nil
	case "epoch":
		// A year is 365.25 days, a month 30 days.
		return years*31557600*microsPerSecond + int64(iv.Months%12)*30*microsPerDay + int64(iv.Days)*microsPerDay + us, 6, nil
	}
	return 0, 0, errUnitNotSupported(u, Interval)
}

// toCharPatterns are the to_char template patterns runnel knows, longest
// first so that "MONTH" is not read as "MON" + "TH".
var toCharPatterns = []string{
	"MONTH", "Month", "month", "HH24", "HH12", "YYYY", "a.m.", "p.m.", "A.M.", "P.M.",
	"MON", "Mon", "mon", "DAY", "Day", "day", "DDD", "YY", "MM", "DD", "HH", "MI", "SS", "MS", "US",
	"DY", "Dy", "dy", "AM", "PM", "am", "pm", "TZ", "D", "Q",
}

// toCharFn is to_char(timestamp|timestamptz, template).
func toCharFn(t Type) evalFn {
	return func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		loc := time.UTC
		if t.Kind == KindTimestampTZ {
			loc = ctx.location()
		}
		return textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
			tm := time.UnixMicro(r.int(0)).In(loc)
			if t.Kind == KindTimestamp {
				tm = tm.UTC()
			}
			return appendToChar(dst, tm, string(r.str(1)), t.Kind == KindTimestampTZ), false, nil
		})(ctx, ops, n)
	}
}

// appendToChar formats tm by a to_char template: the patterns of
// toCharPatterns, an FM prefix (no padding), "quoted" literal text, and
// every other character as itself.
func appendToChar(dst []byte, tm time.Time, tmpl string, zoned bool) []byte {
	num := func(v, width int, fm bool) {
		if fm {
			width = 0
		}
		s := strconv.Itoa(v)
		for k := len(s); k < width; k++ {
			dst = append(dst, '0')
		}
		dst = append(dst, s...)
	}
	word := func(s string, upper, lower, fm bool) {
		switch {
		case upper:
			s = strings.ToUpper(s)
		case lower:
			s = strings.ToLower(s)
		}
		dst = append(dst, s...)
		if !fm {
			for k := len(s); k < 9; k++ {
				dst = append(dst, ' ')
			}
		}
	}
	for i := 0; i < len(tmpl); {
		fm := strings.HasPrefix(tmpl[i:], "FM")
		if fm {
			i += 2
		}
		if i < len(tmpl) && tmpl[i] == '"' {
			end := strings.IndexByte(tmpl[i+1:], '"')
			if end < 0 {
				end = len(tmpl) - i - 1
			}
			dst = append(dst, tmpl[i+1:i+1+end]...)
			i += end + 2
			continue
		}
		pat := ""
		for _, p := range toCharPatterns {
			if strings.HasPrefix(tmpl[i:], p) {
				pat = p
				break
			}
		}
		if pat == "" {
			if i < len(tmpl) {
				dst = append(dst, tmpl[i])
			}
			i++
			continue
		}
		i += len(pat)
		h12 := (tm.Hour()+11)%12 + 1
		pm := tm.Hour() >= 12
		switch pat {
		case "YYYY":
			num(tm.Year(), 4, fm)
		case "YY":
			num(tm.Year()%100, 2, fm)
		case "MM":
			num(int(tm.Month()), 2, fm)
		case "DD":
			num(tm.Day(), 2, fm)
		case "DDD":
			num(tm.YearDay(), 3, fm)
		case "D":
			num(int(tm.Weekday())+1, 1, fm)
		case "Q":
			num((int(tm.Month())-1)/3+1, 1, fm)
		case "HH24":
			num(tm.Hour(), 2, fm)
		case "HH12", "HH":
			num(h12, 2, fm)
		case "MI":
			num(tm.Minute(), 2, fm)
		case "SS":
			num(tm.Second(), 2, fm)
		case "MS":
			num(tm.Nanosecond()/1e6, 3, fm)
		case "US":
			num(tm.Nanosecond()/1e3, 6, fm)
		case "Month", "MONTH", "month":
			word(tm.Month().String(), pat == "MONTH", pat == "month", fm)
		case "Day", "DAY", "day":
			word(tm.Weekday().String(), pat == "DAY", pat == "day", fm)
		case "Mon", "MON", "mon":
			word(tm.Month().String()[:3], pat == "MON", pat == "mon", true)
		case "Dy", "DY", "dy":
			word(tm.Weekday().String()[:3], pat == "DY", pat == "dy", true)
		case "AM", "PM", "am", "pm", "A.M.", "P.M.", "a.m.", "p.m.":
			s := map[bool]string{false: "AM", true: "PM"}[pm]
			if strings.Contains(pat, ".") {
				s = s[:1] + "." + s[1:] + "."
			}
			if pat[0] >= 'a' {
				s = strings.ToLower(s)
			}
			dst = append(dst, s...)
		case "TZ":
			if zoned {
				name, _ := tm.Zone()
				dst = append(dst, name...)
			}
		}
	}
	return dst
}

// ageFn is age(a, b): a - b as years, months, days and time, computed field
// by field on the calendar (of the session's zone for timestamptz) the way
// Postgres' timestamp_age does, borrowing from the next larger field.
func ageFn(t Type) evalFn {
	return func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		loc := time.UTC
		if t.Kind == KindTimestampTZ {
			loc = ctx.location()
		}
		return rowwise(ctx, Interval, n, ops, func(_ *EvalContext, args []operand) func(int) (arrow.MonthDayNanoInterval, error) {
			a, b := fixedAt[int64](args[0]), fixedAt[int64](args[1])
			return func(i int) (arrow.MonthDayNanoInterval, error) {
				return age(time.UnixMicro(a(i)).In(loc), time.UnixMicro(b(i)).In(loc)), nil
			}
		})
	}
}

// age is timestamp_age over two broken-down times.
func age(t1, t2 time.Time) arrow.MonthDayNanoInterval {
	neg := t1.Before(t2)
	usec := int64(t1.Nanosecond()/1000 - t2.Nanosecond()/1000)
	f := [5]int64{ // sec, min, hour, mday, mon; years apart
		int64(t1.Second() - t2.Second()), int64(t1.Minute() - t2.Minute()), int64(t1.Hour() - t2.Hour()),
		int64(t1.Day() - t2.Day()), int64(t1.Month() - t2.Month()),
	}
	years := int64(t1.Year() - t2.Year())
	if neg {
		usec, years = -usec, -years
		for k := range f {
			f[k] = -f[k]
		}
	}
	for ; usec < 0; f[0]-- {
		usec += microsPerSecond
	}
	for ; f[0] < 0; f[1]-- {
		f[0] += 60
	}
	for ; f[1] < 0; f[2]-- {
		f[1] += 60
	}
	for ; f[2] < 0; f[3]-- {
		f[2] += 24
	}
	ref := t2 // the month whose length a negative day count borrows
	if neg {
		ref = t1
	}
	for ; f[3] < 0; f[4]-- {
		f[3] += int64(daysIn(ref.Year(), ref.Month()))
	}
	for ; f[4] < 0; years-- {
		f[4] += 12
	}
	months, days := years*12+f[4], f[3]
	us := ((f[2]*60+f[1])*60+f[0])*microsPerSecond + usec
	if neg {
		months, days, us = -months, -days, -us
	}
	return arrow.MonthDayNanoInterval{Months: int32(months), Days: int32(days), Nanoseconds: us * 1000}
}

// makeIntervalFn is make_interval(years, months, weeks, days, hours, mins,
// secs), every argument optional from the right.
func makeIntervalFn(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
	return rowwise(ctx, Interval, n, ops, func(_ *EvalContext, args []operand) func(int) (arrow.MonthDayNanoInterval, error) {
		r := newRow(args)
		return func(i int) (arrow.MonthDayNanoInterval, error) {
			r.i = i
			var f [6]int64
			secs := 0.0
			for k := range args {
				if k < 6 {
					f[k] = r.int(k)
				} else {
					secs = r.flt(k)
				}
			}
			months := f[0]*12 + f[1]
			days := f[2]*7 + f[3]
			us := (f[4]*3600+f[5]*60)*microsPerSecond + int64(math.RoundToEven(secs*microsPerSecond))
			if months != int64(int32(months)) || days != int64(int32(days)) || math.IsNaN(secs) || math.Abs(secs) > 9e12 {
				return arrow.MonthDayNanoInterval{}, errIntervalRange()
			}
			return arrow.MonthDayNanoInterval{Months: int32(months), Days: int32(days), Nanoseconds: us * 1000}, nil
		}
	})
}

// atTimeZoneFn is timezone(zone, x): a timestamptz becomes the wall-clock
// timestamp in zone (toLocal), a timestamp is read as a wall-clock time in
// zone and becomes a timestamptz. The zone is loaded again only when it
// changes from one row to the next.
func atTimeZoneFn(toLocal bool) evalFn {
	t := Timestamp
	if !toLocal {
		t = TimestampTZ
	}
	return func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		var loc *time.Location
		var lastName string
		return fixedFn(t, func(r *row) (int64, bool, error) {
			if name := string(r.str(0)); loc == nil || name != lastName {
				var err error
				if loc, err = loadZone(name); err != nil {
					return 0, false, err
				}
				lastName = name
			}
			v := r.int(1)
			if toLocal {
				return localMicros(v, loc), false, nil
			}
			wall := time.UnixMicro(v).UTC()
			y, m, d := wall.Date()
			return time.Date(y, m, d, wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), loc).UnixMicro(), false, nil
		})(ctx, ops, n)
	}
}

// loadZone finds a time zone by its IANA name (UTC and GMT in any case).
func loadZone(name string) (*time.Location, error) {
	switch strings.ToUpper(name) {
	case "UTC", "GMT", "Z", "ZULU":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		return nil, Errorf(CodeInvalidParameterValue, "time zone \"%s\" not recognized", name)
	}
	return loc, nil
}
