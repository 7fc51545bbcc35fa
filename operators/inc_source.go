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
// Skipped malformed records were left out on the way. The feeder announces
// every split it reads (an Advance without rows, at its start position)
// before the rows of any split, as connector sources do (source.Source).
type Advance struct {
	Split   int32
	Next    int64
	Skipped int64

	// announced is set on the Advance the runtime sends every instance of
	// a source of splits once the first rows of any split are fed (see
	// Dataflow.Feed): the splits read so far have all been announced, so
	// that an instance holding none of them holds back no watermark. Split
	// and the rest are unset.
	announced bool
}

// splitInstance is the instance of a source of splits, out of n, that
// reads split id: the splits spread evenly whatever n, and the choice
// depends on nothing but id and n, so that feeding and restoring agree.
func splitInstance(id int32, n int) int {
	return int(uint32(id) % uint32(n))
}

// NewTimedSourceNode is a source whose rows have an event time (et), or
// that is fed from positions in an input (positioned), or both.
//
// A source's input is one or more splits; a positioned source learns of
// them from the Advance of its messages (a table is one split, 0). With
// event time, each split's watermark is its largest event time less the
// delay, and the source's watermark the least over the splits not idle:
// so a partition that lags behind holds the others back instead of seeing
// its rows dropped. A change whose event time is below the watermark of
// its instance (see below) when it comes is dropped and counted as late
// (as are those whose event time is NULL or ±infinity, which no window
// holds). For a table, which changes are late depends only on their order;
// for several splits in one instance it also depends on how they
// interleave, which the checkpoint records: a restart resumes from the
// restored watermarks.
//
// A positioned source records each split's position and the number of
// malformed records skipped; on Restore it fills the node's Positions with
// the positions checkpointed, from which the feeder resumes.
//
// A positioned source runs as one instance per partition of the dataflow
// (DataflowConfig.Partitions), instance splitInstance(k, P) reading split
// k: each instance judges lateness and derives its watermark from its own
// splits, and its consumers take the least over the instances. An
// instance that holds no split holds nothing back once the splits are all
// announced.
//
// State: per split, its position, its largest event time, and the late
// rows and skipped records counted on it, one entry; a restart with any
// number of instances restores each split into the instance that reads it
// (RouteState), so that the counts, summed over the instances, are neither
// lost nor counted twice.
func NewTimedSourceNode(name string, types []vector.Type, src any, et *EventTime, positioned bool) *Node {
	n := NewSourceNode(name, types, src)
	if et != nil {
		n.Detail = fmt.Sprintf("%s, event time $%d", name, et.Col)
		if et.Delay > 0 {
			n.Detail += fmt.Sprintf(" less %s", time.Duration(et.Delay)*time.Microsecond)
		}
	}
	n.State = "per split of its input: the position, the largest event time seen, and the counts of late rows and skipped records"
	if positioned {
		n.Positions = map[int32]int64{}
	}
	n.New = func() (Incremental, error) {
		return &timedSource{et: et, positions: n.Positions, splits: map[int32]*sourceSplit{}, started: time.Now()}, nil
	}
	return n
}

// timedSource is an instance of NewTimedSourceNode.
//
// Invariant: late and skipped are the sums of those of the splits.
type timedSource struct {
	et        *EventTime // nil: no event time
	positions map[int32]int64
	splits    map[int32]*sourceSplit
	current   *sourceSplit // the split of the batch being pushed
	late      int64
	skipped   int64
	started   time.Time
	announced bool // every split was announced (see Advance.announced)
	keep      []int32
}

// sourceSplit is what a timed source knows of one split of its input.
type sourceSplit struct {
	next       int64 // the position of its next record
	max        int64 // the largest event time of an insertion passed; NoWatermark before any
	late       int64 // the changes of the split dropped as late
	skipped    int64 // the malformed records of the split skipped
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
	if a.announced {
		s.announced = true
		return
	}
	sp := s.split(a.Split)
	sp.next, sp.lastChange, sp.changed = a.Next, time.Now(), true
	s.current = sp
	sp.skipped += a.Skipped
	s.skipped += a.Skipped
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
			sp.late++
			s.late++
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
// is, at the largest of theirs. Without splits, the source is idle once
// the splits are all announced (they are another instance's) or after the
// idle timeout.
func (s *timedSource) CurrentWatermark() Watermark {
	if s.et == nil {
		return Watermark{T: NoWatermark}
	}
	if len(s.splits) == 0 {
		return Watermark{T: NoWatermark, Idle: s.announced || s.idle(s.started)}
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

// splitKeyLen is the length of a split's state key: eight zero bytes (the
// place of a routing hash, unused: see RouteState) and the split's id.
const splitKeyLen = 8 + 4

func splitKey(id int32) []byte {
	return binary.BigEndian.AppendUint32(make([]byte, 8, splitKeyLen), uint32(id))
}

func (s *timedSource) Checkpoint(w StateWriter) error {
	for id, sp := range s.splits {
		if !sp.changed {
			continue
		}
		sp.changed = false
		v := binary.AppendVarint(nil, sp.next)
		v = binary.AppendVarint(v, sp.max)
		v = binary.AppendVarint(v, sp.late)
		if err := w.Put(splitKey(id), binary.AppendVarint(v, sp.skipped)); err != nil {
			return err
		}
	}
	return nil
}

// RouteState restores each split into the instance that reads it.
func (s *timedSource) RouteState(key []byte, n int) int {
	if len(key) != splitKeyLen {
		return 0 // Restore refuses it
	}
	return splitInstance(int32(binary.BigEndian.Uint32(key[8:])), n)
}

func (s *timedSource) Restore(key, value []byte) error {
	if len(key) != splitKeyLen {
		return fmt.Errorf("operators: corrupt source state key")
	}
	r := &stateReader{src: value}
	id := int32(binary.BigEndian.Uint32(key[8:]))
	sp := s.split(id)
	sp.next, sp.max, sp.late, sp.skipped = r.varint(), r.varint(), r.varint(), r.varint()
	if r.err != nil {
		return r.err
	}
	if len(r.src) != 0 {
		return fmt.Errorf("operators: corrupt source state")
	}
	s.late += sp.late
	s.skipped += sp.skipped
	if s.positions != nil {
		s.positions[id] = sp.next
	}
	return nil
}
