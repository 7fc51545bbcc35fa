package planner

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// Event-time windows, in both dialects:
//
//   - table functions in FROM that add window_start and window_end:
//     TUMBLE(t, ts, size [, offset]), HOP(t, ts, slide, size [, offset]) and
//     SESSION(t, ts, gap), grouped by window_start, window_end;
//   - calls in GROUP BY that stand for a window value w, whose fields are
//     w.start and w.end: tumble(size), hop(slide, size), session(gap), over
//     the event-time column of the FROM clause.
//
// Tumbling and hopping windows depend on a row alone: a WindowAssign adds
// the columns (repeating a row once per hopping window). Session windows
// depend on the rows around: only a session aggregate computes them, so
// SESSION's columns are placeholders that GROUP BY must take.

// maxHopWindows bounds the windows a row of a hopping window is in (its
// size over its slide): each is a copy of the row.
const maxHopWindows = 1000

// timeWindow is a window asked for by a table function or a GROUP BY call.
type timeWindow struct {
	kind string // "tumble", "hop" or "session"
	w    operators.Windows
	gap  int64 // session
}

// sessionWindow marks the placeholder window columns of SESSION(…): ts is
// the event-time column of the relation they are in.
type sessionWindow struct {
	ts  int
	gap int64
}

// windowArgs checks the parameters of a window (intervals after the table
// and time column of the table-function form): sizes positive, without
// months, a hop's size a multiple of its slide.
func (p *Planner) windowArgs(kind string, args tree.Exprs) (timeWindow, error) {
	name := kind
	want := map[string][2]int{"tumble": {1, 2}, "hop": {2, 3}, "session": {1, 1}}[kind]
	if len(args) < want[0] || len(args) > want[1] {
		return timeWindow{}, vector.Errorf(vector.CodeUndefinedFunction, "function %s with %d interval arguments does not exist", name, len(args))
	}
	vals := make([]int64, len(args))
	for i, a := range args {
		us, err := p.windowInterval(a, name)
		if err != nil {
			return timeWindow{}, err
		}
		vals[i] = us
	}
	c := timeWindow{kind: kind}
	positive := func(what string, v int64) error {
		if v <= 0 {
			return vector.Errorf(vector.CodeInvalidParameterValue, "%s window %s must be greater than zero", name, what)
		}
		return nil
	}
	switch kind {
	case "tumble":
		c.w = operators.Windows{Kind: operators.Tumble, Size: vals[0], Slide: vals[0]}
		if len(vals) > 1 {
			c.w.Offset = vals[1]
		}
		return c, positive("size", c.w.Size)
	case "hop":
		c.w = operators.Windows{Kind: operators.Hop, Slide: vals[0], Size: vals[1]}
		if len(vals) > 2 {
			c.w.Offset = vals[2]
		}
		if err := positive("slide", c.w.Slide); err != nil {
			return c, err
		}
		if err := positive("size", c.w.Size); err != nil {
			return c, err
		}
		if c.w.Size%c.w.Slide != 0 {
			return c, vector.Errorf(vector.CodeInvalidParameterValue, "hop window size must be a multiple of its slide")
		}
		if c.w.Size/c.w.Slide > maxHopWindows {
			return c, vector.Errorf(vector.CodeInvalidParameterValue, "hop windows of %d slides: a row would be in more than %d windows", c.w.Size/c.w.Slide, maxHopWindows)
		}
		return c, nil
	}
	c.gap = vals[0]
	return c, positive("gap", c.gap)
}

// windowInterval evaluates a constant interval parameter of a window.
func (p *Planner) windowInterval(e tree.Expr, fn string) (int64, error) {
	x, err := (&binder{p: p, sc: &scope{}, what: "window parameters"}).bind(e)
	if err != nil {
		return 0, err
	}
	c, err := vector.Coerce(x, vector.Interval)
	if err != nil {
		return 0, vector.Errorf(vector.CodeDatatypeMismatch, "%s window parameters must be intervals, not %s", fn, x.Type().Name())
	}
	x = c
	if p.describe {
		return 1, nil // typed only: any valid size
	}
	v, err := p.evalOne(x)
	if err != nil {
		return 0, err
	}
	iv, _ := v.(vector.IntervalValue)
	if v == nil {
		return 0, vector.Errorf(vector.CodeInvalidParameterValue, "%s window parameters must not be NULL", fn)
	}
	if iv.Months != 0 {
		return 0, vector.Errorf(vector.CodeInvalidParameterValue, "%s windows cannot be sized in months or years: they vary in length", fn)
	}
	return int64(iv.Days)*86_400_000_000 + iv.Micros, nil
}

