package nexmark

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// eventOf is the event number of a row read without a rate: its
// date_time is base_time + e · 100 µs.
func eventOf(r map[string]any) int64 {
	return (int64(r["date_time"].(vector.TimestampValue)) - defaultBase) / 100
}

// splitEvent is the position of event e within its split of p: the
// number of events of the split before it. Split k holds the epochs
// e/50 ≡ k (mod p), whole.
func splitEvent(e, p int64) int64 { return e/50/p*50 + e%50 }

// rendered is the rows as strings (fmt prints maps sorted by key), sorted:
// a multiset of rows that slices.Equal compares.
func rendered(rows []map[string]any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r)
	}
	slices.Sort(out)
	return out
}

// The tables the tests read, with events for three chunks of rows per
// split when read as two.
var testTables = []struct {
	table, events string
	cols          []format.Column
}{{"person", "450013", personColumns}, {"auction", "300007", auctionColumns}, {"bid", "20011", bidColumns}}

// TestDeterministic: reading a table twice gives the same rows, split by
// split; a table with fewer columns, in another order, has the same values
// in them; another seed gives other rows.
func TestDeterministic(t *testing.T) {
	for _, c := range testTables {
		for _, partitions := range []string{"1", "2"} {
			opts := map[string]string{"table": c.table, "events": c.events, "seed": "42", "partitions": partitions}
			full := readTable(t, opts, c.cols, nil)
			if again := readTable(t, opts, c.cols, nil); !reflect.DeepEqual(full.splits, again.splits) {
				t.Errorf("%s, %s partitions: two reads differ", c.table, partitions)
			}
			some := []format.Column{c.cols[len(c.cols)-1], c.cols[0], c.cols[2]}
			for split, rows := range readTable(t, opts, some, nil).splits {
				for i, r := range rows {
					for _, col := range some {
						if r[col.Name] != full.splits[split][i][col.Name] {
							t.Fatalf("%s split %d row %d: %s is %v alone, %v with every column",
								c.table, split, i, col.Name, r[col.Name], full.splits[split][i][col.Name])
						}
					}
				}
			}
			opts["seed"] = "43"
			other := readTable(t, opts, c.cols, nil)
			for _, col := range c.cols[1:] { // not the id (person, auction) nor the auction (bid)
				same := 0
				for split, rows := range other.splits {
					for i, r := range rows {
						if r[col.Name] == full.splits[split][i][col.Name] {
							same++
						}
					}
				}
				if col.Name != "date_time" && same == len(other.rows) {
					t.Errorf("%s: seeds 42 and 43 give the same %s", c.table, col.Name)
				}
			}
		}
	}
}

// TestPartitions: read as 2, 3 or 7 splits, a table holds the rows of the
// stream read as one, each once; split k holds those of the epochs
// ≡ k (mod partitions), in stream order, and ends at the number of its
// events, which add up to the events of the stream.
func TestPartitions(t *testing.T) {
	for _, c := range testTables {
		opts := map[string]string{"table": c.table, "events": c.events, "seed": "5"}
		whole := readTable(t, opts, c.cols, nil)
		events, _ := strconv.ParseInt(c.events, 10, 64)
		if whole.next[0] != events {
			t.Errorf("%s: one split ends at %d, want %d", c.table, whole.next[0], events)
		}
		for _, p := range []int64{2, 3, 7} {
			opts["partitions"] = strconv.FormatInt(p, 10)
			got := readTable(t, opts, c.cols, nil)
			if !slices.Equal(rendered(got.rows), rendered(whole.rows)) {
				t.Errorf("%s, %d partitions: not the rows of one split", c.table, p)
			}
			var total int64
			for split, end := range got.next {
				total += end
				// The split's events among 0 .. events-1, counted one by one.
				var want int64
				for e := range events {
					if e/50%p == int64(split) {
						want++
					}
				}
				if end != want {
					t.Errorf("%s, %d partitions: split %d ends at %d, want %d", c.table, p, split, end, want)
				}
				last := int64(-1)
				for _, r := range got.splits[split] {
					e := eventOf(r)
					if e/50%p != int64(split) || e <= last {
						t.Fatalf("%s, %d partitions: split %d has event %d after %d", c.table, p, split, e, last)
					}
					last = e
				}
			}
			if total != events {
				t.Errorf("%s, %d partitions: the splits end at %v, %d events in all, want %d", c.table, p, got.next, total, events)
			}
		}
	}
}

// TestResume: a read from a position emits, for each split, exactly the
// rows of the events from that position on (the whole split when it is
// absent), whether the position falls between chunks or inside an epoch.
func TestResume(t *testing.T) {
	for _, c := range testTables {
		for _, p := range []int64{1, 2} {
			opts := map[string]string{"table": c.table, "events": c.events, "partitions": strconv.FormatInt(p, 10)}
			full := readTable(t, opts, c.cols, nil)
			froms := []source.Position{{0: 1}, {0: 4097}, {0: full.next[0] - 1}, {0: full.next[0]}}
			if p == 2 {
				// Split 0 at the end of its second chunk.
				froms = append(froms, source.Position{0: full.ends[0][1], 1: 5003}, source.Position{1: 777}, source.Position{0: 3, 1: full.next[1]})
			}
			for _, from := range froms {
				got := readTable(t, opts, c.cols, from)
				for split, rows := range full.splits {
					var want []map[string]any
					for _, r := range rows {
						if splitEvent(eventOf(r), p) >= from[split] {
							want = append(want, r)
						}
					}
					if !slices.EqualFunc(got.splits[split], want, maps.Equal) {
						t.Errorf("%s, %d partitions, from %v: split %d emits %d rows, want the last %d of %d",
							c.table, p, from, split, len(got.splits[split]), len(want), len(rows))
					}
					if got.next[split] != full.next[split] {
						t.Errorf("%s, %d partitions, from %v: split %d ends at %d, want %d", c.table, p, from, split, got.next[split], full.next[split])
					}
				}
			}
		}
	}
}

