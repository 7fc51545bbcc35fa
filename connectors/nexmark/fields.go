package nexmark

import (
	"sync"

	"github.com/runneldb/runnel/vector"
)

// The three tables and their columns, each generated a batch at a time.
// A column's values depend on its own draw stream only (see rand.go), so a
// table read with fewer columns has the same values in those it has.

// rowBlock is the rows of a batch: rows rows of kind's table (in
// increasing order), whose event numbers are events.
type rowBlock struct {
	kind         *nexmarkKind
	rows, events []int64
}

// nexmarkField is a column of a kind's table.
type nexmarkField struct {
	name string
	// typ is vector.Int8, vector.Varchar or vector.Timestamp.
	typ vector.Type
	// width is about the mean length of a text value in bytes: a hint to
	// size buffers.
	width int
	// ints sets dst[i] to the value of the row of b.events[i] (bigint and
	// timestamp columns); text appends the rows of b to dst (text columns).
	ints func(g *generator, b *rowBlock, dst []int64)
	text func(g *generator, b *rowBlock, dst *textColumn)
}

// intField is a bigint or timestamp column whose value for event e is
// value(g, e).
func intField(name string, typ vector.Type, value func(g *generator, e int64) int64) nexmarkField {
	return nexmarkField{name: name, typ: typ, ints: func(g *generator, b *rowBlock, dst []int64) {
		for i, e := range b.events {
			dst[i] = value(g, e)
		}
	}}
}

// textField is a text column of about width bytes whose value for event e
// is what appendValue(g, e, dst) appends to dst.
func textField(name string, width int, appendValue func(g *generator, e int64, dst []byte) []byte) nexmarkField {
	return nexmarkField{name: name, typ: vector.Varchar, width: width, text: func(g *generator, b *rowBlock, dst *textColumn) {
		for _, e := range b.events {
			dst.data = appendValue(g, e, dst.data)
			dst.end()
		}
	}}
}

// pickField is a text column whose value for event e is
// choices()[choose(g, e)].
func pickField(name string, width int, choices func() []string, choose func(g *generator, e int64) int64) nexmarkField {
	return nexmarkField{name: name, typ: vector.Varchar, width: width, text: func(g *generator, b *rowBlock, dst *textColumn) {
		vals := choices()
		for _, e := range b.events {
			dst.add(vals[choose(g, e)])
		}
	}}
}

// fixed returns a function returning vals.
func fixed(vals []string) func() []string { return func() []string { return vals } }

// Common columns of the three tables.
var (
	dateTimeField = intField("date_time", vector.Timestamp, (*generator).eventTime)
	extraField    = nexmarkField{name: "extra", typ: vector.Varchar, text: func(g *generator, b *rowBlock, dst *textColumn) {
		b.kind.extra().fill(b, g.key%extraPeriod, dst)
	}}
)

// The draw streams of the columns of a person.
const (
	personNameDraw = iota
	personEmailDraw
	personCardDraw
	personCityDraw
	personStateDraw
)

var personKind = &nexmarkKind{name: "person", first: 0, count: 1,
	extra: sync.OnceValue(func() *extraLayout { return newExtraLayout(200) }),
	fields: []nexmarkField{
		intField("id", vector.Int8, func(_ *generator, e int64) int64 { return lastPersonID(e) }),
		pickField("name", 12, fixed(personNames), func(g *generator, e int64) int64 {
			return below(draw(g.key, e, personNameDraw), int64(len(personNames)))
		}),
		textField("email_address", 16, func(g *generator, e int64, dst []byte) []byte {
			r := stream(g.key, e, personEmailDraw)
			dst = append(appendLetters(dst, &r, 7), '@')
			return append(appendLetters(dst, &r, 5), ".com"...)
		}),
		textField("credit_card", 19, func(g *generator, e int64, dst []byte) []byte {
			r := stream(g.key, e, personCardDraw)
			for i := range 4 {
				if i > 0 {
					dst = append(dst, ' ')
				}
				dst = appendDecimal(dst, &r, 4)
			}
			return dst
		}),
		pickField("city", 8, fixed(usCities), func(g *generator, e int64) int64 {
			return below(draw(g.key, e, personCityDraw), int64(len(usCities)))
		}),
		pickField("state", 2, fixed(usStates), func(g *generator, e int64) int64 {
			return below(draw(g.key, e, personStateDraw), int64(len(usStates)))
		}),
		dateTimeField,
		extraField,
	}}

// The draw streams of the columns of an auction.
const (
	auctionItemDraw = iota
	auctionDescriptionDraw
	auctionInitialBidDraw
	auctionReserveDraw
	auctionExpiresDraw
	auctionSellerDraw
	auctionCategoryDraw
)

