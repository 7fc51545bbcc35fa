// Package catalog holds runnel's named objects — schemas and tables for now;
// views, materialized views, sources, sinks and pipelines later — and
// persists each as a JSON record in storage, keyed by its OID.
//
// Every object is a record with a kind, an OID and the OIDs of the objects
// it depends on (a table depends on its schema). A new kind of object is a
// new record kind plus its entries in state; dependency checks on DROP work
// on records of every kind alike.
package catalog

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/runneldb/runnel/storage"
	"github.com/runneldb/runnel/vector"
)

// Schema is a namespace of relations.
type Schema struct {
	ID   uint32 // OID
	Name string
	// Owner is the OID of the owning role; 0 means the bootstrap role for
	// pg_catalog and information_schema, and pg_database_owner for public.
	Owner uint32
	// Grants are the privileges (U USAGE, C CREATE) granted on the schema
	// to roles other than its owner, which has them all. nil means the
	// default ones: USAGE for PUBLIC on the built-in schemas, none on
	// others (as in Postgres 15); once GRANT or REVOKE changed them they
	// are a list, maybe empty.
	Grants []Grant
}

// Table is a relation: a stored table, a view or a materialized view. Its
// ID is its OID and, for a stored table, also its storage id.
type Table struct {
	ID         uint32
	Kind       Kind
	Schema     string
	Name       string
	Columns    []Column
	PrimaryKey []int // column indexes; nil when the table has none
	// PrimaryKeyName is the primary key constraint's name, "<table>_pkey"
	// at creation; renaming the table does not change it (as in Postgres).
	PrimaryKeyName string
	// Query is the defining SELECT of a view, materialized view, pipeline
	// or sink.
	Query string
	// Watermark declares the table's event time (WATERMARK FOR); nil when
	// it has none.
	Watermark *Watermark
	// Options are the WITH (…) options of a relation backed by a connector
	// (connector, type, path, format …); nil for a stored table.
	Options map[string]string
	// EmitOnClose is set on a materialized view, pipeline or sink declared
	// EMIT ON WINDOW CLOSE: a window's rows appear once it closed.
	EmitOnClose bool
	// Target is the OID of the relation a pipeline writes to.
	Target uint32
	// Owner is the OID of the role that owns the relation; 0 means the
	// bootstrap role (BootstrapRoleOID).
	Owner uint32
	// Grants are the privileges granted on the relation to roles other
	// than its owner, which has them all.
	Grants []Grant
}

// Grant is privileges on an object given to a role by another.
type Grant struct {
	// Grantee is the role given the privileges; 0 means PUBLIC.
	Grantee uint32
	// Privileges are Postgres' ACL letters: r SELECT, a INSERT, w UPDATE,
	// d DELETE, D TRUNCATE, x REFERENCES, t TRIGGER.
	Privileges string
	Grantor    uint32
}

// Watermark is a table's event time: the watermark is the largest value of
// column Column seen so far less Delay (µs).
type Watermark struct {
	Column int
	Delay  int64
	// IdleTimeout (µs) is how long the table may go without changes before
	// it stops holding back the watermarks of the queries that join it
	// with other inputs; 0 means the server's default.
	IdleTimeout int64
}

// Kind is what a relation is. Its text is how Postgres names the kind in
// messages ("cannot drop table t because …").
type Kind string

// The kinds of relations.
const (
	KindTable            Kind = "table"
	KindView             Kind = "view"
	KindMaterializedView Kind = "materialized view"
	// KindSource is a table read from a connector (WITH (connector = …,
	// type = 'source')): it is not stored, only streamed.
	KindSource Kind = "source"
	// KindSink is a relation written to a connector: a table created WITH
	// (connector = …, type = 'sink'), which pipelines write into, or a
	// CREATE SINK, which also runs its Query.
	KindSink Kind = "sink"
	// KindPipeline is CREATE PIPELINE: its Query runs continuously and
	// writes into the relation Target.
	KindPipeline Kind = "pipeline"
)

