package runnel

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// roleSessions connects sessions of db as users, one per user, kept open
// until the test ends.
type roleSessions struct {
	t  *testing.T
	db *DB
	m  map[string]*Session
}

func newRoleSessions(t *testing.T) *roleSessions {
	db, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &roleSessions{t: t, db: db, m: map[string]*Session{}}
}

func (rs *roleSessions) as(user string) *Session {
	if s, ok := rs.m[user]; ok {
		return s
	}
	s, err := rs.db.Connect(ConnParams{User: user, Database: "runnel"})
	if err != nil {
		rs.t.Fatal(err)
	}
	rs.t.Cleanup(s.Close)
	rs.m[user] = s
	return s
}

// step is a statement run as a user and what it must do: fail with code
// (and a message containing msg), or succeed ("" code) with a notice
// containing msg when msg is set.
type step struct {
	user, sql, code, msg string
}

// runSteps runs each step, reading every row of its result.
func (rs *roleSessions) runSteps(steps []step) {
	rs.t.Helper()
	for _, st := range steps {
		s := rs.as(st.user)
		res, err := execEach(s, st.sql)
		if st.code != "" {
			wantCode(rs.t, st.user+": "+st.sql, err, st.code, st.msg)
			if s.TxStatus() == 'E' {
				execOne(rs.t, s, "ROLLBACK") //nolint:errcheck // ends the failed block
			}
			continue
		}
		if err != nil {
			rs.t.Errorf("%s: %s: %v", st.user, st.sql, err)
			continue
		}
		if st.msg != "" && !hasNotice(res, st.msg) {
			rs.t.Errorf("%s: %s: notices %v, want one containing %q", st.user, st.sql, res.Notices, st.msg)
		}
	}
}

