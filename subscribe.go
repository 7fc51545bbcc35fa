package runnel

import (
	"context"
	"fmt"
	"sync"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// SUBSCRIBE [TO] mv | (query) [WITH (SNAPSHOT = b, PROGRESS = b)] [AS OF t]
// streams the changes of a materialized view, or of a query (a table's
// changes are those of SELECT * FROM it), until the client cancels or goes
// away. The rows are runnel_timestamp (see subscribeHub), with PROGRESS
// runnel_progressed, then runnel_diff (the change's weight: +n inserts, -n
// deletes n copies of the row), then the view's columns. With SNAPSHOT
// (the default) the contents as of the start come first, as one
// timestamp's insertions. A progress row (its diff and data NULL) at t
// says that every change stamped below t has been sent. A query runs as a
// transient dataflow, shared by the subscriptions of the same query and
// stopped once it has had no subscriber for the retention.

// streamStatement is a statement this package reads itself (see
// subscribe_parse.go): SUBSCRIBE, a COPY of one, and the cursor
// statements.
type streamStatement interface {
	tree.Statement
	// describe plans the statement without running it: its result
	// columns (nil when it returns no rows); the types of its parameters
	// are inferred through st's planner.
	describe(st *statement) ([]Column, error)
	// run executes the statement and ends st's implicit transaction.
	run(ctx context.Context, st *statement) (*Result, error)
}

// streamStmtBase gives the statements of this package the rest of
// tree.Statement.
type streamStmtBase struct {
	text string // the statement as written
	tag  string
	rows bool // it returns rows
}

func (b *streamStmtBase) String() string                    { return b.text }
func (b *streamStmtBase) Format(ctx *tree.FmtCtx)           { ctx.WriteString(b.text) }
func (b *streamStmtBase) StatementType() tree.StatementType { return tree.TypeDML }
func (b *streamStmtBase) StatementTag() string              { return b.tag }
func (b *streamStmtBase) StatementReturnType() tree.StatementReturnType {
	if b.rows {
		return tree.Rows
	}
	return tree.Ack
}

// subscribeStmt is SUBSCRIBE.
type subscribeStmt struct {
	streamStmtBase
	name     *tree.TableName // SUBSCRIBE name, or
	query    *tree.Select    // SUBSCRIBE (query)
	snapshot bool
	progress bool
	asOf     *tree.Select // SELECT (t)::int8 of AS OF t, or nil
}

func (s *subscribeStmt) describe(st *statement) ([]Column, error) {
	tgt, err := st.subscribeTarget(s)
	if err != nil {
		return nil, err
	}
	if s.asOf != nil {
		if _, err := st.plan.Query(s.asOf); err != nil {
			return nil, err
		}
	}
	return subscribeColumns(tgt.columns, s.progress), nil
}

func (s *subscribeStmt) run(ctx context.Context, st *statement) (*Result, error) {
	rows, err := st.subscribe(ctx, s)
	if err != nil {
		return nil, st.finish(err)
	}
	if err := st.finish(nil); err != nil {
		rows.Close()
		return nil, err
	}
	return &Result{Columns: rows.columns, Rows: rows, Tag: "SUBSCRIBE"}, nil
}

// subscribeColumns are the columns of a SUBSCRIBE of relation columns
// data.
func subscribeColumns(data []Column, progress bool) []Column {
	cols := []Column{{Name: "runnel_timestamp", Type: vector.Int8}}
	if progress {
		cols = append(cols, Column{Name: "runnel_progressed", Type: vector.Bool})
	}
	cols = append(cols, Column{Name: "runnel_diff", Type: vector.Int8})
	return append(cols, data...)
}

// subscribeTarget is what a SUBSCRIBE reads: a materialized view, or a
// query run as a transient dataflow.
type subscribeTarget struct {
	name    string // for messages
	view    uint32 // the materialized view, or 0
	columns []Column
	// For a query: its plan, text (canonical), and the relations it reads.
	plan  *planner.View
	query string
	deps  []uint32
}

// key identifies the transient dataflow of a query: the same text over
// the same relations computes the same rows.
func (t *subscribeTarget) key() string { return fmt.Sprint(t.query, t.deps) }

// subscribeTarget resolves and plans what s reads, as the session sees
// it.
func (st *statement) subscribeTarget(s *subscribeStmt) (*subscribeTarget, error) {
	sel := s.query
	name := ""
	if s.name != nil {
		t, err := st.s.lookupTable(string(s.name.SchemaName), string(s.name.ObjectName))
		if err != nil {
			return nil, err
		}
		switch t.Kind {
		case catalog.KindMaterializedView:
			cols := make([]Column, len(t.Columns))
			for i, c := range t.Columns {
				cols[i] = Column{Name: c.Name, Type: c.Type, TableOID: t.ID, Attr: int16(i + 1)}
			}
			return &subscribeTarget{name: fmt.Sprintf("materialized view \"%s\"", t.Name), view: t.ID, columns: cols}, nil
		case catalog.KindTable, catalog.KindView, catalog.KindSource:
			if sel, err = parseSelect("SELECT * FROM " + qualifiedName(t.Schema, t.Name)); err != nil {
				return nil, err
			}
			name = fmt.Sprintf("%s \"%s\"", t.Kind, t.Name)
		default:
			return nil, vector.Errorf(vector.CodeWrongObjectType, "cannot subscribe to %s \"%s\"", t.Kind, t.Name)
		}
	}
	query := tree.AsString(sel)
	if name == "" {
		name = "(" + query + ")"
	}
	plan, deps, err := st.s.db.streams.planJob(&catalog.Table{Kind: catalog.KindMaterializedView, Query: query}, &env{s: st.s, txn: st.txn})
	if err != nil {
		return nil, err
	}
	return &subscribeTarget{name: name, columns: columnsOf(plan.Columns), plan: plan, query: query, deps: deps}, nil
}

// subscribe opens the subscription of s.
func (st *statement) subscribe(ctx context.Context, s *subscribeStmt) (*subscribeRows, error) {
	tgt, err := st.subscribeTarget(s)
	if err != nil {
		return nil, err
	}
	start := subscribeStart{snapshot: s.snapshot, progress: s.progress}
	if s.asOf != nil {
		at, err := st.asOfValue(ctx, s.asOf)
		if err != nil {
			return nil, err
		}
		start.asOf = &at
	}
	sub, snap, at, err := st.s.db.streams.subscribe(ctx, tgt, start)
	if err != nil {
		return nil, err
	}
	rows := &subscribeRows{sub: sub, columns: subscribeColumns(tgt.columns, s.progress), progress: s.progress, deadline: st.deadline}
	for _, b := range snap {
		rows.pending = append(rows.pending, pendingRows{ts: at, b: b})
	}
	return rows, nil
}

// asOfValue evaluates the timestamp of AS OF.
func (st *statement) asOfValue(ctx context.Context, sel *tree.Select) (int64, error) {
	q, err := st.plan.Query(sel)
	if err != nil {
		return 0, err
	}
	stream := operators.Open(ctx, q.Root)
	defer stream.Close()
	b, err := stream.NextContext(ctx)
	if err != nil {
		return 0, err
	}
	if b == nil || b.Len == 0 || b.Cols[0].IsNull(0) {
		return 0, vector.Errorf(vector.CodeNullValueNotAllowed, "AS OF must not be NULL")
	}
	return vector.ValueAt(b.Cols[0], vector.Int8, 0).(int64), nil
}

// copySubscribeStmt is COPY (SUBSCRIBE …) TO STDOUT.
type copySubscribeStmt struct {
	streamStmtBase
	sub     *subscribeStmt
	options tree.CopyOptions
}

func (c *copySubscribeStmt) describe(st *statement) ([]Column, error) {
	_, err := c.sub.describe(st)
	return nil, err
}

func (c *copySubscribeStmt) run(ctx context.Context, st *statement) (*Result, error) {
	opts, err := readCopyOptions(&c.options)
	if err != nil {
		return nil, st.finish(err)
	}
	if c.options.Destination != nil {
		return nil, st.finish(vector.Errorf(vector.CodeFeatureNotSupported, "COPY (SUBSCRIBE …) is supported TO STDOUT only"))
	}
	rows, err := st.subscribe(ctx, c.sub)
	if err != nil {
		return nil, st.finish(err)
	}
	if err := st.finish(nil); err != nil {
		rows.Close()
		return nil, err
	}
	types := make([]vector.Type, len(rows.columns))
	names := make([]string, len(rows.columns))
	for i, col := range rows.columns {
		types[i], names[i] = col.Type, col.Name
	}
	header := opts.header || opts.format == CopyBinary
	loc := st.s.settings.loc
	n := 0
	var watch sync.Once
	return &Result{CopyOut: &CopyOut{
		Format:  opts.format,
		Columns: len(types),
		Next: func(ctx context.Context) ([][]byte, error) {
			// The copy stops when its statement ends, however it ends.
			watch.Do(func() { context.AfterFunc(ctx, rows.Close) })
			var lines [][]byte
			if header {
				header = false
				lines = append(lines, encodeHeader(names, opts))
			}
			b, err := rows.Next(ctx)
			if err != nil {
				return nil, err
			}
			n += b.Len
			return append(lines, encodeCopyRows(b, types, opts, loc)...), nil
		},
		Tag: func() string { return fmt.Sprintf("COPY %d", n) },
	}}, nil
}
