package datagen

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/vector"
)

// ImpulseOptions are the options of impulse.
var ImpulseOptions = []string{"interval", "count", "start_time", "rate", "counter_field", "timestamp_field"}

// Impulse is a source of a counter with a timestamp: row i is (i,
// start + i*interval) (see the package documentation).
type Impulse struct {
	cols     []format.Column
	counter  []bool  // counter[i]: column i is the counter, else the timestamp
	start    int64   // ts of row 0, µs
	interval int64   // µs between rows' ts
	total    int64   // rows; unbounded when it never ends
	rate     float64 // rows per second; 0 for unlimited
}

// OpenImpulse opens an impulse source of rows of cols configured by opts
// (lower-case keys; options it does not know are ignored). Bad options and
// columns are 22023 errors naming them; a column of the wrong type is
// 42804.
func OpenImpulse(opts map[string]string, cols []format.Column) (*Impulse, error) {
	names := map[string]string{"counter_field": "counter", "timestamp_field": "ts"}
	for key := range names {
		if v, ok := opts[key]; ok {
			names[key] = v
		}
	}
	if names["counter_field"] == names["timestamp_field"] {
		return nil, optionError("timestamp_field", names["timestamp_field"], "the counter column has that name")
	}
	g := &Impulse{cols: cols, counter: make([]bool, len(cols))}
	tsType := vector.Timestamp
	for i, c := range cols {
		switch {
		case c.Name == names["counter_field"] && c.Type.Kind == vector.KindInt8:
			g.counter[i] = true
		case c.Name == names["timestamp_field"] && (c.Type.Kind == vector.KindTimestamp || c.Type.Kind == vector.KindTimestampTZ):
			tsType = c.Type
		case c.Name == names["counter_field"]:
			return nil, vector.Errorf(vector.CodeDatatypeMismatch, "impulse column %q is of type %s, not bigint", c.Name, c.Type)
		case c.Name == names["timestamp_field"]:
			return nil, vector.Errorf(vector.CodeDatatypeMismatch, "impulse column %q is of type %s, not timestamp or timestamptz", c.Name, c.Type)
		default:
			return nil, vector.Errorf(vector.CodeInvalidParameterValue, "impulse has no column %q: its columns are %q (bigint) and %q (timestamp)",
				c.Name, names["counter_field"], names["timestamp_field"])
		}
	}
	var err error
	if g.interval, err = intervalOption(opts, "interval", usPerSecond); err != nil {
		return nil, err
	}
	start, ok := opts["start_time"]
	if !ok {
		start = baseTime
	}
	d, err := fixedValue("start_time", start, tsType)
	if err != nil {
		return nil, err
	}
	g.start = datumInt(d)
	if g.total, err = countOption(opts, "count"); err != nil {
		return nil, err
	}
	if g.rate, err = rateOption(opts, "rate", float64(usPerSecond)/float64(g.interval)); err != nil {
		return nil, err
	}
	return g, nil
}

// Bounded reports whether the rows end: count was given.
func (g *Impulse) Bounded() bool { return g.total != unbounded }

// Read emits the rows after the first from[0] (its one split's position),
// paced at the rate option (one row per interval by default), and returns
// nil after the last one, or ctx.Err() once ctx is done.
func (g *Impulse) Read(ctx context.Context, from source.Position, out source.Output) error {
	return readRows(ctx, from, g.total, g.rate, g.batch, out)
}

// batch returns rows from..from+n-1.
func (g *Impulse) batch(from int64, n int) *vector.Batch {
	cols := make([]arrow.Array, len(g.cols))
	for i, c := range g.cols {
		if g.counter[i] {
			b := array.NewInt64Builder(vector.Mem)
			b.Reserve(n)
			for r := from; r < from+int64(n); r++ {
				b.UnsafeAppend(r)
			}
			cols[i] = b.NewArray()
			continue
		}
		b := array.NewTimestampBuilder(vector.Mem, c.Type.ArrowType().(*arrow.TimestampType))
		b.Reserve(n)
		for r := from; r < from+int64(n); r++ {
			b.UnsafeAppend(arrow.Timestamp(g.start + r*g.interval))
		}
		cols[i] = b.NewArray()
	}
	return vector.NewBatch(cols, n)
}
