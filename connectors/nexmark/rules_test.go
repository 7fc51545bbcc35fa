package nexmark

import (
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/runneldb/runnel/vector"
)

// The tests of this file check the generated tables against the rules of
// the Nexmark spec, event by event, with the event numbering recomputed by
// specEvents. Random choices are checked against their allowed ranges, and
// their shares against the spec's probabilities with bounds wide enough
// for the fixed seed (several standard deviations).

// ruleEvents is the length of the stream the rule tests read: 1000 epochs
// and a partial one.
const ruleEvents = 50_007

// defaultBase is the default base_time in µs.
var defaultBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// share is the fraction of n that k is.
func share(k, n int) float64 { return float64(k) / float64(n) }

// checkShare fails unless got is within [lo, hi].
func checkShare(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s: share %.4f, want within [%.3f, %.3f]", what, got, lo, hi)
	}
}

// checkExtra checks the lengths of the extras of rows: within size ± 20%,
// and their mean within 2% of size.
func checkExtra(t *testing.T, rows []map[string]any, size int) {
	t.Helper()
	total := 0
	for i, r := range rows {
		n := len(r["extra"].(string))
		if n < size*4/5 || n >= size*6/5 {
			t.Fatalf("row %d: extra of %d bytes, want about %d", i, n, size)
		}
		total += n
	}
	if mean := float64(total) / float64(len(rows)); mean < float64(size)*0.98 || mean > float64(size)*1.02 {
		t.Errorf("mean extra length %.1f, want about %d", mean, size)
	}
}

// recent reports whether id is among the n newest of the ids 1000 .. last.
func recent(id, last, n int64) bool { return id >= max(1000, last-n+1) && id <= last }

// TestRatios: over N events the three tables hold the persons, auctions
// and bids of the 1:3:46 rule, for N at and between epoch boundaries.
func TestRatios(t *testing.T) {
	for _, n := range []int64{0, 1, 2, 4, 5, 50, 53, 99, 10_000} {
		persons, auctions, bids := specEvents(n)
		opts := func(table string) map[string]string {
			return map[string]string{"table": table, "events": strconv.FormatInt(n, 10)}
		}
		for _, c := range []struct {
			table string
			want  int
		}{{"person", len(persons)}, {"auction", len(auctions)}, {"bid", len(bids)}} {
			if got := len(readTable(t, opts(c.table), nil, nil).rows); got != c.want {
				t.Errorf("events %d: %d %ss, want %d", n, got, c.table, c.want)
			}
		}
	}
}

// TestPersons: ids count from 1000 in event order, names, emails, credit
// cards, cities and states take the spec's forms, date_time is
// base + e · 100 µs (no rate: 10,000 events per second of event time).
func TestPersons(t *testing.T) {
	persons, _, _ := specEvents(ruleEvents)
	rows := readTable(t, map[string]string{"table": "person", "events": strconv.Itoa(ruleEvents)}, personColumns, nil).rows
	if len(rows) != len(persons) {
		t.Fatalf("%d persons, want %d", len(rows), len(persons))
	}
	email := regexp.MustCompile(`^[a-z]{7}@[a-z]{5}\.com$`)
	card := regexp.MustCompile(`^[0-9]{4} [0-9]{4} [0-9]{4} [0-9]{4}$`)
	var names []string
	for _, f := range firstNames {
		for _, l := range lastNames {
			names = append(names, f+" "+l)
		}
	}
	cities := map[string]int{}
	for i, r := range rows {
		p := persons[i]
		if r["id"] != p.lastPerson {
			t.Fatalf("person %d: id %v, want %d", i, r["id"], p.lastPerson)
		}
		if want := vector.TimestampValue(defaultBase + p.e*100); r["date_time"] != want {
			t.Fatalf("person %d: date_time %v, want %v", i, r["date_time"], want)
		}
		if !slices.Contains(names, r["name"].(string)) || !email.MatchString(r["email_address"].(string)) ||
			!card.MatchString(r["credit_card"].(string)) || !slices.Contains(usCities, r["city"].(string)) ||
			!slices.Contains(usStates, r["state"].(string)) {
			t.Fatalf("person %d: %v", i, r)
		}
		cities[r["city"].(string)]++
	}
	if len(cities) != len(usCities) {
		t.Errorf("cities drawn: %v, want all of %v", cities, usCities)
	}
	checkExtra(t, rows, 200)
}

