package catalog

// The views of pg_catalog over the relations: pg_tables, pg_views,
// pg_matviews, pg_indexes and the statistics views.

// pgTablesRows lists the tables.
func pgTablesRows(x *systemScan, out *rowSet) {
	for _, r := range x.s.relations() {
		if r.Kind == 'r' {
			out.add(r.Schema, r.Name, x.roleName(owner(r.Table)), nil, len(r.Table.PrimaryKey) > 0, false, false, false)
		}
	}
}

// pgViewsRows lists the views with their definitions.
func pgViewsRows(x *systemScan, out *rowSet) {
	for _, r := range x.s.relations() {
		if r.Kind == 'v' {
			out.add(r.Schema, r.Name, x.roleName(owner(r.Table)), x.viewDefinition(r.Table))
		}
	}
}

// pgMatviewsRows lists the materialized views with their definitions.
func pgMatviewsRows(x *systemScan, out *rowSet) {
	for _, r := range x.s.relations() {
		if r.Kind == 'm' {
			out.add(r.Schema, r.Name, x.roleName(owner(r.Table)), nil, len(r.Table.PrimaryKey) > 0, true, x.viewDefinition(r.Table))
		}
	}
}

// pgIndexesRows lists the indexes with their definitions.
func pgIndexesRows(x *systemScan, out *rowSet) {
	for _, t := range x.keyed() {
		out.add(t.Schema, t.Name, t.PrimaryKeyName, nil, IndexDefinition(t, QualifiedName(t), 0))
	}
}

// statRelations returns the relations of the statistics views: tables
// and materialized views, with the system ones when all.
func (x *systemScan) statRelations(all bool) []Relation {
	var out []Relation
	for _, r := range x.s.relations() {
		if (r.Kind == 'r' || r.Kind == 'm') && (all || r.Table.Kind != KindSystem) {
			out = append(out, r)
		}
	}
	return out
}

// pgStatUserTablesRows lists the user tables; runnel keeps no access
// statistics, so the counters are 0 and the times NULL.
func pgStatUserTablesRows(x *systemScan, out *rowSet) { statTablesRows(x, out, false) }

// pgStatAllTablesRows is pgStatUserTablesRows with the system tables.
func pgStatAllTablesRows(x *systemScan, out *rowSet) { statTablesRows(x, out, true) }

func statTablesRows(x *systemScan, out *rowSet, all bool) {
	for _, r := range x.statRelations(all) {
		out.add(r.OID, r.Schema, r.Name, 0, 0, nil, nil, 0, 0, 0, 0, 0, 0, 0, 0, nil, nil, nil, nil, 0, 0, 0, 0)
	}
}

// pgStatioUserTablesRows lists the user tables' block counters (0).
func pgStatioUserTablesRows(x *systemScan, out *rowSet) {
	for _, r := range x.statRelations(false) {
		out.add(r.OID, r.Schema, r.Name, 0, 0, nil, nil, nil, nil, nil, nil)
	}
}

// viewDefinition is what the views of the catalog show as the definition
// of view t: the reader's pg_get_viewdef, or NULL for a system view, whose
// definition runnel does not have.
func (x *systemScan) viewDefinition(t *Table) any {
	if t.Kind == KindSystem {
		return nil
	}
	return x.r.ViewDefinition(t)
}
