package datagen

// Counter-based randomness: a value is a pure function of (seed, column,
// stream, row), computed directly rather than drawn from a sequential
// generator, so row i is the same whether a read starts at row 0 or at row
// i, and whatever the batch boundaries.

// golden is 2^64 divided by the golden ratio, the increment of splitmix64.
const golden = 0x9e3779b97f4a7c15

// mix64 is the finalizer of splitmix64: a bijection of uint64 whose every
// output bit depends on every input bit.
func mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// counterRand is the random source of one column of one seed.
type counterRand struct{ key uint64 }

// newCounterRand returns the random source of column col for seed.
func newCounterRand(seed int64, col int) counterRand {
	return counterRand{key: mix64(mix64(uint64(seed)) + uint64(col+1)*golden)}
}

// Streams of a column: independent draws for the same row.
const (
	streamNull  = 0 // whether the value is NULL
	streamValue = 1 // the value
	streamText  = 2 // the characters of a string, four per stream from here
)

// stream returns the key of the draws of stream s; draw(stream(s), row)
// is the draw of stream s for row.
func (r counterRand) stream(s uint64) uint64 { return mix64(r.key ^ mix64(s*golden+1)) }

// draw is the 64 random bits of row in the stream whose key is key.
func draw(key uint64, row int64) uint64 { return mix64(key + uint64(row)*golden) }

// unitFloat maps 64 random bits to a float64 uniform in [0, 1).
func unitFloat(bits uint64) float64 { return float64(bits>>11) * 0x1p-53 }
