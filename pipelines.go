package runnel

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

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

// parseJobCommand recognizes the pipeline and sink statements, and CREATE
// MATERIALIZED VIEW … EMIT ON WINDOW CLOSE. ok is false for other text.
func parseJobCommand(sql string) (*command, bool, error) {
	if !startsJobCommand(sql) {
		return nil, false, nil
	}
	toks := trimSemicolon(lex(sql))
	if len(toks) < 2 {
		return nil, false, nil
	}
	w := func(i int, s string) bool { return i < len(toks) && toks[i].is(s) }
	rest := func(i int) string {
		if i >= len(toks) {
			return ""
		}
		last := toks[len(toks)-1]
		return sql[toks[i].pos : last.pos+len(last.text)]
	}
	switch {
	case w(0, "explain"):
		inner, ok, err := parseJobCommand(rest(1))
		if !ok || err != nil || !strings.HasPrefix(inner.kind, "CREATE") {
			return nil, false, nil // EXPLAIN of what the grammar has
		}
		return &command{kind: "EXPLAIN", explain: inner}, true, nil
	case w(0, "create") && w(1, "materialized") && w(2, "view") && endsEOWC(toks):
		st, err := parseOne(rest(0)[:toks[len(toks)-4].pos-toks[0].pos])
		if err != nil {
			return nil, true, err
		}
		cv, ok := st.(*tree.CreateView)
		if !ok {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error at or near \"EMIT\"")
		}
		return &command{kind: "CREATE MATERIALIZED VIEW", view: cv, eowc: true}, true, nil
	case w(0, "create") && w(1, "pipeline"):
		name, i := nameAt(toks, 2)
		if name == nil || i+1 >= len(toks) || !w(i, "as") {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected CREATE PIPELINE name AS INSERT INTO table SELECT …")
		}
		j := &jobCommand{kind: catalog.KindPipeline, name: name}
		body := toks[i+1:]
		if endsEOWC(body) {
			j.eowc, body = true, body[:len(body)-4]
		}
		st, err := parseOne(sql[body[0].pos : body[len(body)-1].pos+len(body[len(body)-1].text)])
		if err != nil {
			return nil, true, err
		}
		ins, ok := st.(*tree.Insert)
		if !ok || ins.Rows == nil || ins.OnConflict != nil || ins.Returning != nil && ins.Returning != tree.AbsentReturningClause {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "a pipeline is INSERT INTO table [(columns)] SELECT …")
		}
		target := ins.Table
		if a, ok := target.(*tree.AliasedTableExpr); ok && a.As.Alias == "" {
			target = a.Expr
		}
		tn, ok := target.(*tree.TableName)
		if !ok {
			return nil, true, vector.Errorf(vector.CodeFeatureNotSupported, "INSERT INTO %s is not supported in a pipeline", tree.AsString(ins.Table))
		}
		j.target, j.query = tn, ins.Rows
		for _, c := range ins.Columns {
			j.cols = append(j.cols, string(c))
		}
		return &command{kind: "CREATE PIPELINE", job: j}, true, nil
	case w(0, "create") && w(1, "sink"):
		j := &jobCommand{kind: catalog.KindSink}
		var i int
		j.name, i = nameAt(toks, 2)
		if j.name == nil || i+1 >= len(toks) {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected CREATE SINK name FROM view WITH (…) or CREATE SINK name AS SELECT … WITH (…)")
		}
		opts, at, err := trailingOptions(toks)
		if err != nil {
			return nil, true, err
		}
		j.opts = opts
		body := toks[min(i+1, at):at]
		from, end := nameAt(body, 0)
		switch {
		case w(i, "from") && from != nil && end == len(body):
			j.from = from
		case w(i, "as") && len(body) > 0:
			if endsEOWC(body) {
				j.eowc, body = true, body[:len(body)-4]
			}
			st, err := parseOne(sql[body[0].pos : body[len(body)-1].pos+len(body[len(body)-1].text)])
			if err != nil {
				return nil, true, err
			}
			sel, ok := st.(*tree.Select)
			if !ok {
				return nil, true, vector.Errorf(vector.CodeSyntaxError, "CREATE SINK … AS needs a SELECT")
			}
			j.query = sel
		default:
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected CREATE SINK name FROM view WITH (…) or CREATE SINK name AS SELECT … WITH (…)")
		}
		return &command{kind: "CREATE SINK", job: j}, true, nil
	case w(0, "drop") && (w(1, "pipeline") || w(1, "sink")):
		j := &jobCommand{kind: catalog.Kind(strings.ToLower(toks[1].text))}
		i := 2
		if w(2, "if") && w(3, "exists") {
			j.ifExists, i = true, 4
		}
		if j.name, i = nameAt(toks, i); j.name == nil {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected the name of the %s", j.kind)
		}
		i--
		switch {
		case w(i+1, "cascade") && i+2 == len(toks):
			j.cascade = true
		case w(i+1, "restrict") && i+2 == len(toks), i+1 == len(toks):
		default:
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error at or near \"%s\"", toks[i+1].text)
		}
		return &command{kind: "DROP " + strings.ToUpper(string(j.kind)), job: j}, true, nil
	case w(0, "show") && (w(1, "pipelines") || w(1, "sinks")) && len(toks) == 2:
		return &command{kind: "SHOW " + strings.ToUpper(toks[1].text)}, true, nil
	case w(0, "show") && w(1, "create") && (w(2, "pipeline") || w(2, "sink")):
		name, i := nameAt(toks, 3)
		if name == nil || i != len(toks) {
			return nil, true, vector.Errorf(vector.CodeSyntaxError, "syntax error: expected SHOW CREATE %s name", strings.ToUpper(toks[2].text))
		}
		return &command{kind: "SHOW CREATE " + strings.ToUpper(toks[2].text), name: qualifiedText(name)}, true, nil
	}
	return nil, false, nil
}

