package catalog

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/runneldb/runnel/vector"
)

// The rows of information_schema, computed from the catalog as Postgres
// 15's views compute them from pg_catalog: a relation, column or
// constraint is listed when the session's role holds some privilege on its
// relation. Materialized views are not tables in the SQL standard's sense,
// and are not listed (as in Postgres).

// databaseName is the catalog name information_schema shows.
const databaseName = "runnel"

// standardRelations returns the relations information_schema lists of
// the given relkinds that the session's role holds a privilege on.
func (x *systemScan) standardRelations(kinds string) []Relation {
	var out []Relation
	for _, r := range x.s.relations() {
		if strings.IndexByte(kinds, r.Kind) >= 0 && x.r.Holds(r.Table.Owner, RelationGrants(r.Table), TablePrivileges) {
			out = append(out, r)
		}
	}
	return out
}

// yesNo is information_schema's yes_or_no.
func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func isCatalogNameRows(x *systemScan, out *rowSet) { out.add(databaseName) }

func isEnabledRolesRows(x *systemScan, out *rowSet) { out.add(x.r.User()) }

// isSchemataRows lists the schemas the session's role owns or may use.
func isSchemataRows(x *systemScan, out *rowSet) {
	for _, sc := range x.schemas() {
		if x.r.Holds(sc.Owner, sc.GrantsOrDefault(), SchemaPrivileges) {
			out.addNamed(map[string]any{"catalog_name": databaseName, "schema_name": sc.Name,
				"schema_owner": x.roleName(schemaOwner(sc))})
		}
	}
}

// isTablesRows lists the tables, views and foreign tables (sources).
func isTablesRows(x *systemScan, out *rowSet) {
	for _, r := range x.standardRelations("rvf") {
		typ := map[byte]string{'r': "BASE TABLE", 'v': "VIEW", 'f': "FOREIGN"}[r.Kind]
		out.addNamed(map[string]any{"table_catalog": databaseName, "table_schema": r.Schema, "table_name": r.Name,
			"table_type": typ, "is_insertable_into": yesNo(r.Kind == 'r' && r.Table.Kind != KindSystem), "is_typed": "NO"})
	}
}

// isViewsRows lists the views with their definitions.
func isViewsRows(x *systemScan, out *rowSet) {
	for _, r := range x.standardRelations("v") {
		out.addNamed(map[string]any{"table_catalog": databaseName, "table_schema": r.Schema, "table_name": r.Name,
			"view_definition": x.viewDefinition(r.Table), "check_option": "NONE", "is_updatable": "NO",
			"is_insertable_into": "NO", "is_trigger_updatable": "NO", "is_trigger_deletable": "NO",
			"is_trigger_insertable_into": "NO"})
	}
}

// isColumnsRows lists the columns of the tables, views and foreign tables.
func isColumnsRows(x *systemScan, out *rowSet) {
	for _, r := range x.standardRelations("rvf") {
		for i, c := range r.Table.Columns {
			row := map[string]any{"table_catalog": databaseName, "table_schema": r.Schema, "table_name": r.Name,
				"column_name": c.Name, "ordinal_position": i + 1, "is_nullable": yesNo(!c.NotNull),
				"udt_catalog": databaseName, "udt_schema": "pg_catalog", "udt_name": pgTypeByOID[c.Type.OID()].name,
				"dtd_identifier": strconv.Itoa(i + 1), "is_self_referencing": "NO", "is_identity": "NO",
				"identity_cycle": "NO", "is_generated": "NEVER",
				"is_updatable": yesNo(r.Kind == 'r' && r.Table.Kind != KindSystem && c.Generated == "")}
			describeType(c.Type, row)
			if c.Type.OID() == vector.OIDName {
				row["collation_catalog"], row["collation_schema"], row["collation_name"] = databaseName, "pg_catalog", "C"
			}
			if c.Generated != "" {
				row["is_generated"], row["generation_expression"] = "ALWAYS", PostgresSQL(c.Generated)
			} else if c.Default != "" {
				row["column_default"] = PostgresSQL(c.Default)
			}
			out.addNamed(row)
		}
	}
}

// describeType sets the type columns information_schema gives a column
// (or a routine's result) of type t: data_type and the lengths,
// precisions and scales that apply to it.
func describeType(t vector.Type, row map[string]any) {
	row["data_type"] = t.Name()
	if t.Kind == vector.KindArray {
		row["data_type"] = "ARRAY"
	}
	switch t.Kind {
	case vector.KindText, vector.KindVarchar:
		row["character_octet_length"] = 1 << 30
		if t.Width > 0 {
			row["character_maximum_length"], row["character_octet_length"] = t.Width, 4*t.Width
		}
	case vector.KindInt2, vector.KindInt4, vector.KindInt8, vector.KindFloat4, vector.KindFloat8:
		bits := map[vector.Kind]int{vector.KindInt2: 16, vector.KindInt4: 32, vector.KindInt8: 64,
			vector.KindFloat4: 24, vector.KindFloat8: 53}[t.Kind]
		row["numeric_precision"], row["numeric_precision_radix"] = bits, 2
		if t.Kind.IsInteger() {
			row["numeric_scale"] = 0
		}
	case vector.KindNumeric:
		row["numeric_precision_radix"] = 10
		if t.Precision > 0 {
			row["numeric_precision"], row["numeric_scale"] = t.Precision, t.Scale
		}
	case vector.KindDate:
		row["datetime_precision"] = 0
	case vector.KindTime, vector.KindTimestamp, vector.KindTimestampTZ, vector.KindInterval:
		row["datetime_precision"] = 6
	}
}

