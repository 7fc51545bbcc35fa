package catalog

import (
	"cmp"
	"maps"
	"slices"

	"github.com/runneldb/runnel/vector"
)

// The rows of the system relations that describe schemas and relations:
// pg_namespace, pg_class, pg_attribute, and the initial privileges of the
// built-in ones (pg_init_privs).

// pgNamespaceRows lists the schemas.
func pgNamespaceRows(x *systemScan, out *rowSet) {
	for _, sc := range x.schemas() {
		var acl any
		if grants := sc.GrantsOrDefault(); len(grants) > 0 {
			acl = x.acl(schemaOwner(sc), OwnerOID(sc.Owner), SchemaPrivileges, grants)
		}
		out.add(sc.ID, sc.Name, schemaOwner(sc), acl)
	}
}

// schemas returns the schemas in OID order.
func (x *systemScan) schemas() []*Schema {
	out := slices.Collect(maps.Values(x.s.schemas))
	slices.SortFunc(out, func(a, b *Schema) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// pgClassRows lists the relations.
func pgClassRows(x *systemScan, out *rowSet) {
	for _, r := range x.s.relations() {
		t := r.Table
		nsp := x.s.schemaOID(r.Schema)
		switch r.Kind {
		case 'i':
			out.add(r.OID, r.Name, nsp, 0, 0, owner(t), oidBtree, r.OID, 0, 1, 0.0, 0, 0, false, false, "p", "i",
				len(t.PrimaryKey), 0, false, false, false, false, false, true, "n", false, 0, 0, 0, nil, nil, nil)
			continue
		}
		var am, filenode uint32
		if r.Kind == 'r' || r.Kind == 'm' {
			am = oidHeap
			if t.Kind != KindSystem {
				filenode = t.ID
			}
		}
		replident := "d"
		if r.Kind == 'v' || r.Kind == 'f' || t.Kind == KindSystem {
			replident = "n"
		}
		out.add(r.OID, r.Name, nsp, 0, 0, owner(t), am, filenode, 0, 0, -1.0, 0, 0, len(t.PrimaryKey) > 0, false,
			"p", string(r.Kind), len(t.Columns), 0, r.Kind == 'v' || r.Kind == 'm', false, false, false, false, true,
			replident, false, 0, 0, 0, x.relationACL(t), nil, nil)
	}
}

// relationACL is pg_class.relacl of t: NULL while only its owner holds
// privileges (as in Postgres), else its ACL.
func (x *systemScan) relationACL(t *Table) any {
	grants := RelationGrants(t)
	if len(grants) == 0 {
		return nil
	}
	return x.acl(owner(t), owner(t), TablePrivileges, grants)
}

// acl is the aclitem[] of an object with grants, owned by the role owner
// and shown as owned by shown (pg_database_owner for the public schema):
// the owner's entry (all of privileges), then each grant's, as
// "grantee=letters/grantor" with an empty grantee for PUBLIC.
func (x *systemScan) acl(shown, owner uint32, privileges string, grants []Grant) []string {
	o := x.roleName(shown)
	out := []string{o + "=" + privileges + "/" + o}
	for _, g := range grants {
		grantee := ""
		if g.Grantee != 0 {
			grantee = x.roleName(g.Grantee)
		}
		grantor := o
		if g.Grantor != 0 && g.Grantor != owner {
			grantor = x.roleName(g.Grantor)
		}
		out = append(out, grantee+"="+g.Privileges+"/"+grantor)
	}
	return out
}

// pgAttributeRows lists the columns of the relations; an index has the
// columns of its key.
func pgAttributeRows(x *systemScan, out *rowSet) {
	for _, r := range x.s.relations() {
		cols := r.Table.Columns
		if r.Kind == 'i' {
			cols = nil
			for _, k := range r.Table.PrimaryKey {
				cols = append(cols, Column{Name: r.Table.Columns[k].Name, Type: r.Table.Columns[k].Type})
			}
		}
		for i, c := range cols {
			t := pgTypeByOID[c.Type.OID()]
			ndims := 0
			if c.Type.Kind == vector.KindArray {
				ndims = 1
			}
			generated := ""
			if c.Generated != "" {
				generated = "s"
			}
			out.add(r.OID, c.Name, c.Type.OID(), -1, t.len, i+1, ndims, -1, c.Type.Modifier(), t.byval, t.align,
				t.storage, "", c.NotNull, c.Default != "" || c.Generated != "", false, "", generated, false, true, 0,
				t.collation, nil, nil, nil, nil)
		}
	}
}

// pgInitPrivsRows lists the initial privileges of the built-in objects:
// the system relations and schemas as they are before any GRANT (pg_dump
// dumps the privileges of built-in objects that differ from these).
func pgInitPrivsRows(x *systemScan, out *rowSet) {
	for _, id := range []uint32{OIDPgCatalog, OIDPublic, OIDInformationSchema} {
		sc := &Schema{ID: id}
		out.add(id, oidPgNamespace, 0, "i", x.acl(schemaOwner(sc), OwnerOID(0), SchemaPrivileges, sc.GrantsOrDefault()))
	}
	for _, r := range systemRelations {
		if acl := x.relationACL(r.table); acl != nil {
			out.add(r.table.ID, oidPgClass, 0, "i", acl)
		}
	}
}