// TestBatchBoundaries generates the same rows of a split in batches of
// different sizes, and every chunk of a read but the last is full.
func TestBatchBoundaries(t *testing.T) {
	s, err := Open(map[string]string{"table": "bid"}, bidColumns)
	if err != nil {
		t.Fatal(err)
	}
	batch := func(sp nexmarkSplit, first int64, n int) []map[string]any {
		return batchRows(s.batch(sp, first, make([]int64, n), make([]int64, n)), bidColumns)
	}
	for _, sp := range []nexmarkSplit{{0, 1}, {1, 3}} {
		whole := batch(sp, 0, 600)
		for _, size := range []int{1, 7, 64, 599} {
			var rows []map[string]any
			for first := 0; first < len(whole); first += size {
				rows = append(rows, batch(sp, int64(first), min(size, len(whole)-first))...)
			}
			if !reflect.DeepEqual(rows, whole) {
				t.Errorf("split %v: batches of %d rows differ from one batch", sp, size)
			}
		}
	}
	read := readTable(t, map[string]string{"table": "bid", "events": "10000"}, bidColumns, nil)
	want := []int{operators.BatchSize, operators.BatchSize, 9200 - 2*operators.BatchSize}
	if !reflect.DeepEqual(read.batches, want) {
		t.Errorf("chunks of %v rows, want %v", read.batches, want)
	}
}

// TestUnbounded: without events the stream never ends; the read stops
// with ctx, every split after at most one more chunk.
func TestUnbounded(t *testing.T) {
	for _, p := range []int{1, 3} {
		s, err := Open(map[string]string{"table": "auction", "partitions": strconv.Itoa(p)}, auctionColumns[:1])
		if err != nil {
			t.Fatal(err)
		}
		if s.Bounded() {
			t.Error("a stream without events is bounded")
		}
		ctx, cancel := context.WithCancel(context.Background())
		batches := 0
		err = s.Read(ctx, nil, emitFunc(func(c source.Chunk) error {
			if c.Rows != nil {
				if batches++; batches == 3 {
					cancel()
				}
			}
			return nil
		}))
		if !errors.Is(err, context.Canceled) || batches < 3 || batches > 3+p-1 {
			t.Errorf("%d partitions: read stopped after %d chunks with %v, want 3 to %d and context canceled", p, batches, err, 3+p-1)
		}
	}
}

// TestEmitError: an error of Emit stops the read of every split, and Read
// returns it.
func TestEmitError(t *testing.T) {
	stop := errors.New("stop")
	for _, p := range []int{1, 3} {
		s, err := Open(map[string]string{"table": "bid", "partitions": strconv.Itoa(p)}, bidColumns[:1])
		if err != nil {
			t.Fatal(err)
		}
		batches := 0
		err = s.Read(context.Background(), nil, emitFunc(func(c source.Chunk) error {
			if c.Rows != nil {
				if batches++; batches == 2 {
					return stop
				}
			}
			return nil
		}))
		if !errors.Is(err, stop) {
			t.Errorf("%d partitions: Read returned %v, want %v", p, err, stop)
		}
	}
}

// TestPaced: at 1 event per second per split, only the first person of
// each split is due when a read starts (its next is 50 events later):
// each split's first chunk holds it alone, and cancelling stops the wait
// for the next.
func TestPaced(t *testing.T) {
	for _, c := range []struct {
		rate       string
		partitions int
		from       source.Position
	}{{"1", 1, source.Position{0: 150}}, {"2", 2, nil}, {"2", 2, source.Position{1: 100}}} {
		s, err := Open(map[string]string{"table": "person", "rate": c.rate, "events": "100000",
			"partitions": strconv.Itoa(c.partitions)}, personColumns[:1])
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		got, want := map[int32][]int{}, map[int32][]int{}
		for k := range c.partitions {
			want[int32(k)] = []int{1}
		}
		err = s.Read(ctx, c.from, emitFunc(func(ch source.Chunk) error {
			if ch.Rows != nil {
				if got[ch.Split] = append(got[ch.Split], ch.Rows.Len); len(got) == c.partitions {
					cancel()
				}
			}
			return nil
		}))
		if !errors.Is(err, context.Canceled) || !reflect.DeepEqual(got, want) {
			t.Errorf("rate %s from %v: chunks of %v rows and %v, want %v and context canceled", c.rate, c.from, got, err, want)
		}
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
		{bid("partitions", "0"), nil, vector.CodeInvalidParameterValue, `option "partitions"`},
		{bid("partitions", "257"), nil, vector.CodeInvalidParameterValue, `option "partitions" of connector "nexmark": "257" (want an integer from 1 to 256)`},
		{bid("partitions", "two"), nil, vector.CodeInvalidParameterValue, `option "partitions"`},
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

// TestReadPositionErrors: a position of a split the stream does not have,
// or a negative one, stops the read before it emits anything.
func TestReadPositionErrors(t *testing.T) {
	s, err := Open(map[string]string{"table": "bid", "partitions": "2"}, bidColumns[:1])
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []source.Position{{2: 0}, {-1: 0}, {1: -5}} {
		chunks := 0
		err := s.Read(context.Background(), from, emitFunc(func(source.Chunk) error { chunks++; return nil }))
		var ve *vector.Error
		if !errors.As(err, &ve) || ve.Code != vector.CodeInternalError || !strings.Contains(ve.Message, "nexmark source of 2 partitions cannot resume split") || chunks != 0 {
			t.Errorf("from %v: %d chunks and %v, want none and XX000", from, chunks, err)
		}
	}
}
