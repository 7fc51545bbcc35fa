package planner

import "github.com/runneldb/runnel/catalog"

// Column pruning: a query reads from a source table only the columns it
// uses, so that the connector does not generate or decode the others, and
// no operator above copies, hashes, stores or checkpoints them.
//
// The planner builds operators as it binds names, so which columns a query
// uses is known only once it is planned. A query (Query, View) is therefore
// planned twice when that pays:
//
//  1. over every column of each source read, noting every column a name
//     resolves to (scope.resolve), or is ambiguous between, and the few
//     columns used other than by name: the event-time column a GROUP BY
//     window call implies (eventTimeColumn), and the columns an alias
//     renames by position (alias);
//  2. when some read has columns nothing uses, again, each read narrowed
//     to the columns noted, its event-time column (from which the source
//     computes its watermark, used or not) and at least one column (so
//     that its name still qualifies something).
//
// The second planning takes the same decisions over fewer columns: every
// name resolves as it did, since each column it matched is kept; * and
// NATURAL JOIN expand to the same columns, all noted. Reads are matched
// between the two plannings by the order they are planned in; should the
// second planning meet other reads, or fail, the first plan stands.
//
// Only source reads are narrowed: a stored table or view is fed whole
// rows by its log or its view, and narrowing them would take one more
// operator.

// columnUse notes which columns of a source read the query uses.
type columnUse struct {
	table *catalog.Table
	// used is indexed by position in table.Columns.
	used []bool
}

// pruning is the state of the two plannings of a query.
type pruning struct {
	// reads are the source reads of the first planning, in order.
	reads []*columnUse
	// narrow is set during the second planning; next is then the index in
	// reads of the next read planned, and failed is set when a read did
	// not match.
	narrow bool
	next   int
	failed bool
}

// pruned runs plan, a planning of the whole statement, as pruning says:
// once noting the columns used, and again with source reads narrowed to
// them when some read has columns unused. A statement only being typed
// reads nothing, and is planned once.
func pruned[T any](p *Planner, plan func() (T, error)) (T, error) {
	if p.describe {
		return plan()
	}
	pr := &pruning{}
	p.prune = pr
	defer func() { p.prune = nil }()
	first, err := plan()
	if err != nil || !pr.narrows() {
		return first, err
	}
	pr.narrow = true
	second, err := plan()
	if err != nil || pr.failed || pr.next != len(pr.reads) {
		return first, nil
	}
	return second, nil
}

// narrows reports whether some read of the first planning has columns
// the query does not use.
func (pr *pruning) narrows() bool {
	for _, u := range pr.reads {
		if u.columns() != nil {
			return true
		}
	}
	return false
}

// readColumns is called for each read of source table t, whose columns
// are cols (t's, in order). In the first planning it makes cols note
// their use and returns nil; in the second it returns the positions of
// the columns to read, nil for all of them.
func (p *Planner) readColumns(t *catalog.Table, cols []column) []int {
	pr := p.prune
	switch {
	case pr == nil:
		return nil
	case !pr.narrow:
		u := &columnUse{table: t, used: make([]bool, len(cols))}
		pr.reads = append(pr.reads, u)
		for i := range cols {
			cols[i].use, cols[i].useCol = u, i
		}
		return nil
	case pr.next >= len(pr.reads) || pr.reads[pr.next].table.ID != t.ID:
		pr.failed = true
		return nil
	}
	pr.next++
	return pr.reads[pr.next-1].columns()
}

// columns are the positions of the columns of the read to read: those
// used, the event-time column, and at least one; nil when that is all of
// them.
func (u *columnUse) columns() []int {
	var keep []int
	for i, used := range u.used {
		if used || u.table.Watermark != nil && u.table.Watermark.Column == i {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 && len(u.used) > 0 {
		keep = []int{0}
	}
	if len(keep) == len(u.used) {
		return nil
	}
	return keep
}
