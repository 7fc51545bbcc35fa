package nexmark

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/operators"
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

// table is what a read emitted, a row being its values by column name.
type table struct {
	rows    []map[string]any           // in the order they came
	splits  map[int32][]map[string]any // each split's, in order
	batches []int                      // the number of rows of each chunk with rows
	ends    map[int32][]int64          // each split's position after each chunk with rows
	next    source.Position            // each split's last position
}

// Source is a source.Source.
var _ source.Source = (*Source)(nil)

// emitFunc is an Output calling itself on each chunk.
type emitFunc func(source.Chunk) error

func (f emitFunc) Emit(c source.Chunk) error { return f(c) }
func (emitFunc) Status(string)               {}

// readTable reads the table the options opts describe (as strings), with
// columns cols, from positions from. It checks what the source promises
// every consumer: Emit is never called concurrently; every split (as many
// as the partitions option says) is announced, before any rows, by an
// empty chunk at its start position; no chunk has more than
// operators.BatchSize rows; a split's position never decreases.
func readTable(t *testing.T, opts map[string]string, cols []format.Column, from source.Position) table {
	t.Helper()
	s, err := Open(opts, cols)
	if err != nil {
		t.Fatal(err)
	}
	out := table{splits: map[int32][]map[string]any{}, ends: map[int32][]int64{}, next: source.Position{}}
	var busy atomic.Bool
	rowsCame := false
	err = s.Read(context.Background(), from, emitFunc(func(c source.Chunk) error {
		if !busy.CompareAndSwap(false, true) {
			t.Error("Emit called concurrently")
		}
		defer busy.Store(false)
		if last, ok := out.next[c.Split]; !ok {
			if c.Rows != nil || c.Next != from[c.Split] || rowsCame {
				t.Errorf("split %d first emits %d rows up to %d after other rows: %v, want no rows at %d first",
					c.Split, batchLen(c.Rows), c.Next, rowsCame, from[c.Split])
			}
		} else if c.Next < last {
			t.Errorf("split %d goes back from %d to %d", c.Split, last, c.Next)
		}
		out.next[c.Split] = c.Next
		if c.Rows != nil {
			rowsCame = true
			if c.Rows.Len > operators.BatchSize {
				t.Errorf("chunk of %d rows", c.Rows.Len)
			}
			rows := batchRows(c.Rows, cols)
			out.batches = append(out.batches, c.Rows.Len)
			out.rows = append(out.rows, rows...)
			out.splits[c.Split] = append(out.splits[c.Split], rows...)
			out.ends[c.Split] = append(out.ends[c.Split], c.Next)
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	partitions := 1
	if v, ok := opts["partitions"]; ok {
		partitions, _ = strconv.Atoi(v)
	}
	if len(out.next) != partitions {
		t.Errorf("%d splits emitted, want %d", len(out.next), partitions)
	}
	return out
}

// batchLen is the number of rows of b, 0 when b is nil.
func batchLen(b *vector.Batch) int {
	if b == nil {
		return 0
	}
	return b.Len
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
