package vector

import (
	"math"
	"strings"
	"time"
)

// Dates and times use the proleptic Gregorian calendar with astronomical
// years internally (year 0 is 1 BC, as Postgres' tm_year <= 0), converted
// with integer arithmetic: no time.Time on the hot path except for time
// zone lookups of timestamptz.
//
// infinity and -infinity are stored as the extreme values of the
// representation (math.MaxInt32 / math.MinInt32 days for dates,
// math.MaxInt64 / math.MinInt64 µs for timestamps), as Postgres does.

const (
	usPerSec  = int64(1_000_000)
	usPerMin  = 60 * usPerSec
	usPerHour = 60 * usPerMin
	usPerDay  = 24 * usPerHour

	// pgEpochDays is 2000-01-01, Postgres' epoch, in days since 1970-01-01.
	pgEpochDays = 10957
	// pgEpochMicros is 2000-01-01 in µs since 1970-01-01.
	pgEpochMicros = pgEpochDays * usPerDay

	// minDateDays is 4714-11-24 BC (Julian day 0), the first day Postgres
	// accepts, in days since 1970-01-01.
	minDateDays = -2440588
	// maxDateDays is 5874897-12-31, the last date Postgres accepts.
	maxDateDays = 2145031948
)

// Sentinels of the infinite dates and timestamps.
const (
	dateInfinity    = DateValue(math.MaxInt32)
	dateNegInfinity = DateValue(math.MinInt32)
	tsInfinity      = math.MaxInt64
	tsNegInfinity   = math.MinInt64
)

