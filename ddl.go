package runnel

import (
	"context"
	"fmt"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/connectors"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// DDL takes effect at once and durably, also inside a transaction block
// (it is not undone by ROLLBACK).

func (s *Session) ddl(ctx context.Context, ast tree.Statement) (*Result, error) {
	switch ast := ast.(type) {
	case *tree.CreateView:
		return s.createView(ctx, ast, false)
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

// createTable runs CREATE TABLE: a stored table, or with WITH (connector
// = …, type = 'source' | 'sink') a table backed by a connector (see
// tableOptions). Its defaults and generated columns are compiled now, so
// an invalid one fails here.
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
	t := catalog.Table{Kind: catalog.KindTable, Schema: schema, Name: string(ct.Table.ObjectName), Owner: s.role}
	var defaults []tree.Expr
	var watermarks []watermarkClause
	for _, def := range ct.Defs {
		switch d := def.(type) {
		case *tree.ColumnTableDef:
			c, err := columnDef(d, t.Name)
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
		case *tree.CheckConstraintTableDef:
			w, ok := watermarkClauseOf(d)
			if !ok {
				return nil, vector.Errorf(vector.CodeFeatureNotSupported, "table element %s is not supported", tree.AsString(def))
			}
			watermarks = append(watermarks, w)
		default:
			return nil, vector.Errorf(vector.CodeFeatureNotSupported, "table element %s is not supported", tree.AsString(def))
		}
	}
	for _, k := range t.PrimaryKey {
		t.Columns[k].NotNull = true
	}
	opts, err := tableOptions(&t, ct.StorageParams)
	if err != nil {
		return nil, err
	}
	if t.Kind == catalog.KindSource && t.PrimaryKey != nil {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "primary keys on source tables are not supported (table %q)", t.Name)
	}
	if opts.eventTime != nil {
		watermarks = append(watermarks, *opts.eventTime)
	}
	if t.Watermark, err = tableWatermark(&t, watermarks); err != nil {
		return nil, err
	}
	if opts.idleTimeout != 0 {
		if t.Watermark == nil {
			return nil, vector.Errorf(vector.CodeInvalidParameterValue, "idle_timeout needs a watermark: declare WATERMARK FOR a column of table %q", t.Name)
		}
		t.Watermark.IdleTimeout = opts.idleTimeout
	}
	// Defaults and generated columns are checked now, compiled against
	// the new table.
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
	if _, err := p.Generated(&t); err != nil {
		return nil, err
	}
	for i, c := range t.Columns {
		if c.Generated != "" {
			if t.Columns[i].Generated, err = planner.RenameInGenerated(c.Generated, "", ""); err != nil {
				return nil, err
			}
		}
	}
	if err := checkConnector(&t); err != nil {
		return nil, err
	}
	created, ok, err := s.db.catalog.CreateTable(t, ct.IfNotExists)
	if err != nil {
		return nil, err
	}
	if !ok {
		return &Result{Tag: "CREATE TABLE", Notices: notice("relation %q already exists, skipping", t.Name)}, nil
	}
	if isIngested(created) {
		if err := s.db.startIngest(created); err != nil {
			return nil, err
		}
	}
	return &Result{Tag: "CREATE TABLE"}, nil
}

// columnDef reads one column definition of table table.
func columnDef(d *tree.ColumnTableDef, table string) (catalog.Column, error) {
	name := string(d.Name)
	metadata, checks, err := columnMetadata(d)
	if err != nil {
		return catalog.Column{}, err
	}
	switch {
	case d.IsSerial:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "serial columns are not supported (column %q)", name)
	case d.Unique.IsUnique:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "UNIQUE constraints other than the primary key are not supported (column %q)", name)
	case len(checks) > 0:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "CHECK constraints are not supported (column %q)", name)
	case d.References.Table != nil:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "foreign keys are not supported (column %q)", name)
	case d.Computed.Virtual:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "virtual generated columns are not supported (column %q): use STORED", name)
	case d.Computed.Computed && d.DefaultExpr.Expr != nil:
		return catalog.Column{}, vector.Errorf(vector.CodeSyntaxError, "both default and generation expression specified for column %q of table %q", name, table)
	case d.GeneratedIdentity.IsGeneratedAsIdentity:
		return catalog.Column{}, vector.Errorf(vector.CodeFeatureNotSupported, "identity columns are not supported (column %q)", name)
	}
	typ, err := planner.ResolveType(d.Type)
	if err != nil {
		return catalog.Column{}, err
	}
	c := catalog.Column{Name: name, Type: typ, NotNull: d.Nullable.Nullability == tree.NotNull, Metadata: metadata}
	if d.Computed.Computed {
		c.Generated = tree.AsString(d.Computed.Expr)
	}
	return c, nil
}

// createTableOptions are what the WITH (…) options of CREATE TABLE set
// besides the table's kind and options.
type createTableOptions struct {
	idleTimeout int64            // µs; 0 when not given
	eventTime   *watermarkClause // a source's event_time_field or watermark_field
}

