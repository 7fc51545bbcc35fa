package operators

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// windowsTypes is the input of the window assignment tests: (k int4, ts).
func windowsTypes(ts vector.Type) []vector.Type { return []vector.Type{vector.Int4, ts} }

// windowsBatch builds a batch of (k, ts) rows, k numbering them; a nil
// time is NULL.
func windowsBatch(typ vector.Type, times ...any) *vector.Batch {
	ks := make([]any, len(times))
	vals := make([]any, len(times))
	for i, t := range times {
		ks[i] = int32(i)
		if t != nil {
			vals[i] = t.(int64)
			if typ.Kind == vector.KindTimestampTZ {
				vals[i] = vector.TimestampTZValue(t.(int64))
			} else {
				vals[i] = vector.TimestampValue(t.(int64))
			}
		}
	}
	return batch(col(vector.Int4, ks...), col(typ, vals...))
}

// windowsBruteForce renders the rows of b once per window containing
// their time, found by trying every aligned start near it, with the
// window's start and end appended, as changes renders them.
func windowsBruteForce(w Windows, types []vector.Type, b *vector.Batch) []string {
	step := w.Slide
	if w.Kind == Tumble {
		step = w.Size
	}
	var out []string
	for i := range b.Len {
		var x int64
		switch v := vector.ValueAt(b.Cols[w.Col], types[w.Col], i).(type) {
		case vector.TimestampValue:
			x = int64(v)
		case vector.TimestampTZValue:
			x = int64(v)
		default:
			continue // NULL
		}
		vals := make([]string, len(types))
		for c, t := range types {
			vals[c] = render(vector.ValueAt(b.Cols[c], t, i))
		}
		row := strings.Join(vals, "|")
		copies := b.Weight(i)
		if copies < 0 {
			row, copies = "-"+row, -copies
		}
		for n := (x-w.Offset-w.Size)/step - 2; n <= (x-w.Offset)/step+2; n++ {
			if s := w.Offset + n*step; s <= x && x < s+w.Size {
				for range copies {
					out = append(out, fmt.Sprintf("%s|%d|%d", row, s, s+w.Size))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestWindowAssign(t *testing.T) {
	const s = 1_000_000 // µs
	tumble := Windows{Kind: Tumble, Col: 1, Size: 10 * s, Slide: 10 * s}
	hop := Windows{Kind: Hop, Col: 1, Size: 10 * s, Slide: 2 * s}
	withOffset := func(w Windows, o int64) Windows { w.Offset = o; return w }
	cases := []struct {
		name    string
		w       Windows
		typ     vector.Type
		times   []any
		weights []int64
		perRow  int      // windows per row with a time
		want    []string // by hand, when given
	}{
		{"tumble", tumble, vector.Timestamp, []any{int64(0), int64(9_999_999), int64(10 * s), int64(25 * s), int64(1)}, nil, 1, nil},
		{"tumble before the epoch", tumble, vector.Timestamp, []any{int64(-1), int64(-10 * s), int64(-10*s - 1)}, nil, 1, nil},
		{"tumble with offset", withOffset(tumble, 3*s), vector.TimestampTZ, []any{int64(0), int64(3 * s), int64(3*s - 1), int64(-8 * s)}, nil, 1,
			[]string{"0|0|-7000000|3000000", "1|3000000|3000000|13000000", "2|2999999|-7000000|3000000", "3|-8000000|-17000000|-7000000"}},
		{"tumble with NULLs", tumble, vector.Timestamp, []any{nil, int64(5), nil}, nil, 1, nil},
		{"tumble, every time NULL", tumble, vector.Timestamp, []any{nil, nil}, nil, 1, nil},
		{"tumble carries weights", tumble, vector.Timestamp, []any{int64(1), int64(12 * s), int64(2)}, []int64{-1, 3, 1}, 1, nil},
		{"hop", hop, vector.Timestamp, []any{int64(0), int64(1), int64(2 * s), int64(11*s + 7), int64(-1)}, nil, 5, nil},
		{"hop, one row", hop, vector.Timestamp, []any{int64(11*s + 7)}, nil, 5,
			[]string{"0|11000007|10000000|20000000", "0|11000007|2000000|12000000", "0|11000007|4000000|14000000", "0|11000007|6000000|16000000", "0|11000007|8000000|18000000"}},
		{"hop with offset", withOffset(hop, s), vector.TimestampTZ, []any{int64(0), int64(s), int64(-3 * s)}, nil, 5, nil},
		{"hop carries weights", hop, vector.Timestamp, []any{int64(3 * s), nil, int64(4 * s)}, []int64{2, 1, -1}, 5, nil},
		// As many windows as rows in the batch: 1 row with a time × 5.
		{"hop with as many windows as rows", hop, vector.Timestamp, []any{nil, int64(7 * s), nil, nil, nil}, nil, 5, nil},
	}
	for _, c := range cases {
		types := windowsTypes(c.typ)
		in := windowsBatch(c.typ, c.times...)
		if c.weights != nil {
			in = weighted(in, c.weights...)
		}
		want := windowsBruteForce(c.w, types, in)
		timed := 0
		for _, v := range c.times {
			if v != nil {
				timed++
			}
		}
		if c.weights == nil && len(want) != c.perRow*timed {
			t.Fatalf("%s: the brute force found %d windows, want %d per row", c.name, len(want), c.perRow)
		}
		if c.want != nil {
			checkRows(t, c.name+": brute force", want, c.want)
		}
		outTypes := append(slices.Clone(types), c.typ, c.typ)

		n := NewWindowAssignNode(NewSourceNode("t", types, nil), c.w)
		if !slices.Equal(n.Types(), outTypes) {
			t.Errorf("%s: node types %v, want %v", c.name, n.Types(), outTypes)
		}
		h := newIncHarness(t, n)
		h.step(push{0, in})
		checkRows(t, c.name+": continuous", sorted(h.emitted), want)

		if c.weights == nil {
			op := NewWindowAssign(valuesOf(types, in), c.w)
			if !slices.Equal(op.Types(), outTypes) {
				t.Errorf("%s: operator types %v, want %v", c.name, op.Types(), outTypes)
			}
			checkRows(t, c.name+": bounded", sorted(run(t, op)), want)
		}
	}
}

// TestWindowAssignRandom compares the assignment with the brute force over
// random windows and times, and checks that the window columns respect
// their bounds: at watermark wm, a row whose time is at least wm (less
// the lag of its time column) is in no window the bound says is closed,
// and the earliest such row is in the window the bound names.
func TestWindowAssignRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	types := windowsTypes(vector.Timestamp)
	for range 200 {
		slide := 1 + rng.Int64N(6)
		w := Windows{Kind: Hop, Col: 1, Slide: slide, Size: slide * (1 + rng.Int64N(5)), Offset: rng.Int64N(21) - 10}
		if rng.IntN(2) == 0 {
			w = Windows{Kind: Tumble, Col: 1, Size: slide, Slide: slide, Offset: w.Offset}
		}
		lag := rng.Int64N(4)
		wm := rng.Int64N(101) - 50
		times := make([]any, 1+rng.IntN(20))
		for i := range times {
			if rng.IntN(8) > 0 {
				times[i] = wm - lag + rng.Int64N(30)
			}
		}
		times[0] = wm - lag
		in := windowsBatch(vector.Timestamp, times...)
		h := newIncHarness(t, NewWindowAssignNode(NewSourceNode("t", types, nil), w))
		h.step(push{0, in})
		checkRows(t, w.String(), sorted(h.emitted), windowsBruteForce(w, types, in))

		ts := Bound{Kind: BoundTime, Lag: lag}
		start, end := w.StartBound(ts), w.EndBound(ts)
		var firstStart, firstEnd []int64
		for _, out := range h.out.rows() {
			var k int32
			var x, s, e int64
			if _, err := fmt.Sscanf(out, "%d|%d|%d|%d", &k, &x, &s, &e); err != nil {
				t.Fatalf("row %q: %v", out, err)
			}
			if start.Closed(s, wm) || end.Closed(e, wm) {
				t.Fatalf("%s, lag %d: row at %d in window [%d, %d), closed at %d by %+v / %+v", w, lag, x, s, e, wm, start, end)
			}
			if k == 0 {
				firstStart, firstEnd = append(firstStart, s), append(firstEnd, e)
			}
		}
		if s := slices.Min(firstStart); s != start.Of(wm) {
			t.Fatalf("%s, lag %d: the earliest window of time %d starts at %d, the bound says %d", w, lag, wm-lag, s, start.Of(wm))
		}
		if e := slices.Min(firstEnd); e != end.Of(wm) {
			t.Fatalf("%s, lag %d: the earliest window of time %d ends at %d, the bound says %d", w, lag, wm-lag, e, end.Of(wm))
		}
	}
}

func TestWindowsBounds(t *testing.T) {
	ts := Bound{Kind: BoundTime, Lag: 7}
	tumble := Windows{Kind: Tumble, Size: 10, Slide: 10, Offset: 3}
	hop := Windows{Kind: Hop, Size: 10, Slide: 2, Offset: 1}
	cases := []struct {
		name       string
		w          Windows
		ts         Bound
		start, end Bound
	}{
		{"tumble", tumble, ts, Bound{Kind: BoundTumbleStart, Size: 10, Offset: 3, Lag: 7}, Bound{Kind: BoundTumbleEnd, Size: 10, Offset: 3, Lag: 7}},
		{"hop", hop, ts, Bound{Kind: BoundHopStart, Size: 10, Slide: 2, Offset: 1, Lag: 7}, Bound{Kind: BoundHopEnd, Size: 10, Slide: 2, Offset: 1, Lag: 7}},
		{"over a column without a bound", tumble, Bound{}, Bound{}, Bound{}},
		{"over a window column", hop, Bound{Kind: BoundTumbleStart, Size: 10}, Bound{}, Bound{}},
	}
	for _, c := range cases {
		if got := c.w.StartBound(c.ts); got != c.start {
			t.Errorf("%s: StartBound %+v, want %+v", c.name, got, c.start)
		}
		if got := c.w.EndBound(c.ts); got != c.end {
			t.Errorf("%s: EndBound %+v, want %+v", c.name, got, c.end)
		}
	}
}

// TestWindowAssignKeepsTimestampType: the window columns have the type of
// the time column, zone included.
func TestWindowAssignKeepsTimestampType(t *testing.T) {
	for _, typ := range []vector.Type{vector.Timestamp, vector.TimestampTZ} {
		w := Windows{Kind: Tumble, Col: 1, Size: 10, Slide: 10}
		h := newIncHarness(t, NewWindowAssignNode(NewSourceNode("t", windowsTypes(typ), nil), w))
		var got *vector.Batch
		if err := h.op.Push(0, windowsBatch(typ, int64(15)), func(b *vector.Batch) error { got = b; return nil }); err != nil {
			t.Fatal(err)
		}
		for c := 2; c < 4; c++ {
			if !arrow.TypeEqual(got.Cols[c].DataType(), typ.ArrowType()) {
				t.Errorf("%s: column %d is %s", typ.Name(), c, got.Cols[c].DataType())
			}
		}
	}
}
