package vector

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/cockroachdb/apd/v3"
)

// evalFn computes an operator or function over evaluated arguments for n
// rows. It returns a column of n values of the call's type.
type evalFn func(ctx *EvalContext, args []operand, n int) (arrow.Array, error)

// Volatility says when a call may be folded into a constant.
type volatility uint8

const (
	// immutable: the result depends only on the arguments; folded at
	// construction when every argument is a constant.
	immutable volatility = iota
	// stable: the result also reads the EvalContext (now(), the session's
	// TimeZone, settings); never folded.
	stable
	// volatile: the result changes per row (random, clock_timestamp).
	volatile
)

// callExpr is an operator or function applied to its arguments. Its
// arguments are evaluated first (constants stay scalar), then fn runs over
// whole columns.
type callExpr struct {
	name  string
	infix bool // render as "(l name r)" rather than "name(args)"
	args  []Expr
	typ   Type
	fn    evalFn
}

func (c *callExpr) Type() Type { return c.typ }

func (c *callExpr) Eval(ctx *EvalContext, b *Batch) (arrow.Array, error) {
	ops := make([]operand, len(c.args))
	for i, a := range c.args {
		o, err := evalOperand(ctx, a, b)
		if err != nil {
			return nil, err
		}
		ops[i] = o
	}
	return c.fn(ctx, ops, b.Len)
}

func (c *callExpr) String() string {
	parts := make([]string, len(c.args))
	for i, a := range c.args {
		parts[i] = a.String()
	}
	if c.infix && len(parts) == 2 {
		return "(" + parts[0] + " " + c.name + " " + parts[1] + ")"
	}
	if c.infix && len(parts) == 1 {
		return "(" + c.name + " " + parts[0] + ")"
	}
	return c.name + "(" + strings.Join(parts, ", ") + ")"
}

// newCall builds a call node. An immutable call whose arguments are all
// constants is evaluated right away and replaced by its constant value (see
// foldConst).
func newCall(name string, infix bool, typ Type, args []Expr, fn evalFn, vol volatility) (Expr, error) {
	c := &callExpr{name: name, infix: infix, args: args, typ: typ, fn: fn}
	if vol != immutable {
		return c, nil
	}
	for _, a := range args {
		if _, ok := IsConst(a); !ok {
			return c, nil
		}
	}
	return foldConst(c), nil
}

// foldConst evaluates an expression without columns into a constant. When
// the evaluation fails (1/0) it returns e unchanged, which fails the same
// way if evaluated: Postgres raises such an error only when the value is
// needed, so CASE WHEN false THEN 1/0 ELSE 0 END is 0 and SELECT 1/0 still
// fails (at execution rather than construction).
func foldConst(e Expr) Expr {
	arr, err := e.Eval(&EvalContext{Location: time.UTC}, &Batch{Len: 1})
	if err != nil {
		return e
	}
	return NewConst(ValueAt(arr, e.Type(), 0), e.Type())
}

// anyType in an overload's parameter list accepts an argument of any type
// (an unknown literal is taken as text).
var anyType = Type{Kind: numKinds}

// overload is one signature of a registered function.
type overload struct {
	params []Type
	// variadic: the last parameter repeats one or more times.
	variadic bool
	// ret is the result type.
	ret Type
	fn  evalFn
	vol volatility
	// textArgs: arguments of anyType that are not strings are converted to
	// text by their output function first (concat, format: true is 't',
	// where true::text is 'true').
	textArgs bool
	// keepUnknown: an unknown argument for anyType stays unknown.
	keepUnknown bool
	// build, when set, constructs the call itself from the coerced
	// arguments (functions that need the argument types, like pg_typeof).
	build func(args []Expr) (Expr, error)
}

// funcs is the registry of scalar functions by lower-case name, filled by
// the func_*.go files at init. Ties in overload resolution go to the first
// registered.
var funcs = map[string][]overload{}

// register adds overloads of a function.
func register(name string, ovs ...overload) { funcs[name] = append(funcs[name], ovs...) }

// FuncExists reports whether a scalar function of that name is registered.
func FuncExists(name string) bool { _, ok := funcs[name]; return ok }