// daysFromCivil is the number of days from 1970-01-01 to y-m-d (astronomical
// year), by Howard Hinnant's algorithm.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := divFloor(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := divFloor(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysInMonth is the length of month m of astronomical year y.
func daysInMonth(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// appendInt appends v in decimal, zero-padded to at least width digits
// (the sign is not counted).
func appendInt(buf []byte, v int64, width int) []byte {
	if v < 0 {
		buf = append(buf, '-')
		v = -v
	}
	var tmp [20]byte
	i := len(tmp)
	for v > 0 || len(tmp)-i < width || i == len(tmp) {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(buf, tmp[i:]...)
}

// appendYMD appends "YYYY-MM-DD" for the astronomical year y printed as a
// positive year (the caller appends " BC").
func appendYMD(buf []byte, y, m, d int64) []byte {
	if y <= 0 {
		y = 1 - y
	}
	buf = appendInt(buf, y, 4)
	buf = append(buf, '-')
	buf = appendInt(buf, m, 2)
	buf = append(buf, '-')
	return appendInt(buf, d, 2)
}

// appendDate appends a date as Postgres prints it with DateStyle ISO.
func appendDate(buf []byte, v DateValue) []byte {
	switch v {
	case dateInfinity:
		return append(buf, "infinity"...)
	case dateNegInfinity:
		return append(buf, "-infinity"...)
	}
	y, m, d := civilFromDays(int64(v))
	buf = appendYMD(buf, y, m, d)
	if y <= 0 {
		buf = append(buf, " BC"...)
	}
	return buf
}

// appendClock appends "hh:mm:ss[.ffffff]" for us µs (0 <= us, hours may
// exceed 23), trailing zeros of the fraction trimmed.
func appendClock(buf []byte, us int64) []byte {
	buf = appendInt(buf, us/usPerHour, 2)
	buf = append(buf, ':')
	buf = appendInt(buf, us/usPerMin%60, 2)
	buf = append(buf, ':')
	return appendSeconds(buf, us%usPerMin)
}

// appendSeconds appends "ss[.ffffff]" for us < 60 s, fraction trimmed.
func appendSeconds(buf []byte, us int64) []byte {
	buf = appendInt(buf, us/usPerSec, 2)
	frac := us % usPerSec
	if frac == 0 {
		return buf
	}
	digits := 6
	for frac%10 == 0 {
		frac /= 10
		digits--
	}
	buf = append(buf, '.')
	return appendInt(buf, frac, digits)
}

// appendTime appends a time of day.
func appendTime(buf []byte, v TimeValue) []byte { return appendClock(buf, int64(v)) }

// appendTimestamp appends a timestamp without time zone.
func appendTimestamp(buf []byte, us int64) []byte {
	switch us {
	case tsInfinity:
		return append(buf, "infinity"...)
	case tsNegInfinity:
		return append(buf, "-infinity"...)
	}
	days := divFloor(us, usPerDay)
	y, m, d := civilFromDays(days)
	buf = appendYMD(buf, y, m, d)
	buf = append(buf, ' ')
	buf = appendClock(buf, us-days*usPerDay)
	if y <= 0 {
		buf = append(buf, " BC"...)
	}
	return buf
}

// appendTimestampTZ appends a timestamptz shown in loc, with its UTC offset
// ("+00", "+05:30", "+05:21:10").
func appendTimestampTZ(buf []byte, us int64, loc *time.Location) []byte {
	if us == tsInfinity || us == tsNegInfinity {
		return appendTimestamp(buf, us)
	}
	off := zoneOffset(us, loc)
	local := us + int64(off)*usPerSec
	days := divFloor(local, usPerDay)
	y, m, d := civilFromDays(days)
	buf = appendYMD(buf, y, m, d)
	buf = append(buf, ' ')
	buf = appendClock(buf, local-days*usPerDay)
	buf = appendOffset(buf, off)
	if y <= 0 {
		buf = append(buf, " BC"...)
	}
	return buf
}

// appendOffset appends a UTC offset in seconds as Postgres prints it.
func appendOffset(buf []byte, off int) []byte {
	if off < 0 {
		buf = append(buf, '-')
		off = -off
	} else {
		buf = append(buf, '+')
	}
	buf = appendInt(buf, int64(off/3600), 2)
	if off%3600 != 0 {
		buf = append(buf, ':')
		buf = appendInt(buf, int64(off/60%60), 2)
		if off%60 != 0 {
			buf = append(buf, ':')
			buf = appendInt(buf, int64(off%60), 2)
		}
	}
	return buf
}

// locOrUTC is loc, or UTC when loc is nil.
func locOrUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// zoneOffset is the UTC offset in seconds of loc at the instant us.
func zoneOffset(us int64, loc *time.Location) int {
	if loc == nil || loc == time.UTC {
		return 0
	}
	_, off := time.UnixMicro(us).In(loc).Zone()
	return off
}

// localToUTC interprets the wall-clock timestamp us in loc (a timestamp
// without time zone becoming a timestamptz). Infinities stay infinite. A
// wall time skipped by a spring-forward transition takes the offset from
// before it, an ambiguous one (fall-back) the offset after it, as Postgres'
// DetermineTimeZoneOffset: in both cases the later of the two candidates.
func localToUTC(us int64, loc *time.Location) int64 {
	if loc == nil || loc == time.UTC || us == tsInfinity || us == tsNegInfinity {
		return us
	}
	before, after := zoneOffset(us-usPerDay, loc), zoneOffset(us+usPerDay, loc)
	tb, ta := us-int64(before)*usPerSec, us-int64(after)*usPerSec
	if before == after {
		return tb
	}
	okB, okA := zoneOffset(tb, loc) == before, zoneOffset(ta, loc) == after
	switch {
	case okB && !okA:
		return tb
	case okA && !okB:
		return ta
	}
	return max(tb, ta)
}

// utcToLocal is the wall-clock time in loc of the instant us (a timestamptz
// becoming a timestamp without time zone).
func utcToLocal(us int64, loc *time.Location) int64 {
	if us == tsInfinity || us == tsNegInfinity {
		return us
	}
	return us + int64(zoneOffset(us, loc))*usPerSec
}

// dtFields is a parsed date/time string.
type dtFields struct {
	year, month, day int64 // astronomical year
	hasDate          bool
	usec             int64 // time of day in µs (may be 24:00:00)
	hasTime          bool
	zoneSet          bool
	zoneOff          int // seconds east of UTC, when zoneLoc is nil
	zoneLoc          *time.Location
	special          string // "infinity", "-infinity", "epoch" or ""
	// clock marks values relative to the current time: now sets the
	// date, time and zone, today/tomorrow/yesterday the date (dayShift
	// days from today). See dtContext.resolve.
	clock    dtClock
	dayShift int64
}

// dtClock says how a parsed date/time depends on the current time.
type dtClock uint8

const (
	clockNone dtClock = iota
	clockNow
	clockToday
)

// dtError classifies a date/time parse failure.
type dtError uint8

const (
	dtOK dtError = iota
	dtSyntax
	dtRange
	dtBadZone
)

// dtParser scans a date/time string.
type dtParser struct {
	s string
	i int
}

func (p *dtParser) done() bool { return p.i >= len(p.s) }
func (p *dtParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}
func (p *dtParser) skipSpaces() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// number reads a run of digits, returning its value and length (0 when
// none; at most 18 digits are read as a value, longer runs are out of range).
func (p *dtParser) number() (v int64, n int) {
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		if n < 18 {
			v = v*10 + int64(p.s[p.i]-'0')
		} else {
			v = math.MaxInt64 / 2
		}
		p.i++
		n++
	}
	return v, n
}

// word reads a run of letters and zone-name characters.
func (p *dtParser) word() string {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '_' || (p.i > start && (isDigit(c) || c == '-' || c == '+')) {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i]
}

// lowerWord writes w in ASCII lower case to buf and returns its length, 0
// when w is too long to be a keyword (it is then a zone name).
func lowerWord(buf *[16]byte, w string) int {
	if len(w) > len(buf) {
		return 0
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return len(w)
}

// parseDateTime parses the date/time forms runnel accepts: an ISO date
// (YYYY-MM-DD, YYYYMMDD, or M/D/Y), a time hh:mm[:ss[.frac]] after a space
// or T, am/pm, a zone (Z, UTC, GMT, ±hh[:mm[:ss]], ±hhmm, an IANA name), an
// era (BC/AD), the special words infinity, -infinity and epoch (alone),
// allballs (00:00:00 UTC), and the words relative to the current time: now
// (alone), today, tomorrow and yesterday (a date, with an optional time).
func parseDateTime(s string) (dtFields, dtError) {
	var f dtFields
	t := strings.TrimSpace(s)
	for _, sp := range [...]string{"infinity", "-infinity", "epoch"} {
		if strings.EqualFold(t, sp) {
			f.special = sp
			return f, dtOK
		}
	}
	if strings.EqualFold(t, "+infinity") {
		f.special = "infinity"
		return f, dtOK
	}
	p := &dtParser{s: t}
	bc, pm, am := false, false, false
	if isDigit(p.peek()) {
		start := p.i
		_, n := p.number()
		if p.peek() == ':' {
			p.i = start
		} else {
			p.i = start
			if e := p.parseDate(&f, n); e != dtOK {
				return f, e
			}
		}
	}
	for !p.done() {
		c := p.peek()
		switch {
		case c == ' ':
			p.skipSpaces()
		case (c == 'T' || c == 't') && f.hasDate && !f.hasTime && p.i+1 < len(p.s) && isDigit(p.s[p.i+1]):
			p.i++
		case isDigit(c) && !f.hasTime:
			if e := p.parseClock(&f); e != dtOK {
				return f, e
			}
		case (c == '+' || c == '-') && f.hasTime && !f.zoneSet:
			if e := p.parseOffset(&f); e != dtOK {
				return f, e
			}
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			w := p.word()
			var buf [16]byte
			lw := buf[:lowerWord(&buf, w)]
			switch string(lw) {
			case "allballs": // 00:00:00 UTC
				if f.hasTime || f.zoneSet {
					return f, dtSyntax
				}
				f.usec, f.hasTime, f.zoneSet = 0, true, true
			case "now":
				if f.hasDate || f.hasTime || f.zoneSet {
					return f, dtSyntax
				}
				f.clock, f.hasDate, f.hasTime, f.zoneSet = clockNow, true, true, true
			case "today", "tomorrow", "yesterday":
				if f.hasDate {
					return f, dtSyntax
				}
				f.clock, f.hasDate = clockToday, true
				switch string(lw) {
				case "tomorrow":
					f.dayShift = 1
				case "yesterday":
					f.dayShift = -1
				}
			case "bc":
				bc = true
			case "ad":
			case "am":
				am = true
			case "pm":
				pm = true
			case "z", "utc", "gmt", "zulu", "ut":
				f.zoneSet = true
			default:
				if f.zoneSet || (!f.hasDate && !f.hasTime) || strings.ContainsAny(w, "+-") {
					return f, dtSyntax
				}
				loc, err := time.LoadLocation(w)
				if err != nil || w == "Local" || w == "" {
					return f, dtBadZone
				}
				f.zoneSet, f.zoneLoc = true, loc
			}
		default:
			return f, dtSyntax
		}
	}
	if !f.hasDate && !f.hasTime {
		return f, dtSyntax
	}
	if am || pm {
		h := f.usec / usPerHour
		if !f.hasTime || h < 1 || h > 12 {
			return f, dtRange
		}
		if h == 12 {
			f.usec -= 12 * usPerHour
		}
		if pm {
			f.usec += 12 * usPerHour
		}
	}
	if bc {
		if !f.hasDate {
			return f, dtSyntax
		}
		f.year = 1 - f.year
	}
	return f, dtOK
}

// parseDate reads the date part; n is the length of the leading number.
func (p *dtParser) parseDate(f *dtFields, n int) dtError {
	a, _ := p.number()
	sep := p.peek()
	var y, m, d int64
	switch {
	case sep == '-' || sep == '/' || sep == '.':
		p.i++
		b, nb := p.number()
		if nb == 0 || p.peek() != sep {
			return dtSyntax
		}
		p.i++
		c, nc := p.number()
		if nc == 0 {
			return dtSyntax
		}
		if n >= 3 {
			y, m, d = a, b, c
		} else {
			m, d, y = a, b, c
			if nc <= 2 {
				if y < 70 {
					y += 2000
				} else {
					y += 1900
				}
			}
		}
	case n == 8:
		y, m, d = a/10000, a/100%100, a%100
	default:
		return dtSyntax
	}
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m) || y > 10_000_000 {
		return dtRange
	}
	f.year, f.month, f.day, f.hasDate = y, m, d, true
	return dtOK
}

// parseClock reads hh:mm[:ss[.frac]].
func (p *dtParser) parseClock(f *dtFields) dtError {
	h, nh := p.number()
	if nh == 0 || nh > 2 || p.peek() != ':' {
		return dtSyntax
	}
	p.i++
	mi, nm := p.number()
	if nm == 0 || nm > 2 {
		return dtSyntax
	}
	var sec, frac int64
	if p.peek() == ':' {
		p.i++
		var ns int
		sec, ns = p.number()
		if ns == 0 || ns > 2 {
			return dtSyntax
		}
		if p.peek() == '.' {
			p.i++
			frac = p.fraction()
		}
	}
	if h > 24 || mi > 59 || sec > 60 {
		return dtRange
	}
	us := h*usPerHour + mi*usPerMin + sec*usPerSec + frac
	if us > usPerDay {
		return dtRange
	}
	f.usec, f.hasTime = us, true
	return dtOK
}

// fraction reads the digits after a decimal point as µs, rounding half up
// at the seventh digit.
func (p *dtParser) fraction() int64 {
	var v int64
	digits := 0
	round := false
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		switch {
		case digits < 6:
			v = v*10 + int64(p.s[p.i]-'0')
		case digits == 6:
			round = p.s[p.i] >= '5'
		}
		digits++
		p.i++
	}
	for ; digits < 6; digits++ {
		v *= 10
	}
	if round {
		v++
	}
	return v
}

