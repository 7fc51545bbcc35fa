package vector

import (
	"fmt"
	"testing"
)

// sampleValues has two non-NULL values of every type (the second may be an
// edge: zero, negative, empty).
var sampleValues = map[Kind][2]Datum{
	KindBool:        {true, false},
	KindInt2:        {int16(7), int16(0)},
	KindInt4:        {int32(-3), int32(0)},
	KindInt8:        {int64(1) << 40, int64(-1)},
	KindFloat4:      {float32(1.5), float32(0)},
	KindFloat8:      {2.5, -0.5},
	KindNumeric:     {dec("1.25"), dec("0")},
	KindText:        {"a%", ""},
	KindVarchar:     {"B", "é"},
	KindBytea:       {[]byte("x"), []byte{}},
	KindDate:        {DateValue(19000), DateValue(-1)},
	KindTime:        {TimeValue(3600e6), TimeValue(0)},
	KindTimestamp:   {TimestampValue(1.7e15), TimestampValue(-1)},
	KindTimestampTZ: {TimestampTZValue(1.7e15), TimestampTZValue(0)},
	KindInterval:    {IntervalValue{Months: 1, Days: 2, Micros: 3}, IntervalValue{}},
	KindJSONB:       {JSONValue(`{"a": [1, "x"]}`), JSONValue("[]")},
	KindUnknown:     {"1", "t"},
}

// shapes gives, for a type, the argument shapes to try: a column holding
// both samples and a NULL, each constant, and the NULL constant.
func shapes(k Kind) []Expr {
	t := Type{Kind: k}
	v := sampleValues[k]
	out := []Expr{NewConst(v[0], t), NewConst(v[1], t), NewConst(nil, t)}
	if k != KindUnknown {
		out = append(out, NewColumnRef(int(k), t, "c"))
	}
	return out
}

// robustBatch has, in column k, the samples of kind k and a NULL.
func robustBatch() *Batch {
	cols := make([][]Datum, numKinds)
	types := make([]Type, numKinds)
	for k := Kind(0); k < numKinds; k++ {
		types[k] = Type{Kind: k}
		if k == KindUnknown {
			types[k] = Text
		}
		v := sampleValues[k]
		cols[k] = []Datum{v[0], nil, v[1]}
	}
	return batchOf(types, cols...)
}

// TestNoPanics builds every operator over every pair of types, and every
// function over its overloads, in every shape, and evaluates what builds:
// errors are fine, panics are not.
func TestNoPanics(t *testing.T) {
	b, ctx := robustBatch(), testCtx()
	ctx.Location = mustLoc(t, "Europe/Paris")
	try := func(what string, build func() (Expr, error)) {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("%s: panic %v", what, p)
			}
		}()
		e, err := build()
		if err == nil {
			_, err = e.Eval(ctx, b)
		}
		if _, isUser := err.(*Error); err != nil && !isUser {
			t.Errorf("%s: error %v is not a *vector.Error", what, err)
		}
	}
	ops := []string{"+", "-", "*", "/", "%", "^", "=", "<>", "<", ">=", "||", "~~", "~~*", "~", "!~*", "->", "->>", "@>", "&", "<<", "#"}
	for l := Kind(0); l < numKinds; l++ {
		for r := Kind(0); r < numKinds; r++ {
			for _, le := range shapes(l) {
				for _, re := range shapes(r) {
					for _, op := range ops {
						try(fmt.Sprintf("%s %s %s", le, op, re), func() (Expr, error) { return NewBinary(op, le, re) })
					}
					try("distinct", func() (Expr, error) { return NewIsDistinct(le, re, false) })
					try("nullif", func() (Expr, error) { return NewNullIf(le, re) })
					try("coalesce", func() (Expr, error) { return NewCoalesce([]Expr{le, re}) })
					try("in", func() (Expr, error) { return NewIn(le, []Expr{re, le}, true) })
				}
			}
		}
		for _, e := range shapes(l) {
			for _, op := range []string{"-", "+", "NOT", "~"} {
				try(op+e.String(), func() (Expr, error) { return NewUnary(op, e) })
			}
			try("is true", func() (Expr, error) { return NewIsBool(e, true, false, true) })
			try("and", func() (Expr, error) { return NewAnd(e, e) })
		}
	}
	for name, ovs := range funcs {
		for _, ov := range ovs {
			kinds := make([]Kind, len(ov.params))
			for i, p := range ov.params {
				kinds[i] = p.Kind
				if p == anyType {
					kinds[i] = KindInt4
				}
			}
			for shape := 0; shape < 4; shape++ {
				args := make([]Expr, len(kinds))
				for i, k := range kinds {
					s := shapes(k)
					args[i] = s[(shape+i)%len(s)]
				}
				try(fmt.Sprintf("%s%v", name, args), func() (Expr, error) { return NewFunc(name, args) })
			}
		}
	}
}
