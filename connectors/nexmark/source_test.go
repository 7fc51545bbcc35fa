package nexmark

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// TestDeterministic: reading a table twice gives the same rows; reading it
// after skipping k rows gives the tail of the full read, whatever k (so
// batch boundaries fall elsewhere); a table with fewer columns, in another
// order, has the same values in them; another seed gives other rows.
func TestDeterministic(t *testing.T) {
	for _, c := range []struct {
		table, events string // events for more than a batch of rows
		cols          []format.Column
	}{{"person", "250000", personColumns}, {"auction", "100000", auctionColumns}, {"bid", "10000", bidColumns}} {
		opts := map[string]string{"table": c.table, "events": c.events, "seed": "42"}
		full := readTable(t, opts, c.cols, 0).rows
		if again := readTable(t, opts, c.cols, 0).rows; !reflect.DeepEqual(full, again) {
			t.Errorf("%s: two reads differ", c.table)
		}
		for _, k := range []int64{1, 3, 4095, 4097, int64(len(full)) - 1, int64(len(full))} {
			if tail := readTable(t, opts, c.cols, k).rows; !slices.EqualFunc(tail, full[k:], maps.Equal) {
				t.Errorf("%s: read after skipping %d is not the tail of the full read", c.table, k)
			}
		}
		some := []format.Column{c.cols[len(c.cols)-1], c.cols[0], c.cols[2]}
		for i, r := range readTable(t, opts, some, 0).rows {
			for _, col := range some {
				if r[col.Name] != full[i][col.Name] {
					t.Fatalf("%s row %d: %s is %v alone, %v with every column", c.table, i, col.Name, r[col.Name], full[i][col.Name])
				}
			}
		}
		opts["seed"] = "43"
		other := readTable(t, opts, c.cols, 0).rows
		for _, col := range c.cols[1:] { // not the id (person, auction) nor the auction (bid)
			same := 0
			for i := range other {
				if other[i][col.Name] == full[i][col.Name] {
					same++
				}
			}
			if col.Name != "date_time" && same == len(full) {
				t.Errorf("%s: seeds 42 and 43 give the same %s", c.table, col.Name)
			}
		}
	}
}

// TestBatchBoundaries generates the same rows in batches of different
// sizes, and every batch of a read but the last is full.
func TestBatchBoundaries(t *testing.T) {
	s, err := Open(map[string]string{"table": "bid", "events": "10000"}, bidColumns)
	if err != nil {
		t.Fatal(err)
	}
	whole := batchRows(s.batch(0, make([]int64, 600)), bidColumns)
	for _, size := range []int{1, 7, 64, 599} {
		var rows []map[string]any
		for first := 0; first < len(whole); first += size {
			n := min(size, len(whole)-first)
			rows = append(rows, batchRows(s.batch(int64(first), make([]int64, n)), bidColumns)...)
		}
		if !reflect.DeepEqual(rows, whole) {
			t.Errorf("batches of %d rows differ from one batch", size)
		}
	}
	read := readTable(t, map[string]string{"table": "bid", "events": "10000"}, bidColumns, 0)
	want := []int{operators.BatchSize, operators.BatchSize, 9200 - 2*operators.BatchSize}
	if !reflect.DeepEqual(read.batches, want) {
		t.Errorf("batches of %v rows, want %v", read.batches, want)
	}
}

// TestUnbounded: without events the stream never ends; the read stops
// with ctx.
func TestUnbounded(t *testing.T) {
	s, err := Open(map[string]string{"table": "auction"}, auctionColumns[:1])
	if err != nil {
		t.Fatal(err)
	}
	if s.Bounded() {
		t.Error("a stream without events is bounded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	batches := 0
	err = s.Read(ctx, 0, func(*vector.Batch) error {
		if batches++; batches == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || batches != 3 {
		t.Errorf("read stopped after %d batches with %v, want 3 and context canceled", batches, err)
	}
}

// TestPaced: with a rate of 1 event per second, only the first person is
// due when a read starts (the next is 50 events later): the first batch
// holds it alone, and cancelling stops the wait for the next.
func TestPaced(t *testing.T) {
	s, err := Open(map[string]string{"table": "person", "rate": "1", "events": "1000"}, personColumns[:1])
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var got []int
	err = s.Read(ctx, 3, func(b *vector.Batch) error {
		got = append(got, b.Len)
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("read emitted batches of %v rows and returned %v, want [1] and context canceled", got, err)
	}
}

// TestOpenErrors: bad options are 22023 naming the option, an unknown
// column 22023 and a column of the wrong type 42804, both naming it.
func TestOpenErrors(t *testing.T) {
	bid := func(kv ...string) map[string]string {
		opts := map[string]string{"table": "bid"}
		for i := 0; i < len(kv); i += 2 {
			opts[kv[i]] = kv[i+1]
		}
		return opts
	}
	col := func(name string, typ vector.Type) []format.Column { return []format.Column{{Name: name, Type: typ}} }
	tests := []struct {
		opts map[string]string
		cols []format.Column
		code string
		msg  string
	}{
		{bid("table", "bids"), nil, vector.CodeInvalidParameterValue, `invalid value for option "table" of connector "nexmark": "bids"`},
		{bid("table", ""), nil, vector.CodeInvalidParameterValue, `option "table"`},
		{bid("events", "-1"), nil, vector.CodeInvalidParameterValue, `option "events"`},
		{bid("events", "1e6"), nil, vector.CodeInvalidParameterValue, `option "events"`},
		{bid("events", "many"), nil, vector.CodeInvalidParameterValue, `option "events"`},
		{bid("rate", "0"), nil, vector.CodeInvalidParameterValue, `option "rate"`},
		{bid("rate", "2.5"), nil, vector.CodeInvalidParameterValue, `option "rate"`},
		{bid("seed", "x"), nil, vector.CodeInvalidParameterValue, `option "seed"`},
		{bid("seed", "99999999999999999999"), nil, vector.CodeInvalidParameterValue, `option "seed"`},
		{bid("base_time", "soon"), nil, vector.CodeInvalidParameterValue, `option "base_time"`},
		{bid(), col("id", vector.Int8), vector.CodeInvalidParameterValue,
			`nexmark table "bid" has no column "id" (its columns: auction, bidder, price, channel, url, date_time, extra)`},
		{bid(), col("price", vector.Int4), vector.CodeDatatypeMismatch, `column "price" of nexmark table "bid" must be bigint, not integer`},
		{bid(), col("url", vector.Type{Kind: vector.KindVarchar, Width: 20}), vector.CodeDatatypeMismatch,
			`column "url" of nexmark table "bid" must be text or character varying, not character varying(20)`},
		{bid(), col("date_time", vector.TimestampTZ), vector.CodeDatatypeMismatch,
			`column "date_time" of nexmark table "bid" must be timestamp without time zone, not timestamp with time zone`},
		{map[string]string{"table": "person"}, col("id", vector.Text), vector.CodeDatatypeMismatch, `column "id" of nexmark table "person" must be bigint`},
	}
	for _, tc := range tests {
		_, err := Open(tc.opts, tc.cols)
		var ve *vector.Error
		if !errors.As(err, &ve) || ve.Code != tc.code || !strings.Contains(ve.Message, tc.msg) {
			t.Errorf("Open(%v, %v) = %v, want %s %q", tc.opts, tc.cols, err, tc.code, tc.msg)
		}
	}
}