// execEach runs each statement of sql, reading every row, and returns the
// last result or the first error.
func execEach(s *Session, sql string) (*Result, error) {
	stmts, err := s.Parse(sql)
	if err != nil {
		return nil, err
	}
	var res *Result
	for _, st := range stmts {
		p, err := s.Prepare(st, nil)
		if err == nil {
			res, err = s.Execute(context.Background(), p, nil)
		}
		if err == nil {
			err = drain(context.Background(), res)
		}
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

func hasNotice(res *Result, msg string) bool {
	for _, n := range res.Notices {
		if strings.Contains(n.Message, msg) {
			return true
		}
	}
	return false
}

// TestRoleStatements runs CREATE, ALTER and DROP ROLE and role membership
// as a superuser, as a role with CREATEROLE and as a plain role, checking
// each outcome against what Postgres 15 does.
func TestRoleStatements(t *testing.T) {
	rs := newRoleSessions(t)
	rs.runSteps([]step{
		{"runnel", "CREATE ROLE admin CREATEROLE LOGIN", "", ""},
		{"runnel", "CREATE USER alice WITH PASSWORD 'secret' CONNECTION LIMIT 2", "", ""},
		{"runnel", "CREATE ROLE alice", vector.CodeDuplicateObject, `role "alice" already exists`},
		{"runnel", "CREATE ROLE public", "42939", `role name "public" is reserved`},
		{"runnel", `CREATE ROLE "none"`, "42939", `role name "none" is reserved`},
		{"runnel", "CREATE ROLE pg_x", "42939", `role name "pg_x" is reserved`},
		{"runnel", "CREATE ROLE current_user", "42939", "CURRENT_USER cannot be used as a role name here"},
		{"runnel", "CREATE ROLE x LOGIN NOLOGIN", vector.CodeSyntaxError, "conflicting or redundant options"},
		{"runnel", "CREATE ROLE x CONNECTION LIMIT -2", vector.CodeInvalidParameterValue, "invalid connection limit: -2"},
		{"runnel", "CREATE ROLE x REPLICATION", vector.CodeFeatureNotSupported, "REPLICATION"},
		{"runnel", "CREATE ROLE x WITH LOGIN bogus", vector.CodeSyntaxError, `syntax error at or near "bogus"`},
		{"runnel", "CREATE ROLE grp IN ROLE nosuch", vector.CodeUndefinedObject, `role "nosuch" does not exist`},
		{"runnel", "CREATE ROLE readers NOLOGIN ROLE alice", "", ""},
		{"runnel", "CREATE ROLE x PASSWORD ''", "", "empty string is not a valid password, clearing password"},
		{"runnel", "ALTER ROLE x RENAME TO y", "", ""},
		{"runnel", "DROP ROLE x", vector.CodeUndefinedObject, `role "x" does not exist`},
		{"runnel", "DROP ROLE IF EXISTS x, y", "", `role "x" does not exist, skipping`},
		{"runnel", "DROP ROLE runnel", "55006", "current user cannot be dropped"},
		{"runnel", "ALTER ROLE runnel NOSUPERUSER", vector.CodeInsufficientPrivilege, "bootstrap user must be superuser"},
		{"runnel", "ALTER ROLE nosuch LOGIN", vector.CodeUndefinedObject, `role "nosuch" does not exist`},
		{"runnel", "ALTER ROLE alice SET search_path = x", vector.CodeFeatureNotSupported, "ALTER ROLE … SET"},
		{"runnel", "SET password_encryption = 'md5'", "", ""},
		{"runnel", "CREATE USER old PASSWORD 'oldpw'", "", ""},
		{"runnel", "ALTER ROLE old RENAME TO older", "", "MD5 password cleared because of role rename"},
		{"runnel", "RESET password_encryption", "", ""},
		// Several role statements in one text go through the SQL grammar.
		{"runnel", "CREATE ROLE m1; CREATE ROLE m2 LOGIN", "", ""},

		{"alice", "CREATE ROLE z", vector.CodeInsufficientPrivilege, "permission denied to create role"},
		{"alice", "ALTER ROLE alice PASSWORD 'new'", "", ""},
		{"alice", "ALTER ROLE CURRENT_USER PASSWORD 'new'", "", ""},
		{"alice", "ALTER ROLE alice CREATEDB", vector.CodeInsufficientPrivilege, "permission denied"},
		{"alice", "ALTER ROLE admin PASSWORD 'x'", vector.CodeInsufficientPrivilege, "permission denied"},
		{"alice", "ALTER ROLE m1 RENAME TO m3", vector.CodeInsufficientPrivilege, "permission denied to rename role"},
		{"alice", "DROP ROLE readers", vector.CodeInsufficientPrivilege, "permission denied to drop role"},
		{"alice", "GRANT readers TO admin", vector.CodeInsufficientPrivilege, `must have admin option on role "readers"`},

		{"admin", "CREATE ROLE z SUPERUSER", vector.CodeInsufficientPrivilege, "must be superuser to create superusers"},
		{"admin", "CREATE ROLE z LOGIN", "", ""},
		{"admin", "ALTER ROLE runnel PASSWORD 'x'", vector.CodeInsufficientPrivilege, "must be superuser to alter superuser roles"},
		{"admin", "ALTER ROLE z SUPERUSER", vector.CodeInsufficientPrivilege, "must be superuser to alter superuser roles"},
		{"admin", "ALTER ROLE z RENAME TO zz", "", ""},
		{"admin", "ALTER ROLE admin RENAME TO boss", vector.CodeFeatureNotSupported, "session user cannot be renamed"},
		{"admin", "GRANT readers TO zz", "", ""},
		{"admin", "GRANT readers TO zz", "", `role "zz" is already a member of role "readers"`},
		{"admin", "GRANT zz TO zz", "0LP01", `role "zz" is a member of role "zz"`},
		{"admin", "GRANT zz TO readers", "0LP01", `role "zz" is a member of role "readers"`},
		{"admin", "GRANT readers TO zz WITH ADMIN OPTION", vector.CodeFeatureNotSupported, "ADMIN OPTION"},
		{"admin", "GRANT nosuch TO zz", vector.CodeUndefinedObject, `role "nosuch" does not exist`},
		{"admin", "REVOKE readers FROM zz", "", ""},
		{"admin", "REVOKE readers FROM zz", "", `role "zz" is not a member of role "readers"`},
		{"admin", "DROP ROLE zz", "", ""},
		{"admin", "DROP ROLE runnel", vector.CodeInsufficientPrivilege, "must be superuser to drop superusers"},
	})

	cat := rs.db.catalog
	for name, want := range map[string]bool{"admin": true, "alice": true, "readers": true, "older": true, "m1": true, "m2": true,
		"x": false, "y": false, "z": false, "zz": false, "old": false} {
		if _, ok := cat.RoleByName(name); ok != want {
			t.Errorf("role %s exists: %v, want %v", name, ok, want)
		}
	}
	alice, _ := cat.RoleByName("alice")
	readers, _ := cat.RoleByName("readers")
	if !alice.Login || alice.ConnLimit != 2 || len(alice.MemberOf) != 1 || alice.MemberOf[0] != readers.ID {
		t.Errorf("alice = %+v: want LOGIN, CONNECTION LIMIT 2, member of readers (%d)", alice, readers.ID)
	}
	// alice's password is now "new", stored as a SCRAM verifier.
	sec, ok := catalog.ParseSCRAMVerifier(alice.Password)
	if !ok || catalog.SCRAMVerifier("new", sec.Salt) != alice.Password {
		t.Errorf("alice's password %q is not the SCRAM verifier of \"new\"", alice.Password)
	}
	if older, _ := cat.RoleByName("older"); older.Password != "" || !older.Login {
		t.Errorf("older = %+v: want LOGIN and its md5 password cleared by the rename", older)
	}
	if m2, _ := cat.RoleByName("m2"); !m2.Login {
		t.Error("m2 was created without LOGIN")
	}
}

// TestPasswordEncryptionMD5 checks that password_encryption = 'md5'
// stores md5(password || name), and that a hash given is stored as is.
func TestPasswordEncryptionMD5(t *testing.T) {
	rs := newRoleSessions(t)
	rs.runSteps([]step{
		{"runnel", "SET password_encryption = 'md5'", "", ""},
		{"runnel", "CREATE USER auth_a PASSWORD 'pw'", "", ""},
		{"runnel", "SET password_encryption = 'sha1'", vector.CodeInvalidParameterValue, "sha1"},
		{"runnel", "SET password_encryption = 'scram-sha-256'", "", ""},
		{"runnel", "CREATE USER b ENCRYPTED PASSWORD 'md5d6a35858d61d85e4a82ab1fb044aba9d'", "", ""},
	})
	// As Postgres 15 stored them.
	for name, want := range map[string]string{"auth_a": "md54f64a9183f6ce27130245a2aa139466a", "b": "md5d6a35858d61d85e4a82ab1fb044aba9d"} {
		if r, _ := rs.db.catalog.RoleByName(name); r == nil || r.Password != want {
			t.Errorf("password of %s = %v, want %s", name, r, want)
		}
	}
}

// TestUnknownUserSession: a user who is no role cannot start a session.
func TestUnknownUserSession(t *testing.T) {
	rs := newRoleSessions(t)
	_, err := rs.db.Connect(ConnParams{User: "ghost", Database: "runnel"})
	var ve *vector.Error
	if !errors.As(err, &ve) || ve.Code != vector.CodeInvalidAuthorizationSpecification {
		t.Errorf("connecting as a user without a role: %v, want 28000", err)
	}
}
