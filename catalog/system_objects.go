package catalog

import (
	"slices"
)

// The objects the system relations show beyond the catalog's records: a
// primary key is also an index (a relation of its own in pg_class) and a
// constraint, a view has its _RETURN rule, a column default is a row of
// pg_attrdef. They have no records, so their OIDs are derived from the
// OID r of their relation, which stays below 1<<28 (and below 1<<20 for
// the OIDs of defaults to be distinct):
//
//	primary key index       r + 1<<28
//	primary key constraint  r + 2<<28
//	view rule (_RETURN)     r + 3<<28
//	default of column n     1<<30 + n<<20 + r
const (
	indexOIDBase      uint32 = 1 << 28
	constraintOIDBase uint32 = 2 << 28
	ruleOIDBase       uint32 = 3 << 28
	attrdefOIDBase    uint32 = 1 << 30
)

// Postgres' OIDs of the objects runnel shows but does not create.
const (
	oidDatabase          uint32 = 5    // the database "runnel"
	oidPgDatabaseOwner   uint32 = 6171 // the role pg_database_owner
	oidHeap              uint32 = 2    // access method heap
	oidBtree             uint32 = 403  // access method btree
	oidDefaultTablespace uint32 = 1663 // pg_default
	oidGlobalTablespace  uint32 = 1664 // pg_global
	oidDefaultCollation  uint32 = 100  // "default"
	oidCCollation        uint32 = 950  // "C"
	oidPgClass           uint32 = 1259
	oidPgRewrite         uint32 = 2618
	oidPgNamespace       uint32 = 2615
	oidPgConstraint      uint32 = 2606
	oidPgAttrdef         uint32 = 2604
	oidPgType            uint32 = 1247
	oidPgProc            uint32 = 1255
)

// Relation is a relation as pg_class shows it: a table, view,
// materialized view, source (a foreign table) or system relation, or the
// index of a primary key.
type Relation struct {
	OID          uint32
	Schema, Name string
	// Kind is Postgres' relkind: 'r' table, 'v' view, 'm' materialized
	// view, 'f' foreign table (a source), 'i' index.
	Kind byte
	// Table is the relation, or for an index the table it indexes.
	Table *Table
}

// relkindOf is how pg_class shows t, and whether it shows it: sinks and
// pipelines are not relations one reads. A source is shown as a foreign
// table, which is what Postgres calls a relation whose rows live outside
// the database and are read through a wrapper (here, its connector).
func relkindOf(t *Table) (byte, bool) {
	switch t.Kind {
	case KindTable:
		return 'r', true
	case KindView:
		return 'v', true
	case KindMaterializedView:
		return 'm', true
	case KindSource:
		return 'f', true
	case KindSystem:
		return systemByOID[t.ID].relkind, true
	}
	return 0, false
}

// relations returns the relations of s that pg_class shows, system
// relations first, each table followed by its primary key index.
func (s *state) relations() []Relation {
	var out []Relation
	for _, r := range systemRelations {
		out = append(out, Relation{OID: r.table.ID, Schema: r.table.Schema, Name: r.table.Name, Kind: r.relkind, Table: r.table})
	}
	for _, t := range s.sortedTables() {
		kind, ok := relkindOf(t)
		if !ok {
			continue
		}
		out = append(out, Relation{OID: t.ID, Schema: t.Schema, Name: t.Name, Kind: kind, Table: t})
		if len(t.PrimaryKey) > 0 {
			out = append(out, Relation{OID: t.ID + indexOIDBase, Schema: t.Schema, Name: t.PrimaryKeyName, Kind: 'i', Table: t})
		}
	}
	return out
}

// sortedTables returns the tables of s in OID order.
func (s *state) sortedTables() []*Table {
	out := make([]*Table, 0, len(s.tables))
	for _, t := range s.tables {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *Table) int { return int(a.ID) - int(b.ID) })
	return out
}

// RelationByOID returns the relation with OID oid.
func (c *Catalog) RelationByOID(oid uint32) (Relation, bool) {
	if r, ok := systemByOID[oid]; ok {
		return Relation{OID: oid, Schema: r.table.Schema, Name: r.table.Name, Kind: r.relkind, Table: r.table}, true
	}
	s := c.s.Load()
	if oid >= indexOIDBase && oid < constraintOIDBase {
		if t := s.table(oid - indexOIDBase); t != nil && len(t.PrimaryKey) > 0 {
			return Relation{OID: oid, Schema: t.Schema, Name: t.PrimaryKeyName, Kind: 'i', Table: t}, true
		}
		return Relation{}, false
	}
	if t := s.table(oid); t != nil {
		if kind, ok := relkindOf(t); ok {
			return Relation{OID: oid, Schema: t.Schema, Name: t.Name, Kind: kind, Table: t}, true
		}
	}
	return Relation{}, false
}

