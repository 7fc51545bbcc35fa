package vector

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// edgeExprs are expressions over columns a int8, b int8, s text, p bool
// that exercise every kind of kernel.
func edgeExprs(t *testing.T) map[string]Expr {
	a, b := NewColumnRef(0, Int8, "a"), NewColumnRef(1, Int8, "b")
	s, p := NewColumnRef(2, Text, "s"), NewColumnRef(3, Bool, "p")
	must := func(e Expr, err error) Expr {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	gt := must(NewBinary(">", a, NewConst(int64(1), Int8)))
	return map[string]Expr{
		"a + b":      must(NewBinary("+", a, b)),
		"a > 1":      gt,
		"s < 'm'":    must(NewBinary("<", s, NewConst("m", Unknown))),
		"lower(s)":   must(NewFunc("lower", []Expr{s})),
		"p AND a>1":  must(NewAnd(p, gt)),
		"NOT p":      must(NewUnary("NOT", p)),
		"s LIKE":     must(NewLike(s, NewConst("%x%", Text), nil, false, false)),
		"CASE":       must(NewCase(nil, []Expr{p}, []Expr{a}, b)),
		"COALESCE":   must(NewCoalesce([]Expr{a, b})),
		"IN":         must(NewIn(a, []Expr{NewConst(int64(2), Int8), NewConst(int64(5), Int8)}, false)),
		"IS NULL":    NewIsNull(s, false),
		"s || s":     must(NewBinary("||", s, s)),
		"greatest":   must(NewGreatestLeast(true, []Expr{a, b})),
		"a / b":      must(NewCase(nil, []Expr{must(NewBinary("<>", b, NewConst(int64(0), Int8)))}, []Expr{must(NewBinary("/", a, b))}, nil)),
		"nullif":     must(NewNullIf(a, b)),
		"distinct":   must(NewIsDistinct(a, b, false)),
		"substr":     must(NewFunc("substr", []Expr{s, NewConst(int32(2), Int4)})),
		"IS TRUE":    must(NewIsBool(p, true, false, false)),
		"-a":         must(NewUnary("-", a)),
		"abs(a)":     must(NewFunc("abs", []Expr{a})),
		"a & b":      must(NewBinary("&", a, b)),
		"date_trunc": must(NewFunc("date_trunc", []Expr{NewConst("day", Unknown), must(NewFunc("to_timestamp", []Expr{must(NewBinary("*", a, NewConst(int64(40000), Int8)))}))})),
	}
}

func edgeBatch() *Batch {
	return batchOf([]Type{Int8, Int8, Text, Bool},
		[]Datum{int64(1), nil, int64(5), int64(2), int64(-3), int64(9), nil, int64(7), int64(2), int64(0)},
		[]Datum{int64(4), int64(2), nil, int64(2), int64(0), int64(1), nil, int64(3), int64(5), int64(6)},
		[]Datum{"ax", "b", nil, "zz", "", "x", "q", nil, "mx", "abc"},
		[]Datum{true, false, nil, true, true, nil, false, true, false, true})
}

func TestKernelsOnEmptyBatch(t *testing.T) {
	empty := batchOf([]Type{Int8, Int8, Text, Bool}, []Datum{}, []Datum{}, []Datum{}, []Datum{})
	for name, e := range edgeExprs(t) {
		arr, err := e.Eval(testCtx(), empty)
		if err != nil || arr.Len() != 0 {
			t.Errorf("%s on 0 rows: %v, %v", name, arr, err)
		}
	}
}

// TestKernelsOnSlicedColumns checks that every kernel honours array
// offsets: evaluating over a slice of the columns gives the slice of the
// result.
func TestKernelsOnSlicedColumns(t *testing.T) {
	full := edgeBatch()
	for _, r := range [][2]int{{1, 9}, {3, 10}, {7, 8}} {
		cols := make([]arrow.Array, len(full.Cols))
		for k, c := range full.Cols {
			cols[k] = array.NewSlice(c, int64(r[0]), int64(r[1]))
		}
		part := NewBatch(cols, r[1]-r[0])
		for name, e := range edgeExprs(t) {
			whole := render(testCtx(), e, full)
			got := render(testCtx(), e, part)
			if strings.Join(got, "|") != strings.Join(whole[r[0]:r[1]], "|") {
				t.Errorf("%s over rows %v: got %v, want %v", name, r, got, whole[r[0]:r[1]])
			}
		}
	}
}