// NewFunc resolves the overload of name for args, coerces the arguments to
// its parameter types and builds the call. A call of an unknown name or with
// no matching overload is 42883, worded as Postgres words it.
func NewFunc(name string, args []Expr) (Expr, error) {
	ov, ok := resolve(funcs[name], args)
	if !ok {
		return nil, undefinedFunction(name, args)
	}
	coerced := make([]Expr, len(args))
	for i, a := range args {
		p := ov.param(i)
		if p == anyType {
			p = a.Type()
			if p.Kind == KindUnknown && !ov.keepUnknown {
				p = Text
			}
		}
		c, err := coerceOperand(a, p)
		if err != nil {
			return nil, err
		}
		if ov.textArgs && ov.param(i) == anyType && !p.Kind.IsString() {
			c = &textOutExpr{e: c}
		}
		coerced[i] = c
	}
	if ov.build != nil {
		return ov.build(coerced)
	}
	return newCall(name, false, ov.ret, coerced, ov.fn, ov.vol)
}

// param is the type of the i-th parameter.
func (o *overload) param(i int) Type {
	if o.variadic && i >= len(o.params)-1 {
		return o.params[len(o.params)-1]
	}
	return o.params[i]
}

// resolve picks the overload for args as Postgres does in spirit: the
// candidates are the overloads whose parameters all accept the arguments
// (exactly, by implicit coercion, or as an unknown literal); the one with
// the most exact matches wins, then the one whose coerced parameters are
// more often their category's preferred type (double precision,
// timestamptz, text), then the first registered.
func resolve(ovs []overload, args []Expr) (*overload, bool) {
	best, bestExact, bestPreferred := -1, -1, -1
	for i := range ovs {
		o := &ovs[i]
		if len(args) < len(o.params) || (!o.variadic && len(args) != len(o.params)) {
			continue
		}
		exact, preferred, ok := 0, 0, true
		for j, a := range args {
			p, t := o.param(j), a.Type()
			switch {
			case p == anyType || t.Kind == p.Kind:
				exact++
			case t.Kind == KindUnknown || CanCoerce(t, p):
				preferred += btoi(isPreferred(p.Kind))
			default:
				ok = false
			}
		}
		if ok && (exact > bestExact || exact == bestExact && preferred > bestPreferred) {
			best, bestExact, bestPreferred = i, exact, preferred
		}
	}
	if best < 0 {
		return nil, false
	}
	return &ovs[best], true
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// undefinedFunction is Postgres' error for a call that matches nothing.
func undefinedFunction(name string, args []Expr) error {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.Type().String()
	}
	e := Errorf(CodeUndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", "))
	e.Hint = "No function matches the given name and argument types. You might need to add explicit type casts."
	return e
}

// row reads the arguments of a function at the current row i; accessors
// are chosen once per evaluation from each operand's physical type, so a
// scalar function body reads r.str(0), r.int(1) without type switches.
type row struct {
	i    int
	ops  []operand
	strs []func(int) []byte
	ints []func(int) int64
	flts []func(int) float64
	bols []func(int) bool
	oks  []bitmap
}

func newRow(ops []operand) *row {
	r := &row{ops: ops, strs: make([]func(int) []byte, len(ops)), ints: make([]func(int) int64, len(ops)),
		flts: make([]func(int) float64, len(ops)), bols: make([]func(int) bool, len(ops)), oks: make([]bitmap, len(ops))}
	for k, o := range ops {
		if o.arr != nil {
			r.oks[k] = validity(o.arr)
		}
		switch id := physID(o); id {
		case arrow.STRING, arrow.BINARY:
			r.strs[k] = stringAt(o)
		case arrow.INT16:
			g := fixedAt[int16](o)
			r.ints[k] = func(i int) int64 { return int64(g(i)) }
		case arrow.INT32, arrow.DATE32:
			g := fixedAt[int32](o)
			r.ints[k] = func(i int) int64 { return int64(g(i)) }
		case arrow.INT64, arrow.TIMESTAMP, arrow.TIME64:
			r.ints[k] = fixedAt[int64](o)
		case arrow.FLOAT32:
			g := fixedAt[float32](o)
			r.flts[k] = func(i int) float64 { return float64(g(i)) }
		case arrow.FLOAT64:
			r.flts[k] = fixedAt[float64](o)
		case arrow.BOOL:
			r.bols[k] = boolAt(o)
		}
	}
	return r
}

