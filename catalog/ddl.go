package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/runneldb/runnel/vector"
)

// CreateSchema creates a schema. It fails with 42P06 when one of that name
// exists, unless ifNotExists.
func (c *Catalog) CreateSchema(name string, ifNotExists bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s.Load()
	if _, ok := s.schemas[name]; ok {
		if ifNotExists {
			return nil
		}
		return vector.Errorf(vector.CodeDuplicateSchema, "schema \"%s\" already exists", name)
	}
	sc := &Schema{ID: s.nextOID, Name: name}
	return c.put(&object{rec: schemaRecord(sc), schema: sc})
}

// DropSchema drops a schema; with cascade, the objects in it too. It fails
// with 3F000 when there is no such schema (unless ifExists) and with 2BP01
// when objects depend on it and not cascade.
func (c *Catalog) DropSchema(name string, ifExists, cascade bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s.Load()
	sc, ok := s.schemas[name]
	if !ok {
		if ifExists {
			return nil
		}
		return vector.Errorf(vector.CodeUndefinedSchema, "schema \"%s\" does not exist", name)
	}
	return c.dropWithDependents(s.objects[sc.ID], cascade)
}

// dropWithDependents drops o, and with cascade everything depending on it
// (recursively); without cascade dependents make it fail with 2BP01.
func (c *Catalog) dropWithDependents(o *object, cascade bool) error {
	deps := c.s.Load().dependents(o.rec.ID)
	if len(deps) > 0 && !cascade {
		var detail []string
		for _, d := range deps {
			detail = append(detail, fmt.Sprintf("%s %s depends on %s %s", d.rec.Kind, describe(d), o.rec.Kind, describe(o)))
		}
		return &vector.Error{Code: vector.CodeDependentObjectsStillExist,
			Message: fmt.Sprintf("cannot drop %s %s because other objects depend on it", o.rec.Kind, describe(o)),
			Detail:  strings.Join(detail, "\n"),
			Hint:    "Use DROP ... CASCADE to drop the dependent objects too."}
	}
	for _, d := range deps {
		if err := c.dropWithDependents(d, true); err != nil {
			return err
		}
	}
	return c.drop(o)
}

// describe names an object as Postgres' dependency messages do: they
// qualify a name outside the search_path, here taken to be the default
// one ("$user", public).
func describe(o *object) string {
	if o.table != nil && o.table.Schema != "public" {
		return o.table.Schema + "." + o.table.Name
	}
	if o.table != nil {
		return o.table.Name
	}
	return o.rec.Name
}

// newRelation checks a new relation t: its schema exists (3F000), its
// columns have distinct names (42701), no relation has its name (42P07,
// unless ifNotExists: then it returns that relation). It returns the
// schema and a copy of t with the next OID.
func (s *state) newRelation(t Table, ifNotExists bool) (*Schema, Table, *Table, error) {
	sc, ok := s.schemas[t.Schema]
	if !ok {
		return nil, t, nil, vector.Errorf(vector.CodeUndefinedSchema, "schema \"%s\" does not exist", t.Schema)
	}
	if old, ok := s.tables[qname{t.Schema, t.Name}]; ok {
		if ifNotExists {
			return sc, t, old, nil
		}
		return nil, t, nil, vector.Errorf(vector.CodeDuplicateTable, "relation \"%s\" already exists", t.Name)
	}
	for i, col := range t.Columns {
		if slices.ContainsFunc(t.Columns[:i], func(o Column) bool { return o.Name == col.Name }) {
			return nil, t, nil, vector.Errorf(vector.CodeDuplicateColumn, "column \"%s\" specified more than once", col.Name)
		}
	}
	t.ID = s.nextOID
	t.Columns = slices.Clone(t.Columns)
	return sc, t, nil, nil
}

// CreateTable creates t (its ID is assigned; PrimaryKeyName defaults to
// "<name>_pkey"). t.Kind is KindTable (or unset) for a stored table, which
// gets its storage, or KindSource or KindSink for a table backed by a
// connector, which has none. When a relation of that name exists it
// returns it and false with ifNotExists, else 42P07. It fails with 3F000
// when the schema does not exist and 42701 for a repeated column name.
func (c *Catalog) CreateTable(t Table, ifNotExists bool) (*Table, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sc, nt, old, err := c.s.Load().newRelation(t, ifNotExists)
	if err != nil || old != nil {
		return old, false, err
	}
	switch nt.Kind {
	case "":
		nt.Kind = KindTable
	case KindTable, KindSource, KindSink:
	default:
		return nil, false, fmt.Errorf("catalog: CreateTable of a %s", nt.Kind)
	}
	nt.PrimaryKey = slices.Clone(t.PrimaryKey)
	if len(nt.PrimaryKey) > 0 && nt.PrimaryKeyName == "" {
		nt.PrimaryKeyName = nt.Name + "_pkey"
	}
	nt.Options = maps.Clone(t.Options)
	if t.Watermark != nil {
		w := *t.Watermark
		nt.Watermark = &w
	}
	stored := nt.Kind == KindTable
	if stored {
		if _, err := c.st.CreateTable(uint64(nt.ID), nt.Types(), nt.PrimaryKey); err != nil {
			return nil, false, err
		}
	}
	if err := c.put(&object{rec: tableRecordOf(&nt, sc.ID), table: &nt}); err != nil {
		return nil, false, err
	}
	if !stored {
		return &nt, true, nil
	}
	return &nt, true, c.attach(nt.ID)
}

