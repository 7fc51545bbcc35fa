package datagen

import (
	"math"
	"math/bits"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/apd/v3"
	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// field generates the values of one column of a datagen source.
//
// Values other than floats and booleans are integers before they are
// typed, called units: the integer itself (int2/4/8, and the number a text
// sequence spells), days since 1970-01-01 (date), microseconds since
// 1970-01-01 (timestamp, timestamptz), multiples of 10^-scale (numeric).
//
// Invariants: lo ≤ hi and flo ≤ fhi. A random value of row r is uniform in
// [lo, hi] (floats: in [flo, fhi]); a sequence's value of row r is
// lo + r*step (floats: flo + r), and the sequence has count values
// (unbounded when it has no end). Every value is a function of the seed,
// the column and r only.
type field struct {
	col      format.Column
	sequence bool
	nullRate float64
	nullKey  uint64   // stream keys (see counterRand)
	valueKey uint64   //
	textKeys []uint64 // of random text, one per four characters
	lo, hi   int64
	step     int64
	flo, fhi float64
	length   int   // characters of random text
	scale    int32 // digits after the point of a numeric
	count    int64
}

// build returns the values of rows from..from+n-1 as a column.
func (f *field) build(from int64, n int) arrow.Array {
	b := array.NewBuilder(vector.Mem, f.col.Type.ArrowType())
	b.Reserve(n)
	switch bb := b.(type) {
	case *array.BooleanBuilder:
		fill(f, bb, from, n, func(r int64) bool { return draw(f.valueKey, r)&1 == 1 })
	case *array.Int16Builder:
		fill(f, bb, from, n, func(r int64) int16 { return int16(f.units(r)) })
	case *array.Int32Builder:
		fill(f, bb, from, n, func(r int64) int32 { return int32(f.units(r)) })
	case *array.Int64Builder:
		fill(f, bb, from, n, f.units)
	case *array.Float32Builder:
		fill(f, bb, from, n, func(r int64) float32 { return float32(f.float(r)) })
	case *array.Float64Builder:
		fill(f, bb, from, n, f.float)
	case *array.Date32Builder:
		fill(f, bb, from, n, func(r int64) arrow.Date32 { return arrow.Date32(f.units(r)) })
	case *array.TimestampBuilder:
		fill(f, bb, from, n, func(r int64) arrow.Timestamp { return arrow.Timestamp(f.units(r)) })
	case *array.StringBuilder:
		var buf []byte
		fill(f, bb.BinaryBuilder, from, n, func(r int64) []byte {
			buf = f.appendText(buf[:0], r)
			return buf
		})
	}
	return b.NewArray()
}

// fill appends the values of rows from..from+n-1 to b: NULL at f's null
// rate, value(row) otherwise.
func fill[T any](f *field, b interface {
	Append(T)
	AppendNull()
}, from int64, n int, value func(int64) T) {
	for r := from; r < from+int64(n); r++ {
		if f.nullRate > 0 && unitFloat(draw(f.nullKey, r)) < f.nullRate {
			b.AppendNull()
		} else {
			b.Append(value(r))
		}
	}
}

// units is the value of row r, in units.
func (f *field) units(r int64) int64 {
	if f.sequence {
		return f.lo + r*f.step
	}
	bits64 := draw(f.valueKey, r)
	span := uint64(f.hi-f.lo) + 1
	if span == 0 { // the whole int64 range
		return int64(bits64)
	}
	hi, _ := bits.Mul64(bits64, span)
	return f.lo + int64(hi)
}

// float is the value of row r of a float column.
func (f *field) float(r int64) float64 {
	if f.sequence {
		return f.flo + float64(r)
	}
	return min(f.flo+unitFloat(draw(f.valueKey, r))*(f.fhi-f.flo), f.fhi)
}

// textAlphabet are the characters of random text.
const textAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// appendText appends the text of row r of a numeric, text or varchar column.
func (f *field) appendText(buf []byte, r int64) []byte {
	switch {
	case f.col.Type.Kind == vector.KindNumeric:
		return append(buf, vector.FormatNumeric(apd.New(f.units(r), -f.scale))...)
	case f.sequence:
		return strconv.AppendInt(buf, f.units(r), 10)
	}
	var word uint64
	for j := range f.length {
		if j%4 == 0 {
			word = draw(f.textKeys[j/4], r)
		}
		buf = append(buf, textAlphabet[(word&0xffff)*uint64(len(textAlphabet))>>16])
		word >>= 16
	}
	return buf
}

// sequenceCount is the number of values lo, lo+step, … up to hi;
// unbounded when it is too many to count.
func sequenceCount(lo, hi, step int64) int64 {
	n := uint64(hi-lo)/uint64(step) + 1
	if n == 0 || n > math.MaxInt64 {
		return unbounded
	}
	return int64(n)
}
