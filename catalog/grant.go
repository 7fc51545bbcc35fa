package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// Privileges are Postgres' ACL letters, each a privilege on a relation or
// a schema; the owner of an object has all of them.
const (
	// TablePrivileges are a relation's, in the order ACLs list them:
	// INSERT, SELECT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER.
	TablePrivileges = "arwdDxt"
	// SchemaPrivileges are a schema's: USAGE, CREATE.
	SchemaPrivileges = "UC"
)

// OwnerOID is the role that owner names: the bootstrap role for 0 (which
// is also the database owner, who owns the public schema).
func OwnerOID(owner uint32) uint32 {
	if owner == 0 {
		return BootstrapRoleOID
	}
	return owner
}

// GrantsOrDefault are the grants of schema sc, its default ones when
// GRANT and REVOKE never changed them (see Schema.Grants).
func (sc *Schema) GrantsOrDefault() []Grant {
	if sc.Grants != nil {
		return sc.Grants
	}
	switch sc.ID {
	case OIDPgCatalog, OIDPublic, OIDInformationSchema:
		return []Grant{{Grantee: 0, Privileges: "U", Grantor: OwnerOID(sc.Owner)}}
	}
	return []Grant{}
}

// Grant gives grantee (0: PUBLIC) the privileges (ACL letters) on the
// schema or relation with OID obj, as granted by grantor. Privileges a
// grantee holds already are kept; granting to the owner changes nothing.
func (c *Catalog) Grant(obj, grantee uint32, privileges string, grantor uint32) error {
	return c.changeACL(obj, func(owner uint32, grants []Grant) (uint32, []Grant) {
		if grantee == OwnerOID(owner) {
			return owner, grants
		}
		i := slices.IndexFunc(grants, func(g Grant) bool { return g.Grantee == grantee })
		if i < 0 {
			return owner, append(grants, Grant{Grantee: grantee, Privileges: aclLetters("", privileges), Grantor: grantor})
		}
		grants[i].Privileges = aclLetters(grants[i].Privileges, privileges)
		grants[i].Grantor = grantor
		return owner, grants
	})
}

// Revoke takes the privileges (ACL letters) on the schema or relation
// with OID obj away from grantee (0: PUBLIC). It reports whether grantee
// had any of them.
func (c *Catalog) Revoke(obj, grantee uint32, privileges string) (bool, error) {
	had := false
	err := c.changeACL(obj, func(owner uint32, grants []Grant) (uint32, []Grant) {
		i := slices.IndexFunc(grants, func(g Grant) bool { return g.Grantee == grantee })
		if i < 0 {
			return owner, grants
		}
		left := strings.Map(func(r rune) rune {
			if strings.ContainsRune(privileges, r) {
				had = true
				return -1
			}
			return r
		}, grants[i].Privileges)
		if left == "" {
			return owner, slices.Delete(grants, i, i+1)
		}
		grants[i].Privileges = left
		return owner, grants
	})
	return had, err
}

// SetOwner makes role owner the owner of the schema or relation with OID
// obj. The grants the old owner made become the new owner's, and a grant
// to the new owner goes (it has every privilege now).
func (c *Catalog) SetOwner(obj, owner uint32) error {
	return c.changeACL(obj, func(old uint32, grants []Grant) (uint32, []Grant) {
		grants = slices.DeleteFunc(grants, func(g Grant) bool { return g.Grantee == owner })
		for i := range grants {
			if grants[i].Grantor == OwnerOID(old) {
				grants[i].Grantor = owner
			}
		}
		return owner, grants
	})
}

// changeACL replaces the owner and grants of the schema or relation with
// OID obj by what change makes of (a copy of) them, and stores the object.
func (c *Catalog) changeACL(obj uint32, change func(owner uint32, grants []Grant) (uint32, []Grant)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.s.Load().objects[obj]
	switch {
	case o == nil:
		return fmt.Errorf("catalog: no object %d", obj)
	case o.schema != nil:
		sc := *o.schema
		sc.Owner, sc.Grants = change(sc.Owner, slices.Clone(sc.GrantsOrDefault()))
		rec := o.rec
		rec.Owner, rec.Grants = sc.Owner, grantRecords(sc.Grants)
		return c.put(&object{rec: rec, schema: &sc})
	case o.table != nil:
		t := *o.table
		t.Owner, t.Grants = change(t.Owner, slices.Clone(t.Grants))
		if len(t.Grants) == 0 {
			t.Grants = nil
		}
		rec := o.rec
		rec.Owner, rec.Grants = t.Owner, grantRecords(t.Grants)
		return c.put(&object{rec: rec, table: &t})
	}
	return fmt.Errorf("catalog: object %d has no privileges", obj)
}

// aclLetters is the union of the ACL letters of have and add, in ACL
// order.
func aclLetters(have, add string) string {
	var b strings.Builder
	for _, r := range TablePrivileges + SchemaPrivileges {
		if strings.ContainsRune(have, r) || strings.ContainsRune(add, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
