package storage

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/cockroachdb/pebble/v2"
	"github.com/runneldb/runnel/vector"
)

// maxGroup bounds how many commits share one Pebble batch.
const maxGroup = 512

// commitReq is a transaction handed to the committer, with its change
// batches already encoded.
type commitReq struct {
	changes []tableChange
	state   []StateEntry // written in the same batch
	done    chan error
	seq     uint64 // set by the committer
}

// tableChange is a transaction's change to one table, ready to log and apply.
type tableChange struct {
	tt      *txnTable
	ch      change
	parts   [][]byte        // encoded log parts: deletions first, then insertions
	deleted []*vector.Batch // the deleted rows' values, weight -1
}

var errClosed = errors.New("storage: store is closed")

// Commit makes the transaction's changes durable and visible. It fails with
// 40001 when a row it deleted was deleted by a commit after its snapshot,
// and with 23505 when a commit after its checks inserted one of its keys;
// then nothing of it is applied. A transaction without changes commits
// without I/O.
func (x *Txn) Commit() error {
	if x.done {
		return errFinished
	}
	x.done = true
	var changes []tableChange
	for _, tt := range x.tables {
		if tc, ok := tt.prepare(); ok {
			changes = append(changes, tc)
		}
	}
	x.tables = nil
	if len(changes) == 0 && len(x.stateSets) == 0 {
		return nil
	}
	if f := x.s.failed.Load(); f != nil {
		return *f
	}
	req := &commitReq{changes: changes, state: x.stateSets, done: make(chan error, 1)}
	select {
	case x.s.commits <- req:
	case <-x.s.stop:
		return errClosed
	}
	select {
	case err := <-req.done:
		if err == nil {
			x.committed = req.seq
		}
		return err
	case <-x.s.stopped:
		select { // answered just before the syncer stopped?
		case err := <-req.done:
			return err
		default:
			return errClosed
		}
	}
}

// prepare gathers the live inserted rows into chunks and encodes the log
// parts. It reports false when tt changes nothing.
func (tt *txnTable) prepare() (tableChange, bool) {
	tc := tableChange{tt: tt}
	tc.ch.dels = tt.dels
	if len(tt.dels) > 0 {
		chunks := tt.t.snapshotChunks()
		for lo := 0; lo < len(tt.dels); lo += maxPartRows {
			ids := tt.dels[lo:min(lo+maxPartRows, len(tt.dels))]
			cols := gatherRows(chunks, ids, len(tt.t.types))
			tc.parts = append(tc.parts, encodePart(nil, cols, len(ids), ids))
			tc.deleted = append(tc.deleted, deletions(cols, len(ids)))
		}
	}
	if tt.t.idx != nil && tt.nDead > 0 {
		tc.ch.hashes = make([]uint64, 0, tt.nIns-tt.nDead)
	}
	var pieces [][]arrow.Array
	rows := 0
	flush := func() {
		if rows == 0 {
			return
		}
		cols := concatPieces(pieces)
		tc.ch.ins = append(tc.ch.ins, cols)
		tc.ch.insN = append(tc.ch.insN, rows)
		tc.parts = append(tc.parts, encodePart(nil, cols, rows, nil))
		pieces, rows = nil, 0
	}
	for bi, b := range tt.ins {
		cols, n := b.Cols, b.Len
		if tt.nDead > 0 {
			var live []int32
			for i := range n {
				k := tt.insOff[bi] + i
				if !tt.insDead[k] {
					live = append(live, int32(i))
					if tc.ch.hashes != nil {
						tc.ch.hashes = append(tc.ch.hashes, tt.hashes[k])
					}
				}
			}
			if len(live) < n {
				cols, n = vector.TakeColumns(cols, live), len(live)
			}
		}
		for lo := 0; lo < n; {
			hi := min(n, lo+maxPartRows-rows)
			pieces = append(pieces, sliceColumns(cols, lo, hi, n))
			rows += hi - lo
			lo = hi
			if rows == maxPartRows {
				flush()
			}
		}
	}
	flush()
	if tt.t.idx != nil && tt.nDead == 0 {
		tc.ch.hashes = tt.hashes
	}
	return tc, len(tc.parts) > 0
}

// gatherRows returns the values of committed rows ids as new columns.
func gatherRows(chunks []*chunk, ids []RowID, ncols int) []arrow.Array {
	pieces := make([][]arrow.Array, 0, 1)
	for lo := 0; lo < len(ids); {
		c, _, _ := locate(chunks, ids[lo])
		var idx []int32
		hi := lo
		for ; hi < len(ids) && ids[hi] >= c.start && ids[hi] < c.start+RowID(c.n); hi++ {
			idx = append(idx, int32(ids[hi]-c.start))
		}
		pieces = append(pieces, vector.TakeColumns(c.cols, idx))
		lo = hi
	}
	if len(pieces) == 0 {
		return make([]arrow.Array, ncols)
	}
	return concatPieces(pieces)
}

func sliceColumns(cols []arrow.Array, lo, hi, n int) []arrow.Array {
	if lo == 0 && hi == n {
		return cols
	}
	out := make([]arrow.Array, len(cols))
	for c, a := range cols {
		out[c] = array.NewSlice(a, int64(lo), int64(hi))
	}
	return out
}