// startsJobCommand reports whether sql may be one of the commands of
// parseJobCommand, by its first word, so that other statements (a long
// INSERT) are not lexed for nothing.
func startsJobCommand(sql string) bool {
	sql = strings.TrimLeft(sql, " \t\r\n(")
	for _, w := range []string{"create", "drop", "show", "explain"} {
		if len(sql) >= len(w) && strings.EqualFold(sql[:len(w)], w) {
			return true
		}
	}
	return false
}

// trimSemicolon drops a final ";".
func trimSemicolon(toks []token) []token {
	if n := len(toks); n > 0 && toks[n-1].text == ";" {
		return toks[:n-1]
	}
	return toks
}

// endsEOWC reports whether toks end with EMIT ON WINDOW CLOSE.
func endsEOWC(toks []token) bool {
	n := len(toks)
	return n >= 4 && toks[n-4].is("emit") && toks[n-3].is("on") && toks[n-2].is("window") && toks[n-1].is("close")
}

// identText is an identifier token's name: unquoted and lower-cased, or
// as quoted.
func identText(t token) string {
	if t.kind == tokQuoted {
		return strings.ReplaceAll(t.text[1:len(t.text)-1], `""`, `"`)
	}
	return strings.ToLower(t.text)
}

// nameAt reads a name or schema.name at toks[i]: the name, and the index
// after it; nil when there is none.
func nameAt(toks []token, i int) (*tree.TableName, int) {
	isName := func(k int) bool { return k < len(toks) && (toks[k].kind == tokWord || toks[k].kind == tokQuoted) }
	if !isName(i) {
		return nil, i
	}
	if i+2 < len(toks) && toks[i+1].text == "." && isName(i+2) {
		n := tree.MakeTableNameWithSchema("", tree.Name(identText(toks[i])), tree.Name(identText(toks[i+2])))
		n.ExplicitCatalog = false
		return &n, i + 3
	}
	n := tree.MakeUnqualifiedTableName(tree.Name(identText(toks[i])))
	return &n, i + 1
}

// qualifiedName renders schema.name as SQL.
func qualifiedName(schema, name string) string {
	n := tree.MakeTableNameWithSchema("", tree.Name(schema), tree.Name(name))
	n.ExplicitCatalog = false
	return tree.AsString(&n)
}

