package planner

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// A planned write produces the rows to write; the caller applies them to
// the table inside its transaction, checks NOT NULL and keys, and computes
// RETURNING over the rows written.

// Insert is a planned INSERT.
type Insert struct {
	Table *catalog.Table
	// Rows are complete rows of Table: its column types, defaults filled in.
	Rows       operators.Operator
	OnConflict *OnConflict
	Returning  *Returning
}

// OnConflict is ON CONFLICT (primary key) DO NOTHING or DO UPDATE.
type OnConflict struct {
	DoNothing bool
	// Set computes the updated row, one expression per table column, over
	// the existing row's columns followed by the proposed (EXCLUDED) row's.
	Set []vector.Expr
	// Where, when not nil, must be true (over the same columns) to update.
	Where vector.Expr
}

// Update is a planned UPDATE: Rows are the new rows, each followed by the
// id of the row it replaces.
type Update struct {
	Table     *catalog.Table
	Rows      operators.Operator
	Returning *Returning
}

// Delete is a planned DELETE: Rows are the rows to delete, each followed by
// its id.
type Delete struct {
	Table     *catalog.Table
	Rows      operators.Operator
	Returning *Returning
}

// Returning computes RETURNING over the written rows (the table's columns).
type Returning struct {
	Exprs   []vector.Expr
	Columns []Column
}

// targetTable resolves the table a write statement names, with its alias.
func (p *Planner) targetTable(t tree.TableExpr) (*catalog.Table, string, error) {
	alias := ""
	if a, ok := t.(*tree.AliasedTableExpr); ok {
		alias = string(a.As.Alias)
		t = a.Expr
	}
	name, ok := t.(*tree.TableName)
	if !ok {
		return nil, "", unsupported("writing to %s", tree.AsString(t))
	}
	tab, err := p.env.Table(string(name.SchemaName), string(name.ObjectName))
	if err != nil {
		return nil, "", err
	}
	switch tab.Kind {
	case catalog.KindView:
		return nil, "", vector.Errorf(vector.CodeObjectNotInPrerequisiteState, "cannot change view \"%s\"", tab.Name)
	case catalog.KindMaterializedView:
		return nil, "", vector.Errorf(vector.CodeWrongObjectType, "cannot change materialized view \"%s\"", tab.Name)
	}
	if alias == "" {
		alias = tab.Name
	}
	return tab, alias, nil
}

// tableScope is the scope of a table's columns, qualified by name.
func tableScope(t *catalog.Table, qualifier string) *scope {
	cols := make([]column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = column{table: qualifier, name: c.Name, typ: c.Type, tableOID: t.ID, attr: int16(i + 1)}
	}
	return &scope{cols: cols}
}

// columnIndex finds a column of t by name (42703 otherwise).
func columnIndex(t *catalog.Table, name string) (int, error) {
	for i, c := range t.Columns {
		if c.Name == name {
			return i, nil
		}
	}
	return -1, vector.Errorf(vector.CodeUndefinedColumn, "column %q of relation %q does not exist", name, t.Name)
}

// DefaultExpr compiles the DEFAULT of column i of t (NULL when it has none).
func (p *Planner) DefaultExpr(t *catalog.Table, i int) (vector.Expr, error) {
	c := t.Columns[i]
	if c.Default == "" {
		return vector.NewConst(nil, c.Type), nil
	}
	e, err := parser.ParseExpr(c.Default)
	if err != nil {
		return nil, err
	}
	b := &binder{p: p, sc: &scope{}, what: "DEFAULT expressions"}
	x, err := b.bind(e)
	if err != nil {
		return nil, err
	}
	return assign(x, c)
}

// assign converts a value written to column c to its type.
func assign(x vector.Expr, c catalog.Column) (vector.Expr, error) {
	y, err := vector.NewAssignmentCast(x, c.Type)
	if err != nil {
		if ve, ok := err.(*vector.Error); ok && ve.Code == vector.CodeDatatypeMismatch || ok && ve.Code == vector.CodeCannotCoerce {
			return nil, &vector.Error{Code: vector.CodeDatatypeMismatch,
				Message: "column \"" + c.Name + "\" is of type " + c.Type.Name() + " but expression is of type " + x.Type().Name(),
				Hint:    "You will need to rewrite or cast the expression."}
		}
		return nil, err
	}
	return y, nil
}

