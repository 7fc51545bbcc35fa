package datagen

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// allCols has a column of every type datagen generates.
var allCols = []format.Column{
	{Name: "b", Type: vector.Bool}, {Name: "i2", Type: vector.Int2}, {Name: "i4", Type: vector.Int4},
	{Name: "i8", Type: vector.Int8}, {Name: "f4", Type: vector.Float4}, {Name: "f8", Type: vector.Float8},
	{Name: "n", Type: vector.Type{Kind: vector.KindNumeric, Precision: 8, Scale: 2}}, {Name: "t", Type: vector.Text},
	{Name: "v", Type: vector.Type{Kind: vector.KindVarchar, Width: 4}}, {Name: "d", Type: vector.Date},
	{Name: "ts", Type: vector.Timestamp}, {Name: "tz", Type: vector.TimestampTZ},
}

// allOpts mixes sequences, random columns and NULLs over allCols.
func allOpts(rows int, seed int64) map[string]string {
	return map[string]string{"connector": "datagen", "type": "source", "rows": strconv.Itoa(rows), "seed": strconv.FormatInt(seed, 10),
		"fields.i8.kind": "sequence", "fields.i8.start": "-3", "fields.ts.kind": "sequence",
		"fields.t.null_rate": "0.3", "fields.b.null_rate": "0.5", "fields.f8.start": "-1", "fields.f8.end": "1"}
}