// Auction categories are firstCategory .. firstCategory+categories-1.
const (
	firstCategory = 10
	categories    = 5
)

// auctionInitialBid is the initial bid of auction event e.
func auctionInitialBid(g *generator, e int64) int64 {
	return price(draw(g.key, e, auctionInitialBidDraw))
}

// appendWords appends a random string of letters of length lo .. hi-1
// drawn from field's stream of event e.
func appendWords(g *generator, e int64, field int, lo, hi int64, dst []byte) []byte {
	r := stream(g.key, e, field)
	return appendLetters(dst, &r, int(lo+below(r.next(), hi-lo)))
}

var auctionKind = &nexmarkKind{name: "auction", first: 1, count: 3,
	extra: sync.OnceValue(func() *extraLayout { return newExtraLayout(500) }),
	fields: []nexmarkField{
		intField("id", vector.Int8, func(_ *generator, e int64) int64 { return auctionID(e) }),
		textField("item_name", 12, func(g *generator, e int64, dst []byte) []byte {
			return appendWords(g, e, auctionItemDraw, 3, 21, dst)
		}),
		textField("description", 52, func(g *generator, e int64, dst []byte) []byte {
			return appendWords(g, e, auctionDescriptionDraw, 3, 101, dst)
		}),
		intField("initial_bid", vector.Int8, auctionInitialBid),
		intField("reserve", vector.Int8, func(g *generator, e int64) int64 {
			return auctionInitialBid(g, e) + price(draw(g.key, e, auctionReserveDraw))
		}),
		dateTimeField,
		intField("expires", vector.Timestamp, func(g *generator, e int64) int64 {
			return g.eventTime(e) + 1000 + below(draw(g.key, e, auctionExpiresDraw), 2*g.horizon)
		}),
		intField("seller", vector.Int8, func(g *generator, e int64) int64 {
			// The hot seller with probability 3/4.
			last := lastPersonID(e)
			if x := draw(g.key, e, auctionSellerDraw); x>>62 == 0 {
				return recentID(x<<2, firstPersonID, last, recentPersons)
			}
			return last / 100 * 100
		}),
		intField("category", vector.Int8, func(g *generator, e int64) int64 {
			return firstCategory + below(draw(g.key, e, auctionCategoryDraw), categories)
		}),
		extraField,
	}}

// The draw streams of the columns of a bid.
const (
	bidAuctionDraw = iota
	bidBidderDraw
	bidPriceDraw
	bidChannelDraw
)

// A bid not on the hot auction is on one of the recentAuctions newest
// auctions; one not by the hot bidder by one of the recentPersons newest
// persons (so is an auction's seller other than the hot one).
const (
	recentAuctions = 100
	recentPersons  = 1000
)

// bidChannel is the channel of bid event e: a hot channel with probability
// 1/2, else one of the others.
func bidChannel(g *generator, e int64) int64 {
	x := draw(g.key, e, bidChannelDraw)
	if x>>63 == 0 {
		return below(x<<1, otherChannels)
	}
	return otherChannels + int64(x&3)
}

var bidKind = &nexmarkKind{name: "bid", first: 4, count: 46,
	extra: sync.OnceValue(func() *extraLayout { return newExtraLayout(100) }),
	fields: []nexmarkField{
		intField("auction", vector.Int8, func(g *generator, e int64) int64 {
			// The hot auction with probability 1/2.
			last := lastAuctionID(e)
			if x := draw(g.key, e, bidAuctionDraw); x>>63 == 0 {
				return recentID(x<<1, firstAuctionID, last, recentAuctions)
			}
			return last / 100 * 100
		}),
		intField("bidder", vector.Int8, func(g *generator, e int64) int64 {
			// The hot bidder with probability 3/4.
			last := lastPersonID(e)
			if x := draw(g.key, e, bidBidderDraw); x>>62 == 0 {
				return recentID(x<<2, firstPersonID, last, recentPersons)
			}
			return last/100*100 + 1
		}),
		intField("price", vector.Int8, func(g *generator, e int64) int64 { return price(draw(g.key, e, bidPriceDraw)) }),
		pickField("channel", 10, func() []string { return channels().names }, bidChannel),
		pickField("url", 74, func() []string { return channels().urls }, bidChannel),
		dateTimeField,
		extraField,
	}}

// nexmarkKinds are the kinds, in the order of their events in an epoch.
var nexmarkKinds = []*nexmarkKind{personKind, auctionKind, bidKind}