// qualifiedText is "schema.name" or "name", unquoted, as SHOW CREATE takes it.
func qualifiedText(n *tree.TableName) string {
	if n.ExplicitSchema {
		return string(n.SchemaName) + "." + string(n.ObjectName)
	}
	return string(n.ObjectName)
}

// parseOne parses one statement.
func parseOne(sql string) (tree.Statement, error) {
	stmts, err := parser.ParseWithInt(preparse(sql), types.Int4)
	if err != nil {
		return nil, syntaxError(sql, err)
	}
	if len(stmts) != 1 {
		return nil, vector.Errorf(vector.CodeSyntaxError, "expected one statement")
	}
	return stmts[0].AST, nil
}

// trailingOptions reads the WITH (key = 'value', …) that ends toks: the
// options, and the index of the WITH token.
func trailingOptions(toks []token) (map[string]string, int, error) {
	n := len(toks)
	if n == 0 || toks[n-1].text != ")" {
		return nil, 0, vector.Errorf(vector.CodeSyntaxError, "a sink needs WITH (connector = …)")
	}
	open := -1
	for i := n - 2; i >= 1; i-- {
		if toks[i].text == "(" && toks[i-1].is("with") {
			open = i
			break
		}
	}
	if open < 0 {
		return nil, 0, vector.Errorf(vector.CodeSyntaxError, "a sink needs WITH (connector = …)")
	}
	opts := map[string]string{}
	body := toks[open+1 : n-1]
	for len(body) > 0 {
		if len(body) < 3 || body[1].text != "=" || (body[0].kind != tokWord && body[0].kind != tokQuoted) {
			return nil, 0, vector.Errorf(vector.CodeSyntaxError, "syntax error in WITH options: expected key = 'value'")
		}
		v := body[2]
		val := v.text
		switch v.kind {
		case tokString:
			if !strings.HasPrefix(val, "'") {
				return nil, 0, vector.Errorf(vector.CodeSyntaxError, "option %s: expected a string", body[0].text)
			}
			val = strings.ReplaceAll(val[1:len(val)-1], "''", "'")
		case tokNumber, tokWord:
		default:
			return nil, 0, vector.Errorf(vector.CodeSyntaxError, "option %s: expected a value", body[0].text)
		}
		opts[identText(body[0])] = val
		body = body[3:]
		if len(body) > 0 {
			if body[0].text != "," {
				return nil, 0, vector.Errorf(vector.CodeSyntaxError, "syntax error in WITH options at or near \"%s\"", body[0].text)
			}
			body = body[1:]
		}
	}
	return opts, open - 1, nil
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
	t := catalog.Table{Kind: j.kind, Schema: schema, Name: string(j.name.ObjectName), EmitOnClose: j.eowc, Options: j.opts}
	if j.from != nil {
		from, err := s.lookupTable(string(j.from.SchemaName), string(j.from.ObjectName))
		if err != nil {
			return nil, err
		}
		t.Query = fmt.Sprintf("SELECT * FROM %s", qualifiedName(from.Schema, from.Name))
	} else {
		t.Query = tree.AsString(j.query)
	}
	var extra []uint32
	if j.target != nil {
		target, err := s.lookupTable(string(j.target.SchemaName), string(j.target.ObjectName))
		if err != nil {
			return nil, err
		}
		if target.Kind != catalog.KindTable && target.Kind != catalog.KindSink {
			return nil, vector.Errorf(vector.CodeWrongObjectType, "cannot insert into %s \"%s\": a pipeline writes into a table or a sink table", target.Kind, target.Name)
		}
		t.Target = target.ID
		extra = append(extra, target.ID)
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
	deps = append(deps, extra...)
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
var jobColumns = []string{"Name", "State", "Rows In", "Rows Out", "Watermark", "Late Rows", "Lag"}

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
			rows = append(rows, []vector.Datum{t.Name, "failed: " + why, nil, nil, nil, nil, nil})
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
			wmText, fmt.Sprint(rv.flow.LateRows()), fmt.Sprint(lag)})
	}
	return textRows(cols, rows, "SHOW")
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
		cs, err := connectors.OpenSink(opts, ccols)
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
