package storage

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestRecoveryRoundTrip commits inserts, deletes and updates (some spanning
// several log parts), reopens the store, and expects the same rows under the
// same RowIDs, a working primary key index and the same log.
func TestRecoveryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	newTestTable(t, s, 7, []int{0})
	insertRows(t, s, 7, rowsOf(0, maxPartRows+100)) // two parts
	for i := range 20 {                             // small commits, merged into chunks
		insertRows(t, s, 7, rowsOf(maxPartRows+100+i, 1))
	}
	x := s.Begin()
	_, ids := scanAll(t, x, 7)
	if err := x.Delete(7, []RowID{ids[5], ids[maxPartRows+105]}); err != nil {
		t.Fatal(err)
	}
	if err := x.Insert(7, makeBatch(row{5, -1, "updated"})); err != nil {
		t.Fatal(err)
	}
	mustCommit(t, x)
	wantRows, wantIDs := scanAll(t, s.Begin(), 7)
	var wantLog bytes.Buffer
	logSummary(t, s, 7, &wantLog)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, dir)
	defer s.Close()
	gotRows, gotIDs := scanAll(t, s.Begin(), 7)
	if !equalRows(gotRows, wantRows) {
		t.Fatalf("after reopen: %d rows, want %d", len(gotRows), len(wantRows))
	}
	for id, r := range wantIDs {
		if gotIDs[id] != r {
			t.Fatalf("row %d: RowID %d after reopen, was %d", id, gotIDs[id], r)
		}
	}
	var gotLog bytes.Buffer
	logSummary(t, s, 7, &gotLog)
	if gotLog.String() != wantLog.String() {
		t.Fatalf("log after reopen differs:\n%s\nwant\n%s", gotLog.String(), wantLog.String())
	}
	x = s.Begin()
	if err := x.Insert(7, makeBatch(row{5, 0, "dup"})); sqlstate(err) != vector.CodeUniqueViolation {
		t.Fatalf("duplicate after reopen: %v", err)
	}
	if err := x.Insert(7, makeBatch(row{maxPartRows + 105, 0, "reinsert"})); err != nil {
		t.Fatalf("insert of deleted key after reopen: %v", err)
	}
	mustCommit(t, x)
}

