package operators

import "math"

// Event time. A table may declare an event-time column and a delay
// (WATERMARK FOR ts AS ts - INTERVAL …). The source of a dataflow that reads
// it tracks the largest event time it has passed; the watermark is that
// minus the delay, and a change whose event time is below the watermark when
// it arrives is late: the source drops and counts it. The watermark then
// flows downstream between batches (Message.Watermark): it promises that no
// later change on the edge has event time below it. An instance's input
// watermark is the minimum over the channels of that input (ignoring idle
// ones), and its output watermark the minimum over its inputs.
//
// Operators relate their columns to the watermark with a Bound: a window
// aggregate knows that the groups whose window_start is below
// Bound.Of(watermark) will get no more rows, emits them if it must and
// forgets them.

// Times are µs since 1970-01-01 00:00 (vector's timestamp representation).
const (
	// NoWatermark is the watermark of an edge before any: nothing is known.
	NoWatermark int64 = math.MinInt64
	// EndOfTime is the watermark of a finished input: every window closes.
	EndOfTime int64 = math.MaxInt64
)

// Watermark is the event-time progress of an edge: no later change on it
// has event time below T. An Idle producer has no data and holds nobody
// back: its consumers leave it out of their minimum until it sends a
// watermark that is not idle.
type Watermark struct {
	T    int64
	Idle bool
}

// WatermarkObserver is an operator that acts on event time: the runtime
// calls Watermark when the watermark of input in advances to t, before it
// passes the watermark on. The operator may emit (closing windows) and
// forget state that no later change can touch.
type WatermarkObserver interface {
	Watermark(in int, t int64, emit Emit) error
}

// WatermarkSource is a source operator that derives a watermark from the
// changes it passes. The runtime asks it after every message and forwards
// the watermark when it changed.
type WatermarkSource interface {
	CurrentWatermark() Watermark
}

// BoundKind says how a column's values relate to the watermark.
type BoundKind uint8

// The bound kinds. Window parameters are in µs.
const (
	// BoundNone: the column is not related to event time.
	BoundNone BoundKind = iota
	// BoundTime: the event time itself, or a copy of it less Lag.
	BoundTime
	// BoundTumbleStart, BoundTumbleEnd: the start and end of a row's
	// tumbling window of Size, aligned to the epoch plus Offset.
	BoundTumbleStart
	BoundTumbleEnd
	// BoundHopStart, BoundHopEnd: the start and end of one of a row's
	// hopping windows of Size every Slide, aligned to the epoch plus Offset.
	BoundHopStart
	BoundHopEnd
	// BoundSessionEnd: the end of a session window (its last event plus
	// the gap).
	BoundSessionEnd
)

// Bound relates a column to the watermark t of its stream: no later change
// has a value below Of(t) in the column. A window (or any state) keyed by
// value v of the column is closed, for good, once v < Of(t).
type Bound struct {
	Kind                     BoundKind
	Size, Slide, Offset, Lag int64
}

// Valid reports whether the column has a bound.
func (b Bound) Valid() bool { return b.Kind != BoundNone }

// Of is the least value the column may still take once the watermark is t.
func (b Bound) Of(t int64) int64 {
	if t == NoWatermark || t == EndOfTime || b.Kind == BoundNone {
		if b.Kind == BoundNone {
			return NoWatermark
		}
		return t
	}
	t -= b.Lag // the least event time still to come in the column
	switch b.Kind {
	case BoundTime:
		return t
	case BoundTumbleStart:
		return floorTo(t, b.Size, b.Offset)
	case BoundTumbleEnd:
		return floorTo(t, b.Size, b.Offset) + b.Size
	case BoundHopStart:
		// The earliest window that contains t: the first aligned start
		// after t - Size.
		return floorTo(t-b.Size, b.Slide, b.Offset) + b.Slide
	case BoundHopEnd:
		return floorTo(t-b.Size, b.Slide, b.Offset) + b.Slide + b.Size
	case BoundSessionEnd:
		return t + 1
	}
	return NoWatermark
}

// Closed reports whether value v of the column can no longer change once
// the watermark is t.
func (b Bound) Closed(v, t int64) bool { return b.Valid() && v < b.Of(t) }

// floorTo is the largest offset + k·size (k an integer) not above t.
func floorTo(t, size, offset int64) int64 {
	d := (t - offset) % size
	if d < 0 {
		d += size
	}
	return t - d
}

// LateCounter is an operator that drops late changes: changes for windows
// (or times) its input watermark has already closed. LateRows is the
// number it dropped since it started (or was restored); the runtime reads
// it after every Push, to report per dataflow.
type LateCounter interface {
	LateRows() int64
}

// Advancer is a source operator fed from positions in its input: the
// runtime hands it the Advance of each message before the message's batch.
type Advancer interface {
	Advance(a *Advance)
}

// SkipCounter is a source operator whose input may hold malformed records
// that were skipped: SkippedRows is their number since the source started
// (or as restored); the runtime reads it after every Advance.
type SkipCounter interface {
	SkippedRows() int64
}
