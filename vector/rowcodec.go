package vector

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// The row codec turns one row of typed columns into bytes and back, for
// state that outlives a batch (operator checkpoints). A row is, per column,
// a uvarint: 0 for NULL, else 1 + the length of the value's Postgres binary
// form (see AppendBinary), followed by that form.

// AppendRow appends the encoding of row i of cols (of the given types).
func AppendRow(dst []byte, cols []arrow.Array, types []Type, i int) []byte {
	for c, col := range cols {
		if col.IsNull(i) {
			dst = append(dst, 0)
			continue
		}
		// One byte holds the header of a value of up to 126 bytes: write
		// the value after it, and move the value only for a longer header.
		mark := len(dst)
		dst = AppendBinary(append(dst, 0), col, types[c], i)
		n := uint64(len(dst) - mark - 1)
		if n+1 < 0x80 {
			dst[mark] = byte(n + 1)
			continue
		}
		var hdr [binary.MaxVarintLen64]byte
		h := binary.PutUvarint(hdr[:], n+1)
		dst = append(dst, hdr[:h-1]...) // room for the longer header
		copy(dst[mark+h:], dst[mark+1:mark+1+int(n)])
		copy(dst[mark:], hdr[:h])
	}
	return dst
}

// DecodeRow decodes one row encoded by AppendRow into one Datum per type and
// returns the bytes after it.
func DecodeRow(src []byte, types []Type, row []Datum) ([]byte, error) {
	for c, t := range types {
		n, k := binary.Uvarint(src)
		if k <= 0 || n > uint64(len(src)-k)+1 {
			return nil, fmt.Errorf("vector: corrupt row encoding")
		}
		src = src[k:]
		if n == 0 {
			row[c] = nil
			continue
		}
		d, err := DecodeBinary(src[:n-1], t)
		if err != nil {
			return nil, fmt.Errorf("vector: corrupt row encoding: %w", err)
		}
		row[c] = d
		src = src[n-1:]
	}
	return src, nil
}
