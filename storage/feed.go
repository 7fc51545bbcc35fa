package storage

import (
	"cmp"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// Commit is a published commit as a change feed sees it: for each table it
// changed, the rows it deleted (weight -1) and inserted (weight +1).
type Commit struct {
	Seq     uint64
	Changes []Change
}

// Change is a batch of changes to one table.
type Change struct {
	Table uint64
	Batch *vector.Batch
}

// changes lists tc's change batches to table id: deletions, then
// insertions.
func (tc *tableChange) changes(id uint64) []Change {
	var out []Change
	for _, b := range tc.deleted {
		out = append(out, Change{Table: id, Batch: b})
	}
	for p, cols := range tc.ch.ins {
		out = append(out, Change{Table: id, Batch: vector.NewBatch(cols, tc.ch.insN[p])})
	}
	return out
}

// deletions is the batch of n deleted rows cols, each of weight -1.
func deletions(cols []arrow.Array, n int) *vector.Batch {
	b := vector.NewBatch(cols, n)
	b.Weights = make([]int64, n)
	for i := range b.Weights {
		b.Weights[i] = -1
	}
	return b
}

// SetFeed makes fn receive every commit published from now on, in commit
// order, from the goroutine that publishes them: fn must not block.
func (s *Store) SetFeed(fn func(Commit)) { s.feed.Store(&fn) }

// ReadCommits calls fn, in commit order, with the commits in (from, to]
// that changed any of tables, as their logs hold them.
func (s *Store) ReadCommits(tables []uint64, from, to uint64, fn func(Commit) error) error {
	bySeq := map[uint64]*Commit{}
	for _, id := range tables {
		err := s.ReadLog(id, from+1, func(seq uint64, b *vector.Batch) error {
			if seq > to {
				return errStop
			}
			c := bySeq[seq]
			if c == nil {
				c = &Commit{Seq: seq}
				bySeq[seq] = c
			}
			c.Changes = append(c.Changes, Change{Table: id, Batch: b})
			return nil
		})
		if err != nil {
			return err
		}
	}
	commits := make([]*Commit, 0, len(bySeq))
	for _, c := range bySeq {
		commits = append(commits, c)
	}
	slices.SortFunc(commits, func(a, b *Commit) int { return cmp.Compare(a.Seq, b.Seq) })
	for _, c := range commits {
		if err := fn(*c); err != nil {
			return err
		}
	}
	return nil
}
