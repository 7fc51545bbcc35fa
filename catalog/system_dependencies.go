package catalog

// The dependencies Postgres records between objects (pg_depend), with the
// rules through which it records what a view reads (pg_rewrite).

// pgRewriteRows lists the rules: the _RETURN rule of each view and
// materialized view, which is how Postgres records what a view reads.
func pgRewriteRows(x *systemScan, out *rowSet) {
	for _, t := range x.s.sortedTables() {
		if t.Kind == KindView || t.Kind == KindMaterializedView {
			out.add(t.ID+ruleOIDBase, "_RETURN", t.ID, "1", "O", true, nil, nil)
		}
	}
}

// pgDependRows lists the dependencies between objects that Postgres
// records and pg_dump reads: a view's rule on the view and on the
// relations the view reads, a primary key's index on its constraint, the
// constraint on its columns, a default on its column.
func pgDependRows(x *systemScan, out *rowSet) {
	for _, t := range x.s.sortedTables() {
		if _, ok := relkindOf(t); !ok {
			continue
		}
		if t.Kind == KindView || t.Kind == KindMaterializedView {
			rule := t.ID + ruleOIDBase
			out.add(oidPgRewrite, rule, 0, oidPgClass, t.ID, 0, "i")
			for _, dep := range x.s.dependencies(t.ID) {
				if x.s.table(dep) != nil {
					out.add(oidPgRewrite, rule, 0, oidPgClass, dep, 0, "n")
				}
			}
		}
		if len(t.PrimaryKey) > 0 {
			out.add(oidPgClass, t.ID+indexOIDBase, 0, oidPgConstraint, t.ID+constraintOIDBase, 0, "i")
			for _, k := range pkColumns(t) {
				out.add(oidPgConstraint, t.ID+constraintOIDBase, 0, oidPgClass, t.ID, k, "a")
			}
		}
		for i, c := range t.Columns {
			if columnExpression(c) != "" {
				out.add(oidPgAttrdef, attrdefOID(t, i+1), 0, oidPgClass, t.ID, i+1, "a")
			}
		}
	}
}
