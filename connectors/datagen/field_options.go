package datagen

import (
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// fieldOptionNames are the options of one column: fields.<column>.<name>.
var fieldOptionNames = []string{"kind", "start", "end", "length", "null_rate"}

// Defaults of random values (see the package documentation).
const (
	defaultTextLength   = 10
	maxTextLength       = 1 << 20
	defaultNumericEnd   = 1000 // a numeric's range is [start, start + 1000]
	defaultNumericScale = 2    // of an unconstrained numeric with no bounds
	maxNumericScale     = 18   // units of 10^-18 still fit an int64
	defaultTimeDays     = 365  // a date's or timestamp's range is 365 days from start
)

// fieldParser reads the options of one column.
type fieldParser struct {
	col    format.Column
	prefix string            // "fields.<column>." as the options spell it
	opts   map[string]string // by name: kind, start, …
	seq    bool              // the column is a sequence
}

// key is the full name of the column's option name.
func (p *fieldParser) key(name string) string { return p.prefix + name }

// notApplicable is the error of an option the column cannot take.
func (p *fieldParser) notApplicable(name string) error {
	kind := "random"
	if p.seq {
		kind = "sequence"
	}
	return vector.Errorf(vector.CodeInvalidParameterValue, "option %q does not apply to %s column %q of type %s",
		p.key(name), kind, p.col.Name, p.col.Type)
}

// newField returns the generator of column col, the index-th, for seed,
// configured by opts, the column's options by name; prefix is how the
// options spell "fields.<column>.".
func newField(col format.Column, index int, seed int64, prefix string, opts map[string]string) (*field, error) {
	p := &fieldParser{col: col, prefix: prefix, opts: opts}
	switch kind := opts["kind"]; kind {
	case "", "random":
	case "sequence":
		p.seq = true
	default:
		return nil, optionError(p.key("kind"), kind, "expected 'random' or 'sequence'")
	}
	rng := newCounterRand(seed, index)
	f := &field{col: col, sequence: p.seq, nullKey: rng.stream(streamNull), valueKey: rng.stream(streamValue),
		step: 1, count: unbounded}
	if v, ok := opts["null_rate"]; ok {
		r, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(r >= 0 && r <= 1) {
			return nil, optionError(p.key("null_rate"), v, "expected a number from 0 to 1")
		}
		f.nullRate = r
	}
	if _, ok := opts["length"]; ok && (p.seq || !col.Type.Kind.IsString()) {
		return nil, p.notApplicable("length")
	}
	var err error
	switch k := col.Type.Kind; {
	case k == vector.KindBool:
		err = f.initBool(p)
	case k.IsInteger():
		err = f.initInteger(p)
	case k == vector.KindFloat4 || k == vector.KindFloat8:
		err = f.initFloat(p)
	case k == vector.KindNumeric:
		err = f.initNumeric(p)
	case k.IsString():
		err = f.initText(p, rng)
	case k == vector.KindDate:
		err = f.initTime(p, 1, defaultTimeDays-1)
	case k == vector.KindTimestamp || k == vector.KindTimestampTZ:
		err = f.initTime(p, usPerSecond, defaultTimeDays*usPerDay-1)
	default:
		err = vector.Errorf(vector.CodeFeatureNotSupported, "datagen cannot generate column %q of type %s", col.Name, col.Type)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// initBool checks the options of a boolean column: random only, no range.
func (f *field) initBool(p *fieldParser) error {
	if p.seq {
		return optionError(p.key("kind"), "sequence", "a boolean column can only be random")
	}
	for _, name := range []string{"start", "end"} {
		if _, ok := p.opts[name]; ok {
			return p.notApplicable(name)
		}
	}
	return nil
}

// initInteger sets the range of an int2/4/8 column: random values default
// to the whole range of the type, a sequence starts at 0 and ends, unless
// told, at the type's largest value.
func (f *field) initInteger(p *fieldParser) error {
	bits := uint(64)
	switch p.col.Type.Kind {
	case vector.KindInt2:
		bits = 16
	case vector.KindInt4:
		bits = 32
	}
	typeMin, typeMax := int64(-1)<<(bits-1), int64(uint64(1)<<(bits-1)-1)
	parse := func(key, v string) (int64, error) {
		d, err := fixedValue(key, v, p.col.Type)
		return datumInt(d), err
	}
	if !p.seq {
		return f.setRange(p, parse, typeMin, func(int64) int64 { return typeMax }, 0, false)
	}
	return f.setRange(p, parse, 0, nil, typeMax, bits < 64)
}

// initFloat sets the range of a float4/8 column: random values default to
// [start, start + 1] with start 0; a sequence starts at 0 and counts by 1.
func (f *field) initFloat(p *fieldParser) error {
	bound := func(name string) (float64, bool, error) {
		v, ok := p.opts[name]
		if !ok {
			return 0, false, nil
		}
		d, err := fixedValue(p.key(name), v, vector.Float8)
		if err != nil {
			return 0, false, err
		}
		if x := d.(float64); !math.IsNaN(x) && !math.IsInf(x, 0) {
			return x, true, nil
		}
		return 0, false, optionError(p.key(name), v, "expected a finite number")
	}
	lo, _, err := bound("start")
	if err != nil {
		return err
	}
	hi, hasHi, err := bound("end")
	if err != nil {
		return err
	}
	switch {
	case !hasHi && !p.seq:
		hi = lo + 1
	case hi < lo:
		return p.startAfterEnd()
	}
	f.flo, f.fhi = lo, hi
	if p.seq && hasHi {
		if n := math.Floor(hi-lo) + 1; n < math.MaxInt64 {
			f.count = int64(n)
		}
	}
	return nil
}

// initNumeric sets the scale and range of a numeric column. The scale is
// the type's, or for an unconstrained numeric the largest of its bounds'
// (2 when it has none and is random). Random values default to
// [start, start + 1000] with start 0, within the type and 2^63 - 1 steps;
// a sequence starts at 0, steps by 1 and ends, unless told, at the largest
// value of a numeric(p, s) with p ≤ 18.
func (f *field) initNumeric(p *fieldParser) error {
	t := p.col.Type
	decimal := func(key, v string) (*apd.Decimal, error) {
		d, err := fixedValue(key, v, t)
		if err != nil {
			return nil, err
		}
		return d.(*apd.Decimal), nil
	}
	if t.Precision > 0 {
		f.scale = t.Scale
	} else {
		bounded := false
		for _, name := range []string{"start", "end"} {
			if v, ok := p.opts[name]; ok {
				d, err := decimal(p.key(name), v)
				if err != nil {
					return err
				}
				f.scale, bounded = max(f.scale, -d.Exponent), true
			}
		}
		if !bounded && !p.seq {
			f.scale = defaultNumericScale
		}
	}
	if f.scale > maxNumericScale {
		return vector.Errorf(vector.CodeFeatureNotSupported, "datagen cannot generate column %q of type %s: the scale is above %d",
			p.col.Name, t, maxNumericScale)
	}
	unit := int64(math.Pow10(int(f.scale)))
	typeMax, hasMax := int64(0), t.Precision > 0 && t.Precision <= maxNumericScale
	if hasMax {
		typeMax = int64(math.Pow10(int(t.Precision))) - 1
	}
	parse := func(key, v string) (int64, error) {
		d, err := decimal(key, v)
		if err != nil {
			return 0, err
		}
		var u apd.Decimal
		u.Set(d)
		u.Exponent += f.scale
		n, err := vector.NumericToInt(&u, 64)
		if err != nil {
			return 0, format.Context(err, "option "+strconv.Quote(key))
		}
		return n, nil
	}
	if p.seq {
		f.step = unit
		return f.setRange(p, parse, 0, nil, typeMax, hasMax)
	}
	span := int64(math.MaxInt64) // defaultNumericEnd in units, unless that overflows
	if unit <= math.MaxInt64/defaultNumericEnd {
		span = defaultNumericEnd * unit
	}
	return f.setRange(p, parse, 0, func(lo int64) int64 {
		hi := saturatingAdd(lo, span)
		if hasMax {
			hi = min(hi, typeMax)
		}
		return hi
	}, 0, false)
}

// initText sets up a text or varchar column: random text of length
// characters (default 10, at most the varchar's width), or a sequence of
// the numbers from start (default 0) to end, which a varchar(n) with
// n ≤ 18 bounds by its width.
func (f *field) initText(p *fieldParser, rng counterRand) error {
	width := int(p.col.Type.Width)
	if p.seq {
		parse := func(key, v string) (int64, error) {
			d, err := fixedValue(key, v, vector.Int8)
			if err == nil && width > 0 && len(strconv.FormatInt(d.(int64), 10)) > width {
				return 0, optionError(key, v, "longer than the column's width")
			}
			return datumInt(d), err
		}
		return f.setRange(p, parse, 0, nil, int64(math.Pow10(min(width, 18)))-1, width > 0 && width <= 18)
	}
	for _, name := range []string{"start", "end"} {
		if _, ok := p.opts[name]; ok {
			return p.notApplicable(name)
		}
	}
	f.length = defaultTextLength
	if width > 0 {
		f.length = min(f.length, width)
	}
	if v, ok := p.opts["length"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > maxTextLength || (width > 0 && n > width) {
			return optionError(p.key("length"), v, "expected a number of characters from 0 to "+strconv.Itoa(maxTextLength)+", at most the column's width")
		}
		f.length = n
	}
	f.textKeys = make([]uint64, (f.length+3)/4)
	for i := range f.textKeys {
		f.textKeys[i] = rng.stream(streamText + uint64(i))
	}
	return nil
}

// initTime sets the range of a date, timestamp or timestamptz column:
// start defaults to 2000-01-01 00:00:00, a random range to 365 days from
// start (span is its last value's distance from start, in units), and a
// sequence steps by step units (a day, a second) without end.
func (f *field) initTime(p *fieldParser, step, span int64) error {
	parse := func(key, v string) (int64, error) {
		d, err := fixedValue(key, v, p.col.Type)
		return datumInt(d), err
	}
	base, err := parse(p.key("start"), baseTime)
	if err != nil {
		return err
	}
	f.step = step
	return f.setRange(p, parse, base, func(lo int64) int64 { return saturatingAdd(lo, span) }, 0, false)
}

// setRange sets lo and hi (and a sequence's count) from the start and end
// options, which parse reads as units. A missing start is start. A missing
// end is, for a random column, randomEnd(lo); for a sequence typeMax when
// hasMax, and no end otherwise (the sequence is unbounded).
func (f *field) setRange(p *fieldParser, parse func(key, v string) (int64, error),
	start int64, randomEnd func(lo int64) int64, typeMax int64, hasMax bool) error {
	bound := func(name string, def int64) (int64, bool, error) {
		v, ok := p.opts[name]
		if !ok {
			return def, false, nil
		}
		n, err := parse(p.key(name), v)
		return n, true, err
	}
	lo, _, err := bound("start", start)
	if err != nil {
		return err
	}
	hi, hasHi, err := bound("end", 0)
	if err != nil {
		return err
	}
	f.lo = lo
	switch {
	case hasHi:
	case !p.seq:
		hi = randomEnd(lo)
	case hasMax:
		hi = typeMax
	default:
		return nil
	}
	if hi < lo {
		return p.startAfterEnd()
	}
	f.hi = hi
	if p.seq {
		f.count = sequenceCount(lo, hi, f.step)
	}
	return nil
}

// startAfterEnd is the error of a range whose start is after its end.
func (p *fieldParser) startAfterEnd() error {
	return vector.Errorf(vector.CodeInvalidParameterValue, "option %q is after option %q (or its default) for column %q",
		p.key("start"), p.key("end"), p.col.Name)
}

// datumInt is the integer behind an integer, date or timestamp datum; 0
// for nil (a failed parse).
func datumInt(d vector.Datum) int64 {
	switch d := d.(type) {
	case int16:
		return int64(d)
	case int32:
		return int64(d)
	case int64:
		return d
	case vector.DateValue:
		return int64(d)
	case vector.TimestampValue:
		return int64(d)
	case vector.TimestampTZValue:
		return int64(d)
	}
	return 0
}

// saturatingAdd is a + b for b ≥ 0, or the largest int64 when it overflows.
func saturatingAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
