package catalog

import (
	"fmt"

	"github.com/runneldb/runnel/storage"
)

// Record kinds.
const (
	kindRole   = "role"
	kindSchema = "schema"
	kindTable  = string(KindTable)
)

// kindOrder is the order in which Open loads record kinds: an object's
// dependencies load before it (among views, by OID: a view depends only on
// older relations). Roles depend on nothing.
var kindOrder = map[string]int{kindRole: 0, kindSchema: 0, kindTable: 1, string(KindSource): 1,
	string(KindView): 2, string(KindMaterializedView): 2, string(KindSink): 2, string(KindPipeline): 2}

// record is the persisted form of a catalog object (JSON, keyed by ID in
// storage). Deps are the OIDs of the objects it depends on: DROP of one of
// them fails without CASCADE, and drops it with CASCADE.
//
// Owner and Grants are a schema's or relation's (see Schema.Grants for
// why Grants is a pointer: a schema without one has its default
// privileges); Role is a role's.
type record struct {
	Kind   string         `json:"kind"`
	ID     uint32         `json:"id"`
	Name   string         `json:"name"`
	Deps   []uint32       `json:"deps,omitempty"`
	Table  *tableRecord   `json:"table,omitempty"`
	Owner  uint32         `json:"owner,omitempty"`
	Grants *[]grantRecord `json:"grants,omitempty"`
	Role   *roleRecord    `json:"role,omitempty"`
}

type grantRecord struct {
	Grantee    uint32 `json:"grantee"`
	Privileges string `json:"privileges"`
	Grantor    uint32 `json:"grantor"`
}

type roleRecord struct {
	Superuser  bool     `json:"superuser,omitempty"`
	Login      bool     `json:"login,omitempty"`
	CreateRole bool     `json:"create_role,omitempty"`
	CreateDB   bool     `json:"create_db,omitempty"`
	Inherit    bool     `json:"inherit,omitempty"`
	Password   string   `json:"password,omitempty"`
	ConnLimit  int32    `json:"conn_limit"`
	MemberOf   []uint32 `json:"member_of,omitempty"`
}

type tableRecord struct {
	Schema         uint32            `json:"schema"`
	Columns        []columnRecord    `json:"columns"`
	PrimaryKey     []int             `json:"primary_key,omitempty"`
	PrimaryKeyName string            `json:"primary_key_name,omitempty"`
	Query          string            `json:"query,omitempty"`
	Watermark      *watermarkRecord  `json:"watermark,omitempty"`
	Options        map[string]string `json:"options,omitempty"`
	EmitOnClose    bool              `json:"emit_on_close,omitempty"`
	Target         uint32            `json:"target,omitempty"`
}

type columnRecord struct {
	Name      string          `json:"name"`
	Type      storage.TypeDef `json:"type"`
	NotNull   bool            `json:"not_null,omitempty"`
	Default   string          `json:"default,omitempty"`
	Generated string          `json:"generated,omitempty"`
	Metadata  string          `json:"metadata,omitempty"`
}

type watermarkRecord struct {
	Column      int   `json:"column"`
	Delay       int64 `json:"delay,omitempty"`
	IdleTimeout int64 `json:"idle_timeout,omitempty"`
}

func schemaRecord(sc *Schema) record {
	return record{Kind: kindSchema, ID: sc.ID, Name: sc.Name, Owner: sc.Owner, Grants: grantRecords(sc.Grants)}
}

// grantRecords is the persisted form of grants: nil for nil (no grants, or
// a schema's default privileges), a list (maybe empty) otherwise.
func grantRecords(grants []Grant) *[]grantRecord {
	if grants == nil {
		return nil
	}
	out := make([]grantRecord, len(grants))
	for i, g := range grants {
		out[i] = grantRecord{Grantee: g.Grantee, Privileges: g.Privileges, Grantor: g.Grantor}
	}
	return &out
}

// grantsOf rebuilds the grants of a record (nil when it has none).
func grantsOf(recs *[]grantRecord) []Grant {
	if recs == nil {
		return nil
	}
	out := make([]Grant, len(*recs))
	for i, g := range *recs {
		out[i] = Grant{Grantee: g.Grantee, Privileges: g.Privileges, Grantor: g.Grantor}
	}
	return out
}

