package catalog

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/runneldb/runnel/storage"
	"github.com/runneldb/runnel/vector"
)

func open(t *testing.T, dir string) (*storage.Store, *Catalog) {
	t.Helper()
	st, err := storage.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Open(st)
	if err != nil {
		t.Fatal(err)
	}
	return st, c
}

var usersTable = Table{Schema: "public", Name: "users", PrimaryKey: []int{0, 1}, Columns: []Column{
	{Name: "id", Type: vector.Int4, NotNull: true},
	{Name: "name", Type: vector.Type{Kind: vector.KindVarchar, Width: 20}, NotNull: true},
	{Name: "score", Type: vector.Type{Kind: vector.KindNumeric, Precision: 10, Scale: 2}, Default: "0"},
}}

func code(err error) string {
	if e, ok := err.(*vector.Error); ok {
		return e.Code
	}
	return ""
}

func TestBuiltinSchemas(t *testing.T) {
	st, c := open(t, t.TempDir())
	defer st.Close()
	want := []Schema{{ID: OIDPgCatalog, Name: "pg_catalog"}, {ID: OIDPublic, Name: "public"}, {ID: OIDInformationSchema, Name: "information_schema"}}
	got := c.Schemas()
	if len(got) != len(want) {
		t.Fatalf("schemas %v", got)
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Name != want[i].Name || got[i].Owner != 0 || got[i].Grants != nil {
			t.Fatalf("schema %d = %v, want %v", i, *got[i], want[i])
		}
	}
}

func TestDDLErrors(t *testing.T) {
	st, c := open(t, t.TempDir())
	defer st.Close()
	if _, _, err := c.CreateTable(usersTable, false); err != nil {
		t.Fatal(err)
	}
	noSchema := usersTable
	noSchema.Schema = "nope"
	dupCol := usersTable
	dupCol.Name = "other"
	dupCol.Columns = []Column{{Name: "a", Type: vector.Int4}, {Name: "a", Type: vector.Text}}
	cases := []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"create existing table", second(c.CreateTable(usersTable, false)), vector.CodeDuplicateTable, `relation "users" already exists`},
		{"create if not exists", second(c.CreateTable(usersTable, true)), "", ""},
		{"create in missing schema", second(c.CreateTable(noSchema, false)), vector.CodeUndefinedSchema, `schema "nope" does not exist`},
		{"repeated column", second(c.CreateTable(dupCol, false)), vector.CodeDuplicateColumn, `column "a" specified more than once`},
		{"create existing schema", c.CreateSchema("public", false), vector.CodeDuplicateSchema, `schema "public" already exists`},
		{"create schema if not exists", c.CreateSchema("public", true), "", ""},
		{"drop missing schema", c.DropSchema("nope", false, false), vector.CodeUndefinedSchema, `schema "nope" does not exist`},
		{"drop missing schema if exists", c.DropSchema("nope", true, false), "", ""},
		{"drop non-empty schema", c.DropSchema("public", false, false), vector.CodeDependentObjectsStillExist, `cannot drop schema public because other objects depend on it`},
		{"drop missing table", c.Drop(KindTable, "public", "zz", false), vector.CodeUndefinedTable, `table "zz" does not exist`},
		{"rename missing table", c.RenameTable("public", "zz", "y"), vector.CodeUndefinedTable, `relation "zz" does not exist`},
		{"rename onto existing", c.RenameTable("public", "users", "users"), vector.CodeDuplicateTable, `relation "users" already exists`},
		{"rename missing column", c.RenameColumn("public", "users", "zz", "y"), vector.CodeUndefinedColumn, `column "zz" does not exist`},
		{"rename onto existing column", c.RenameColumn("public", "users", "id", "name"), vector.CodeDuplicateColumn, `column "name" of relation "users" already exists`},
	}
	for _, tc := range cases {
		if code(tc.err) != tc.code || (tc.err != nil && tc.err.Error() != tc.msg) {
			t.Errorf("%s: got %v (%s), want %s %q", tc.name, tc.err, code(tc.err), tc.code, tc.msg)
		}
	}
}

func second(_ *Table, _ bool, err error) error { return err }

