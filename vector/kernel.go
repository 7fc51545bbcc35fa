package vector

import (
	"math/bits"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// This file holds the shared pieces of every typed loop: evaluated operands
// (a column or a constant standing for every row), validity bitmaps, and the
// construction of output arrays straight from Go slices.

// operand is an evaluated argument of an operator or function: either a
// column of the batch's length (arr != nil) or a constant that stands for
// every row (arr == nil; val is the Datum, nil meaning NULL). Keeping
// constants scalar lets kernels take a column-vs-constant fast path without
// materializing the constant.
type operand struct {
	arr arrow.Array
	val Datum
}

// isNull reports whether the operand is the constant NULL.
func (o operand) isNull() bool { return o.arr == nil && o.val == nil }

// evalOperand evaluates e over b, keeping a constant or a parameter scalar.
func evalOperand(ctx *EvalContext, e Expr, b *Batch) (operand, error) {
	if d, ok := IsConst(e); ok {
		return operand{val: d}, nil
	}
	if p, ok := e.(*paramExpr); ok {
		return operand{val: p.value(ctx)}, nil
	}
	arr, err := e.Eval(ctx, b)
	return operand{arr: arr}, err
}

// column returns o as a column of n values of type t, materializing a
// constant.
func (o operand) column(t Type, n int) arrow.Array {
	if o.arr != nil {
		return o.arr
	}
	return ConstArray(t, o.val, n)
}

// fixed is the Go representation of a fixed-width Arrow buffer element.
type fixed interface {
	~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

// signed is a Go signed integer type used by SQL integers and date/times.
type signed interface{ ~int16 | ~int32 | ~int64 }

// values returns the fixed-width values of arr, its offset applied. It also
// reads date32 (int32), time64, timestamp (int64) buffers.
func values[T fixed](arr arrow.Array) []T {
	v := arrow.GetValues[T](arr.Data(), 1)
	if v == nil {
		return make([]T, arr.Len())
	}
	return v
}

// bitmap is a validity (or boolean) bitmap with its bit offset; bits == nil
// means every bit is set.
type bitmap struct {
	bits []byte
	off  int
}

// get reports bit i.
func (m bitmap) get(i int) bool {
	return m.bits == nil || bitutil.BitIsSet(m.bits, m.off+i)
}

// validity returns the validity bitmap of arr (bits nil when it has no
// NULLs or is nil, the column of a non-NULL constant).
func validity(arr arrow.Array) bitmap {
	if arr == nil || arr.NullN() == 0 {
		return bitmap{}
	}
	return bitmap{bits: arr.NullBitmapBytes(), off: arr.Data().Offset()}
}

// andValidity is the validity of a row-wise strict operation over cols: a
// row is valid when it is valid in every column. It returns a fresh bitmap
// (nil when every row is valid) and the number of NULL rows.
func andValidity(n int, cols ...arrow.Array) ([]byte, int) {
	var out []byte
	for _, c := range cols {
		if c == nil || c.NullN() == 0 {
			continue
		}
		v := validity(c)
		if out == nil {
			out = make([]byte, bitutil.BytesForBits(int64(n)))
			bitutil.CopyBitmap(v.bits, v.off, n, out, 0)
			continue
		}
		bitutil.BitmapAnd(out, v.bits, 0, int64(v.off), out, 0, int64(n))
	}
	if out == nil {
		return nil, 0
	}
	return out, n - bitutil.CountSetBits(out, 0, n)
}

// bufOf wraps a byte slice as an Arrow buffer (nil stays nil).
func bufOf(b []byte) *memory.Buffer {
	if b == nil {
		return nil
	}
	return memory.NewBufferBytes(b)
}

// makeFixed builds a column of type t over vals without copying.
func makeFixed[T fixed](t Type, vals []T, valid []byte, nulls int) arrow.Array {
	data := array.NewData(t.ArrowType(), len(vals),
		[]*memory.Buffer{bufOf(valid), memory.NewBufferBytes(arrow.GetBytes(vals))}, nil, nulls, 0)
	return array.MakeFromData(data)
}

// makeBool builds a boolean column of n rows from packed bits.
func makeBool(n int, bits, valid []byte, nulls int) arrow.Array {
	data := array.NewData(arrow.FixedWidthTypes.Boolean, n,
		[]*memory.Buffer{bufOf(valid), memory.NewBufferBytes(bits)}, nil, nulls, 0)
	return array.MakeFromData(data)
}

// newBits returns a zeroed bitmap for n bits.
func newBits(n int) []byte { return make([]byte, bitutil.BytesForBits(int64(n))) }

// nullColumn is a column of n NULLs of type t.
func nullColumn(t Type, n int) arrow.Array {
	return array.MakeArrayOfNull(Mem, t.ArrowType(), n)
}

// stringBuilder accumulates a String (or Binary) column of a known number
// of rows in one growing byte slice plus offsets: no allocation per row.
type stringBuilder struct {
	n     int
	offs  []int32
	data  []byte
	valid []byte // nil until the first NULL; then all set except NULL rows
	nulls int
}

func newStringBuilder(n, sizeHint int) *stringBuilder {
	return &stringBuilder{n: n, offs: make([]int32, 1, n+1), data: make([]byte, 0, sizeHint)}
}

// next closes the current row, whose bytes were appended to s.data.
func (s *stringBuilder) next() { s.offs = append(s.offs, int32(len(s.data))) }

// appendString appends a whole row.
func (s *stringBuilder) appendString(v string) {
	s.data = append(s.data, v...)
	s.next()
}

// appendNull appends a NULL row.
func (s *stringBuilder) appendNull() {
	if s.valid == nil {
		s.valid = newBits(s.n)
		bitutil.SetBitsTo(s.valid, 0, int64(s.n), true)
	}
	bitutil.ClearBit(s.valid, len(s.offs)-1)
	s.nulls++
	s.next()
}

// finish builds the column of type t (a String or Binary type); exactly n
// rows must have been appended.
func (s *stringBuilder) finish(t Type) arrow.Array { return s.finishType(t.ArrowType()) }

// finishType builds the column of Arrow type dt (String or Binary).
func (s *stringBuilder) finishType(dt arrow.DataType) arrow.Array {
	data := array.NewData(dt, s.n,
		[]*memory.Buffer{bufOf(s.valid), memory.NewBufferBytes(arrow.GetBytes(s.offs)), memory.NewBufferBytes(s.data)},
		nil, s.nulls, 0)
	return array.MakeFromData(data)
}

// mulOverflow64 multiplies a and b, reporting whether the product overflows int64.
func mulOverflow64(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	// Correct the unsigned high word to the signed one.
	if a < 0 {
		hi -= uint64(b)
	}
	if b < 0 {
		hi -= uint64(a)
	}
	return int64(lo), int64(hi) != int64(lo)>>63
}

// minOf is the most negative value of the signed type T.
func minOf[T signed]() T {
	var z T
	return T(1) << (8*unsafe.Sizeof(z) - 1)
}

// gather builds a column of type dt whose row i is row idx[i] of
// srcs[which[i]], or NULL where which[i] < 0. which == nil takes every row
// from srcs[0]; idx == nil means idx[i] = i. It is how CASE, COALESCE and
// friends assemble their result, and how a subset of a batch is taken.
func gather(dt arrow.DataType, n int, srcs []arrow.Array, which, idx []int32) arrow.Array {
	src := func(i int) (arrow.Array, int, bool) {
		s, j := 0, i
		if which != nil {
			s = int(which[i])
		}
		if idx != nil {
			j = int(idx[i])
		}
		if s < 0 || srcs[s].IsNull(j) {
			return nil, 0, false
		}
		return srcs[s], j, true
	}
	valid := newBits(n)
	nulls := 0
	// fixed is src for the bitmap-validity layouts: it also records row i
	// in valid and nulls.
	fixed := func(i int) (arrow.Array, int, bool) {
		a, j, ok := src(i)
		if ok {
			bitutil.SetBit(valid, i)
		} else {
			nulls++
		}
		return a, j, ok
	}
	switch dt.ID() {
	case arrow.STRING, arrow.BINARY:
		sb := newStringBuilder(n, 0)
		for i := 0; i < n; i++ {
			a, j, ok := src(i)
			if !ok {
				sb.appendNull()
				continue
			}
			offs, data := RawBytes(a)
			sb.data = append(sb.data, data[offs[j]:offs[j+1]]...)
			sb.next()
		}
		return sb.finishType(dt)
	case arrow.BOOL:
		bits := newBits(n)
		for i := 0; i < n; i++ {
			if a, j, ok := fixed(i); ok && a.(*array.Boolean).Value(j) {
				bitutil.SetBit(bits, i)
			}
		}
		return makeBool(n, bits, valid, nulls)
	}
	w := dt.(arrow.FixedWidthDataType).BitWidth() / 8
	out := make([]byte, n*w)
	for i := 0; i < n; i++ {
		a, j, ok := fixed(i)
		if !ok {
			continue
		}
		buf := a.Data().Buffers()[1].Bytes()
		k := (a.Data().Offset() + j) * w
		copy(out[i*w:(i+1)*w], buf[k:k+w])
	}
	data := array.NewData(dt, n, []*memory.Buffer{memory.NewBufferBytes(valid), memory.NewBufferBytes(out)}, nil, nulls, 0)
	return array.MakeFromData(data)
}

// subset is the batch made of rows idx of b.
func subset(b *Batch, idx []int32) *Batch {
	cols := make([]arrow.Array, len(b.Cols))
	for i, c := range b.Cols {
		cols[i] = gather(c.DataType(), len(idx), []arrow.Array{c}, nil, idx)
	}
	return &Batch{Cols: cols, Len: len(idx)}
}

// evalOnRows evaluates e over the rows idx of b only, and returns a column
// of b.Len rows holding the results at those rows and NULL elsewhere. It is
// the lazy path of conditional expressions: rows that did not select a
// branch never raise its errors.
func evalOnRows(ctx *EvalContext, e Expr, b *Batch, idx []int32) (arrow.Array, error) {
	part, err := e.Eval(ctx, subset(b, idx))
	if err != nil {
		return nil, err
	}
	which := make([]int32, b.Len)
	pos := make([]int32, b.Len)
	for i := range which {
		which[i] = -1
	}
	for k, i := range idx {
		which[i], pos[i] = 0, int32(k)
	}
	return gather(part.DataType(), b.Len, []arrow.Array{part}, which, pos), nil
}

// fixedAt returns an accessor of row i of a fixed-width operand (column or
// constant). Constants may be the Datum's named type (DateValue, …).
func fixedAt[T fixed](o operand) func(int) T {
	if o.arr != nil {
		v := values[T](o.arr)
		return func(i int) T { return v[i] }
	}
	c := datumAs[T](o.val)
	return func(int) T { return c }
}

// datumAs converts a non-NULL fixed-width Datum to its physical Go type.
func datumAs[T fixed](d Datum) T {
	switch v := d.(type) {
	case T:
		return v
	case DateValue:
		return T(v)
	case TimeValue:
		return T(v)
	case TimestampValue:
		return T(v)
	case TimestampTZValue:
		return T(v)
	}
	panic("vector: unexpected constant")
}

// intervalGetter returns an accessor of row i of an interval operand.
func intervalGetter(o operand) func(int) arrow.MonthDayNanoInterval {
	if o.arr != nil {
		v := arrow.GetValues[arrow.MonthDayNanoInterval](o.arr.Data(), 1)
		return func(i int) arrow.MonthDayNanoInterval { return v[i] }
	}
	c := toMDN(o.val.(IntervalValue))
	return func(int) arrow.MonthDayNanoInterval { return c }
}

// toMDN is the physical form of an interval Datum.
func toMDN(v IntervalValue) arrow.MonthDayNanoInterval {
	return arrow.MonthDayNanoInterval{Months: v.Months, Days: v.Days, Nanoseconds: v.Micros * 1000}
}

// rowwise computes f(i) for each row where every operand is non-NULL and
// builds a column of type t (fixed width or interval) from the results.
func rowwise[R fixed | arrow.MonthDayNanoInterval](ctx *EvalContext, t Type, n int, args []operand, mk func(ctx *EvalContext, args []operand) func(int) (R, error)) (arrow.Array, error) {
	cols := make([]arrow.Array, 0, len(args))
	for _, a := range args {
		if a.isNull() {
			return nullColumn(t, n), nil
		}
		cols = append(cols, a.arr)
	}
	valid, nulls := andValidity(n, cols...)
	vm := bitmap{bits: valid}
	f := mk(ctx, args)
	out := make([]R, n)
	for i := range out {
		if !vm.get(i) {
			continue
		}
		v, err := f(i)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	data := array.NewData(t.ArrowType(), n,
		[]*memory.Buffer{bufOf(valid), memory.NewBufferBytes(arrow.GetBytes(out))}, nil, nulls, 0)
	return array.MakeFromData(data), nil
}
