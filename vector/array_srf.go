package vector

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// The values of the set-returning functions over arrays: unnest,
// information_schema._pg_expandarray and pg_options_to_table yield, for
// one array, one row per element.

// ExpandArrayType is the type of the rows information_schema._pg_expandarray
// yields for an array of type t: the record (x, n) of an element and its
// position from 1.
func ExpandArrayType(t Type) Type {
	return NewRecordType([]string{"x", "n"}, []Type{t.ElemType(), Int4})
}

// ExpandArray is the rows of _pg_expandarray(v) for v a non-NULL value of
// array type t: a column of records of ExpandArrayType(t).
func ExpandArray(t Type, v Datum) (arrow.Array, error) {
	elems, err := ArrayElements(t, v)
	if err != nil {
		return nil, err
	}
	rt := ExpandArrayType(t)
	pos := make([]int32, elems.Len())
	for i := range pos {
		pos[i] = int32(i + 1)
	}
	cols := []arrow.Array{elems, makeFixed(Int4, pos, nil, 0)}
	sb := newStringBuilder(elems.Len(), 8*elems.Len())
	for i := range pos {
		sb.data = appendRecord(sb.data, rt, cols, i)
		sb.next()
	}
	return sb.finish(rt), nil
}

// OptionsTableType is the type of the rows pg_options_to_table yields: the
// record (option_name, option_value).
func OptionsTableType() Type {
	return NewRecordType([]string{"option_name", "option_value"}, []Type{Text, Text})
}

// OptionsTable is the rows of pg_options_to_table(v) for v a non-NULL
// text[] of "name=value" options: one record per element, split at its
// first "=" (the value NULL when there is none), none for a NULL element.
func OptionsTable(v Datum) (arrow.Array, error) {
	elems, err := ArrayElements(ArrayOfKind(KindText), v)
	if err != nil {
		return nil, err
	}
	rt := OptionsTableType()
	names, values := NewBuilder(Text, elems.Len()), NewBuilder(Text, elems.Len())
	for i := 0; i < elems.Len(); i++ {
		if elems.IsNull(i) {
			continue
		}
		name, value, ok := strings.Cut(string(rowBytes(elems, i)), "=")
		names.Append(name)
		if ok {
			values.Append(value)
		} else {
			values.AppendNull()
		}
	}
	cols := []arrow.Array{names.Finish(), values.Finish()}
	sb := newStringBuilder(cols[0].Len(), 16*cols[0].Len())
	for i := 0; i < cols[0].Len(); i++ {
		sb.data = appendRecord(sb.data, rt, cols, i)
		sb.next()
	}
	return sb.finish(rt), nil
}
