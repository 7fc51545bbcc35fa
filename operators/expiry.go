package operators

// expiry indexes an operator's state entries (groups, partitions, rows) by
// the value of a column with a Bound (a window start, an event time), so
// that when the watermark advances the operator finds the entries it may
// close and forget.
//
// Invariant: heap is a binary min-heap by value of the entries added and
// not yet expired. An entry may be listed after the operator dropped it
// for another reason: the operator checks what it is handed.
type expiry struct {
	bound Bound
	heap  []expiryEntry
}

type expiryEntry struct {
	v  int64
	id int32
}

func newExpiry(b Bound) *expiry { return &expiry{bound: b} }

// len is the number of entries listed.
func (e *expiry) len() int { return len(e.heap) }

// add indexes entry id under value v.
func (e *expiry) add(v int64, id int32) {
	e.heap = append(e.heap, expiryEntry{v, id})
	h := e.heap
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p].v <= h[i].v {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

// closed reports whether value v is closed at watermark t.
func (e *expiry) closed(v, t int64) bool { return e.bound.Closed(v, t) }

// closing reports whether watermark t closes any entry listed.
func (e *expiry) closing(t int64) bool { return len(e.heap) > 0 && e.heap[0].v < e.bound.Of(t) }

// expire calls fn with every entry whose value is closed at watermark t,
// in increasing order of value, and forgets them.
func (e *expiry) expire(t int64, fn func(v int64, id int32) error) error {
	limit := e.bound.Of(t)
	for len(e.heap) > 0 && e.heap[0].v < limit {
		top := e.pop()
		if err := fn(top.v, top.id); err != nil {
			return err
		}
	}
	return nil
}

// pop removes and returns the entry of least value.
func (e *expiry) pop() expiryEntry {
	h := e.heap
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l, least := 2*i+1, i
		if l < n && h[l].v < h[least].v {
			least = l
		}
		if r := l + 1; r < n && h[r].v < h[least].v {
			least = r
		}
		if least == i {
			break
		}
		h[i], h[least] = h[least], h[i]
		i = least
	}
	e.heap = h
	return top
}