func logSummary(t *testing.T, s *Store, id uint64, w *bytes.Buffer) {
	t.Helper()
	err := s.ReadLog(id, 0, func(seq uint64, b *vector.Batch) error {
		rows := batchRows(b)
		fmt.Fprintf(w, "seq %d: %d rows weight %d first %v last %v\n", seq, b.Len, b.Weight(0), rows[0], rows[len(rows)-1])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadLog(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	newTestTable(t, s, 1, nil)
	insertRows(t, s, 1, rowsOf(1, 2))
	mid := s.LastSeq()
	x := s.Begin()
	_, ids := scanAll(t, x, 1)
	x.Delete(1, []RowID{ids[1]})
	x.Insert(1, makeBatch(row{1, 11, "u"}))
	mustCommit(t, x)

	type change struct {
		seq uint64
		r   row
		w   int64
	}
	var got []change
	err := s.ReadLog(1, mid+1, func(seq uint64, b *vector.Batch) error {
		for i, r := range batchRows(b) {
			got = append(got, change{seq, r, b.Weight(i)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []change{{mid + 1, row{1, 10, "s1"}, -1}, {mid + 1, row{1, 11, "u"}, 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ReadLog from %d = %v, want %v", mid+1, got, want)
	}
}

func TestDropTableAndCatalogPersist(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir)
	newTestTable(t, s, 1, nil)
	newTestTable(t, s, 2, nil)
	insertRows(t, s, 1, rowsOf(1, 3))
	insertRows(t, s, 2, rowsOf(1, 3))
	if err := s.DropTable(1); err != nil {
		t.Fatal(err)
	}
	for id, data := range map[uint64]string{3: "three", 1: "one", 2: "two"} {
		if err := s.PutCatalog(id, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteCatalog(2); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = openStore(t, dir)
	defer s.Close()
	if _, ok := s.Table(1); ok {
		t.Fatal("dropped table 1 is back")
	}
	if err := s.ReadLog(1, 0, nil); err == nil {
		t.Fatal("log of dropped table readable")
	}
	if got, _ := scanAll(t, s.Begin(), 2); !equalRows(got, rowsOf(1, 3)) {
		t.Fatalf("table 2: %v", got)
	}
	var recs []string
	s.CatalogRecords(func(id uint64, data []byte) error {
		recs = append(recs, fmt.Sprintf("%d=%s", id, data))
		return nil
	})
	if fmt.Sprint(recs) != "[1=one 3=three]" {
		t.Fatalf("catalog records %v", recs)
	}
	// A new table with the old id starts empty.
	newTestTable(t, s, 1, nil)
	if got, _ := scanAll(t, s.Begin(), 1); len(got) != 0 {
		t.Fatalf("recreated table has %v", got)
	}
}

// TestCrashRecovery runs a child process that commits three-row transactions
// from 8 goroutines and reports each acknowledged commit, kills it with
// SIGKILL mid-stream, reopens the store and expects every acknowledged
// transaction, and every transaction entirely or not at all.
func TestCrashRecovery(t *testing.T) {
	if dir := os.Getenv("RUNNEL_CRASH_DIR"); dir != "" {
		crashChild(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$")
	cmd.Env = append(os.Environ(), "RUNNEL_CRASH_DIR="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[int64]bool{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && len(acked) < 300 {
		id, err := strconv.ParseInt(sc.Text(), 10, 64)
		if err != nil {
			t.Fatalf("child said %q", sc.Text())
		}
		acked[id] = true
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("child acknowledged only %d commits", len(acked))
	}

	s := openStore(t, dir)
	defer s.Close()
	got, _ := scanAll(t, s.Begin(), 1)
	present := map[int64]int{}
	for _, r := range got {
		present[r.id/3*3]++
	}
	for first, n := range present {
		if n != 3 {
			t.Fatalf("transaction %d recovered with %d of its 3 rows", first, n)
		}
	}
	for first := range acked {
		if present[first] != 3 {
			t.Fatalf("acknowledged transaction %d lost", first)
		}
	}
}

// crashChild commits three-row transactions from 8 goroutines forever,
// printing the first id of each acknowledged one.
func crashChild(dir string) {
	s, err := Open(dir)
	if err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	if _, err := s.CreateTable(1, testTypes, []int{0}); err != nil {
		fmt.Println(err)
		os.Exit(2)
	}
	var mu sync.Mutex
	for g := range 8 {
		go func() {
			for i := 0; ; i++ {
				first := g*3_000_000_000 + 3*i
				x := s.Begin()
				x.Insert(1, makeBatch(rowsOf(first, 3)...))
				if x.Commit() == nil {
					mu.Lock()
					fmt.Println(first)
					mu.Unlock()
				}
			}
		}()
	}
	select {}
}

// TestTornCommit writes two commits from a child process that exits without
// Close, cuts the end off the newest WAL file (a crash in the middle of the
// second write), and expects the first commit whole and the second absent.
func TestTornCommit(t *testing.T) {
	if dir := os.Getenv("RUNNEL_TORN_DIR"); dir != "" {
		s, err := Open(dir)
		if err == nil {
			_, err = s.CreateTable(1, testTypes, nil)
		}
		if err != nil {
			fmt.Println(err)
			os.Exit(2)
		}
		insertRows(t, s, 1, rowsOf(0, 10))
		insertRows(t, s, 1, rowsOf(10, 100_000))
		os.Exit(0)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTornCommit$")
	cmd.Env = append(os.Environ(), "RUNNEL_TORN_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	wals, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(wals) == 0 {
		t.Fatal("no WAL file")
	}
	slices.Sort(wals)
	wal := wals[len(wals)-1]
	info, err := os.Stat(wal)
	if err != nil || info.Size() < 1<<20 {
		t.Fatalf("newest WAL %s: %v, %d bytes", wal, err, info.Size())
	}
	if err := os.Truncate(wal, info.Size()-4096); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, dir)
	defer s.Close()
	if got, _ := scanAll(t, s.Begin(), 1); !equalRows(got, rowsOf(0, 10)) {
		t.Fatalf("after torn commit: %d rows, want the first commit's 10", len(got))
	}
}
