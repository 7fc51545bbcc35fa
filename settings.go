package runnel

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/runneldb/runnel/vector"
)

// setting describes one session parameter (GUC).
type setting struct {
	def string
	// reported settings are sent to the client at startup and on change
	// (ParameterStatus).
	reported bool
	// check validates and normalizes a new value.
	check func(v string) (string, error)
	// readOnly settings can be shown but not set.
	readOnly bool
}

var settings = map[string]*setting{
	"server_version":                      {def: ServerVersion, reported: true, readOnly: true},
	"server_version_num":                  {def: "150000", readOnly: true},
	"server_encoding":                     {def: "UTF8", reported: true, readOnly: true},
	"client_encoding":                     {def: "UTF8", reported: true, check: checkEncoding},
	"datestyle":                           {def: "ISO, MDY", reported: true, check: checkDateStyle},
	"intervalstyle":                       {def: "postgres", reported: true, check: oneOf("postgres")},
	"timezone":                            {def: "UTC", reported: true, check: checkTimeZone},
	"integer_datetimes":                   {def: "on", reported: true, readOnly: true},
	"standard_conforming_strings":         {def: "on", reported: true, check: oneOf("on")},
	"application_name":                    {def: "", reported: true},
	"is_superuser":                        {def: "on", reported: true, readOnly: true},
	"session_authorization":               {def: "", reported: true, readOnly: true},
	"search_path":                         {def: `"$user", public`},
	"extra_float_digits":                  {def: "1", check: checkInt(-15, 3)},
	"statement_timeout":                   {def: "0", check: checkDuration},
	"lock_timeout":                        {def: "0", check: checkDuration},
	"idle_in_transaction_session_timeout": {def: "0", check: checkDuration},
	"client_min_messages":                 {def: "notice"},
	"transaction_isolation":               {def: "repeatable read", check: checkIsolation},
	"default_transaction_isolation":       {def: "repeatable read", check: checkIsolation},
	"transaction_read_only":               {def: "off", readOnly: true},
	"default_transaction_read_only":       {def: "off"},
	"max_identifier_length":               {def: "63", readOnly: true},
	"bytea_output":                        {def: "hex", check: oneOf("hex")},
	"rw_implicit_flush":                   {def: "off"},
	"jit":                                 {def: "off"},
	"synchronous_commit":                  {def: "on"},
	"row_security":                        {def: "on"},
	"lc_messages":                         {def: "C"},
	"lc_monetary":                         {def: "C"},
	"lc_numeric":                          {def: "C"},
	"lc_time":                             {def: "C"},
	"default_text_search_config":          {def: "pg_catalog.simple"},
	"escape_string_warning":               {def: "on"},
}

// canonicalNames are the spellings SHOW and ParameterStatus use.
var canonicalNames = map[string]string{
	"datestyle": "DateStyle", "intervalstyle": "IntervalStyle", "timezone": "TimeZone",
}

func displayName(name string) string {
	if n, ok := canonicalNames[name]; ok {
		return n
	}
	return name
}

// sessionSettings holds a session's parameter values (the defaults are not
// copied in).
type sessionSettings struct {
	values map[string]string
	loc    *time.Location
}

func newSessionSettings() *sessionSettings {
	return &sessionSettings{values: map[string]string{}, loc: time.UTC}
}

// get returns the current value of a parameter.
func (s *sessionSettings) get(name string) (string, bool) {
	name = strings.ToLower(name)
	if v, ok := s.values[name]; ok {
		return v, true
	}
	if st, ok := settings[name]; ok {
		return st.def, true
	}
	return "", false
}

