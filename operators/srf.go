package operators

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// SetCall is one call of a set-returning function, evaluated row by row by
// NewProjectSet: the values of its arguments at a row give the rows the
// call yields there.
type SetCall struct {
	Name string
	Args []vector.Expr
	// Type is the type of the rows the call yields.
	Type vector.Type
	// open starts the rows of one row's argument values: next yields at
	// most max more of them at a time, an empty (or nil) column once they
	// are exhausted.
	open func(args []vector.Datum) (next func(max int) (arrow.Array, error), err error)
}

// arrayRows yields the rows of a computed column (nil: none), max at a
// time.
func arrayRows(arr arrow.Array, err error) (func(max int) (arrow.Array, error), error) {
	pos := 0
	return func(max int) (arrow.Array, error) {
		if arr == nil || pos >= arr.Len() {
			return nil, nil
		}
		end := min(pos+max, arr.Len())
		part := array.NewSlice(arr, int64(pos), int64(end))
		pos = end
		return part, nil
	}, err
}

// arrayCall is a call of one argument whose rows are computed whole by
// rows from a non-NULL argument; a NULL argument yields none.
func arrayCall(name string, arg vector.Expr, t vector.Type, rows func(vector.Datum) (arrow.Array, error)) *SetCall {
	return &SetCall{Name: name, Args: []vector.Expr{arg}, Type: t, open: func(a []vector.Datum) (func(int) (arrow.Array, error), error) {
		if a[0] == nil {
			return arrayRows(nil, nil)
		}
		return arrayRows(rows(a[0]))
	}}
}

// NewUnnest is unnest(array): one row per element, none for a NULL array.
func NewUnnest(arg vector.Expr) *SetCall {
	t := arg.Type()
	return arrayCall("unnest", arg, t.ElemType(), func(d vector.Datum) (arrow.Array, error) { return vector.ArrayElements(t, d) })
}

// NewExpandArray is information_schema._pg_expandarray(array): one record
// (x, n) per element, the element and its position from 1.
func NewExpandArray(arg vector.Expr) *SetCall {
	t := arg.Type()
	return arrayCall("_pg_expandarray", arg, vector.ExpandArrayType(t), func(d vector.Datum) (arrow.Array, error) { return vector.ExpandArray(t, d) })
}

// NewOptionsToTable is pg_options_to_table(options): one record
// (option_name, option_value) per "name=value" element of a text[].
func NewOptionsToTable(arg vector.Expr) *SetCall {
	return arrayCall("pg_options_to_table", arg, vector.OptionsTableType(), vector.OptionsTable)
}

// NewScalarCall is a scalar function called in FROM: one row, its value.
func NewScalarCall(name string, e vector.Expr) *SetCall {
	return &SetCall{Name: name, Args: []vector.Expr{e}, Type: e.Type(), open: func(a []vector.Datum) (func(int) (arrow.Array, error), error) {
		return arrayRows(vector.ArrayOf(e.Type(), a[0]), nil)
	}}
}

// NewSeriesCall is generate_series(start, stop, step) of type t, the
// arguments of the types NewGenerateSeries takes. Its values are generated
// as they are read.
func NewSeriesCall(args []vector.Expr, t vector.Type) *SetCall {
	return &SetCall{Name: "generate_series", Args: args, Type: t, open: func(a []vector.Datum) (func(int) (arrow.Array, error), error) {
		op, err := NewGenerateSeries(a[0], a[1], a[2], t)
		if err != nil {
			return nil, err
		}
		s := op.(*series)
		return func(max int) (arrow.Array, error) {
			col, _, err := s.next(max)
			return col, err
		}, nil
	}}
}

// projectSet is Postgres' ProjectSet: set-returning calls over each row.
type projectSet struct {
	in         Operator
	calls      []*SetCall
	ordinality bool
	types      []vector.Type
	ectx       *vector.EvalContext
}