// parseOffset reads ±hh[:mm[:ss]] or ±hhmm[ss].
func (p *dtParser) parseOffset(f *dtFields) dtError {
	neg := p.peek() == '-'
	p.i++
	a, n := p.number()
	var h, m, s int64
	switch {
	case n == 0:
		return dtSyntax
	case n <= 2:
		h = a
		if p.peek() == ':' {
			p.i++
			var nm int
			m, nm = p.number()
			if nm != 2 {
				return dtSyntax
			}
			if p.peek() == ':' {
				p.i++
				var ns int
				s, ns = p.number()
				if ns != 2 {
					return dtSyntax
				}
			}
		}
	case n == 4:
		h, m = a/100, a%100
	case n == 6:
		h, m, s = a/10000, a/100%100, a%100
	default:
		return dtSyntax
	}
	if h > 15 || m > 59 || s > 59 {
		return dtRange
	}
	off := int(h*3600 + m*60 + s)
	if neg {
		off = -off
	}
	f.zoneSet, f.zoneOff = true, off
	return dtOK
}

// dtInputError builds the Postgres error for a failed parse of s as type t.
func dtInputError(e dtError, s string, t Type) error {
	switch e {
	case dtRange:
		return Errorf(CodeDatetimeFieldOverflow, "date/time field value out of range: %q", s)
	case dtBadZone:
		return Errorf(CodeInvalidParameterValue, "time zone %q not recognized", zoneWord(s))
	}
	return Errorf(CodeInvalidDatetimeFormat, "invalid input syntax for type %s: %q", inputTypeName(t), s)
}

