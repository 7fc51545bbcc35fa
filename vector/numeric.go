package vector

import (
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// Numeric values follow Postgres' numeric type. A value is an *apd.Decimal
// whose exponent is never positive: -Exponent is the display scale (dscale),
// the number of digits Postgres prints after the point, so 1.50 keeps its
// trailing zero and 1e3 is stored as 1000 (scale 0). Zero is never negative.
// NaN and ±Infinity are supported as in Postgres 14+.
//
// Arithmetic keeps Postgres' result scales: + and - the larger scale of the
// operands, * the sum of the scales, / the scale chosen by select_div_scale
// (at least 16 significant digits); rounding is half away from zero.

const (
	// numericMinSigDigits is NUMERIC_MIN_SIG_DIGITS: the least number of
	// significant digits of a quotient.
	numericMinSigDigits = 16
	// numericMaxDisplayScale is NUMERIC_MAX_DISPLAY_SCALE.
	numericMaxDisplayScale = 1000
	// numericMaxExponent bounds the decimal exponent of any value, far
	// beyond what a sane query needs, so one value cannot exhaust memory.
	numericMaxExponent = 131072
)

// numCtx is the context of exact operations: its precision is large enough
// that additions and multiplications of values within the exponent bound
// never round (results are checked against numericMaxExponent).
var numCtx = &apd.Context{
	Precision:   2 * numericMaxExponent,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Traps:       apd.DefaultTraps,
	Rounding:    apd.RoundHalfUp,
}

// errNumericOverflow is Postgres' error for a result outside numeric's range.
func errNumericOverflow() error {
	return Errorf(CodeNumericValueOutOfRange, "value overflows numeric format")
}

// ParseNumeric parses Postgres numeric input: optional surrounding spaces, a
// sign, digits with an optional point and exponent, or NaN / Infinity / inf
// in any case. Errors are 22P02 (syntax) or 22003 (out of range).
func ParseNumeric(s string) (*apd.Decimal, error) {
	t := strings.TrimSpace(s)
	if d, ok := numericSpecial(t); ok {
		return d, nil
	}
	if !validNumericSyntax(t) {
		return nil, Errorf(CodeInvalidTextRepresentation, "invalid input syntax for type numeric: %q", s)
	}
	d, _, err := apd.NewFromString(t)
	if err != nil {
		return nil, Errorf(CodeInvalidTextRepresentation, "invalid input syntax for type numeric: %q", s)
	}
	return normalizeNumeric(d)
}

// numericSpecial recognizes NaN and the infinities, case-insensitively.
func numericSpecial(t string) (*apd.Decimal, bool) {
	switch strings.ToLower(t) {
	case "nan":
		return &apd.Decimal{Form: apd.NaN}, true
	case "infinity", "+infinity", "inf", "+inf":
		return &apd.Decimal{Form: apd.Infinite}, true
	case "-infinity", "-inf":
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, true
	}
	return nil, false
}

// validNumericSyntax reports whether t is [+-] (digits [. digits] | . digits) [e [+-] digits].
func validNumericSyntax(t string) bool {
	i := 0
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(t) && isDigit(t[i]); i++ {
		digits++
	}
	if i < len(t) && t[i] == '.' {
		i++
		for ; i < len(t) && isDigit(t[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		start := i
		for ; i < len(t) && isDigit(t[i]); i++ {
		}
		if i == start || i-start > 9 {
			return false
		}
	}
	return i == len(t)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// normalizeNumeric brings a finite d to the stored form: a non-positive
// exponent and no negative zero. It returns 22003 when d is out of range.
func normalizeNumeric(d *apd.Decimal) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	if d.Exponent > 0 {
		if int64(d.Exponent)+d.NumDigits() > numericMaxExponent {
			return nil, errNumericOverflow()
		}
		r := new(apd.Decimal)
		if _, err := numCtx.Quantize(r, d, 0); err != nil {
			return nil, errNumericOverflow()
		}
		d = r
	}
	if d.Exponent < -numericMaxExponent || d.NumDigits()+int64(d.Exponent) > numericMaxExponent {
		return nil, errNumericOverflow()
	}
	if d.Negative && d.Coeff.Sign() == 0 {
		d = new(apd.Decimal).Set(d)
		d.Negative = false
	}
	return d, nil
}

// FormatNumeric prints d as Postgres does: plain digits with exactly its
// display scale after the point, NaN, Infinity or -Infinity.
func FormatNumeric(d *apd.Decimal) string {
	return string(appendNumeric(nil, d))
}

// appendNumeric appends the text of d to buf.
func appendNumeric(buf []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(buf, "NaN"...)
	case apd.Infinite:
		if d.Negative {
			return append(buf, "-Infinity"...)
		}
		return append(buf, "Infinity"...)
	}
	return d.Append(buf, 'f')
}

// numericScale is the display scale of a finite stored numeric.
func numericScale(d *apd.Decimal) int32 {
	if d.Exponent >= 0 {
		return 0
	}
	return -d.Exponent
}

// numericResult checks and normalizes the result of an operation.
func numericResult(d *apd.Decimal, err error) (*apd.Decimal, error) {
	if err != nil {
		return nil, errNumericOverflow()
	}
	return normalizeNumeric(d)
}

// numericNaN reports whether either operand is NaN: NaN with anything is NaN.
func numericNaN(a, b *apd.Decimal) bool {
	return a.Form == apd.NaN || a.Form == apd.NaNSignaling || b.Form == apd.NaN || b.Form == apd.NaNSignaling
}

var numericNaNValue = &apd.Decimal{Form: apd.NaN}

// NumericAdd is a + b with the larger scale of the operands.
func NumericAdd(a, b *apd.Decimal) (*apd.Decimal, error) {
	if numericNaN(a, b) {
		return numericNaNValue, nil
	}
	if a.Form == apd.Infinite && b.Form == apd.Infinite && a.Negative != b.Negative {
		return numericNaNValue, nil
	}
	d := new(apd.Decimal)
	_, err := numCtx.Add(d, a, b)
	return numericResult(d, err)
}

// NumericSub is a - b with the larger scale of the operands.
func NumericSub(a, b *apd.Decimal) (*apd.Decimal, error) {
	if numericNaN(a, b) {
		return numericNaNValue, nil
	}
	if a.Form == apd.Infinite && b.Form == apd.Infinite && a.Negative == b.Negative {
		return numericNaNValue, nil
	}
	d := new(apd.Decimal)
	_, err := numCtx.Sub(d, a, b)
	return numericResult(d, err)
}

// NumericMul is a * b; the result scale is the sum of the operand scales.
func NumericMul(a, b *apd.Decimal) (*apd.Decimal, error) {
	if numericNaN(a, b) {
		return numericNaNValue, nil
	}
	if (a.Form == apd.Infinite && b.Form == apd.Finite && b.IsZero()) ||
		(b.Form == apd.Infinite && a.Form == apd.Finite && a.IsZero()) {
		return numericNaNValue, nil
	}
	if a.Form == apd.Finite && b.Form == apd.Finite &&
		int64(-a.Exponent)+int64(-b.Exponent) > numericMaxExponent {
		return nil, errNumericOverflow()
	}
	d := new(apd.Decimal)
	_, err := numCtx.Mul(d, a, b)
	return numericResult(d, err)
}

func errDivisionByZero() error { return Errorf(CodeDivisionByZero, "division by zero") }

// NumericDiv is a / b rounded half away from zero to the scale Postgres'
// select_div_scale picks. Division by zero is 22012.
func NumericDiv(a, b *apd.Decimal) (*apd.Decimal, error) {
	if numericNaN(a, b) {
		return numericNaNValue, nil
	}
	if b.Form == apd.Finite && b.IsZero() {
		return nil, errDivisionByZero()
	}
	switch {
	case a.Form == apd.Infinite && b.Form == apd.Infinite:
		return numericNaNValue, nil
	case a.Form == apd.Infinite:
		return &apd.Decimal{Form: apd.Infinite, Negative: a.Negative != b.Negative}, nil
	case b.Form == apd.Infinite:
		return new(apd.Decimal), nil
	}
	rscale := numericDivScale(a, b)
	return numericQuotient(a, b, rscale)
}

// numericQuotient is a / b (finite, b non-zero) rounded half away from zero
// to rscale digits after the point.
func numericQuotient(a, b *apd.Decimal, rscale int32) (*apd.Decimal, error) {
	// Truncate with guard digits, then round once: exact half-up rounding.
	intDigits := numericMagnitude(a) - numericMagnitude(b) + 2
	prec := max(intDigits, 1) + int64(rscale) + 3
	if prec > 2*numericMaxExponent {
		return nil, errNumericOverflow()
	}
	ctx := *numCtx
	ctx.Precision = uint32(prec)
	ctx.Rounding = apd.RoundDown
	q := new(apd.Decimal)
	if _, err := ctx.Quo(q, a, b); err != nil {
		return nil, errNumericOverflow()
	}
	return numericRoundTo(q, rscale)
}

// numericMagnitude is the decimal position of the most significant digit
// of a finite non-zero d (0 for 1..9, -1 for 0.1..0.9); 0 for zero.
func numericMagnitude(d *apd.Decimal) int64 {
	if d.IsZero() {
		return 0
	}
	return d.NumDigits() - 1 + int64(d.Exponent)
}

// numericDivScale is Postgres' select_div_scale over base-10000 digits.
func numericDivScale(a, b *apd.Decimal) int32 {
	w1, f1 := numericWeight(a)
	w2, f2 := numericWeight(b)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	rscale := numericMinSigDigits - qweight*4
	rscale = max(rscale, int64(numericScale(a)), int64(numericScale(b)), 0)
	return int32(min(rscale, numericMaxDisplayScale))
}

// numericWeight returns the base-10000 weight and first base-10000 digit of
// a finite d, as Postgres' NumericVar has them (0, 0 for zero).
func numericWeight(d *apd.Decimal) (weight int64, first int64) {
	if d.IsZero() {
		return 0, 0
	}
	e := numericMagnitude(d)
	weight = divFloor(e, 4)
	k := e - 4*weight + 1 // number of decimal digits of the first base-10000 digit
	coeff := d.Coeff.String()
	for i := int64(0); i < k; i++ {
		first *= 10
		if i < int64(len(coeff)) {
			first += int64(coeff[i] - '0')
		}
	}
	return weight, first
}

// divFloor is a / b rounded toward negative infinity (b > 0).
func divFloor(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// NumericMod is the remainder of a / b truncated toward zero (the sign of
// a), with the larger scale of the operands. Modulo by zero is 22012.
func NumericMod(a, b *apd.Decimal) (*apd.Decimal, error) {
	if numericNaN(a, b) {
		return numericNaNValue, nil
	}
	if b.Form == apd.Finite && b.IsZero() {
		return nil, errDivisionByZero()
	}
	if a.Form == apd.Infinite {
		return numericNaNValue, nil
	}
	if b.Form == apd.Infinite {
		return a, nil
	}
	d := new(apd.Decimal)
	_, err := numCtx.Rem(d, a, b)
	return numericResult(d, err)
}

// numericRoundTo rounds d half away from zero to scale digits after the
// point (scale may be negative: round to tens, hundreds...). The result's
// display scale is max(scale, 0).
func numericRoundTo(d *apd.Decimal, scale int32) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	if int64(scale)+numericMagnitude(d) > 2*numericMaxExponent-1 {
		return nil, errNumericOverflow()
	}
	r := new(apd.Decimal)
	if _, err := numCtx.Quantize(r, d, -scale); err != nil {
		return nil, errNumericOverflow()
	}
	return normalizeNumeric(r)
}

// NumericRound is round(d, scale): half away from zero to scale digits after
// the point; a negative scale rounds left of the point.
func NumericRound(d *apd.Decimal, scale int32) *apd.Decimal {
	scale = min(max(scale, -numericMaxExponent), numericMaxDisplayScale)
	r, err := numericRoundTo(d, scale)
	if err != nil {
		// Rounding a stored value to a bounded scale cannot leave the range
		// except by carrying one digit at the very top; keep the value.
		return d
	}
	return r
}

// NumericFromInt is v as a numeric of scale 0.
func NumericFromInt(v int64) *apd.Decimal { return apd.New(v, 0) }

// NumericFromFloat converts a float8 as Postgres does: through its text
// with 15 significant digits (DBL_DIG). NaN and ±Inf map to NaN and ±Infinity.
func NumericFromFloat(f float64) (*apd.Decimal, error) {
	return numericFromFloatDigits(f, 15)
}

// numericFromFloatDigits converts f rounded to digits significant digits
// (15 for float8, 6 for float4), as Postgres' "%.*g".
func numericFromFloatDigits(f float64, digits int) (*apd.Decimal, error) {
	switch {
	case math.IsNaN(f):
		return numericNaNValue, nil
	case math.IsInf(f, 1):
		return &apd.Decimal{Form: apd.Infinite}, nil
	case math.IsInf(f, -1):
		return &apd.Decimal{Form: apd.Infinite, Negative: true}, nil
	}
	var buf [32]byte
	d, _, err := apd.NewFromString(string(strconv.AppendFloat(buf[:0], f, 'g', digits, 64)))
	if err != nil {
		return nil, errNumericOverflow()
	}
	// %g drops trailing zeros of the fraction; apd keeps none either since
	// the text has none, so the scale is minimal as in Postgres.
	return normalizeNumeric(d)
}

// NumericToFloat converts d to the nearest float8 (NaN and ±Inf included;
// values beyond float8's range become ±Inf).
func NumericToFloat(d *apd.Decimal) float64 {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return math.NaN()
	case apd.Infinite:
		if d.Negative {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	f, _ := strconv.ParseFloat(d.Text('e'), 64)
	return f
}

// NumericToInt rounds d half away from zero to an integer of the given
// width (16, 32 or 64 bits): 22003 "smallint/integer/bigint out of range"
// when it does not fit, 0A000 for NaN and Infinity as in Postgres.
func NumericToInt(d *apd.Decimal, bits int) (int64, error) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return 0, Errorf(CodeFeatureNotSupported, "cannot convert NaN to %s", intTypeName(bits))
	case apd.Infinite:
		return 0, Errorf(CodeFeatureNotSupported, "cannot convert infinity to %s", intTypeName(bits))
	}
	if numericMagnitude(d) > 19 {
		return 0, errIntRange(bits)
	}
	r := new(apd.Decimal)
	if _, err := numCtx.Quantize(r, d, 0); err != nil {
		return 0, errIntRange(bits)
	}
	v, err := r.Int64()
	if err != nil || !intFits(v, bits) {
		return 0, errIntRange(bits)
	}
	return v, nil
}

// intTypeName is the SQL name of an integer of the given width.
func intTypeName(bits int) string {
	switch bits {
	case 16:
		return "smallint"
	case 32:
		return "integer"
	}
	return "bigint"
}

// errIntRange is Postgres' overflow error for an integer of the given width.
func errIntRange(bits int) error {
	return Errorf(CodeNumericValueOutOfRange, "%s out of range", intTypeName(bits))
}

// intFits reports whether v fits a signed integer of the given width.
func intFits(v int64, bits int) bool {
	switch bits {
	case 16:
		return v >= math.MinInt16 && v <= math.MaxInt16
	case 32:
		return v >= math.MinInt32 && v <= math.MaxInt32
	}
	return true
}

// NumericCompare orders numerics as Postgres does: by value, with
// -Infinity < finite values < Infinity < NaN, and NaN equal to NaN.
func NumericCompare(a, b *apd.Decimal) int {
	ra, rb := numericRank(a), numericRank(b)
	if ra != rb || ra != 1 {
		return cmpOrdered(ra, rb)
	}
	return a.Cmp(b)
}

// numericRank places the special values: 0 -Infinity, 1 finite, 2 Infinity, 3 NaN.
func numericRank(d *apd.Decimal) int {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return 3
	case apd.Infinite:
		if d.Negative {
			return 0
		}
		return 2
	}
	return 1
}

