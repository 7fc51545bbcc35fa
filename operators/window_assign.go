package operators

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/runneldb/runnel/vector"
)

// WindowKind is a kind of event-time window a row is assigned to by its
// event time alone.
type WindowKind uint8

const (
	// Tumble windows: consecutive windows of Size; each row is in one.
	Tumble WindowKind = iota
	// Hop windows: windows of Size starting every Slide; each row is in
	// Size/Slide of them.
	Hop
)

// Windows assigns rows to windows of their event time (column Col, a
// timestamp), aligned to the Unix epoch plus Offset. Times are µs.
type Windows struct {
	Kind                WindowKind
	Col                 int
	Size, Slide, Offset int64
}

// StartBound is the Bound of the window_start column the assignment adds,
// given the bound of the event-time column (BoundTime, with a lag).
func (w Windows) StartBound(ts Bound) Bound {
	if ts.Kind != BoundTime {
		return Bound{}
	}
	if w.Kind == Tumble {
		return Bound{Kind: BoundTumbleStart, Size: w.Size, Offset: w.Offset, Lag: ts.Lag}
	}
	return Bound{Kind: BoundHopStart, Size: w.Size, Slide: w.Slide, Offset: w.Offset, Lag: ts.Lag}
}

// EndBound is the Bound of the window_end column.
func (w Windows) EndBound(ts Bound) Bound {
	b := w.StartBound(ts)
	if b.Valid() {
		b.Kind++ // the End kind follows each Start kind
	}
	return b
}

func (w Windows) String() string {
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	if w.Kind == Tumble {
		return fmt.Sprintf("tumble($%d, %s)", w.Col, us(w.Size))
	}
	return fmt.Sprintf("hop($%d, %s every %s)", w.Col, us(w.Size), us(w.Slide))
}

// assign returns the rows of b, each once per window it is in (rows with
// a NULL or infinite event time are in none), with two more columns: window_start and
// window_end. Weights follow their rows.
func (w Windows) assign(b *vector.Batch, t vector.Type) *vector.Batch {
	col := b.Cols[w.Col].(*array.Timestamp)
	ts := windowValues(col)
	step := w.Size
	if w.Kind == Hop {
		step = w.Slide
	}
	idx := make([]int32, 0, b.Len*int(w.Size/step))
	starts := make([]int64, 0, cap(idx))
	for i := range b.Len {
		if col.IsNull(i) || ts[i] == EndOfTime || ts[i] == NoWatermark {
			continue // no window holds NULL or ±infinity
		}
		last := floorTo(ts[i], step, w.Offset)
		for s := last - w.Size + step; s <= last; s += step {
			idx = append(idx, int32(i))
			starts = append(starts, s)
		}
	}
	out := &vector.Batch{Cols: b.Cols, Len: len(idx), Weights: b.Weights}
	if w.Kind == Hop || len(idx) != b.Len { // else idx is every row once, in order
		out.Cols, out.Weights = vector.TakeColumns(b.Cols, idx), nil
	}
	if b.Weights != nil && out.Weights == nil {
		out.Weights = make([]int64, len(idx))
		for k, i := range idx {
			out.Weights[k] = b.Weights[i]
		}
	}
	ends := make([]int64, len(starts))
	for k, s := range starts {
		ends[k] = s + w.Size
	}
	cols := append(append(make([]arrow.Array, 0, len(out.Cols)+2), out.Cols...), int64Column(t, starts), int64Column(t, ends))
	return &vector.Batch{Cols: cols, Len: len(idx), Weights: out.Weights}
}

// int64Column wraps vals, none NULL, as a column of t, a type of 64-bit
// values (a timestamp), without copying them.
func int64Column(t vector.Type, vals []int64) arrow.Array {
	bufs := []*memory.Buffer{nil, memory.NewBufferBytes(arrow.GetBytes(vals))}
	return array.MakeFromData(array.NewData(t.ArrowType(), len(vals), bufs, nil, 0, 0))
}

// windowTypes is types plus window_start and window_end of the type of
// the event-time column.
func (w Windows) windowTypes(types []vector.Type) []vector.Type {
	return append(append(make([]vector.Type, 0, len(types)+2), types...), types[w.Col], types[w.Col])
}

// windowAssign is the bounded operator of Windows.
type windowAssign struct {
	in    Operator
	w     Windows
	types []vector.Type
}

// NewWindowAssign assigns the rows of in to windows (see Windows): TUMBLE
// and HOP in FROM.
func NewWindowAssign(in Operator, w Windows) Operator {
	return &windowAssign{in: in, w: w, types: w.windowTypes(in.Types())}
}

func (a *windowAssign) Types() []vector.Type { return a.types }

func (a *windowAssign) Run(ctx context.Context, out chan<- Message) error {
	t := a.types[a.w.Col]
	return forEachBatch(ctx, a.in, func(b *vector.Batch) error {
		return Send(ctx, out, Message{Batch: a.w.assign(b, t)})
	})
}

// NewWindowAssignNode is the continuous form of NewWindowAssign: a change
// to a row is a change to it in each of its windows. It keeps nothing, so
// it runs partition-local.
func NewWindowAssignNode(in *Node, w Windows) *Node {
	types := w.windowTypes(in.Types())
	n := NewNode("WindowAssign", types, in)
	n.PartitionLocal = true
	n.Detail = w.String()
	t := types[w.Col]
	n.New = func() (Incremental, error) { return windowAssignOp{w: w, t: t}, nil }
	return n
}

type windowAssignOp struct {
	w Windows
	t vector.Type
}

func (o windowAssignOp) Push(_ int, b *vector.Batch, emit Emit) error {
	if out := o.w.assign(b, o.t); out.Len > 0 {
		return emit(out)
	}
	return nil
}

func (windowAssignOp) Flush(Emit) error { return nil }
