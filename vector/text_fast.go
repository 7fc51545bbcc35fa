package vector

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Typed text input without Datum boxing: casts from a string column and
// Builder.AppendText parse each value straight into the output buffer with
// the same functions (and so the same errors) as ParseText. Nothing here
// allocates per value on success.

// Typed wrappers of the text parsers, one per physical output type.
func parseInt2(s string) (int16, error) {
	v, err := parseInt(s, 16)
	return int16(v), err
}

func parseInt4(s string) (int32, error) {
	v, err := parseInt(s, 32)
	return int32(v), err
}

func parseInt8(s string) (int64, error) { return parseInt(s, 64) }

func parseFloat4(s string) (float32, error) {
	v, err := parseFloat(s, 32)
	return float32(v), err
}

func parseFloat8(s string) (float64, error) { return parseFloat(s, 64) }

// timestampParser parses timestamps (tz false) or timestamptzs in dc.
func timestampParser(dc dtContext, tz bool) func(string) (int64, error) {
	return func(s string) (int64, error) { return dc.parseTimestamp(s, tz) }
}

// castFromText converts a text, varchar or unknown column to int2/4/8, oid,
// float4/8, date, time, timestamp, timestamptz or unconstrained numeric
// with typed loops, date/time input read in dc; ok is false for any other
// target.
func castFromText(arr arrow.Array, to Type, dc dtContext) (out arrow.Array, err error, ok bool) {
	strs := arr.(*array.String)
	switch to.Kind {
	case KindInt2:
		out, err = parseColumn(strs, to, parseInt2)
	case KindInt4:
		out, err = parseColumn(strs, to, parseInt4)
	case KindInt8:
		out, err = parseColumn(strs, to, parseInt8)
	case KindOID:
		out, err = parseColumn(strs, to, parseOID)
	case KindFloat4:
		out, err = parseColumn(strs, to, parseFloat4)
	case KindFloat8:
		out, err = parseColumn(strs, to, parseFloat8)
	case KindDate:
		out, err = parseColumn(strs, to, dc.parseDate)
	case KindTime:
		out, err = parseColumn(strs, to, dc.parseTime)
	case KindTimestamp:
		out, err = parseColumn(strs, to, timestampParser(dc, false))
	case KindTimestampTZ:
		out, err = parseColumn(strs, to, timestampParser(dc, true))
	case KindNumeric:
		if hasConstraint(to) {
			return nil, nil, false
		}
		out, err = parseNumericColumn(strs)
	default:
		return nil, nil, false
	}
	return out, err, true
}

// parseColumn parses every non-NULL row of strs into a fixed-width column
// of type to, whose physical element type is T.
func parseColumn[T number](strs *array.String, to Type, parse func(string) (T, error)) (arrow.Array, error) {
	out := make([]T, strs.Len())
	hasNulls := strs.NullN() > 0
	for i := range out {
		if hasNulls && strs.IsNull(i) {
			continue
		}
		v, err := parse(strs.Value(i))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return withValidity(strs, to, out), nil
}

// parseNumericColumn parses every row of strs as an unconstrained numeric.
func parseNumericColumn(strs *array.String) (arrow.Array, error) {
	out := newStringBuilder(strs.Len(), len(strs.ValueBytes()))
	for i := 0; i < strs.Len(); i++ {
		if strs.IsNull(i) {
			out.appendNull()
			continue
		}
		var err error
		if out.data, err = appendNumericText(out.data, strs.Value(i)); err != nil {
			return nil, err
		}
		out.next()
	}
	return out.finish(Numeric), nil
}

// appendNumericText appends the stored (canonical) text of the numeric
// input s to dst, as FormatNumeric(ParseNumeric(s)) but without building a
// decimal for plain decimal input ([+-]digits[.digits] within spaces).
func appendNumericText(dst []byte, s string) ([]byte, error) {
	if out, ok := appendPlainDecimal(dst, s); ok {
		return out, nil
	}
	d, err := ParseNumeric(s)
	if err != nil {
		return dst, err
	}
	return appendNumeric(dst, d), nil
}

// plainDecimalMax bounds the length of input appendPlainDecimal handles,
// far inside numeric's range (so it never needs a range check).
const plainDecimalMax = 1000

// appendPlainDecimal appends the canonical text of s when s is a plain
// decimal: leading zeros of the integer part dropped (one kept before the
// point), the fractional digits kept as written (they are the display
// scale), a point without fractional digits dropped, zero never negative.
// ok is false, and dst unchanged, for any other input.
func appendPlainDecimal(dst []byte, s string) (out []byte, ok bool) {
	t := trimSpaceC(s)
	if len(t) > plainDecimalMax {
		return dst, false
	}
	i, neg := 0, false
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		neg = t[i] == '-'
		i++
	}
	intStart := i
	for i < len(t) && isDigit(t[i]) {
		i++
	}
	intDigits := t[intStart:i]
	var frac string
	if i < len(t) && t[i] == '.' {
		i++
		fracStart := i
		for i < len(t) && isDigit(t[i]) {
			i++
		}
		frac = t[fracStart:i]
	}
	if i != len(t) || len(intDigits)+len(frac) == 0 {
		return dst, false
	}
	for len(intDigits) > 0 && intDigits[0] == '0' {
		intDigits = intDigits[1:]
	}
	if neg && (intDigits != "" || !allZeros(frac)) {
		dst = append(dst, '-')
	}
	if intDigits == "" {
		dst = append(dst, '0')
	}
	dst = append(dst, intDigits...)
	if frac != "" {
		dst = append(dst, '.')
		dst = append(dst, frac...)
	}
	return dst, true
}

// allZeros reports whether s consists of '0' only (true when empty).
func allZeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}