// cmpOrdered is -1, 0 or +1 as a is less than, equal to or greater than b.
func cmpOrdered[T int | int64 | int32 | int16 | uint8 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// NumericCheck applies the modifier of t (numeric(p,s)) to d: rounds to s
// digits after the point and fails with 22003 "numeric field overflow" when
// the result needs more than p-s digits before the point. An unconstrained
// numeric returns d unchanged.
func NumericCheck(d *apd.Decimal, t Type) (*apd.Decimal, error) {
	if t.Precision <= 0 {
		return d, nil
	}
	p, s := t.Precision, t.Scale
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return d, nil
	case apd.Infinite:
		e := Errorf(CodeNumericValueOutOfRange, "numeric field overflow")
		e.Detail = "A field with precision " + strconv.Itoa(int(p)) + ", scale " + strconv.Itoa(int(s)) + " cannot hold an infinite value."
		return nil, e
	}
	r, err := numericRoundTo(d, s)
	if err == nil && (r.IsZero() || numericMagnitude(r) < int64(p-s)) {
		return r, nil
	}
	e := Errorf(CodeNumericValueOutOfRange, "numeric field overflow")
	if p == s {
		e.Detail = "A field with precision " + strconv.Itoa(int(p)) + ", scale " + strconv.Itoa(int(s)) + " must round to an absolute value less than 1."
	} else {
		e.Detail = "A field with precision " + strconv.Itoa(int(p)) + ", scale " + strconv.Itoa(int(s)) + " must round to an absolute value less than 10^" + strconv.Itoa(int(p-s)) + "."
	}
	return nil, e
}