// zoneWord is the last word of s, the zone name that failed to resolve.
func zoneWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return s
	}
	return f[len(f)-1]
}

// inputTypeName is the type name Postgres uses in input syntax errors.
func inputTypeName(t Type) string {
	switch t.Kind {
	case KindTime:
		return "time"
	case KindTimestamp:
		return "timestamp"
	case KindVarchar:
		return "character varying"
	case KindJSONB:
		return "json"
	}
	return t.Name()
}

// dtContext is what date/time input reads besides the text: the zone
// wall-clock values are read in (UTC when nil), and the current time that
// now, today, tomorrow and yesterday refer to: the statement time when
// known, else (zero) the wall clock.
type dtContext struct {
	loc *time.Location
	now time.Time
}

// resolve fills in the fields of f that depend on the current time: the
// date of today in the zone (shifted by f.dayShift) and, for now, the time
// of day and the zone's offset, so that f denotes exactly the instant.
func (c dtContext) resolve(f *dtFields) {
	if f.clock == clockNone {
		return
	}
	now := c.now
	if now.IsZero() {
		now = time.Now()
	}
	us := now.UnixMicro()
	off := zoneOffset(us, locOrUTC(c.loc))
	local := us + int64(off)*usPerSec
	days := divFloor(local, usPerDay)
	if f.clock == clockNow {
		f.usec, f.zoneOff, f.zoneLoc = local-days*usPerDay, off, nil
	}
	f.year, f.month, f.day = civilFromDays(days + f.dayShift)
}

