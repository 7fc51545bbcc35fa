package operators

import (
	"fmt"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/vector"
)

// JoinTime makes a join event-time aware.
type JoinTime struct {
	// Window join: key pair WindowKey (an index into leftKeys/rightKeys)
	// joins both sides' window column (window_start or window_end of the
	// same windows), related to each side's watermark by WindowBound.
	// Window w of a side is closed for the join once both inputs'
	// watermarks closed it.
	WindowKey   int // -1 when not a window join
	WindowBound Bound
	// Interval join: left column LeftTime and right column RightTime
	// (event times, µs) are joined by left ∈ [right + Lower, right +
	// Upper]. The residual condition must check it too: this only says
	// when rows can be forgotten.
	Interval            bool
	LeftTime, RightTime int
	Lower, Upper        int64
	// An inner interval join may bound one side of the distance only:
	// LowerOpen means no Lower (left rows are kept until the right input
	// ends), UpperOpen no Upper (right rows are kept until the left input
	// ends). The other side's rows are forgotten as the bound says.
	LowerOpen, UpperOpen bool
}

// NewTimeJoinNode is NewJoinNode for a join on event time: a window join
// or an interval join (see JoinTime). Matching pairs are emitted as they
// arrive, as by NewJoinNode; a tracked row's own output (NULL-padded for
// an outer join, the left row of a semi or anti join) is emitted once,
// when the row can no longer match:
//
//   - window join: when its window is closed on both inputs (the minimum
//     of the two watermarks closes it);
//   - interval join: a left row l once the right watermark tr has
//     l.ts < tr + Lower (later right rows have ts ≥ tr), a right row r
//     once the left watermark tl has r.ts < tl - Upper.
//
// A row is forgotten then, so the state holds only rows that may still
// match. An own row is emitted once, with the row's final match count (an
// outer join never pads a row that matched), and nothing at Flush. An
// interval join may have no keys: it then runs as one instance.
//
// Against the output watermark (the minimum of the inputs'), the window
// column of a window join's output keeps WindowBound; in an interval
// join's output the left time may trail it by up to max(0, -Lower) and
// the right time by up to max(0, Upper).
//
// A row is late, dropped and counted (LateRows), when its own input's
// watermark has passed its time (interval join: ts < the side's
// watermark) or closed its window (window join): the rows of the other
// side it could match may be forgotten already. A row with a NULL time
// never matches: it is output on its own at once, as a row with a NULL
// key is.
//
// The columns of tm must be of type timestamp, timestamptz or bigint
// (µs); New fails when tm does not describe one of the two joins.
func NewTimeJoinNode(left, right *Node, typ JoinType, leftKeys, rightKeys []int, residual vector.Expr,
	ectx *vector.EvalContext, tm JoinTime) *Node {
	n := joinNode(left, right, typ, leftKeys, rightKeys, residual)
	cols, err := tm.columns(left.Types(), right.Types(), leftKeys, rightKeys)
	if err == nil && (tm.LowerOpen || tm.UpperOpen) && typ != InnerJoin {
		// An outer join's row kept for ever would never be output alone.
		err = fmt.Errorf("operators: an interval join open on one side must be an inner join")
	}
	if err == nil {
		lt, rt := fmt.Sprintf("$%d", cols[0]), fmt.Sprintf("$%d", len(left.Types())+cols[1])
		if tm.Interval {
			lo, hi := rt+offsetText(tm.Lower), rt+offsetText(tm.Upper)
			left := fmt.Sprintf("until %s < right watermark%s", lt, offsetText(tm.Lower))
			right := fmt.Sprintf("until %s < left watermark%s", rt, offsetText(-tm.Upper))
			if tm.LowerOpen {
				lo, left = "-infinity", "until the right input ends"
			}
			if tm.UpperOpen {
				hi, right = "infinity", "until the left input ends"
			}
			n.Detail += fmt.Sprintf(", interval %s in [%s, %s]", lt, lo, hi)
			n.State = joinStateText + fmt.Sprintf("; a left row %s, a right row %s", left, right)
		} else {
			n.Detail += fmt.Sprintf(", window %s = %s", lt, rt)
			n.State = joinStateText + "; a row until its window is closed on both inputs"
		}
	}
	n.New = func() (Incremental, error) {
		if err != nil {
			return nil, err
		}
		j := newIncJoin(left, right, typ, leftKeys, rightKeys, residual, ectx)
		j.timer = newJoinTimer(tm, cols)
		if tm.Interval {
			for in, s := range j.sides {
				s.needed = append(slices.Clone(s.keys), cols[in])
			}
		}
		return &timeJoin{j}, nil
	}
	return n
}