// Column is a column of a table.
type Column struct {
	Name    string
	Type    vector.Type
	NotNull bool
	Default string // SQL text of the DEFAULT expression, "" when none
	// Generated is the SQL text of GENERATED ALWAYS AS (…) STORED: the
	// column's value is computed from the row's other columns on every
	// write. "" when the column is not generated.
	Generated string
	// Metadata names what a connector fills the column with from a
	// record's metadata rather than its value (METADATA FROM 'offset'):
	// "" for a column of the value.
	Metadata string
}

// Types returns the column types.
func (t *Table) Types() []vector.Type {
	types := make([]vector.Type, len(t.Columns))
	for i, c := range t.Columns {
		types[i] = c.Type
	}
	return types
}

// Well-known OIDs: Postgres' own for the built-in schemas; user objects
// start at FirstUserOID, as in Postgres.
const (
	OIDPgCatalog         uint32 = 11
	OIDPublic            uint32 = 2200
	OIDInformationSchema uint32 = 13207
	FirstUserOID         uint32 = 16384
)

// Catalog is the set of named objects. It is safe for concurrent use: DDL
// is serialized, and readers see immutable snapshots — objects handed out
// are never modified (a change replaces the object).
type Catalog struct {
	st *storage.Store
	mu sync.Mutex // serializes changes
	s  atomic.Pointer[state]
	// OnDrop, when set, is called with each relation dropped (dependents
	// before what they depend on), with mu held.
	OnDrop func(*Table)
}

// state is an immutable snapshot of the catalog.
type state struct {
	nextOID uint32
	objects map[uint32]*object
	schemas map[string]*Schema
	tables  map[qname]*Table
}

type qname struct{ schema, name string }

// object is one catalog record in memory.
type object struct {
	rec    record
	schema *Schema
	table  *Table
	role   *Role
}

