package vector

import (
	"math"
	"strings"
)

// Intervals keep months, days and µs apart as Postgres does. They print in
// IntervalStyle postgres and compare by their total span with a month of 30
// days and a day of 24 hours (interval_cmp).

const (
	daysPerMonth  = 30
	monthsPerYear = 12
	secondsPerDay = 86400
)

// maxIntervalMicros bounds the time part of an interval: the physical
// representation holds nanoseconds in an int64, so about ±292 years of
// hours (Postgres allows more).
const maxIntervalMicros = math.MaxInt64 / 1000

// appendInterval appends v in IntervalStyle postgres:
// "1 year 2 mons 3 days 04:05:06.7", "-1 days", "00:00:00".
func appendInterval(buf []byte, v IntervalValue) []byte {
	isZero, isBefore := true, false
	part := func(value int64, unit string) {
		if value == 0 {
			return
		}
		if !isZero {
			buf = append(buf, ' ')
		}
		if isBefore && value > 0 {
			buf = append(buf, '+')
		}
		buf = appendInt(buf, value, 1)
		buf = append(buf, ' ')
		buf = append(buf, unit...)
		if value != 1 {
			buf = append(buf, 's')
		}
		isBefore, isZero = value < 0, false
	}
	part(int64(v.Months/monthsPerYear), "year")
	part(int64(v.Months%monthsPerYear), "mon")
	part(int64(v.Days), "day")
	if isZero || v.Micros != 0 {
		if !isZero {
			buf = append(buf, ' ')
		}
		us := v.Micros
		switch {
		case us < 0:
			buf = append(buf, '-')
			us = -us
		case isBefore:
			buf = append(buf, '+')
		}
		buf = appendClock(buf, us)
	}
	return buf
}

// compareInterval orders intervals by their span (30-day months, 24-hour
// days), exactly, without overflow.
func compareInterval(a, b IntervalValue) int {
	ad, ar := intervalDaysRest(a)
	bd, br := intervalDaysRest(b)
	if c := cmpOrdered(ad, bd); c != 0 {
		return c
	}
	return cmpOrdered(ar, br)
}

// intervalDaysRest is v as whole days and the remaining µs in [0, 1 day).
func intervalDaysRest(v IntervalValue) (days, rest int64) {
	days = int64(v.Months)*daysPerMonth + int64(v.Days) + divFloor(v.Micros, usPerDay)
	return days, v.Micros - divFloor(v.Micros, usPerDay)*usPerDay
}

// intervalAcc accumulates the fields of an interval being parsed.
type intervalAcc struct {
	months, days, micros float64
	seen                 map[string]bool
}

// add adds value (with its fraction) of unit, cascading fractions to the
// smaller fields as Postgres' DecodeInterval does.
func (a *intervalAcc) add(value float64, unit timeUnit) {
	whole, frac := math.Modf(value)
	switch unit {
	case "microseconds":
		a.micros += math.RoundToEven(value)
	case "milliseconds":
		a.micros += math.RoundToEven(value * 1000)
	case "second":
		a.micros += whole*float64(usPerSec) + math.RoundToEven(frac*1e6)
	case "minute":
		a.micros += whole * float64(usPerMin)
		a.fractSeconds(frac, 60)
	case "hour":
		a.micros += whole * float64(usPerHour)
		a.fractSeconds(frac, 3600)
	case "day":
		a.days += whole
		a.fractSeconds(frac, secondsPerDay)
	case "week":
		a.days += whole * 7
		a.fractDays(frac, 7)
	case "month":
		a.months += whole
		a.fractDays(frac, daysPerMonth)
	case "year":
		a.months += whole*monthsPerYear + math.RoundToEven(frac*monthsPerYear)
	case "decade":
		a.months += whole*120 + math.RoundToEven(frac*120)
	case "century":
		a.months += whole*1200 + math.RoundToEven(frac*1200)
	case "millennium":
		a.months += whole*12000 + math.RoundToEven(frac*12000)
	}
}

