package operators

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel/vector"
)

// NewSourceNode returns a source: the runtime feeds it the changes of
// what src identifies.
func NewSourceNode(name string, types []vector.Type, src any) *Node {
	n := NewNode("Source", types)
	n.Detail, n.Source = name, src
	n.New = func() (Incremental, error) { return passThrough{}, nil }
	return n
}

// EventTime declares the event time of a source's rows: column Col (a
// timestamp), a watermark Delay behind the largest value seen (µs), and the
// IdleTimeout after which a source (or a split of it) without changes
// stops holding back the watermark of its consumers (0: never).
type EventTime struct {
	Col         int
	Delay       int64
	IdleTimeout time.Duration
}

// Advance tells a source node where its input is once the batch of the
// message carrying it is taken: split Split (a Kafka partition, a
// generator's partition; 0 for a file) continues at position Next, and
// Skipped malformed records were left out on the way.
type Advance struct {
	Split   int32
	Next    int64
	Skipped int64
}

// NewTimedSourceNode is a source whose rows have an event time (et), or
// that is fed from positions in an input (positioned), or both.
//
// A source's input is one or more splits; a positioned source learns of
// them from the Advance of its messages (a table is one split, 0). With
// event time, each split's watermark is its largest event time less the
// delay, and the source's watermark the least over the splits not idle:
// so a partition that lags behind holds the others back instead of seeing
// its rows dropped. A change whose event time is below the source's
// watermark when it comes is dropped and counted as late (as are those
// whose event time is NULL or ±infinity, which no window holds). For a
// table, which changes are late depends only on their order; for several
// splits it also depends on how they interleave, which the checkpoint
// records: a restart resumes from the restored watermarks.
//
// A positioned source records each split's position and the number of
// malformed records skipped; on Restore it fills the node's Positions with
// the positions checkpointed, from which the feeder resumes.
//
// State: the late and skipped counts, one entry; per split its position
// and its largest event time, one entry each.
func NewTimedSourceNode(name string, types []vector.Type, src any, et *EventTime, positioned bool) *Node {
	n := NewSourceNode(name, types, src)
	if et != nil {
		n.Detail = fmt.Sprintf("%s, event time $%d", name, et.Col)
		if et.Delay > 0 {
			n.Detail += fmt.Sprintf(" less %s", time.Duration(et.Delay)*time.Microsecond)
		}
	}
	n.State = "per split of its input: the largest event time seen and the position"
	if positioned {
		n.Positions = map[int32]int64{}
	}
	n.New = func() (Incremental, error) {
		return &timedSource{et: et, positions: n.Positions, splits: map[int32]*sourceSplit{}, started: time.Now()}, nil
	}
	return n
}

// timedSource is an instance of NewTimedSourceNode.
type timedSource struct {
	et        *EventTime // nil: no event time
	positions map[int32]int64
	splits    map[int32]*sourceSplit
	current   *sourceSplit // the split of the batch being pushed
	late      int64
	skipped   int64
	started   time.Time
	changed   bool // the counts, since the last Checkpoint
	keep      []int32
}

// sourceSplit is what a timed source knows of one split of its input.
type sourceSplit struct {
	next       int64 // the position of its next record
	max        int64 // the largest event time of an insertion passed; NoWatermark before any
	lastChange time.Time
	changed    bool // since the last Checkpoint
}

// split returns split id, known from now on.
func (s *timedSource) split(id int32) *sourceSplit {
	sp := s.splits[id]
	if sp == nil {
		sp = &sourceSplit{max: NoWatermark, lastChange: time.Now()}
		s.splits[id] = sp
	}
	return sp
}

func (s *timedSource) Advance(a *Advance) {
	sp := s.split(a.Split)
	sp.next, sp.lastChange, sp.changed = a.Next, time.Now(), true
	s.current = sp
	if a.Skipped != 0 {
		s.skipped += a.Skipped
		s.changed = true
	}
}

