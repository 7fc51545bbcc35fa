// Package nexmark generates the event stream of the Nexmark benchmark — an
// online auction where people register, open auctions and bid — as a
// source connector:
//
//	CREATE TABLE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
//	    url VARCHAR, date_time TIMESTAMP, extra VARCHAR)
//	WITH (connector = 'nexmark', type = 'source', "table" = 'bid', event_time_field = 'date_time')
//
// Options:
//
//	table      person, auction or bid (required): which events the table holds
//	events     the number of events of the whole stream, of all kinds; without
//	           it the stream never ends
//	rate       events per second of the whole stream, an integer: event e is
//	           emitted (e - e0)/rate seconds after a read starting at event
//	           e0 begins, and its event time is base_time + e/rate seconds;
//	           without it events come as fast as they are read, and event time
//	           advances at 10,000 events per second
//	seed       an integer (default 0): a different seed, a different stream
//	base_time  the event time of event 0 (default '2024-01-01 00:00:00')
//
// The three tables are three views of one stream: event e is a person when
// e % 50 = 0, an auction when it is 1, 2 or 3, and a bid otherwise, so a
// bid table of N events holds the bids among events 0 .. N-1. The declared
// columns are any of the kind's, by name, in any order:
//
//	person   id, name, email_address, credit_card, city, state, date_time, extra
//	auction  id, item_name, description, initial_bid, reserve, date_time,
//	         expires, seller, category, extra
//	bid      auction, bidder, price, channel, url, date_time, extra
//
// ids, prices and categories are bigint, times timestamp, the others text
// or varchar. The values follow Nexmark's rules (ids by formula, hot
// auctions, bidders and sellers, log-uniform prices; see fields.go) and
// are a function of the seed, base_time, rate and the event number alone:
// every read of a table gives the same rows, which is what lets a reader
// resume after the rows it has checkpointed.
package nexmark

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// Source generates the rows of one of the tables of a Nexmark stream.
type Source struct {
	gen  *generator
	kind *nexmarkKind
	// fields are the fields of the declared columns, in their order.
	fields []*nexmarkField
	types  []vector.Type
	// rows is the number of rows of the table, -1 when it never ends.
	rows int64
	// rate is the pace in events per second, 0 when unlimited.
	rate int64
}

// Open opens a generator of the rows of cols of the table the WITH options
// opts (lower-case keys) describe. Bad options are 22023 errors naming the
// option; a column the table does not have is 22023, one of the wrong type
// 42804, both naming the column.
func Open(opts map[string]string, cols []format.Column) (*Source, error) {
	c, err := parseOptions(opts)
	if err != nil {
		return nil, err
	}
	fields, err := columnFields(c.kind, cols)
	if err != nil {
		return nil, err
	}
	s := &Source{kind: c.kind, fields: fields, types: make([]vector.Type, len(cols)), rows: -1, rate: c.rate}
	for i, col := range cols {
		s.types[i] = col.Type
	}
	eventRate := c.rate
	if eventRate == 0 {
		eventRate = defaultEventRate
	}
	s.gen = newGenerator(c.seed, c.base, eventRate)
	if c.events >= 0 {
		s.rows = c.kind.rowsBefore(c.events)
	}
	return s, nil
}

// Bounded reports whether the stream ends: whether events was given.
func (s *Source) Bounded() bool { return s.rows >= 0 }

// Read calls emit with the rows after the first skip, in batches of at
// most operators.BatchSize rows, paced by the rate if there is one. It
// returns nil after the last row of a bounded stream, and ctx's error
// once ctx is done.
func (s *Source) Read(ctx context.Context, skip int64, emit func(*vector.Batch) error) error {
	var p *pacer
	if s.rate > 0 {
		p = newPacer(s.rate, s.kind.event(skip))
	}
	events := make([]int64, operators.BatchSize)
	for row := skip; s.rows < 0 || row < s.rows; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int64(operators.BatchSize)
		if s.rows >= 0 {
			n = min(n, s.rows-row)
		}
		if p != nil {
			var err error
			if n, err = p.due(ctx, s.kind, row, n); err != nil {
				return err
			}
		}
		if err := emit(s.batch(row, events[:n])); err != nil {
			return err
		}
		row += n
	}
	return nil
}

// batch generates the rows first .. first+len(events)-1, events being a
// buffer for their event numbers.
func (s *Source) batch(first int64, events []int64) *vector.Batch {
	for i := range events {
		events[i] = s.kind.event(first + int64(i))
	}
	b := &rowBlock{kind: s.kind, first: first, events: events}
	cols := make([]arrow.Array, len(s.fields))
	for i, f := range s.fields {
		if f.ints != nil {
			vals := make([]int64, len(events))
			f.ints(s.gen, b, vals)
			cols[i] = intArray(s.types[i], vals)
			continue
		}
		c := newTextColumn(len(events), f.width)
		f.text(s.gen, b, c)
		cols[i] = c.array(s.types[i])
	}
	return vector.NewBatch(cols, len(events))
}