// CreateView creates a view or materialized view t (t.Kind says which; its
// ID is assigned) reading the relations deps. When a relation of that
// name exists it returns it and false with ifNotExists, else 42P07.
func (c *Catalog) CreateView(t Table, deps []uint32, ifNotExists bool) (*Table, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sc, nt, old, err := c.s.Load().newRelation(t, ifNotExists)
	if err != nil || old != nil {
		return old, false, err
	}
	return &nt, true, c.put(&object{rec: tableRecordOf(&nt, sc.ID, deps...), table: &nt})
}

// Drop drops the relation schema.name of kind kind, with cascade also what
// depends on it. Kind KindTable (DROP TABLE) also drops a source or sink
// table, which CREATE TABLE … WITH (connector = …) makes. It fails with
// 42P01 when there is no such relation, 42809 when it is of another kind,
// and 2BP01 when something depends on it and not cascade.
func (c *Catalog) Drop(kind Kind, schema, name string, cascade bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s.Load()
	t, ok := s.tables[qname{schema, name}]
	if !ok {
		return vector.Errorf(vector.CodeUndefinedTable, "%s \"%s\" does not exist", kind, name)
	}
	connectorTable := kind == KindTable && (t.Kind == KindSource || t.Kind == KindSink)
	if t.Kind != kind && !connectorTable {
		return &vector.Error{Code: vector.CodeWrongObjectType, Message: fmt.Sprintf("\"%s\" is not a %s", name, kind),
			Hint: fmt.Sprintf("Use DROP %s to remove a %s.", strings.ToUpper(string(t.Kind)), t.Kind)}
	}
	return c.dropWithDependents(s.objects[t.ID], cascade)
}

// RenameTable renames schema.name to newName (42P01 when it does not
// exist, 42P07 when newName does).
func (c *Catalog) RenameTable(schema, name, newName string) error {
	return c.changeTable(schema, name, func(s *state, t *Table) error {
		if _, ok := s.tables[qname{schema, newName}]; ok {
			return vector.Errorf(vector.CodeDuplicateTable, "relation \"%s\" already exists", newName)
		}
		t.Name = newName
		return nil
	})
}

// RenameColumn renames a column of schema.table (42703 when there is no
// such column, 42701 when newName exists).
func (c *Catalog) RenameColumn(schema, table, col, newName string) error {
	return c.RenameColumnRewriting(schema, table, col, newName, nil)
}

// RenameColumnRewriting is RenameColumn that also replaces the generation
// expression of each generated column by rewrite's result (the catalog
// keeps SQL text it does not read: rewrite makes it name the column by its
// new name). A nil rewrite changes none.
func (c *Catalog) RenameColumnRewriting(schema, table, col, newName string, rewrite func(generated string) (string, error)) error {
	return c.changeTable(schema, table, func(_ *state, t *Table) error {
		i := slices.IndexFunc(t.Columns, func(c Column) bool { return c.Name == col })
		if i < 0 {
			return vector.Errorf(vector.CodeUndefinedColumn, "column \"%s\" does not exist", col)
		}
		if slices.ContainsFunc(t.Columns, func(c Column) bool { return c.Name == newName }) {
			return vector.Errorf(vector.CodeDuplicateColumn, "column \"%s\" of relation \"%s\" already exists", newName, t.Name)
		}
		t.Columns[i].Name = newName
		for j, c := range t.Columns {
			if c.Generated == "" || rewrite == nil {
				continue
			}
			g, err := rewrite(c.Generated)
			if err != nil {
				return err
			}
			t.Columns[j].Generated = g
		}
		return nil
	})
}

// changeTable applies change to a copy of schema.name and stores the copy.
func (c *Catalog) changeTable(schema, name string, change func(*state, *Table) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s.Load()
	old, ok := s.tables[qname{schema, name}]
	if !ok {
		return vector.Errorf(vector.CodeUndefinedTable, "relation \"%s\" does not exist", name)
	}
	if old.Kind != KindTable {
		return vector.Errorf(vector.CodeWrongObjectType, "\"%s\" is not a table", name)
	}
	if deps := s.dependents(old.ID); len(deps) > 0 {
		return vector.Errorf(vector.CodeFeatureNotSupported, "cannot alter table \"%s\" because %s %s depends on it",
			name, deps[0].rec.Kind, describe(deps[0]))
	}
	t := *old
	t.Columns = slices.Clone(old.Columns)
	if err := change(s, &t); err != nil {
		return err
	}
	return c.put(&object{rec: tableRecordOf(&t, s.schemas[schema].ID), table: &t})
}