// Insert plans INSERT INTO t [(cols)] VALUES …| SELECT …| DEFAULT VALUES.
func (p *Planner) Insert(ins *tree.Insert) (*Insert, error) {
	if ins.With != nil {
		defer p.pushCTEs(ins.With)()
	}
	t, alias, err := p.targetTable(ins.Table)
	if err != nil {
		return nil, err
	}
	// target[i] is the table column written by source column i. Without
	// a column list, the source's columns go to the table's first columns.
	var target []int
	if len(ins.Columns) == 0 {
		n, err := p.insertWidth(ins, t)
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			target = append(target, i)
		}
	} else {
		seen := map[int]bool{}
		for _, n := range ins.Columns {
			i, err := columnIndex(t, string(n))
			if err != nil {
				return nil, err
			}
			if seen[i] {
				return nil, vector.Errorf(vector.CodeDuplicateColumn, "column %q specified more than once", n)
			}
			seen[i] = true
			target = append(target, i)
		}
	}
	src, err := p.insertSource(ins, t, target)
	if err != nil {
		return nil, err
	}
	// Complete rows: the source column, or the default.
	exprs := make([]vector.Expr, len(t.Columns))
	for i := range exprs {
		if exprs[i], err = p.DefaultExpr(t, i); err != nil {
			return nil, err
		}
	}
	for s, i := range target {
		exprs[i] = vector.NewColumnRef(s, t.Columns[i].Type, t.Columns[i].Name)
	}
	out := &Insert{Table: t, Rows: operators.NewProject(src, exprs, p.ectx)}
	if ins.OnConflict != nil {
		if out.OnConflict, err = p.onConflict(ins.OnConflict, t, alias); err != nil {
			return nil, err
		}
	}
	if out.Returning, err = p.returning(ins.Returning, t, alias); err != nil {
		return nil, err
	}
	return out, nil
}

// insertWidth is the number of columns an INSERT without a column list
// provides.
func (p *Planner) insertWidth(ins *tree.Insert, t *catalog.Table) (int, error) {
	n := len(t.Columns)
	switch {
	case ins.DefaultValues():
		return 0, nil
	case isValues(ins.Rows):
		n = len(ins.Rows.Select.(*tree.ValuesClause).Rows[0])
	default:
		saved := p.describe
		p.describe = true
		r, err := p.selectStmt(ins.Rows, nil)
		p.describe = saved
		if err != nil {
			return 0, err
		}
		n = len(p.visibleOnly(r).sc.cols)
	}
	if n > len(t.Columns) {
		return 0, vector.Errorf(vector.CodeSyntaxError, "INSERT has more expressions than target columns")
	}
	return n, nil
}

// isValues reports whether an INSERT's source is a plain VALUES list.
func isValues(s *tree.Select) bool {
	_, ok := s.Select.(*tree.ValuesClause)
	return ok && s.OrderBy == nil && s.Limit == nil
}

// insertSource plans the rows an INSERT provides, already converted to the
// types of their target columns.
func (p *Planner) insertSource(ins *tree.Insert, t *catalog.Table, target []int) (operators.Operator, error) {
	if ins.DefaultValues() {
		return operators.NewValues(nil, []*vector.Batch{{Len: 1}}), nil
	}
	if isValues(ins.Rows) {
		return p.insertValues(ins.Rows.Select.(*tree.ValuesClause), t, target)
	}
	r, err := p.keepingUnknown(ins.Rows, nil)
	if err != nil {
		return nil, err
	}
	r = p.visibleOnly(r)
	if len(r.sc.cols) > len(target) {
		return nil, vector.Errorf(vector.CodeSyntaxError, "INSERT has more expressions than target columns")
	}
	if len(r.sc.cols) < len(target) {
		return nil, vector.Errorf(vector.CodeSyntaxError, "INSERT has more target columns than expressions")
	}
	exprs := make([]vector.Expr, len(target))
	for s, i := range target {
		c := r.sc.cols[s]
		x, err := assign(vector.NewColumnRef(s, c.typ, c.name), t.Columns[i])
		if err != nil {
			return nil, err
		}
		exprs[s] = x
	}
	return operators.NewProject(r.op, exprs, p.ectx), nil
}