// isWindowFunc reports whether f is a window call of the GROUP BY form.
func isWindowFunc(e tree.Expr) (*tree.FuncExpr, string, bool) {
	f, ok := stripParens(e).(*tree.FuncExpr)
	if !ok {
		return nil, "", false
	}
	switch name := funcName(f); name {
	case "tumble", "hop", "session":
		return f, name, true
	}
	return nil, "", false
}

// windowTable plans TUMBLE, HOP and SESSION in FROM.
func (p *Planner) windowTable(f *tree.FuncExpr, kind string, outer *scope) (*rel, error) {
	if len(f.Exprs) < 3 {
		return nil, vector.Errorf(vector.CodeUndefinedFunction, "function %s(%s) does not exist: the table, its time column and the window's intervals are needed", kind, tree.AsString(&f.Exprs))
	}
	tn, ok := f.Exprs[0].(*tree.UnresolvedName)
	if !ok || tn.Star || tn.NumParts > 2 {
		return nil, vector.Errorf(vector.CodeSyntaxError, "the first argument of %s must be a table name", kind)
	}
	name := tree.MakeUnqualifiedTableName(tree.Name(tn.Parts[0]))
	if tn.NumParts == 2 {
		name = tree.MakeTableNameWithSchema("", tree.Name(tn.Parts[1]), tree.Name(tn.Parts[0]))
	}
	r, err := p.tableSource(&name, tree.AliasClause{}, outer)
	if err != nil {
		return nil, err
	}
	cn, ok := f.Exprs[1].(*tree.UnresolvedName)
	if !ok || cn.Star {
		return nil, vector.Errorf(vector.CodeSyntaxError, "the second argument of %s must be a column name", kind)
	}
	table, col := nameParts(cn)
	ts, err := r.sc.resolve(table, col)
	if err != nil {
		return nil, err
	}
	if err := checkTimeColumn(r.sc.cols[ts], kind); err != nil {
		return nil, err
	}
	call, err := p.windowArgs(kind, f.Exprs[2:])
	if err != nil {
		return nil, err
	}
	qual := r.sc.cols[ts].table
	if kind == "session" && !p.stream {
		return nil, unsupported("session windows outside a materialized view, pipeline or sink")
	}
	if kind == "session" {
		// Placeholders, until GROUP BY computes the sessions.
		exprs := make([]vector.Expr, 0, len(r.sc.cols)+2)
		cols := append([]column(nil), r.sc.cols...)
		for i, c := range r.sc.cols {
			exprs = append(exprs, vector.NewColumnRef(i, c.typ, c.name))
		}
		sw := &sessionWindow{ts: ts, gap: call.gap}
		for _, n := range []string{"window_start", "window_end"} {
			exprs = append(exprs, vector.NewColumnRef(ts, r.sc.cols[ts].typ, n))
			cols = append(cols, column{table: qual, name: n, typ: r.sc.cols[ts].typ, session: sw})
		}
		return p.project(r, exprs, cols), nil
	}
	call.w.Col = ts
	return p.assignWindows(r, call.w, qual, false), nil
}

// checkTimeColumn refuses a window over a column that is not a timestamp.
func checkTimeColumn(c column, fn string) error {
	if c.typ.Kind != vector.KindTimestamp && c.typ.Kind != vector.KindTimestampTZ {
		return vector.Errorf(vector.CodeDatatypeMismatch, "%s windows need a timestamp column; %s is %s", fn, c.name, c.typ.Name())
	}
	return nil
}

// assignWindows adds window_start and window_end to r (hidden ones for the
// GROUP BY form), with their bounds.
func (p *Planner) assignWindows(r *rel, w operators.Windows, table string, hidden bool) *rel {
	ts := r.sc.cols[w.Col]
	cols := append([]column(nil), r.sc.cols...)
	cols = append(cols,
		column{table: table, name: "window_start", typ: ts.typ, hidden: hidden, bound: w.StartBound(ts.bound)},
		column{table: table, name: "window_end", typ: ts.typ, hidden: hidden, bound: w.EndBound(ts.bound)})
	sc := &scope{cols: cols, outer: r.sc.outer}
	if p.stream {
		return &rel{op: operators.NewWindowAssignNode(node(r), w), sc: sc}
	}
	return &rel{op: operators.NewWindowAssign(r.op, w), sc: sc}
}

