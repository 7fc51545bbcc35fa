package nexmark

import (
	"strconv"
	"strings"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// defaultBaseTime is the event time of event 0 when base_time is not given.
const defaultBaseTime = "2024-01-01 00:00:00"

// config is what the WITH options of a nexmark table ask for.
type config struct {
	kind *nexmarkKind
	// events is the number of events of the stream, -1 when it never ends.
	events int64
	// rate is the pace in events per second, 0 when unlimited.
	rate int64
	seed int64
	// partitions is the number of splits the stream is read as.
	partitions int64
	// base is the event time of event 0 in µs.
	base int64
}

// parseOptions reads the options of the connector (the engine's are
// ignored). Bad values are 22023 errors naming the option.
func parseOptions(opts map[string]string) (*config, error) {
	c := &config{events: -1, partitions: 1}
	name := opts["table"]
	for _, k := range nexmarkKinds {
		if k.name == name {
			c.kind = k
		}
	}
	if c.kind == nil {
		return nil, optionError("table", name, "one of person, auction, bid")
	}
	var err error
	if v, ok := opts["events"]; ok {
		if c.events, err = strconv.ParseInt(v, 10, 64); err != nil || c.events < 0 {
			return nil, optionError("events", v, "a non-negative integer")
		}
	}
	if v, ok := opts["rate"]; ok {
		if c.rate, err = strconv.ParseInt(v, 10, 64); err != nil || c.rate <= 0 {
			return nil, optionError("rate", v, "a positive integer (events per second)")
		}
	}
	if v, ok := opts["seed"]; ok {
		if c.seed, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, optionError("seed", v, "an integer")
		}
	}
	if v, ok := opts["partitions"]; ok {
		if c.partitions, err = strconv.ParseInt(v, 10, 64); err != nil || c.partitions <= 0 || c.partitions > maxPartitions {
			return nil, optionError("partitions", v, "an integer from 1 to "+strconv.Itoa(maxPartitions))
		}
	}
	base := defaultBaseTime
	if v, ok := opts["base_time"]; ok {
		base = v
	}
	d, err := vector.ParseText(base, vector.Timestamp, nil)
	if err != nil {
		return nil, optionError("base_time", base, "a timestamp")
	}
	c.base = int64(d.(vector.TimestampValue))
	return c, nil
}

// optionError is the error of a bad value v of option key, which should be
// what want says.
func optionError(key, v, want string) error {
	return vector.Errorf(vector.CodeInvalidParameterValue, "invalid value for option %q of connector \"nexmark\": %q (want %s)", key, v, want)
}

// columnFields matches the declared columns cols to the fields of kind's
// table by name. A column the table does not have is a 22023 error, one of
// the wrong type 42804; both name the column.
func columnFields(kind *nexmarkKind, cols []format.Column) ([]*nexmarkField, error) {
	out := make([]*nexmarkField, len(cols))
	names := make([]string, len(kind.fields))
	for i := range kind.fields {
		names[i] = kind.fields[i].name
	}
	for i, c := range cols {
		for j := range kind.fields {
			if kind.fields[j].name == c.Name {
				out[i] = &kind.fields[j]
			}
		}
		f := out[i]
		if f == nil {
			return nil, vector.Errorf(vector.CodeInvalidParameterValue, "nexmark table %q has no column %q (its columns: %s)",
				kind.name, c.Name, strings.Join(names, ", "))
		}
		if !typeFits(f.typ, c.Type) {
			want := f.typ.String()
			if f.text != nil {
				want = "text or character varying"
			}
			return nil, vector.Errorf(vector.CodeDatatypeMismatch, "column %q of nexmark table %q must be %s, not %s",
				c.Name, kind.name, want, c.Type)
		}
	}
	return out, nil
}

// typeFits reports whether a column of type declared can hold the values
// of a field of type field: the same type, text and unbounded varchar
// being one.
func typeFits(field, declared vector.Type) bool {
	if field.Kind.IsString() {
		return declared.Kind.IsString() && declared.Width == 0
	}
	return declared == field
}
