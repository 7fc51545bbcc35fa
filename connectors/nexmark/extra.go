package nexmark

// The extra column pads a record with random letters: about 200 bytes for a
// person, 500 for an auction, 100 for a bid. The extras of consecutive
// rows of a table are consecutive windows of the padding buffer, so the
// extra column of a batch of consecutive rows is one window of it, shared
// instead of copied.
//
// Row j's extra (j = row + the seed's shift) has length lens[j % extraPeriod]
// and starts at S(j) mod paddingPeriod, S(j) being the sum of the lengths
// of rows 0 .. j-1: a function of j alone, so every read of the row sees
// the same bytes whatever batch it falls in.

// extraPeriod is the period of the extra lengths, in rows.
const extraPeriod = 4096

// lensKey is the origin of the draws of the extra lengths.
const lensKey = 0x6c656e67746873 // "lengths"

// extraLayout is the lengths of the extras of a kind: size ± 20%.
// Invariant: prefix[i] is the sum of lens[:i], and every length is below
// maxExtraSize.
type extraLayout struct {
	lens   [extraPeriod]int32
	prefix [extraPeriod + 1]int64
}

// newExtraLayout makes the lengths of extras of about size bytes: uniform
// in [size - size/5, size + size/5).
func newExtraLayout(size int) *extraLayout {
	l := &extraLayout{}
	d := int64(size / 5)
	for i := range extraPeriod {
		l.lens[i] = int32(int64(size) - d + below(draw(lensKey, int64(i), 0), 2*d))
		l.prefix[i+1] = l.prefix[i] + int64(l.lens[i])
	}
	return l
}

// start is the offset in the padding of the extra of row j: S(j) mod
// paddingPeriod.
func (l *extraLayout) start(j uint64) int {
	const m = paddingPeriod
	periods := j / extraPeriod % m
	perPeriod := uint64(l.prefix[extraPeriod]) % m
	return int((periods*perPeriod + uint64(l.prefix[j%extraPeriod])) % m)
}

// fill makes dst the extras of the rows of b, for a generator whose seed
// shifts rows by shift. The extras of consecutive rows being consecutive
// in the padding, the column of a block of consecutive rows is a window of
// it; that of another block (a split's, which skips the other splits'
// epochs) is a copy of the window of each run of consecutive rows.
func (l *extraLayout) fill(b *rowBlock, shift uint64, dst *textColumn) {
	var end int32
	for _, r := range b.rows {
		end += l.lens[(uint64(r)+shift)%extraPeriod]
		dst.offs = append(dst.offs, end)
	}
	n := len(b.rows)
	if n == 0 {
		return
	}
	pad := padding()
	if b.rows[n-1]-b.rows[0] == int64(n-1) {
		s := l.start(uint64(b.rows[0]) + shift)
		dst.data = pad[s : s+int(end)]
		return
	}
	dst.data = make([]byte, end)
	for i := 0; i < n; {
		k := i + 1
		for k < n && b.rows[k] == b.rows[k-1]+1 {
			k++
		}
		s := l.start(uint64(b.rows[i]) + shift)
		copy(dst.data[dst.offs[i]:dst.offs[k]], pad[s:])
		i = k
	}
}
