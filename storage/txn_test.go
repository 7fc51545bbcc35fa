package storage

import (
	"context"
	"testing"

	"github.com/runneldb/runnel/vector"
)

func newTestTable(t *testing.T, s *Store, id uint64, pk []int) {
	t.Helper()
	if _, err := s.CreateTable(id, testTypes, pk); err != nil {
		t.Fatal(err)
	}
}

func TestSnapshotIsolation(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, nil)
	insertRows(t, s, 1, rowsOf(1, 3))

	old := s.Begin()
	insertRows(t, s, 1, rowsOf(4, 2)) // committed after old's snapshot
	if got, _ := scanAll(t, old, 1); !equalRows(got, rowsOf(1, 3)) {
		t.Fatalf("old snapshot sees %v, want rows 1..3", got)
	}

	// Read your writes: own inserts and deletes, before commit.
	x := s.Begin()
	if err := x.Insert(1, makeBatch(rowsOf(10, 1)...)); err != nil {
		t.Fatal(err)
	}
	_, ids := scanAll(t, x, 1)
	if err := x.Delete(1, []RowID{ids[2], ids[10]}); err != nil {
		t.Fatal(err)
	}
	want := append(rowsOf(1, 1), rowsOf(3, 3)...)
	if got, _ := scanAll(t, x, 1); !equalRows(got, want) {
		t.Fatalf("txn sees %v, want %v", got, want)
	}
	// Others do not see x's changes until it commits; old never does.
	if got, _ := scanAll(t, s.Begin(), 1); !equalRows(got, rowsOf(1, 5)) {
		t.Fatalf("concurrent txn sees %v", got)
	}
	mustCommit(t, x)
	if got, _ := scanAll(t, s.Begin(), 1); !equalRows(got, want) {
		t.Fatalf("after commit: %v, want %v", got, want)
	}
	if got, _ := scanAll(t, old, 1); !equalRows(got, rowsOf(1, 3)) {
		t.Fatalf("old snapshot after delete sees %v", got)
	}
}

func TestReadOnlyCommitNoSeq(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, nil)
	before := s.LastSeq()
	x := s.Begin()
	scanAll(t, x, 1)
	mustCommit(t, x)
	if s.LastSeq() != before {
		t.Fatalf("read-only commit advanced seq %d → %d", before, s.LastSeq())
	}
}

func TestPrimaryKeyUniqueness(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, []int{0})
	insertRows(t, s, 1, rowsOf(1, 3))

	cases := []struct {
		name    string
		batches [][]row
		wantErr string // SQLSTATE of the failing last Insert, "" for success
	}{
		{"duplicate of committed row", [][]row{{{2, 0, "x"}}}, vector.CodeUniqueViolation},
		{"duplicate within a batch", [][]row{{{7, 0, "a"}, {7, 1, "b"}}}, vector.CodeUniqueViolation},
		{"duplicate of own insert", [][]row{{{8, 0, "a"}}, {{8, 1, "b"}}}, vector.CodeUniqueViolation},
		{"new keys", [][]row{{{8, 0, "a"}}, {{9, 1, "b"}}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := s.Begin()
			defer x.Rollback()
			var err error
			for _, b := range c.batches {
				if err = x.Insert(1, makeBatch(b...)); err != nil {
					break
				}
			}
			if sqlstate(err) != c.wantErr {
				t.Fatalf("err = %v, want SQLSTATE %q", err, c.wantErr)
			}
		})
	}
}

func TestFailedInsertLeavesNothing(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, []int{0})
	x := s.Begin()
	if err := x.Insert(1, makeBatch(row{5, 0, "a"}, row{6, 0, "b"}, row{5, 1, "c"})); sqlstate(err) != vector.CodeUniqueViolation {
		t.Fatalf("err = %v", err)
	}
	// Keys 5 and 6 of the failed batch are free again.
	if err := x.Insert(1, makeBatch(row{5, 0, "a"}, row{6, 0, "b"})); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, x)
	if got, _ := scanAll(t, s.Begin(), 1); len(got) != 2 {
		t.Fatalf("got %v", got)
	}
}