// Open loads the catalog from st, creating the built-in schemas on first
// open, and drops storage tables that no catalog record owns (left by a
// crash halfway through CREATE or DROP TABLE).
func Open(st *storage.Store) (*Catalog, error) {
	c := &Catalog{st: st}
	s := &state{nextOID: FirstUserOID, objects: map[uint32]*object{},
		schemas: map[string]*Schema{}, tables: map[qname]*Table{}}
	var recs []record
	err := st.CatalogRecords(func(id uint64, data []byte) error {
		var r record
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("catalog: record %d: %w", id, err)
		}
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Schemas first: tables name theirs by OID.
	slices.SortStableFunc(recs, func(a, b record) int { return cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]) })
	for _, r := range recs {
		o, err := r.object(s)
		if err != nil {
			return nil, err
		}
		s.add(o)
	}
	c.s.Store(s)
	if len(recs) == 0 {
		for _, sc := range []Schema{{ID: OIDPgCatalog, Name: "pg_catalog"}, {ID: OIDPublic, Name: "public"}, {ID: OIDInformationSchema, Name: "information_schema"}} {
			if err := c.put(&object{rec: schemaRecord(&sc), schema: &sc}); err != nil {
				return nil, err
			}
		}
	}
	for _, id := range st.TableIDs() {
		if o := c.s.Load().objects[uint32(id)]; o == nil || o.table == nil {
			if err := st.DropTable(id); err != nil {
				return nil, err
			}
		}
	}
	for _, t := range c.Tables() {
		if t.Kind != KindTable {
			continue
		}
		if err := c.attach(t.ID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// add registers o in s (which the caller owns).
func (s *state) add(o *object) {
	s.objects[o.rec.ID] = o
	s.nextOID = max(s.nextOID, o.rec.ID+1)
	switch {
	case o.schema != nil:
		s.schemas[o.schema.Name] = o.schema
	case o.table != nil:
		s.tables[qname{o.table.Schema, o.table.Name}] = o.table
	}
}

// remove unregisters o from s (which the caller owns).
func (s *state) remove(o *object) {
	delete(s.objects, o.rec.ID)
	switch {
	case o.schema != nil:
		delete(s.schemas, o.schema.Name)
	case o.table != nil:
		delete(s.tables, qname{o.table.Schema, o.table.Name})
	}
}

// clone returns a copy of s that may be changed.
func (s *state) clone() *state {
	return &state{nextOID: s.nextOID, objects: maps.Clone(s.objects),
		schemas: maps.Clone(s.schemas), tables: maps.Clone(s.tables)}
}

// put persists o (new or replacing the object with its OID) and publishes
// a state with it. The caller holds mu, or is Open.
func (c *Catalog) put(o *object) error {
	data, err := json.Marshal(o.rec)
	if err != nil {
		return err
	}
	if err := c.st.PutCatalog(uint64(o.rec.ID), data); err != nil {
		return err
	}
	s := c.s.Load().clone()
	if old := s.objects[o.rec.ID]; old != nil {
		s.remove(old)
	}
	s.add(o)
	c.s.Store(s)
	return nil
}

// drop deletes o's record (and its storage, for a table) and publishes a
// state without it; then OnDrop learns of a dropped relation. The caller
// holds mu.
func (c *Catalog) drop(o *object) error {
	if err := c.st.DeleteCatalog(uint64(o.rec.ID)); err != nil {
		return err
	}
	s := c.s.Load().clone()
	s.remove(o)
	c.s.Store(s)
	if o.table == nil {
		return nil
	}
	if c.OnDrop != nil {
		c.OnDrop(o.table)
	}
	if o.table.Kind == KindTable {
		return c.st.DropTable(uint64(o.rec.ID))
	}
	return nil
}

// dependents returns the objects that depend on oid, in OID order.
func (s *state) dependents(oid uint32) []*object {
	var out []*object
	for _, o := range s.objects {
		if slices.Contains(o.rec.Deps, oid) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *object) int { return cmp.Compare(a.rec.ID, b.rec.ID) })
	return out
}

// Schema returns the schema called name.
func (c *Catalog) Schema(name string) (*Schema, bool) {
	sc, ok := c.s.Load().schemas[name]
	return sc, ok
}

// Table returns the table schema.name.
func (c *Catalog) Table(schema, name string) (*Table, bool) {
	t, ok := c.s.Load().tables[qname{schema, name}]
	return t, ok
}

// TableByID returns the table with OID id.
func (c *Catalog) TableByID(id uint32) (*Table, bool) {
	if o := c.s.Load().objects[id]; o != nil && o.table != nil {
		return o.table, true
	}
	return nil, false
}

// Schemas returns every schema, in OID order.
func (c *Catalog) Schemas() []*Schema {
	var out []*Schema
	for _, sc := range c.s.Load().schemas {
		out = append(out, sc)
	}
	slices.SortFunc(out, func(a, b *Schema) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Tables returns every table, in OID order.
func (c *Catalog) Tables() []*Table {
	var out []*Table
	for _, t := range c.s.Load().tables {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *Table) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Downstream returns the relations whose contents follow from those of
// relation id: the views that read it, the targets of the pipelines that
// read it, and so on. A pipeline whose target is downstream of what it
// reads would feed itself.
func (c *Catalog) Downstream(id uint32) map[uint32]bool {
	s := c.s.Load()
	out := map[uint32]bool{}
	var visit func(id uint32)
	visit = func(id uint32) {
		for _, o := range s.dependents(id) {
			t := o.table
			if t == nil {
				continue
			}
			next := t.ID
			switch {
			case t.Kind == KindPipeline && t.Target == id:
				continue // the table it writes, not one it reads
			case t.Kind == KindPipeline:
				next = t.Target
			}
			if !out[next] {
				out[next] = true
				visit(next)
			}
		}
	}
	visit(id)
	return out
}