// physID is the Arrow type of an operand's values (NULL constants: NULL).
func physID(o operand) arrow.Type {
	if o.arr != nil {
		return o.arr.DataType().ID()
	}
	switch o.val.(type) {
	case string, JSONValue, *apd.Decimal, ArrayValue:
		return arrow.STRING
	case []byte:
		return arrow.BINARY
	case int16:
		return arrow.INT16
	case int32, DateValue:
		return arrow.INT32
	case int64, TimeValue, TimestampValue, TimestampTZValue:
		return arrow.INT64
	case float32:
		return arrow.FLOAT32
	case float64:
		return arrow.FLOAT64
	case bool:
		return arrow.BOOL
	}
	return arrow.NULL
}

func (r *row) str(k int) []byte  { return r.strs[k](r.i) }
func (r *row) int(k int) int64   { return r.ints[k](r.i) }
func (r *row) flt(k int) float64 { return r.flts[k](r.i) }
func (r *row) flag(k int) bool   { return r.bols[k](r.i) }

// boolAt returns an accessor of row i of a boolean operand.
func boolAt(o operand) func(int) bool {
	if o.arr == nil {
		c := o.val.(bool)
		return func(int) bool { return c }
	}
	a := o.arr.(*array.Boolean)
	return a.Value
}

// null reports whether argument k is NULL at the current row.
func (r *row) null(k int) bool {
	if r.ops[k].arr == nil {
		return r.ops[k].val == nil
	}
	return !r.oks[k].get(r.i)
}

// anyNull reports whether some argument is NULL at the current row.
func (r *row) anyNull() bool {
	for k := range r.ops {
		if r.null(k) {
			return true
		}
	}
	return false
}

// textFn makes a function returning text (or another string-typed t):
// body appends the row's result to dst, or reports NULL. A strict
// function returns NULL without calling body when an argument is NULL.
func textFn(t Type, strict bool, body func(dst []byte, r *row) ([]byte, bool, error)) evalFn {
	return func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		r := newRow(ops)
		sb := newStringBuilder(n, n*8)
		for r.i = 0; r.i < n; r.i++ {
			if strict && r.anyNull() {
				sb.appendNull()
				continue
			}
			out, null, err := body(sb.data, r)
			if err != nil {
				return nil, err
			}
			if null {
				sb.appendNull()
				continue
			}
			sb.data = out
			sb.next()
		}
		return sb.finish(t), nil
	}
}

// fixedFn makes a strict function returning a fixed-width type t (Go type
// T): body computes the row's value or reports NULL.
func fixedFn[T fixed](t Type, body func(r *row) (T, bool, error)) evalFn {
	return func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		r := newRow(ops)
		out := make([]T, n)
		valid := newBits(n)
		nulls := 0
		for r.i = 0; r.i < n; r.i++ {
			if r.anyNull() {
				nulls++
				continue
			}
			v, null, err := body(r)
			if err != nil {
				return nil, err
			}
			if null {
				nulls++
				continue
			}
			out[r.i] = v
			bitutil.SetBit(valid, r.i)
		}
		return makeFixed(t, out, valid, nulls), nil
	}
}

// boolFn makes a strict function returning boolean.
func boolFn(body func(r *row) (bool, error)) evalFn {
	return func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		r := newRow(ops)
		bits, valid := newBits(n), newBits(n)
		nulls := 0
		for r.i = 0; r.i < n; r.i++ {
			if r.anyNull() {
				nulls++
				continue
			}
			v, err := body(r)
			if err != nil {
				return nil, err
			}
			bitutil.SetBit(valid, r.i)
			if v {
				bitutil.SetBit(bits, r.i)
			}
		}
		return makeBool(n, bits, valid, nulls), nil
	}
}

// textOutExpr is e converted to text by its type's output function, as
// concat() and format() print their arguments. It is never folded: the
// output of timestamptz depends on the session's zone.
type textOutExpr struct{ e Expr }

func (x *textOutExpr) Type() Type     { return Text }
func (x *textOutExpr) String() string { return x.e.String() }

func (x *textOutExpr) Eval(ctx *EvalContext, b *Batch) (arrow.Array, error) {
	arr, err := x.e.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	t, loc := x.e.Type(), ctx.location()
	sb := newStringBuilder(b.Len, b.Len*8)
	for i := 0; i < b.Len; i++ {
		if arr.IsNull(i) {
			sb.appendNull()
			continue
		}
		sb.data = AppendText(sb.data, arr, t, i, loc)
		sb.next()
	}
	return sb.finish(Text), nil
}
