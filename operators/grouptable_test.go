package operators

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// TestGroupTableSingleIntKey numbers single integer keys across batches
// with and without NULLs (the latter take the probeFixed path), so a NULL
// group, whose stored value is 0, must never match the value 0. Expected
// ids are dense in order of first appearance.
func TestGroupTableSingleIntKey(t *testing.T) {
	for _, typ := range []vector.Type{vector.Int8, vector.Int4, vector.Int2} {
		table := newGroupTable([]vector.Type{typ})
		steps := []struct {
			keys []any
			want []int32
		}{
			{[]any{nil, 1, nil}, []int32{0, 1, 0}},
			{[]any{0, 1, 0, 2}, []int32{2, 1, 2, 3}}, // no NULLs: fixed path
			{[]any{2, nil, 0}, []int32{3, 0, 2}},
		}
		for s, step := range steps {
			vals := make([]any, len(step.keys))
			for i, k := range step.keys {
				if k != nil {
					vals[i] = intDatum(typ, int64(k.(int)))
				}
			}
			ids := make([]int32, len(vals))
			table.insert([]arrow.Array{col(typ, vals...)}, len(vals), ids)
			if !slices.Equal(ids, step.want) {
				t.Errorf("%s step %d: ids %v, want %v", typ, s, ids, step.want)
			}
		}
		probe := col(typ, intDatum(typ, 2), intDatum(typ, 7), intDatum(typ, 0))
		ids := make([]int32, 3)
		table.lookup([]arrow.Array{probe}, 3, ids)
		if want := []int32{3, -1, 2}; !slices.Equal(ids, want) {
			t.Errorf("%s lookup: ids %v, want %v", typ, ids, want)
		}
	}
}

func TestGroupTableIntKeyPair(t *testing.T) {
	// Two int8 keys: batches with NULLs take the general path, batches
	// without the paired one; a NULL group (stored as 0) never matches 0.
	table := newGroupTable([]vector.Type{vector.Int8, vector.Timestamp})
	steps := []struct {
		a, b []any
		want []int32
	}{
		{[]any{nil, int64(1), int64(1)}, []any{vector.TimestampValue(0), vector.TimestampValue(0), nil}, []int32{0, 1, 2}},
		{[]any{int64(0), int64(1), int64(1), int64(1)}, []any{vector.TimestampValue(0), vector.TimestampValue(0), vector.TimestampValue(5), vector.TimestampValue(0)}, []int32{3, 1, 4, 1}},
		{[]any{int64(1), nil}, []any{nil, vector.TimestampValue(0)}, []int32{2, 0}},
	}
	for s, step := range steps {
		ids := make([]int32, len(step.a))
		table.insert([]arrow.Array{col(vector.Int8, step.a...), col(vector.Timestamp, step.b...)}, len(ids), ids)
		if !slices.Equal(ids, step.want) {
			t.Errorf("step %d: ids %v, want %v", s, ids, step.want)
		}
	}
	ids := make([]int32, 2)
	table.lookup([]arrow.Array{col(vector.Int8, int64(1), int64(0)), col(vector.Timestamp, vector.TimestampValue(5), vector.TimestampValue(5))}, 2, ids)
	if want := []int32{4, -1}; !slices.Equal(ids, want) {
		t.Errorf("lookup: ids %v, want %v", ids, want)
	}
}

// TestGroupTableNullGroupOnProbePath puts the NULL group in the slot where
// the probe for key 0 starts (as a hash collision would): the fixed-key
// path must step over it, because a NULL group's stored value is also 0.
func TestGroupTableNullGroupOnProbePath(t *testing.T) {
	for _, typ := range []vector.Type{vector.Int8, vector.Int4} {
		table := newGroupTable([]vector.Type{typ})
		ids := make([]int32, 1)
		table.insert([]arrow.Array{col(typ, nil)}, 1, ids)
		zero := []arrow.Array{col(typ, intDatum(typ, 0))}
		h := make([]uint64, 1)
		vector.HashColumns(zero, []vector.Type{typ}, 1, h)
		clear(table.slots)
		table.slots[h[0]&table.mask] = 1 // group 0, the NULL key
		table.lookup(zero, 1, ids)
		if ids[0] != -1 {
			t.Errorf("%s: lookup of 0 found group %d, want none", typ, ids[0])
		}
		table.insert(zero, 1, ids)
		if ids[0] != 1 {
			t.Errorf("%s: insert of 0 gave group %d, want new group 1", typ, ids[0])
		}
	}
}

// TestGroupTableGrows inserts enough distinct keys to grow the slots many
// times and checks that every key keeps its group.
func TestGroupTableGrows(t *testing.T) {
	const n = 100_000
	vals := make([]any, n)
	for i := range vals {
		vals[i] = int64(i * 7919)
	}
	keys := []arrow.Array{col(vector.Int8, vals...)}
	table := newGroupTable([]vector.Type{vector.Int8})
	ids := make([]int32, n)
	table.insert(keys, n, ids)
	table.lookup(keys, n, ids)
	for i, g := range ids {
		if g != int32(i) {
			t.Fatalf("key %d: group %d, want %d", vals[i], g, i)
		}
	}
	if table.len() != n {
		t.Errorf("%d groups, want %d", table.len(), n)
	}
}

// intDatum is v as a Datum of integer type t.
func intDatum(t vector.Type, v int64) vector.Datum {
	switch t.Kind {
	case vector.KindInt2:
		return int16(v)
	case vector.KindInt4:
		return int32(v)
	}
	return v
}
