package vector

import (
	"bytes"
	"cmp"

	"github.com/apache/arrow-go/v18/arrow"
)

// Array order and hashing, as Postgres' array_cmp: element by element in
// the element type's order, a NULL element equal to another NULL and
// greater than any value; when one array is a prefix of the other the
// shorter comes first; arrays with the same elements order by their first
// index. Equality is array_eq: the same elements (NULLs equal) from the
// same first index.

// compareArrays orders two arrays of the same element type.
func compareArrays(elem Type, a, b arrayVal) int {
	n := min(a.n(), b.n())
	for i := 0; i < n; i++ {
		an, bn := a.elems.IsNull(i), b.elems.IsNull(i)
		switch {
		case an && bn:
			continue
		case an:
			return 1
		case bn:
			return -1
		}
		if c := CompareAt(a.elems, i, b.elems, i, elem); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.n(), b.n()); c != 0 || n == 0 {
		return c
	}
	return cmp.Compare(a.lower, b.lower)
}

// CompareArrayText orders two stored values of array type t (their
// canonical texts).
func CompareArrayText(t Type, a, b []byte) int { return compareArrayText(t, string(a), string(b)) }

// compareArrayText orders two stored values of array type t.
func compareArrayText(t Type, a, b string) int {
	if a == b {
		return 0
	}
	x, errA := decodeArray(t, a)
	y, errB := decodeArray(t, b)
	if errA != nil || errB != nil {
		return cmp.Compare(a, b)
	}
	return compareArrays(t.ElemType(), x, y)
}

// hashArrayColumn mixes the arrays of arr (of type t) into hashes: the
// number of elements, the first index of a non-empty array and each
// element's hash as HashColumn computes it for the element type, so that
// arrays compareArrays finds equal hash equal.
func hashArrayColumn(arr arrow.Array, t Type, hashes []uint64) {
	offs, data := RawBytes(arr)
	elem := t.ElemType()
	for i := range hashes {
		if arr.IsNull(i) {
			continue
		}
		a, err := decodeArray(t, string(data[offs[i]:offs[i+1]]))
		if err != nil {
			continue
		}
		h := mix(hashes[i], uint64(a.n()))
		if a.n() > 0 {
			h = mix(h, uint64(a.lower))
			eh := make([]uint64, a.n())
			HashColumn(a.elems, elem, eh)
			for _, v := range eh {
				h = mix(h, v)
			}
		}
		hashes[i] = h
	}
}

// arrayComparator is Comparator for a column of arrays of type t: each row
// is taken apart once, when first compared.
func arrayComparator(arr arrow.Array, t Type) func(i, j int) int {
	offs, data := RawBytes(arr)
	vals := make([]arrayVal, arr.Len())
	done := make([]bool, arr.Len())
	at := func(i int) (arrayVal, bool) {
		if !done[i] {
			v, err := decodeArray(t, string(data[offs[i]:offs[i+1]]))
			if err != nil {
				return arrayVal{}, false
			}
			vals[i], done[i] = v, true
		}
		return vals[i], true
	}
	elem := t.ElemType()
	return func(i, j int) int {
		a, okA := at(i)
		b, okB := at(j)
		if !okA || !okB {
			return bytes.Compare(data[offs[i]:offs[i+1]], data[offs[j]:offs[j+1]])
		}
		return compareArrays(elem, a, b)
	}
}
