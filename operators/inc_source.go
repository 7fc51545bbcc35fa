package operators

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
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
// IdleTimeout after which a source without changes stops holding back the
// watermark of its consumers (0: never).
type EventTime struct {
	Col         int
	Delay       int64
	IdleTimeout time.Duration
}

// NewTimedSourceNode is a source whose rows have an event time (et), or
// whose position in its input is checkpointed (offset), or both.
//
// With event time it passes on the changes whose event time is not below
// the watermark, drops and counts the others (and those whose event time
// is NULL or ±infinity, which no window holds), and sends the watermark downstream. Which changes are late
// depends only on the order of the changes: change i is late when its
// event time is below the largest event time of the insertions before it
// less the delay. So a replay after a restart drops exactly what the first
// run dropped.
//
// With an offset it counts the rows it is fed (late or not), and on
// Restore sets offset to the count checkpointed: the rows of its input to
// skip when feeding it again.
//
// State: the largest event time seen, the number of late changes and the
// number of rows taken, one entry.
func NewTimedSourceNode(name string, types []vector.Type, src any, et *EventTime, offset *atomic.Int64) *Node {
	n := NewSourceNode(name, types, src)
	if et != nil {
		n.Detail = fmt.Sprintf("%s, event time $%d", name, et.Col)
		if et.Delay > 0 {
			n.Detail += fmt.Sprintf(" less %s", time.Duration(et.Delay)*time.Microsecond)
		}
	}
	n.State = "the largest event time seen; the input position"
	n.Offset = offset
	n.New = func() (Incremental, error) {
		return &timedSource{et: et, offset: offset, max: NoWatermark, lastChange: time.Now()}, nil
	}
	return n
}

// timedSource is an instance of NewTimedSourceNode.
type timedSource struct {
	et         *EventTime // nil: no event time
	offset     *atomic.Int64
	max        int64 // the largest event time of an insertion passed; NoWatermark before any
	late       int64
	taken      int64 // rows pushed
	lastChange time.Time
	changed    bool // since the last Checkpoint
	keep       []int32
}

func (s *timedSource) watermark() int64 {
	if s.max == NoWatermark {
		return NoWatermark
	}
	return s.max - s.et.Delay
}

func (s *timedSource) Push(_ int, b *vector.Batch, emit Emit) error {
	s.taken += int64(b.Len)
	s.lastChange, s.changed = time.Now(), true
	if s.et == nil {
		return emit(b)
	}
	col := b.Cols[s.et.Col].(*array.Timestamp)
	ts := col.TimestampValues()
	s.keep = s.keep[:0]
	for i := range b.Len {
		if v := int64(ts[i]); col.IsNull(i) || v < s.watermark() || v == EndOfTime || v == NoWatermark {
			s.late++
			continue
		}
		s.keep = append(s.keep, int32(i))
		if b.Weight(i) > 0 {
			s.max = max(s.max, int64(ts[i]))
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

// CurrentWatermark is the largest event time less the delay, or idle once
// no change came for the idle timeout.
func (s *timedSource) CurrentWatermark() Watermark {
	if s.et == nil {
		return Watermark{T: NoWatermark}
	}
	if s.et.IdleTimeout > 0 && time.Since(s.lastChange) > s.et.IdleTimeout {
		return Watermark{T: s.watermark(), Idle: true}
	}
	return Watermark{T: s.watermark()}
}

// timedSourceKey is the state key of a timed source: the routing hash of
// its only instance, zero.
var timedSourceKey = make([]byte, 8)

func (s *timedSource) Checkpoint(w StateWriter) error {
	if !s.changed {
		return nil
	}
	s.changed = false
	v := binary.AppendVarint(nil, s.max)
	v = binary.AppendVarint(v, s.late)
	v = binary.AppendVarint(v, s.taken)
	return w.Put(timedSourceKey, v)
}

func (s *timedSource) Restore(_, value []byte) error {
	r := &stateReader{src: value}
	s.max, s.late, s.taken = r.varint(), r.varint(), r.varint()
	if r.err == nil && len(r.src) != 0 {
		return fmt.Errorf("operators: corrupt source state")
	}
	if s.offset != nil {
		s.offset.Store(s.taken)
	}
	return r.err
}
