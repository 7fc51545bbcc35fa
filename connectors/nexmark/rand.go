package nexmark

import (
	"math"
	"math/bits"
)

// Randomness is counter-based: the values drawn for a field of an event
// are SplitMix64 outputs at positions that depend only on the seed, the
// event number and the field. So an event is the same whichever rows,
// columns and batch boundaries a read asks for, and no state carries from
// one event to the next.

// splitmixGamma is SplitMix64's increment (2^64 / φ, odd).
const splitmixGamma = 0x9e3779b97f4a7c15

// mix64 is SplitMix64's output function: a bijection of uint64 that mixes
// every input bit into every output bit.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Draw streams: each event has 16 fields' worth of streams (field < 16)
// of 256 draws each.
const (
	drawFieldBits = 4
	drawStepBits  = 8
)

// drawStream is the random stream of one field of one event.
type drawStream struct{ s uint64 }

// stream is the stream of field of event e under the generator's seed key.
func stream(key uint64, e int64, field int) drawStream {
	pos := (uint64(e)<<drawFieldBits | uint64(field)) << drawStepBits
	return drawStream{s: key + pos*splitmixGamma}
}

// next is the stream's next 64 random bits.
func (r *drawStream) next() uint64 {
	r.s += splitmixGamma
	return mix64(r.s)
}

// draw is the first value of field's stream of event e: what a field that
// needs one value uses.
func draw(key uint64, e int64, field int) uint64 {
	r := stream(key, e, field)
	return r.next()
}

// below maps 64 random bits x uniformly onto [0, n) (n > 0), by the high
// word of x·n.
func below(x uint64, n int64) int64 {
	hi, _ := bits.Mul64(x, uint64(n))
	return int64(hi)
}

// recentID is an id uniform among the n newest of the ids first .. last
// (all of them when there are fewer than n), from the random bits x.
func recentID(x uint64, first, last, n int64) int64 {
	lo := max(first, last-n+1)
	return lo + below(x, last-lo+1)
}

// priceExponent is ln(10^6): a price is 100·e^(u·priceExponent).
var priceExponent = 6 * math.Ln10

// price is round(10^(6u) · 100) for u uniform in [0, 1) taken from the 53
// high bits of x: from 100 to 10^8, log-uniformly.
func price(x uint64) int64 {
	u := float64(x>>11) * (1.0 / (1 << 53))
	return int64(math.Round(math.Exp(u*priceExponent) * 100))
}

// appendLetters appends n random lowercase letters drawn from r: each draw
// of 64 bits yields 13 letters (26^13 < 2^64), as the base-26 digits of
// the fraction x/2^64.
func appendLetters(dst []byte, r *drawStream, n int) []byte {
	return appendDigits(dst, r, n, 'a', 26, 13)
}

// appendDecimal appends n random decimal digits drawn from r, 19 per draw.
func appendDecimal(dst []byte, r *drawStream, n int) []byte {
	return appendDigits(dst, r, n, '0', 10, 19)
}

// appendDigits appends n symbols zero .. zero+base-1, perDraw of them from
// each 64 bits of r.
func appendDigits(dst []byte, r *drawStream, n int, zero byte, base uint64, perDraw int) []byte {
	var x uint64
	for i := range n {
		if i%perDraw == 0 {
			x = r.next()
		}
		var d uint64
		d, x = bits.Mul64(x, base)
		dst = append(dst, zero+byte(d))
	}
	return dst
}
