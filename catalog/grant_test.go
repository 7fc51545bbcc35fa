package catalog

import (
	"slices"
	"testing"
)

// TestGrants: grants and owners of relations and schemas, as GRANT,
// REVOKE and OWNER TO change them, survive reopening the catalog; a
// schema keeps its default privileges until they are changed, even to
// none.
func TestGrants(t *testing.T) {
	dir := t.TempDir()
	st, c := open(t, dir)
	alice, err := c.CreateRole(Role{Name: "alice", Login: true, ConnLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	tab, _, err := c.CreateTable(usersTable, false)
	if err != nil {
		t.Fatal(err)
	}
	public, _ := c.Schema("public")
	if got := public.GrantsOrDefault(); !slices.Equal(got, []Grant{{Grantee: 0, Privileges: "U", Grantor: BootstrapRoleOID}}) {
		t.Errorf("default grants of public = %v, want USAGE for PUBLIC", got)
	}
	if err := c.CreateSchema("s", false); err != nil {
		t.Fatal(err)
	}
	s, _ := c.Schema("s")
	if got := s.GrantsOrDefault(); len(got) != 0 {
		t.Errorf("default grants of a new schema = %v, want none", got)
	}
	steps := []func() error{
		func() error { return c.Grant(tab.ID, alice.ID, "wr", BootstrapRoleOID) },
		func() error { return c.Grant(tab.ID, 0, "r", BootstrapRoleOID) },
		func() error { return c.Grant(tab.ID, alice.ID, "a", BootstrapRoleOID) },
		func() error { _, err := c.Revoke(tab.ID, alice.ID, "w"); return err },
		func() error { _, err := c.Revoke(public.ID, 0, "U"); return err },
		func() error { return c.Grant(s.ID, alice.ID, "CU", BootstrapRoleOID) },
		func() error { return c.SetOwner(s.ID, alice.ID) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	st.Close()

	st, c = open(t, dir)
	defer st.Close()
	tab, _ = c.Table("public", "users")
	wantTab := []Grant{{Grantee: alice.ID, Privileges: "ar", Grantor: BootstrapRoleOID}, {Grantee: 0, Privileges: "r", Grantor: BootstrapRoleOID}}
	if !slices.Equal(tab.Grants, wantTab) {
		t.Errorf("grants of users = %v, want %v", tab.Grants, wantTab)
	}
	public, _ = c.Schema("public")
	if public.Grants == nil || len(public.Grants) != 0 {
		t.Errorf("grants of public after REVOKE USAGE FROM PUBLIC = %#v, want an empty list", public.Grants)
	}
	// The new owner's own grant goes; the grants the old owner made are
	// the new owner's.
	s, _ = c.Schema("s")
	if s.Owner != alice.ID || len(s.Grants) != 0 {
		t.Errorf("schema s: owner %d, grants %v; want owner %d and no grants", s.Owner, s.Grants, alice.ID)
	}
	if had, err := c.Revoke(tab.ID, alice.ID, "d"); err != nil || had {
		t.Errorf("revoking a privilege alice lacks = %v, %v; want false", had, err)
	}
	if had, err := c.Revoke(tab.ID, alice.ID, "ar"); err != nil || !had {
		t.Errorf("revoking alice's privileges = %v, %v; want true", had, err)
	}
	tab, _ = c.Table("public", "users")
	if !slices.Equal(tab.Grants, wantTab[1:]) {
		t.Errorf("grants after revoking all of alice's = %v, want %v", tab.Grants, wantTab[1:])
	}
}
