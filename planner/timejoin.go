package planner

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treebin"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// Joins on event time, in stream mode. A regular join keeps both inputs
// for ever, and its output has no watermark: a new row of one side may
// meet an old row of the other. Two forms bound both:
//
//   - a window join equates the window columns of both sides (same kind of
//     windows): a window closed on both inputs is finished;
//   - an interval join bounds the distance between the event times of the
//     two sides (l.ts BETWEEN r.ts - x AND r.ts + y): a row is finished once
//     the other side's watermark is past the last time it could match.

// windowJoinKey finds a key pair joining a window column of each side with
// the same bound: its index, and the bound; -1 when there is none.
func windowJoinKey(l, r *scope, lk, rk []int) (int, operators.Bound) {
	for i := range lk {
		lb, rb := l.cols[lk[i]].bound, r.cols[rk[i]].bound
		if lb.Valid() && lb.Kind != operators.BoundTime && lb == rb {
			return i, lb
		}
	}
	return -1, operators.Bound{}
}

// timeOffset is an event-time column of a join side plus a constant: the
// operand of a comparison of an interval join.
type timeOffset struct {
	left bool  // the column is of the left side
	col  int   // in its side's scope
	add  int64 // µs
}

// intervalJoin looks for comparisons among terms that bound left.ts -
// right.ts from below and above, with ts columns with event-time bounds;
// with oneSided (an inner join), a bound on one side is enough: the rows
// of the side it bounds are forgotten as the other's watermark passes them
// (Nexmark q4's b.date_time >= a.date_time forgets bids, while its
// auctions, whose other bound is a column, are kept). It returns the
// join's time description and whether it found one.
func (p *Planner) intervalJoin(l, r *scope, terms []tree.Expr, oneSided bool) (operators.JoinTime, bool) {
	var lower, upper *int64
	lcol, rcol := -1, -1
	note := func(a, b timeOffset, op treecmp.ComparisonOperatorSymbol) {
		if a.left == b.left {
			return
		}
		if !a.left { // make a the left side: a op b  ⇔  b op' a
			a, b = b, a
			op = flip(op)
		}
		if lcol >= 0 && (a.col != lcol || b.col != rcol) {
			return
		}
		lcol, rcol = a.col, b.col
		// l + a.add op r + b.add  ⇔  l - r op b.add - a.add
		d := b.add - a.add
		switch op {
		case treecmp.GE, treecmp.GT:
			if lower == nil || d > *lower {
				lower = &d
			}
		case treecmp.LE, treecmp.LT:
			if upper == nil || d < *upper {
				upper = &d
			}
		}
	}
	for _, t := range terms {
		switch t := stripParens(t).(type) {
		case *tree.RangeCond:
			if t.Not || t.Symmetric {
				continue
			}
			x, ok1 := p.timeOperand(t.Left, l, r)
			lo, ok2 := p.timeOperand(t.From, l, r)
			hi, ok3 := p.timeOperand(t.To, l, r)
			if ok1 && ok2 {
				note(x, lo, treecmp.GE)
			}
			if ok1 && ok3 {
				note(x, hi, treecmp.LE)
			}
		case *tree.ComparisonExpr:
			a, ok1 := p.timeOperand(t.Left, l, r)
			b, ok2 := p.timeOperand(t.Right, l, r)
			if ok1 && ok2 {
				note(a, b, t.Operator.Symbol)
			}
		}
	}
	if lower == nil && upper == nil || lower != nil && upper != nil && *lower > *upper {
		return operators.JoinTime{}, false
	}
	if (lower == nil || upper == nil) && !oneSided {
		return operators.JoinTime{}, false
	}
	// The operator compares each side's times with the other side's
	// watermark, which bounds that side's column less its lag.
	lb, rb := l.cols[lcol].bound, r.cols[rcol].bound
	tm := operators.JoinTime{WindowKey: -1, Interval: true, LeftTime: lcol, RightTime: rcol,
		LowerOpen: lower == nil, UpperOpen: upper == nil}
	if lower != nil {
		tm.Lower = *lower - rb.Lag
	}
	if upper != nil {
		tm.Upper = *upper + lb.Lag
	}
	return tm, true
}

