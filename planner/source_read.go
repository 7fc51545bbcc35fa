package planner

import (
	"slices"
	"strings"
	"time"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/operators"
)

// SourceRead is a read of a source table (catalog.KindSource) by a query:
// the Source of its source node in a continuous plan, what Env.ScanSource
// reads for a bounded one. The connector is asked for the columns the
// query uses (see prune.go), so that nothing else is read, decoded or
// generated.
type SourceRead struct {
	Table *catalog.Table
	// Columns are the positions in Table.Columns of the columns read, in
	// increasing order: the rows read have these columns, in this order.
	// nil means all of them.
	Columns []int
}

// scanSource plans a read of source table t, whose columns are cols (in
// t's order): of only the columns the query uses, once known (see
// readColumns). In a continuous plan it is a source node fed from the
// connector's positions, with event time when t has a watermark.
func (p *Planner) scanSource(t *catalog.Table, cols []column, outer *scope) *rel {
	read := &SourceRead{Table: t, Columns: p.readColumns(t, cols)}
	if read.Columns != nil {
		kept := make([]column, len(read.Columns))
		for i, c := range read.Columns {
			kept[i] = cols[c]
		}
		cols = kept
	}
	sc := &scope{cols: cols, outer: outer}
	if !p.stream {
		return &rel{op: operators.NewScan(sc.types(), p.env.ScanSource(read)), sc: sc}
	}
	var et *operators.EventTime
	if wm := t.Watermark; wm != nil {
		et = p.eventTime(wm, read.position(wm.Column))
	}
	return &rel{op: operators.NewTimedSourceNode(read.describe(), sc.types(), read, et, true), sc: sc}
}

// position is where column c of the table is among the columns read.
func (r *SourceRead) position(c int) int {
	if r.Columns == nil {
		return c
	}
	return slices.Index(r.Columns, c)
}

// describe names the table read, for EXPLAIN: schema.name, followed by the
// columns read when they are not all of the table's.
func (r *SourceRead) describe() string {
	name := r.Table.Schema + "." + r.Table.Name
	if r.Columns == nil {
		return name
	}
	names := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		names[i] = r.Table.Columns[c].Name
	}
	return name + " (" + strings.Join(names, ", ") + ")"
}

// eventTime is the event time of a source node whose column col holds the
// event time wm declares.
func (p *Planner) eventTime(wm *catalog.Watermark, col int) *operators.EventTime {
	idle := p.IdleTimeout
	if wm.IdleTimeout != 0 {
		idle = time.Duration(wm.IdleTimeout) * time.Microsecond
	}
	return &operators.EventTime{Col: col, Delay: wm.Delay, IdleTimeout: idle}
}
