package storage

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// keyPart appends the canonical encoding of row i of a column to dst. Two
// values have the same encoding exactly when Postgres' equality operator of
// the type calls them equal: -0 = 0 and NaN = NaN for floats, 1.0 = 1.00 for
// numeric, '1 mon' = '30 days' for interval. NULL (which a primary key never
// holds) encodes as a lone 0 byte, non-NULL values start with 1.
type keyPart func(dst []byte, a arrow.Array, i int) []byte

// keyEncoder encodes the primary key of a row of a table.
type keyEncoder struct {
	cols  []int
	parts []keyPart
}

var keySeed = maphash.MakeSeed()

func newKeyEncoder(types []vector.Type, pk []int) keyEncoder {
	e := keyEncoder{cols: pk}
	for _, c := range pk {
		e.parts = append(e.parts, keyPartOf(types[c]))
	}
	return e
}

// appendKey appends the key of row i of cols (all the table's columns).
func (e keyEncoder) appendKey(dst []byte, cols []arrow.Array, i int) []byte {
	for j, c := range e.cols {
		a := cols[c]
		if a.IsNull(i) {
			dst = append(dst, 0)
			continue
		}
		dst = e.parts[j](append(dst, 1), a, i)
	}
	return dst
}

func hashKey(key []byte) uint64 { return maphash.Bytes(keySeed, key) }

func appendU64(dst []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(dst, v) }

func appendBytes(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}

func appendFloat(dst []byte, f float64) []byte {
	switch {
	case f == 0:
		f = 0 // -0 = 0
	case math.IsNaN(f):
		f = math.NaN()
	}
	return appendU64(dst, math.Float64bits(f))
}

func keyPartOf(t vector.Type) keyPart {
	switch t.Kind {
	case vector.KindBool:
		return func(dst []byte, a arrow.Array, i int) []byte {
			if a.(*array.Boolean).Value(i) {
				return append(dst, 1)
			}
			return append(dst, 0)
		}
	case vector.KindFloat4:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return appendFloat(dst, float64(a.(*array.Float32).Value(i)))
		}
	case vector.KindFloat8:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return appendFloat(dst, a.(*array.Float64).Value(i))
		}
	case vector.KindNumeric:
		return func(dst []byte, a arrow.Array, i int) []byte {
			return append(binary.AppendUvarint(dst, 0), canonicalNumeric(a.(*array.String).Value(i))...)
		}
	case vector.KindInterval:
		return func(dst []byte, a arrow.Array, i int) []byte {
			v := a.(*array.MonthDayNanoInterval).Value(i)
			// Postgres compares intervals as spans: a month is 30 days, a day 24 hours.
			const dayNanos = 86400e9
			days := int64(v.Months)*30 + int64(v.Days) + v.Nanoseconds/dayNanos
			rest := v.Nanoseconds % dayNanos
			if rest < 0 {
				days, rest = days-1, rest+dayNanos
			}
			return appendU64(appendU64(dst, uint64(days)), uint64(rest))
		}
	}
	if id := t.ArrowType().ID(); id == arrow.STRING || id == arrow.BINARY {
		return func(dst []byte, a arrow.Array, i int) []byte {
			return appendBytes(dst, vector.ValueBytes(a, i))
		}
	}
	// fixed-width integers, dates, times, timestamps
	return func(dst []byte, a arrow.Array, i int) []byte {
		return append(dst, vector.ValueBytes(a, i)...)
	}
}

// canonicalNumeric strips the display scale from the text of a numeric:
// "1.500" → "1.5", "2.0" → "2", "-0.00" → "0".
func canonicalNumeric(s string) string {
	if strings.IndexByte(s, '.') >= 0 && !strings.ContainsAny(s, "eE") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