// scaledNumeric is a finite numeric of at most 18 digits, coef·10^-scale,
// scale being its display scale. The sum, difference and product of two
// are computed on the coefficients, exactly as Postgres computes them
// (same value, same display scale) unless they overflow int64, which the
// functions report (ok false) so that the caller uses apd instead.
type scaledNumeric struct {
	coef  int64
	scale int32
}

// maxScaledDigits is the most digits parseScaled accepts: 10^18 < 2^63.
const maxScaledDigits = 18

// pow10s are the powers of ten an int64 holds.
var pow10s = func() (p [19]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// parseScaled reads stored numeric text, [-]digits[.digits], of at most
// maxScaledDigits digits after leading zeros; ok is false for anything
// else (NaN, the infinities, longer values).
func parseScaled(b []byte) (v scaledNumeric, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	digits, point := 0, -1 // digits after leading zeros
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if v.coef > 0 || c != '0' {
				digits++
			}
			v.coef = v.coef*10 + int64(c-'0')
		case c == '.' && point < 0 && i > 0:
			point = i
		default:
			return v, false
		}
		if digits > maxScaledDigits {
			return v, false
		}
	}
	if len(b) == 0 || point == len(b)-1 {
		return v, false
	}
	if point >= 0 {
		v.scale = int32(len(b) - point - 1)
	}
	if neg {
		v.coef = -v.coef
	}
	return v, true
}