// insertValues evaluates INSERT … VALUES rows, each value converted to its
// target column's type (a literal takes the column's type directly) and
// DEFAULT replaced by the column's default.
func (p *Planner) insertValues(v *tree.ValuesClause, t *catalog.Table, target []int) (operators.Operator, error) {
	b := &binder{p: p, sc: &scope{}, what: "VALUES"}
	rows := make([][]vector.Expr, len(v.Rows))
	types := make([]vector.Type, len(target))
	for s, i := range target {
		types[s] = t.Columns[i].Type
	}
	for r, row := range v.Rows {
		if len(row) > len(target) {
			return nil, vector.Errorf(vector.CodeSyntaxError, "INSERT has more expressions than target columns")
		}
		if len(row) < len(target) {
			return nil, vector.Errorf(vector.CodeSyntaxError, "INSERT has more target columns than expressions")
		}
		rows[r] = make([]vector.Expr, len(row))
		for s, e := range row {
			var x vector.Expr
			var err error
			if _, isDefault := e.(tree.DefaultVal); isDefault {
				x, err = p.DefaultExpr(t, target[s])
			} else if x, err = b.bind(e); err == nil {
				x, err = assign(x, t.Columns[target[s]])
			}
			if err != nil {
				return nil, err
			}
			rows[r][s] = x
		}
	}
	batch, err := p.evalRows(rows, types, func(x vector.Expr, _ vector.Type) (vector.Expr, error) { return x, nil })
	if err != nil {
		return nil, err
	}
	return operators.NewValues(types, []*vector.Batch{batch}), nil
}

// onConflict plans ON CONFLICT; the arbiter must be the primary key.
func (p *Planner) onConflict(oc *tree.OnConflict, t *catalog.Table, alias string) (*OnConflict, error) {
	if oc.Constraint != "" || oc.ArbiterPredicate != nil {
		return nil, unsupported("ON CONFLICT ON CONSTRAINT")
	}
	if len(oc.Columns) > 0 || !oc.DoNothing {
		if !sameColumns(t, oc.Columns) {
			return nil, vector.Errorf(vector.CodeInvalidColumnReference, "there is no unique or exclusion constraint matching the ON CONFLICT specification")
		}
	}
	if oc.DoNothing {
		return &OnConflict{DoNothing: true}, nil
	}
	sc := tableScope(t, alias)
	ex := tableScope(t, "excluded")
	sc.cols = append(sc.cols, ex.cols...)
	set, where, err := p.assignments(oc.Exprs, t, sc, 0)
	if err != nil {
		return nil, err
	}
	if oc.Where != nil {
		b := &binder{p: p, sc: sc, what: "WHERE"}
		if where, err = b.bind(oc.Where.Expr); err != nil {
			return nil, err
		}
		if where, err = boolean(where, "WHERE"); err != nil {
			return nil, err
		}
	}
	return &OnConflict{Set: set, Where: where}, nil
}

func sameColumns(t *catalog.Table, names tree.NameList) bool {
	if len(names) != len(t.PrimaryKey) || len(names) == 0 {
		return false
	}
	for _, n := range names {
		found := false
		for _, k := range t.PrimaryKey {
			found = found || t.Columns[k].Name == string(n)
		}
		if !found {
			return false
		}
	}
	return true
}

