package operators

import "testing"

func TestPagesKeepValues(t *testing.T) {
	// Values survive the growth of the first page and the adding of
	// pages, whether the array grows one element at a time or in jumps.
	var p pages[int64]
	for _, n := range []int{1, 3, 100, 1 << pageBits, 1<<pageBits + 1, 3<<pageBits + 7} {
		for i := p.len(); i < n; i++ {
			p.extend(i + 1)
			*p.at(int32(i)) = int64(i) * 7
		}
	}
	var q pages[int64]
	q.extend(5<<pageBits + 1) // one jump
	*q.at(5 << pageBits) = 1
	for i := range int32(p.len()) {
		if *p.at(i) != int64(i)*7 {
			t.Fatalf("element %d is %d, want %d", i, *p.at(i), int64(i)*7)
		}
	}
	if p.len() != 3<<pageBits+7 || q.len() != 5<<pageBits+1 || *q.at(5 << pageBits) != 1 || *q.at(0) != 0 {
		t.Errorf("lengths %d, %d; q's last %d, first %d", p.len(), q.len(), *q.at(5 << pageBits), *q.at(0))
	}
}
