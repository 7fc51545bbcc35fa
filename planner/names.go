package planner

import (
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/vector"
)

// columnName is the name Postgres gives a select-list expression without an
// alias: the column's name, the function's name, the cast's type name, or
// "?column?".
func columnName(e tree.Expr) string {
	switch e := e.(type) {
	case *tree.ParenExpr:
		return columnName(e.Expr)
	case *tree.UnresolvedName:
		_, name := nameParts(e)
		return name
	case *tree.FuncExpr:
		name := funcName(e)
		return name[strings.LastIndexByte(name, '.')+1:]
	case *tree.CastExpr:
		if n := columnName(e.Expr); n != "?column?" {
			return n
		}
		if t, err := ResolveType(e.Type); err == nil {
			if t.Kind == vector.KindArray {
				t = t.ElemType()
			}
			return castTypeName(t.Name())
		}
	case *tree.Array, *tree.ArrayFlatten:
		return "array"
	case *tree.IndirectionExpr:
		return columnName(e.Expr)
	case *tree.ColumnAccessExpr:
		return string(e.ColName)
	case *tree.CaseExpr:
		return "case"
	case *tree.CoalesceExpr:
		return strings.ToLower(e.Name)
	case *tree.NullIfExpr:
		return "nullif"
	case *tree.Subquery:
		if e.Exists {
			return "exists"
		}
		if sel, ok := e.Select.(*tree.ParenSelect); ok {
			if sc, ok := sel.Select.Select.(*tree.SelectClause); ok && len(sc.Exprs) == 1 {
				if sc.Exprs[0].As != "" {
					return string(sc.Exprs[0].As)
				}
				return columnName(sc.Exprs[0].Expr)
			}
		}
	}
	return "?column?"
}

// castTypeName is the internal type name Postgres uses for a cast's column
// name (SELECT 1::integer names its column "int4").
func castTypeName(name string) string {
	switch name {
	case "smallint":
		return "int2"
	case "integer":
		return "int4"
	case "bigint":
		return "int8"
	case "real":
		return "float4"
	case "double precision":
		return "float8"
	case "boolean":
		return "bool"
	case "character varying":
		return "varchar"
	case "timestamp without time zone":
		return "timestamp"
	case "timestamp with time zone":
		return "timestamptz"
	case "time without time zone":
		return "time"
	case `"char"`:
		return "char"
	}
	return name
}
