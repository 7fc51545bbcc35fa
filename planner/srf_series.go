package planner

import (
	"github.com/runneldb/runnel/vector"
)

// seriesArgs types generate_series(start, stop [, step]): it returns the
// three arguments converted to the types the series of type t takes
// (integers of up to four bytes as int4, dates as timestamp, untyped
// literals as int4 or timestamp; the step of a timestamp series an
// interval) and the step 1 when a number series has none. Other argument
// types are 42883.
func seriesArgs(args []vector.Expr) ([]vector.Expr, vector.Type, error) {
	if len(args) < 2 || len(args) > 3 {
		return nil, vector.Type{}, vector.Errorf(vector.CodeUndefinedFunction, "function generate_series with %d arguments does not exist", len(args))
	}
	undefined := func() error {
		return vector.Errorf(vector.CodeUndefinedFunction, "function generate_series(%s) does not exist", argTypes(args))
	}
	t, err := vector.CommonType([]vector.Type{args[0].Type(), args[1].Type()})
	if err != nil {
		return nil, vector.Type{}, err
	}
	switch {
	case t.Kind == vector.KindUnknown:
		t = vector.Timestamp
		if len(args) == 2 {
			t = vector.Int4
		}
	case t.Kind == vector.KindInt2:
		t = vector.Int4
	case t.Kind == vector.KindDate:
		t = vector.Timestamp
	}
	switch t.Kind {
	case vector.KindInt4, vector.KindInt8, vector.KindNumeric, vector.KindTimestamp, vector.KindTimestampTZ:
	default:
		return nil, vector.Type{}, undefined()
	}
	out := make([]vector.Expr, 3)
	for i, a := range args {
		at := t
		if i == 2 && (t.Kind == vector.KindTimestamp || t.Kind == vector.KindTimestampTZ) {
			at = vector.Interval
		}
		if out[i], err = vector.Coerce(a, at); err != nil {
			return nil, vector.Type{}, undefined()
		}
	}
	if len(args) == 2 {
		switch t.Kind {
		case vector.KindInt4:
			out[2] = vector.NewConst(int32(1), t)
		case vector.KindInt8:
			out[2] = vector.NewConst(int64(1), t)
		case vector.KindNumeric:
			out[2] = vector.NewConst(vector.NumericFromInt(1), t)
		default: // a timestamp series needs its interval step
			return nil, vector.Type{}, undefined()
		}
	}
	return out, t, nil
}
