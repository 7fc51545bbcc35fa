package nexmark

import "math/bits"

// microsPerSecond is the number of event-time units (µs) in a second.
const microsPerSecond = 1_000_000

// defaultEventRate is the rate of event time, in events per second, when
// no rate is asked for: Nexmark's default first-event rate.
const defaultEventRate = 10_000

// auctionHorizonEvents is about the number of events during which 100
// auctions open (100 · 50/3): an auction lasts up to twice their time span.
const auctionHorizonEvents = 1666

// generator holds what every event depends on besides its number: the
// seed and the clock of event time. It is immutable, so reads share it.
type generator struct {
	// key is the mixed seed: the origin of every draw stream.
	key uint64
	// base is the event time of event 0, in µs since 1970-01-01.
	base int64
	// rate is the number of events per second of event time (> 0).
	rate int64
	// delay is the event-time gap between events in µs when rate divides
	// a second evenly, else 0 (and times are computed by division).
	delay int64
	// horizon is the event-time span of auctionHorizonEvents events.
	horizon int64
}

// newGenerator makes the generator of seed, with event 0 at base and rate
// events per second of event time.
func newGenerator(seed int64, base, rate int64) *generator {
	g := &generator{key: mix64(uint64(seed)), base: base, rate: rate}
	if microsPerSecond%rate == 0 {
		g.delay = microsPerSecond / rate
	}
	g.horizon = g.sinceBase(auctionHorizonEvents)
	return g
}

// sinceBase is the event time of event e relative to event 0:
// floor(e · 1 s / rate), exactly. With a rate, reads are paced by event
// time, so it stays far below the 2^64 µs at which the division would
// overflow.
func (g *generator) sinceBase(e int64) int64 {
	if g.delay != 0 {
		return e * g.delay
	}
	hi, lo := bits.Mul64(uint64(e), microsPerSecond)
	q, _ := bits.Div64(hi, lo, uint64(g.rate))
	return int64(q)
}

// eventTime is the date_time of event e.
func (g *generator) eventTime(e int64) int64 { return g.base + g.sinceBase(e) }