// NewProjectSet outputs, for each input row, as many rows as the longest
// result of its calls: the input's columns repeated, then one column per
// call (NULL past the end of a shorter result) and, with ordinality, the
// number of the output row within its input row, from 1 (int8). An input
// row for which no call yields anything yields no row. Row weights are
// kept. The calls' rows are read BatchSize at a time, so a long series
// streams.
func NewProjectSet(in Operator, calls []*SetCall, ordinality bool, ectx *vector.EvalContext) Operator {
	types := append([]vector.Type(nil), in.Types()...)
	for _, c := range calls {
		types = append(types, c.Type)
	}
	if ordinality {
		types = append(types, vector.Int8)
	}
	return &projectSet{in: in, calls: calls, ordinality: ordinality, types: types, ectx: ectx}
}

func (p *projectSet) Types() []vector.Type { return p.types }

func (p *projectSet) Run(ctx context.Context, out chan<- Message) error {
	return forEachBatch(ctx, p.in, func(b *vector.Batch) error {
		args := make([][]arrow.Array, len(p.calls))
		for k, c := range p.calls {
			cols, err := evalAll(c.Args, p.ectx, b)
			if err != nil {
				return err
			}
			args[k] = cols
		}
		o := &setOutput{p: p, b: b, parts: make([][]arrow.Array, len(p.calls))}
		nexts := make([]func(int) (arrow.Array, error), len(p.calls))
		chunks := make([]arrow.Array, len(p.calls))
		for i := 0; i < b.Len; i++ {
			for k, c := range p.calls {
				vals := make([]vector.Datum, len(c.Args))
				for j, a := range c.Args {
					vals[j] = vector.ValueAt(args[k][j], a.Type(), i)
				}
				next, err := c.open(vals)
				if err != nil {
					return err
				}
				nexts[k] = next
			}
			for done := 0; ; {
				if len(o.idx) == BatchSize {
					if err := o.flush(ctx, out); err != nil {
						return err
					}
				}
				m := 0
				for k, next := range nexts {
					c, err := next(BatchSize - len(o.idx))
					if err != nil {
						return err
					}
					chunks[k] = c
					if c != nil {
						m = max(m, c.Len())
					}
				}
				if m == 0 {
					break
				}
				o.add(i, done, m, chunks)
				done += m
			}
		}
		return o.flush(ctx, out)
	})
}

// setOutput accumulates the output rows of one input batch.
type setOutput struct {
	p     *projectSet
	b     *vector.Batch
	idx   []int32         // input row of each output row
	parts [][]arrow.Array // per call, the pieces of its column
	ord   []int64
}

// add appends m output rows of input row i, the ones after the first done:
// chunks holds what each call yields for them.
func (o *setOutput) add(i, done, m int, chunks []arrow.Array) {
	for j := 0; j < m; j++ {
		o.idx = append(o.idx, int32(i))
		o.ord = append(o.ord, int64(done+j+1))
	}
	for k, c := range chunks {
		if c != nil && c.Len() == m {
			o.parts[k] = append(o.parts[k], c)
			continue
		}
		padded := vector.NewBuilder(o.p.calls[k].Type, m)
		for j := 0; j < m; j++ {
			if c != nil && j < c.Len() {
				padded.AppendFrom(c, j)
			} else {
				padded.AppendNull()
			}
		}
		o.parts[k] = append(o.parts[k], padded.Finish())
	}
}

// flush sends the rows accumulated so far.
func (o *setOutput) flush(ctx context.Context, out chan<- Message) error {
	if len(o.idx) == 0 {
		return nil
	}
	cols := vector.TakeColumns(o.b.Cols, o.idx)
	for k, parts := range o.parts {
		col := parts[0]
		if len(parts) > 1 || col.Data().Offset() != 0 {
			var err error
			if col, err = array.Concatenate(parts, vector.Mem); err != nil {
				return err
			}
		}
		cols = append(cols, col)
		o.parts[k] = nil
	}
	if o.p.ordinality {
		cols = append(cols, fixedColumn(vector.Int8, o.ord, nil))
	}
	nb := vector.NewBatch(cols, len(o.idx))
	if o.b.Weights != nil {
		nb.Weights = make([]int64, len(o.idx))
		for j, i := range o.idx {
			nb.Weights[j] = o.b.Weights[i]
		}
	}
	o.idx, o.ord = o.idx[:0], o.ord[:0]
	return Send(ctx, out, Message{Batch: nb})
}