// dependsOnClock reports whether s is valid date/time input whose value
// depends on the current time ('now', 'today 12:00').
func dependsOnClock(s string) bool {
	f, e := parseDateTime(s)
	return e == dtOK && f.clock != clockNone
}

// parseDated parses s as input of type t, a type with a date part: s must
// hold a date or be a special value ("infinity", "-infinity", "epoch",
// left in f.special for the caller). Other fields are resolved in c.
func (c dtContext) parseDated(s string, t Type) (dtFields, error) {
	f, e := parseDateTime(s)
	if e == dtOK && f.special == "" && !f.hasDate {
		e = dtSyntax
	}
	if e != dtOK {
		return f, dtInputError(e, s, t)
	}
	if f.special == "" {
		c.resolve(&f)
	}
	return f, nil
}

// parseDate parses a date (a time part after it is ignored).
func (c dtContext) parseDate(s string) (DateValue, error) {
	f, err := c.parseDated(s, Date)
	if err != nil {
		return 0, err
	}
	switch f.special {
	case "infinity":
		return dateInfinity, nil
	case "-infinity":
		return dateNegInfinity, nil
	case "epoch":
		return 0, nil
	}
	days := daysFromCivil(f.year, f.month, f.day)
	if days < minDateDays || days > maxDateDays {
		return 0, Errorf(CodeDatetimeFieldOverflow, "date out of range: %q", s)
	}
	return DateValue(days), nil
}

// parseTime parses a time of day (a date before it and a zone are
// ignored; now is the time of day in the zone, today is not a time).
func (c dtContext) parseTime(s string) (TimeValue, error) {
	f, e := parseDateTime(s)
	if e == dtOK && (f.special != "" || !f.hasTime || f.clock == clockToday) {
		e = dtSyntax
	}
	if e != dtOK {
		return 0, dtInputError(e, s, Time)
	}
	c.resolve(&f)
	return TimeValue(f.usec), nil
}

// parseTimestamp parses a timestamp; with tz, the result is an instant (µs
// since the Unix epoch) and a string without zone is read in c.loc;
// without tz, any zone in the string is ignored and the result is the wall
// time.
func (c dtContext) parseTimestamp(s string, tz bool) (int64, error) {
	t := Timestamp
	if tz {
		t = TimestampTZ
	}
	f, err := c.parseDated(s, t)
	if err != nil {
		return 0, err
	}
	switch f.special {
	case "infinity":
		return tsInfinity, nil
	case "-infinity":
		return tsNegInfinity, nil
	case "epoch":
		return 0, nil
	}
	days := daysFromCivil(f.year, f.month, f.day)
	if days < minDateDays || days > maxTimestampDays {
		return 0, Errorf(CodeDatetimeFieldOverflow, "timestamp out of range: %q", s)
	}
	us := days*usPerDay + f.usec
	if !tz {
		return us, nil
	}
	switch {
	case f.zoneLoc != nil:
		return localToUTC(us, f.zoneLoc), nil
	case f.zoneSet:
		return us - int64(f.zoneOff)*usPerSec, nil
	}
	return localToUTC(us, c.loc), nil
}

// maxTimestampDays is the last day whose every µs fits the representation
// (294246-12-31), a little short of Postgres' 294276 AD.
const maxTimestampDays = math.MaxInt64/usPerDay - 2
