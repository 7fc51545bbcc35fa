package planner

import (
	"fmt"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree/treecmp"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

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
	// Generated computes the generated columns of the updated row (see
	// Planner.Generated); nil when the table has none.
	Generated []vector.Expr
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

// targetTable resolves the table a write statement names, with its alias;
// verb says how the statement writes ("insert into", "update", "delete
// from").
func (p *Planner) targetTable(t tree.TableExpr, verb string) (*catalog.Table, string, error) {
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
	if err := CheckConnectorWrite(tab, verb); err != nil {
		return nil, "", err
	}
	if alias == "" {
		alias = tab.Name
	}
	return tab, alias, nil
}

// CheckConnectorWrite refuses a write into a source or sink table (42809):
// a source's rows come from its connector, and a sink's rows go straight
// to its connector from the pipelines that write into it. verb says how
// the statement writes ("insert into", "update", "copy to").
func CheckConnectorWrite(t *catalog.Table, verb string) error {
	var hint string
	switch t.Kind {
	case catalog.KindSource:
		hint = "A source's rows come from its connector."
	case catalog.KindSink:
		hint = fmt.Sprintf("Write into a sink with CREATE PIPELINE … AS INSERT INTO %s SELECT ….", t.Name)
	case catalog.KindPipeline:
		return &vector.Error{Code: vector.CodeWrongObjectType, Message: fmt.Sprintf("\"%s\" is a pipeline, not a table", t.Name)}
	default:
		return nil
	}
	return &vector.Error{Code: vector.CodeWrongObjectType, Message: fmt.Sprintf("cannot %s %s %q", verb, t.Kind, t.Name), Hint: hint}
}

// errGeneratedWrite is Postgres' error for a value written into generated
// column c by INSERT (or, with update, by UPDATE): only DEFAULT may be.
func errGeneratedWrite(c catalog.Column, update bool) error {
	msg := fmt.Sprintf("cannot insert a non-DEFAULT value into column %q", c.Name)
	if update {
		msg = fmt.Sprintf("column %q can only be updated to DEFAULT", c.Name)
	}
	return &vector.Error{Code: codeGeneratedAlways, Message: msg, Detail: fmt.Sprintf("Column %q is a generated column.", c.Name)}
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
	return assignAs(x, c, "default expression")
}

// SQLSTATEs of generated columns.
const (
	codeGeneratedAlways         = "428C9"
	codeInvalidObjectDefinition = "42P17"
)

// Generated compiles the stored generated columns of t: one expression per
// column of t over a complete row of t (its columns in order), the
// column's generation expression for a generated column and the column
// itself for any other. A write computes them over the row it writes,
// whose generated columns may hold anything (generation expressions never
// read them). It is nil when t has no generated column.
//
// It checks what Postgres checks at CREATE TABLE: the expression reads no
// generated column and is immutable (42P17), has no subquery (0A000),
// parameter (42P02), aggregate or window function, and its value is
// assignable to the column (42804).
func (p *Planner) Generated(t *catalog.Table) ([]vector.Expr, error) {
	var exprs []vector.Expr
	for i, c := range t.Columns {
		if c.Generated == "" {
			continue
		}
		if exprs == nil {
			exprs = make([]vector.Expr, len(t.Columns))
			for j, col := range t.Columns {
				exprs[j] = vector.NewColumnRef(j, col.Type, col.Name)
			}
		}
		x, err := p.generatedExpr(t, c)
		if err != nil {
			return nil, err
		}
		exprs[i] = x
	}
	return exprs, nil
}

// RenameInGenerated rewrites the text of a generation expression for the
// rename of column from to to (from "" renames none). Its column references
// also lose their table qualifiers, so the text stays right when the table
// is renamed.
func RenameInGenerated(expr, from, to string) (string, error) {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return "", err
	}
	e, err = tree.SimpleVisit(e, func(x tree.Expr) (bool, tree.Expr, error) {
		n, ok := x.(*tree.UnresolvedName)
		if !ok || n.Star {
			return true, x, nil
		}
		name := n.Parts[0]
		if from != "" && name == from {
			name = to
		}
		return false, &tree.UnresolvedName{NumParts: 1, Parts: tree.NameParts{name}}, nil
	})
	if err != nil {
		return "", err
	}
	return tree.AsString(e), nil
}

