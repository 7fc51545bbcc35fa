package runnel

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/connectors"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// Pipelines and sinks: continuous queries whose output goes out rather
// than into a materialized view.
//
//	CREATE PIPELINE p AS INSERT INTO target [(cols)] SELECT … [EMIT ON WINDOW CLOSE]
//	CREATE SINK s FROM mv WITH (connector = …, …)
//	CREATE SINK s AS SELECT … [EMIT ON WINDOW CLOSE] WITH (connector = …, …)
//	DROP PIPELINE | SINK [IF EXISTS] name [CASCADE]
//	SHOW PIPELINES, SHOW SINKS, SHOW CREATE PIPELINE | SINK name
//
// A pipeline writes into a table (appending rows, or upserting them by
// primary key when its query updates rows) or into a sink table (CREATE
// TABLE … WITH (connector = …, type = 'sink')). Output reaches the target
// a checkpoint at a time (see operators.Sink): exactly once.

// jobCommand is a parsed pipeline or sink statement.
type jobCommand struct {
	kind     catalog.Kind // KindPipeline or KindSink
	name     *tree.TableName
	query    *tree.Select
	target   *tree.TableName // pipeline: INSERT INTO target
	cols     []string        // pipeline: its column list
	opts     map[string]string
	eowc     bool
	ifExists bool
	cascade  bool
	from     *tree.TableName // CREATE SINK … FROM mv
}

// createJob runs CREATE PIPELINE and CREATE SINK: the query is planned
// (and refused if its output cannot go where it is to go), recorded in the
// catalog, and started.
func (s *Session) createJob(ctx context.Context, j *jobCommand) (*Result, error) {
	tag := "CREATE " + strings.ToUpper(string(j.kind))
	schema, err := s.creationSchema(string(j.name.SchemaName))
	if err != nil {
		return nil, err
	}
	if typ, ok := j.opts["type"]; ok && typ != "sink" {
		return nil, vector.Errorf(vector.CodeInvalidParameterValue, "a sink has type 'sink', not '%s'", typ)
	}
	t := catalog.Table{Kind: j.kind, Schema: schema, Name: string(j.name.ObjectName), EmitOnClose: j.eowc, Options: j.opts, Owner: s.role}
	if j.from != nil {
		from, err := s.lookupTable(string(j.from.SchemaName), string(j.from.ObjectName))
		if err != nil {
			return nil, err
		}
		t.Query = fmt.Sprintf("SELECT * FROM %s", qualifiedName(from.Schema, from.Name))
	} else {
		t.Query = tree.AsString(j.query)
	}
	if j.target != nil {
		target, err := s.lookupTable(string(j.target.SchemaName), string(j.target.ObjectName))
		if err != nil {
			return nil, err
		}
		if target.Kind != catalog.KindTable && target.Kind != catalog.KindSink {
			return nil, vector.Errorf(vector.CodeWrongObjectType, "cannot insert into %s \"%s\": a pipeline writes into a table or a sink table", target.Kind, target.Name)
		}
		t.Target = target.ID
		for _, name := range j.cols {
			// The columns the pipeline writes, typed as in the target.
			c := catalog.Column{Name: name, Type: vector.Text}
			if k := slices.IndexFunc(target.Columns, func(tc catalog.Column) bool { return tc.Name == name }); k >= 0 {
				c.Type = target.Columns[k].Type
			}
			t.Columns = append(t.Columns, c)
		}
	}
	st := s.begin(&vector.ParamTypes{}, nil)
	defer st.finish(errDescribeOnly) //nolint:errcheck // a read-only transaction
	sm := s.db.streams
	plan, deps, err := sm.planJob(&t, &env{s: s, txn: st.txn})
	if err != nil {
		return nil, err
	}
	if j.kind == catalog.KindSink {
		for _, c := range plan.Columns {
			t.Columns = append(t.Columns, catalog.Column{Name: c.Name, Type: c.Type})
		}
	}
	if t.Target != 0 {
		down := s.db.catalog.Downstream(t.Target)
		for _, d := range deps {
			if d == t.Target || down[d] {
				r, _ := s.db.catalog.TableByID(d)
				return nil, vector.Errorf(vector.CodeInvalidTableDefinition, "pipeline \"%s\" would feed itself: it reads \"%s\", which its writes into \"%s\" change", t.Name, r.Name, j.target.ObjectName)
			}
		}
	}
	if t.Target != 0 {
		deps = append(deps, t.Target) // DROP of the target drops the pipeline
	}
	sm.mu.Lock()
	defer sm.mu.Unlock()
	if err := sm.quiesce(ctx); err != nil {
		return nil, err
	}
	created, ok, err := s.db.catalog.CreateView(t, deps, false)
	if err != nil || !ok {
		return &Result{Tag: tag}, err
	}
	if err := s.start(ctx, created, plan); err != nil {
		return nil, err
	}
	return &Result{Tag: tag}, nil
}