func (s *timedSource) Push(_ int, b *vector.Batch, emit Emit) error {
	sp := s.current
	if sp == nil { // a table: one split
		sp = s.split(0)
		sp.next += int64(b.Len)
	}
	sp.lastChange, sp.changed = time.Now(), true
	if s.et == nil {
		return emit(b)
	}
	others := s.watermarkExcept(sp)
	col := b.Cols[s.et.Col].(*array.Timestamp)
	ts := col.TimestampValues()
	s.keep = s.keep[:0]
	wm := min(others, s.splitWatermark(sp))
	for i := range b.Len {
		v := int64(ts[i])
		if col.IsNull(i) || v < wm || v == EndOfTime || v == NoWatermark {
			s.late++
			s.changed = true
			continue
		}
		s.keep = append(s.keep, int32(i))
		if b.Weight(i) > 0 && v > sp.max {
			sp.max = v
			wm = min(others, s.splitWatermark(sp))
		}
	}
	switch len(s.keep) {
	case 0:
		return nil
	case b.Len:
		return emit(b)
	}
	return emit(vector.TakeRows(b, s.keep))
}

func (s *timedSource) Flush(Emit) error { return nil }

func (s *timedSource) LateRows() int64 { return s.late }

func (s *timedSource) SkippedRows() int64 { return s.skipped }

// CurrentWatermark is the least watermark of the splits not idle (a split
// is idle once no change came for the idle timeout); idle when every split
// is, at the largest of theirs.
func (s *timedSource) CurrentWatermark() Watermark {
	if s.et == nil {
		return Watermark{T: NoWatermark}
	}
	if len(s.splits) == 0 {
		return Watermark{T: NoWatermark, Idle: s.idle(s.started)}
	}
	if active := s.watermarkExcept(nil); active != EndOfTime {
		return Watermark{T: active}
	}
	idleMax := int64(NoWatermark)
	for _, sp := range s.splits {
		idleMax = max(idleMax, s.splitWatermark(sp))
	}
	return Watermark{T: idleMax, Idle: true}
}

// watermarkExcept is the least watermark of the splits not idle other
// than except; EndOfTime when there is none.
func (s *timedSource) watermarkExcept(except *sourceSplit) int64 {
	active := int64(EndOfTime)
	for _, sp := range s.splits {
		if sp != except && !s.idle(sp.lastChange) {
			active = min(active, s.splitWatermark(sp))
		}
	}
	return active
}

// splitWatermark is sp's largest event time less the delay.
func (s *timedSource) splitWatermark(sp *sourceSplit) int64 {
	if sp.max == NoWatermark {
		return NoWatermark
	}
	return sp.max - s.et.Delay
}

// idle reports whether a split (or the source) without changes since
// since is idle.
func (s *timedSource) idle(since time.Time) bool {
	return s.et.IdleTimeout > 0 && time.Since(since) > s.et.IdleTimeout
}

// sourceCountsKey is the state key of a timed source's counts: the routing
// hash of its only instance, zero. A split's key is that followed by the
// split's id.
var sourceCountsKey = make([]byte, 8)

func splitKey(id int32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), sourceCountsKey...), uint32(id))
}

func (s *timedSource) Checkpoint(w StateWriter) error {
	if s.changed {
		s.changed = false
		v := binary.AppendVarint(nil, s.late)
		if err := w.Put(sourceCountsKey, binary.AppendVarint(v, s.skipped)); err != nil {
			return err
		}
	}
	for id, sp := range s.splits {
		if !sp.changed {
			continue
		}
		sp.changed = false
		v := binary.AppendVarint(nil, sp.next)
		if err := w.Put(splitKey(id), binary.AppendVarint(v, sp.max)); err != nil {
			return err
		}
	}
	return nil
}

func (s *timedSource) Restore(key, value []byte) error {
	r := &stateReader{src: value}
	switch len(key) {
	case len(sourceCountsKey):
		s.late, s.skipped = r.varint(), r.varint()
	case len(sourceCountsKey) + 4:
		id := int32(binary.BigEndian.Uint32(key[len(sourceCountsKey):]))
		sp := s.split(id)
		sp.next, sp.max = r.varint(), r.varint()
		if s.positions != nil {
			s.positions[id] = sp.next
		}
	default:
		return fmt.Errorf("operators: corrupt source state key")
	}
	if r.err == nil && len(r.src) != 0 {
		return fmt.Errorf("operators: corrupt source state")
	}
	return r.err
}