func TestDropSchemaCascade(t *testing.T) {
	st, c := open(t, t.TempDir())
	defer st.Close()
	if err := c.CreateSchema("s", false); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"v", "w"} {
		tb := usersTable
		tb.Schema, tb.Name = "s", name
		if _, _, err := c.CreateTable(tb, false); err != nil {
			t.Fatal(err)
		}
	}
	err := c.DropSchema("s", false, false)
	if e, ok := err.(*vector.Error); !ok || e.Detail != "table s.v depends on schema s\ntable s.w depends on schema s" ||
		e.Hint != "Use DROP ... CASCADE to drop the dependent objects too." {
		t.Fatalf("drop without cascade: %#v", err)
	}
	v, _ := c.Table("s", "v")
	if err := c.DropSchema("s", false, true); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Table("s", "v"); ok {
		t.Fatal("table s.v survived DROP SCHEMA CASCADE")
	}
	if _, ok := st.Table(uint64(v.ID)); ok {
		t.Fatal("storage of s.v survived DROP SCHEMA CASCADE")
	}
}

// TestPersistence changes the catalog, reopens it and expects the same
// objects with the same OIDs, and OIDs continuing after them.
func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	st, c := open(t, dir)
	users, created, err := c.CreateTable(usersTable, false)
	if err != nil || !created || users.ID != FirstUserOID {
		t.Fatalf("create: %v %v %v", users, created, err)
	}
	if err := c.CreateSchema("s", false); err != nil {
		t.Fatal(err)
	}
	gone := usersTable
	gone.Name = "gone"
	c.CreateTable(gone, false)
	for _, err := range []error{c.Drop(KindTable, "public", "gone", false), c.DropSchema("public", false, true),
		c.CreateSchema("public", false), second(c.CreateTable(usersTable, false))} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := c.RenameTable("public", "users", "people"); err != nil {
		t.Fatal(err)
	}
	if err := c.RenameColumn("public", "people", "name", "login"); err != nil {
		t.Fatal(err)
	}
	before, _ := c.Table("public", "people")
	schemas := len(c.Schemas())
	st.Close()

	st, c = open(t, dir)
	defer st.Close()
	got, ok := c.Table("public", "people")
	if !ok {
		t.Fatal("table lost")
	}
	if got.ID != before.ID || got.Columns[1].Name != "login" || got.Columns[1].Type != usersTable.Columns[1].Type ||
		got.Columns[2].Type != usersTable.Columns[2].Type || got.Columns[2].Default != "0" || !got.Columns[0].NotNull ||
		got.PrimaryKeyName != "users_pkey" || len(got.PrimaryKey) != 2 {
		t.Fatalf("after reopen %+v, want %+v", got, before)
	}
	if len(c.Schemas()) != schemas || len(c.Tables()) != 1 {
		t.Fatalf("%d schemas, %d tables after reopen", len(c.Schemas()), len(c.Tables()))
	}
	if _, ok := st.Table(uint64(got.ID)); !ok {
		t.Fatal("storage table lost")
	}
	next, _, err := c.CreateTable(gone, false)
	if err != nil || next.ID <= got.ID {
		t.Fatalf("new table after reopen: %v, %v", next, err)
	}
}

// A primary key violation names the constraint and the key as Postgres
// does, with the table's current column names.
func TestDuplicateKeyError(t *testing.T) {
	st, c := open(t, t.TempDir())
	defer st.Close()
	u, _, err := c.CreateTable(usersTable, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RenameColumn("public", "users", "id", "uid"); err != nil {
		t.Fatal(err)
	}
	row := vector.NewBatch([]arrow.Array{vector.ArrayOf(vector.Int4, int32(1)),
		vector.ArrayOf(vector.Varchar, "x"), vector.ArrayOf(vector.Numeric, nil)}, 1)
	x := st.Begin()
	if err := x.Insert(uint64(u.ID), row); err != nil {
		t.Fatal(err)
	}
	err = x.Insert(uint64(u.ID), row)
	e, ok := err.(*vector.Error)
	if !ok || e.Code != vector.CodeUniqueViolation || e.Message != `duplicate key value violates unique constraint "users_pkey"` ||
		e.Detail != "Key (uid, name)=(1, x) already exists." {
		t.Fatalf("got %#v", err)
	}
}
