package datagen

import (
	"slices"
	"testing"

	"github.com/runneldb/runnel/connectors/format"
	"github.com/runneldb/runnel/vector"
)

// TestImpulseRows checks row i = (i, start + i*interval) against times
// counted by hand, with default and named columns, from a skip.
func TestImpulseRows(t *testing.T) {
	tests := []struct {
		opts    map[string]string
		cols    []format.Column
		skip    int64
		bounded bool
		want    []string // the first rows, or all when bounded
	}{
		{map[string]string{"rate": "unlimited"}, []format.Column{{Name: "counter", Type: vector.Int8}, {Name: "ts", Type: vector.Timestamp}}, 0, false,
			[]string{"0|2000-01-01 00:00:00", "1|2000-01-01 00:00:01", "2|2000-01-01 00:00:02"}},
		{map[string]string{"rate": "unlimited", "count": "3", "interval": "45 minutes", "start_time": "2024-02-28 23:00:00"},
			[]format.Column{{Name: "ts", Type: vector.Timestamp}, {Name: "counter", Type: vector.Int8}}, 0, true,
			[]string{"2024-02-28 23:00:00|0", "2024-02-28 23:45:00|1", "2024-02-29 00:30:00|2"}},
		{map[string]string{"rate": "unlimited", "count": "5", "interval": "1 day 500ms"},
			[]format.Column{{Name: "counter", Type: vector.Int8}}, 3, true, []string{"3", "4"}},
		{map[string]string{"rate": "1000000", "count": "3", "interval": "10ms", "counter_field": "n", "timestamp_field": "at",
			"start_time": "2024-01-01 00:00:00+01"},
			[]format.Column{{Name: "n", Type: vector.Int8}, {Name: "at", Type: vector.TimestampTZ}}, 1, true,
			[]string{"1|2023-12-31 23:00:00.01+00", "2|2023-12-31 23:00:00.02+00"}},
		{map[string]string{"rate": "unlimited", "count": "10000", "interval": "1 s"},
			[]format.Column{{Name: "counter", Type: vector.Int8}, {Name: "ts", Type: vector.Timestamp}}, 9998, true,
			[]string{"9998|2000-01-01 02:46:38", "9999|2000-01-01 02:46:39"}},
	}
	for _, tt := range tests {
		g, err := OpenImpulse(tt.opts, tt.cols)
		if err != nil {
			t.Errorf("%v: %v", tt.opts, err)
			continue
		}
		if g.Bounded() != tt.bounded {
			t.Errorf("%v: Bounded() = %v", tt.opts, g.Bounded())
		}
		limit := int64(len(tt.want))
		if tt.bounded {
			limit = 0
		}
		got := text(collect(t, g, tt.cols, tt.skip, limit).rows, tt.cols)
		if len(got) < len(tt.want) || (tt.bounded && len(got) != len(tt.want)) || !slices.Equal(got[:len(tt.want)], tt.want) {
			t.Errorf("%v from %d: rows %q, want %q", tt.opts, tt.skip, got, tt.want)
		}
	}
}

// TestImpulseErrors checks that each bad option or column is refused with
// its SQLSTATE and a message naming it.
func TestImpulseErrors(t *testing.T) {
	cols := []format.Column{{Name: "counter", Type: vector.Int8}, {Name: "ts", Type: vector.Timestamp}}
	tests := []struct {
		opts map[string]string
		cols []format.Column
		code string
		msg  string
	}{
		{nil, []format.Column{{Name: "x", Type: vector.Int8}}, vector.CodeInvalidParameterValue,
			`impulse has no column "x": its columns are "counter" (bigint) and "ts" (timestamp)`},
		{map[string]string{"counter_field": "x"}, cols, vector.CodeInvalidParameterValue, `impulse has no column "counter": its columns are "x"`},
		{nil, []format.Column{{Name: "counter", Type: vector.Int4}}, vector.CodeDatatypeMismatch, `impulse column "counter" is of type integer, not bigint`},
		{nil, []format.Column{{Name: "ts", Type: vector.Date}}, vector.CodeDatatypeMismatch, `impulse column "ts" is of type date, not timestamp`},
		{map[string]string{"timestamp_field": "counter"}, cols, vector.CodeInvalidParameterValue, `invalid value for option "timestamp_field": "counter"`},
		{map[string]string{"interval": "1 month"}, cols, vector.CodeInvalidParameterValue, `invalid value for option "interval": "1 month"`},
		{map[string]string{"interval": "0 s"}, cols, vector.CodeInvalidParameterValue, `invalid value for option "interval": "0 s"`},
		{map[string]string{"interval": "-1 s"}, cols, vector.CodeInvalidParameterValue, `invalid value for option "interval": "-1 s"`},
		{map[string]string{"interval": "soon"}, cols, vector.CodeInvalidParameterValue, `invalid value for option "interval": "soon"`},
		{map[string]string{"count": "-2"}, cols, vector.CodeInvalidParameterValue, `invalid value for option "count": "-2"`},
		{map[string]string{"rate": "-1"}, cols, vector.CodeInvalidParameterValue, `invalid value for option "rate": "-1"`},
		{map[string]string{"start_time": "now"}, cols, vector.CodeInvalidParameterValue, `invalid value for option "start_time": "now"`},
		{map[string]string{"start_time": "yesterday 10:00"}, cols, vector.CodeInvalidParameterValue, `invalid value for option "start_time"`},
		{map[string]string{"start_time": "2024-13-01"}, cols, "22008", `option "start_time": `},
	}
	for _, tt := range tests {
		_, err := OpenImpulse(tt.opts, tt.cols)
		checkError(t, tt.msg, err, tt.code, tt.msg)
	}
}