// TestAuctions: ids count from 1000 in event order; category in [10, 15);
// prices in [100, 10^8]; expires in date_time + 1 ms + [0, 2H) with H the
// span of 1666 events; sellers hot with share 3/4 or recent.
func TestAuctions(t *testing.T) {
	_, auctions, _ := specEvents(ruleEvents)
	// rate 500000: 2 µs per event, H = 3332 µs.
	const delay, horizon = 2, 1666 * 2
	opts := map[string]string{"table": "auction", "events": strconv.Itoa(ruleEvents), "rate": "500000", "seed": "7"}
	rows := readTable(t, opts, auctionColumns, nil).rows
	if len(rows) != len(auctions) {
		t.Fatalf("%d auctions, want %d", len(rows), len(auctions))
	}
	hot := 0
	for i, r := range rows {
		a := auctions[i]
		dt := defaultBase + a.e*delay
		if r["id"] != a.lastAuction || r["date_time"] != vector.TimestampValue(dt) {
			t.Fatalf("auction %d (event %d): id %v date_time %v, want %d and %d", i, a.e, r["id"], r["date_time"], a.lastAuction, dt)
		}
		if c := r["category"].(int64); c < 10 || c >= 15 {
			t.Fatalf("auction %d: category %d", i, c)
		}
		initial, reserve := r["initial_bid"].(int64), r["reserve"].(int64)
		if initial < 100 || initial > 1e8 || reserve-initial < 100 || reserve-initial > 1e8 {
			t.Fatalf("auction %d: initial_bid %d, reserve %d", i, initial, reserve)
		}
		if d := int64(r["expires"].(vector.TimestampValue)) - dt; d < 1000 || d >= 1000+2*horizon {
			t.Fatalf("auction %d: expires %d µs after date_time", i, d)
		}
		switch seller := r["seller"].(int64); {
		case seller == a.lastPerson/100*100:
			hot++
		case !recent(seller, a.lastPerson, 1000):
			t.Fatalf("auction %d: seller %d, newest person %d", i, seller, a.lastPerson)
		}
	}
	checkShare(t, "hot sellers", share(hot, len(rows)), 0.74, 0.77)
	checkExtra(t, rows, 500)
}

// TestBids: auctions hot (share 1/2) or among the 100 newest; bidders hot
// (share 3/4) or among the 1000 newest persons; prices log-uniform in
// [100, 10^8]; channels hot (share 1/2) or channel-N with N < 10000, with
// their url; date_time = base + e/rate seconds.
func TestBids(t *testing.T) {
	_, _, bids := specEvents(ruleEvents)
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC).UnixMicro()
	opts := map[string]string{"table": "bid", "events": strconv.Itoa(ruleEvents), "rate": "3000000", "base_time": "2025-06-01 12:00:00"}
	rows := readTable(t, opts, bidColumns, nil).rows
	if len(rows) != len(bids) {
		t.Fatalf("%d bids, want %d", len(rows), len(bids))
	}
	url := regexp.MustCompile(`^https://www\.nexmark\.com/[a-z]{5}/[a-z]{5}/[a-z]{5}/item\.htm\?query=1&channel_id=([0-9]+)$`)
	var hotAuctions, hotBidders, hotChannel, cheap int
	for i, r := range rows {
		b := bids[i]
		// 3,000,000 events per second: e/3 µs.
		if want := vector.TimestampValue(base + b.e/3); r["date_time"] != want {
			t.Fatalf("bid %d (event %d): date_time %v, want %v", i, b.e, r["date_time"], want)
		}
		switch a := r["auction"].(int64); {
		case a == b.lastAuction/100*100:
			hotAuctions++
		case !recent(a, b.lastAuction, 100):
			t.Fatalf("bid %d: auction %d, newest auction %d", i, a, b.lastAuction)
		}
		switch p := r["bidder"].(int64); {
		case p == b.lastPerson/100*100+1:
			hotBidders++
		case !recent(p, b.lastPerson, 1000):
			t.Fatalf("bid %d: bidder %d, newest person %d", i, p, b.lastPerson)
		}
		p := r["price"].(int64)
		if p < 100 || p > 1e8 {
			t.Fatalf("bid %d: price %d", i, p)
		}
		if p < 100_000 { // 10^(6u) · 100 < 10^5 when u < 1/2
			cheap++
		}
		m := url.FindStringSubmatch(r["url"].(string))
		if m == nil {
			t.Fatalf("bid %d: url %q", i, r["url"])
		}
		id, _ := strconv.Atoi(m[1])
		channel := r["channel"].(string)
		switch {
		case slices.Contains(hotChannels, channel):
			hotChannel++
			if id != 10_000+slices.Index(hotChannels, channel) {
				t.Fatalf("bid %d: channel %s has url %s", i, channel, r["url"])
			}
		case id >= 10_000 || channel != "channel-"+m[1]:
			t.Fatalf("bid %d: channel %s has url %s", i, channel, r["url"])
		}
	}
	// A recent auction is the hot one with probability 1/100, a recent
	// bidder with probability 1/1000: the shares are a little above 1/2
	// and 3/4.
	checkShare(t, "hot auctions", share(hotAuctions, len(rows)), 0.49, 0.52)
	checkShare(t, "hot bidders", share(hotBidders, len(rows)), 0.74, 0.76)
	checkShare(t, "hot channels", share(hotChannel, len(rows)), 0.49, 0.51)
	checkShare(t, "prices below 10^5", share(cheap, len(rows)), 0.49, 0.51)
	checkExtra(t, rows, 100)
}