// RelationByName returns the relation schema.name: a table, view,
// materialized view, source, system relation or primary key index.
func (c *Catalog) RelationByName(schema, name string) (Relation, bool) {
	if r, ok := systemByName[qname{schema, name}]; ok {
		return Relation{OID: r.table.ID, Schema: schema, Name: name, Kind: r.relkind, Table: r.table}, true
	}
	s := c.s.Load()
	if t, ok := s.tables[qname{schema, name}]; ok {
		if kind, ok := relkindOf(t); ok {
			return Relation{OID: t.ID, Schema: schema, Name: name, Kind: kind, Table: t}, true
		}
		return Relation{}, false
	}
	for _, t := range s.tables {
		if t.Schema == schema && len(t.PrimaryKey) > 0 && t.PrimaryKeyName == name {
			return Relation{OID: t.ID + indexOIDBase, Schema: schema, Name: name, Kind: 'i', Table: t}, true
		}
	}
	return Relation{}, false
}

// ConstraintTable returns the table whose primary key constraint has OID
// oid.
func (c *Catalog) ConstraintTable(oid uint32) (*Table, bool) {
	if oid < constraintOIDBase || oid >= ruleOIDBase {
		return nil, false
	}
	t := c.s.Load().table(oid - constraintOIDBase)
	if t == nil || len(t.PrimaryKey) == 0 {
		return nil, false
	}
	if _, ok := relkindOf(t); !ok {
		return nil, false
	}
	return t, true
}

// SchemaByOID returns the schema with OID oid.
func (c *Catalog) SchemaByOID(oid uint32) (*Schema, bool) {
	if o := c.s.Load().objects[oid]; o != nil && o.schema != nil {
		return o.schema, true
	}
	return nil, false
}

// table returns the relation record with OID oid, or nil.
func (s *state) table(oid uint32) *Table {
	if o := s.objects[oid]; o != nil {
		return o.table
	}
	return nil
}

// schemaOID is the OID of the schema called name (0 when there is none).
func (s *state) schemaOID(name string) uint32 {
	if sc, ok := s.schemas[name]; ok {
		return sc.ID
	}
	switch name {
	case "pg_catalog":
		return OIDPgCatalog
	case "information_schema":
		return OIDInformationSchema
	}
	return 0
}

// owner is the OID of the role owning t.
func owner(t *Table) uint32 {
	if t.Owner == 0 {
		return BootstrapRoleOID
	}
	return t.Owner
}

// schemaOwner is the OID of the role owning sc: an unset owner is the
// bootstrap role, or pg_database_owner for public (as in Postgres).
func schemaOwner(sc *Schema) uint32 {
	switch {
	case sc.Owner != 0:
		return sc.Owner
	case sc.ID == OIDPublic:
		return oidPgDatabaseOwner
	}
	return BootstrapRoleOID
}

// pkColumns are the attribute numbers (1-based) of t's primary key.
func pkColumns(t *Table) []int16 {
	out := make([]int16, len(t.PrimaryKey))
	for i, c := range t.PrimaryKey {
		out[i] = int16(c + 1)
	}
	return out
}

// dependencies are the OIDs of the relations the view or materialized
// view with OID oid reads.
func (s *state) dependencies(oid uint32) []uint32 {
	if o := s.objects[oid]; o != nil {
		return o.rec.Deps
	}
	return nil
}

// description is a comment on an object, as pg_description holds it.
type description struct {
	class, object uint32
	sub           int32
	text          string
}

// descriptions are the comments on the built-in objects runnel shows
// (runnel has no COMMENT ON).
var descriptions = []description{
	{oidPgNamespace, OIDPgCatalog, 0, "system catalog schema"},
	{oidPgNamespace, OIDPublic, 0, "standard public schema"},
}

// Description is the comment on object oid of the catalog with OID class
// (0: any) and sub-object sub (a column number; 0 for the object itself).
func Description(class, oid uint32, sub int32) (string, bool) {
	for _, d := range descriptions {
		if (class == 0 || d.class == class) && d.object == oid && d.sub == sub {
			return d.text, true
		}
	}
	return "", false
}

// pgDescriptionRows lists the comments.
func pgDescriptionRows(x *systemScan, out *rowSet) {
	for _, d := range descriptions {
		out.add(d.object, d.class, d.sub, d.text)
	}
}
