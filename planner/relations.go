package planner

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// values plans VALUES (…), (…): each column takes the common type of its
// rows; the rows are evaluated when planned.
func (p *Planner) values(v *tree.ValuesClause, outer *scope) (*rel, error) {
	b := &binder{p: p, sc: &scope{outer: outer}, what: "VALUES"}
	rows := make([][]vector.Expr, len(v.Rows))
	for i, row := range v.Rows {
		if i > 0 && len(row) != len(v.Rows[0]) {
			return nil, vector.Errorf(vector.CodeSyntaxError, "VALUES lists must all be the same length")
		}
		x, err := b.bindAll(row)
		if err != nil {
			return nil, err
		}
		rows[i] = x
	}
	n := len(v.Rows[0])
	cols := make([]column, n)
	types := make([]vector.Type, n)
	for c := 0; c < n; c++ {
		ts := make([]vector.Type, len(rows))
		for r := range rows {
			ts[r] = rows[r][c].Type()
		}
		t, err := vector.CommonType(ts)
		if err != nil {
			return nil, err
		}
		if t.Kind == vector.KindUnknown {
			t = vector.Text
		}
		types[c] = t
		cols[c] = column{name: fmt.Sprintf("column%d", c+1), typ: t}
	}
	batch, err := p.evalRows(rows, types, vector.Coerce)
	if err != nil {
		return nil, err
	}
	return p.constant(&rel{op: operators.NewValues(types, []*vector.Batch{batch}), sc: &scope{cols: cols, outer: outer}}, "VALUES")
}

// evalRows evaluates column-free row expressions into one batch, converting
// each value to its column's type with conv.
func (p *Planner) evalRows(rows [][]vector.Expr, types []vector.Type, conv func(vector.Expr, vector.Type) (vector.Expr, error)) (*vector.Batch, error) {
	builders := make([]*vector.Builder, len(types))
	for i, t := range types {
		builders[i] = vector.NewBuilder(t, len(rows))
	}
	for _, row := range rows {
		for c, x := range row {
			x, err := conv(x, types[c])
			if err != nil {
				return nil, err
			}
			d, err := p.evalOne(x)
			if err != nil {
				return nil, err
			}
			builders[c].Append(d)
		}
	}
	cols := make([]arrow.Array, len(types))
	for i, b := range builders {
		cols[i] = b.Finish()
	}
	return vector.NewBatch(cols, len(rows)), nil
}

// setOp plans UNION, INTERSECT and EXCEPT [ALL].
func (p *Planner) setOp(u *tree.UnionClause, outer *scope) (*rel, error) {
	l, err := p.keepingUnknown(u.Left, outer)
	if err != nil {
		return nil, err
	}
	r, err := p.keepingUnknown(u.Right, outer)
	if err != nil {
		return nil, err
	}
	l, r = p.visibleOnly(l), p.visibleOnly(r)
	if len(l.sc.cols) != len(r.sc.cols) {
		return nil, vector.Errorf(vector.CodeSyntaxError, "each %s query must have the same number of columns", u.Type.String())
	}
	n := len(l.sc.cols)
	lx := make([]vector.Expr, n)
	rx := make([]vector.Expr, n)
	cols := make([]column, n)
	for i := 0; i < n; i++ {
		lc, rc := l.sc.cols[i], r.sc.cols[i]
		t, err := vector.CommonType([]vector.Type{lc.typ, rc.typ})
		if err != nil {
			return nil, vector.Errorf(vector.CodeDatatypeMismatch, "%s types %s and %s cannot be matched", u.Type.String(), lc.typ.Name(), rc.typ.Name())
		}
		if t.Kind == vector.KindUnknown {
			t = vector.Text
		}
		if lx[i], err = vector.Coerce(vector.NewColumnRef(i, lc.typ, lc.name), t); err != nil {
			return nil, err
		}
		if rx[i], err = vector.Coerce(vector.NewColumnRef(i, rc.typ, rc.name), t); err != nil {
			return nil, err
		}
		cols[i] = column{name: lc.name, typ: t}
	}
	if p.stream {
		return p.streamSetOp(u, p.project(l, lx, cols), p.project(r, rx, cols), outer)
	}
	lop := operators.NewProject(l.op, lx, p.ectx)
	rop := operators.NewProject(r.op, rx, p.ectx)
	var op operators.Operator
	switch {
	case u.Type == tree.UnionOp && u.All:
		op = operators.NewUnionAll(lop, rop)
	case u.Type == tree.UnionOp:
		op = operators.NewSetOp(lop, rop, operators.Union, false)
	case u.Type == tree.IntersectOp:
		op = operators.NewSetOp(lop, rop, operators.Intersect, u.All)
	default:
		op = operators.NewSetOp(lop, rop, operators.Except, u.All)
	}
	return &rel{op: op, sc: &scope{cols: cols, outer: outer}}, nil
}

// keepingUnknown plans a query whose result columns something else will
// type: a bare literal in its select list keeps the unknown type, so that a
// set operation resolves it against its other side (SELECT 1 UNION SELECT
// '2' is integer) and INSERT … SELECT against the target column.
func (p *Planner) keepingUnknown(s *tree.Select, outer *scope) (*rel, error) {
	saved := p.keepUnknown
	_, plain := s.Select.(*tree.SelectClause)
	p.keepUnknown = plain && s.With == nil
	defer func() { p.keepUnknown = saved }()
	return p.selectStmt(s, outer)
}

// pushCTEs makes the WITH clause's queries visible by name until the
// returned function is called.
func (p *Planner) pushCTEs(w *tree.With) func() {
	frame := map[string]*tree.CTE{}
	for _, c := range w.CTEList {
		frame[string(c.Name.Alias)] = c
	}
	p.ctes = append(p.ctes, frame)
	return func() { p.ctes = p.ctes[:len(p.ctes)-1] }
}

// cte plans a reference to a WITH query, innermost first. Each reference
// plans the query again.
func (p *Planner) cte(name string, outer *scope) (*rel, bool, error) {
	for i := len(p.ctes) - 1; i >= 0; i-- {
		c, ok := p.ctes[i][name]
		if !ok {
			continue
		}
		sel, ok := c.Stmt.(*tree.Select)
		if !ok {
			return nil, true, unsupported("data-modifying statements in WITH")
		}
		saved := p.ctes
		p.ctes = p.ctes[:i]
		r, err := p.selectStmt(sel, outer)
		p.ctes = saved
		if err != nil {
			return nil, true, err
		}
		r, err = p.alias(p.visibleOnly(r), c.Name)
		return r, true, err
	}
	return nil, false, nil
}

// tableFunction plans a window function in FROM (TUMBLE, HOP, SESSION);
// set-returning functions are planned by functionTable.
func (p *Planner) tableFunction(f *tree.FuncExpr, outer *scope) (*rel, error) {
	if _, kind, ok := isWindowFunc(f); ok {
		return p.windowTable(f, kind, outer)
	}
	return nil, vector.Errorf(vector.CodeUndefinedFunction, "function %s does not exist", tree.AsString(f))
}
