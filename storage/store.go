// Package storage keeps runnel's durable state in one Pebble instance per
// data directory: catalog records, table definitions, and for every table an
// append-only log of change batches from which its rows are replayed into
// memory at Open.
//
// Tables live in memory as columnar chunks (Arrow arrays). Transactions see
// a snapshot: the last published commit sequence number. Commits go through
// one committer goroutine that validates them, writes every commit that
// arrived meanwhile in one synced Pebble batch (group commit), applies them
// in memory and only then publishes their sequence numbers, in order.
//
// The log is never compacted: Open replays every change batch since the
// table was created.
package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/runneldb/runnel/vector"
)

// Store is an open data directory. It is safe for concurrent use.
type Store struct {
	db *pebble.DB

	// published is the seq of the last commit visible to new snapshots.
	published atomic.Uint64
	// advanced is closed (and replaced) when published advances.
	advanced atomic.Pointer[chan struct{}]

	// applyMu is held by the committer while it applies a commit and by DDL
	// on tables, so that a table is never dropped halfway through a commit.
	applyMu sync.Mutex
	nextSeq uint64 // the seq the next commit gets; guarded by applyMu

	tablesMu sync.RWMutex
	tables   map[uint64]*Table

	commits chan *commitReq // to the committer
	toSync  chan *group     // from the committer to the syncer
	stop    chan struct{}   // closed by Close
	stopped chan struct{}   // closed when the syncer has answered its last group

	closeOnce sync.Once
	closeErr  error
	failed    atomic.Pointer[error] // set when a write failed: memory and disk may differ

	nCommits, nSyncs atomic.Uint64

	// feed, when set, receives every published commit, in order.
	feed atomic.Pointer[func(Commit)]
}

// Stats counts what the store did since Open.
type Stats struct {
	Commits uint64 // transactions committed with changes
	Syncs   uint64 // synced Pebble batches that wrote them (group commits)
}

// Stats returns the counters.
func (s *Store) Stats() Stats {
	return Stats{Commits: s.nCommits.Load(), Syncs: s.nSyncs.Load()}
}

// tableDef is the persisted definition of a table.
type tableDef struct {
	Types []TypeDef `json:"types"`
	PK    []int     `json:"pk,omitempty"`
}

type quietLogger struct{}

func (quietLogger) Infof(string, ...any)           {}
func (quietLogger) Errorf(string, ...any)          {}
func (quietLogger) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }

// Open opens (creating if needed) the store in dir and replays every table
// log into memory.
func Open(dir string) (*Store, error) {
	db, err := pebble.Open(dir, &pebble.Options{
		FormatMajorVersion: pebble.FormatNewest,
		MemTableSize:       64 << 20,
		Logger:             quietLogger{},
	})
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	s := &Store{db: db, tables: make(map[uint64]*Table),
		commits: make(chan *commitReq, 1024), toSync: make(chan *group),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	c := make(chan struct{})
	s.advanced.Store(&c)
	if err := s.load(); err != nil {
		db.Close()
		return nil, err
	}
	go s.committer()
	go s.syncer()
	return s, nil
}

// load reads the table definitions and replays their logs.
func (s *Store) load() error {
	last := uint64(0) // the last commit's seq
	if v, closer, err := s.db.Get(keyLastSeq); err == nil {
		if len(v) == 8 {
			last = beUint64(v)
		}
		closer.Close()
	} else if !errors.Is(err, pebble.ErrNotFound) {
		return fmt.Errorf("storage: read last seq: %w", err)
	}
	err := s.iterate([]byte{prefixTable}, func(k, v []byte) error {
		var def tableDef
		if err := json.Unmarshal(v, &def); err != nil || len(k) != 9 {
			return fmt.Errorf("storage: corrupt table definition %x: %v", k, err)
		}
		types := make([]vector.Type, len(def.Types))
		for i, d := range def.Types {
			var err error
			if types[i], err = d.Type(); err != nil {
				return err
			}
		}
		t := newTable(beUint64(k[1:]), types, def.PK)
		s.tables[t.id] = t
		return s.replay(t, &last)
	})
	if err != nil {
		return err
	}
	s.published.Store(last)
	s.nextSeq = last + 1
	return nil
}

// replay applies the logged change batches of t in commit order, raising
// *last to the largest seq seen.
func (s *Store) replay(t *Table, last *uint64) error {
	var ch change
	cur := uint64(0)
	flush := func() error {
		err := t.apply(cur, &ch)
		ch = change{}
		return err
	}
	err := s.readLog(t, 0, func(seq uint64, p part) error {
		if seq != cur && cur != 0 {
			if err := flush(); err != nil {
				return err
			}
		}
		cur = max(cur, seq)
		*last = max(*last, seq)
		if p.delIDs != nil {
			ch.dels = append(ch.dels, p.delIDs...)
		} else {
			ch.ins = append(ch.ins, p.cols)
			ch.insN = append(ch.insN, p.n)
		}
		return nil
	})
	if err == nil && cur != 0 {
		err = flush()
	}
	return err
}

// iterate calls fn for every key with the given prefix, in key order. k and
// v are valid only during the call.
func (s *Store) iterate(prefix []byte, fn func(k, v []byte) error) error {
	return s.iterateRange(prefix, prefixEnd(prefix), fn)
}

func (s *Store) iterateRange(lower, upper []byte, fn func(k, v []byte) error) error {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		v, err := it.ValueAndErr()
		if err == nil {
			err = fn(it.Key(), v)
		}
		if err != nil {
			it.Close()
			return err
		}
	}
	return it.Close()
}

