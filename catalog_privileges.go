package runnel

import (
	"slices"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// The privileges the catalog shows (has_*_privilege, information_schema)
// are those the statements' own checks apply (see privileges.go).

// privilegeRole is the role a privilege check asks about: the named one,
// the given one, or the session's. ok is false for an OID no role has.
func (c *sessionCatalog) privilegeRole(p vector.PrivilegeCheck) (*catalog.Role, bool, error) {
	switch {
	case p.RoleName != "":
		oid, err := c.roleByName(p.RoleName)
		if err != nil {
			return nil, false, err
		}
		r, ok := c.s.db.catalog.RoleByID(oid)
		return r, ok, nil
	case p.Role != 0:
		r, ok := c.s.db.catalog.RoleByID(p.Role)
		return r, ok, nil
	}
	r, err := c.s.currentRole()
	return r, err == nil, err
}

// roleByName is the OID of the role called name (42704 when there is
// none).
func (c *sessionCatalog) roleByName(name string) (uint32, error) {
	for _, r := range c.s.db.catalog.AllRoles() {
		if r.Name == name {
			return r.ID, nil
		}
	}
	return 0, vector.Errorf(vector.CodeUndefinedObject, "role \"%s\" does not exist", name)
}

// holdsAny reports whether a's role holds one of the privileges (ACL
// letters) on an object with owner and grants.
func holdsAny(a *access, owner uint32, grants []catalog.Grant, privileges string) bool {
	for i := 0; i < len(privileges); i++ {
		if a.holds(owner, grants, privileges[i]) {
			return true
		}
	}
	return false
}

// Holds reports whether the session's role holds one of the privileges
// on an object: for information_schema, which lists what it may use.
func (c *sessionCatalog) Holds(owner uint32, grants []catalog.Grant, privileges string) bool {
	me, err := c.s.currentRole()
	return err == nil && holdsAny(&access{s: c.s, role: me}, owner, grants, privileges)
}

// HasPrivilege answers the has_*_privilege functions from owners, grants
// and role memberships, as the statements' own checks do.
func (c *sessionCatalog) HasPrivilege(p vector.PrivilegeCheck) (bool, bool, error) {
	role, ok, err := c.privilegeRole(p)
	if err != nil || !ok {
		return false, false, err
	}
	want, err := catalog.PrivilegeLetters(p.On, p.Privileges)
	if err != nil {
		return false, false, err
	}
	a := &access{s: c.s, role: role}
	cat := c.s.db.catalog
	switch p.On {
	case 'r', 'c':
		oid := p.Object
		if p.Name != "" {
			if oid, err = c.OIDByName(vector.KindRegclass, p.Name); err != nil {
				return false, false, err
			}
		}
		r, ok := cat.RelationByOID(oid)
		if !ok {
			return false, false, nil
		}
		if p.On == 'c' && !hasColumn(r.Table, p) {
			if p.Column != "" {
				return false, false, vector.Errorf(vector.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", p.Column, r.Name)
			}
			return false, false, nil
		}
		return holdsAny(a, r.Table.Owner, catalog.RelationGrants(r.Table), want), true, nil
	case 'n':
		sc, ok := cat.SchemaByOID(p.Object)
		if p.Name != "" {
			if sc, ok = cat.Schema(p.Name); !ok {
				return false, false, vector.Errorf(vector.CodeUndefinedSchema, "schema \"%s\" does not exist", p.Name)
			}
		}
		if !ok {
			return false, false, nil
		}
		return holdsAny(a, sc.Owner, sc.GrantsOrDefault(), want), true, nil
	case 'd':
		if p.Name != "" && p.Name != DatabaseName {
			return false, false, vector.Errorf(vector.CodeInvalidCatalogName, "database \"%s\" does not exist", p.Name)
		}
		if p.Name == "" && p.Object != catalog.DatabaseOID {
			return false, false, nil
		}
		return holdsAny(a, 0, catalog.DatabaseGrants, want), true, nil
	case 'f':
		if p.Name != "" {
			return true, true, nil // everyone may execute every function
		}
		_, ok := catalog.FunctionByOID(p.Object)
		return ok, ok, nil
	case 'a':
		other, err := c.roleByName(p.Name)
		if err != nil {
			return false, false, err
		}
		return role.Superuser || a.memberOf(other), true, nil
	}
	return false, false, nil
}

// hasColumn reports whether the column a check names or numbers exists.
func hasColumn(t *catalog.Table, p vector.PrivilegeCheck) bool {
	if p.Column != "" {
		return slices.ContainsFunc(t.Columns, func(c catalog.Column) bool { return c.Name == p.Column })
	}
	return p.Attnum >= 1 && int(p.Attnum) <= len(t.Columns)
}