// offsetText renders an offset in µs for EXPLAIN: " + 5s", " - 1m0s", "".
func offsetText(us int64) string {
	switch {
	case us > 0:
		return " + " + (time.Duration(us) * time.Microsecond).String()
	case us < 0:
		return " - " + (time.Duration(-us) * time.Microsecond).String()
	}
	return ""
}

// columns checks tm against the join's inputs and returns the time column
// of each side: the window columns or the event times.
func (tm JoinTime) columns(left, right []vector.Type, leftKeys, rightKeys []int) ([2]int, error) {
	var cols [2]int
	switch {
	case tm.Interval && tm.WindowKey >= 0:
		return cols, fmt.Errorf("operators: a time join is a window join or an interval join, not both")
	case tm.Interval && (tm.LowerOpen && tm.UpperOpen):
		return cols, fmt.Errorf("operators: an interval join bounds the distance of its times on at least one side")
	case tm.Interval:
		if tm.LeftTime < 0 || tm.LeftTime >= len(left) || tm.RightTime < 0 || tm.RightTime >= len(right) {
			return cols, fmt.Errorf("operators: interval join time columns $%d, $%d out of range", tm.LeftTime, tm.RightTime)
		}
		cols = [2]int{tm.LeftTime, tm.RightTime}
	case tm.WindowKey >= len(leftKeys) || tm.WindowKey < 0:
		return cols, fmt.Errorf("operators: window join key %d out of range (%d keys)", tm.WindowKey, len(leftKeys))
	case !tm.WindowBound.Valid():
		return cols, fmt.Errorf("operators: window join without a window bound")
	default:
		cols = [2]int{leftKeys[tm.WindowKey], rightKeys[tm.WindowKey]}
	}
	for in, types := range [][]vector.Type{left, right} {
		switch types[cols[in]].Kind {
		case vector.KindTimestamp, vector.KindTimestampTZ, vector.KindInt8:
		default:
			return cols, fmt.Errorf("operators: time join column $%d is of type %s, not a time", cols[in], types[cols[in]])
		}
	}
	return cols, nil
}

// timeJoin is an instance of NewTimeJoinNode: an incJoin with a timer,
// which the watermarks drive.
type timeJoin struct{ *incJoin }

// Watermark records the watermark of input in and emits and forgets the
// entries it closes.
func (j *timeJoin) Watermark(in int, t int64, emit Emit) error {
	j.settle()
	j.timer.sides[in].wm = t
	return j.closeEntries(emit)
}

// LateRows is the number of late rows dropped since the instance started.
func (j *timeJoin) LateRows() int64 { return j.timer.late }

// joinTimer is the event-time part of a time join instance: per side, its
// input watermark and its entries indexed by time (window or event time),
// and the count of late rows dropped.
//
// Invariant, after every Push and Watermark: every entry in the stores is
// open (its time is not closed by the watermark that closes its side, see
// closing) and is listed in its side's expiry under its time. An entry
// removed at Flush (its multiplicity back to zero) stays listed, and its
// id may be reused: closeEntries checks what the expiry hands it.
type joinTimer struct {
	window bool
	// open marks the sides of an interval join kept for ever (LowerOpen,
	// UpperOpen).
	open  [2]bool
	sides [2]timerSide
	late  int64

	// Scratch for closeEntries.
	closed  []int32
	ids     []int32
	weights []int64
}

