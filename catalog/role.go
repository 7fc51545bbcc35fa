package catalog

// Role is a user (a role that may log in) or a group of privileges.
type Role struct {
	ID         uint32
	Name       string
	Superuser  bool
	Login      bool
	CreateRole bool
	CreateDB   bool
	Inherit    bool
	// Password is the stored verifier: "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"
	// or "md5<hex of md5(password || name)>", as in pg_authid; "" when the
	// role has none.
	Password string
	// ConnLimit is the most concurrent connections; -1 for no limit.
	ConnLimit int32
}

// BootstrapRoleOID is the OID of the superuser that exists from the start
// (Postgres' own bootstrap superuser has OID 10); it owns the built-in
// objects and every object created by a session whose user has no role.
const BootstrapRoleOID uint32 = 10

// BootstrapRoleName is the bootstrap superuser's name.
const BootstrapRoleName = "runnel"

// bootstrapRole is the superuser every catalog has.
var bootstrapRole = &Role{ID: BootstrapRoleOID, Name: BootstrapRoleName, Superuser: true, Login: true,
	CreateRole: true, CreateDB: true, Inherit: true, ConnLimit: -1}

// Roles returns every role, in OID order.
func (c *Catalog) Roles() []*Role {
	return []*Role{bootstrapRole}
}

// RoleByName returns the role called name.
func (c *Catalog) RoleByName(name string) (*Role, bool) {
	for _, r := range c.Roles() {
		if r.Name == name {
			return r, true
		}
	}
	return nil, false
}

// RoleByID returns the role with OID id.
func (c *Catalog) RoleByID(id uint32) (*Role, bool) {
	for _, r := range c.Roles() {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}
