package runnel

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// ViewDefinition prints the query of view t as pg_get_viewdef does: after
// a space and before a semicolon, each relation it reads named by its name
// alone when the session's search path finds it by that name, else
// qualified by its schema (pg_dump, which empties the search path, gets
// every name qualified), with Postgres' type names.
func (c *sessionCatalog) ViewDefinition(t *catalog.Table) string {
	stmt, err := parser.ParseOneWithInt(t.Query, types.Int4)
	if err != nil {
		return " " + catalog.PostgresSQL(t.Query) + ";"
	}
	ctes := cteNames(t.Query)
	ctx := tree.NewFmtCtx(tree.FmtSimple, tree.FmtReformatTableNames(func(ctx *tree.FmtCtx, tn *tree.TableName) {
		ctx.WriteString(c.viewRelationName(t.Schema, tn, ctes))
	}))
	ctx.FormatNode(stmt.AST)
	return " " + catalog.PostgresSQL(ctx.CloseAndGetString()) + ";"
}

// viewRelationName prints a relation name of the query of a view in
// schema: a WITH query's name as it is; a relation's as the session finds
// it. A view's names resolve as when the view is planned: through
// pg_catalog, the view's schema, then public.
func (c *sessionCatalog) viewRelationName(schema string, tn *tree.TableName, ctes map[string]bool) string {
	name := string(tn.ObjectName)
	var r catalog.Relation
	found := false
	switch {
	case tn.ExplicitSchema:
		r, found = c.s.db.catalog.RelationByName(string(tn.SchemaName), name)
	case !ctes[name]:
		for _, sc := range []string{"pg_catalog", schema, "public"} {
			if r, found = c.s.db.catalog.RelationByName(sc, name); found {
				break
			}
		}
	}
	if !found {
		return tree.AsString(tn)
	}
	if visible, _ := c.Visible(vector.KindRegclass, r.OID); visible {
		return vector.QuoteIdent(r.Name)
	}
	return vector.QuoteIdent(r.Schema) + "." + vector.QuoteIdent(r.Name)
}

// cteNames are the names of the WITH queries of a query: the names
// followed by AS ( or AS [NOT] MATERIALIZED (, which no other construct
// of a formatted query has.
func cteNames(sql string) map[string]bool {
	toks := lex(sql)
	out := map[string]bool{}
	for i := 0; i+2 < len(toks); i++ {
		if (toks[i].kind != tokWord && toks[i].kind != tokQuoted) || !toks[i+1].is("as") {
			continue
		}
		j := i + 2
		if toks[j].is("not") {
			j++
		}
		if j < len(toks) && toks[j].is("materialized") {
			j++
		}
		if j < len(toks) && toks[j].text == "(" {
			out[identifier(toks[i])] = true
		}
	}
	return out
}