func roleRecordOf(r *Role) record {
	return record{Kind: kindRole, ID: r.ID, Name: r.Name, Role: &roleRecord{Superuser: r.Superuser, Login: r.Login,
		CreateRole: r.CreateRole, CreateDB: r.CreateDB, Inherit: r.Inherit, Password: r.Password,
		ConnLimit: r.ConnLimit, MemberOf: r.MemberOf}}
}

// tableRecordOf is the record of relation t; deps are the relations it
// reads (a view's), beside its schema.
func tableRecordOf(t *Table, schemaID uint32, deps ...uint32) record {
	tr := &tableRecord{Schema: schemaID, PrimaryKey: t.PrimaryKey, PrimaryKeyName: t.PrimaryKeyName, Query: t.Query,
		Options: t.Options, EmitOnClose: t.EmitOnClose, Target: t.Target}
	if w := t.Watermark; w != nil {
		tr.Watermark = &watermarkRecord{Column: w.Column, Delay: w.Delay, IdleTimeout: w.IdleTimeout}
	}
	for _, col := range t.Columns {
		tr.Columns = append(tr.Columns, columnRecord{Name: col.Name, Type: storage.DefOf(col.Type),
			NotNull: col.NotNull, Default: col.Default, Generated: col.Generated, Metadata: col.Metadata})
	}
	return record{Kind: string(t.Kind), ID: t.ID, Name: t.Name, Deps: append([]uint32{schemaID}, deps...), Table: tr,
		Owner: t.Owner, Grants: grantRecords(t.Grants)}
}

// object rebuilds the in-memory object of r; s holds its dependencies.
func (r record) object(s *state) (*object, error) {
	switch r.Kind {
	case kindRole:
		if rr := r.Role; rr != nil {
			return &object{rec: r, role: &Role{ID: r.ID, Name: r.Name, Superuser: rr.Superuser, Login: rr.Login,
				CreateRole: rr.CreateRole, CreateDB: rr.CreateDB, Inherit: rr.Inherit, Password: rr.Password,
				ConnLimit: rr.ConnLimit, MemberOf: rr.MemberOf}}, nil
		}
	case kindSchema:
		return &object{rec: r, schema: &Schema{ID: r.ID, Name: r.Name, Owner: r.Owner, Grants: grantsOf(r.Grants)}}, nil
	case kindTable, string(KindView), string(KindMaterializedView), string(KindSource), string(KindSink), string(KindPipeline):
		if r.Table == nil {
			break
		}
		sc := s.objects[r.Table.Schema]
		if sc == nil || sc.schema == nil {
			return nil, fmt.Errorf("catalog: table %d: missing schema %d", r.ID, r.Table.Schema)
		}
		t := &Table{ID: r.ID, Kind: Kind(r.Kind), Schema: sc.schema.Name, Name: r.Name,
			PrimaryKey: r.Table.PrimaryKey, PrimaryKeyName: r.Table.PrimaryKeyName, Query: r.Table.Query,
			Options: r.Table.Options, EmitOnClose: r.Table.EmitOnClose, Target: r.Table.Target,
			Owner: r.Owner, Grants: grantsOf(r.Grants)}
		if w := r.Table.Watermark; w != nil {
			t.Watermark = &Watermark{Column: w.Column, Delay: w.Delay, IdleTimeout: w.IdleTimeout}
		}
		for _, cr := range r.Table.Columns {
			ty, err := cr.Type.Type()
			if err != nil {
				return nil, fmt.Errorf("catalog: table %d: %w", r.ID, err)
			}
			t.Columns = append(t.Columns, Column{Name: cr.Name, Type: ty, NotNull: cr.NotNull, Default: cr.Default,
				Generated: cr.Generated, Metadata: cr.Metadata})
		}
		return &object{rec: r, table: t}, nil
	}
	return nil, fmt.Errorf("catalog: record %d has unknown kind %q", r.ID, r.Kind)
}
