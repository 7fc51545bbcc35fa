package vector

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

// mustNumeric parses a numeric literal in tests.
func mustNumeric(t testing.TB, s string) *apd.Decimal {
	t.Helper()
	d, err := ParseNumeric(s)
	if err != nil {
		t.Fatalf("ParseNumeric(%q): %v", s, err)
	}
	return d
}

// sqlState is the SQLSTATE of err ("" when it is not an *Error).
func sqlState(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Expected values from PostgreSQL 15.
func TestNumericArithmetic(t *testing.T) {
	ops := map[string]func(a, b *apd.Decimal) (*apd.Decimal, error){
		"+": NumericAdd, "-": NumericSub, "*": NumericMul, "/": NumericDiv, "%": NumericMod,
	}
	tests := []struct{ a, op, b, want string }{
		{"1.20", "+", "3.456", "4.656"},
		{"5.5", "-", "7", "-1.5"},
		{"1.20", "*", "3.0", "3.600"},
		{"1", "/", "3", "0.33333333333333333333"},
		{"10", "/", "4", "2.5000000000000000"},
		{"2", "/", "3", "0.66666666666666666667"},
		{"1", "/", "7000000", "0.000000142857142857142857"},
		{"100000", "/", "3", "33333.333333333333"},
		{"12345678901234567890", "/", "0.0007", "17636684144620811271428.5714"},
		{"10.5", "%", "3", "1.5"},
		{"-10.5", "%", "3", "-1.5"},
		{"NaN", "+", "1", "NaN"},
	}
	for _, tc := range tests {
		got, err := ops[tc.op](mustNumeric(t, tc.a), mustNumeric(t, tc.b))
		if err != nil {
			t.Errorf("%s %s %s: %v", tc.a, tc.op, tc.b, err)
			continue
		}
		if s := FormatNumeric(got); s != tc.want {
			t.Errorf("%s %s %s = %s, want %s", tc.a, tc.op, tc.b, s, tc.want)
		}
	}
	if _, err := NumericDiv(mustNumeric(t, "1"), mustNumeric(t, "0")); sqlState(err) != CodeDivisionByZero {
		t.Errorf("1/0: got %v, want 22012", err)
	}
	if _, err := NumericMod(mustNumeric(t, "1"), mustNumeric(t, "0.0")); sqlState(err) != CodeDivisionByZero {
		t.Errorf("1%%0: got %v, want 22012", err)
	}
}

func TestParseFormatNumeric(t *testing.T) {
	tests := []struct{ in, want string }{
		{" 1.50 ", "1.50"}, {"-0", "0"}, {"1e3", "1000"}, {".5", "0.5"}, {"5.", "5"},
		{"-0.000", "0.000"}, {"inf", "Infinity"}, {"-Infinity", "-Infinity"}, {"nan", "NaN"}, {"1e-3", "0.001"},
	}
	for _, tc := range tests {
		if got := FormatNumeric(mustNumeric(t, tc.in)); got != tc.want {
			t.Errorf("numeric %q = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "abc", "1e", "1.2.3", "--1", "1 2", "e5", "0x10"} {
		_, err := ParseNumeric(bad)
		if sqlState(err) != CodeInvalidTextRepresentation {
			t.Errorf("ParseNumeric(%q): got %v, want 22P02", bad, err)
		}
	}
}

func TestNumericRoundAndCheck(t *testing.T) {
	rounds := []struct {
		in    string
		scale int32
		want  string
	}{{"1234.5", -2, "1200"}, {"2.5", 0, "3"}, {"-2.5", 0, "-3"}, {"2.345", 2, "2.35"}, {"-1.2345", 3, "-1.235"}, {"1.5", 3, "1.500"}}
	for _, tc := range rounds {
		if got := FormatNumeric(NumericRound(mustNumeric(t, tc.in), tc.scale)); got != tc.want {
			t.Errorf("round(%s, %d) = %s, want %s", tc.in, tc.scale, got, tc.want)
		}
	}
	checks := []struct {
		in   string
		p, s int32
		want string // "" = overflow
		det  string
	}{
		{"1.", 3, 1, "1.0", ""},
		{"12345", 7, 2, "12345.00", ""},
		{"999.995", 5, 2, "", "A field with precision 5, scale 2 must round to an absolute value less than 10^3."},
		{"1.5", 2, 2, "", "A field with precision 2, scale 2 must round to an absolute value less than 1."},
		{"inf", 5, 2, "", "A field with precision 5, scale 2 cannot hold an infinite value."},
		{"12345.6", 3, -1, "", "A field with precision 3, scale -1 must round to an absolute value less than 10^4."},
		{"NaN", 3, 1, "NaN", ""},
	}
	for _, tc := range checks {
		got, err := NumericCheck(mustNumeric(t, tc.in), Type{Kind: KindNumeric, Precision: tc.p, Scale: tc.s})
		if tc.want != "" {
			if err != nil || FormatNumeric(got) != tc.want {
				t.Errorf("%s::numeric(%d,%d) = %v, %v; want %s", tc.in, tc.p, tc.s, got, err, tc.want)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeNumericValueOutOfRange || e.Message != "numeric field overflow" || e.Detail != tc.det {
			t.Errorf("%s::numeric(%d,%d): got %#v, want overflow %q", tc.in, tc.p, tc.s, err, tc.det)
		}
	}
}

func TestNumericConversions(t *testing.T) {
	ints := []struct {
		in   string
		bits int
		want int64
		code string
	}{
		{"2.5", 32, 3, ""}, {"-2.5", 16, -3, ""}, {"32767.4", 16, 32767, ""}, {"32767.5", 16, 0, CodeNumericValueOutOfRange},
		{"9223372036854775807", 64, 9223372036854775807, ""}, {"9223372036854775808", 64, 0, CodeNumericValueOutOfRange},
		{"NaN", 32, 0, CodeFeatureNotSupported},
	}
	for _, tc := range ints {
		got, err := NumericToInt(mustNumeric(t, tc.in), tc.bits)
		if sqlState(err) != tc.code || (tc.code == "" && got != tc.want) {
			t.Errorf("NumericToInt(%s, %d) = %d, %v; want %d %s", tc.in, tc.bits, got, err, tc.want, tc.code)
		}
	}
	floats := []struct {
		in   float64
		want string
	}{{0.1, "0.1"}, {1e20, "100000000000000000000"}, {1.0 / 3, "0.333333333333333"}, {-0.0, "0"}}
	for _, tc := range floats {
		d, err := NumericFromFloat(tc.in)
		if err != nil || FormatNumeric(d) != tc.want {
			t.Errorf("NumericFromFloat(%v) = %v, %v; want %s", tc.in, d, err, tc.want)
		}
	}
	if f := NumericToFloat(mustNumeric(t, "0.1")); f != 0.1 {
		t.Errorf("NumericToFloat(0.1) = %v", f)
	}
	order := []string{"-Infinity", "-1", "0", "0.5", "1.0", "Infinity", "NaN"}
	for i := range order {
		for j := range order {
			want := cmpOrdered(i, j)
			if order[i] == "1.0" && order[j] == "1.0" {
				want = 0
			}
			if got := NumericCompare(mustNumeric(t, order[i]), mustNumeric(t, order[j])); got != want {
				t.Errorf("compare(%s, %s) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
}

// Expected values from PostgreSQL 15 (by hand where noted): + - * on
// values of up to 18 digits run on int64 coefficients, the others and
// results that overflow through apd.
func TestNumericKernelScaled(t *testing.T) {
	checkBinary(t, "*", Numeric, Numeric, []binCase{
		{dec("0.908"), dec("12345"), "11209.260"},
		{dec("-0.5"), dec("0"), "0.0"},
		{dec("5"), dec("-0.20"), "-1.00"},
		{dec("0.001"), dec("0.02"), "0.00002"},
		// (10^18 - 1)^2 = 10^36 - 2·10^18 + 1, by hand: overflows int64.
		{dec("999999999999999999"), dec("999999999999999999"), "999999999999999998000000000000000001"},
		{dec("NaN"), dec("2"), "NaN"},
		{nil, dec("2"), "NULL"},
	})
	checkBinary(t, "+", Numeric, Numeric, []binCase{
		{dec("1.50"), dec("2.5"), "4.00"},
		{dec("-1.5"), dec("1.5"), "0.0"},
		{dec("999999999999999999"), dec("0.5"), "999999999999999999.5"},
		{dec("9223372036854775807"), dec("1"), "9223372036854775808"},
		{dec("Infinity"), dec("1"), "Infinity"},
	})
	checkBinary(t, "-", Numeric, Numeric, []binCase{
		{dec("0.001"), dec("0.002"), "-0.001"},
		{dec("10"), dec("0.25"), "9.75"},
		{dec("-999999999999999999"), dec("999999999999999999"), "-1999999999999999998"},
	})
}

// TestScaledNumericAgreesWithDecimal compares + - * on int64 coefficients
// with apd's over random values of every scale: every result not
// reported as an overflow is apd's.
func TestScaledNumericAgreesWithDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	ops := []struct {
		name  string
		fast  func(a, b scaledNumeric) (scaledNumeric, bool)
		exact func(a, b *apd.Decimal) (*apd.Decimal, error)
	}{{"+", scaledAdd, NumericAdd}, {"-", scaledSub, NumericSub}, {"*", scaledMul, NumericMul}}
	random := func() string {
		digits := 1 + rng.IntN(maxScaledDigits)
		v := rng.Int64N(pow10s[digits])
		if rng.IntN(2) == 0 {
			v = -v
		}
		return string(appendScaled(nil, scaledNumeric{v, int32(rng.IntN(digits + 1))}))
	}
	const pairs = 20_000
	overflows := 0
	for range pairs {
		x, y := random(), random()
		a, ok1 := parseScaled([]byte(x))
		b, ok2 := parseScaled([]byte(y))
		if !ok1 || !ok2 {
			t.Fatalf("parseScaled(%q) %v, parseScaled(%q) %v", x, ok1, y, ok2)
		}
		for _, op := range ops {
			r, ok := op.fast(a, b)
			want, err := op.exact(mustNumeric(t, x), mustNumeric(t, y))
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				overflows++
				continue
			}
			if got := string(appendScaled(nil, r)); got != FormatNumeric(want) {
				t.Errorf("%s %s %s = %s, want %s", x, op.name, y, got, FormatNumeric(want))
			}
		}
	}
	if overflows > pairs { // of 3·pairs results: most must be computed
		t.Errorf("%d overflows in %d results", overflows, 3*pairs)
	}
}
