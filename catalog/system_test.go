package catalog

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/runneldb/runnel/vector"
)

// testReader is a session reading the system relations: user runnel,
// holding every privilege.
type testReader struct{}

func (testReader) User() string { return BootstrapRoleName }
func (testReader) Holds(uint32, []Grant, string) bool {
	return true
}
func (testReader) Settings() []Setting {
	return []Setting{{Name: "TimeZone", Value: "UTC", Category: "Ungrouped", Context: "user", VarType: "string",
		Source: "default", BootValue: "UTC", ResetValue: "UTC"}}
}
func (testReader) Activity() []Activity {
	return []Activity{{PID: 1, User: "runnel", BackendStart: time.Unix(1, 0), State: "active", Query: "SELECT 1"}}
}
func (testReader) ServerStart() time.Time         { return time.Unix(0, 0) }
func (testReader) ViewDefinition(t *Table) string { return " " + t.Query + ";" }

// systemCatalog is a catalog holding a table with a primary key and
// defaults (usersTable), a view, a materialized view over the table, a
// source and a schema.
func systemCatalog(t *testing.T) *Catalog {
	t.Helper()
	st, c := open(t, t.TempDir())
	t.Cleanup(func() { st.Close() })
	users, _, err := c.CreateTable(usersTable, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []Table{
		{Kind: KindView, Schema: "public", Name: "names", Query: "SELECT name FROM users", Columns: []Column{{Name: "name", Type: vector.Text}}},
		{Kind: KindMaterializedView, Schema: "public", Name: "top", Query: "SELECT max(score) AS m FROM users",
			Columns: []Column{{Name: "m", Type: vector.Numeric}}},
	} {
		if _, _, err := c.CreateView(v, []uint32{users.ID}, false); err != nil {
			t.Fatal(err)
		}
	}
	src := Table{Kind: KindSource, Schema: "public", Name: "events", Columns: []Column{{Name: "e", Type: vector.Text}},
		Options: map[string]string{"connector": "datagen", "type": "source", "rows_per_second": "10"}}
	if _, _, err := c.CreateTable(src, false); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateSchema("s", false); err != nil {
		t.Fatal(err)
	}
	return c
}

// rows scans a system relation into rows of Datums.
func rows(t *testing.T, c *Catalog, schema, name string) (*Table, [][]vector.Datum) {
	t.Helper()
	tab, ok := SystemTable(schema, name)
	if !ok {
		t.Fatalf("no system relation %s.%s", schema, name)
	}
	b, err := c.SystemRows(tab, testReader{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]vector.Datum, b.Len)
	for i := range out {
		for j, c := range tab.Columns {
			out[i] = append(out[i], vector.ValueAt(b.Cols[j], c.Type, i))
		}
	}
	return tab, out
}

// where returns the rows whose column col holds v, as maps by column name.
func where(t *testing.T, c *Catalog, schema, name, col string, v vector.Datum) []map[string]vector.Datum {
	t.Helper()
	tab, all := rows(t, c, schema, name)
	var out []map[string]vector.Datum
	for _, r := range all {
		m := map[string]vector.Datum{}
		for j, column := range tab.Columns {
			m[column.Name] = r[j]
		}
		if m[col] == v {
			out = append(out, m)
		}
	}
	return out
}

// Every system relation scans, one column per declared column then its
// tableoid, whatever the catalog holds.
func TestSystemRelationsScan(t *testing.T) {
	c := systemCatalog(t)
	for _, tab := range SystemTables() {
		b, err := c.SystemRows(tab, testReader{})
		if err != nil {
			t.Fatalf("%s: %v", tab.Name, err)
		}
		if want := len(tab.Columns) + len(HiddenColumns(tab)); len(b.Cols) != want {
			t.Errorf("%s: %d columns for %d declared", tab.Name, len(b.Cols), want)
			continue
		}
		for r := 0; r < b.Len; r++ {
			if got := vector.ValueAt(b.Cols[len(b.Cols)-1], vector.OID, r); got != int64(tab.ID) {
				t.Errorf("%s: tableoid %v, want %d", tab.Name, got, tab.ID)
				break
			}
		}
	}
}

// The relations have Postgres' OIDs and the columns clients read, in
// Postgres' order.
func TestSystemRelationDeclarations(t *testing.T) {
	for _, tc := range []struct {
		schema, name string
		oid          uint32
		firstColumns []string
	}{
		{"pg_catalog", "pg_class", 1259, []string{"oid", "relname", "relnamespace", "reltype"}},
		{"pg_catalog", "pg_attribute", 1249, []string{"attrelid", "attname", "atttypid"}},
		{"pg_catalog", "pg_type", 1247, []string{"oid", "typname", "typnamespace"}},
		{"pg_catalog", "pg_namespace", 2615, []string{"oid", "nspname", "nspowner", "nspacl"}},
		{"pg_catalog", "pg_proc", 1255, []string{"oid", "proname", "pronamespace"}},
		{"pg_catalog", "pg_index", 2610, []string{"indexrelid", "indrelid"}},
		{"information_schema", "columns", 13295, []string{"table_catalog", "table_schema", "table_name", "column_name"}},
	} {
		tab, ok := SystemTable(tc.schema, tc.name)
		if !ok {
			t.Fatalf("no %s.%s", tc.schema, tc.name)
		}
		if tab.ID != tc.oid {
			t.Errorf("%s has OID %d, want %d", tc.name, tab.ID, tc.oid)
		}
		for i, n := range tc.firstColumns {
			if tab.Columns[i].Name != n {
				t.Errorf("%s column %d is %s, want %s", tc.name, i+1, tab.Columns[i].Name, n)
			}
		}
	}
}

// pg_class shows each relation with its relkind, column count and index;
// a primary key is an index relation; sinks and pipelines are not shown.
func TestPgClass(t *testing.T) {
	c := systemCatalog(t)
	for _, tc := range []struct {
		name     string
		kind     string
		natts    int16
		hasIndex bool
		am       int64
	}{
		{"users", "r", 3, true, int64(oidHeap)},
		{"users_pkey", "i", 2, false, int64(oidBtree)},
		{"names", "v", 1, false, 0},
		{"top", "m", 1, false, int64(oidHeap)},
		{"events", "f", 1, false, 0},
		{"pg_class", "r", 33, false, int64(oidHeap)},
		{"pg_roles", "v", 13, false, 0},
	} {
		got := where(t, c, "pg_catalog", "pg_class", "relname", tc.name)
		if len(got) != 1 {
			t.Fatalf("%s: %d rows", tc.name, len(got))
		}
		r := got[0]
		if r["relkind"] != tc.kind || r["relnatts"] != tc.natts || r["relhasindex"] != tc.hasIndex || r["relam"] != tc.am {
			t.Errorf("%s: relkind %v relnatts %v relhasindex %v relam %v", tc.name, r["relkind"], r["relnatts"], r["relhasindex"], r["relam"])
		}
	}
	users, _ := c.Table("public", "users")
	rel, ok := c.RelationByOID(users.ID + indexOIDBase)
	if !ok || rel.Name != "users_pkey" || rel.Kind != 'i' || rel.Table != users {
		t.Errorf("index relation %+v %v", rel, ok)
	}
	if byName, ok := c.RelationByName("public", "users_pkey"); !ok || byName.OID != rel.OID {
		t.Errorf("users_pkey by name: %+v %v", byName, ok)
	}
}

// pg_attribute gives each column its type, modifier (Postgres' atttypmod
// encoding) and nullability; a key column is not null.
func TestPgAttribute(t *testing.T) {
	c := systemCatalog(t)
	users, _ := c.Table("public", "users")
	got := where(t, c, "pg_catalog", "pg_attribute", "attrelid", int64(users.ID))
	want := []struct {
		name    string
		typ     uint32
		typmod  int32
		notNull bool
		hasDef  bool
	}{
		{"id", vector.OIDInt4, -1, true, false},
		{"name", vector.OIDVarchar, 20 + 4, true, false},
		{"score", vector.OIDNumeric, 10<<16 | 2 + 4, false, true},
	}
	if len(got) != len(want) {
		t.Fatalf("%d attributes", len(got))
	}
	for i, w := range want {
		g := got[i]
		if g["attname"] != w.name || g["atttypid"] != int64(w.typ) || g["atttypmod"] != w.typmod ||
			g["attnotnull"] != w.notNull || g["atthasdef"] != w.hasDef || g["attnum"] != int16(i+1) {
			t.Errorf("attribute %d: %v", i+1, g)
		}
	}
}

// The primary key is an index (indkey lists its columns), a constraint,
// and prints as Postgres prints them.
func TestPrimaryKeyObjects(t *testing.T) {
	c := systemCatalog(t)
	users, _ := c.Table("public", "users")
	idx := where(t, c, "pg_catalog", "pg_index", "indrelid", int64(users.ID))
	if len(idx) != 1 || idx[0]["indkey"] != vector.ArrayValue("1 2") || idx[0]["indisprimary"] != true ||
		idx[0]["indexrelid"] != int64(users.ID+indexOIDBase) {
		t.Errorf("pg_index %v", idx)
	}
	con := where(t, c, "pg_catalog", "pg_constraint", "conrelid", int64(users.ID))
	if len(con) != 1 || con[0]["contype"] != "p" || con[0]["conname"] != "users_pkey" ||
		con[0]["conkey"] != vector.ArrayValue("{1,2}") || con[0]["conindid"] != int64(users.ID+indexOIDBase) {
		t.Errorf("pg_constraint %v", con)
	}
	if def := IndexDefinition(users, QualifiedName(users), 0); def != "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id, name)" {
		t.Errorf("index definition %q", def)
	}
	if def := IndexDefinition(users, "users", 2); def != "name" {
		t.Errorf("index column 2 %q", def)
	}
	if def := ConstraintDefinition(users); def != "PRIMARY KEY (id, name)" {
		t.Errorf("constraint definition %q", def)
	}
	if tab, ok := c.ConstraintTable(users.ID + constraintOIDBase); !ok || tab != users {
		t.Errorf("constraint table %v %v", tab, ok)
	}
	def := where(t, c, "pg_catalog", "pg_attrdef", "adrelid", int64(users.ID))
	if len(def) != 1 || def[0]["adnum"] != int16(3) || def[0]["adbin"] != "0" {
		t.Errorf("pg_attrdef %v", def)
	}
}

// A view's rule depends on the view and on what it reads, so pg_dump
// orders a view after its tables.
func TestPgDependOfViews(t *testing.T) {
	c := systemCatalog(t)
	users, _ := c.Table("public", "users")
	names, _ := c.Table("public", "names")
	deps := where(t, c, "pg_catalog", "pg_depend", "objid", int64(names.ID+ruleOIDBase))
	var refs []string
	for _, d := range deps {
		refs = append(refs, fmt.Sprintf("%v:%v", d["refobjid"], d["deptype"]))
	}
	want := []string{fmt.Sprintf("%d:i", names.ID), fmt.Sprintf("%d:n", users.ID)}
	if !slices.Equal(refs, want) {
		t.Errorf("dependencies %v, want %v", refs, want)
	}
}

// information_schema.columns describes types as the SQL standard names
// them; materialized views are not listed, sources are.
func TestInformationSchemaColumns(t *testing.T) {
	c := systemCatalog(t)
	got := where(t, c, "information_schema", "columns", "table_name", "users")
	if len(got) != 3 {
		t.Fatalf("%d columns", len(got))
	}
	for i, w := range []struct {
		dataType, nullable, udt string
		maxLength, precision    any
		def                     any
	}{
		{"integer", "NO", "int4", nil, int32(32), nil},
		{"character varying", "NO", "varchar", int32(20), nil, nil},
		{"numeric", "YES", "numeric", nil, int32(10), "0"},
	} {
		g := got[i]
		if g["data_type"] != w.dataType || g["is_nullable"] != w.nullable || g["udt_name"] != w.udt ||
			g["character_maximum_length"] != w.maxLength || g["numeric_precision"] != w.precision ||
			g["column_default"] != w.def || g["ordinal_position"] != int32(i+1) {
			t.Errorf("column %d: %v", i+1, g)
		}
	}
	if top := where(t, c, "information_schema", "columns", "table_name", "top"); len(top) != 0 {
		t.Errorf("materialized view listed: %v", top)
	}
	tables := where(t, c, "information_schema", "tables", "table_schema", "public")
	types := map[vector.Datum]vector.Datum{}
	for _, r := range tables {
		types[r["table_name"]] = r["table_type"]
	}
	want := map[vector.Datum]vector.Datum{"users": "BASE TABLE", "names": "VIEW", "events": "FOREIGN"}
	if fmt.Sprint(types) != fmt.Sprint(want) {
		t.Errorf("tables %v, want %v", types, want)
	}
}

// A source is a foreign table of the server named by its connector, its
// other options the table's.
func TestSourcesAsForeignTables(t *testing.T) {
	c := systemCatalog(t)
	events, _ := c.Table("public", "events")
	ft := where(t, c, "pg_catalog", "pg_foreign_table", "ftrelid", int64(events.ID))
	if len(ft) != 1 || ft[0]["ftoptions"] != vector.ArrayValue("{rows_per_second=10}") {
		t.Fatalf("pg_foreign_table %v", ft)
	}
	srv := where(t, c, "pg_catalog", "pg_foreign_server", "oid", ft[0]["ftserver"])
	if len(srv) != 1 || srv[0]["srvname"] != "datagen" {
		t.Errorf("pg_foreign_server %v", srv)
	}
}

// TypeByName reads the names Postgres reads as types.
func TestTypeByName(t *testing.T) {
	for name, want := range map[string]uint32{
		"integer": 23, "int4": 23, "int": 23, "_int4": 1007, "integer[]": 1007, "pg_catalog.text": 25,
		"character varying(10)": 1043, "varchar": 1043, `"char"`: 18, "cstring": 2275, "numeric(10,2)": 1700,
		"timestamp with time zone": 1184, "regclass": 2205,
	} {
		if got, ok := TypeByName(name); !ok || got != want {
			t.Errorf("TypeByName(%q) = %d, %v; want %d", name, got, ok, want)
		}
	}
	if _, ok := TypeByName("nosuch"); ok {
		t.Error("nosuch is a type")
	}
}

// Every type's support functions are in pg_proc, and the built-in
// functions are there with their argument types.
func TestFunctions(t *testing.T) {
	for _, tc := range []struct {
		oid  uint32
		name string
	}{{750, "array_in"}, {42, "int4in"}, {3, "heap_tableam_handler"}} {
		if f, ok := FunctionByOID(tc.oid); !ok || f.Name != tc.name {
			t.Errorf("function %d: %+v %v", tc.oid, f, ok)
		}
	}
	var lower *Function
	for _, f := range Functions() {
		if f.Name == "lower" {
			lower = &f
		}
	}
	if lower == nil || !slices.Equal(lower.Args, []uint32{vector.OIDText}) || lower.Result != vector.OIDText || lower.OID < firstFunctionOID {
		t.Errorf("lower: %+v", lower)
	}
}

func TestPrivilegeLetters(t *testing.T) {
	for _, tc := range []struct {
		on   byte
		list string
		want string
		err  string
	}{
		{'r', "SELECT", "r", ""},
		{'r', "select, insert with grant option", "ra", ""},
		{'n', "USAGE,CREATE", "UC", ""},
		{'d', "connect", "c", ""},
		{'r', "USAGE", "", vector.CodeInvalidParameterValue},
	} {
		got, err := PrivilegeLetters(tc.on, tc.list)
		if code(err) != tc.err || got != tc.want {
			t.Errorf("PrivilegeLetters(%c, %q) = %q, %v", tc.on, tc.list, got, err)
		}
	}
}
