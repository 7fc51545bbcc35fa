package operators

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/runneldb/runnel/vector"
)

// SinkWriter writes a pipeline's output to where it goes (a connector, a
// table). Commit writes the changes of a checkpoint epoch, durably and
// atomically, and does nothing for an epoch it committed already: after a
// restart an epoch may be committed again.
type SinkWriter interface {
	Commit(epoch uint64, changes []*vector.Batch) error
}

// Sink is the end of a pipeline's dataflow. It writes ahead: the changes
// that arrive between two checkpoints are part of the second one's state,
// and only once that checkpoint is durable (Commit) are they written out.
// So the output holds exactly the changes of the checkpoints that
// completed: after a crash, the changes since the last one are computed
// again from the replayed input, and those of a checkpoint written but not
// yet committed are restored and committed.
//
// State: per epoch staged, one entry per batch of changes, encoded column
// by column (vector.AppendBatch), so that staging costs a copy per column
// rather than work per row.
//
// Invariant: staged holds, per epoch not yet committed, its changes, the
// i-th batch being stored under sinkKey(epoch, i); committed lists the
// epochs committed since the last Checkpoint with their batch counts,
// whose state entries the next Checkpoint deletes.
type Sink struct {
	w           SinkWriter
	types       []vector.Type
	retractions bool

	mu        sync.Mutex
	staged    map[uint64][]*vector.Batch
	committed []committedEpoch
	rows      atomic.Int64 // rows committed since the start
}

// NewSink returns a sink writing rows of the given types to w. Without
// retractions the output only takes insertions: a retraction fails the
// pipeline.
func NewSink(w SinkWriter, types []vector.Type, retractions bool) *Sink {
	return &Sink{w: w, types: types, retractions: retractions, staged: map[uint64][]*vector.Batch{}}
}

// Writer is where the sink writes.
func (s *Sink) Writer() SinkWriter { return s.w }

// Rows is the number of rows the sink committed since it started.
func (s *Sink) Rows() int64 { return s.rows.Load() }

// Commit writes out every staged epoch up to epoch, in order.
func (s *Sink) Commit(epoch uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var epochs []uint64
	for e := range s.staged {
		if e <= epoch {
			epochs = append(epochs, e)
		}
	}
	slices.Sort(epochs)
	for _, e := range epochs {
		changes := s.staged[e]
		if err := s.w.Commit(e, changes); err != nil {
			return err
		}
		for _, b := range changes {
			s.rows.Add(int64(b.Len))
		}
		delete(s.staged, e)
		s.committed = append(s.committed, committedEpoch{epoch: e, batches: len(changes)})
	}
	return nil
}

// committedEpoch is an epoch written out, whose batches of staged state
// are to be deleted.
type committedEpoch struct {
	epoch   uint64
	batches int
}

// NewSinkNode returns the node that writes the changes of in to s.
func NewSinkNode(in *Node, s *Sink) *Node {
	n := NewNode("Sink", in.Types(), in)
	n.State = "the output of each checkpoint until it is written out"
	n.New = func() (Incremental, error) { return &sinkOp{s: s}, nil }
	return n
}

// sinkOp is the instance of NewSinkNode (one per dataflow).
type sinkOp struct {
	s       *Sink
	pending []*vector.Batch // since the last Checkpoint
}

var errSinkRetraction = vector.Errorf(vector.CodeFeatureNotSupported, "the query retracted a row it had written, and the sink only appends: write to a table with a primary key, or use a format that carries changes (debezium_json)")

func (o *sinkOp) Push(_ int, b *vector.Batch, _ Emit) error {
	if !o.s.retractions && b.Weights != nil {
		for _, w := range b.Weights {
			if w < 0 {
				return errSinkRetraction
			}
		}
	}
	o.pending = append(o.pending, b)
	return nil
}

func (o *sinkOp) Flush(Emit) error { return nil }

// sinkKey is the state key of the i-th batch of epoch e's changes: the
// routing hash of the only instance (zero), then e, then i.
func sinkKey(e uint64, i int) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(make([]byte, 8), e), uint32(i))
}

// Checkpoint stages the changes since the last checkpoint under its epoch
// and forgets the epochs committed since.
func (o *sinkOp) Checkpoint(w StateWriter) error {
	ew, ok := w.(interface{ Epoch() uint64 })
	if !ok {
		return fmt.Errorf("operators: a sink needs the checkpoint's epoch")
	}
	e := ew.Epoch()
	s := o.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.committed {
		for i := range c.batches {
			if err := w.Delete(sinkKey(c.epoch, i)); err != nil {
				return err
			}
		}
	}
	s.committed = s.committed[:0]
	var v []byte
	for _, b := range o.pending {
		v = vector.AppendBatch(v[:0], b)
		if err := w.Put(sinkKey(e, len(s.staged[e])), v); err != nil {
			return err
		}
		s.staged[e] = append(s.staged[e], b)
	}
	o.pending = nil
	return nil
}

// Restore stages a batch of an epoch checkpointed and not yet committed.
func (o *sinkOp) Restore(key, value []byte) error {
	if len(key) != 20 {
		return fmt.Errorf("operators: corrupt sink state key %x", key)
	}
	b, err := vector.DecodeBatch(value, o.s.types)
	if err != nil {
		return fmt.Errorf("operators: sink state: %w", err)
	}
	e, i := binary.BigEndian.Uint64(key[8:]), int(binary.BigEndian.Uint32(key[16:]))
	s := o.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.staged[e]) <= i {
		s.staged[e] = append(s.staged[e], nil)
	}
	s.staged[e][i] = b
	return nil
}