// eventTimeColumn finds the event-time column a GROUP BY window call
// implies: the one column of the FROM clause with event time.
func eventTimeColumn(sc *scope, fn string) (int, error) {
	found := -1
	for i, c := range sc.cols {
		if c.hidden || c.bound.Kind != operators.BoundTime {
			continue
		}
		if found >= 0 {
			return -1, vector.Errorf(vector.CodeWindowingError, "%s() is ambiguous: the FROM clause has several event-time columns; use %s in FROM with the column", fn, strings.ToUpper(fn))
		}
		found = i
	}
	if found < 0 {
		return -1, vector.Errorf(vector.CodeWindowingError, "%s() needs event time: declare WATERMARK FOR a timestamp column of the table, or use %s in FROM with the column", fn, strings.ToUpper(fn))
	}
	sc.cols[found].markUsed()
	return found, nil
}

// groupWindow is the window a GROUP BY asks for, if any.
type groupWindow struct {
	call timeWindow
	text string // the text of the GROUP BY call; "" for SESSION(…) in FROM
	// cols are the input's window_start and window_end (tumble, hop), or
	// the event-time column (session).
	cols  []int
	tsArg int // session: the event time's column in the aggregate input
}

// groupWindow finds the window among the GROUP BY items: a window call
// (there may be one), or the placeholder columns of SESSION(…). For a
// tumble or hop call it assigns the windows to r first.
func (p *Planner) groupWindow(r *rel, items []tree.Expr) (*rel, *groupWindow, error) {
	gw := &groupWindow{}
	for _, e := range items {
		if f, kind, ok := isWindowFunc(e); ok {
			if gw.call.kind != "" {
				return nil, nil, vector.Errorf(vector.CodeWindowingError, "GROUP BY can have one window, not several")
			}
			call, err := p.windowArgs(kind, f.Exprs)
			if err != nil {
				return nil, nil, err
			}
			ts, err := eventTimeColumn(r.sc, kind)
			if err != nil {
				return nil, nil, err
			}
			gw.call, gw.text = call, exprText(e)
			if kind == "session" {
				gw.cols = []int{ts}
				continue
			}
			call.w.Col = ts
			r = p.assignWindows(r, call.w, "", true)
			n := len(r.sc.cols)
			gw.cols = []int{n - 2, n - 1}
			continue
		}
		if n, ok := stripParens(e).(*tree.UnresolvedName); ok && !n.Star {
			table, name := nameParts(n)
			if i, err := r.sc.resolve(table, name); err == nil {
				if sw := r.sc.cols[i].session; sw != nil && gw.call.kind == "" {
					gw.call = timeWindow{kind: "session", gap: sw.gap}
					gw.cols = []int{sw.ts}
				}
			}
		}
	}
	return r, gw, nil
}

// takes reports whether GROUP BY item e is the window: the window call,
// or a SESSION placeholder column.
func (gw *groupWindow) takes(e tree.Expr, sc *scope) bool {
	if gw.call.kind == "" {
		return false
	}
	if gw.text != "" {
		return exprText(e) == gw.text
	}
	return gw.field(e, sc) >= 0
}

// field is 0 for a SESSION window_start placeholder, 1 for window_end, -1
// otherwise (for the call form: 0).
func (gw *groupWindow) field(e tree.Expr, sc *scope) int {
	if gw.text != "" {
		return 0
	}
	n, ok := stripParens(e).(*tree.UnresolvedName)
	if !ok || n.Star {
		return -1
	}
	table, name := nameParts(n)
	i, err := sc.resolve(table, name)
	if err != nil || sc.cols[i].session == nil {
		return -1
	}
	if sc.cols[i].name == "window_end" {
		return 1
	}
	return 0
}

// output is the output column of window column c of a tumble or hop call:
// a field of the window value.
func (gw *groupWindow) output(c column) column {
	f := "start"
	if c.name == "window_end" {
		f = "end"
	}
	return column{name: "window", field: f, typ: c.typ, bound: c.bound}
}

// boundedColumn is the first of cols with a bound, or -1.
func boundedColumn(cols []column) int {
	for i, c := range cols {
		if c.bound.Valid() {
			return i
		}
	}
	return -1
}
