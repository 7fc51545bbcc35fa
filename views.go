package runnel

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// Views and materialized views: CREATE, DROP, EXPLAIN, SHOW and FLUSH.

// parseSelect parses the stored defining query of a view.
func parseSelect(sql string) (*tree.Select, error) {
	stmts, err := parser.ParseWithInt(sql, types.Int4)
	if err != nil || len(stmts) != 1 {
		return nil, fmt.Errorf("stored view query %q does not parse: %v", sql, err)
	}
	sel, ok := stmts[0].AST.(*tree.Select)
	if !ok {
		return nil, fmt.Errorf("stored view query %q is not a SELECT", sql)
	}
	return sel, nil
}

// systemSession is a session for planning a view's query after a restart:
// names resolve in the view's schema, then public.
func (db *DB) systemSession(schema string) *Session {
	s := &Session{db: db, user: "runnel", settings: newSessionSettings()}
	s.settings.set("search_path", schema+", public") //nolint:errcheck // a valid value
	return s
}

// createView runs CREATE [MATERIALIZED] VIEW.
func (s *Session) createView(ctx context.Context, cv *tree.CreateView, eowc bool) (*Result, error) {
	kind, tag := catalog.KindView, "CREATE VIEW"
	if cv.Materialized {
		kind, tag = catalog.KindMaterializedView, "CREATE MATERIALIZED VIEW"
	}
	if cv.Replace || cv.Persistence != tree.PersistencePermanent {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "%s is not supported", tree.AsString(cv))
	}
	name := cv.Name
	schema, err := s.creationSchema(string(name.SchemaName))
	if err != nil {
		return nil, err
	}
	if t, ok := s.db.catalog.Table(schema, string(name.ObjectName)); ok && cv.IfNotExists {
		return &Result{Tag: tag, Notices: notice("relation %q already exists, skipping", t.Name)}, nil
	}
	if eowc && !cv.Materialized {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "EMIT ON WINDOW CLOSE is for materialized views")
	}
	t := catalog.Table{Kind: kind, Schema: schema, Name: string(name.ObjectName), Query: tree.AsString(cv.AsSource), EmitOnClose: eowc, Owner: s.role}
	st := s.begin(&vector.ParamTypes{}, nil)
	defer st.finish(errDescribeOnly) //nolint:errcheck // a read-only transaction
	var cols []planner.Column
	var plan *planner.View
	var deps []uint32
	if kind == catalog.KindView {
		q, err := st.plan.Query(cv.AsSource)
		if err != nil {
			return nil, err
		}
		cols, deps = q.Columns, st.plan.Dependencies()
	} else {
		if plan, deps, err = s.db.streams.planJob(&t, &env{s: s, txn: st.txn}); err != nil {
			return nil, err
		}
		cols = plan.Columns
	}
	if len(cv.ColumnNames) > len(cols) {
		return nil, vector.Errorf(vector.CodeSyntaxError, "CREATE VIEW specifies more column names than columns")
	}
	for i, c := range cols {
		name := c.Name
		if i < len(cv.ColumnNames) {
			name = string(cv.ColumnNames[i])
		}
		t.Columns = append(t.Columns, catalog.Column{Name: name, Type: c.Type})
	}
	sm := s.db.streams
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if plan != nil {
		if err := sm.quiesce(ctx); err != nil {
			return nil, err
		}
	}
	created, ok, err := s.db.catalog.CreateView(t, deps, cv.IfNotExists)
	if err != nil || !ok {
		return &Result{Tag: tag}, err
	}
	if plan != nil {
		if err := s.start(ctx, created, plan); err != nil {
			return nil, err
		}
	}
	return &Result{Tag: tag}, nil
}

// start launches the continuous query t just created (dropping it again
// if it cannot start) and waits until it has processed the tables as of
// now. The caller holds the streams' mu, which start releases while it
// waits.
func (s *Session) start(ctx context.Context, t *catalog.Table, plan *planner.View) error {
	sm := s.db.streams
	rv, err := sm.launch(t, plan, false)
	if err != nil {
		s.db.catalog.Drop(t.Kind, t.Schema, t.Name, true) //nolint:errcheck // undoing the create
		return err
	}
	pos := sm.position
	sm.mu.Unlock()
	defer sm.mu.Lock()
	return rv.view.Wait(ctx, pos)
}

