package datagen

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// unbounded is the row count of a generator that never ends.
const unbounded = math.MaxInt64

// baseTime is the default start of generated times: 2000-01-01 00:00:00
// (UTC for timestamptz), the epoch of Postgres timestamps. Generated rows
// never depend on the wall clock.
const baseTime = "2000-01-01 00:00:00"

// usPerSecond and usPerDay convert times to the microseconds of a timestamp.
const (
	usPerSecond = int64(time.Second / time.Microsecond)
	usPerDay    = 86400 * usPerSecond
)

// optionError is the 22023 error of option key whose value v is invalid
// for the reason why.
func optionError(key, v, why string) error {
	return vector.Errorf(vector.CodeInvalidParameterValue, "invalid value for option %q: %q (%s)", key, v, why)
}

// countOption is option key of opts, a number of rows (an integer ≥ 0);
// unbounded when absent.
func countOption(opts map[string]string, key string) (int64, error) {
	v, ok := opts[key]
	if !ok {
		return unbounded, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return 0, optionError(key, v, "expected a number of rows, an integer ≥ 0")
	}
	return n, nil
}

// rateOption is option key of opts, rows per second: a number > 0, or 0
// for 'unlimited'; def when absent.
func rateOption(opts map[string]string, key string, def float64) (float64, error) {
	v, ok := opts[key]
	if !ok {
		return def, nil
	}
	if strings.EqualFold(strings.TrimSpace(v), "unlimited") {
		return 0, nil
	}
	r, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || !(r > 0) || math.IsInf(r, 1) {
		return 0, optionError(key, v, "expected rows per second, a number > 0, or 'unlimited'")
	}
	return r, nil
}

// intervalOption is option key of opts, a positive interval of days or
// smaller units ('1s', '500 ms', '1 day'), in microseconds; def when absent.
func intervalOption(opts map[string]string, key string, def int64) (int64, error) {
	v, ok := opts[key]
	if !ok {
		return def, nil
	}
	d, err := vector.ParseText(v, vector.Interval, time.UTC)
	if err != nil {
		return 0, optionError(key, v, err.Error())
	}
	iv := d.(vector.IntervalValue)
	us := int64(iv.Days)*usPerDay + iv.Micros
	if iv.Months != 0 || us <= 0 {
		return 0, optionError(key, v, "expected a positive interval of days or smaller units, like '1s' or '5 minutes'")
	}
	return us, nil
}

// clockWords are the date/time inputs that are not fixed points in time:
// generated values would differ from one read to the next.
var clockWords = []string{"now", "today", "tomorrow", "yesterday", "infinity"}

// fixedValue parses v, the value of option key, as a value of type t; a
// date or time must be a fixed, finite point in time.
func fixedValue(key, v string, t vector.Type) (vector.Datum, error) {
	switch t.Kind {
	case vector.KindDate, vector.KindTimestamp, vector.KindTimestampTZ:
		lower := strings.ToLower(v)
		for _, w := range clockWords {
			if strings.Contains(lower, w) {
				return nil, optionError(key, v, "expected a fixed, finite point in time, like '"+baseTime+"'")
			}
		}
	}
	d, err := vector.ParseText(v, t, time.UTC)
	if err != nil {
		return nil, format.Context(err, "option "+strconv.Quote(key))
	}
	return d, nil
}
