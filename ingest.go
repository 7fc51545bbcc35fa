package runnel

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/connectors"
	"github.com/runneldb/runnel/connectors/source"
	"github.com/runneldb/runnel/vector"
)

// ingest stores what the connector of a table reads (CREATE TABLE … WITH
// (connector = …) without a type) into the table, for as long as the
// table exists. Chunks are written in transactions of a few at a time;
// each transaction also records, under the table's ingest key, the
// position of every split it reached and the malformed records skipped so
// far. So what is stored and where reading resumes after a restart never
// disagree: a crash neither loses a record nor stores one twice.
type ingest struct {
	db     *DB
	t      *catalog.Table
	cancel context.CancelFunc
	done   chan struct{} // closed once the ingest stopped
	// chunks carries what the source read to the writer; written is
	// closed once the writer stopped taking them.
	chunks  chan source.Chunk
	written chan struct{}

	rows    atomic.Int64 // rows stored since the start
	skipped atomic.Int64 // as recorded with the positions
	status  sourceStatus

	mu  sync.Mutex
	err error // why it stopped; nil while it runs
}

// ingestBatch bounds a transaction of an ingest: how many chunks the
// writer takes at once when they are waiting.
const ingestBatch = 256

// ingestKey is the state key of table id's positions.
func ingestKey(id uint32) []byte {
	return binary.BigEndian.AppendUint32(stateID(id), ^uint32(1))
}

// startIngest starts reading the connector of table t into it, resuming
// from the positions stored.
func (db *DB) startIngest(t *catalog.Table) error {
	in, err := connectors.OpenSource(t.Options, connectorColumns(t))
	if err != nil {
		return err
	}
	from, skipped, err := db.ingestPositions(t.ID)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &ingest{db: db, t: t, cancel: cancel, done: make(chan struct{}),
		chunks: make(chan source.Chunk, ingestBatch), written: make(chan struct{})}
	g.skipped.Store(skipped)
	db.ingestMu.Lock()
	db.ingests[t.ID] = g
	db.ingestMu.Unlock()
	read := make(chan error, 1)
	go func() {
		err := in.Read(ctx, from, g)
		close(g.chunks)
		read <- err
	}()
	go func() {
		defer close(g.done)
		werr := g.write(from)
		close(g.written)
		if werr != nil {
			cancel()
		}
		rerr := <-read
		switch {
		case werr != nil:
			g.stop(werr)
		case rerr != nil && ctx.Err() == nil:
			g.stop(fmt.Errorf("source \"%s\": %w", t.Name, rerr))
		case ctx.Err() == nil:
			g.stop(errIngestDone)
		}
	}()
	return nil
}

// errIngestDone is why an ingest of a bounded input stopped.
var errIngestDone = errors.New("finished")

// ingestPositions loads the positions stored for table id, and the count of
// malformed records skipped.
func (db *DB) ingestPositions(id uint32) (source.Position, int64, error) {
	v, err := db.store.State(ingestKey(id))
	if err != nil || v == nil {
		return nil, 0, err
	}
	corrupt := fmt.Errorf("corrupt positions of table %d", id)
	skipped, n := binary.Varint(v)
	if n <= 0 {
		return nil, 0, corrupt
	}
	pos := source.Position{}
	for v = v[n:]; len(v) > 0; {
		split, n := binary.Varint(v)
		if n <= 0 {
			return nil, 0, corrupt
		}
		next, m := binary.Varint(v[n:])
		if m <= 0 {
			return nil, 0, corrupt
		}
		pos[int32(split)] = next
		v = v[n+m:]
	}
	return pos, skipped, nil
}

// encodePositions is the stored form of positions and a skip count.
func encodePositions(pos source.Position, skipped int64) []byte {
	v := binary.AppendVarint(nil, skipped)
	for _, split := range slices.Sorted(maps.Keys(pos)) {
		v = binary.AppendVarint(binary.AppendVarint(v, int64(split)), pos[split])
	}
	return v
}

// Emit hands a chunk to the writer; it blocks while the writer is behind.
func (g *ingest) Emit(c source.Chunk) error {
	select {
	case g.chunks <- c:
		return nil
	case <-g.written:
		return errors.New("ingest stopped")
	}
}

func (g *ingest) Status(s string) { g.status.set(g.t.Name, s) }

// write stores the chunks as they come, those waiting together in one
// transaction, until the source ends.
func (g *ingest) write(pos source.Position) error {
	pos = maps.Clone(pos)
	if pos == nil {
		pos = source.Position{}
	}
	for c, ok := <-g.chunks; ok; c, ok = <-g.chunks {
		x := g.db.store.Begin()
		var batches []*vector.Batch
		skipped, rows := g.skipped.Load(), int64(0)
		take := func(c source.Chunk) {
			pos[c.Split] = c.Next
			skipped += c.Skipped
			if c.Rows != nil && c.Rows.Len > 0 {
				batches = append(batches, c.Rows)
				rows += int64(c.Rows.Len)
			}
		}
		take(c)
	more:
		for range ingestBatch - 1 {
			select {
			case c, ok := <-g.chunks:
				if !ok {
					break more
				}
				take(c)
			default:
				break more
			}
		}
		if err := applyChanges(x, g.t, batches); err != nil {
			x.Rollback()
			return fmt.Errorf("table \"%s\": %w", g.t.Name, err)
		}
		x.SetState(ingestKey(g.t.ID), encodePositions(pos, skipped))
		if err := x.Commit(); err != nil {
			return err
		}
		g.rows.Add(rows)
		g.skipped.Store(skipped)
	}
	return nil
}

// stop records why the ingest stopped.
func (g *ingest) stop(err error) {
	g.mu.Lock()
	g.err = err
	g.mu.Unlock()
}

// state says how the ingest is doing: running (with what its source
// works around), finished, or failed and why.
func (g *ingest) state() string {
	g.mu.Lock()
	err := g.err
	g.mu.Unlock()
	switch {
	case err == errIngestDone:
		return "finished"
	case err != nil:
		return "failed: " + err.Error()
	}
	if st := g.status.String(); st != "" {
		return "running; " + st
	}
	return "running"
}

// close stops the ingest and waits for it.
func (g *ingest) close() {
	g.cancel()
	<-g.done
}

// stopIngest stops the ingest of table id, if any, and waits for it.
func (db *DB) stopIngest(id uint32) {
	db.ingestMu.Lock()
	g := db.ingests[id]
	delete(db.ingests, id)
	db.ingestMu.Unlock()
	if g != nil {
		g.close()
	}
}

// startIngests starts the ingest of every table stored from a connector.
func (db *DB) startIngests() error {
	for _, t := range db.catalog.Tables() {
		if isIngested(t) {
			if err := db.startIngest(t); err != nil {
				return fmt.Errorf("table %s: %w", t.Name, err)
			}
		}
	}
	return nil
}

// isIngested reports whether t stores what a connector reads.
func isIngested(t *catalog.Table) bool {
	return t.Kind == catalog.KindTable && t.Options["connector"] != ""
}
