// Package planner turns SQL statements into plans: it binds names and types
// against the catalog, compiles expressions, and builds the dataflow of
// operators that computes a query. A Planner is made per statement
// execution, so a plan's expressions read that execution's parameters.
package planner

import (
	"context"
	"slices"
	"time"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/operators"
	"github.com/runneldb/runnel/vector"
)

// Env is what the planner needs from the database: tables by name and the
// rows a statement may see.
type Env interface {
	// Table resolves a table name, schema-qualified or looked up along the
	// session's search_path; 42P01 when there is none.
	Table(schema, name string) (*catalog.Table, error)
	// Scan is the source of t's rows visible to the statement (t is not a
	// source table: those are read by ScanSource). With rowIDs,
	// every batch has one more int8 column: the row's id, for UPDATE and
	// DELETE.
	Scan(t *catalog.Table, rowIDs bool) func(ctx context.Context, emit func(*vector.Batch) error) error
	// ScanSource is the source of the rows of a read of a source table
	// (catalog.KindSource), which have the columns r reads.
	ScanSource(r *SourceRead) func(ctx context.Context, emit func(*vector.Batch) error) error
}

// Planner plans one statement execution.
type Planner struct {
	env    Env
	ectx   *vector.EvalContext
	params *vector.ParamTypes
	// ctes are the WITH queries in scope, innermost last.
	ctes []map[string]*tree.CTE
	// describe is set when the statement is only being typed.
	describe bool
	// corr collects the outer references of the subquery being planned.
	corr *correlation
	// keepUnknown is set while planning a set operation's operand, until
	// its SELECT clause takes it.
	keepUnknown bool
	// stream is set while planning a materialized view (see stream.go).
	stream bool
	// IdleTimeout is how long a table with event time may go without
	// changes before it stops holding back watermarks, unless the table
	// says otherwise.
	IdleTimeout time.Duration
	// deps collects the relations the statement reads.
	deps map[uint32]bool
	// updating marks the sources over materialized views that retract
	// rows (stream mode).
	updating map[*operators.Node]bool
	// prune is set while a query is planned so as to read only the
	// columns it uses (see prune.go).
	prune *pruning
}

// Dependencies lists the OIDs of the relations the planned statement reads
// (through views too), in OID order.
func (p *Planner) Dependencies() []uint32 {
	out := make([]uint32, 0, len(p.deps))
	for id := range p.deps {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// DescribeOnly makes the planner only type the statement: nothing is
// evaluated while planning (VALUES rows, LIMIT, generate_series bounds), so
// parameters need no values yet.
func (p *Planner) DescribeOnly() { p.describe = true }

// New returns a planner reading parameters typed by params and evaluated
// with ectx.
func New(env Env, ectx *vector.EvalContext, params *vector.ParamTypes) *Planner {
	return &Planner{env: env, ectx: ectx, params: params, deps: map[uint32]bool{}, updating: map[*operators.Node]bool{}}
}

// Column describes a column of a query result.
type Column struct {
	Name     string
	Type     vector.Type
	TableOID uint32
	Attr     int16
}

// Query is a planned bounded query: Root produces its rows.
type Query struct {
	Columns []Column
	Root    operators.Operator
}

// rel is a relation under construction: the operator producing it and the
// names of its columns.
type rel struct {
	op operators.Operator
	sc *scope
}

func (r *rel) columns() []Column {
	var out []Column
	for _, c := range r.sc.cols {
		if !c.hidden {
			out = append(out, Column{Name: c.outputName(), Type: c.typ, TableOID: c.tableOID, Attr: c.attr})
		}
	}
	return out
}

// project computes exprs over r, naming the results cols.
func (p *Planner) project(r *rel, exprs []vector.Expr, cols []column) *rel {
	if p.stream {
		cols = keepBounds(r.sc, exprs, cols)
	}
	sc := &scope{cols: cols, outer: r.sc.outer}
	if p.stream {
		return &rel{op: operators.NewProjectNode(node(r), exprs, p.ectx), sc: sc}
	}
	return &rel{op: operators.NewProject(r.op, exprs, p.ectx), sc: sc}
}

// visibleOnly drops hidden columns, if any.
func (p *Planner) visibleOnly(r *rel) *rel {
	var exprs []vector.Expr
	var cols []column
	for i, c := range r.sc.cols {
		if !c.hidden {
			exprs = append(exprs, vector.NewColumnRef(i, c.typ, c.name))
			cols = append(cols, c)
		}
	}
	if len(cols) == len(r.sc.cols) {
		return r
	}
	return p.project(r, exprs, cols)
}
