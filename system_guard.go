package runnel

import (
	"slices"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// The system relations (pg_catalog, information_schema) are computed from
// the catalog: they cannot be written, dropped or altered, nothing can be
// created in their schemas, and a materialized view cannot read them (their
// rows are no stream of changes).

// systemSchemas are the schemas of the system relations.
var systemSchemas = []string{"pg_catalog", "information_schema"}

// refuseSystemChange fails with 42501 for a statement that would change a
// system relation or schema. (A continuous query that reads one is refused
// when it is planned: see planJob.)
func (s *Session) refuseSystemChange(ast tree.Statement) error {
	var names []tree.TableName
	switch ast := ast.(type) {
	case *tree.Insert:
		names = append(names, targetName(ast.Table)...)
	case *tree.Update:
		names = append(names, targetName(ast.Table)...)
	case *tree.Delete:
		names = append(names, targetName(ast.Table)...)
	case *tree.CopyFrom:
		names = append(names, ast.Table)
	case *tree.DropTable:
		names = append(names, ast.Names...)
	case *tree.DropView:
		names = append(names, ast.Names...)
	case *tree.RenameTable:
		names = append(names, ast.Name.ToTableName())
	case *tree.AlterTable:
		names = append(names, ast.Table.ToTableName())
	case *tree.CreateTable:
		return refuseCreateIn(&ast.Table)
	case *tree.CreateView:
		return refuseCreateIn(&ast.Name)
	case *tree.DropSchema:
		for _, n := range ast.Names {
			if sc := string(n.SchemaName); slices.Contains(systemSchemas, sc) {
				return vector.Errorf(vector.CodeDependentObjectsStillExist, "cannot drop schema %s because it is required by the database system", sc)
			}
		}
	}
	for _, n := range names {
		if t, err := s.lookupTable(string(n.SchemaName), string(n.ObjectName)); err == nil && t.Kind == catalog.KindSystem {
			return errSystemCatalog(t)
		}
	}
	return nil
}

// errSystemCatalog is Postgres' refusal to change a system catalog.
func errSystemCatalog(t *catalog.Table) error {
	return vector.Errorf(vector.CodeInsufficientPrivilege, "permission denied: \"%s\" is a system catalog", t.Name)
}

// targetName is the table a write statement names, if it names one.
func targetName(te tree.TableExpr) []tree.TableName {
	if a, ok := te.(*tree.AliasedTableExpr); ok {
		te = a.Expr
	}
	if n, ok := te.(*tree.TableName); ok {
		return []tree.TableName{*n}
	}
	return nil
}

// refuseCreateIn refuses a relation created in a system schema.
func refuseCreateIn(n *tree.TableName) error {
	if sc := string(n.SchemaName); slices.Contains(systemSchemas, sc) {
		e := vector.Errorf(vector.CodeInsufficientPrivilege, "permission denied to create \"%s.%s\"", sc, n.ObjectName)
		e.Detail = "System catalog modifications are currently disallowed."
		return e
	}
	return nil
}