// concatPieces concatenates row-wise pieces of the same columns.
func concatPieces(pieces [][]arrow.Array) []arrow.Array {
	if len(pieces) == 1 {
		return pieces[0]
	}
	out := make([]arrow.Array, len(pieces[0]))
	arrs := make([]arrow.Array, len(pieces))
	for c := range out {
		for p := range pieces {
			arrs[p] = pieces[p][c]
		}
		a, err := array.Concatenate(arrs, vector.Mem)
		if err != nil {
			panic(fmt.Sprintf("storage: concatenate: %v", err)) // same types: cannot fail
		}
		out[c] = a
	}
	return out
}

// group is a set of commits written with one synced Pebble batch.
type group struct {
	b       *pebble.Batch
	reqs    []*commitReq
	errs    []error
	last    uint64   // the largest seq in the group, 0 when none
	commits []Commit // the applied commits, for the change feed
}

// committer validates and applies commits in arrival order, gathering them
// into a group until the syncer is free to write it: the group grows for
// as long as the previous group's sync takes. Applied changes stay
// invisible (their seqs are not published) until the syncer has written
// them.
func (s *Store) committer() {
	defer close(s.toSync)
	var g *group
	for {
		commits := s.commits
		var toSync chan<- *group
		if g != nil {
			toSync = s.toSync
			if len(g.reqs) >= maxGroup {
				commits = nil
			}
		}
		select {
		case r := <-commits:
			if g == nil {
				g = &group{b: s.db.NewBatch()}
			}
			s.add(g, r)
		case toSync <- g:
			g = nil
		case <-s.stop:
			if g != nil {
				s.toSync <- g
			}
			return
		}
	}
}

// add validates r and, if it is valid, applies it and adds its log parts
// to g's batch.
func (s *Store) add(g *group, r *commitReq) {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	g.reqs = append(g.reqs, r)
	err := s.validate(r)
	g.errs = append(g.errs, err)
	if err != nil || s.failed.Load() != nil {
		return
	}
	seq := s.nextSeq
	s.nextSeq++
	g.last = seq
	r.seq = seq
	commit := Commit{Seq: seq}
	for _, e := range r.state {
		if err := g.b.Set(stateKey(e.Key), e.Value, nil); err != nil {
			s.fail(err)
		}
	}
	for _, tc := range r.changes {
		t, ok := s.Table(tc.tt.t.id)
		if !ok || t != tc.tt.t {
			continue // dropped meanwhile
		}
		commit.Changes = append(commit.Changes, tc.changes(t.id)...)
		for p, v := range tc.parts {
			if err := g.b.Set(logKey(t.id, seq, uint32(p)), v, nil); err != nil {
				s.fail(err)
			}
		}
		t.mu.Lock()
		err := t.apply(seq, &tc.ch)
		t.mu.Unlock()
		if err != nil {
			s.fail(err)
		}
	}
	g.commits = append(g.commits, commit)
}

// syncer writes each group with one fsync, then publishes its seqs and
// answers its commits, in order.
func (s *Store) syncer() {
	defer close(s.stopped)
	for g := range s.toSync {
		if g.last != 0 && s.failed.Load() == nil {
			err := errors.Join(g.b.Set(keyLastSeq, beAppend(nil, g.last), nil), g.b.Commit(pebble.Sync))
			if err != nil {
				s.fail(fmt.Errorf("storage: commit: %w", err))
			}
			s.nSyncs.Add(1)
		}
		g.b.Close()
		if f := s.failed.Load(); f != nil {
			for _, r := range g.reqs {
				r.done <- *f
			}
			continue
		}
		if g.last != 0 {
			s.publish(g.last)
			if feed := s.feed.Load(); feed != nil {
				for _, c := range g.commits {
					(*feed)(c)
				}
			}
		}
		for i, r := range g.reqs {
			if g.errs[i] == nil {
				s.nCommits.Add(1)
			}
			r.done <- g.errs[i]
		}
	}
}

// fail puts the store in a failed state: memory may hold changes that are
// not durable, so every later commit fails.
func (s *Store) fail(err error) {
	s.failed.CompareAndSwap(nil, &err)
}

// validate checks r against every commit applied so far.
func (s *Store) validate(r *commitReq) error {
	for _, tc := range r.changes {
		tt := tc.tt
		t := tt.t
		for _, id := range tt.dels {
			c, i, ok := locate(t.chunks, id)
			if !ok || c.delSeq(i) != 0 {
				return serializationFailure()
			}
		}
		if t.idx == nil || t.lastSeq <= tt.checkedAt {
			continue
		}
		key, buf := make([]byte, 0, 64), make([]byte, 0, 64)
		for bi, b := range tt.ins {
			for i := range b.Len {
				k := tt.insOff[bi] + i
				if tt.insDead[k] {
					continue
				}
				key = t.key.appendKey(key[:0], b.Cols, i)
				if _, dup := t.liveRow(key, tt.hashes[k], tt.delSet, buf); dup {
					return t.duplicate(b.Cols, b.Len, i)
				}
			}
		}
	}
	return nil
}