// isTableConstraintsRows lists the primary keys and, as Postgres does,
// each NOT NULL column of a table as a CHECK constraint.
func isTableConstraintsRows(x *systemScan, out *rowSet) {
	for _, r := range x.standardRelations("rvf") {
		t := r.Table
		base := map[string]any{"constraint_catalog": databaseName, "constraint_schema": r.Schema,
			"table_catalog": databaseName, "table_schema": r.Schema, "table_name": r.Name,
			"is_deferrable": "NO", "initially_deferred": "NO", "enforced": "YES"}
		if len(t.PrimaryKey) > 0 {
			row := maps.Clone(base)
			row["constraint_name"], row["constraint_type"], row["nulls_distinct"] = t.PrimaryKeyName, "PRIMARY KEY", "YES"
			out.addNamed(row)
		}
		if r.Kind != 'r' {
			continue
		}
		for i, c := range t.Columns {
			if c.NotNull {
				row := maps.Clone(base)
				row["constraint_name"] = fmt.Sprintf("%d_%d_%d_not_null", x.s.schemaOID(r.Schema), r.OID, i+1)
				row["constraint_type"] = "CHECK"
				out.addNamed(row)
			}
		}
	}
}

// isKeyColumnUsageRows lists the columns of the primary keys.
func isKeyColumnUsageRows(x *systemScan, out *rowSet) {
	for _, r := range x.standardRelations("rvf") {
		for i, k := range r.Table.PrimaryKey {
			out.addNamed(map[string]any{"constraint_catalog": databaseName, "constraint_schema": r.Schema,
				"constraint_name": r.Table.PrimaryKeyName, "table_catalog": databaseName, "table_schema": r.Schema,
				"table_name": r.Name, "column_name": r.Table.Columns[k].Name, "ordinal_position": i + 1})
		}
	}
}

// isConstraintColumnUsageRows lists the columns the primary keys use.
func isConstraintColumnUsageRows(x *systemScan, out *rowSet) {
	for _, r := range x.standardRelations("rvf") {
		for _, k := range r.Table.PrimaryKey {
			out.addNamed(map[string]any{"table_catalog": databaseName, "table_schema": r.Schema, "table_name": r.Name,
				"column_name": r.Table.Columns[k].Name, "constraint_catalog": databaseName,
				"constraint_schema": r.Schema, "constraint_name": r.Table.PrimaryKeyName})
		}
	}
}

// isTablePrivilegesRows lists the privileges on the user relations: the
// owner's (grantable) and the granted ones.
func isTablePrivilegesRows(x *systemScan, out *rowSet) {
	names := map[byte]string{}
	for name, l := range privilegeNames['r'] {
		names[l] = name
	}
	add := func(r Relation, grantor, grantee, privs string, grantable bool) {
		for i := 0; i < len(privs); i++ {
			p := names[privs[i]]
			out.addNamed(map[string]any{"grantor": grantor, "grantee": grantee, "table_catalog": databaseName,
				"table_schema": r.Schema, "table_name": r.Name, "privilege_type": p, "is_grantable": yesNo(grantable),
				"with_hierarchy": yesNo(p == "SELECT")})
		}
	}
	for _, r := range x.standardRelations("rvmf") {
		if r.Table.Kind == KindSystem {
			continue
		}
		o := x.roleName(owner(r.Table))
		add(r, o, o, TablePrivileges, true)
		for _, g := range r.Table.Grants {
			grantee := "PUBLIC"
			if g.Grantee != 0 {
				grantee = x.roleName(g.Grantee)
			}
			grantor := o
			if g.Grantor != 0 {
				grantor = x.roleName(g.Grantor)
			}
			add(r, grantor, grantee, g.Privileges, false)
		}
	}
}

// isRoutinesRows lists the built-in functions.
func isRoutinesRows(x *systemScan, out *rowSet) {
	for _, f := range Functions() {
		row := map[string]any{"specific_catalog": databaseName, "specific_schema": "pg_catalog",
			"specific_name": fmt.Sprintf("%s_%d", f.Name, f.OID), "routine_catalog": databaseName,
			"routine_schema": "pg_catalog", "routine_name": f.Name, "routine_type": "FUNCTION",
			"dtd_identifier": "0", "routine_body": "EXTERNAL", "routine_definition": f.Name, "external_name": f.Name,
			"external_language": "INTERNAL", "parameter_style": "GENERAL", "is_deterministic": yesNo(f.Volatility == 'i'),
			"sql_data_access": "MODIFIES", "is_null_call": "YES", "schema_level_routine": "YES",
			"max_dynamic_result_sets": 0, "security_type": "INVOKER", "as_locator": "NO", "is_udt_dependent": "NO"}
		if t, ok := vector.TypeByOID(f.Result); ok {
			describeType(t, row)
		} else {
			row["data_type"] = pgTypeByOID[f.Result].name
		}
		if t := pgTypeByOID[f.Result]; t != nil {
			row["type_udt_catalog"], row["type_udt_schema"], row["type_udt_name"] = databaseName, "pg_catalog", t.name
		}
		out.addNamed(row)
	}
}
