package runnel

import (
	"context"
	"fmt"
	"slices"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/privilege"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// GRANT and REVOKE of privileges and of role membership, and ALTER … OWNER
// TO: the statements that change who may do what (see privileges.go for
// the checks themselves).

// accessControl runs GRANT and REVOKE (of privileges and of role
// membership), ALTER … OWNER TO, and the role statements the SQL grammar
// parsed as one of several statements of a message.
func (s *Session) accessControl(ctx context.Context, p *Prepared) (*Result, error) {
	switch ast := p.ast.(type) {
	case *tree.Grant:
		return s.grantPrivileges(ast.Privileges, &ast.Targets, ast.Grantees, ast.WithGrantOption, false)
	case *tree.Revoke:
		return s.grantPrivileges(ast.Privileges, &ast.Targets, ast.Grantees, ast.GrantOptionFor, true)
	case *tree.GrantRole:
		return s.grantRoles(ast.Roles, ast.Members, ast.AdminOption, false)
	case *tree.RevokeRole:
		return s.grantRoles(ast.Roles, ast.Members, ast.AdminOption, true)
	case *tree.AlterTableOwner:
		return s.alterTableOwner(ast)
	case *tree.AlterSchema:
		return s.alterSchema(ast)
	}
	return s.roleStatement(ctx, p.SQL)
}

// aclObject is a schema or relation GRANT or REVOKE applies to.
type aclObject struct {
	id     uint32
	kind   string // "schema", "table", "view", …
	name   string
	owner  uint32
	grants []catalog.Grant
}

// grantPrivileges runs GRANT privileges ON objects TO grantees (and
// REVOKE … FROM). Only the owner may grant; a role that holds some
// privilege on an object gets a warning instead of the error, as in
// Postgres.
func (s *Session) grantPrivileges(privs privilege.List, targets *tree.GrantTargetList, grantees tree.RoleSpecList, grantOption, revoke bool) (*Result, error) {
	me, err := s.currentRole()
	if err != nil {
		return nil, err
	}
	res := &Result{Tag: "GRANT"}
	if revoke {
		res.Tag = "REVOKE"
	}
	if grantOption {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "grant options (WITH GRANT OPTION) are not supported")
	}
	objs, letters, err := s.aclObjects(privs, targets)
	if err != nil {
		return nil, err
	}
	var ids []uint32
	for _, g := range grantees {
		id, err := s.roleSpec(me, g, true)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	a := &access{s: s, role: me}
	for _, o := range objs {
		if !a.owns(o.owner) {
			if !slices.ContainsFunc([]byte(catalog.TablePrivileges+catalog.SchemaPrivileges), func(p byte) bool { return a.holds(o.owner, o.grants, p) }) {
				return nil, permissionDenied(o.kind, o.name)
			}
			warning := &vector.Error{Code: vector.CodeWarningPrivilegeNotGranted, Message: fmt.Sprintf("no privileges were granted for \"%s\"", o.name)}
			if revoke {
				warning = &vector.Error{Code: vector.CodeWarningPrivilegeNotRevoked, Message: fmt.Sprintf("no privileges could be revoked for \"%s\"", o.name)}
			}
			res.Notices = append(res.Notices, warning)
			continue
		}
		for _, g := range ids {
			if revoke {
				_, err = s.db.catalog.Revoke(o.id, g, letters)
			} else {
				err = s.db.catalog.Grant(o.id, g, letters, catalog.OwnerOID(o.owner))
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// aclObjects resolves the objects of GRANT and REVOKE and the privileges
// given, as ACL letters.
func (s *Session) aclObjects(privs privilege.List, targets *tree.GrantTargetList) ([]aclObject, string, error) {
	switch {
	case targets.Databases != nil:
		return nil, "", vector.Errorf(vector.CodeFeatureNotSupported, "privileges on databases are not supported")
	case targets.Types != nil || targets.Functions != nil || targets.Procedures != nil || targets.AllSequencesInSchema ||
		targets.AllFunctionsInSchema || targets.AllProceduresInSchema || targets.System || targets.ExternalConnections != nil ||
		targets.Tables.SequenceOnly:
		return nil, "", vector.Errorf(vector.CodeFeatureNotSupported, "privileges on %s are not supported", tree.AsString(targets))
	case targets.Schemas != nil && !targets.AllTablesInSchema:
		letters, err := aclLetters(privs, "schema", map[privilege.Kind]string{
			privilege.ALL: catalog.SchemaPrivileges, privilege.USAGE: "U", privilege.CREATE: "C"})
		if err != nil {
			return nil, "", err
		}
		var out []aclObject
		for _, n := range targets.Schemas {
			sc, ok := s.db.catalog.Schema(string(n.SchemaName))
			if !ok {
				return nil, "", vector.Errorf(vector.CodeUndefinedSchema, "schema \"%s\" does not exist", n.SchemaName)
			}
			out = append(out, aclObject{id: sc.ID, kind: "schema", name: sc.Name, owner: sc.Owner, grants: sc.GrantsOrDefault()})
		}
		return out, letters, nil
	}
	letters, err := aclLetters(privs, "table", map[privilege.Kind]string{
		privilege.ALL: catalog.TablePrivileges, privilege.SELECT: "r", privilege.INSERT: "a", privilege.UPDATE: "w",
		privilege.DELETE: "d", privilege.TRIGGER: "t"})
	if err != nil {
		return nil, "", err
	}
	var rels []*catalog.Table
	var schemas []string
	if targets.AllTablesInSchema {
		for _, n := range targets.Schemas {
			schemas = append(schemas, string(n.SchemaName))
		}
	}
	for _, tp := range targets.Tables.TablePatterns {
		np, err := tp.NormalizeTablePattern()
		if err != nil {
			return nil, "", err
		}
		switch np := np.(type) {
		case *tree.AllTablesSelector:
			schemas = append(schemas, string(np.SchemaName))
		case *tree.TableName:
			t, err := s.lookupTable(string(np.SchemaName), string(np.ObjectName))
			if err != nil {
				return nil, "", err
			}
			rels = append(rels, t)
		}
	}
	for _, name := range schemas {
		if _, ok := s.db.catalog.Schema(name); !ok {
			return nil, "", vector.Errorf(vector.CodeUndefinedSchema, "schema \"%s\" does not exist", name)
		}
		for _, t := range s.db.catalog.Tables() {
			if t.Schema == name && t.Kind != catalog.KindPipeline {
				rels = append(rels, t)
			}
		}
	}
	var out []aclObject
	for _, t := range rels {
		switch t.Kind {
		case catalog.KindPipeline:
			return nil, "", vector.Errorf(vector.CodeWrongObjectType, "\"%s\" is a pipeline, not a relation", t.Name)
		case catalog.KindSystem:
			return nil, "", vector.Errorf(vector.CodeInsufficientPrivilege, "permission denied: \"%s\" is a system catalog", t.Name)
		}
		out = append(out, aclObject{id: t.ID, kind: string(t.Kind), name: t.Name, owner: t.Owner, grants: t.Grants})
	}
	return out, letters, nil
}

// aclLetters turns privileges into the ACL letters of an object of kind
// (0LP01 for a privilege it does not have).
func aclLetters(privs privilege.List, kind string, letters map[privilege.Kind]string) (string, error) {
	var out string
	for _, p := range privs {
		l, ok := letters[p]
		if !ok {
			return "", vector.Errorf(vector.CodeInvalidGrantOperation, "invalid privilege type %s for %s", p.DisplayName(), kind)
		}
		out += l
	}
	return out, nil
}

// alterTableOwner runs ALTER TABLE, VIEW or MATERIALIZED VIEW … OWNER TO:
// the owner (being a member of the new owner) or a superuser may.
func (s *Session) alterTableOwner(ao *tree.AlterTableOwner) (*Result, error) {
	me, err := s.currentRole()
	if err != nil {
		return nil, err
	}
	kind, tag := catalog.KindTable, "ALTER TABLE"
	switch {
	case ao.IsMaterialized:
		kind, tag = catalog.KindMaterializedView, "ALTER MATERIALIZED VIEW"
	case ao.IsView:
		kind, tag = catalog.KindView, "ALTER VIEW"
	case ao.IsSequence:
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "sequences are not supported")
	}
	tn := ao.Name.ToTableName()
	t, err := s.lookupTable(string(tn.SchemaName), string(tn.ObjectName))
	if err != nil {
		if ao.IfExists {
			return &Result{Tag: tag, Notices: notice("relation \"%s\" does not exist, skipping", tn.ObjectName)}, nil
		}
		return nil, err
	}
	if kind != catalog.KindTable && t.Kind != kind {
		return nil, vector.Errorf(vector.CodeWrongObjectType, "\"%s\" is not a %s", t.Name, kind)
	}
	owner, err := s.roleSpec(me, ao.Owner, false)
	if err != nil {
		return nil, err
	}
	a := &access{s: s, role: me}
	if err := a.mustOwn(t); err != nil {
		return nil, err
	}
	if err := a.mayGiveTo(owner); err != nil {
		return nil, err
	}
	return &Result{Tag: tag}, s.db.catalog.SetOwner(t.ID, owner)
}

// alterSchema runs ALTER SCHEMA … OWNER TO.
func (s *Session) alterSchema(as *tree.AlterSchema) (*Result, error) {
	me, err := s.currentRole()
	if err != nil {
		return nil, err
	}
	cmd, ok := as.Cmd.(*tree.AlterSchemaOwner)
	if !ok {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "%s is not supported", tree.AsString(as))
	}
	sc, ok := s.db.catalog.Schema(string(as.Schema.SchemaName))
	if !ok {
		return nil, vector.Errorf(vector.CodeUndefinedSchema, "schema \"%s\" does not exist", as.Schema.SchemaName)
	}
	owner, err := s.roleSpec(me, cmd.Owner, false)
	if err != nil {
		return nil, err
	}
	a := &access{s: s, role: me}
	if !a.owns(sc.Owner) {
		return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "must be owner of schema %s", sc.Name)
	}
	if err := a.mayGiveTo(owner); err != nil {
		return nil, err
	}
	return &Result{Tag: "ALTER SCHEMA"}, s.db.catalog.SetOwner(sc.ID, owner)
}

// mayGiveTo checks that the role may make role owner the owner of
// something it owns: it must have owner's privileges (Postgres 15).
func (a *access) mayGiveTo(owner uint32) error {
	if a.role.Superuser || a.memberOf(owner) {
		return nil
	}
	r, _ := a.s.db.catalog.RoleByID(owner)
	return vector.Errorf(vector.CodeInsufficientPrivilege, "must be member of role \"%s\"", r.Name)
}

// createSchemaOwned creates the schema of CREATE SCHEMA, owned by the
// role AUTHORIZATION names (and named after it when the statement names
// no schema), or by the session's role.
func (s *Session) createSchemaOwned(cs *tree.CreateSchema) error {
	me, err := s.currentRole()
	if err != nil {
		return err
	}
	owner := me.ID
	if cs.AuthRole != (tree.RoleSpec{}) {
		if owner, err = s.roleSpec(me, cs.AuthRole, false); err != nil {
			return err
		}
	}
	name := string(cs.Schema.SchemaName)
	if name == "" {
		r, _ := s.db.catalog.RoleByID(owner)
		name = r.Name
	}
	if err := s.db.catalog.CreateSchema(name, cs.IfNotExists); err != nil {
		return err
	}
	sc, ok := s.db.catalog.Schema(name)
	if !ok {
		return nil
	}
	return s.db.catalog.SetOwner(sc.ID, owner)
}
