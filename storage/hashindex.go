package storage

// hashIndex maps key hashes to rows. Nearly every hash has one row, kept in
// one (no allocation per row); the rare further rows with the same hash (a
// hash collision, or for a moment an old and a new row of one key) are in
// more. The index does not compare keys: callers check each candidate.
type hashIndex struct {
	one  map[uint64]RowID
	more map[uint64][]RowID
}

func newHashIndex() *hashIndex {
	return &hashIndex{one: make(map[uint64]RowID), more: make(map[uint64][]RowID)}
}

func (x *hashIndex) add(h uint64, r RowID) {
	if _, ok := x.one[h]; ok {
		x.more[h] = append(x.more[h], r)
		return
	}
	x.one[h] = r
}

// remove removes row r of hash h, if present.
func (x *hashIndex) remove(h uint64, r RowID) {
	m := x.more[h]
	if first, ok := x.one[h]; ok && first == r {
		if len(m) == 0 {
			delete(x.one, h)
			return
		}
		x.one[h] = m[len(m)-1]
	} else if i := indexOf(m, r); i >= 0 {
		m[i] = m[len(m)-1]
	} else {
		return
	}
	if len(m) == 1 {
		delete(x.more, h)
	} else {
		x.more[h] = m[:len(m)-1]
	}
}

func indexOf(m []RowID, r RowID) int {
	for i, x := range m {
		if x == r {
			return i
		}
	}
	return -1
}

// find returns the first row of hash h for which match is true.
func (x *hashIndex) find(h uint64, match func(RowID) bool) (RowID, bool) {
	if r, ok := x.one[h]; ok {
		if match(r) {
			return r, true
		}
		for _, r := range x.more[h] {
			if match(r) {
				return r, true
			}
		}
	}
	return 0, false
}
