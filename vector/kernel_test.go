package vector

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Test helpers shared by the expression and function tests. Results are
// compared as Postgres prints them (FormatDatum), NULL as "NULL" and an
// error as "ERROR <sqlstate>: <message>".

// testCtx is the evaluation context of the tests: UTC unless a test says
// otherwise, now() = 2024-03-10 12:34:56.789 UTC.
func testCtx() *EvalContext {
	return &EvalContext{
		StatementTime: time.Date(2024, 3, 10, 12, 34, 56, 789000000, time.UTC),
		Location:      time.UTC,
	}
}

// render evaluates e over b and prints every row.
func render(ctx *EvalContext, e Expr, b *Batch) []string {
	arr, err := e.Eval(ctx, b)
	if err != nil {
		return []string{errString(err)}
	}
	if arr.Len() != b.Len {
		return []string{"ERROR wrong length"}
	}
	out := make([]string, b.Len)
	for i := range out {
		out[i] = renderAt(arr, e.Type(), i, ctx.Location)
	}
	return out
}

func renderAt(arr arrow.Array, t Type, i int, loc *time.Location) string {
	d := ValueAt(arr, t, i)
	if d == nil {
		return "NULL"
	}
	return FormatDatum(d, t, loc)
}

func errString(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return "ERROR " + e.Code + ": " + e.Message
	}
	return "ERROR " + err.Error()
}

// batchOf is a batch whose column k holds cols[k] values of types[k].
func batchOf(types []Type, cols ...[]Datum) *Batch {
	arrs := make([]arrow.Array, len(cols))
	for k, c := range cols {
		arrs[k] = ArrayOf(types[k], c...)
	}
	return NewBatch(arrs, len(cols[0]))
}

// callCase is one row of a test: argument values and expected output.
type callCase struct {
	args []Datum
	want string
}

// checkCall checks build over arguments of the given types for each case in
// two shapes: every argument a column (the non-error cases in one batch, so
// NULL bitmaps mix), and every argument a constant (folded when the call is
// immutable).
func checkCall(t *testing.T, what string, ctx *EvalContext, build func(args []Expr) (Expr, error), types []Type, cases []callCase) {
	t.Helper()
	cols := make([][]Datum, len(types))
	var wants []string
	for _, c := range cases {
		if !strings.HasPrefix(c.want, "ERROR") {
			for k := range types {
				cols[k] = append(cols[k], c.args[k])
			}
			wants = append(wants, c.want)
		}
	}
	refs := make([]Expr, len(types))
	for k, typ := range types {
		refs[k] = NewColumnRef(k, typ, string(rune('a'+k)))
	}
	if len(wants) > 0 {
		e, err := build(refs)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := render(ctx, e, batchOf(types, cols...)); strings.Join(got, "|") != strings.Join(wants, "|") {
			t.Errorf("%s over columns %v:\n got %q\nwant %q", what, cols, got, wants)
		}
	}
	for _, c := range cases {
		consts := make([]Expr, len(types))
		one := make([][]Datum, len(types))
		for k, typ := range types {
			consts[k] = NewConst(c.args[k], typ)
			one[k] = []Datum{c.args[k]}
		}
		for shape, args := range map[string][]Expr{"columns": refs, "constants": consts} {
			var got string
			if e, err := build(args); err != nil {
				got = errString(err)
			} else {
				got = render(ctx, e, batchOf(types, one...))[0]
			}
			if got != c.want {
				t.Errorf("%s%v (%s): got %q, want %q", what, c.args, shape, got, c.want)
			}
		}
	}
}

// checkFunc checks the function name over arguments of the given types.
func checkFunc(t *testing.T, name string, types []Type, cases []callCase) {
	t.Helper()
	checkCall(t, name, testCtx(), func(args []Expr) (Expr, error) { return NewFunc(name, args) }, types, cases)
}

// args is shorthand for a case's argument list.
func args(ds ...Datum) []Datum { return ds }

// binCase is one row of a binary operator test: operands and expected output.
type binCase struct {
	l, r Datum
	want string
}

// checkBinary checks op over (lt, rt) for each case in every shape:
// column-column (the non-error cases in one batch, so NULL bitmaps mix),
// column-constant, constant-column and constant-constant (folded).
func checkBinary(t *testing.T, op string, lt, rt Type, cases []binCase) {
	t.Helper()
	ctx := testCtx()
	var ls, rs []Datum
	var wants []string
	for _, c := range cases {
		if !strings.HasPrefix(c.want, "ERROR") {
			ls, rs, wants = append(ls, c.l), append(rs, c.r), append(wants, c.want)
		}
	}
	if len(ls) > 0 {
		b := batchOf([]Type{lt, rt}, ls, rs)
		e, err := NewBinary(op, NewColumnRef(0, lt, "a"), NewColumnRef(1, rt, "b"))
		if err != nil {
			t.Fatalf("%s %s %s: %v", lt, op, rt, err)
		}
		if got := render(ctx, e, b); strings.Join(got, "|") != strings.Join(wants, "|") {
			t.Errorf("col %s col over %v, %v:\n got %v\nwant %v", op, ls, rs, got, wants)
		}
	}
	for _, c := range cases {
		one := batchOf([]Type{lt, rt}, []Datum{c.l}, []Datum{c.r})
		shapes := map[string][2]Expr{
			"col-const":   {NewColumnRef(0, lt, "a"), NewConst(c.r, rt)},
			"const-col":   {NewConst(c.l, lt), NewColumnRef(1, rt, "b")},
			"const-const": {NewConst(c.l, lt), NewConst(c.r, rt)},
			"col-col":     {NewColumnRef(0, lt, "a"), NewColumnRef(1, rt, "b")},
		}
		for shape, args := range shapes {
			var got string
			e, err := NewBinary(op, args[0], args[1])
			if err != nil {
				got = errString(err)
			} else {
				got = render(ctx, e, one)[0]
			}
			if got != c.want {
				t.Errorf("%v %s %v (%s): got %q, want %q", c.l, op, c.r, shape, got, c.want)
			}
		}
	}
}

// mustLoc loads a time zone.
func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
