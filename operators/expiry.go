package operators

import (
	"container/heap"
)

// expiry indexes an operator's state entries (groups, partitions, rows) by
// the value of a column with a Bound (a window start, an event time), so
// that when the watermark advances the operator finds the entries it may
// close and forget.
//
// Invariants: byValue[v] lists the entries added with value v and not yet
// expired; values holds each key of byValue once, as a min-heap. An entry
// may be listed after the operator dropped it for another reason: the
// operator checks what it is handed.
type expiry struct {
	bound   Bound
	byValue map[int64][]int32
	values  int64Heap
}

func newExpiry(b Bound) *expiry {
	return &expiry{bound: b, byValue: map[int64][]int32{}}
}

// add indexes entry id under value v.
func (e *expiry) add(v int64, id int32) {
	ids, ok := e.byValue[v]
	if !ok {
		heap.Push(&e.values, v)
	}
	e.byValue[v] = append(ids, id)
}

// closed reports whether value v is closed at watermark t.
func (e *expiry) closed(v, t int64) bool { return e.bound.Closed(v, t) }

// expire calls fn with every entry whose value is closed at watermark t,
// in increasing order of value, and forgets them.
func (e *expiry) expire(t int64, fn func(v int64, id int32) error) error {
	limit := e.bound.Of(t)
	for len(e.values) > 0 && e.values[0] < limit {
		v := heap.Pop(&e.values).(int64)
		ids := e.byValue[v]
		delete(e.byValue, v)
		for _, id := range ids {
			if err := fn(v, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// int64Heap is a min-heap of int64 for container/heap.
type int64Heap []int64

func (h int64Heap) Len() int           { return len(h) }
func (h int64Heap) Less(i, j int) bool { return h[i] < h[j] }
func (h int64Heap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *int64Heap) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *int64Heap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
