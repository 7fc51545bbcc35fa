package vector

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/zeebo/xxh3"
)

// Key hashing: one uint64 per row, computed a column at a time over a whole
// batch. Hashes are deterministic (the same in every process and run), so
// they may address persisted state and route rows between machines.
//
// Invariant: rows that EqualAt reports equal hash equal. In particular NULL
// hashes to a fixed value, numerics hash by value ("1.50" = "1.5"), as do
// the numbers inside jsonb values ('{"a": 1.0}' = '{"a": 1}'), -0 and
// 0 hash alike, every NaN hashes alike, and intervals hash by their total
// span ('1 month' = '30 days'). Integers of every width hash as their int64
// value, so int2/int4/int8 keys of equal value hash equal too.

const (
	hashSeed = 0x243f6a8885a308d3 // HashColumns' initial value of every row
	hashNull = 0x9e3779b97f4a7c15 // the value a NULL mixes in
)

// fmix64 is MurmurHash3's 64-bit finalizer: a bijection with full avalanche.
func fmix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// mix combines the running hash h of a row with the hash v of its next key
// value. For a fixed h it is a bijection of v.
func mix(h, v uint64) uint64 { return fmix64(h*0x100000001b3 ^ v) }

// HashColumns sets hashes[0:n] to the hash of each row's values in cols
// (of the given types): a fixed seed mixed with each column in turn.
func HashColumns(cols []arrow.Array, types []Type, n int, hashes []uint64) {
	hashes = hashes[:n]
	for i := range hashes {
		hashes[i] = hashSeed
	}
	for c, col := range cols {
		HashColumn(col, types[c], hashes)
	}
}

// HashColumn mixes the values of arr (of type t) into hashes, one per row
// (len(hashes) == arr.Len()).
func HashColumn(arr arrow.Array, t Type, hashes []uint64) {
	var prior []uint64 // the hashes of the NULL rows before this column
	if arr.NullN() > 0 {
		prior = make([]uint64, 0, arr.NullN())
		for i := range hashes {
			if arr.IsNull(i) {
				prior = append(prior, hashes[i])
			}
		}
	}
	switch t.Kind {
	case KindBool:
		a := arr.(*array.Boolean)
		for i := range hashes {
			var v uint64
			if a.Value(i) {
				v = 1
			}
			hashes[i] = mix(hashes[i], v)
		}
	case KindInt2:
		hashInts(hashes, arr.(*array.Int16).Int16Values())
	case KindInt4:
		hashInts(hashes, arr.(*array.Int32).Int32Values())
	case KindInt8, KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		hashInts(hashes, arr.(*array.Int64).Int64Values())
	case KindDate:
		hashInts(hashes, arr.(*array.Date32).Date32Values())
	case KindTime:
		hashInts(hashes, arr.(*array.Time64).Time64Values())
	case KindTimestamp, KindTimestampTZ:
		hashInts(hashes, arr.(*array.Timestamp).TimestampValues())
	case KindFloat4:
		for i, v := range arr.(*array.Float32).Float32Values() {
			hashes[i] = mix(hashes[i], floatBits(float64(v)))
		}
	case KindFloat8:
		for i, v := range arr.(*array.Float64).Float64Values() {
			hashes[i] = mix(hashes[i], floatBits(v))
		}
	case KindNumeric:
		offs, data := RawBytes(arr)
		for i := range hashes {
			hashes[i] = mix(hashes[i], numericHash(data[offs[i]:offs[i+1]]))
		}
	case KindInterval:
		for i, v := range arr.(*array.MonthDayNanoInterval).MonthDayNanoIntervalValues() {
			days, micros := intervalSpan(v)
			hashes[i] = mix(mix(hashes[i], uint64(days)), uint64(micros))
		}
	case KindJSONB:
		offs, data := RawBytes(arr)
		hashJSONColumn(offs, data, hashes)
	case KindArray, KindInt2Vector, KindOIDVector:
		hashArrayColumn(arr, t, hashes)
	case KindRecord:
		hashRecordColumn(arr, t, hashes)
	default: // text, varchar, name, "char", bytea, unknown: bytewise
		offs, data := RawBytes(arr)
		for i := range hashes {
			hashes[i] = mix(hashes[i], xxh3.Hash(data[offs[i]:offs[i+1]]))
		}
	}
	// The typed loops above mixed whatever bytes sit under NULL rows;
	// redo those rows from their prior hash.
	for i := 0; len(prior) > 0; i++ {
		if arr.IsNull(i) {
			hashes[i] = mix(prior[0], hashNull)
			prior = prior[1:]
		}
	}
}

// hashInts mixes integer values (of any width) as int64.
func hashInts[T ~int16 | ~int32 | ~int64](hashes []uint64, vals []T) {
	for i, v := range vals[:len(hashes)] {
		hashes[i] = mix(hashes[i], uint64(int64(v)))
	}
}

// floatBits is the hashed image of a float: -0 as 0, every NaN alike.
func floatBits(v float64) uint64 {
	switch {
	case v == 0:
		return 0
	case v != v:
		return 0x7ff8000000000001
	}
	return math.Float64bits(v)
}

// numericHash hashes the Postgres text of a numeric by value (see numericKey).
func numericHash(s []byte) uint64 {
	class, neg, ip, fp := numericKey(s)
	h := uint64(class)
	if neg {
		h |= 4
	}
	return mix(mix(h, xxh3.Hash(ip)), xxh3.Hash(fp))
}
