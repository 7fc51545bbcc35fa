// Package datagen holds two generators of rows, for tests, demos and
// benchmarks: datagen, random rows of any declared columns, and impulse, a
// counter with a timestamp. Both are sources of one split, split 0, whose
// position is the number of rows generated, and whose rows depend only on
// their options, so a read resumed from position n continues exactly where
// a read from the start would be after n rows: restarts lose and repeat
// nothing. Times never come from the wall clock.
//
// # datagen
//
//	CREATE TABLE t (id bigint, name text, price numeric(8,2), at timestamp)
//	WITH (connector = 'datagen', type = 'source', rows = 1000,
//	      "fields.id.kind" = 'sequence', "fields.id.start" = 1,
//	      "fields.name.length" = 5, "fields.name.null_rate" = 0.1)
//
// Options, after Flink's datagen:
//
//	rows       total rows; default unbounded
//	rate       rows per second of wall time, or 'unlimited' (the default)
//	seed       an integer choosing the random values; default 0
//
// and for each column c, in quotes since the keys hold dots:
//
//	fields.c.kind       'random' (the default) or 'sequence'
//	fields.c.start      the first value of a sequence; the least random value
//	fields.c.end        the last value of a sequence; the greatest random value
//	fields.c.length     characters of random text; default 10
//	fields.c.null_rate  the share of NULLs, from 0 (the default) to 1
//
// Values by type (start and end are written as values of the column's type):
//
//	boolean             random only, true or false
//	int2, int4, int8    random: uniform over [start, end], by default the
//	                    type's whole range; sequence: start (default 0),
//	                    start+1, …, up to end or the type's largest value
//	float4, float8      random: uniform over [start, end], by default
//	                    start 0 and end start + 1; sequence: start
//	                    (default 0), start+1, … up to end
//	numeric             random: uniform over [start, end] in steps of the
//	                    scale, by default start 0 and end start + 1000
//	                    (within a numeric(p,s), and at most 2^63 - 1
//	                    steps); sequence: start (default
//	                    0), start+1, … up to end, or for p ≤ 18
//	                    the type's largest value. The scale is the type's;
//	                    an unconstrained numeric takes the largest of its
//	                    bounds', 2 when a random one has none. Scales above
//	                    18 are not supported.
//	text, varchar       random: length letters and digits; sequence: the
//	                    decimal text of the integers start (default 0), …,
//	                    end (a varchar(n) with n ≤ 18 ends at n digits)
//	date                random: uniform over [start, end], by default the
//	                    365 days from start; sequence: a day apart
//	timestamp,          random: uniform to the microsecond over [start, end],
//	timestamptz         by default the 365 days from start; sequence: a
//	                    second apart
//
// start of a date or timestamp defaults to 2000-01-01 00:00:00 (UTC for
// timestamptz); 'now', 'today' and infinite times are refused. The source
// ends after rows rows, or when a sequence reaches its end, whichever comes
// first: a sequence with an end (or an int2, int4, numeric(p,s) or
// varchar(n) sequence, which has one implicitly) makes it bounded even
// without rows. Row i of column c is a function of (seed, i, c) only.
//
// # impulse
//
//	CREATE TABLE ticks (counter bigint, ts timestamp)
//	WITH (connector = 'impulse', type = 'source', interval = '1 s')
//
// Row i holds counter = i and ts = start_time + i*interval. Options:
//
//	interval         a positive interval of days or smaller units between
//	                 rows' event times; default '1 s'
//	count            total rows; default unbounded
//	start_time       ts of row 0; default 2000-01-01 00:00:00 (UTC)
//	rate             rows per second of wall time, or 'unlimited'; by
//	                 default one row per interval, so event time keeps pace
//	                 with the clock from the moment the read starts
//	counter_field    the name of the counter column; default counter
//	timestamp_field  the name of the timestamp column; default ts
//
// The counter column is a bigint, the timestamp column a timestamp or
// timestamptz; the table may declare either or both, and no other column.
//
// # Pacing
//
// A read paced at rate r emits its k-th row (k from 0) k/r seconds after
// it starts, in chunks of the rows due; a read resumed after a restart
// starts its pace afresh. Cancelling the read's context stops it at once,
// also while it waits.
package datagen

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/vector"
)

