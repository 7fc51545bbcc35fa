package operators

import (
	"strings"

	"github.com/runneldb/runnel/vector"
)

// AggFunc is an aggregate function.
type AggFunc uint8

// The aggregate functions.
const (
	Count AggFunc = iota
	CountStar
	Sum
	Avg
	Min
	Max
	BoolAnd
	BoolOr
	StringAgg
	ArrayAgg
)

// Aggregate is one aggregate call computed by NewHashAggregate.
type Aggregate struct {
	Func AggFunc
	// Args are input column indexes: none for count(*), value and
	// separator for string_agg, the argument otherwise.
	Args []int
	// Distinct aggregates each distinct argument value of a group once.
	Distinct bool
	// Filter is the input column index of a boolean FILTER (WHERE …)
	// column, or -1: rows where it is not true are not aggregated.
	Filter int
	// Type is the result type, from LookupAggregate.
	Type vector.Type
}

// aggregateNames maps SQL names to functions ("every" is bool_and).
var aggregateNames = map[string]AggFunc{
	"count":      Count,
	"sum":        Sum,
	"avg":        Avg,
	"min":        Min,
	"max":        Max,
	"bool_and":   BoolAnd,
	"every":      BoolAnd,
	"bool_or":    BoolOr,
	"string_agg": StringAgg,
	"array_agg":  ArrayAgg,
}

// IsAggregate reports whether name (lower case) is an aggregate function.
func IsAggregate(name string) bool {
	_, ok := aggregateNames[name]
	return ok
}

// LookupAggregate resolves an aggregate call by name (lower case) and
// argument types, returning the function and its result type as Postgres
// types it. count with no arguments is count(*). An unknown function or
// argument types with no matching signature fail with 42883.
func LookupAggregate(name string, args []vector.Type) (AggFunc, vector.Type, error) {
	f, ok := aggregateNames[name]
	if ok {
		if t, ok := aggregateResult(f, args); ok {
			if f == Count && len(args) == 0 {
				f = CountStar
			}
			return f, t, nil
		}
	}
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.Name()
	}
	err := vector.Errorf(vector.CodeUndefinedFunction, "function %s(%s) does not exist", name, strings.Join(names, ", "))
	err.Hint = "No function matches the given name and argument types. You might need to add explicit type casts."
	return 0, vector.Type{}, err
}

// aggregateResult is the result type of f over args, if f accepts them.
func aggregateResult(f AggFunc, args []vector.Type) (vector.Type, bool) {
	if f == Count {
		return vector.Int8, len(args) <= 1
	}
	if f == StringAgg {
		if len(args) == 2 && args[0].Kind.IsString() && args[1].Kind.IsString() {
			return vector.Text, true
		}
		if len(args) == 2 && args[0].Kind == vector.KindBytea && args[1].Kind == vector.KindBytea {
			return vector.Bytea, true
		}
		return vector.Type{}, false
	}
	if len(args) != 1 {
		return vector.Type{}, false
	}
	k := args[0].Kind
	if f == ArrayAgg {
		return arrayAggResult(args[0])
	}
	switch f {
	case Sum:
		switch k {
		case vector.KindInt2, vector.KindInt4:
			return vector.Int8, true
		case vector.KindInt8, vector.KindNumeric:
			return vector.Numeric, true
		case vector.KindFloat4, vector.KindFloat8, vector.KindInterval:
			return vector.Type{Kind: k}, true
		}
	case Avg:
		switch {
		case k.IsInteger() || k == vector.KindNumeric:
			return vector.Numeric, true
		case k == vector.KindFloat4 || k == vector.KindFloat8:
			return vector.Float8, true
		case k == vector.KindInterval:
			return vector.Interval, true
		}
	case Min, Max:
		switch {
		case k.IsString():
			return vector.Text, true
		case k.IsOID():
			return vector.OID, true
		case k == vector.KindArray:
			return args[0], true
		case k.IsNumeric(), k >= vector.KindDate && k <= vector.KindInterval:
			return vector.Type{Kind: k}, true
		}
	case BoolAnd, BoolOr:
		return vector.Bool, k == vector.KindBool
	}
	return vector.Type{}, false
}