// generatedExpr compiles the generation expression of column c of t.
func (p *Planner) generatedExpr(t *catalog.Table, c catalog.Column) (vector.Expr, error) {
	e, err := parser.ParseExpr(c.Generated)
	if err != nil {
		return nil, err
	}
	sc := tableScope(t, t.Name)
	var refused error
	tree.WalkExprConst(exprVisitor(func(node tree.Expr) bool {
		switch n := node.(type) {
		case *tree.Subquery:
			refused = vector.Errorf(vector.CodeFeatureNotSupported, "cannot use subquery in column generation expression")
		case *tree.Placeholder:
			refused = vector.Errorf(vector.CodeUndefinedParameter, "there is no parameter %s", n)
		}
		return refused == nil
	}), e)
	if refused != nil {
		return nil, refused
	}
	b := &binder{p: p, sc: sc, what: "column generation expressions"}
	x, err := b.bind(e)
	if err != nil {
		return nil, err
	}
	tree.WalkExprConst(exprVisitor(func(node tree.Expr) bool {
		if n, ok := node.(*tree.UnresolvedName); ok && !n.Star {
			if i, err := sc.resolve(nameParts(n)); err == nil && t.Columns[i].Generated != "" {
				refused = &vector.Error{Code: codeInvalidObjectDefinition,
					Message: fmt.Sprintf("cannot use generated column %q in column generation expression", t.Columns[i].Name),
					Detail:  "A generated column cannot reference another generated column."}
			}
		}
		return refused == nil
	}), e)
	if refused != nil {
		return nil, refused
	}
	if err := b.checkImmutable(e); err != nil {
		return nil, err
	}
	return assignAs(x, c, "default expression")
}

// checkImmutable refuses an expression whose value may depend on more than
// its inputs (42P17), as Postgres refuses it for a generated column. Each
// function call, operator and cast of e is built again over constant
// arguments of its arguments' types: vector folds an immutable one into a
// constant, and leaves one that reads the clock, the session or the
// TimeZone (now(), random(), timestamptz + interval, timestamp::timestamptz)
// a call. As in Postgres, conversions between text and date/time types
// (whose input reads 'now' and DateStyle) and the functions of
// stableInPostgres are not immutable either. Unlike Postgres, which
// converts a string constant to timestamptz once, at CREATE TABLE, runnel
// converts it on every write in the writer's TimeZone: not immutable.
func (b *binder) checkImmutable(e tree.Expr) error {
	var err error
	tree.WalkExprConst(exprVisitor(func(x tree.Expr) bool {
		var ok bool
		if ok, err = b.immutableNode(x); err == nil && !ok {
			err = vector.Errorf(codeInvalidObjectDefinition, "generation expression is not immutable")
		}
		return err == nil
	}), e)
	return err
}

// stableInPostgres are the functions Postgres declares stable (they format
// values by their output functions or settings) whose result in runnel
// depends on their arguments only.
var stableInPostgres = map[string]bool{
	"to_char": true, "format": true, "concat": true, "concat_ws": true, "to_jsonb": true, "pg_typeof": true,
}

// immutableNode reports whether the call, operator or cast x is immutable
// by itself (see checkImmutable); any other node is.
func (b *binder) immutableNode(x tree.Expr) (bool, error) {
	var rebuilt tree.Expr
	var err error
	switch x := x.(type) {
	case *tree.FuncExpr:
		switch n := funcName(x); {
		case stableInPostgres[n]:
			return false, nil
		case n == "greatest" || n == "least":
			return true, nil // built without folding; immutable in Postgres
		}
		call := *x
		call.Exprs, err = b.constantsLike(x.Exprs...)
		rebuilt = &call
	case *tree.CastExpr:
		if from, to, err := b.castTypes(x); err != nil || textDateTime(from, to) {
			return false, err
		}
		cast := *x
		cast.Expr, err = b.constantLike(x.Expr)
		rebuilt = &cast
	case *tree.BinaryExpr:
		var args tree.Exprs
		args, err = b.constantsLike(x.Left, x.Right)
		rebuilt = &tree.BinaryExpr{Operator: x.Operator, Left: args[0], Right: args[1]}
	case *tree.UnaryExpr:
		var arg tree.Expr
		arg, err = b.constantLike(x.Expr)
		rebuilt = &tree.UnaryExpr{Operator: x.Operator, Expr: arg}
	case *tree.ComparisonExpr:
		switch x.Operator.Symbol {
		case treecmp.EQ, treecmp.NE, treecmp.LT, treecmp.LE, treecmp.GT, treecmp.GE:
		default:
			return true, nil
		}
		var args tree.Exprs
		args, err = b.constantsLike(x.Left, x.Right)
		rebuilt = &tree.ComparisonExpr{Operator: x.Operator, Left: args[0], Right: args[1]}
	default:
		return true, nil
	}
	if err != nil {
		return false, err
	}
	y, err := b.bind(rebuilt)
	if err != nil {
		return false, err
	}
	_, ok := vector.IsConst(y)
	return ok, nil
}

// castTypes returns the type a non-constant cast converts from (Unknown
// for a constant, which converts once) and the type it converts to.
func (b *binder) castTypes(c *tree.CastExpr) (vector.Type, vector.Type, error) {
	from, err := b.bind(c.Expr)
	if err != nil {
		return vector.Type{}, vector.Type{}, err
	}
	to, err := ResolveType(c.Type)
	if _, ok := vector.IsConst(from); ok {
		return vector.Unknown, to, err
	}
	return from.Type(), to, err
}