// DatagenOptions are the options of datagen; an entry ending in "." stands
// for every option starting with it.
var DatagenOptions = []string{"rows", "rate", "seed", fieldsPrefix}

// fieldsPrefix starts the options of one column: fields.<column>.<name>.
const fieldsPrefix = "fields."

// Datagen is a source of random or sequential rows (see the package
// documentation).
type Datagen struct {
	fields []*field // one per column
	total  int64    // rows; unbounded when it never ends
	rate   float64  // rows per second; 0 for unlimited
}

// OpenDatagen opens a datagen source of rows of cols configured by opts
// (lower-case keys; options it does not know are ignored, except field
// options). Bad options are 22023 errors naming the option; a column type
// it cannot generate is 0A000.
func OpenDatagen(opts map[string]string, cols []format.Column) (*Datagen, error) {
	g := &Datagen{fields: make([]*field, len(cols))}
	var err error
	if g.total, err = countOption(opts, "rows"); err != nil {
		return nil, err
	}
	if g.rate, err = rateOption(opts, "rate", 0); err != nil {
		return nil, err
	}
	var seed int64
	if v, ok := opts["seed"]; ok {
		if seed, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
			return nil, optionError("seed", v, "expected an integer")
		}
	}
	byCol, prefixes, err := fieldOptions(opts, cols)
	if err != nil {
		return nil, err
	}
	for i, c := range cols {
		if g.fields[i], err = newField(c, i, seed, prefixes[i], byCol[i]); err != nil {
			return nil, err
		}
		g.total = min(g.total, g.fields[i].count)
	}
	return g, nil
}

// fieldOptions sorts the fields.<column>.<name> options of opts by column:
// byCol[i] holds column i's by name, and prefixes[i] is how the options
// spell "fields.<column>." (the keys are lower-case: a column is matched
// exactly, or else ignoring case). An option naming no column, or no
// option of a column, is an error.
func fieldOptions(opts map[string]string, cols []format.Column) (byCol []map[string]string, prefixes []string, err error) {
	byCol, prefixes = make([]map[string]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		byCol[i], prefixes[i] = map[string]string{}, fieldsPrefix+c.Name+"."
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		rest, ok := strings.CutPrefix(k, fieldsPrefix)
		if !ok {
			continue
		}
		dot := strings.LastIndexByte(rest, '.')
		if dot < 0 {
			return nil, nil, vector.Errorf(vector.CodeInvalidParameterValue, "unrecognized option %q: a column's option is fields.<column>.<%s>",
				k, strings.Join(fieldOptionNames, "|"))
		}
		col, name := rest[:dot], rest[dot+1:]
		if !slices.Contains(fieldOptionNames, name) {
			return nil, nil, vector.Errorf(vector.CodeInvalidParameterValue, "unrecognized option %q: a column's option is one of %s",
				k, strings.Join(fieldOptionNames, ", "))
		}
		i := slices.IndexFunc(cols, func(c format.Column) bool { return c.Name == col })
		if i < 0 {
			i = slices.IndexFunc(cols, func(c format.Column) bool { return strings.EqualFold(c.Name, col) })
		}
		if i < 0 {
			return nil, nil, vector.Errorf(vector.CodeInvalidParameterValue, "option %q names column %q, which the table does not have", k, col)
		}
		byCol[i][name], prefixes[i] = opts[k], fieldsPrefix+col+"."
	}
	return byCol, prefixes, nil
}

// Bounded reports whether the rows end: rows was given, or a sequence ends.
func (g *Datagen) Bounded() bool { return g.total != unbounded }

// Read emits the rows after the first from[0] (its one split's position),
// paced at the rate option, and returns nil after the last one, or
// ctx.Err() once ctx is done.
func (g *Datagen) Read(ctx context.Context, from source.Position, out source.Output) error {
	return readRows(ctx, from, g.total, g.rate, g.batch, out)
}

// batch returns rows from..from+n-1.
func (g *Datagen) batch(from int64, n int) *vector.Batch {
	cols := make([]arrow.Array, len(g.fields))
	for i, f := range g.fields {
		cols[i] = f.build(from, n)
	}
	return vector.NewBatch(cols, n)
}