// explainCommand runs EXPLAIN of CREATE MATERIALIZED VIEW … EMIT ON
// WINDOW CLOSE, CREATE PIPELINE and CREATE SINK.
func (s *Session) explainCommand(c *command) (*Result, error) {
	if c.view != nil {
		return s.explainView(c.view, c.eowc)
	}
	j := c.job
	t := &catalog.Table{Kind: j.kind, EmitOnClose: j.eowc}
	sink := "connector " + j.opts["connector"]
	switch {
	case j.from != nil:
		t.Query = "SELECT * FROM " + tree.AsString(j.from)
	default:
		t.Query = tree.AsString(j.query)
	}
	if j.target != nil {
		sink = "into " + tree.AsString(j.target)
	}
	return s.explainJob(t, &sink)
}

// dropJob runs DROP PIPELINE and DROP SINK.
func (s *Session) dropJob(j *jobCommand) (*Result, error) {
	res := &Result{Tag: "DROP " + strings.ToUpper(string(j.kind))}
	sm := s.db.streams
	sm.mu.Lock()
	defer sm.mu.Unlock()
	t, err := s.lookupTable(string(j.name.SchemaName), string(j.name.ObjectName))
	if err != nil {
		if ve, ok := err.(*vector.Error); ok && ve.Code == vector.CodeUndefinedTable {
			if j.ifExists {
				res.Notices = notice("%s \"%s\" does not exist, skipping", j.kind, j.name.ObjectName)
				return res, nil
			}
			ve.Message = fmt.Sprintf("%s \"%s\" does not exist", j.kind, j.name.ObjectName)
		}
		return nil, err
	}
	return res, s.db.catalog.Drop(j.kind, t.Schema, t.Name, j.cascade)
}

// jobColumns are the columns of SHOW PIPELINES, SHOW SINKS and SHOW
// MATERIALIZED VIEWS.
var jobColumns = []string{"Name", "State", "Rows In", "Rows Out", "Watermark", "Late Rows", "Bad Rows", "Lag"}

// showPipelines runs SHOW PIPELINES, SHOW SINKS and SHOW MATERIALIZED
// VIEWS: one row per continuous query, with its state, the rows fed to it,
// the rows it wrote out (for a view, the rows it holds), its watermark,
// the late rows it dropped and its lag (commits published that it has not
// processed yet).
func (s *Session) showPipelines(kind catalog.Kind) *Result {
	cols := jobColumns
	var rows [][]vector.Datum
	sm := s.db.streams
	last := s.db.store.LastSeq()
	for _, t := range s.db.catalog.Tables() {
		if t.Kind != kind || !s.visible(t) || t.Query == "" {
			continue
		}
		sm.mu.Lock()
		rv, why := sm.views[t.ID], sm.failed[t.ID]
		sm.mu.Unlock()
		if rv == nil {
			rows = append(rows, []vector.Datum{t.Name, "failed: " + why, nil, nil, nil, nil, nil, nil})
			continue
		}
		state := rv.state()
		wm := rv.view.Watermark()
		var wmText vector.Datum
		switch wm {
		case operators.NoWatermark:
		case operators.EndOfTime:
			wmText = "infinity"
		default:
			wmText = vector.FormatDatum(vector.TimestampValue(wm), vector.Timestamp, time.UTC)
		}
		lag := int64(0)
		if f := rv.view.Frontier(); last > f {
			lag = int64(last - f)
		}
		out := rv.view.Len()
		if rv.sink != nil {
			out = rv.sink.Rows()
		}
		rows = append(rows, []vector.Datum{t.Name, state, fmt.Sprint(rv.in.Load()), fmt.Sprint(out),
			wmText, fmt.Sprint(rv.flow.LateRows()), fmt.Sprint(rv.flow.SkippedRows()), fmt.Sprint(lag)})
	}
	return textRows(cols, rows, "SHOW")
}

// sourceColumns are the columns of SHOW SOURCES.
var sourceColumns = []string{"Name", "Type", "Connector", "State", "Rows", "Bad Rows"}

// showSources runs SHOW SOURCES: one row per source and per table stored
// from a connector, with the state of its reading, the rows stored and the
// malformed records skipped. A source is read by each query over it, so
// its counts are those of the queries (SHOW PIPELINES).
func (s *Session) showSources() *Result {
	var rows [][]vector.Datum
	for _, t := range s.db.catalog.Tables() {
		if !s.visible(t) || (t.Kind != catalog.KindSource && !isIngested(t)) {
			continue
		}
		if t.Kind == catalog.KindSource {
			rows = append(rows, []vector.Datum{t.Name, "source", t.Options["connector"], "read by each query", nil, nil})
			continue
		}
		s.db.ingestMu.Lock()
		g := s.db.ingests[t.ID]
		s.db.ingestMu.Unlock()
		if g == nil {
			continue
		}
		rows = append(rows, []vector.Datum{t.Name, "table", t.Options["connector"], g.state(),
			fmt.Sprint(g.rows.Load()), fmt.Sprint(g.skipped.Load())})
	}
	return textRows(sourceColumns, rows, "SHOW")
}