func (a *intervalAcc) fractSeconds(frac, scale float64) {
	sec := frac * scale
	whole, f := math.Modf(sec)
	a.micros += whole*float64(usPerSec) + math.RoundToEven(f*1e6)
}

func (a *intervalAcc) fractDays(frac, scale float64) {
	d := frac * scale
	whole, f := math.Modf(d)
	a.days += whole
	a.fractSeconds(f, secondsPerDay)
}

// unitWords maps the unit words Postgres accepts in interval input to
// their unit. date_trunc and extract accept these and a few more
// (unitAliases).
var unitWords = map[string]timeUnit{
	"microsecond": "microseconds", "microseconds": "microseconds", "us": "microseconds", "usec": "microseconds", "usecs": "microseconds", "useconds": "microseconds",
	"millisecond": "milliseconds", "milliseconds": "milliseconds", "ms": "milliseconds", "msec": "milliseconds", "msecs": "milliseconds", "mseconds": "milliseconds",
	"second": "second", "seconds": "second", "s": "second", "sec": "second", "secs": "second",
	"minute": "minute", "minutes": "minute", "m": "minute", "min": "minute", "mins": "minute",
	"hour": "hour", "hours": "hour", "h": "hour", "hr": "hour", "hrs": "hour",
	"day": "day", "days": "day", "d": "day",
	"week": "week", "weeks": "week", "w": "week",
	"month": "month", "months": "month", "mon": "month", "mons": "month",
	"year": "year", "years": "year", "y": "year", "yr": "year", "yrs": "year",
	"decade": "decade", "decades": "decade", "dec": "decade", "decs": "decade",
	"century": "century", "centuries": "century", "c": "century", "cent": "century",
	"millennium": "millennium", "millennia": "millennium", "mil": "millennium", "mils": "millennium",
}

// parseInterval parses Postgres interval input: "1 year 2 mons", "3 hours",
// "-5 minutes", "1.5 days", "1 day 02:00:00", "@ 1 hour ago", a bare number
// of seconds, "Y-M", and ISO 8601 "P1Y2M3DT4H5M6S".
func parseInterval(s string) (IntervalValue, error) {
	t := strings.TrimSpace(s)
	acc := intervalAcc{}
	var ok bool
	if len(t) > 1 && (t[0] == 'P' || t[0] == 'p') {
		ok = parseISOInterval(t[1:], &acc)
	} else {
		ok = parsePostgresInterval(t, &acc)
	}
	if !ok {
		return IntervalValue{}, Errorf(CodeInvalidDatetimeFormat, "invalid input syntax for type interval: %q", s)
	}
	// Written so that NaN (from a number too long for a float) fails too.
	if !(math.Abs(acc.months) <= math.MaxInt32 && math.Abs(acc.days) <= math.MaxInt32 && math.Abs(acc.micros) <= maxIntervalMicros) {
		return IntervalValue{}, Errorf(CodeDatetimeFieldOverflow, "interval field value out of range: %q", s)
	}
	return IntervalValue{Months: int32(acc.months), Days: int32(acc.days), Micros: int64(acc.micros)}, nil
}

// parsePostgresInterval parses the postgres-style (and SQL-standard) forms.
func parsePostgresInterval(t string, acc *intervalAcc) bool {
	t = strings.TrimPrefix(t, "@")
	fields := strings.Fields(t)
	if len(fields) == 0 {
		return false
	}
	ago := false
	if strings.EqualFold(fields[len(fields)-1], "ago") {
		ago, fields = true, fields[:len(fields)-1]
	}
	seen := map[timeUnit]bool{}
	use := func(unit timeUnit) bool {
		if seen[unit] {
			return false
		}
		seen[unit] = true
		return true
	}
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.IndexByte(f, ':') >= 0 {
			us, ok := parseIntervalClock(f)
			if !ok || !use("clock") {
				return false
			}
			acc.micros += us
			continue
		}
		num, unitText := splitNumber(f)
		if num == "" {
			return false
		}
		if unitText == "" && i+1 < len(fields) {
			if _, isUnit := unitWords[strings.ToLower(fields[i+1])]; isUnit {
				unitText = fields[i+1]
				i++
			}
		}
		if unitText == "" && strings.Count(num, "-") == 1 && num[0] != '-' || strings.Count(num, "-") == 2 && num[0] == '-' {
			if !parseYearMonth(num, acc) || !use("year") {
				return false
			}
			continue
		}
		v, ok := parseDecimalFloat(num)
		if !ok {
			return false
		}
		unit := timeUnit("second")
		if unitText != "" {
			u, isUnit := unitWords[strings.ToLower(unitText)]
			if !isUnit {
				return false
			}
			unit = u
		}
		if !use(unit) {
			return false
		}
		acc.add(v, unit)
	}
	if ago {
		acc.months, acc.days, acc.micros = -acc.months, -acc.days, -acc.micros
	}
	return true
}

