package runnel

import (
	"slices"
	"testing"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

const denied = vector.CodeInsufficientPrivilege

// TestViewReader is the case privileges exist for: a role given SELECT on
// a view and a materialized view reads them, and cannot read the table
// under them, write, create or drop anything; its refused statements
// disturb nobody.
func TestViewReader(t *testing.T) {
	rs := newRoleSessions(t)
	rs.runSteps([]step{
		{"runnel", "CREATE TABLE orders (id int PRIMARY KEY, amount int)", "", ""},
		{"runnel", "INSERT INTO orders VALUES (1, 10), (2, 20)", "", ""},
		{"runnel", "CREATE VIEW big AS SELECT id FROM orders WHERE amount > 15", "", ""},
		{"runnel", "CREATE MATERIALIZED VIEW total AS SELECT sum(amount) AS s FROM orders", "", ""},
		{"runnel", "CREATE ROLE dashboard LOGIN", "", ""},
		{"runnel", "GRANT SELECT ON big, total TO dashboard", "", ""},

		{"dashboard", "SELECT * FROM orders", denied, "permission denied for table orders"},
		{"dashboard", "INSERT INTO orders VALUES (3, 30)", denied, "permission denied for table orders"},
		{"dashboard", "UPDATE orders SET amount = 0", denied, "permission denied for table orders"},
		{"dashboard", "DELETE FROM orders", denied, "permission denied for table orders"},
		{"dashboard", "CREATE TABLE mine (a int)", denied, "permission denied for schema public"},
		{"dashboard", "CREATE VIEW mine AS SELECT 1", denied, "permission denied for schema public"},
		{"dashboard", "CREATE SCHEMA mine", denied, "permission denied for database runnel"},
		{"dashboard", "DROP VIEW big", denied, "must be owner of view big"},
		{"dashboard", "DROP MATERIALIZED VIEW total", denied, "must be owner of materialized view total"},
		{"dashboard", "DROP TABLE orders", denied, "must be owner of table orders"},
		{"dashboard", "GRANT SELECT ON orders TO dashboard", denied, "permission denied for table orders"},
		{"dashboard", "CREATE ROLE other", denied, "permission denied to create role"},
		// A refusal inside a transaction block fails the block, as any error.
		{"dashboard", "BEGIN", "", ""},
		{"dashboard", "INSERT INTO orders VALUES (3, 30)", denied, "permission denied for table orders"},

		{"runnel", "INSERT INTO orders VALUES (3, 30)", "", ""},
		{"dashboard", "FLUSH", "", ""}, // the view reflects the other session's insert
	})
	if got := tableRows(t, rs.as("dashboard"), "SELECT * FROM big ORDER BY id"); !slices.Equal(got, []string{"2", "3"}) {
		t.Errorf("big as dashboard = %v, want [2 3]", got)
	}
	if got := tableRows(t, rs.as("dashboard"), "SELECT s FROM total"); !slices.Equal(got, []string{"60"}) {
		t.Errorf("total as dashboard = %v, want [60]", got)
	}
	if got := tableRows(t, rs.as("runnel"), "SELECT count(*) FROM orders"); !slices.Equal(got, []string{"3"}) {
		t.Errorf("orders has %v rows, want 3", got)
	}
	for user, want := range map[string]string{"dashboard": "off", "runnel": "on"} {
		if got := tableRows(t, rs.as(user), "SHOW is_superuser"); !slices.Equal(got, []string{want}) {
			t.Errorf("is_superuser of %s = %v, want %s", user, got, want)
		}
	}
}

// TestPrivilegeChecks checks reads, writes and DDL of roles against the
// privileges granted to them, to the roles they inherit from and to
// PUBLIC, as Postgres 15 checks them.
func TestPrivilegeChecks(t *testing.T) {
	rs := newRoleSessions(t)
	rs.runSteps([]step{
		{"runnel", "CREATE TABLE t (id int PRIMARY KEY, v int)", "", ""},
		{"runnel", "INSERT INTO t VALUES (1, 10)", "", ""},
		{"runnel", "CREATE TABLE w (id int PRIMARY KEY, v int)", "", ""},
		{"runnel", "CREATE SCHEMA s", "", ""},
		{"runnel", "CREATE TABLE s.x (a int)", "", ""},
		{"runnel", "CREATE ROLE u LOGIN", "", ""},
		{"runnel", "CREATE ROLE grp", "", ""},
		{"runnel", "CREATE ROLE noinh LOGIN NOINHERIT", "", ""},
		{"runnel", "CREATE ROLE vo", "", ""},
		{"runnel", "GRANT grp TO u, noinh", "", ""},
		{"runnel", "GRANT INSERT ON w TO u", "", ""},
		{"runnel", "GRANT UPDATE ON TABLE w TO grp", "", ""},
		{"runnel", "GRANT SELECT ON s.x TO u", "", ""},
		{"runnel", "CREATE VIEW vt AS SELECT * FROM t", "", ""},
		{"runnel", "CREATE VIEW vo_v AS SELECT * FROM t", "", ""},
		{"runnel", "ALTER VIEW vo_v OWNER TO vo", "", ""},
		{"runnel", "GRANT SELECT ON vt, vo_v TO u", "", ""},

		{"u", "SELECT * FROM t", denied, "permission denied for table t"},
		{"u", "SELECT * FROM vt", "", ""},
		// A view reads with its owner's privileges: vo may not read t.
		{"u", "SELECT * FROM vo_v", denied, "permission denied for table t"},
		{"u", "WITH t AS (SELECT 1 AS id) SELECT * FROM t", "", ""},
		{"u", "WITH q AS (SELECT * FROM t) SELECT 1", denied, "permission denied for table t"},
		{"u", "SELECT 1 WHERE EXISTS (SELECT 1 FROM t)", denied, "permission denied for table t"},
		{"u", "SELECT (SELECT count(*) FROM t)", denied, "permission denied for table t"},
		{"u", "SELECT * FROM vt JOIN t USING (id)", denied, "permission denied for table t"},
		{"u", "SELECT * FROM vt UNION SELECT * FROM t", denied, "permission denied for table t"},
		{"u", "INSERT INTO w VALUES (1, 1)", "", ""},
		{"u", "INSERT INTO w VALUES (2, 2) RETURNING id", denied, "permission denied for table w"},
		{"u", "INSERT INTO w SELECT * FROM t", denied, "permission denied for table t"},
		{"u", "INSERT INTO w VALUES (1, 5) ON CONFLICT (id) DO UPDATE SET v = excluded.v", "", ""},
		{"u", "INSERT INTO w VALUES (1, 5) ON CONFLICT (id) DO UPDATE SET v = w.v + 1", denied, "permission denied for table w"},
		// UPDATE comes from grp, whose privileges u inherits.
		{"u", "UPDATE w SET v = 5", "", ""},
		{"u", "UPDATE w SET v = v + 1", denied, "permission denied for table w"},
		{"u", "UPDATE w SET v = 5 WHERE id = 1", denied, "permission denied for table w"},
		{"u", "DELETE FROM w", denied, "permission denied for table w"},
		{"u", "COPY t TO STDOUT", denied, "permission denied for table t"},
		{"u", "COPY (SELECT * FROM t) TO STDOUT", denied, "permission denied for table t"},
		{"u", "SUBSCRIBE t", denied, "permission denied for table t"},
		{"u", "SUBSCRIBE (SELECT v FROM t)", denied, "permission denied for table t"},
		{"u", "COPY (SUBSCRIBE t) TO STDOUT", denied, "permission denied for table t"},
		{"u", "BEGIN; DECLARE c CURSOR FOR SELECT * FROM t", denied, "permission denied for table t"},
		{"u", "BEGIN; DECLARE c CURSOR FOR SUBSCRIBE t", denied, "permission denied for table t"},
		{"u", "SELECT * FROM s.x", denied, "permission denied for schema s"},
		{"u", "SELECT count(*) FROM pg_class", "", ""},
		{"u", "SELECT * FROM pg_authid", denied, "permission denied for table pg_authid"},
		{"u", "CREATE TABLE s.mine (a int)", denied, "permission denied for schema s"},
		{"u", "DROP TABLE t", denied, "must be owner of table t"},
		{"u", "ALTER TABLE t RENAME TO t2", denied, "must be owner of table t"},
		{"u", "ALTER TABLE t OWNER TO u", denied, "must be owner of table t"},
		{"u", "GRANT SELECT ON w TO noinh", "", `no privileges were granted for "w"`},
		{"u", "REVOKE INSERT ON w FROM u", "", `no privileges could be revoked for "w"`},
		{"u", "CREATE MATERIALIZED VIEW s.m AS SELECT * FROM t", denied, "permission denied for schema s"},
		// noinh is in grp but does not inherit its privileges.
		{"noinh", "UPDATE w SET v = 1", denied, "permission denied for table w"},

		{"runnel", "GRANT USAGE, CREATE ON SCHEMA s TO u", "", ""},
		{"u", "SELECT * FROM s.x", "", ""},
		{"u", "CREATE TABLE s.mine (a int)", "", ""},
		{"u", "CREATE MATERIALIZED VIEW s.m AS SELECT * FROM t", denied, "permission denied for table t"},
		{"u", "CREATE MATERIALIZED VIEW s.m AS SELECT * FROM s.mine", "", ""},
		{"u", "INSERT INTO s.mine VALUES (1)", "", ""},
		{"u", "ALTER TABLE s.mine OWNER TO noinh", denied, `must be member of role "noinh"`},
		{"noinh", "DROP TABLE s.mine", denied, "permission denied for schema s"},
		{"runnel", "GRANT USAGE ON SCHEMA s TO noinh", "", ""},
		{"noinh", "DROP TABLE s.mine CASCADE", denied, "must be owner of table mine"},
		{"runnel", "DROP ROLE u", vector.CodeDependentObjectsStillExist, `role "u" cannot be dropped because some objects depend on it`},

		{"runnel", "GRANT SELECT ON ALL TABLES IN SCHEMA public TO noinh", "", ""},
		{"noinh", "SELECT * FROM t", "", ""},
		{"noinh", "SELECT * FROM vo_v", denied, "permission denied for table t"},
		{"runnel", "REVOKE ALL PRIVILEGES ON t FROM noinh", "", ""},
		{"noinh", "SELECT * FROM t", denied, "permission denied for table t"},
		{"runnel", "GRANT SELECT ON t TO PUBLIC", "", ""},
		{"noinh", "SELECT * FROM t", "", ""},
		{"u", "SELECT * FROM vo_v", "", ""},
		{"runnel", "ALTER TABLE w OWNER TO u", "", ""},
		{"u", "DELETE FROM w WHERE id = 1 RETURNING v", "", ""},
		{"runnel", "REVOKE USAGE ON SCHEMA public FROM PUBLIC", "", ""},
		{"noinh", "SELECT * FROM t", denied, "permission denied for schema public"},

		{"runnel", "GRANT USAGE ON t TO u", "0LP01", "invalid privilege type USAGE for table"},
		{"runnel", "GRANT SELECT ON SCHEMA s TO u", "0LP01", "invalid privilege type SELECT for schema"},
		{"runnel", "GRANT SELECT ON t TO u WITH GRANT OPTION", vector.CodeFeatureNotSupported, "grant options"},
		{"runnel", "GRANT SELECT ON t TO nosuch", vector.CodeUndefinedObject, `role "nosuch" does not exist`},
		{"runnel", "GRANT SELECT ON nosuch TO u", vector.CodeUndefinedTable, `relation "nosuch" does not exist`},
		{"runnel", "GRANT SELECT ON ALL TABLES IN SCHEMA nosuch TO u", vector.CodeUndefinedSchema, `schema "nosuch" does not exist`},
		{"runnel", "GRANT CREATE ON DATABASE runnel TO u", vector.CodeFeatureNotSupported, "databases"},
		{"runnel", "ALTER TABLE t OWNER TO nosuch", vector.CodeUndefinedObject, `role "nosuch" does not exist`},
		{"runnel", "ALTER VIEW t OWNER TO u", vector.CodeWrongObjectType, `"t" is not a view`},
		{"runnel", "ALTER TABLE IF EXISTS nosuch OWNER TO u", "", `relation "nosuch" does not exist, skipping`},
	})

	cat := rs.db.catalog
	u, _ := cat.RoleByName("u")
	for _, c := range []struct {
		schema, name string
		owner        uint32
	}{{"public", "t", catalog.BootstrapRoleOID}, {"s", "mine", u.ID}, {"s", "m", u.ID}, {"public", "w", u.ID}} {
		tab, ok := cat.Table(c.schema, c.name)
		if !ok || catalog.OwnerOID(tab.Owner) != c.owner {
			t.Errorf("owner of %s.%s = %v, want %d", c.schema, c.name, tab, c.owner)
		}
	}
}

// TestSchemaOwner: CREATE SCHEMA makes the session's role, or the role
// AUTHORIZATION names, the owner, who may then create in it and grant on
// it; ALTER SCHEMA … OWNER TO changes it.
func TestSchemaOwner(t *testing.T) {
	rs := newRoleSessions(t)
	rs.runSteps([]step{
		{"runnel", "CREATE ROLE ann LOGIN", "", ""},
		{"runnel", "CREATE ROLE ben LOGIN", "", ""},
		{"runnel", "CREATE SCHEMA a AUTHORIZATION ann", "", ""},
		{"runnel", "CREATE SCHEMA AUTHORIZATION ben", "", ""},
		{"runnel", "CREATE SCHEMA r", "", ""},
		{"runnel", "CREATE SCHEMA x AUTHORIZATION nosuch", vector.CodeUndefinedObject, `role "nosuch" does not exist`},
		{"ann", "CREATE TABLE a.t (i int)", "", ""},
		{"ann", "GRANT USAGE ON SCHEMA a TO ben", "", ""},
		{"ann", "GRANT SELECT ON a.t TO ben", "", ""},
		{"ben", "SELECT * FROM a.t", "", ""},
		{"ben", "CREATE TABLE a.u (i int)", denied, "permission denied for schema a"},
		{"ben", "DROP SCHEMA a CASCADE", denied, "must be owner of schema a"},
		{"ben", "ALTER SCHEMA a OWNER TO ben", denied, "must be owner of schema a"},
		{"ann", "ALTER SCHEMA a OWNER TO ben", denied, `must be member of role "ben"`},
		{"runnel", "ALTER SCHEMA a OWNER TO ben", "", ""},
		{"ben", "CREATE TABLE a.u (i int)", "", ""},
		{"ben", "DROP SCHEMA a CASCADE", "", ""},
	})
	cat := rs.db.catalog
	ben, _ := cat.RoleByName("ben")
	if sc, ok := cat.Schema("ben"); !ok || sc.Owner != ben.ID {
		t.Errorf("schema ben = %+v, want one owned by ben (%d)", sc, ben.ID)
	}
	if sc, ok := cat.Schema("r"); !ok || sc.Owner != catalog.BootstrapRoleOID {
		t.Errorf("schema r = %+v, want one owned by runnel", sc)
	}
	if _, ok := cat.Schema("x"); ok {
		t.Error("schema x was created for a role that does not exist")
	}
}