// set changes a parameter: 42704 for an unknown name (names with a dot are
// custom parameters and always accepted), 55P02/22023 for read-only or bad
// values. It returns the ParameterStatus to report, if any.
func (s *sessionSettings) set(name, value string) ([]Param, error) {
	name = strings.ToLower(name)
	st, ok := settings[name]
	if !ok {
		if strings.Contains(name, ".") {
			s.values[name] = value
			return nil, nil
		}
		return nil, vector.Errorf(vector.CodeUndefinedObject, "unrecognized configuration parameter %q", name)
	}
	if st.readOnly {
		return nil, vector.Errorf("55P02", "parameter %q cannot be changed", name)
	}
	if st.check != nil {
		v, err := st.check(value)
		if err != nil {
			return nil, err
		}
		value = v
	}
	if name == "timezone" {
		loc, err := loadZone(value)
		if err != nil {
			return nil, err
		}
		s.loc = loc
	}
	s.values[name] = value
	if st.reported {
		return []Param{{Name: displayName(name), Value: value}}, nil
	}
	return nil, nil
}

// reset restores a parameter's default.
func (s *sessionSettings) reset(name string) ([]Param, error) {
	name = strings.ToLower(name)
	st, ok := settings[name]
	if !ok {
		if _, custom := s.values[name]; custom {
			delete(s.values, name)
			return nil, nil
		}
		return nil, vector.Errorf(vector.CodeUndefinedObject, "unrecognized configuration parameter %q", name)
	}
	if st.readOnly {
		return nil, vector.Errorf("55P02", "parameter %q cannot be changed", name)
	}
	delete(s.values, name)
	if name == "timezone" {
		s.loc = time.UTC
	}
	if st.reported {
		return []Param{{Name: displayName(name), Value: st.def}}, nil
	}
	return nil, nil
}

// resetAll restores every parameter's default.
func (s *sessionSettings) resetAll() []Param {
	var out []Param
	for name := range s.values {
		if ps, err := s.reset(name); err == nil {
			out = append(out, ps...)
		} else {
			delete(s.values, name)
		}
	}
	return out
}

// all lists every parameter with its current value, sorted by name.
func (s *sessionSettings) all() [][2]string {
	var out [][2]string
	for name := range settings {
		v, _ := s.get(name)
		out = append(out, [2]string{name, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func oneOf(allowed ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, a := range allowed {
			if strings.EqualFold(v, a) {
				return a, nil
			}
		}
		return "", vector.Errorf(vector.CodeInvalidParameterValue, "invalid value %q; runnel supports only %s", v, strings.Join(allowed, ", "))
	}
}

func checkInt(lo, hi int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return "", vector.Errorf(vector.CodeInvalidParameterValue, "invalid value for parameter: %q", v)
		}
		if n < lo || n > hi {
			return "", vector.Errorf(vector.CodeInvalidParameterValue, "%d is outside the valid range for parameter (%d .. %d)", n, lo, hi)
		}
		return strconv.Itoa(n), nil
	}
}

func checkEncoding(v string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(v, "-", "")) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	}
	return "", vector.Errorf(vector.CodeFeatureNotSupported, "client encoding %q is not supported; runnel speaks UTF8 only", v)
}

// checkDateStyle accepts the ISO output style with any field order (only
// ISO output is produced).
func checkDateStyle(v string) (string, error) {
	parts := strings.Split(v, ",")
	order := "MDY"
	iso := false
	for _, p := range parts {
		switch strings.ToUpper(strings.TrimSpace(p)) {
		case "ISO":
			iso = true
		case "MDY", "US", "NONEURO", "NONEUROPEAN", "DEFAULT":
			order = "MDY"
		case "DMY", "EURO", "EUROPEAN":
			order = "DMY"
		case "YMD":
			order = "YMD"
		default:
			return "", vector.Errorf(vector.CodeFeatureNotSupported, "DateStyle %q is not supported; runnel prints dates in ISO style only", v)
		}
	}
	if !iso && len(parts) > 1 {
		return "", vector.Errorf(vector.CodeFeatureNotSupported, "DateStyle %q is not supported; runnel prints dates in ISO style only", v)
	}
	return "ISO, " + order, nil
}

func checkIsolation(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "read committed", "repeatable read", "serializable", "read uncommitted", "default":
		// Every level runs as snapshot isolation, which is at least as
		// strong as read committed.
		return strings.ToLower(v), nil
	}
	return "", vector.Errorf(vector.CodeInvalidParameterValue, "invalid value for parameter \"transaction_isolation\": %q", v)
}