// splitNumber splits "1.5days" into "1.5" and "days".
func splitNumber(f string) (num, unit string) {
	i := 0
	for i < len(f) && (isDigit(f[i]) || f[i] == '.' || f[i] == '-' || f[i] == '+') {
		i++
	}
	return f[:i], f[i:]
}

// parseDecimalFloat parses [+-]digits[.digits] (no exponent).
func parseDecimalFloat(s string) (float64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var v, scale float64 = 0, 1
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digits++
			if point {
				scale /= 10
				v += float64(c-'0') * scale
			} else {
				v = v*10 + float64(c-'0')
			}
		case c == '.' && !point:
			point = true
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseYearMonth parses the SQL-standard "[-]Y-M".
func parseYearMonth(s string, acc *intervalAcc) bool {
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	y, m, ok := strings.Cut(s, "-")
	yv, ok1 := parseDecimalFloat(y)
	mv, ok2 := parseDecimalFloat(m)
	if !ok || !ok1 || !ok2 || strings.ContainsAny(y+m, ".+-") {
		return false
	}
	months := yv*monthsPerYear + mv
	if neg {
		months = -months
	}
	acc.months += months
	return true
}

// parseIntervalClock parses [+-]h:m[:s[.frac]] into µs (h unbounded).
func parseIntervalClock(f string) (float64, bool) {
	neg := false
	if f[0] == '+' || f[0] == '-' {
		neg = f[0] == '-'
		f = f[1:]
	}
	parts := strings.Split(f, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, ok1 := parseDecimalFloat(parts[0])
	m, ok2 := parseDecimalFloat(parts[1])
	if !ok1 || !ok2 || strings.ContainsAny(parts[0]+parts[1], ".+-") || m > 59 {
		return 0, false
	}
	us := h*float64(usPerHour) + m*float64(usPerMin)
	if len(parts) == 3 {
		sec, ok := parseDecimalFloat(parts[2])
		if !ok || strings.ContainsAny(parts[2], "+-") || sec >= 60 {
			return 0, false
		}
		us += math.RoundToEven(sec * 1e6)
	}
	if neg {
		us = -us
	}
	return us, true
}

// parseISOInterval parses the part of an ISO 8601 duration after "P".
func parseISOInterval(s string, acc *intervalAcc) bool {
	inTime := false
	for len(s) > 0 {
		if s[0] == 'T' || s[0] == 't' {
			if inTime {
				return false
			}
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && (isDigit(s[i]) || s[i] == '.' || s[i] == '-' || s[i] == '+') {
			i++
		}
		if i == 0 || i == len(s) {
			return false
		}
		v, ok := parseDecimalFloat(s[:i])
		if !ok {
			return false
		}
		var unit timeUnit
		switch c := s[i] | 0x20; {
		case c == 'y' && !inTime:
			unit = "year"
		case c == 'm' && !inTime:
			unit = "month"
		case c == 'w' && !inTime:
			unit = "week"
		case c == 'd' && !inTime:
			unit = "day"
		case c == 'h' && inTime:
			unit = "hour"
		case c == 'm' && inTime:
			unit = "minute"
		case c == 's' && inTime:
			unit = "second"
		default:
			return false
		}
		acc.add(v, unit)
		s = s[i+1:]
	}
	return true
}
