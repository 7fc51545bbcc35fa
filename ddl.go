package runnel

import (
	"context"
	"fmt"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// DDL takes effect at once and durably, also inside a transaction block
// (it is not undone by ROLLBACK).

func (s *Session) ddl(ctx context.Context, ast tree.Statement) (*Result, error) {
	switch ast := ast.(type) {
	case *tree.CreateView:
		return s.createView(ctx, ast)
	case *tree.DropView:
		kind := catalog.KindView
		if ast.IsMaterialized {
			kind = catalog.KindMaterializedView
		}
		return s.dropRelations(kind, ast.Names, ast.IfExists, ast.DropBehavior == tree.DropCascade)
	case *tree.DropTable:
		return s.dropRelations(catalog.KindTable, ast.Names, ast.IfExists, ast.DropBehavior == tree.DropCascade)
	}
	// The rest may drop views (DROP SCHEMA … CASCADE) and must not run
	// while views start: it holds the views' lock too.
	s.db.streams.mu.Lock()
	defer s.db.streams.mu.Unlock()
	switch ast := ast.(type) {
	case *tree.CreateTable:
		return s.createTable(ast)
	case *tree.RenameTable:
		return s.renameTable(ast)
	case *tree.AlterTable:
		return s.alterTable(ast)
	case *tree.CreateSchema:
		return s.createSchema(ast)
	case *tree.DropSchema:
		return s.dropSchema(ast)
	}
	return nil, vector.Errorf(vector.CodeFeatureNotSupported, "%s is not supported", tree.AsString(ast))
}

func notice(format string, args ...any) []*vector.Error {
	return []*vector.Error{{Code: vector.CodeSuccessfulCompletion, Message: fmt.Sprintf(format, args...)}}
}

func (s *Session) createTable(ct *tree.CreateTable) (*Result, error) {
	if ct.As() {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "CREATE TABLE … AS is not supported")
	}
	if ct.Persistence.IsTemporary() {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "temporary tables are not supported")
	}
	schema, err := s.creationSchema(string(ct.Table.SchemaName))
	if err != nil {
		return nil, err
	}
	t := catalog.Table{Schema: schema, Name: string(ct.Table.ObjectName)}
	var defaults []tree.Expr
	for _, def := range ct.Defs {
		switch d := def.(type) {
		case *tree.ColumnTableDef:
			c, err := columnDef(d)
			if err != nil {
				return nil, err
			}
			for _, prev := range t.Columns {
				if prev.Name == c.Name {
					return nil, vector.Errorf(vector.CodeDuplicateColumn, "column %q specified more than once", c.Name)
				}
			}
			if d.PrimaryKey.IsPrimaryKey {
				if t.PrimaryKey != nil {
					return nil, vector.Errorf(vector.CodeInvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
				}
				t.PrimaryKey = []int{len(t.Columns)}
			}
			t.Columns = append(t.Columns, c)
			defaults = append(defaults, d.DefaultExpr.Expr)
		case *tree.UniqueConstraintTableDef:
			if !d.PrimaryKey {
				return nil, vector.Errorf(vector.CodeFeatureNotSupported, "UNIQUE constraints other than the primary key are not supported")
			}
			if t.PrimaryKey != nil {
				return nil, vector.Errorf(vector.CodeInvalidTableDefinition, "multiple primary keys for table %q are not allowed", t.Name)
			}
			for _, e := range d.Columns {
				i := -1
				for j, c := range t.Columns {
					if c.Name == string(e.Column) {
						i = j
					}
				}
				if i < 0 {
					return nil, vector.Errorf(vector.CodeUndefinedColumn, "column %q named in key does not exist", e.Column)
				}
				t.PrimaryKey = append(t.PrimaryKey, i)
			}
		default:
			return nil, vector.Errorf(vector.CodeFeatureNotSupported, "table element %s is not supported", tree.AsString(def))
		}
	}
	for _, k := range t.PrimaryKey {
		t.Columns[k].NotNull = true
	}
	// Defaults are checked now, compiled against the new table.
	p := planner.New(nil, &vector.EvalContext{Location: s.settings.loc}, &vector.ParamTypes{})
	for i, d := range defaults {
		if d == nil {
			continue
		}
		t.Columns[i].Default = tree.AsString(d)
		if _, err := p.DefaultExpr(&t, i); err != nil {
			return nil, err
		}
	}
	_, ok, err := s.db.catalog.CreateTable(t, ct.IfNotExists)
	if err != nil {
		return nil, err
	}
	if !ok {
		return &Result{Tag: "CREATE TABLE", Notices: notice("relation %q already exists, skipping", t.Name)}, nil
	}
	return &Result{Tag: "CREATE TABLE"}, nil
}