// intervalBounds are the bounds of the time columns of an interval join's
// output: a left row meets right rows up to -Lower later, so its time lags
// the watermark by that much more, and the other way round.
func intervalBounds(tm operators.JoinTime, l, r *scope) (operators.Bound, operators.Bound) {
	lb, rb := asTime(l.cols[tm.LeftTime].bound), asTime(r.cols[tm.RightTime].bound)
	lb.Lag = max(lb.Lag, -tm.Lower)
	rb.Lag = max(rb.Lag, tm.Upper)
	if tm.LowerOpen { // a left row meets right rows however late
		lb = operators.Bound{}
	}
	if tm.UpperOpen {
		rb = operators.Bound{}
	}
	return lb, rb
}

// atOrAfterWatermark reports whether a column with bound b takes no value
// below its stream's watermark from then on: an event time, or the end
// of a window (a window ends after the times it holds). The interval join
// treats such a column as an event time.
func atOrAfterWatermark(b operators.Bound) bool {
	switch b.Kind {
	case operators.BoundTime:
		return true
	case operators.BoundTumbleEnd, operators.BoundHopEnd, operators.BoundSessionEnd:
		return b.Lag == 0
	}
	return false
}

// asTime is the bound of an interval join's time column as an event time
// (see atOrAfterWatermark): what the join knows of it.
func asTime(b operators.Bound) operators.Bound {
	if b.Kind == operators.BoundTime {
		return b
	}
	return operators.Bound{Kind: operators.BoundTime}
}

// flip mirrors a comparison: a op b ⇔ b flip(op) a.
func flip(op treecmp.ComparisonOperatorSymbol) treecmp.ComparisonOperatorSymbol {
	switch op {
	case treecmp.GE:
		return treecmp.LE
	case treecmp.GT:
		return treecmp.LT
	case treecmp.LE:
		return treecmp.GE
	case treecmp.LT:
		return treecmp.GT
	}
	return op
}

func stripParens(e tree.Expr) tree.Expr {
	for {
		pe, ok := e.(*tree.ParenExpr)
		if !ok {
			return e
		}
		e = pe.Expr
	}
}

// timeOperand recognizes col, col + c and col - c, where col is an event
// time of one side (a column with a BoundTime bound) and c a constant
// interval without months.
func (p *Planner) timeOperand(e tree.Expr, l, r *scope) (timeOffset, bool) {
	e = stripParens(e)
	var sign int64
	var cst tree.Expr
	if b, ok := e.(*tree.BinaryExpr); ok {
		switch b.Operator.Symbol {
		case treebin.Plus:
			sign = 1
		case treebin.Minus:
			sign = -1
		default:
			return timeOffset{}, false
		}
		e, cst = stripParens(b.Left), b.Right
	}
	n, ok := e.(*tree.UnresolvedName)
	if !ok {
		return timeOffset{}, false
	}
	table, name := nameParts(n)
	var t timeOffset
	if i, err := l.resolve(table, name); err == nil && atOrAfterWatermark(l.cols[i].bound) {
		t = timeOffset{left: true, col: i}
	} else if i, err := r.resolve(table, name); err == nil && atOrAfterWatermark(r.cols[i].bound) {
		t = timeOffset{col: i}
	} else {
		return timeOffset{}, false
	}
	if cst != nil {
		us, ok := p.constInterval(cst)
		if !ok {
			return timeOffset{}, false
		}
		t.add = sign * us
	}
	return t, true
}

// constInterval evaluates a constant interval without months to µs.
func (p *Planner) constInterval(e tree.Expr) (int64, bool) {
	if !p.bindsIn(e, &scope{}) {
		return 0, false
	}
	x, err := (&binder{p: p, sc: &scope{}}).bind(e)
	if err != nil {
		return 0, false
	}
	if x, err = vector.Coerce(x, vector.Interval); err != nil {
		return 0, false
	}
	if p.describe {
		return 0, true
	}
	v, err := p.evalOne(x)
	iv, ok := v.(vector.IntervalValue)
	if err != nil || !ok || iv.Months != 0 {
		return 0, false
	}
	return int64(iv.Days)*86_400_000_000 + iv.Micros, true
}