// Close stops the committer and closes Pebble. Commits in flight finish
// first; later ones fail. Only the first call does anything.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.stopped
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// PutCatalog durably stores the catalog record id.
func (s *Store) PutCatalog(id uint64, data []byte) error {
	return s.db.Set(idKey(prefixCatalog, id), data, pebble.Sync)
}

// DeleteCatalog durably removes the catalog record id.
func (s *Store) DeleteCatalog(id uint64) error {
	return s.db.Delete(idKey(prefixCatalog, id), pebble.Sync)
}

// CatalogRecords calls fn for every catalog record in id order. data is
// valid only during the call.
func (s *Store) CatalogRecords(fn func(id uint64, data []byte) error) error {
	return s.iterate([]byte{prefixCatalog}, func(k, v []byte) error {
		return fn(beUint64(k[1:]), v)
	})
}

// CreateTable durably creates an empty table with the given column types
// and primary key columns (nil: no primary key).
func (s *Store) CreateTable(id uint64, types []vector.Type, pk []int) (*Table, error) {
	for _, c := range pk {
		if c < 0 || c >= len(types) {
			return nil, fmt.Errorf("storage: table %d: primary key column %d out of range", id, c)
		}
	}
	def := tableDef{PK: pk}
	for _, t := range types {
		def.Types = append(def.Types, DefOf(t))
	}
	data, err := json.Marshal(def)
	if err != nil {
		return nil, err
	}
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if _, ok := s.Table(id); ok {
		return nil, fmt.Errorf("storage: table %d already exists", id)
	}
	// Clear the log range too: a commit that raced with DROP TABLE of a
	// table with this id may have left parts behind.
	b := s.db.NewBatch()
	defer b.Close()
	logPrefix := idKey(prefixLog, id)
	if err := errors.Join(b.Set(idKey(prefixTable, id), data, nil),
		b.DeleteRange(logPrefix, prefixEnd(logPrefix), nil), b.Commit(pebble.Sync)); err != nil {
		return nil, fmt.Errorf("storage: create table %d: %w", id, err)
	}
	t := newTable(id, types, pk)
	s.tablesMu.Lock()
	s.tables[id] = t
	s.tablesMu.Unlock()
	return t, nil
}

// DropTable durably deletes table id and its log. Transactions that wrote
// to it commit without those writes.
func (s *Store) DropTable(id uint64) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	b := s.db.NewBatch()
	defer b.Close()
	logPrefix := idKey(prefixLog, id)
	if err := errors.Join(b.Delete(idKey(prefixTable, id), nil),
		b.DeleteRange(logPrefix, prefixEnd(logPrefix), nil),
		b.Commit(pebble.Sync)); err != nil {
		return fmt.Errorf("storage: drop table %d: %w", id, err)
	}
	s.tablesMu.Lock()
	delete(s.tables, id)
	s.tablesMu.Unlock()
	return nil
}

// Table returns the table with the given id.
func (s *Store) Table(id uint64) (*Table, bool) {
	s.tablesMu.RLock()
	defer s.tablesMu.RUnlock()
	t, ok := s.tables[id]
	return t, ok
}

func (s *Store) table(id uint64) (*Table, error) {
	if t, ok := s.Table(id); ok {
		return t, nil
	}
	return nil, fmt.Errorf("storage: no table %d", id)
}

// ReadLog calls fn for each change batch of table id with commit seq ≥
// fromSeq, in commit order, up to the last published commit. A commit's
// change batch may come in several calls with the same seq (one per part of
// ≤ 64K rows). Deleted rows have weight −1; a batch of only insertions has
// no weights.
func (s *Store) ReadLog(id, fromSeq uint64, fn func(seq uint64, b *vector.Batch) error) error {
	t, err := s.table(id)
	if err != nil {
		return err
	}
	last := s.published.Load()
	return s.readLog(t, fromSeq, func(seq uint64, p part) error {
		if seq > last {
			return errStop
		}
		b := vector.NewBatch(p.cols, p.n)
		if p.delIDs != nil {
			b.Weights = make([]int64, p.n)
			for i := range b.Weights {
				b.Weights[i] = -1
			}
		}
		return fn(seq, b)
	})
}

var errStop = errors.New("stop")

func (s *Store) readLog(t *Table, fromSeq uint64, fn func(seq uint64, p part) error) error {
	err := s.iterateRange(logKey(t.id, fromSeq, 0), prefixEnd(idKey(prefixLog, t.id)), func(k, v []byte) error {
		seq, ok := parseLogKey(k)
		if !ok {
			return fmt.Errorf("storage: corrupt log key %x", k)
		}
		p, err := decodePart(t.dts, v)
		if err != nil {
			return fmt.Errorf("storage: table %d seq %d: %w", t.id, seq, err)
		}
		return fn(seq, p)
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// LastSeq is the seq of the last published commit.
func (s *Store) LastSeq() uint64 { return s.published.Load() }

// Published returns the seq of the last published commit and a channel
// that is closed once a later commit is published: a reader of table logs
// waits on it for new changes.
func (s *Store) Published() (uint64, <-chan struct{}) {
	c := s.advanced.Load()
	return s.published.Load(), *c
}

// publish makes commits up to seq visible and wakes the waiters.
func (s *Store) publish(seq uint64) {
	s.published.Store(seq)
	c := make(chan struct{})
	close(*s.advanced.Swap(&c))
}

func beUint64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

func beAppend(dst []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(dst, v) }

// TableIDs returns the ids of every table.
func (s *Store) TableIDs() []uint64 {
	s.tablesMu.RLock()
	defer s.tablesMu.RUnlock()
	ids := make([]uint64, 0, len(s.tables))
	for id := range s.tables {
		ids = append(ids, id)
	}
	return ids
}
