package nexmark

// The event stream: event e (from 0) is a person, an auction or a bid by
// its offset e % 50 in its epoch e / 50. Each kind is a table, whose row k
// is the k-th event of that kind: rows and events map onto each other by
// arithmetic, so a reader starts at any row without generating the rows
// before it.

// epochEvents is the number of events of an epoch: 1 person, 3 auctions,
// 46 bids.
const epochEvents = 50

// The first ids: person ids count from firstPersonID, auction ids from
// firstAuctionID, in the order of their events.
const (
	firstPersonID  = 1000
	firstAuctionID = 1000
)

// nexmarkKind is one kind of event, and the table of its events.
type nexmarkKind struct {
	name string
	// first and count place the kind in an epoch: it is the events at
	// offsets first .. first+count-1.
	first, count int64
	fields       []nexmarkField
	// extra is the layout of the kind's extra column, made on first use.
	extra func() *extraLayout
}

// event is the event number of row k of the kind's table.
func (k *nexmarkKind) event(row int64) int64 {
	return row/k.count*epochEvents + k.first + row%k.count
}

// rowsBefore is the number of rows of the kind's table among events
// 0 .. e-1.
func (k *nexmarkKind) rowsBefore(e int64) int64 {
	return e/epochEvents*k.count + min(max(e%epochEvents-k.first, 0), k.count)
}

// lastPersonID is the id of the newest person at event e (itself when e is
// a person): each epoch starts with a person.
func lastPersonID(e int64) int64 { return firstPersonID + e/epochEvents }

// auctionID is the id of auction event e.
func auctionID(e int64) int64 { return firstAuctionID + 3*(e/epochEvents) + e%epochEvents - 1 }

// lastAuctionID is the id of the newest auction at bid event e: the third
// auction of e's epoch.
func lastAuctionID(e int64) int64 { return firstAuctionID + 3*(e/epochEvents) + 2 }
