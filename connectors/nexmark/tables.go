package nexmark

import (
	"strconv"
	"sync"

	"github.com/runneldb/runnel/operators"
)

// The fixed vocabularies events draw from. They do not depend on the seed
// (the seed decides which entry each event takes), so they are built once
// per process.

var (
	firstNames = []string{"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"}
	lastNames  = []string{"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"}
	usStates   = []string{"AZ", "CA", "ID", "OR", "WA", "WY"}
	usCities   = []string{"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"}
	// hotChannels are the channels half of the bids come through.
	hotChannels = []string{"Google", "Facebook", "Baidu", "Apple"}
)

// otherChannels is the number of channels "channel-N" besides the hot ones.
const otherChannels = 10_000

// The origins of the draws that build the fixed tables: the channels'
// (a stream per channel) and the padding's (one long SplitMix64 sequence).
const (
	channelsKey = 0x6e65786d61726b // "nexmark"
	paddingKey  = 0x70616464696e67 // "padding"
)

// channelTable lists the channels: 0 .. otherChannels-1 are "channel-N",
// then come the hot channels. Channel c's url is
// https://www.nexmark.com/<5 letters>/<5 letters>/<5 letters>/item.htm?query=1&channel_id=c.
type channelTable struct {
	names, urls []string
}

// channels is built on first use.
var channels = sync.OnceValue(func() *channelTable {
	n := otherChannels + len(hotChannels)
	t := &channelTable{names: make([]string, n), urls: make([]string, n)}
	for c := range n {
		if c < otherChannels {
			t.names[c] = "channel-" + strconv.Itoa(c)
		} else {
			t.names[c] = hotChannels[c-otherChannels]
		}
		r := stream(channelsKey, int64(c), 0)
		u := []byte("https://www.nexmark.com/")
		for range 3 {
			u = appendLetters(u, &r, 5)
			u = append(u, '/')
		}
		u = append(u, "item.htm?query=1&channel_id="...)
		t.urls[c] = string(strconv.AppendInt(u, int64(c), 10))
	}
	return t
})

// personNames lists every first name + " " + last name.
var personNames = func() []string {
	var out []string
	for _, f := range firstNames {
		for _, l := range lastNames {
			out = append(out, f+" "+l)
		}
	}
	return out
}()

// paddingPeriod is the number of distinct bytes of padding.
const paddingPeriod = 1 << 20

// maxExtraSize is more than the longest extra of any kind (1.2 · 500).
const maxExtraSize = 600

// padding holds the bytes of every extra column: random lowercase letters
// repeating with period paddingPeriod, long enough that a batch's extras,
// laid end to end from any offset below paddingPeriod, fit. A batch's
// extra column uses a window of it as its data buffer, without copying.
var padding = sync.OnceValue(func() []byte {
	buf := make([]byte, 0, paddingPeriod+operators.BatchSize*maxExtraSize)
	r := drawStream{s: paddingKey}
	for len(buf) < paddingPeriod {
		buf = appendLetters(buf, &r, min(13, paddingPeriod-len(buf)))
	}
	for len(buf) < cap(buf) {
		buf = append(buf, buf[:min(paddingPeriod, cap(buf)-len(buf))]...)
	}
	return buf
})
