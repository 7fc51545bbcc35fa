package operators

import (
	"bytes"
	"cmp"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// newMinMaxAcc is the state of min(arg) (max false) or max(arg).
func newMinMaxAcc(arg vector.Type, max bool, result vector.Type) accumulator {
	switch arg.Kind {
	case vector.KindInt2:
		return &minMaxAcc[int16]{max: max, typ: result, cmp: cmp.Compare[int16]}
	case vector.KindInt4, vector.KindDate:
		return &minMaxAcc[int32]{max: max, typ: result, cmp: cmp.Compare[int32]}
	case vector.KindInt8, vector.KindTime, vector.KindTimestamp, vector.KindTimestampTZ,
		vector.KindOID, vector.KindRegclass, vector.KindRegtype, vector.KindRegproc, vector.KindRegnamespace, vector.KindRegrole:
		return &minMaxAcc[int64]{max: max, typ: result, cmp: cmp.Compare[int64]}
	case vector.KindFloat4:
		return &minMaxAcc[float32]{max: max, typ: result, cmp: func(a, b float32) int {
			return vector.CompareFloat(float64(a), float64(b))
		}}
	case vector.KindFloat8:
		return &minMaxAcc[float64]{max: max, typ: result, cmp: vector.CompareFloat}
	case vector.KindInterval:
		return &minMaxAcc[arrow.MonthDayNanoInterval]{max: max, typ: result, cmp: vector.CompareInterval}
	case vector.KindNumeric:
		return &minMaxBytesAcc{max: max, typ: result, cmp: vector.CompareNumericText}
	case vector.KindArray:
		return &minMaxBytesAcc{max: max, typ: result, cmp: func(a, b []byte) int { return vector.CompareArrayText(arg, a, b) }}
	}
	return &minMaxBytesAcc{max: max, typ: result, cmp: bytes.Compare}
}

// better reports whether a value comparing c against the current extreme
// replaces it.
func better(c int, max bool) bool { return c > 0 && max || c < 0 && !max }

// minMaxAcc keeps the least (or greatest) fixed-width value per group.
type minMaxAcc[T arrow.FixedWidthType] struct {
	max  bool
	typ  vector.Type
	cmp  func(a, b T) int
	vals []T
	seen []bool
}

func (m *minMaxAcc[T]) resize(n int) {
	m.vals = extend(m.vals, n)
	m.seen = extend(m.seen, n)
}

func (m *minMaxAcc[T]) update(args []arrow.Array, ids []int32) error {
	in := arrow.GetValues[T](args[0].Data(), 1)
	nulls := args[0].NullN() > 0
	for i, g := range ids {
		if g < 0 || nulls && args[0].IsNull(i) {
			continue
		}
		if !m.seen[g] || better(m.cmp(in[i], m.vals[g]), m.max) {
			m.vals[g], m.seen[g] = in[i], true
		}
	}
	return nil
}

func (m *minMaxAcc[T]) result(from, to int) (arrow.Array, error) {
	return fixedColumn(m.typ, m.vals[from:to], m.seen[from:to]), nil
}

// minMaxBytesAcc keeps a copy of the least (or greatest) text, bytea or
// numeric value per group; the buffer of a group is reused as it changes.
type minMaxBytesAcc struct {
	max  bool
	typ  vector.Type
	cmp  func(a, b []byte) int
	vals [][]byte
	seen []bool
}

func (m *minMaxBytesAcc) resize(n int) {
	m.vals = extend(m.vals, n)
	m.seen = extend(m.seen, n)
}

func (m *minMaxBytesAcc) update(args []arrow.Array, ids []int32) error {
	for i, g := range ids {
		if g < 0 || args[0].IsNull(i) {
			continue
		}
		v := rowBytesOf(args[0], i)
		if !m.seen[g] || better(m.cmp(v, m.vals[g]), m.max) {
			m.vals[g], m.seen[g] = append(m.vals[g][:0], v...), true
		}
	}
	return nil
}

func (m *minMaxBytesAcc) result(from, to int) (arrow.Array, error) {
	return bytesColumn(m.typ, m.vals[from:to], m.seen[from:to]), nil
}
