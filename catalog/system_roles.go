package catalog

import (
	"strconv"
	"time"
)

// The rows of the system relations about roles, the database and the
// server: pg_authid and the views over it, pg_database, pg_tablespace,
// pg_settings and pg_stat_activity.

// predefinedRoles are Postgres' built-in roles that runnel's objects
// name: pg_database_owner owns the public schema.
var predefinedRoles = []*Role{{ID: oidPgDatabaseOwner, Name: "pg_database_owner", Inherit: true, ConnLimit: -1}}

// AllRoles returns the roles, the predefined ones included, in OID order.
func (c *Catalog) AllRoles() []*Role {
	out := c.Roles()
	for _, p := range predefinedRoles {
		i := 0
		for i < len(out) && out[i].ID < p.ID {
			i++
		}
		out = append(out[:i], append([]*Role{p}, out[i:]...)...)
	}
	return out
}

// RoleName is the name of the role with OID oid, the predefined roles
// included.
func (c *Catalog) RoleName(oid uint32) (string, bool) {
	for _, r := range c.AllRoles() {
		if r.ID == oid {
			return r.Name, true
		}
	}
	return "", false
}

// roleName is the name of the role with OID oid, or the OID itself for a
// role that does not exist (as an ACL shows a dropped role).
func (x *systemScan) roleName(oid uint32) string {
	if name, ok := x.c.RoleName(oid); ok {
		return name
	}
	return strconv.FormatUint(uint64(oid), 10)
}

// bootstrap reports whether r is the bootstrap superuser, which, as in
// Postgres, may also replicate and bypass row security.
func bootstrap(r *Role) bool { return r.ID == BootstrapRoleOID }

func pgAuthidRows(x *systemScan, out *rowSet) {
	for _, r := range x.c.AllRoles() {
		var pw any
		if r.Password != "" {
			pw = r.Password
		}
		out.add(r.ID, r.Name, r.Superuser, r.Inherit, r.CreateRole, r.CreateDB, r.Login, bootstrap(r), bootstrap(r),
			r.ConnLimit, pw, time.Time{})
	}
}

func pgRolesRows(x *systemScan, out *rowSet) {
	for _, r := range x.c.AllRoles() {
		out.add(r.Name, r.Superuser, r.Inherit, r.CreateRole, r.CreateDB, r.Login, bootstrap(r), r.ConnLimit, "********",
			time.Time{}, bootstrap(r), nil, r.ID)
	}
}

// pgAuthMembersRows lists the role memberships.
func pgAuthMembersRows(x *systemScan, out *rowSet) {
	for _, r := range x.c.AllRoles() {
		for _, m := range r.MemberOf {
			out.add(m, r.ID, BootstrapRoleOID, false)
		}
	}
}

// pgUserRows lists the roles that may log in.
func pgUserRows(x *systemScan, out *rowSet) {
	for _, r := range x.c.AllRoles() {
		if r.Login {
			out.add(r.Name, r.ID, r.CreateDB, r.Superuser, bootstrap(r), bootstrap(r), "********", time.Time{}, nil)
		}
	}
}

// pgShadowRows is pg_user with the stored passwords.
func pgShadowRows(x *systemScan, out *rowSet) {
	for _, r := range x.c.AllRoles() {
		if r.Login {
			var pw any
			if r.Password != "" {
				pw = r.Password
			}
			out.add(r.Name, r.ID, r.CreateDB, r.Superuser, bootstrap(r), bootstrap(r), pw, time.Time{}, nil)
		}
	}
}

// DatabaseOID is the OID of the one database, "runnel".
const DatabaseOID = oidDatabase

// pgDatabaseRows lists the one database: UTF8, C collation (text compares
// bytewise), owned by the bootstrap superuser.
func pgDatabaseRows(x *systemScan, out *rowSet) {
	out.add(oidDatabase, "runnel", BootstrapRoleOID, 6, "c", false, true, -1, 0, 1, oidDefaultTablespace,
		"C", "C", nil, nil, nil)
}

func pgTablespaceRows(x *systemScan, out *rowSet) {
	out.add(oidDefaultTablespace, "pg_default", BootstrapRoleOID, nil, nil)
	out.add(oidGlobalTablespace, "pg_global", BootstrapRoleOID, nil, nil)
}

// pgSettingsRows lists the session's parameters.
func pgSettingsRows(x *systemScan, out *rowSet) {
	for _, s := range x.r.Settings() {
		var enum any
		if s.EnumValues != nil {
			enum = s.EnumValues
		}
		var unit any
		if s.Unit != "" {
			unit = s.Unit
		}
		out.add(s.Name, s.Value, unit, s.Category, s.Description, nil, s.Context, s.VarType, s.Source, nil, nil,
			enum, s.BootValue, s.ResetValue, nil, nil, false)
	}
}

// pgStatActivityRows lists the server's sessions.
func pgStatActivityRows(x *systemScan, out *rowSet) {
	for _, a := range x.r.Activity() {
		var usesysid, addr, port any
		if r, ok := x.c.RoleByName(a.User); ok {
			usesysid = r.ID
		}
		if a.ClientAddr != "" {
			addr, port = a.ClientAddr, a.ClientPort
		}
		out.add(oidDatabase, "runnel", a.PID, nil, usesysid, a.User, a.ApplicationName, addr, nil, port,
			a.BackendStart, a.XactStart, a.QueryStart, a.StateChange, nil, nil, a.State, nil, nil, nil, a.Query,
			"client backend")
	}
}