// showCreateJob runs SHOW CREATE PIPELINE | SINK.
func (s *Session) showCreateJob(kind catalog.Kind, name string) (*Result, error) {
	schema, rel, _ := strings.Cut(name, ".")
	if rel == "" {
		schema, rel = "", schema
	}
	t, err := s.lookupTable(schema, rel)
	if err != nil {
		return nil, err
	}
	if t.Kind != kind {
		return nil, vector.Errorf(vector.CodeWrongObjectType, "\"%s\" is not a %s", t.Name, kind)
	}
	return textRows([]string{"Name", "Create Sql"}, [][]vector.Datum{{t.Schema + "." + t.Name, s.db.jobSQL(t)}}, "SHOW"), nil
}

// jobSQL is the statement that creates job t.
func (db *DB) jobSQL(t *catalog.Table) string {
	name := qualifiedName(t.Schema, t.Name)
	q := t.Query
	if t.EmitOnClose {
		q += " EMIT ON WINDOW CLOSE"
	}
	switch t.Kind {
	case catalog.KindPipeline:
		target := fmt.Sprint(t.Target)
		if tt, ok := db.catalog.TableByID(t.Target); ok {
			target = qualifiedName(tt.Schema, tt.Name)
		}
		var cols []string
		for _, c := range t.Columns {
			cols = append(cols, tree.NameString(c.Name))
		}
		if len(cols) > 0 {
			target += " (" + strings.Join(cols, ", ") + ")"
		}
		return fmt.Sprintf("CREATE PIPELINE %s AS INSERT INTO %s %s", name, target, q)
	case catalog.KindSink:
		var opts []string
		for _, k := range slices.Sorted(maps.Keys(t.Options)) {
			opts = append(opts, fmt.Sprintf("%s = '%s'", k, strings.ReplaceAll(t.Options[k], "'", "''")))
		}
		return fmt.Sprintf("CREATE SINK %s AS %s WITH (%s)", name, q, strings.Join(opts, ", "))
	}
	return fmt.Sprintf("CREATE MATERIALIZED VIEW %s AS %s", name, q)
}

// openSink opens where job t writes: the connector of a sink (or of the
// sink table a pipeline writes into), or the table a pipeline writes into.
// plan is the job's planned query, adapted here to its target: an update
// into a target that only appends is refused, unless the query is
// windowed, when the target receives the final rows of each window.
func (s *streams) openSink(t *catalog.Table, plan *planner.View) (*operators.Sink, error) {
	opts, cols := t.Options, plan.Columns
	var target *catalog.Table
	if t.Kind == catalog.KindPipeline {
		tt, ok := s.db.catalog.TableByID(t.Target)
		if !ok {
			return nil, fmt.Errorf("the target of pipeline %s is gone", t.Name)
		}
		target, opts, cols = tt, tt.Options, nil
		for _, c := range tt.Columns {
			cols = append(cols, planner.Column{Name: c.Name, Type: c.Type})
		}
	}
	var w operators.SinkWriter
	retractions := false
	if target != nil && target.Kind == catalog.KindTable {
		w, retractions = &tableWriter{store: s.store, t: target, marker: markerKey(t.ID)}, len(target.PrimaryKey) > 0
	} else {
		ccols := make([]connectors.Column, len(cols))
		for i, c := range cols {
			ccols[i] = connectors.Column{Name: c.Name, Type: c.Type}
		}
		cs, err := connectors.OpenSink(opts, ccols, fmt.Sprintf("%s.%s.%d", t.Schema, t.Name, t.ID))
		if err != nil {
			return nil, err
		}
		w, retractions = cs, cs.Retractions()
	}
	if !plan.AppendOnly && !retractions {
		if !plan.Windowed() {
			return nil, vector.Errorf(vector.CodeFeatureNotSupported, "the query of %s \"%s\" updates rows it has output, and its target only appends rows: write into a table with a primary key or a sink with format debezium_json, or window the query", t.Kind, t.Name)
		}
		if err := plan.EmitOnClose(); err != nil {
			return nil, err
		}
	}
	if target != nil {
		var names []string
		for _, c := range t.Columns {
			names = append(names, c.Name)
		}
		if err := plan.Into(target, names, viewEvalContext()); err != nil {
			return nil, err
		}
	}
	return operators.NewSink(w, plan.Root.Types(), retractions), nil
}