func checkTimeZone(v string) (string, error) {
	if _, err := loadZone(v); err != nil {
		return "", err
	}
	return v, nil
}

// loadZone resolves a TimeZone value: a zone name, or a POSIX offset
// ("+02:30", "<-07>+07") in which, as in POSIX, positive is west of
// Greenwich.
func loadZone(v string) (*time.Location, error) {
	if strings.EqualFold(v, "utc") || strings.EqualFold(v, "gmt") || v == "Z" || strings.EqualFold(v, "default") || strings.EqualFold(v, "local") {
		return time.UTC, nil
	}
	posix := v
	if strings.HasPrefix(v, "<") {
		if i := strings.IndexByte(v, '>'); i > 0 {
			posix = v[i+1:]
		}
	}
	if secs, ok := parseOffset(posix); ok {
		return time.FixedZone(v, -secs), nil
	}
	loc, err := time.LoadLocation(v)
	if err != nil {
		return nil, vector.Errorf(vector.CodeInvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
	}
	return loc, nil
}

// parseOffset reads [+-]hh[:mm[:ss]] as seconds.
func parseOffset(v string) (int, bool) {
	sign := 1
	switch {
	case strings.HasPrefix(v, "+"):
		v = v[1:]
	case strings.HasPrefix(v, "-"):
		sign, v = -1, v[1:]
	}
	parts := strings.Split(v, ":")
	if len(parts) > 3 || v == "" {
		return 0, false
	}
	secs := 0
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(p) > 2 || i > 0 && n >= 60 {
			return 0, false
		}
		secs = secs*60 + n
	}
	for i := len(parts); i < 3; i++ {
		secs *= 60
	}
	if secs > 15*3600 {
		return 0, false
	}
	return sign * secs, true
}

// sqlZone names the zone of SET TIME ZONE <hours>, where (as in SQL, unlike
// POSIX) positive hours are east of Greenwich: +5.5 is "<+05:30>-05:30".
func sqlZone(hours float64) string {
	secs := int(hours * 3600)
	sign, inv := "+", "-"
	if secs < 0 {
		sign, inv, secs = "-", "+", -secs
	}
	hm := fmt.Sprintf("%02d", secs/3600)
	if m := secs % 3600 / 60; m != 0 {
		hm += fmt.Sprintf(":%02d", m)
	}
	return "<" + sign + hm + ">" + inv + hm
}

// duration reads a time setting (0: none).
func (s *sessionSettings) duration(name string) time.Duration {
	v, _ := s.get(name)
	d, _ := parseDuration(v)
	return d
}

// durationUnits are the units Postgres accepts for time settings.
var durationUnits = map[string]time.Duration{
	"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second,
	"min": time.Minute, "h": time.Hour, "d": 24 * time.Hour,
}

// parseDuration reads a time setting: a number with a unit (milliseconds
// when there is none).
func parseDuration(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	i := strings.IndexFunc(v, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := v, "ms"
	if i >= 0 {
		num, unit = strings.TrimSpace(v[:i]), strings.TrimSpace(v[i:])
	}
	n, err := strconv.ParseFloat(num, 64)
	d, ok := durationUnits[unit]
	if err != nil || !ok || n < 0 {
		return 0, false
	}
	return time.Duration(n * float64(d)).Round(time.Millisecond), true
}

// checkDuration normalizes a time setting as Postgres shows it: whole
// milliseconds in the largest unit that is exact ("250ms", "5s", "1min", "0").
func checkDuration(v string) (string, error) {
	d, ok := parseDuration(v)
	if !ok {
		return "", vector.Errorf(vector.CodeInvalidParameterValue, "invalid value for parameter: %q", v)
	}
	if d == 0 {
		return "0", nil
	}
	for _, u := range []string{"d", "h", "min", "s", "ms"} {
		if d%durationUnits[u] == 0 {
			return strconv.FormatInt(int64(d/durationUnits[u]), 10) + u, nil
		}
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms", nil
}