// tableOptions reads the WITH (…) options of CREATE TABLE t. Keys are
// lower-cased and values kept as text. With a connector option they are
// t's Options and type = 'source' or 'sink' sets its Kind (22023
// otherwise); a source may name its event time column with
// event_time_field = 'col' or, alike, watermark_field = 'col' (the
// watermark is that column, without delay). Without a connector the only
// option is idle_timeout, which a connector table may give too (see
// catalog.Watermark.IdleTimeout). Any other is 22023.
func tableOptions(t *catalog.Table, params tree.StorageParams) (createTableOptions, error) {
	var out createTableOptions
	if len(params) == 0 {
		return out, nil
	}
	opts := map[string]string{}
	for _, p := range params {
		key := strings.ToLower(p.Key)
		if _, dup := opts[key]; dup {
			return out, vector.Errorf(vector.CodeInvalidParameterValue, "parameter %q specified more than once", key)
		}
		v, err := optionValue(key, p.Value)
		if err != nil {
			return out, err
		}
		opts[key] = v
	}
	if v, ok := opts["idle_timeout"]; ok {
		var err error
		if out.idleTimeout, err = parseIdleTimeout(v); err != nil {
			return out, err
		}
	}
	if _, ok := opts["connector"]; !ok {
		for key := range opts {
			if key != "idle_timeout" {
				return out, vector.Errorf(vector.CodeInvalidParameterValue, "unrecognized parameter %q", key)
			}
		}
		return out, nil
	}
	switch typ, given := opts["type"]; {
	case !given: // a table stored from its connector
	case typ == "source":
		t.Kind = catalog.KindSource
	case typ == "sink":
		t.Kind = catalog.KindSink
	default:
		return out, &vector.Error{Code: vector.CodeInvalidParameterValue,
			Message: fmt.Sprintf("invalid value for parameter \"type\" of connector table %q: %q", t.Name, typ),
			Hint:    "Use type = 'source' for a source read by each query and not stored, type = 'sink' for a sink, or no type for a table that stores what its connector reads."}
	}
	for _, key := range []string{"event_time_field", "watermark_field"} {
		col, ok := opts[key]
		if !ok {
			continue
		}
		if t.Kind == catalog.KindSink {
			return out, vector.Errorf(vector.CodeInvalidParameterValue, "parameter %q is valid only for a source (table %q is a %s)", key, t.Name, t.Kind)
		}
		if out.eventTime != nil {
			return out, vector.Errorf(vector.CodeInvalidTableDefinition, "multiple watermarks for table %q are not allowed", t.Name)
		}
		out.eventTime = &watermarkClause{column: &tree.UnresolvedName{NumParts: 1, Parts: tree.NameParts{col}}}
	}
	t.Options = opts
	return out, nil
}

// optionValue is the text of the value of option key: a string, a number,
// a name or a boolean.
func optionValue(key string, v tree.Expr) (string, error) {
	switch v := v.(type) {
	case *tree.StrVal:
		return v.RawString(), nil
	case *tree.NumVal:
		return v.String(), nil
	case *tree.UnresolvedName:
		if !v.Star && v.NumParts == 1 {
			return v.Parts[0], nil
		}
	case *tree.DBool:
		return v.String(), nil
	}
	return "", vector.Errorf(vector.CodeInvalidParameterValue, "invalid value for parameter %q: %s", key, tree.AsString(v))
}

// checkConnector validates the connector of table t, if it has one, by
// opening it (and closing a sink at once). Rows a connector reads or
// writes are not written by INSERT, so its table has no generated column
// (0A000). A table that stores what its connector reads takes
// changes by primary key, so a format of changes needs one (42P16), and
// only such a table can apply upserts (0A000 for a source).
func checkConnector(t *catalog.Table) error {
	if err := checkMetadataColumns(t); err != nil {
		return err
	}
	if t.Options["connector"] == "" {
		return nil
	}
	changes := t.Options["format"] == "debezium_json" || t.Options["upsert"] == "true"
	switch {
	case t.Kind == catalog.KindSource && t.Options["upsert"] == "true":
		return vector.Errorf(vector.CodeFeatureNotSupported, "source \"%s\" cannot apply upserts, which need the rows stored: create a table with a primary key and no type = 'source'", t.Name)
	case t.Kind == catalog.KindTable && changes && len(t.PrimaryKey) == 0:
		return vector.Errorf(vector.CodeInvalidTableDefinition, "table \"%s\" reads changes (updates and deletes) from its connector and needs a primary key", t.Name)
	}
	for _, c := range t.Columns {
		if c.Generated != "" {
			return vector.Errorf(vector.CodeFeatureNotSupported, "generated columns are not supported in a table with a connector (column %q)", c.Name)
		}
	}
	if t.Kind != catalog.KindSink {
		_, err := connectors.OpenSource(t.Options, connectorColumns(t))
		return err
	}
	sink, err := connectors.OpenSink(t.Options, connectorColumns(t), "")
	if err != nil {
		return err
	}
	return sink.Close()
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
		from, to := string(rc.Column), string(rc.NewName)
		rewrite := func(generated string) (string, error) { return planner.RenameInGenerated(generated, from, to) }
		if err := s.db.catalog.RenameColumnRewriting(t.Schema, t.Name, from, to, rewrite); err != nil {
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
	if err := s.createSchemaOwned(cs); err != nil {
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
