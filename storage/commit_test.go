package storage

import (
	"context"
	"sync"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestGroupCommitConcurrent runs 16 committers, each inserting its own keys
// and deleting the row it inserted before, while readers scan. Every
// acknowledged commit is visible to the next Begin of its goroutine, the
// published seq only grows, and the final state holds one row per committer.
func TestGroupCommitConcurrent(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, []int{0})
	const workers, commits = 16, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers+2)
	stop := make(chan struct{})
	for range 2 { // readers: each snapshot has at most one row per worker
		wg.Go(func() {
			last := uint64(0)
			for {
				select {
				case <-stop:
					return
				default:
				}
				x := s.Begin()
				if x.Snapshot() < last {
					errs <- errorf("snapshot went back from %d to %d", last, x.Snapshot())
					return
				}
				last = x.Snapshot()
				n := 0
				x.Scan(context.Background(), 1, false, func(b *vector.Batch, _ []RowID) error { n += b.Len; return nil })
				if n > workers {
					errs <- errorf("snapshot %d sees %d rows", last, n)
					return
				}
			}
		})
	}
	var writers sync.WaitGroup
	for w := range workers {
		writers.Go(func() {
			prev := int64(-1)
			for i := range commits {
				id := int64(w*commits + i)
				x := s.Begin()
				if prev >= 0 {
					ids, err := x.LookupPK(1, keyBatch(prev))
					if err != nil || ids[0] == NoRow {
						errs <- errorf("worker %d: own row %d not visible: %v", w, prev, err)
						return
					}
					x.Delete(1, ids)
				}
				x.Insert(1, makeBatch(row{id, int64(w), "x"}))
				if err := x.Commit(); err != nil {
					errs <- err
					return
				}
				prev = id
			}
		})
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, _ := scanAll(t, s.Begin(), 1)
	if len(got) != workers {
		t.Fatalf("%d rows at the end, want %d", len(got), workers)
	}
	for _, r := range got {
		if r.id != r.v*commits+commits-1 {
			t.Fatalf("worker %d ends with row %d", r.v, r.id)
		}
	}
}

func keyBatch(id int64) *vector.Batch {
	b := makeBatch(row{id: id})
	return vector.NewBatch(b.Cols[:1], 1)
}

// After Close, commits fail instead of hanging, and Close is idempotent.
func TestCommitAfterClose(t *testing.T) {
	s := openStore(t, t.TempDir())
	newTestTable(t, s, 1, nil)
	x := s.Begin()
	if err := x.Insert(1, makeBatch(rowsOf(1, 1)...)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := x.Commit(); err != errClosed {
		t.Fatalf("commit after close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestPublishedWakesWaiters(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, nil)
	seq, advanced := s.Published()
	select {
	case <-advanced:
		t.Fatal("closed before any commit")
	default:
	}
	insertRows(t, s, 1, rowsOf(1, 1))
	<-advanced // would hang if not woken
	if now, _ := s.Published(); now != seq+1 {
		t.Fatalf("published %d after one commit on %d", now, seq)
	}
}
