package runnel

import (
	"slices"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// Privileges, as in Postgres 15. Every schema and relation has an owner
// (the role that created it), who has every privilege on it and alone may
// drop or alter it and grant privileges on it; superusers bypass every
// check. Reading a relation (SELECT, COPY TO, a read in a write) needs
// SELECT (r) on it, INSERT and COPY FROM INSERT (a), UPDATE UPDATE (w),
// DELETE DELETE (d); naming a relation needs USAGE on its schema, and
// creating one CREATE on the schema it goes to (public: only its owner,
// the database owner). A plain view is read with its owner's privileges
// on what it reads, so SELECT on a view is enough to read it; a
// materialized view or a pipeline checks its query's reads when it is
// created and then runs as its owner. CREATE SCHEMA needs the database's
// CREATE privilege, which only its owner (the bootstrap role) has.
//
// authorize is the one place statements are checked, before they run.

// authorize refuses (42501) a statement the session's role may not run. It
// checks what the statement names; GRANT, REVOKE, OWNER TO and the role
// statements check their own rules as they run.
func (s *Session) authorize(p *Prepared) error {
	me, err := s.currentRole()
	if err != nil || me.Superuser {
		return err
	}
	a := &access{s: s, role: me}
	if p.cmd != nil {
		return a.command(p.cmd)
	}
	return a.statement(p.ast)
}

// access checks what one statement does against the privileges of a role:
// the session's, or a view's owner while reading through a view.
type access struct {
	s    *Session
	role *catalog.Role
	// inView is set while checking the reads of a view, whose names were
	// resolved when it was created: USAGE on their schemas is not needed.
	inView bool
	// ctes are the names of the WITH queries in scope, innermost last.
	ctes [][]string
	// roles are role and the roles whose privileges it has (lazily).
	roles []uint32
}

// memberOf reports whether the role has the privileges of role id: it is
// id, or a member of id that inherits.
func (a *access) memberOf(id uint32) bool {
	if a.roles == nil {
		a.roles = append(a.s.db.catalog.Memberships(a.role.ID, true), a.role.ID)
	}
	return slices.Contains(a.roles, id)
}

// owns reports whether the role may act as the owner of an object owned by
// owner.
func (a *access) owns(owner uint32) bool {
	return a.role.Superuser || a.memberOf(catalog.OwnerOID(owner))
}

// holds reports whether the role has privilege priv (an ACL letter) on an
// object with owner and grants.
func (a *access) holds(owner uint32, grants []catalog.Grant, priv byte) bool {
	if a.owns(owner) {
		return true
	}
	for _, g := range grants {
		if (g.Grantee == 0 || a.memberOf(g.Grantee)) && strings.IndexByte(g.Privileges, priv) >= 0 {
			return true
		}
	}
	return false
}

// relationKind is how messages name the kind of relation t; a system
// relation is a table, as in Postgres.
func relationKind(t *catalog.Table) string {
	if t.Kind == catalog.KindSystem {
		return "table"
	}
	return string(t.Kind)
}

// permissionDenied is 42501 "permission denied for <kind> <name>".
func permissionDenied(kind, name string) error {
	return vector.Errorf(vector.CodeInsufficientPrivilege, "permission denied for %s %s", kind, name)
}

// mustOwn is 42501 "must be owner of <kind> <name>" unless the role owns
// the relation.
func (a *access) mustOwn(t *catalog.Table) error {
	switch {
	case t.Kind == catalog.KindSystem:
		return vector.Errorf(vector.CodeInsufficientPrivilege, "permission denied: \"%s\" is a system catalog", t.Name)
	case !a.owns(t.Owner):
		return vector.Errorf(vector.CodeInsufficientPrivilege, "must be owner of %s %s", t.Kind, t.Name)
	}
	return nil
}

// statement checks a statement of the SQL grammar.
func (a *access) statement(ast tree.Statement) error {
	switch ast := ast.(type) {
	case *tree.Select:
		return a.query(ast)
	case *tree.Insert:
		return a.insert(ast)
	case *tree.Update:
		return a.update(ast)
	case *tree.Delete:
		return a.delete(ast)
	case *tree.CopyFrom:
		return a.relation(&ast.Table, "a")
	case *tree.CopyTo:
		if ast.Statement != nil {
			return a.statement(ast.Statement)
		}
		return a.relation(&ast.Table, "r")
	case *subscribeStmt:
		if ast.query != nil {
			return a.query(ast.query)
		}
		return a.relation(ast.name, "r")
	case *copySubscribeStmt:
		return a.statement(ast.sub)
	case *declareStmt:
		if ast.sub != nil {
			return a.statement(ast.sub)
		}
		return a.query(ast.query)
	case *tree.CreateTable:
		return a.createIn(&ast.Table)
	case *tree.CreateView:
		if err := a.createIn(&ast.Name); err != nil || !ast.Materialized {
			return err
		}
		return a.query(ast.AsSource)
	case *tree.CreateSchema:
		return a.createSchema(ast)
	case *tree.DropTable:
		return a.ownEach(ast.Names)
	case *tree.DropView:
		return a.ownEach(ast.Names)
	case *tree.DropSchema:
		for _, n := range ast.Names {
			if sc, ok := a.s.db.catalog.Schema(string(n.SchemaName)); ok && !a.owns(sc.Owner) {
				return vector.Errorf(vector.CodeInsufficientPrivilege, "must be owner of schema %s", sc.Name)
			}
		}
	case *tree.RenameTable:
		return a.ownEach(tree.TableNames{ast.Name.ToTableName()})
	case *tree.AlterTable:
		return a.ownEach(tree.TableNames{ast.Table.ToTableName()})
	}
	return nil
}

// command checks a runnel command.
func (a *access) command(c *command) error {
	switch c.kind {
	case "CREATE MATERIALIZED VIEW":
		if err := a.createIn(&c.view.Name); err != nil {
			return err
		}
		return a.query(c.view.AsSource)
	case "CREATE PIPELINE":
		if err := a.createIn(c.job.name); err != nil {
			return err
		}
		if err := a.relation(c.job.target, "a"); err != nil {
			return err
		}
		return a.query(c.job.query)
	case "CREATE SINK":
		if err := a.createIn(c.job.name); err != nil {
			return err
		}
		if c.job.from != nil {
			return a.relation(c.job.from, "r")
		}
		return a.query(c.job.query)
	case "DROP PIPELINE", "DROP SINK", "DROP SOURCE":
		return a.ownEach(tree.TableNames{*c.job.name})
	}
	return nil
}

// ownEach checks that the role owns each relation named that exists.
func (a *access) ownEach(names tree.TableNames) error {
	for i := range names {
		t, err := a.s.lookupTable(string(names[i].SchemaName), string(names[i].ObjectName))
		if err != nil {
			continue // the statement reports it
		}
		if err := a.usage(t.Schema); err != nil {
			return err
		}
		if err := a.mustOwn(t); err != nil {
			return err
		}
	}
	return nil
}

// usage checks that the role may look up names in schema.
func (a *access) usage(schema string) error {
	if sc, ok := a.s.db.catalog.Schema(schema); ok && !a.holds(sc.Owner, sc.GrantsOrDefault(), 'U') {
		return permissionDenied("schema", schema)
	}
	return nil
}

// createIn checks that the role may create the relation name in its
// schema.
func (a *access) createIn(name *tree.TableName) error {
	schema, err := a.s.creationSchema(string(name.SchemaName))
	if err != nil {
		return nil // the statement reports it
	}
	if sc, ok := a.s.db.catalog.Schema(schema); ok && !a.holds(sc.Owner, sc.GrantsOrDefault(), 'C') {
		return permissionDenied("schema", schema)
	}
	return nil
}

// createSchema checks CREATE SCHEMA: only the database's owner may, and
// AUTHORIZATION names a role whose privileges the creator has.
func (a *access) createSchema(cs *tree.CreateSchema) error {
	if !a.owns(0) {
		return permissionDenied("database", DatabaseName)
	}
	if cs.AuthRole.RoleSpecType == tree.RoleName && cs.AuthRole.Name != "" {
		if r, ok := a.s.db.catalog.RoleByName(cs.AuthRole.Name); ok {
			return a.mayGiveTo(r.ID)
		}
	}
	return nil
}

// query checks a SELECT: its WITH queries, its body, and the subqueries
// in ORDER BY and LIMIT.
func (a *access) query(sel *tree.Select) error {
	if sel == nil {
		return nil
	}
	if sel.With != nil {
		if err := a.with(sel.With); err != nil {
			return err
		}
		defer a.popWith()
	}
	if err := a.selectStatement(sel.Select); err != nil {
		return err
	}
	for _, o := range sel.OrderBy {
		if err := a.exprs(o.Expr); err != nil {
			return err
		}
	}
	if sel.Limit != nil {
		return a.exprs(sel.Limit.Count, sel.Limit.Offset)
	}
	return nil
}

// with checks the queries of a WITH clause, each seeing the WITH queries
// of enclosing levels only (as the planner does), and brings its names
// into scope (popWith ends it).
func (a *access) with(w *tree.With) error {
	var names []string
	for _, cte := range w.CTEList {
		names = append(names, string(cte.Name.Alias))
		if err := a.statement(cte.Stmt); err != nil {
			return err
		}
	}
	a.ctes = append(a.ctes, names)
	return nil
}

func (a *access) popWith() { a.ctes = a.ctes[:len(a.ctes)-1] }

// isCTE reports whether name is a WITH query in scope.
func (a *access) isCTE(name string) bool {
	for _, level := range a.ctes {
		if slices.Contains(level, name) {
			return true
		}
	}
	return false
}

func (a *access) selectStatement(ss tree.SelectStatement) error {
	switch ss := ss.(type) {
	case *tree.SelectClause:
		for _, te := range ss.From.Tables {
			if err := a.tableExpr(te); err != nil {
				return err
			}
		}
		var es []tree.Expr
		for _, se := range ss.Exprs {
			es = append(es, se.Expr)
		}
		if ss.Where != nil {
			es = append(es, ss.Where.Expr)
		}
		if ss.Having != nil {
			es = append(es, ss.Having.Expr)
		}
		es = append(es, ss.GroupBy...)
		for _, d := range ss.DistinctOn {
			es = append(es, d)
		}
		return a.exprs(es...)
	case *tree.ParenSelect:
		return a.query(ss.Select)
	case *tree.UnionClause:
		if err := a.query(ss.Left); err != nil {
			return err
		}
		return a.query(ss.Right)
	case *tree.ValuesClause:
		for _, row := range ss.Rows {
			if err := a.exprs(row...); err != nil {
				return err
			}
		}
	}
	return nil
}

// tableExpr checks a FROM item.
func (a *access) tableExpr(te tree.TableExpr) error {
	switch te := te.(type) {
	case *tree.TableName:
		return a.relation(te, "r")
	case *tree.AliasedTableExpr:
		return a.tableExpr(te.Expr)
	case *tree.ParenTableExpr:
		return a.tableExpr(te.Expr)
	case *tree.JoinTableExpr:
		if err := a.tableExpr(te.Left); err != nil {
			return err
		}
		if err := a.tableExpr(te.Right); err != nil {
			return err
		}
		if on, ok := te.Cond.(*tree.OnJoinCond); ok {
			return a.exprs(on.Expr)
		}
	case *tree.Subquery:
		return a.selectStatement(te.Select)
	case *tree.StatementSource:
		return a.statement(te.Statement)
	case *tree.RowsFromExpr:
		for _, item := range te.Items {
			if err := a.windowTable(item); err != nil {
				return err
			}
		}
		return a.exprs(te.Items...)
	}
	return nil
}

// windowTable checks the relation TUMBLE, HOP and SESSION read: their
// first argument names it.
func (a *access) windowTable(e tree.Expr) error {
	f, ok := e.(*tree.FuncExpr)
	if !ok || len(f.Exprs) == 0 {
		return nil
	}
	switch strings.ToLower(f.Func.String()) {
	case "tumble", "hop", "session":
	default:
		return nil
	}
	n, ok := f.Exprs[0].(*tree.UnresolvedName)
	if !ok || n.Star || n.NumParts > 2 {
		return nil
	}
	tn := tree.MakeUnqualifiedTableName(tree.Name(n.Parts[0]))
	if n.NumParts == 2 {
		tn = tree.MakeTableNameWithSchema("", tree.Name(n.Parts[1]), tree.Name(n.Parts[0]))
	}
	return a.relation(&tn, "r")
}

// exprs checks the subqueries of expressions.
func (a *access) exprs(es ...tree.Expr) error {
	var err error
	v := subqueryVisitor(func(sub *tree.Subquery) {
		if err == nil {
			err = a.selectStatement(sub.Select)
		}
	})
	for _, e := range es {
		if e != nil {
			tree.WalkExprConst(v, e)
		}
	}
	return err
}

// subqueryVisitor calls itself with each subquery of an expression (and
// does not descend into it: the callback checks it as a query).
type subqueryVisitor func(*tree.Subquery)

func (v subqueryVisitor) VisitPre(e tree.Expr) (bool, tree.Expr) {
	if sub, ok := e.(*tree.Subquery); ok {
		v(sub)
		return false, e
	}
	return true, e
}

func (v subqueryVisitor) VisitPost(e tree.Expr) tree.Expr { return e }

// insert checks INSERT: INSERT on the target, SELECT too for RETURNING,
// UPDATE for ON CONFLICT DO UPDATE (and SELECT when it reads the target's
// columns), and the reads of its rows.
func (a *access) insert(ins *tree.Insert) error {
	if ins.With != nil {
		if err := a.with(ins.With); err != nil {
			return err
		}
		defer a.popWith()
	}
	need := "a"
	if returns(ins.Returning) {
		need += "r"
	}
	var es []tree.Expr
	if oc := ins.OnConflict; oc != nil && !oc.DoNothing {
		need += "w"
		for _, u := range oc.Exprs {
			es = append(es, u.Expr)
		}
		if oc.Where != nil {
			es = append(es, oc.Where.Expr)
		}
		if readsColumns(es, "excluded") {
			need += "r"
		}
	}
	if err := a.target(ins.Table, need); err != nil {
		return err
	}
	if err := a.query(ins.Rows); err != nil {
		return err
	}
	return a.exprs(append(es, returningExprs(ins.Returning)...)...)
}

// update checks UPDATE: UPDATE on the target, SELECT too when it reads
// the target's rows (WHERE, RETURNING, SET from columns), and the reads
// of FROM and of subqueries.
func (a *access) update(up *tree.Update) error {
	if up.With != nil {
		if err := a.with(up.With); err != nil {
			return err
		}
		defer a.popWith()
	}
	var es []tree.Expr
	for _, u := range up.Exprs {
		es = append(es, u.Expr)
	}
	need := "w"
	if up.Where != nil || returns(up.Returning) || readsColumns(es, "") {
		need += "r"
	}
	if err := a.target(up.Table, need); err != nil {
		return err
	}
	for _, te := range up.From {
		if err := a.tableExpr(te); err != nil {
			return err
		}
	}
	if up.Where != nil {
		es = append(es, up.Where.Expr)
	}
	return a.exprs(append(es, returningExprs(up.Returning)...)...)
}

// delete checks DELETE: DELETE on the target, SELECT too with WHERE or
// RETURNING, and the reads of USING and of subqueries.
func (a *access) delete(del *tree.Delete) error {
	if del.With != nil {
		if err := a.with(del.With); err != nil {
			return err
		}
		defer a.popWith()
	}
	need := "d"
	if del.Where != nil || returns(del.Returning) {
		need += "r"
	}
	if err := a.target(del.Table, need); err != nil {
		return err
	}
	for _, te := range del.Using {
		if err := a.tableExpr(te); err != nil {
			return err
		}
	}
	var es []tree.Expr
	if del.Where != nil {
		es = append(es, del.Where.Expr)
	}
	return a.exprs(append(es, returningExprs(del.Returning)...)...)
}

// target checks the table a write names.
func (a *access) target(te tree.TableExpr, need string) error {
	if al, ok := te.(*tree.AliasedTableExpr); ok {
		te = al.Expr
	}
	if tn, ok := te.(*tree.TableName); ok {
		return a.relation(tn, need)
	}
	return nil
}

func returns(r tree.ReturningClause) bool {
	_, ok := r.(*tree.ReturningExprs)
	return ok
}

func returningExprs(r tree.ReturningClause) []tree.Expr {
	re, ok := r.(*tree.ReturningExprs)
	if !ok {
		return nil
	}
	var out []tree.Expr
	for _, se := range *re {
		out = append(out, se.Expr)
	}
	return out
}

// readsColumns reports whether expressions name a column other than one
// qualified by except.
func readsColumns(es []tree.Expr, except string) bool {
	reads := false
	for _, e := range es {
		tree.WalkExprConst(columnVisitor(func(n *tree.UnresolvedName) {
			if n.NumParts < 2 || except == "" || !strings.EqualFold(n.Parts[1], except) {
				reads = true
			}
		}), e)
	}
	return reads
}

// columnVisitor calls itself with each column reference of an expression.
type columnVisitor func(*tree.UnresolvedName)

func (v columnVisitor) VisitPre(e tree.Expr) (bool, tree.Expr) {
	if n, ok := e.(*tree.UnresolvedName); ok {
		v(n)
	}
	return true, e
}

func (v columnVisitor) VisitPost(e tree.Expr) tree.Expr { return e }

// relation checks that the role has the privileges need (ACL letters) on
// the relation tn names; a WITH query of that name needs none, nor does a
// name that resolves to nothing (the statement reports that).
func (a *access) relation(tn *tree.TableName, need string) error {
	if tn == nil || need == "r" && !tn.ExplicitSchema && a.isCTE(string(tn.ObjectName)) {
		return nil
	}
	t, err := a.s.lookupTable(string(tn.SchemaName), string(tn.ObjectName))
	if err != nil {
		return nil
	}
	return a.check(t, need)
}

// check checks the privileges need on relation t, and when they include
// SELECT on a plain view, the view owner's privileges on what it reads.
func (a *access) check(t *catalog.Table, need string) error {
	if !a.inView {
		if err := a.usage(t.Schema); err != nil {
			return err
		}
	}
	for i := 0; i < len(need); i++ {
		if need[i] == 'r' && t.Kind == catalog.KindSystem && !ownerOnlyCatalogs[t.Name] {
			continue // PUBLIC reads the catalogs
		}
		if !a.holds(t.Owner, t.Grants, need[i]) {
			return permissionDenied(relationKind(t), t.Name)
		}
	}
	if t.Kind != catalog.KindView || !strings.Contains(need, "r") {
		return nil
	}
	owner, ok := a.s.db.catalog.RoleByID(catalog.OwnerOID(t.Owner))
	if !ok || owner.Superuser {
		return nil
	}
	sel, err := parseSelect(t.Query)
	if err != nil {
		return nil // reading the view reports it
	}
	return (&access{s: a.s, role: owner, inView: true}).query(sel)
}

// ownerOnlyCatalogs are the system relations that hold password hashes,
// which only superusers read (as in Postgres).
var ownerOnlyCatalogs = map[string]bool{"pg_authid": true, "pg_shadow": true}