// columnDef reads one column definition.
func columnDef(d *tree.ColumnTableDef) (catalog.Column, error) {
	name := string(d.Name)
	switch {
	case d.IsSerial:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "serial columns are not supported (column %q)", name)
	case d.Unique.IsUnique:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "UNIQUE constraints other than the primary key are not supported (column %q)", name)
	case len(d.CheckExprs) > 0:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "CHECK constraints are not supported (column %q)", name)
	case d.References.Table != nil:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "foreign keys are not supported (column %q)", name)
	case d.Computed.Computed:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "generated columns are not supported (column %q)", name)
	case d.GeneratedIdentity.IsGeneratedAsIdentity:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "identity columns are not supported (column %q)", name)
	}
	typ, err := planner.ResolveType(d.Type)
	if err != nil {
		return catalog.Column{}, err
	}
	return catalog.Column{Name: name, Type: typ, NotNull: d.Nullable.Nullability == tree.NotNull}, nil
}

func (s *Session) renameTable(rt *tree.RenameTable) (*Result, error) {
	if rt.IsView || rt.IsSequence {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "%s is not supported", tree.AsString(rt))
	}
	from := rt.Name.ToTableName()
	to := rt.NewName.ToTableName()
	t, err := s.lookupTable(string(from.SchemaName), string(from.ObjectName))
	if err != nil {
		if rt.IfExists {
			return &Result{Tag: "ALTER TABLE", Notices: notice("relation %q does not exist, skipping", string(from.ObjectName))}, nil
		}
		return nil, err
	}
	if to.ExplicitSchema && string(to.SchemaName) != t.Schema {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "moving a table to another schema is not supported")
	}
	if err := s.db.catalog.RenameTable(t.Schema, t.Name, string(to.ObjectName)); err != nil {
		return nil, err
	}
	return &Result{Tag: "ALTER TABLE"}, nil
}

func (s *Session) alterTable(at *tree.AlterTable) (*Result, error) {
	name := at.Table.ToTableName()
	t, err := s.lookupTable(string(name.SchemaName), string(name.ObjectName))
	if err != nil {
		if at.IfExists {
			return &Result{Tag: "ALTER TABLE", Notices: notice("relation %q does not exist, skipping", string(name.ObjectName))}, nil
		}
		return nil, err
	}
	for _, cmd := range at.Cmds {
		rc, ok := cmd.(*tree.AlterTableRenameColumn)
		if !ok {
			return nil, vector.Errorf(vector.CodeFeatureNotSupported, "ALTER TABLE %s is not supported", tree.AsString(cmd))
		}
		if err := s.db.catalog.RenameColumn(t.Schema, t.Name, string(rc.Column), string(rc.NewName)); err != nil {
			return nil, err
		}
	}
	return &Result{Tag: "ALTER TABLE"}, nil
}

func (s *Session) createSchema(cs *tree.CreateSchema) (*Result, error) {
	name := string(cs.Schema.SchemaName)
	if _, exists := s.db.catalog.Schema(name); exists && cs.IfNotExists {
		return &Result{Tag: "CREATE SCHEMA", Notices: notice("schema %q already exists, skipping", name)}, nil
	}
	if err := s.db.catalog.CreateSchema(name, cs.IfNotExists); err != nil {
		return nil, err
	}
	return &Result{Tag: "CREATE SCHEMA"}, nil
}

func (s *Session) dropSchema(ds *tree.DropSchema) (*Result, error) {
	res := &Result{Tag: "DROP SCHEMA"}
	for _, n := range ds.Names {
		name := string(n.SchemaName)
		if _, ok := s.db.catalog.Schema(name); !ok {
			if ds.IfExists {
				res.Notices = append(res.Notices, notice("schema %q does not exist, skipping", name)...)
				continue
			}
			return nil, vector.Errorf(vector.CodeUndefinedSchema, "schema %q does not exist", name)
		}
		if err := s.db.catalog.DropSchema(name, ds.IfExists, ds.DropBehavior == tree.DropCascade); err != nil {
			return nil, err
		}
	}
	return res, nil
}
