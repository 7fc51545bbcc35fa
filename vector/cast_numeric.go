package vector

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Typed casts of numeric columns, which hold canonical numeric text (see
// Type): to text it is the same column, and integers become numeric by
// printing them; no decimal is built per row.

// castNumericText converts numeric to an unconstrained string type and
// integers to unconstrained numeric; ok is false for any other pair.
func castNumericText(arr arrow.Array, from, to Type) (out arrow.Array, ok bool) {
	switch {
	case hasConstraint(to):
		return nil, false
	case from.Kind == KindNumeric && (to.Kind.IsString() || to.Kind == KindUnknown):
		return arr, true // same physical column: the stored text is the output
	case to.Kind == KindNumeric:
		switch from.Kind {
		case KindInt2:
			return intsToNumeric(arr, arr.(*array.Int16).Int16Values()), true
		case KindInt4:
			return intsToNumeric(arr, arr.(*array.Int32).Int32Values()), true
		case KindInt8:
			return intsToNumeric(arr, arr.(*array.Int64).Int64Values()), true
		}
	}
	return nil, false
}

// intsToNumeric prints the integers vals (the values of arr) as numerics.
func intsToNumeric[T ~int16 | ~int32 | ~int64](arr arrow.Array, vals []T) arrow.Array {
	out := newStringBuilder(len(vals), 4*len(vals))
	hasNulls := arr.NullN() > 0
	for i, v := range vals {
		if hasNulls && arr.IsNull(i) {
			out.appendNull()
			continue
		}
		out.data = strconv.AppendInt(out.data, int64(v), 10)
		out.next()
	}
	return out.finish(Numeric)
}