// assignments compiles SET clauses over scope sc: one expression per table
// column (an unassigned column keeps its value, column offset+i of sc).
func (p *Planner) assignments(set tree.UpdateExprs, t *catalog.Table, sc *scope, offset int) ([]vector.Expr, vector.Expr, error) {
	exprs := make([]vector.Expr, len(t.Columns))
	for i, c := range t.Columns {
		exprs[i] = vector.NewColumnRef(offset+i, c.Type, c.Name)
	}
	assigned := map[int]bool{}
	b := &binder{p: p, sc: sc, what: "UPDATE"}
	for _, u := range set {
		if u.Tuple || len(u.Names) != 1 {
			return nil, nil, unsupported("multiple-column assignment")
		}
		i, err := columnIndex(t, string(u.Names[0]))
		if err != nil {
			return nil, nil, err
		}
		if assigned[i] {
			return nil, nil, vector.Errorf(vector.CodeSyntaxError, "multiple assignments to same column %q", u.Names[0])
		}
		assigned[i] = true
		var x vector.Expr
		if _, isDefault := u.Expr.(tree.DefaultVal); isDefault {
			x, err = p.DefaultExpr(t, i)
		} else if x, err = b.bind(u.Expr); err == nil {
			x, err = assign(x, t.Columns[i])
		}
		if err != nil {
			return nil, nil, err
		}
		exprs[i] = x
	}
	return exprs, nil, nil
}

// Update plans UPDATE t SET … WHERE ….
func (p *Planner) Update(u *tree.Update) (*Update, error) {
	if u.With != nil {
		defer p.pushCTEs(u.With)()
	}
	if len(u.From) > 0 || len(u.OrderBy) > 0 || u.Limit != nil {
		return nil, unsupported("UPDATE … FROM / ORDER BY / LIMIT")
	}
	t, alias, err := p.targetTable(u.Table)
	if err != nil {
		return nil, err
	}
	r, err := p.writeScan(t, alias, u.Where)
	if err != nil {
		return nil, err
	}
	set, _, err := p.assignments(u.Exprs, t, r.sc, 0)
	if err != nil {
		return nil, err
	}
	set = append(set, vector.NewColumnRef(len(t.Columns), vector.Int8, "ctid"))
	ret, err := p.returning(u.Returning, t, alias)
	if err != nil {
		return nil, err
	}
	return &Update{Table: t, Rows: operators.NewProject(r.op, set, p.ectx), Returning: ret}, nil
}

// Delete plans DELETE FROM t WHERE ….
func (p *Planner) Delete(d *tree.Delete) (*Delete, error) {
	if d.With != nil {
		defer p.pushCTEs(d.With)()
	}
	if len(d.Using) > 0 || len(d.OrderBy) > 0 || d.Limit != nil {
		return nil, unsupported("DELETE … USING / ORDER BY / LIMIT")
	}
	t, alias, err := p.targetTable(d.Table)
	if err != nil {
		return nil, err
	}
	r, err := p.writeScan(t, alias, d.Where)
	if err != nil {
		return nil, err
	}
	ret, err := p.returning(d.Returning, t, alias)
	if err != nil {
		return nil, err
	}
	return &Delete{Table: t, Rows: r.op, Returning: ret}, nil
}

// writeScan scans t with row ids, filtered by WHERE.
func (p *Planner) writeScan(t *catalog.Table, alias string, where *tree.Where) (*rel, error) {
	r, err := p.scanTable(t.Schema, t.Name, true, nil)
	if err != nil {
		return nil, err
	}
	for i := range r.sc.cols {
		r.sc.cols[i].table = alias
	}
	if where == nil {
		return r, nil
	}
	b := &binder{p: p, sc: r.sc, what: "WHERE"}
	pred, err := b.bind(where.Expr)
	if err != nil {
		return nil, err
	}
	return p.filter(r, pred, "WHERE")
}

// returning compiles a RETURNING list over the table's columns.
func (p *Planner) returning(rc tree.ReturningClause, t *catalog.Table, alias string) (*Returning, error) {
	exprs, ok := rc.(*tree.ReturningExprs)
	if !ok || exprs == nil {
		return nil, nil
	}
	sc := tableScope(t, alias)
	r := &rel{op: operators.NewValues(sc.types(), nil), sc: sc}
	s, err := p.selectList(r, &binder{p: p, sc: sc, what: "RETURNING"}, tree.SelectExprs(*exprs), false)
	if err != nil {
		return nil, err
	}
	return &Returning{Exprs: s.exprs, Columns: s.columns()}, nil
}
