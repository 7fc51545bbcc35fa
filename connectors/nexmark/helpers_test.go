package nexmark

import (
	"context"
	"testing"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// The full column lists of the three tables, as the spec declares them.
var (
	personColumns = []format.Column{{Name: "id", Type: vector.Int8}, {Name: "name", Type: vector.Varchar},
		{Name: "email_address", Type: vector.Varchar}, {Name: "credit_card", Type: vector.Varchar},
		{Name: "city", Type: vector.Varchar}, {Name: "state", Type: vector.Varchar},
		{Name: "date_time", Type: vector.Timestamp}, {Name: "extra", Type: vector.Varchar}}
	auctionColumns = []format.Column{{Name: "id", Type: vector.Int8}, {Name: "item_name", Type: vector.Varchar},
		{Name: "description", Type: vector.Varchar}, {Name: "initial_bid", Type: vector.Int8},
		{Name: "reserve", Type: vector.Int8}, {Name: "date_time", Type: vector.Timestamp},
		{Name: "expires", Type: vector.Timestamp}, {Name: "seller", Type: vector.Int8},
		{Name: "category", Type: vector.Int8}, {Name: "extra", Type: vector.Varchar}}
	bidColumns = []format.Column{{Name: "auction", Type: vector.Int8}, {Name: "bidder", Type: vector.Int8},
		{Name: "price", Type: vector.Int8}, {Name: "channel", Type: vector.Varchar},
		{Name: "url", Type: vector.Varchar}, {Name: "date_time", Type: vector.Timestamp},
		{Name: "extra", Type: vector.Text}}
)

// table is the rows a read returned, a row being its values by column name.
type table struct {
	rows    []map[string]any
	batches []int // the number of rows of each batch
}

// readTable reads the table the options opts describe (as strings), with
// columns cols, after the first skip rows.
func readTable(t *testing.T, opts map[string]string, cols []format.Column, skip int64) table {
	t.Helper()
	s, err := Open(opts, cols)
	if err != nil {
		t.Fatal(err)
	}
	var out table
	err = s.Read(context.Background(), skip, func(b *vector.Batch) error {
		out.batches = append(out.batches, b.Len)
		out.rows = append(out.rows, batchRows(b, cols)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// batchRows is the rows of b, of columns cols.
func batchRows(b *vector.Batch, cols []format.Column) []map[string]any {
	rows := make([]map[string]any, b.Len)
	for i := range rows {
		rows[i] = map[string]any{}
		for c, col := range cols {
			rows[i][col.Name] = vector.ValueAt(b.Cols[c], col.Type, i)
		}
	}
	return rows
}

// streamEvent is an event of the stream as the spec numbers it.
type streamEvent struct {
	e int64
	// lastPerson and lastAuction are the ids of the newest person and
	// auction at the event (itself included), counted from 1000.
	lastPerson, lastAuction int64
}

// specEvents classifies events 0 .. n-1 by the spec's rule (e % 50: 0 a
// person, 1..3 an auction, else a bid), counting the persons and auctions
// so far to number them.
func specEvents(n int64) (persons, auctions, bids []streamEvent) {
	var np, na int64
	for e := range n {
		switch off := e % 50; {
		case off == 0:
			np++
			persons = append(persons, streamEvent{e, 999 + np, 999 + na})
		case off <= 3:
			na++
			auctions = append(auctions, streamEvent{e, 999 + np, 999 + na})
		default:
			bids = append(bids, streamEvent{e, 999 + np, 999 + na})
		}
	}
	return persons, auctions, bids
}
