package operators

import (
	"context"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// RankKind is a ranking window function over the rows of a partition in
// ORDER BY order. Peers are rows equal under ORDER BY (NULLs equal).
type RankKind uint8

const (
	// NoRank computes no rank: rows are only counted by position.
	NoRank RankKind = iota
	// RowNumber is row_number(): 1, 2, 3, … (peers numbered in turn).
	RowNumber
	// Rank is rank(): peers share the position of the first, 1, 1, 3.
	Rank
	// DenseRank is dense_rank(): peers share a number, 1, 1, 2.
	DenseRank
)

func (k RankKind) String() string {
	return [...]string{"", "row_number", "rank", "dense_rank"}[k]
}

// ranker numbers the rows of one partition, taken in order. The zero
// ranker (with its kind set) starts a partition.
type ranker struct {
	kind RankKind
	pos  int64 // rows numbered so far
	rank int64 // rank of the current peer group (Rank, DenseRank)
}

// next returns the rank of the next n equal rows; under NoRank and
// RowNumber that of the first of them, the others following one apart.
// peer reports whether they are peers of the rows before them.
func (r *ranker) next(n int64, peer bool) int64 {
	switch r.kind {
	case Rank:
		if !peer {
			r.rank = r.pos + 1
		}
	case DenseRank:
		if !peer {
			r.rank++
		}
	default:
		r.rank = r.pos + 1
	}
	r.pos += n
	return r.rank
}

// rankWindow materializes its input, orders it by partition then ORDER
// BY, and appends to each row its rank within its partition.
type rankWindow struct {
	in        Operator
	partition []int
	order     []SortKey
	rank      RankKind
}

// NewRankWindow emits every row of in with an int8 column appended: the
// row's row_number(), rank() or dense_rank() OVER (PARTITION BY partition
// ORDER BY order), as Postgres computes them. Rows come out ordered by the
// partition columns, then by order; row_number() numbers peers in input
// order.
func NewRankWindow(in Operator, partition []int, order []SortKey, rank RankKind) Operator {
	return &rankWindow{in: in, partition: partition, order: order, rank: rank}
}

func (w *rankWindow) Types() []vector.Type {
	return append(slices.Clip(w.in.Types()), vector.Int8)
}

func (w *rankWindow) Run(ctx context.Context, out chan<- Message) error {
	types := w.in.Types()
	batches, err := collect(ctx, w.in)
	if err != nil {
		return err
	}
	keys := make([]SortKey, 0, len(w.partition)+len(w.order))
	for _, c := range w.partition {
		keys = append(keys, SortKey{Col: c})
	}
	keys = append(keys, w.order...)
	cols, n, err := sortedColumns(types, batches, keys)
	if err != nil {
		return err
	}
	orderCols := make([]int, len(w.order))
	for k, key := range w.order {
		orderCols[k] = key.Col
	}
	ranks := make([]int64, n)
	var r ranker
	for i := range ranks {
		if i == 0 || !equalOn(cols, types, w.partition, i-1, i) {
			r = ranker{kind: w.rank}
			ranks[i] = r.next(1, false)
			continue
		}
		ranks[i] = r.next(1, equalOn(cols, types, orderCols, i-1, i))
	}
	return sendSliced(ctx, out, append(cols, fixedColumn(vector.Int8, ranks, nil)), n)
}

// equalOn reports whether rows i and j of cols are equal in the columns
// keys (NULLs equal).
func equalOn(cols []arrow.Array, types []vector.Type, keys []int, i, j int) bool {
	for _, c := range keys {
		if !vector.EqualAt(cols[c], i, cols[c], j, types[c]) {
			return false
		}
	}
	return true
}
