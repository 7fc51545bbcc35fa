package vector

import "fmt"

// Checksum sums up a multiset of rows so that two runs can be compared
// without keeping the rows: each row is hashed over all its columns
// (HashColumns, which hashes by value: int2/int4/int8 alike, numerics
// by value), and the hashes, each times the row's weight, are added up
// modulo 2^64. Equal multisets give equal checksums whatever the order or
// batching of their rows, and a retraction cancels the insertion it
// retracts, so the changes of an updating query sum to the checksum of its
// final result.
type Checksum struct {
	// Rows is the sum of the weights: the number of rows of the result.
	Rows int64 `json:"rows"`
	// Sum is the sum of the weighted row hashes.
	Sum uint64 `json:"sum"`

	hashes []uint64
}

// Add adds the rows of b, whose columns have the given types.
func (c *Checksum) Add(b *Batch, types []Type) {
	if b.Len == 0 {
		return
	}
	if cap(c.hashes) < b.Len {
		c.hashes = make([]uint64, b.Len)
	}
	h := c.hashes[:b.Len]
	HashColumns(b.Cols, types, b.Len, h)
	if b.Weights == nil {
		for _, v := range h {
			c.Sum += v
		}
		c.Rows += int64(b.Len)
		return
	}
	for i, v := range h {
		w := b.Weights[i]
		c.Sum += uint64(w) * v
		c.Rows += w
	}
}

// Merge adds the rows summed in o.
func (c *Checksum) Merge(o *Checksum) {
	c.Rows += o.Rows
	c.Sum += o.Sum
}

// String shows the checksum as rows/hex sum.
func (c Checksum) String() string { return fmt.Sprintf("%d/%016x", c.Rows, c.Sum) }

// Equal reports whether c and o sum up the same multiset.
func (c Checksum) Equal(o Checksum) bool { return c.Rows == o.Rows && c.Sum == o.Sum }
