package storage

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Operator state of the dataflows lives under its own prefix; a checkpoint
// writes the state entries that changed since the previous one together
// with its manifest, in one synced batch, so that the stored state is
// always that of the last complete checkpoint.

// StateEntry is one state key to set (Value non-nil) or delete (Value nil).
type StateEntry struct {
	Key, Value []byte
}

func stateKey(k []byte) []byte {
	return append([]byte{prefixState}, k...)
}

// WriteCheckpoint atomically and durably applies entries and records
// manifest as the last complete checkpoint.
func (s *Store) WriteCheckpoint(entries []StateEntry, manifest []byte) error {
	b := s.db.NewBatch()
	defer b.Close()
	for _, e := range entries {
		var err error
		if e.Value == nil {
			err = b.Delete(stateKey(e.Key), nil)
		} else {
			err = b.Set(stateKey(e.Key), e.Value, nil)
		}
		if err != nil {
			return fmt.Errorf("storage: checkpoint: %w", err)
		}
	}
	if err := b.Set(keyCheckpoint, manifest, nil); err != nil {
		return fmt.Errorf("storage: checkpoint: %w", err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("storage: checkpoint: %w", err)
	}
	return nil
}

// Manifest returns the manifest of the last complete checkpoint, nil when
// there is none.
func (s *Store) Manifest() ([]byte, error) {
	v, closer, err := s.db.Get(keyCheckpoint)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("storage: read checkpoint manifest: %w", err)
	}
	defer closer.Close()
	return append([]byte(nil), v...), nil
}

// LoadState calls fn with each state entry under prefix, in key order, the
// prefix removed. key and value are valid only during the call.
func (s *Store) LoadState(prefix []byte, fn func(key, value []byte) error) error {
	p := stateKey(prefix)
	return s.iterate(p, func(k, v []byte) error { return fn(k[len(p):], v) })
}

// DeleteState durably removes every state entry under prefix.
func (s *Store) DeleteState(prefix []byte) error {
	p := stateKey(prefix)
	return s.db.DeleteRange(p, prefixEnd(p), pebble.Sync)
}

// StatePrefixes calls fn with each distinct first n bytes (after the
// state prefix) of the state keys: the dataflows that have state. It skips
// from one prefix to the next without reading the keys between.
func (s *Store) StatePrefixes(n int, fn func(prefix []byte) error) error {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixState}, UpperBound: []byte{prefixState + 1}})
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); {
		k := it.Key()[1:]
		if len(k) < n {
			it.Next()
			continue
		}
		p := append([]byte(nil), k[:n]...)
		if err := fn(p); err != nil {
			it.Close()
			return err
		}
		it.SeekGE(prefixEnd(stateKey(p)))
	}
	return it.Close()
}
