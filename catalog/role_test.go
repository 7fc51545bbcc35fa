package catalog

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/runneldb/runnel/vector"
)

// TestRolesPersist: roles, their attributes, memberships and the
// bootstrap role's changes survive reopening the catalog.
func TestRolesPersist(t *testing.T) {
	dir := t.TempDir()
	st, c := open(t, dir)
	if got := c.Roles(); len(got) != 1 || got[0].ID != BootstrapRoleOID || got[0].Name != BootstrapRoleName || !got[0].Superuser {
		t.Fatalf("roles of a new catalog = %v, want the bootstrap role", got)
	}
	group, err := c.CreateRole(Role{Name: "readers", Inherit: true, ConnLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	alice, err := c.CreateRole(Role{Name: "alice", Login: true, Inherit: true, ConnLimit: 3, Password: "md5abc",
		MemberOf: []uint32{group.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(Role{Name: "alice"}); code(err) != vector.CodeDuplicateObject {
		t.Errorf("second alice: %v, want 42710", err)
	}
	if _, err := c.AlterRole(BootstrapRoleName, func(r *Role) error { r.Password = "md5root"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AlterRole(BootstrapRoleName, func(r *Role) error { r.Superuser = false; return nil }); code(err) != vector.CodeInsufficientPrivilege {
		t.Errorf("bootstrap NOSUPERUSER: %v, want 42501", err)
	}
	if _, err := c.AlterRole("alice", func(r *Role) error { r.Name = "readers"; return nil }); code(err) != vector.CodeDuplicateObject {
		t.Errorf("rename onto readers: %v, want 42710", err)
	}
	if _, err := c.AlterRole("alice", func(r *Role) error { r.Name = "alicia"; return nil }); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st, c = open(t, dir)
	defer st.Close()
	want := []Role{
		{ID: BootstrapRoleOID, Name: BootstrapRoleName, Superuser: true, Login: true, CreateRole: true, CreateDB: true,
			Inherit: true, ConnLimit: -1, Password: "md5root"},
		{ID: group.ID, Name: "readers", Inherit: true, ConnLimit: -1},
		{ID: alice.ID, Name: "alicia", Login: true, Inherit: true, ConnLimit: 3, Password: "md5abc", MemberOf: []uint32{group.ID}},
	}
	got := c.Roles()
	if len(got) != len(want) {
		t.Fatalf("roles after reopening = %d, want %d", len(got), len(want))
	}
	for i := range want {
		g := *got[i]
		if g.ID != want[i].ID || g.Name != want[i].Name || g.Superuser != want[i].Superuser || g.Login != want[i].Login ||
			g.CreateRole != want[i].CreateRole || g.CreateDB != want[i].CreateDB || g.Inherit != want[i].Inherit ||
			g.ConnLimit != want[i].ConnLimit || g.Password != want[i].Password || !slices.Equal(g.MemberOf, want[i].MemberOf) {
			t.Errorf("role %d = %+v, want %+v", i, g, want[i])
		}
	}
	if r, ok := c.RoleByName("alicia"); !ok || r.ID != alice.ID {
		t.Errorf("RoleByName(alicia) = %v, %v", r, ok)
	}
	if _, ok := c.RoleByName("alice"); ok {
		t.Error("the old name still names a role")
	}
}

// TestMemberships: GrantRole refuses cycles, Memberships follows them
// through INHERIT only when asked, DropRole ends memberships in the role.
func TestMemberships(t *testing.T) {
	st, c := open(t, t.TempDir())
	defer st.Close()
	mk := func(name string, inherit bool) uint32 {
		r, err := c.CreateRole(Role{Name: name, Inherit: inherit, ConnLimit: -1})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	top, mid, leaf := mk("top", true), mk("mid", false), mk("leaf", true)
	for _, g := range [][2]uint32{{top, mid}, {mid, leaf}} {
		if already, err := c.GrantRole(g[0], g[1]); err != nil || already {
			t.Fatalf("GrantRole(%d, %d) = %v, %v", g[0], g[1], already, err)
		}
	}
	if already, err := c.GrantRole(mid, leaf); err != nil || !already {
		t.Errorf("granting again = %v, %v; want already", already, err)
	}
	for _, g := range [][2]uint32{{leaf, top}, {leaf, leaf}} {
		if _, err := c.GrantRole(g[0], g[1]); code(err) != vector.CodeInvalidGrantOperation {
			t.Errorf("GrantRole(%d, %d) = %v, want 0LP01", g[0], g[1], err)
		}
	}
	// leaf inherits mid's privileges; mid (NOINHERIT) passes on none of top's.
	if got := c.Memberships(leaf, true); !slices.Equal(got, []uint32{mid}) {
		t.Errorf("inherited memberships of leaf = %v, want [%d]", got, mid)
	}
	if got := c.Memberships(leaf, false); !slices.Equal(got, []uint32{top, mid}) {
		t.Errorf("memberships of leaf = %v, want [%d %d]", got, top, mid)
	}
	if err := c.DropRole("mid"); err != nil {
		t.Fatal(err)
	}
	if r, _ := c.RoleByID(leaf); len(r.MemberOf) != 0 {
		t.Errorf("leaf is still a member of %v after mid was dropped", r.MemberOf)
	}
	if was, err := c.RevokeRole(top, leaf); err != nil || was {
		t.Errorf("RevokeRole of a non-member = %v, %v", was, err)
	}
}

// TestDropRoleInUse: a role that owns objects or holds privileges cannot
// be dropped, and the detail lists why; nor can the bootstrap role.
func TestDropRoleInUse(t *testing.T) {
	st, c := open(t, t.TempDir())
	defer st.Close()
	bob, err := c.CreateRole(Role{Name: "bob", ConnLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	owned := usersTable
	owned.Owner = bob.ID
	if _, _, err := c.CreateTable(owned, false); err != nil {
		t.Fatal(err)
	}
	other := usersTable
	other.Name = "other"
	ot, _, err := c.CreateTable(other, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateSchema("s", false); err != nil {
		t.Fatal(err)
	}
	sc, _ := c.Schema("s")
	if err := c.Grant(ot.ID, bob.ID, "r", BootstrapRoleOID); err != nil {
		t.Fatal(err)
	}
	if err := c.SetOwner(sc.ID, bob.ID); err != nil {
		t.Fatal(err)
	}
	err = c.DropRole("bob")
	e, ok := err.(*vector.Error)
	wantDetail := "owner of table users\nprivileges for table other\nowner of schema s"
	if !ok || e.Code != vector.CodeDependentObjectsStillExist || e.Detail != wantDetail {
		t.Fatalf("DropRole(bob) = %v (%+v), want 2BP01 with detail %q", err, e, wantDetail)
	}
	if err := c.DropRole(BootstrapRoleName); code(err) != vector.CodeDependentObjectsStillExist {
		t.Errorf("dropping the bootstrap role: %v, want 2BP01", err)
	}
	if err := c.DropRole("nobody"); code(err) != vector.CodeUndefinedObject {
		t.Errorf("dropping an unknown role: %v, want 42704", err)
	}
}

// TestPasswordVerifiers checks the stored forms against what Postgres 15
// stored for the same passwords and salts.
func TestPasswordVerifiers(t *testing.T) {
	for _, tc := range []struct {
		password, verifier string
	}{
		{"new", "SCRAM-SHA-256$4096:I0cv/DbAd0xVf0VfYwzP1w==$18kAdkIYYA+WwrQ+rnwUopFNJ+uQ+r3ufinOfyHpuz8=:RGNOQpTRKBb0q3QlqcTa+G/ku0os7bGhDLEiYEzGEU8="},
		// SASLprep: NFKC, a non-ASCII space becomes a space, a soft hyphen
		// goes, combining characters compose …
		{"ｐａｓｓ", "SCRAM-SHA-256$4096:zkh26gbsFVFBENFF3SUVOw==$nYvVyxNS201d9g2yVSiBr+MgtmuogTavhvwdVnYlICk=:1maKvEz4dfvM9D7lZPUj9hMW+RrMbpQXeX0K1cLW2XI="},
		{"a\u00A0b", "SCRAM-SHA-256$4096:paXB6VM2ZINwl6qh8W+a8Q==$We2K0HqYEXa+0JmEGFLjsHeaHuLH2UYKFP15XIlHx+A=:KHBthmim7SYECSE5nrp29i4lpuRMaDdC7rgaHOFVN+0="},
		{"x\u00ADy", "SCRAM-SHA-256$4096:D3+2H0SCCipYtoynoBwvnw==$mQjSqHky5NJGkyA1asDNfd3RfqbxAZSABc/40KTkVaI=:RavfOY4gibJZ2zW1Vvq6usXhO3p5VBGCxB1CIeK6Rl8="},
		{"cafe\u0301", "SCRAM-SHA-256$4096:ho2q0sbjNbddw8y07+2zdg==$/8qhXwpxdZHDpoVRyh4Qfu8UmBcaAYVODFmlOrCFRIA=:WfRGHZBorsZvk53S1JhZumCCcgZ4DfRZ+/jsPMYzVmg="},
		// … unless the bidirectional rule fails (Hebrew then Latin) or a
		// prohibited character remains: then the password is used as is.
		{"\u05D0a", "SCRAM-SHA-256$4096:4gXRhF5zctxCLv7tPuaVQg==$7AVw/hcwy/eJwlFqUV23x1ng+WlD9qFBUZBPTp1yF2U=:7Jjs9L0zFtvlzDXjJEuVXouypztqg6fkWPJpt3PK+tk="},
		{"\u05D0\u05D1", "SCRAM-SHA-256$4096:0bYGUF/AT6qnvpDHVSa2PQ==$gCVQk+IUuAfnGr069oJc2bdK+hh3dWb6X+YwZtChVPs=:u5o6xjYoHU9uS7TDvzPtB2IhrHxIJN3BHYzUOgfLxAw="},
		{"\u00E9\u0007", "SCRAM-SHA-256$4096:59aj0mKlzyHZu1Rsuq1blA==$w82J/sUPDQLouPae5AYO+oIiy+6hMoHNeDHV9SnFxSw=:evqMAnEQTrMNKdGZ+vazoJ+qayOWmnHc0WLlVVfYAZo="},
	} {
		sec, ok := ParseSCRAMVerifier(tc.verifier)
		if !ok {
			t.Fatalf("ParseSCRAMVerifier(%q) failed", tc.verifier)
		}
		if got := SCRAMVerifier(tc.password, sec.Salt); got != tc.verifier {
			t.Errorf("SCRAMVerifier(%q)\n got %s\nwant %s", tc.password, got, tc.verifier)
		}
	}
	for _, tc := range []struct{ password, role, want string }{
		{"pw", "auth_a", "md54f64a9183f6ce27130245a2aa139466a"},
		// Not an md5 hash (too short): hashed like any password.
		{"md5abc", "auth_a", "md52fbdae0ee89dc93d01f96c9cf1010fba"},
		// An md5 hash or SCRAM verifier is stored as given.
		{"md5d6a35858d61d85e4a82ab1fb044aba9d", "x", "md5d6a35858d61d85e4a82ab1fb044aba9d"},
		{"SCRAM-SHA-256$4096:I0cv/DbAd0xVf0VfYwzP1w==$18kAdkIYYA+WwrQ+rnwUopFNJ+uQ+r3ufinOfyHpuz8=:RGNOQpTRKBb0q3QlqcTa+G/ku0os7bGhDLEiYEzGEU8=", "x",
			"SCRAM-SHA-256$4096:I0cv/DbAd0xVf0VfYwzP1w==$18kAdkIYYA+WwrQ+rnwUopFNJ+uQ+r3ufinOfyHpuz8=:RGNOQpTRKBb0q3QlqcTa+G/ku0os7bGhDLEiYEzGEU8="},
	} {
		if got := PasswordVerifier(tc.password, tc.role, true); got != tc.want {
			t.Errorf("PasswordVerifier(%q, %q, md5) = %s, want %s", tc.password, tc.role, got, tc.want)
		}
	}
	if v := PasswordVerifier("pw", "auth_a", false); !strings.HasPrefix(v, "SCRAM-SHA-256$4096:") {
		t.Errorf("PasswordVerifier without md5 = %s, want a SCRAM verifier", v)
	}
}

// TestSCRAMExchangeVector checks a verifier against the exchange of RFC
// 7677 (user "user", password "pencil"): the client's proof verifies
// against StoredKey and ServerKey signs what the RFC's server sent.
func TestSCRAMExchangeVector(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	sec, ok := ParseSCRAMVerifier(SCRAMVerifier("pencil", salt))
	if !ok {
		t.Fatal("the verifier does not parse")
	}
	nonce := "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	authMessage := "n=user,r=rOprNGfwEbeRWgbNEkqO," + "r=" + nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096," + "c=biws,r=" + nonce
	proof, _ := base64.StdEncoding.DecodeString("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	mac := func(key []byte) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(authMessage))
		return h.Sum(nil)
	}
	clientKey := mac(sec.StoredKey)
	for i := range clientKey {
		clientKey[i] ^= proof[i]
	}
	if stored := sha256.Sum256(clientKey); !slices.Equal(stored[:], sec.StoredKey) {
		t.Error("the RFC's client proof does not verify against StoredKey")
	}
	if got := base64.StdEncoding.EncodeToString(mac(sec.ServerKey)); got != "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Errorf("server signature = %s, want the RFC's", got)
	}
}