// textDateTime reports whether a cast from one type to the other converts
// between text and a date/time type.
func textDateTime(from, to vector.Type) bool {
	isDateTime := func(t vector.Type) bool {
		switch t.Kind {
		case vector.KindDate, vector.KindTime, vector.KindTimestamp, vector.KindTimestampTZ, vector.KindInterval:
			return true
		}
		return false
	}
	return from.Kind.IsString() && isDateTime(to) || isDateTime(from) && to.Kind.IsString()
}

// constantsLike maps constantLike over args.
func (b *binder) constantsLike(args ...tree.Expr) (tree.Exprs, error) {
	out := make(tree.Exprs, len(args))
	for i, a := range args {
		c, err := b.constantLike(a)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// constantLike is a constant that stands for argument a: a itself when it
// is a constant, else a NULL of its type.
func (b *binder) constantLike(a tree.Expr) (tree.Expr, error) {
	x, err := b.bind(a)
	if err != nil {
		return nil, err
	}
	if _, ok := vector.IsConst(x); ok {
		return a, nil
	}
	// NULL::timestamptz stays a cast (converting to timestamptz reads the
	// TimeZone); to_timestamp(NULL) is a constant timestamptz.
	text := "NULL::" + x.Type().String()
	if x.Type().Kind == vector.KindTimestampTZ {
		text = "to_timestamp(NULL::float8)"
	}
	return parser.ParseExprWithInt(text, types.Int4)
}

// assign converts a value written to column c to its type.
func assign(x vector.Expr, c catalog.Column) (vector.Expr, error) {
	return assignAs(x, c, "expression")
}

// assignAs is assign naming the value what in a type mismatch: Postgres
// calls a DEFAULT or generation expression a "default expression".
func assignAs(x vector.Expr, c catalog.Column, what string) (vector.Expr, error) {
	y, err := vector.NewAssignmentCast(x, c.Type)
	if err != nil {
		if ve, ok := err.(*vector.Error); ok && ve.Code == vector.CodeDatatypeMismatch || ok && ve.Code == vector.CodeCannotCoerce {
			return nil, &vector.Error{Code: vector.CodeDatatypeMismatch,
				Message: "column \"" + c.Name + "\" is of type " + c.Type.Name() + " but " + what + " is of type " + x.Type().Name(),
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
	t, alias, err := p.targetTable(ins.Table, "insert into")
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
	gen, err := p.Generated(t)
	if err != nil {
		return nil, err
	}
	out := &Insert{Table: t, Rows: operators.NewProject(src, exprs, p.ectx)}
	if gen != nil {
		out.Rows = operators.NewProject(out.Rows, gen, p.ectx)
	}
	if ins.OnConflict != nil {
		if out.OnConflict, err = p.onConflict(ins.OnConflict, t, alias); err != nil {
			return nil, err
		}
		if !out.OnConflict.DoNothing {
			out.OnConflict.Generated = gen
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
	for _, i := range target {
		if t.Columns[i].Generated != "" {
			return nil, errGeneratedWrite(t.Columns[i], false)
		}
	}
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
			_, isDefault := e.(tree.DefaultVal)
			switch {
			case isDefault:
				x, err = p.DefaultExpr(t, target[s])
			case t.Columns[target[s]].Generated != "":
				err = errGeneratedWrite(t.Columns[target[s]], false)
			default:
				x, err = b.bind(e)
			}
			if err == nil && !isDefault {
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
		_, isDefault := u.Expr.(tree.DefaultVal)
		switch {
		case isDefault:
			x, err = p.DefaultExpr(t, i)
		case t.Columns[i].Generated != "":
			err = errGeneratedWrite(t.Columns[i], true)
		default:
			x, err = b.bind(u.Expr)
		}
		if err == nil && !isDefault {
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
	t, alias, err := p.targetTable(u.Table, "update")
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
	ctid := vector.NewColumnRef(len(t.Columns), vector.Int8, "ctid")
	rows := operators.NewProject(r.op, append(set, ctid), p.ectx)
	gen, err := p.Generated(t)
	if err != nil {
		return nil, err
	}
	if gen != nil {
		rows = operators.NewProject(rows, append(gen, ctid), p.ectx)
	}
	ret, err := p.returning(u.Returning, t, alias)
	if err != nil {
		return nil, err
	}
	return &Update{Table: t, Rows: rows, Returning: ret}, nil
}

// Delete plans DELETE FROM t WHERE ….
func (p *Planner) Delete(d *tree.Delete) (*Delete, error) {
	if d.With != nil {
		defer p.pushCTEs(d.With)()
	}
	if len(d.Using) > 0 || len(d.OrderBy) > 0 || d.Limit != nil {
		return nil, unsupported("DELETE … USING / ORDER BY / LIMIT")
	}
	t, alias, err := p.targetTable(d.Table, "delete from")
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