// TestDatagenDeterministic reads the same rows however the read is cut:
// again, from a skip (at and off batch boundaries), and paced in smaller
// batches. Another seed gives other rows.
func TestDatagenDeterministic(t *testing.T) {
	const n = 2*operators.BatchSize + 1000
	open := func(seed int64, extra map[string]string) *Datagen {
		opts := allOpts(n, seed)
		for k, v := range extra {
			opts[k] = v
		}
		g, err := OpenDatagen(opts, allCols)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	all := text(collect(t, open(7, nil), allCols, 0, 0).rows, allCols)
	if len(all) != n {
		t.Fatalf("%d rows, want %d", len(all), n)
	}
	if again := text(collect(t, open(7, nil), allCols, 0, 0).rows, allCols); !slices.Equal(again, all) {
		t.Errorf("a second read differs")
	}
	for _, skip := range []int64{1, operators.BatchSize - 1, operators.BatchSize, n - 1, n} {
		if tail := text(collect(t, open(7, nil), allCols, skip, 0).rows, allCols); !slices.Equal(tail, all[skip:]) {
			t.Errorf("read from %d: not the tail of the whole read", skip)
		}
	}
	// At 100000 rows/s a batch holds the rows due since the last one: far
	// fewer than BatchSize.
	paced := collect(t, open(7, map[string]string{"rate": "100000"}), allCols, 0, 0)
	if !slices.Equal(text(paced.rows, allCols), all) {
		t.Errorf("a paced read differs")
	}
	if len(paced.batches) <= 3 {
		t.Errorf("a paced read emitted batches of %v rows, want smaller ones", paced.batches)
	}
	other := text(collect(t, open(8, nil), allCols, 0, 0).rows, allCols)
	same := 0
	for i := range other {
		if other[i] == all[i] {
			same++
		}
	}
	if same != 0 {
		t.Errorf("seeds 7 and 8 give %d equal rows of %d", same, n)
	}
}

// TestDatagenRandomRanges draws 10000 values of each type and checks they
// lie in the range the options (or the documented defaults) give, that
// they spread over it (mean near the middle, both ends nearly reached), and
// that NULLs come at the asked rate.
func TestDatagenRandomRanges(t *testing.T) {
	const n = 10000
	num := func(p, s int32) vector.Type { return vector.Type{Kind: vector.KindNumeric, Precision: p, Scale: s} }
	tests := []struct {
		typ      vector.Type
		opts     map[string]string
		lo, hi   string  // the range, in the type's text
		nullRate float64 // asked
		distinct int     // > 0: the number of values of the range, all drawn
	}{
		{vector.Int2, nil, "-32768", "32767", 0, 0},
		{vector.Int4, map[string]string{"start": "1", "end": "6", "null_rate": "0.25"}, "1", "6", 0.25, 6},
		{vector.Int8, nil, "-9223372036854775808", "9223372036854775807", 0, 0},
		{vector.Int8, map[string]string{"start": "-5", "end": "-5"}, "-5", "-5", 0, 1},
		{vector.Float4, map[string]string{"start": "10", "end": "20"}, "10", "20", 0, 0},
		{vector.Float8, nil, "0", "1", 0, 0},
		{num(8, 2), nil, "0", "1000", 0, 0},
		{num(4, 1), nil, "0", "999.9", 0, 0},
		{num(6, 2), map[string]string{"start": "0.05", "end": "0.1"}, "0.05", "0.10", 0, 6},
		{vector.Numeric, nil, "0", "1000", 0, 0},
		{vector.Numeric, map[string]string{"start": "-1.5", "end": "2"}, "-1.5", "2", 0, 36},
		// 1000 would be 10^21 steps of 10^-18: the range holds 2^63 - 1.
		{vector.Numeric, map[string]string{"start": "0.000000000000000001"}, "0.000000000000000001", "9.223372036854775808", 0, 0},
		{vector.Date, nil, "2000-01-01", "2000-12-30", 0, 0},
		{vector.Date, map[string]string{"start": "2024-02-27", "end": "2024-03-01"}, "2024-02-27", "2024-03-01", 0, 4},
		{vector.Timestamp, nil, "2000-01-01 00:00:00", "2000-12-30 23:59:59.999999", 0, 0},
		{vector.TimestampTZ, map[string]string{"start": "2024-01-01 00:00:00+02", "end": "2024-01-01 00:00:00"},
			"2023-12-31 22:00:00+00", "2024-01-01 00:00:00+00", 0, 0},
		{vector.Bool, map[string]string{"null_rate": "0.1"}, "false", "true", 0.1, 2},
	}
	for _, tt := range tests {
		name := tt.typ.String() + " " + strconv.Quote(tt.opts["start"]) + ".." + strconv.Quote(tt.opts["end"])
		opts := map[string]string{"rows": strconv.Itoa(n), "seed": "42"}
		for k, v := range tt.opts {
			opts["fields.c."+k] = v
		}
		cols := []format.Column{{Name: "c", Type: tt.typ}}
		g, err := OpenDatagen(opts, cols)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		lo, hi := position(t, tt.typ, tt.lo), position(t, tt.typ, tt.hi)
		var vals []float64
		seen := map[float64]bool{}
		for _, row := range collect(t, g, cols, 0, 0).rows {
			if row[0] == nil {
				continue
			}
			v := position(t, tt.typ, vector.FormatDatum(row[0], tt.typ, time.UTC))
			if v < lo || v > hi {
				t.Errorf("%s: value %s outside [%s, %s]", name, vector.FormatDatum(row[0], tt.typ, time.UTC), tt.lo, tt.hi)
				break
			}
			vals = append(vals, v)
			seen[v] = true
		}
		checkNulls(t, name, n-len(vals), n, tt.nullRate)
		if tt.distinct > 0 {
			if len(seen) != tt.distinct {
				t.Errorf("%s: %d distinct values, want %d", name, len(seen), tt.distinct)
			}
			continue
		}
		// Uniform over [lo, hi]: the mean of the positions is 0.5 with a
		// standard deviation of 0.29/sqrt(n) = 0.003; the least and
		// greatest of n values are within 0.1% of the ends but for a
		// chance of e^-10.
		var sum float64
		for _, v := range vals {
			sum += (v - lo) / (hi - lo)
		}
		if mean := sum / float64(len(vals)); math.Abs(mean-0.5) > 0.02 {
			t.Errorf("%s: mean position %.4f, want 0.5", name, mean)
		}
		if least, most := (slices.Min(vals)-lo)/(hi-lo), (slices.Max(vals)-lo)/(hi-lo); least > 0.001 || most < 0.999 {
			t.Errorf("%s: values span [%.4f, %.4f] of the range, want nearly all of it", name, least, most)
		}
	}
}

// position maps the text s of a value of type t to a float64 preserving
// order: the number itself, days or microseconds since 1970, 0/1 for
// booleans.
func position(t *testing.T, typ vector.Type, s string) float64 {
	t.Helper()
	d, err := vector.ParseText(s, typ, time.UTC)
	if err != nil {
		t.Fatalf("%s %q: %v", typ, s, err)
	}
	switch d := d.(type) {
	case bool:
		if d {
			return 1
		}
		return 0
	case float32:
		return float64(d)
	case float64:
		return d
	case *apd.Decimal:
		return vector.NumericToFloat(d)
	}
	return float64(datumInt(d))
}

// checkNulls checks that nulls of n values is near rate*n: within 5
// standard deviations of the binomial, exact for rates 0 and 1.
func checkNulls(t *testing.T, name string, nulls, n int, rate float64) {
	t.Helper()
	want := rate * float64(n)
	if math.Abs(float64(nulls)-want) > 5*math.Sqrt(float64(n)*rate*(1-rate)) {
		t.Errorf("%s: %d NULLs of %d, want about %.0f", name, nulls, n, want)
	}
}

// TestDatagenText checks random text: its length, its characters, NULLs,
// and that values differ.
func TestDatagenText(t *testing.T) {
	const n = 5000
	tests := []struct {
		typ      vector.Type
		opts     map[string]string
		length   int
		nullRate float64
	}{
		{vector.Text, nil, 10, 0},
		{vector.Text, map[string]string{"length": "37", "null_rate": "1"}, 37, 1},
		{vector.Text, map[string]string{"length": "0"}, 0, 0},
		{vector.Type{Kind: vector.KindVarchar, Width: 3}, map[string]string{"null_rate": "0.5"}, 3, 0.5},
		{vector.Type{Kind: vector.KindVarchar, Width: 30}, map[string]string{"length": "13"}, 13, 0},
	}
	for _, tt := range tests {
		name := tt.typ.String() + " " + tt.opts["length"]
		opts := map[string]string{"rows": strconv.Itoa(n)}
		for k, v := range tt.opts {
			opts["fields.s."+k] = v
		}
		cols := []format.Column{{Name: "s", Type: tt.typ}}
		g, err := OpenDatagen(opts, cols)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		nulls, seen := 0, map[string]bool{}
		for _, row := range collect(t, g, cols, 0, 0).rows {
			if row[0] == nil {
				nulls++
				continue
			}
			s := row[0].(string)
			if len(s) != tt.length || strings.Trim(s, textAlphabet) != "" {
				t.Errorf("%s: value %q, want %d letters or digits", name, s, tt.length)
				break
			}
			seen[s] = true
		}
		checkNulls(t, name, nulls, n, tt.nullRate)
		// 62^3 = 238328 strings of 3 characters: 2500 draws repeat about
		// 13 of them; longer strings do not repeat.
		if values := n - nulls; tt.length >= 3 && len(seen) < values-50 {
			t.Errorf("%s: %d distinct values of %d", name, len(seen), values)
		}
	}
}

// TestDatagenSequences checks sequences of every type against values
// counted by hand, and where they end: at end, at rows, or at the type's
// largest value.
func TestDatagenSequences(t *testing.T) {
	tests := []struct {
		typ     vector.Type
		opts    map[string]string // the column's; "rows" is the source's
		bounded bool
		n       int      // rows to read (all when bounded)
		want    []string // the first rows, or all
	}{
		{vector.Int4, map[string]string{"start": "5", "end": "9"}, true, 5, []string{"5", "6", "7", "8", "9"}},
		{vector.Int4, map[string]string{"start": "5", "end": "9", "rows": "2"}, true, 2, []string{"5", "6"}},
		{vector.Int4, map[string]string{"start": "5", "end": "9", "rows": "100"}, true, 5, []string{"5", "6", "7", "8", "9"}},
		{vector.Int8, map[string]string{}, false, 3, []string{"0", "1", "2"}},
		{vector.Int8, map[string]string{"start": "-9223372036854775808", "end": "-9223372036854775807"}, true, 2,
			[]string{"-9223372036854775808", "-9223372036854775807"}},
		{vector.Int2, map[string]string{"start": "32766"}, true, 2, []string{"32766", "32767"}},
		{vector.Int2, map[string]string{}, true, 32768, []string{"0", "1"}},
		{vector.Float8, map[string]string{"start": "0.5", "end": "3"}, true, 3, []string{"0.5", "1.5", "2.5"}},
		{vector.Type{Kind: vector.KindNumeric, Precision: 6, Scale: 2}, map[string]string{"start": "1.5", "end": "4"}, true, 3,
			[]string{"1.50", "2.50", "3.50"}},
		{vector.Type{Kind: vector.KindNumeric, Precision: 3, Scale: 1}, map[string]string{"start": "97.5"}, true, 3,
			[]string{"97.5", "98.5", "99.5"}},
		{vector.Numeric, map[string]string{"start": "0.25", "end": "2"}, true, 2, []string{"0.25", "1.25"}},
		{vector.Numeric, map[string]string{}, false, 2, []string{"0", "1"}},
		{vector.Text, map[string]string{"start": "8", "end": "11"}, true, 4, []string{"8", "9", "10", "11"}},
		{vector.Type{Kind: vector.KindVarchar, Width: 2}, map[string]string{"start": "97"}, true, 3, []string{"97", "98", "99"}},
		{vector.Date, map[string]string{"start": "2024-02-28", "end": "2024-03-01"}, true, 3, []string{"2024-02-28", "2024-02-29", "2024-03-01"}},
		{vector.Date, map[string]string{}, false, 2, []string{"2000-01-01", "2000-01-02"}},
		{vector.Timestamp, map[string]string{"start": "2024-01-01 23:59:58"}, false, 3,
			[]string{"2024-01-01 23:59:58", "2024-01-01 23:59:59", "2024-01-02 00:00:00"}},
		{vector.Timestamp, map[string]string{"end": "2000-01-01 00:00:01.5"}, true, 2, []string{"2000-01-01 00:00:00", "2000-01-01 00:00:01"}},
		{vector.TimestampTZ, map[string]string{"start": "2024-01-01 00:00:00+01"}, false, 2,
			[]string{"2023-12-31 23:00:00+00", "2023-12-31 23:00:01+00"}},
	}
	for _, tt := range tests {
		name := tt.typ.String() + " " + tt.opts["start"] + ".." + tt.opts["end"]
		opts := map[string]string{"fields.c.kind": "sequence"}
		for k, v := range tt.opts {
			if k == "rows" {
				opts[k] = v
			} else {
				opts["fields.c."+k] = v
			}
		}
		cols := []format.Column{{Name: "c", Type: tt.typ}}
		g, err := OpenDatagen(opts, cols)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if g.Bounded() != tt.bounded {
			t.Errorf("%s: Bounded() = %v", name, g.Bounded())
		}
		limit := int64(tt.n)
		if tt.bounded {
			limit = 0
		}
		got := text(collect(t, g, cols, 0, limit).rows, cols)
		if len(got) < tt.n || (tt.bounded && len(got) != tt.n) {
			t.Errorf("%s: %d rows, want %d", name, len(got), tt.n)
			continue
		}
		if !slices.Equal(got[:len(tt.want)], tt.want) {
			t.Errorf("%s: rows %q, want %q", name, got[:len(tt.want)], tt.want)
		}
	}
}

// TestDatagenErrors checks that each bad option is refused with its
// SQLSTATE and a message naming it.
func TestDatagenErrors(t *testing.T) {
	cols := []format.Column{{Name: "i", Type: vector.Int4}, {Name: "s", Type: vector.Type{Kind: vector.KindVarchar, Width: 3}},
		{Name: "b", Type: vector.Bool}, {Name: "ts", Type: vector.Timestamp}, {Name: "f", Type: vector.Float8},
		{Name: "n", Type: vector.Type{Kind: vector.KindNumeric, Precision: 4, Scale: 2}}}
	tests := []struct {
		opts map[string]string
		code string // "" when the options are good
		msg  string
	}{
		{map[string]string{"rows": "-1"}, vector.CodeInvalidParameterValue, `invalid value for option "rows": "-1"`},
		{map[string]string{"rows": "many"}, vector.CodeInvalidParameterValue, `invalid value for option "rows"`},
		{map[string]string{"rate": "0"}, vector.CodeInvalidParameterValue, `invalid value for option "rate": "0"`},
		{map[string]string{"rate": "fast"}, vector.CodeInvalidParameterValue, `invalid value for option "rate"`},
		{map[string]string{"seed": "1.5"}, vector.CodeInvalidParameterValue, `invalid value for option "seed"`},
		{map[string]string{"fields.x.kind": "random"}, vector.CodeInvalidParameterValue, `option "fields.x.kind" names column "x", which the table does not have`},
		{map[string]string{"fields.i.colour": "red"}, vector.CodeInvalidParameterValue, `unrecognized option "fields.i.colour"`},
		{map[string]string{"fields.i": "1"}, vector.CodeInvalidParameterValue, `unrecognized option "fields.i"`},
		{map[string]string{"fields.i.kind": "serial"}, vector.CodeInvalidParameterValue, `invalid value for option "fields.i.kind": "serial"`},
		{map[string]string{"fields.i.null_rate": "1.5"}, vector.CodeInvalidParameterValue, `invalid value for option "fields.i.null_rate"`},
		{map[string]string{"fields.i.start": "x"}, vector.CodeInvalidTextRepresentation, `option "fields.i.start": invalid input syntax for type integer`},
		{map[string]string{"fields.i.end": "3000000000"}, vector.CodeNumericValueOutOfRange, `option "fields.i.end"`},
		{map[string]string{"fields.i.start": "5", "fields.i.end": "4"}, vector.CodeInvalidParameterValue, `option "fields.i.start" is after option "fields.i.end"`},
		{map[string]string{"fields.i.length": "5"}, vector.CodeInvalidParameterValue, `option "fields.i.length" does not apply to random column "i" of type integer`},
		{map[string]string{"fields.s.length": "4"}, vector.CodeInvalidParameterValue, `invalid value for option "fields.s.length": "4"`},
		{map[string]string{"fields.s.start": "a"}, vector.CodeInvalidParameterValue, `option "fields.s.start" does not apply to random column "s"`},
		{map[string]string{"fields.s.kind": "sequence", "fields.s.length": "2"}, vector.CodeInvalidParameterValue, `option "fields.s.length" does not apply to sequence column "s"`},
		{map[string]string{"fields.s.kind": "sequence", "fields.s.start": "1000"}, vector.CodeInvalidParameterValue, `invalid value for option "fields.s.start": "1000"`},
		{map[string]string{"fields.b.kind": "sequence"}, vector.CodeInvalidParameterValue, `invalid value for option "fields.b.kind": "sequence"`},
		{map[string]string{"fields.b.end": "true"}, vector.CodeInvalidParameterValue, `option "fields.b.end" does not apply`},
		{map[string]string{"fields.ts.start": "now"}, vector.CodeInvalidParameterValue, `invalid value for option "fields.ts.start": "now"`},
		{map[string]string{"fields.ts.end": "infinity"}, vector.CodeInvalidParameterValue, `invalid value for option "fields.ts.end": "infinity"`},
		{map[string]string{"fields.ts.start": "2000-01-02", "fields.i.start": "4", "fields.i.end": "4"}, "", ""},
		{map[string]string{"fields.ts.start": "2001-01-01", "fields.ts.end": "2000-01-01"}, vector.CodeInvalidParameterValue, `is after option "fields.ts.end"`},
		{map[string]string{"fields.f.start": "NaN"}, vector.CodeInvalidParameterValue, `invalid value for option "fields.f.start": "NaN"`},
		{map[string]string{"fields.n.end": "100"}, vector.CodeNumericValueOutOfRange, `option "fields.n.end"`},
	}
	for _, tt := range tests {
		_, err := OpenDatagen(tt.opts, cols)
		if tt.code == "" {
			if err != nil {
				t.Errorf("%v: %v", tt.opts, err)
			}
			continue
		}
		checkError(t, strings.Join(slices.Sorted(maps.Keys(tt.opts)), ","), err, tt.code, tt.msg)
	}
	for _, typ := range []vector.Type{vector.Bytea, vector.Interval, vector.JSONB, vector.Time, {Kind: vector.KindNumeric, Precision: 30, Scale: 20}} {
		_, err := OpenDatagen(nil, []format.Column{{Name: "x", Type: typ}})
		checkError(t, typ.String(), err, vector.CodeFeatureNotSupported, `datagen cannot generate column "x" of type `+typ.String())
	}
}