// dropRelations runs DROP TABLE, DROP VIEW and DROP MATERIALIZED VIEW.
func (s *Session) dropRelations(kind catalog.Kind, names tree.TableNames, ifExists, cascade bool) (*Result, error) {
	res := &Result{Tag: "DROP " + strings.ToUpper(string(kind))}
	sm := s.db.streams
	sm.mu.Lock()
	defer sm.mu.Unlock()
	for i := range names {
		n := &names[i]
		t, err := s.lookupTable(string(n.SchemaName), string(n.ObjectName))
		if err != nil {
			if ifExists {
				res.Notices = append(res.Notices, notice("%s %q does not exist, skipping", kind, string(n.ObjectName))...)
				continue
			}
			if ve, ok := err.(*vector.Error); ok && ve.Code == vector.CodeUndefinedTable {
				ve.Message = strings.Replace(ve.Message, "relation", string(kind), 1)
			}
			return nil, err
		}
		if err := s.db.catalog.Drop(kind, t.Schema, t.Name, cascade); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// explainView runs EXPLAIN CREATE MATERIALIZED VIEW.
func (s *Session) explainView(cv *tree.CreateView, eowc bool) (*Result, error) {
	if !cv.Materialized {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "EXPLAIN is supported for CREATE MATERIALIZED VIEW only")
	}
	return s.explainJob(&catalog.Table{Kind: catalog.KindMaterializedView, Query: tree.AsString(cv.AsSource), EmitOnClose: eowc}, nil)
}

// explainJob prints the dataflow of continuous query t: one operator per
// line, its inputs indented below it, with the keys it is partitioned by
// and the state it keeps. sink, when not nil, names where the output goes.
func (s *Session) explainJob(t *catalog.Table, sink *string) (*Result, error) {
	st := s.begin(&vector.ParamTypes{}, nil)
	defer st.finish(errDescribeOnly) //nolint:errcheck // a read-only transaction
	plan, _, err := s.db.streams.planJob(t, &env{s: s, txn: st.txn})
	if err != nil {
		return nil, err
	}
	var rows [][]vector.Datum
	var instances map[*operators.Node]int
	var walk func(n *operators.Node, depth int)
	walk = func(n *operators.Node, depth int) {
		line := strings.Repeat("  ", depth) + n.Name
		if n.Detail != "" {
			line += " " + n.Detail
		}
		switch {
		case n.Keyed():
			line += fmt.Sprintf(" [%d partitions by %s]", s.db.streams.partitions, n.KeyText())
		case instances[n] > 1:
			line += fmt.Sprintf(" [%d partitions]", instances[n])
		}
		if n.State != "" {
			line += " (state: " + n.State + ")"
		}
		rows = append(rows, []vector.Datum{line})
		for _, in := range n.Inputs {
			walk(in, depth+1)
		}
	}
	root := plan.Root
	if sink != nil {
		root = operators.NewSinkNode(root, nil)
		root.Detail = *sink
	} else {
		root = operators.NewViewNode(root, operators.NewView(root.Types()))
	}
	instances = operators.Instances(root, s.db.streams.partitions)
	walk(root, 0)
	return textRows([]string{"QUERY PLAN"}, rows, "EXPLAIN"), nil
}

// command is a statement of runnel's own, which the SQL grammar lacks.
type command struct {
	kind string // "FLUSH", "SHOW MATERIALIZED VIEWS", "SHOW CREATE MATERIALIZED VIEW", …
	name string // the object of SHOW CREATE
	job  *jobCommand
	// explain is the command EXPLAIN shows the dataflow of.
	explain *command
	// view is CREATE MATERIALIZED VIEW … EMIT ON WINDOW CLOSE (eowc).
	view *tree.CreateView
	eowc bool
	// role is CREATE, ALTER or DROP ROLE (see roles.go).
	role *roleCommand
}

var (
	flushRE      = regexp.MustCompile(`(?is)^\s*flush\s*;?\s*$`)
	showViewsRE  = regexp.MustCompile(`(?is)^\s*show\s+materialized\s+views\s*;?\s*$`)
	showCreateRE = regexp.MustCompile(`(?is)^\s*show\s+create\s+materialized\s+view\s+("[^"]+"|[a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)?)\s*;?\s*$`)
)

// parseCommand recognizes a whole-text runnel command.
func parseCommand(sql string) (*command, bool, error) {
	if c, ok, err := parseJobCommand(sql); ok {
		return c, true, err
	}
	if c, ok, err := parseRoleCommand(sql); ok {
		return c, true, err
	}
	c, ok := parseViewCommand(sql)
	return c, ok, nil
}

// parseViewCommand recognizes FLUSH and the SHOW commands of views.
func parseViewCommand(sql string) (*command, bool) {
	switch {
	case flushRE.MatchString(sql):
		return &command{kind: "FLUSH"}, true
	case showViewsRE.MatchString(sql):
		return &command{kind: "SHOW MATERIALIZED VIEWS"}, true
	}
	if m := showCreateRE.FindStringSubmatch(sql); m != nil {
		name := m[1]
		if strings.HasPrefix(name, `"`) {
			name = name[1 : len(name)-1]
		} else {
			name = strings.ToLower(name)
		}
		return &command{kind: "SHOW CREATE MATERIALIZED VIEW", name: name}, true
	}
	return nil, false
}

// columns describes the command's result.
func (c *command) columns() []Column {
	switch c.kind {
	case "SHOW CREATE MATERIALIZED VIEW", "SHOW CREATE PIPELINE", "SHOW CREATE SINK":
		return []Column{{Name: "Name", Type: vector.Text}, {Name: "Create Sql", Type: vector.Text}}
	case "SHOW MATERIALIZED VIEWS", "SHOW PIPELINES", "SHOW SINKS":
		return textColumns(jobColumns)
	case "SHOW SOURCES":
		return textColumns(sourceColumns)
	}
	return nil
}

// textColumns describes a result of text columns called names.
func textColumns(names []string) []Column {
	cols := make([]Column, len(names))
	for i, n := range names {
		cols[i] = Column{Name: n, Type: vector.Text}
	}
	return cols
}

// run executes the command.
func (c *command) run(ctx context.Context, s *Session) (*Result, error) {
	switch c.kind {
	case "FLUSH":
		return &Result{Tag: "FLUSH"}, s.db.streams.flush(ctx)
	case "CREATE ROLE", "ALTER ROLE", "DROP ROLE":
		return s.runRole(c.role)
	case "CREATE MATERIALIZED VIEW":
		return s.createView(ctx, c.view, c.eowc)
	case "EXPLAIN":
		return s.explainCommand(c.explain)
	case "CREATE PIPELINE", "CREATE SINK":
		return s.createJob(ctx, c.job)
	case "DROP PIPELINE", "DROP SINK":
		return s.dropJob(c.job)
	case "DROP SOURCE":
		return s.dropRelations(catalog.KindSource, tree.TableNames{*c.job.name}, c.job.ifExists, c.job.cascade)
	case "SHOW PIPELINES":
		return s.showPipelines(catalog.KindPipeline), nil
	case "SHOW SINKS":
		return s.showPipelines(catalog.KindSink), nil
	case "SHOW SOURCES":
		return s.showSources(), nil
	case "SHOW CREATE PIPELINE":
		return s.showCreateJob(catalog.KindPipeline, c.name)
	case "SHOW CREATE SINK":
		return s.showCreateJob(catalog.KindSink, c.name)
	case "SHOW MATERIALIZED VIEWS":
		return s.showPipelines(catalog.KindMaterializedView), nil
	}
	schema, name, _ := strings.Cut(c.name, ".")
	if name == "" {
		schema, name = "", schema
	}
	t, err := s.lookupTable(schema, name)
	if err != nil {
		return nil, err
	}
	if t.Kind != catalog.KindMaterializedView {
		return nil, vector.Errorf(vector.CodeWrongObjectType, "\"%s\" is not a materialized view", t.Name)
	}
	q := fmt.Sprintf("CREATE MATERIALIZED VIEW %s.%s AS %s", t.Schema, t.Name, t.Query)
	return textRows([]string{"Name", "Create Sql"}, [][]vector.Datum{{t.Schema + "." + t.Name, q}}, "SHOW"), nil
}

// visible reports whether t is in a schema on the search_path.
func (s *Session) visible(t *catalog.Table) bool {
	for _, sc := range s.searchPath() {
		if sc == t.Schema {
			return true
		}
	}
	return false
}