func TestUpdateKeepsKey(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, []int{0})
	insertRows(t, s, 1, rowsOf(1, 2))
	x := s.Begin()
	_, ids := scanAll(t, x, 1)
	if err := x.Delete(1, []RowID{ids[1]}); err != nil {
		t.Fatal(err)
	}
	if err := x.Insert(1, makeBatch(row{1, 99, "new"})); err != nil {
		t.Fatalf("re-insert of deleted key: %v", err)
	}
	mustCommit(t, x)
	want := []row{{1, 99, "new"}, {2, 20, "s2"}}
	if got, _ := scanAll(t, s.Begin(), 1); !equalRows(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestConcurrentInsertSameKey(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, []int{0})
	a, b := s.Begin(), s.Begin()
	if err := a.Insert(1, makeBatch(row{1, 1, "a"})); err != nil {
		t.Fatal(err)
	}
	if err := b.Insert(1, makeBatch(row{1, 2, "b"})); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, a)
	if err := b.Commit(); sqlstate(err) != vector.CodeUniqueViolation {
		t.Fatalf("second commit: %v, want 23505", err)
	}
	if got, _ := scanAll(t, s.Begin(), 1); !equalRows(got, []row{{1, 1, "a"}}) {
		t.Fatalf("got %v", got)
	}
}

func TestConcurrentDeleteSerializationFailure(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, nil)
	insertRows(t, s, 1, rowsOf(1, 2))
	a, b := s.Begin(), s.Begin()
	_, ids := scanAll(t, a, 1)
	if err := a.Delete(1, []RowID{ids[1]}); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(1, []RowID{ids[1]}); err != nil {
		t.Fatal(err)
	}
	if err := b.Insert(1, makeBatch(row{3, 0, "x"})); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, a)
	if err := b.Commit(); sqlstate(err) != vector.CodeSerializationFailure {
		t.Fatalf("second delete: %v, want 40001", err)
	}
	// Nothing of b is applied: row 3 absent.
	if got, _ := scanAll(t, s.Begin(), 1); !equalRows(got, rowsOf(2, 1)) {
		t.Fatalf("got %v", got)
	}
}

func TestLookupPK(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, []int{0})
	insertRows(t, s, 1, rowsOf(1, 3))
	x := s.Begin()
	if err := x.Insert(1, makeBatch(row{10, 0, "own"})); err != nil {
		t.Fatal(err)
	}
	_, ids := scanAll(t, x, 1)
	if err := x.Delete(1, []RowID{ids[3]}); err != nil {
		t.Fatal(err)
	}
	keys := makeBatch(row{id: 2}, row{id: 3}, row{id: 10}, row{id: 42})
	keys = vector.NewBatch(keys.Cols[:1], keys.Len)
	got, err := x.LookupPK(1, keys)
	if err != nil {
		t.Fatal(err)
	}
	want := []RowID{ids[2], NoRow, ids[10], NoRow}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("LookupPK = %v, want %v", got, want)
		}
	}
	// A key committed after the snapshot cannot be seen: 40001.
	insertRows(t, s, 1, rowsOf(50, 1))
	k50 := makeBatch(row{id: 50})
	if _, err := x.LookupPK(1, vector.NewBatch(k50.Cols[:1], 1)); sqlstate(err) != vector.CodeSerializationFailure {
		t.Fatalf("lookup of concurrently inserted key: %v", err)
	}
}

// The parts of a scan are disjoint and complete even when commits between
// the parts merge chunks.
func TestScanPartsDisjoint(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, nil)
	n := 3*ScanBatchRows + 17
	insertRows(t, s, 1, rowsOf(0, n))
	for i := range 5 {
		insertRows(t, s, 1, rowsOf(n+i, 1))
	}
	x := s.Begin()
	if err := x.Insert(1, makeBatch(rowsOf(n+5, ScanBatchRows+3)...)); err != nil {
		t.Fatal(err)
	}
	total := n + 5 + ScanBatchRows + 3
	seen := make([]int, total+3)
	for p := range 3 {
		err := x.ScanPart(context.Background(), 1, p, 3, false, func(b *vector.Batch, _ []RowID) error {
			for _, r := range batchRows(b) {
				seen[r.id]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		insertRows(t, s, 1, rowsOf(total+p, 1)) // not in x's snapshot
	}
	for id, c := range seen {
		if want := b2i(id < total); c != want {
			t.Fatalf("row %d seen %d times, want %d", id, c, want)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