// timerSide is what a joinTimer keeps per input.
type timerSide struct {
	col int   // the time column
	own Bound // relates col to the side's own watermark: rows it closes are late
	// exp indexes the side's entries by time; its bound relates them to
	// the watermark that closes the side (closing).
	exp  *expiry
	wm   int64        // the input watermark
	at   pages[int64] // per entry, its time
	cur  []int64      // the times of the batch being pushed, after admit
	keep []int32      // scratch
}

func newJoinTimer(tm JoinTime, cols [2]int) *joinTimer {
	t := &joinTimer{window: !tm.Interval, open: [2]bool{tm.LowerOpen, tm.UpperOpen}}
	exp := [2]Bound{tm.WindowBound, tm.WindowBound}
	own := tm.WindowBound
	if tm.Interval {
		// Left l is closed once l.ts < tr + Lower, right r once r.ts <
		// tl - Upper.
		exp = [2]Bound{{Kind: BoundTime, Lag: -tm.Lower}, {Kind: BoundTime, Lag: tm.Upper}}
		own = Bound{Kind: BoundTime}
	}
	for in := range t.sides {
		t.sides[in] = timerSide{col: cols[in], own: own, exp: newExpiry(exp[in]), wm: NoWatermark}
	}
	return t
}

// closing is the watermark that closes side in's entries: the minimum of
// both for a window join, the other side's for an interval join.
func (t *joinTimer) closing(in int) int64 {
	if t.window {
		return min(t.sides[0].wm, t.sides[1].wm)
	}
	if t.open[in] && t.sides[1-in].wm != EndOfTime {
		return NoWatermark // kept until the other input ends
	}
	return t.sides[1-in].wm
}

// admit returns b without its late rows, counting them, and keeps the
// times of the rows left for track.
func (t *joinTimer) admit(in int, b *vector.Batch) *vector.Batch {
	c := &t.sides[in]
	if c.wm != NoWatermark {
		col := b.Cols[c.col]
		vals, limit := windowValues(col), c.own.Of(c.wm)
		c.keep = c.keep[:0]
		for i := range b.Len {
			if vals[i] >= limit || col.IsNull(i) {
				c.keep = append(c.keep, int32(i))
			}
		}
		if len(c.keep) < b.Len {
			t.late += int64(b.Len - len(c.keep))
			if len(c.keep) == 0 {
				return &vector.Batch{}
			}
			b = vector.TakeRows(b, c.keep)
		}
	}
	c.cur = windowValues(b.Cols[c.col])
	return b
}

// track indexes entry e of side in, new from row i of the batch admitted.
func (t *joinTimer) track(in int, e int32, i int) {
	c := &t.sides[in]
	c.at.extend(int(e) + 1)
	*c.at.at(e) = c.cur[i]
	c.exp.add(c.cur[i], e)
}

// trackRestored indexes the restored entries ids of side in, whose rows
// are cols.
func (t *joinTimer) trackRestored(in int, ids []int32, cols []arrow.Array) {
	c := &t.sides[in]
	vals := windowValues(cols[c.col])
	for k, e := range ids {
		c.at.extend(int(e) + 1)
		*c.at.at(e) = vals[k]
		c.exp.add(vals[k], e)
	}
}

// closeEntries emits the own rows of the tracked entries the watermarks
// closed and forgets every closed entry.
func (j *incJoin) closeEntries(emit Emit) error {
	t := j.timer
	for in, s := range j.sides {
		c := &t.sides[in]
		t.closed = t.closed[:0]
		err := c.exp.expire(t.closing(in), func(v int64, e int32) error {
			if s.store.has(e) && *c.at.at(e) == v && !s.ents.at(e).closed {
				s.ents.at(e).closed = true
				t.closed = append(t.closed, e)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if s.tracked {
			t.ids, t.weights = t.ids[:0], t.weights[:0]
			for _, e := range t.closed {
				if w := j.outWeight(s.store.mult(e), s.ents.at(e).matches); w != 0 {
					t.ids, t.weights = append(t.ids, e), append(t.weights, w)
				}
			}
			if err := j.emitOwn(in, t.ids, t.weights, emit); err != nil {
				return err
			}
		}
		for _, e := range t.closed {
			s.forget(e)
		}
	}
	return nil
}