// rescaled is a's coefficient at scale s (≥ a.scale).
func (a scaledNumeric) rescaled(s int32) (int64, bool) {
	d := s - a.scale
	if d >= int32(len(pow10s)) {
		return 0, a.coef == 0
	}
	c, over := mulOverflow64(a.coef, pow10s[d])
	return c, !over
}

// scaledAdd is a + b at the larger scale.
func scaledAdd(a, b scaledNumeric) (scaledNumeric, bool) {
	s := max(a.scale, b.scale)
	x, ok1 := a.rescaled(s)
	y, ok2 := b.rescaled(s)
	sum := x + y
	// Overflow iff both operands have the sign the sum lacks.
	return scaledNumeric{sum, s}, ok1 && ok2 && (x^sum)&(y^sum) >= 0
}

// scaledSub is a - b at the larger scale.
func scaledSub(a, b scaledNumeric) (scaledNumeric, bool) {
	return scaledAdd(a, scaledNumeric{-b.coef, b.scale})
}

// scaledMul is a · b at the sum of the scales.
func scaledMul(a, b scaledNumeric) (scaledNumeric, bool) {
	p, over := mulOverflow64(a.coef, b.coef)
	return scaledNumeric{p, a.scale + b.scale}, !over
}

// appendScaled appends the text of v as FormatNumeric prints it: its
// digits with scale of them after the point, and a sign unless it is zero.
func appendScaled(dst []byte, v scaledNumeric) []byte {
	u := uint64(v.coef)
	if v.coef < 0 {
		dst = append(dst, '-')
		u = -u
	}
	var buf [24]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	if v.scale == 0 {
		return append(dst, digits...)
	}
	if pad := int(v.scale) + 1 - len(digits); pad > 0 { // 0.00ddd
		dst = append(dst, '0', '.')
		for range pad - 1 {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	whole := len(digits) - int(v.scale)
	dst = append(dst, digits[:whole]...)
	dst = append(dst, '.')
	return append(dst, digits[whole:]...)
}
