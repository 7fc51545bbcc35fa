package runnel

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// Roles: CREATE ROLE, ALTER ROLE, DROP ROLE (and their USER and GROUP
// spellings), GRANT and REVOKE of role membership, and the session's role.
// The SQL grammar lacks most role options (SUPERUSER, CONNECTION LIMIT, IN
// ROLE, RENAME TO, …), so these statements are read here, token by token,
// as Postgres 15 reads them. Who may do what follows Postgres 15: a
// superuser anything; a role with CREATEROLE may create, alter, rename and
// drop roles that are not superusers and grant their membership; every
// role may change its own password.

func init() {
	// password_encryption says how CREATE and ALTER ROLE store a password
	// given in clear: as a SCRAM-SHA-256 verifier, or for old clients that
	// cannot do SCRAM an md5 hash.
	settings["password_encryption"] = &setting{def: "scram-sha-256", check: oneOf("scram-sha-256", "md5")}
}

// Role returns the role called name: whom a client connecting as name
// authenticates as.
func (db *DB) Role(name string) (*catalog.Role, bool) {
	return db.catalog.RoleByName(name)
}

// currentRole is the session's role: the role its user names, found the
// first time (when is_superuser learns whether it is one) and then kept by
// OID, so that a session follows its role through a rename. It fails with
// 28000 when there is no such role (any more).
func (s *Session) currentRole() (*catalog.Role, error) {
	if s.role == 0 {
		if r, ok := s.db.catalog.RoleByName(s.user); ok {
			s.role = r.ID
			if !r.Superuser {
				s.settings.values["is_superuser"] = "off"
			}
		}
	}
	if r, ok := s.db.catalog.RoleByID(s.role); ok {
		return r, nil
	}
	return nil, vector.Errorf(vector.CodeInvalidAuthorizationSpecification, "role \"%s\" does not exist", s.user)
}

// roleCommand is CREATE, ALTER or DROP ROLE.
type roleCommand struct {
	verb string // "CREATE", "ALTER" or "DROP"
	// user is set for CREATE USER, whose role may log in by default.
	user bool
	// names is the role; for DROP, each role dropped.
	names    []string
	ifExists bool
	// rename is the new name of ALTER ROLE … RENAME TO.
	rename string
	opts   roleOptions
}

// roleOptions are the options a role statement gives; nil pointers are
// options not given.
type roleOptions struct {
	superuser, createDB, createRole, inherit, login *bool
	// password is set for PASSWORD 'x' and PASSWORD NULL (to "").
	password  *string
	connLimit *int32
	// inRoles are the roles the new role joins (IN ROLE); members the
	// roles that join it (ROLE, USER).
	inRoles, members []string
	notices          []*vector.Error
}

// roleSpecials are the role specifiers that name the session's role.
var roleSpecials = map[string]bool{"current_user": true, "session_user": true, "current_role": true}

// parseRoleCommand recognizes CREATE, ALTER and DROP ROLE, USER or GROUP.
func parseRoleCommand(sql string) (*command, bool, error) {
	toks := trimSemicolon(lex(sql))
	if len(toks) < 2 || !(toks[0].is("create") || toks[0].is("alter") || toks[0].is("drop")) ||
		!(toks[1].is("role") || toks[1].is("user") || toks[1].is("group")) ||
		slices.ContainsFunc(toks, func(t token) bool { return t.text == ";" }) {
		return nil, false, nil // several statements go through the grammar (see roleStatement)
	}
	p := &roleParser{sql: sql, toks: toks, i: 2}
	c := &roleCommand{verb: strings.ToUpper(toks[0].text), user: toks[1].is("user")}
	var err error
	switch c.verb {
	case "CREATE":
		err = p.create(c)
	case "ALTER":
		err = p.alter(c)
	default:
		err = p.drop(c)
	}
	if err == nil && p.i < len(toks) {
		err = p.syntaxError()
	}
	return &command{kind: c.verb + " ROLE", role: c}, true, err
}

// roleParser reads the tokens of a role statement.
type roleParser struct {
	sql  string
	toks []token
	i    int
}

func (p *roleParser) peek(word string) bool { return p.i < len(p.toks) && p.toks[p.i].is(word) }

// accept consumes the words if they come next.
func (p *roleParser) accept(words ...string) bool {
	for k, w := range words {
		if p.i+k >= len(p.toks) || !p.toks[p.i+k].is(w) {
			return false
		}
	}
	p.i += len(words)
	return true
}

// syntaxError is 42601 at the next token, as Postgres words it.
func (p *roleParser) syntaxError() error {
	if p.i >= len(p.toks) {
		return &vector.Error{Code: vector.CodeSyntaxError, Message: "syntax error at end of input", Position: int32(len([]rune(p.sql)) + 1)}
	}
	return p.errorAt(p.i, vector.CodeSyntaxError, fmt.Sprintf("syntax error at or near \"%s\"", p.toks[p.i].text))
}

func (p *roleParser) errorAt(tok int, code, msg string) *vector.Error {
	return &vector.Error{Code: code, Message: msg, Position: p.position(tok)}
}

// position is the 1-based character position of token tok.
func (p *roleParser) position(tok int) int32 {
	return int32(len([]rune(p.sql[:p.toks[tok].pos]))) + 1
}

// name reads a role name: an identifier, folded to lower case unless
// quoted.
func (p *roleParser) name() (string, error) {
	if p.i >= len(p.toks) {
		return "", p.syntaxError()
	}
	t := p.toks[p.i]
	switch t.kind {
	case tokWord:
		p.i++
		return strings.ToLower(t.text), nil
	case tokQuoted:
		p.i++
		return strings.ReplaceAll(t.text[1:len(t.text)-1], `""`, `"`), nil
	}
	return "", p.syntaxError()
}

// names reads a comma-separated list of role names.
func (p *roleParser) names() ([]string, error) {
	var out []string
	for {
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if p.i >= len(p.toks) || p.toks[p.i].text != "," {
			return out, nil
		}
		p.i++
	}
}

// create reads CREATE ROLE name [WITH] options.
func (p *roleParser) create(c *roleCommand) error {
	at := p.i
	name, err := p.name()
	if err != nil {
		return err
	}
	if err := checkNewRoleName(name, p.toks[at].kind == tokWord); err != nil {
		err.Position = p.position(at)
		return err
	}
	c.names = []string{name}
	p.accept("with")
	return p.options(&c.opts, true)
}

// alter reads ALTER ROLE name [WITH] options and ALTER ROLE name RENAME
// TO new.
func (p *roleParser) alter(c *roleCommand) error {
	name, err := p.name()
	if err != nil {
		return err
	}
	c.names = []string{name}
	switch {
	case p.accept("rename", "to"):
		at := p.i
		if c.rename, err = p.name(); err != nil {
			return err
		}
		if err := checkNewRoleName(c.rename, p.toks[at].kind == tokWord); err != nil {
			err.Position = p.position(at)
			return err
		}
		return nil
	case p.peek("set") || p.peek("reset") || p.peek("in"):
		return vector.Errorf(vector.CodeFeatureNotSupported, "ALTER ROLE … SET and RESET (settings of a role) are not supported")
	}
	p.accept("with")
	return p.options(&c.opts, false)
}

// drop reads DROP ROLE [IF EXISTS] name, ….
func (p *roleParser) drop(c *roleCommand) error {
	c.ifExists = p.accept("if", "exists")
	var err error
	c.names, err = p.names()
	return err
}

// options reads role options; creating allows those that only CREATE
// takes (IN ROLE, ROLE, USER, ADMIN, SYSID).
func (p *roleParser) options(o *roleOptions, creating bool) error {
	for p.i < len(p.toks) {
		at := p.i
		word := strings.ToLower(p.toks[at].text)
		if p.toks[at].kind != tokWord {
			return p.syntaxError()
		}
		p.i++
		var err error
		switch word {
		case "superuser", "nosuperuser":
			err = p.flag(&o.superuser, word == "superuser", at)
		case "createdb", "nocreatedb":
			err = p.flag(&o.createDB, word == "createdb", at)
		case "createrole", "nocreaterole":
			err = p.flag(&o.createRole, word == "createrole", at)
		case "inherit", "noinherit":
			err = p.flag(&o.inherit, word == "inherit", at)
		case "login", "nologin":
			err = p.flag(&o.login, word == "login", at)
		case "noreplication", "nobypassrls":
		case "replication", "bypassrls":
			err = vector.Errorf(vector.CodeFeatureNotSupported, "role option %s is not supported", strings.ToUpper(word))
		case "connection":
			err = p.connLimit(o, at)
		case "encrypted", "password", "unencrypted":
			err = p.password(o, word, at)
		case "valid":
			err = p.validUntil()
		default:
			if !creating {
				p.i = at
				return p.syntaxError()
			}
			err = p.createOption(o, word, at)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// createOption reads the options of CREATE ROLE only.
func (p *roleParser) createOption(o *roleOptions, word string, at int) error {
	var err error
	switch {
	case word == "in" && (p.accept("role") || p.accept("group")):
		if o.inRoles != nil {
			return p.errorAt(at, vector.CodeSyntaxError, "conflicting or redundant options")
		}
		o.inRoles, err = p.names()
	case word == "role" || word == "user":
		if o.members != nil {
			return p.errorAt(at, vector.CodeSyntaxError, "conflicting or redundant options")
		}
		o.members, err = p.names()
	case word == "admin":
		err = vector.Errorf(vector.CodeFeatureNotSupported, "ADMIN (membership with admin option) is not supported")
	case word == "sysid" && p.i < len(p.toks) && p.toks[p.i].kind == tokNumber:
		p.i++
		o.notices = append(o.notices, notice("SYSID can no longer be specified")...)
	default:
		p.i = at
		err = p.syntaxError()
	}
	return err
}

// flag sets a boolean option, given at most once.
func (p *roleParser) flag(f **bool, v bool, at int) error {
	if *f != nil {
		return p.errorAt(at, vector.CodeSyntaxError, "conflicting or redundant options")
	}
	*f = &v
	return nil
}

// connLimit reads CONNECTION LIMIT n (-1 for none).
func (p *roleParser) connLimit(o *roleOptions, at int) error {
	if !p.accept("limit") {
		return p.syntaxError()
	}
	neg := p.i < len(p.toks) && p.toks[p.i].text == "-"
	if neg {
		p.i++
	}
	if p.i >= len(p.toks) || p.toks[p.i].kind != tokNumber {
		return p.syntaxError()
	}
	n, err := strconv.ParseInt(p.toks[p.i].text, 10, 32)
	if err != nil {
		return p.syntaxError()
	}
	p.i++
	if neg {
		n = -n
	}
	if o.connLimit != nil {
		return p.errorAt(at, vector.CodeSyntaxError, "conflicting or redundant options")
	}
	if n < -1 {
		return vector.Errorf(vector.CodeInvalidParameterValue, "invalid connection limit: %d", n)
	}
	limit := int32(n)
	o.connLimit = &limit
	return nil
}

// password reads [ENCRYPTED] PASSWORD 'x' and PASSWORD NULL.
func (p *roleParser) password(o *roleOptions, word string, at int) error {
	if word == "unencrypted" {
		return vector.Errorf(vector.CodeFeatureNotSupported, "UNENCRYPTED PASSWORD is no longer supported")
	}
	if word == "encrypted" && !p.accept("password") {
		return p.syntaxError()
	}
	var pw string
	switch {
	case p.accept("null"):
	case p.i < len(p.toks) && p.toks[p.i].kind == tokString:
		s, err := stringLiteral(p.toks[p.i].text)
		if err != nil {
			return err
		}
		pw = s
		p.i++
		if pw == "" {
			o.notices = append(o.notices, notice("empty string is not a valid password, clearing password")...)
		}
	default:
		return p.syntaxError()
	}
	if o.password != nil {
		return p.errorAt(at, vector.CodeSyntaxError, "conflicting or redundant options")
	}
	o.password = &pw
	return nil
}

// validUntil reads VALID UNTIL 'infinity', the only expiry runnel takes
// (passwords do not expire).
func (p *roleParser) validUntil() error {
	if !p.accept("until") || p.i >= len(p.toks) || p.toks[p.i].kind != tokString {
		return p.syntaxError()
	}
	s, err := stringLiteral(p.toks[p.i].text)
	if err != nil {
		return err
	}
	p.i++
	if !strings.EqualFold(s, "infinity") {
		return vector.Errorf(vector.CodeFeatureNotSupported, "VALID UNTIL is not supported (passwords do not expire): only 'infinity' is accepted")
	}
	return nil
}

// stringLiteral is the value of a string token ('…' with doubled quotes,
// E'…' with backslash escapes, $$…$$), as the SQL grammar reads it.
func stringLiteral(text string) (string, error) {
	if sel, err := parseSelect("SELECT " + text); err == nil {
		if sc, ok := sel.Select.(*tree.SelectClause); ok && len(sc.Exprs) == 1 {
			if sv, ok := sc.Exprs[0].Expr.(*tree.StrVal); ok {
				return sv.RawString(), nil
			}
		}
	}
	return "", vector.Errorf(vector.CodeSyntaxError, "invalid string literal %s", text)
}

// checkNewRoleName refuses the names a new role may not have (42939):
// PUBLIC, NONE, the role specifiers and names starting with pg_.
func checkNewRoleName(name string, unquoted bool) *vector.Error {
	switch {
	case unquoted && roleSpecials[name]:
		return &vector.Error{Code: vector.CodeReservedName, Message: fmt.Sprintf("%s cannot be used as a role name here", strings.ToUpper(name))}
	case name == "public" || name == "none":
		return &vector.Error{Code: vector.CodeReservedName, Message: fmt.Sprintf("role name \"%s\" is reserved", name)}
	case strings.HasPrefix(name, "pg_"):
		return &vector.Error{Code: vector.CodeReservedName, Message: fmt.Sprintf("role name \"%s\" is reserved", name),
			Detail: "Role names starting with \"pg_\" are reserved."}
	}
	return nil
}

// runRole executes a role command.
func (s *Session) runRole(c *roleCommand) (*Result, error) {
	me, err := s.currentRole()
	if err != nil {
		return nil, err
	}
	switch c.verb {
	case "CREATE":
		return s.createRole(me, c)
	case "ALTER":
		return s.alterRole(me, c)
	}
	return s.dropRoles(me, c)
}

// createRole runs CREATE ROLE.
func (s *Session) createRole(me *catalog.Role, c *roleCommand) (*Result, error) {
	o := &c.opts
	if !me.Superuser && !me.CreateRole {
		return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "permission denied to create role")
	}
	if isSet(o.superuser) && !me.Superuser {
		return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "must be superuser to create superusers")
	}
	r := catalog.Role{Name: c.names[0], Login: c.user, Inherit: true, ConnLimit: -1}
	s.applyRoleOptions(&r, o)
	in, err := s.roleOIDs(o.inRoles)
	if err != nil {
		return nil, err
	}
	members, err := s.roleOIDs(o.members)
	if err != nil {
		return nil, err
	}
	r.MemberOf = in
	created, err := s.db.catalog.CreateRole(r)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if _, err := s.db.catalog.GrantRole(created.ID, m); err != nil {
			return nil, err
		}
	}
	return &Result{Tag: "CREATE ROLE", Notices: o.notices}, nil
}

// alterRole runs ALTER ROLE … options and ALTER ROLE … RENAME TO.
func (s *Session) alterRole(me *catalog.Role, c *roleCommand) (*Result, error) {
	name := c.names[0]
	if roleSpecials[name] {
		name = me.Name
	}
	target, ok := s.db.catalog.RoleByName(name)
	if !ok {
		return nil, vector.Errorf(vector.CodeUndefinedObject, "role \"%s\" does not exist", name)
	}
	res := &Result{Tag: "ALTER ROLE", Notices: c.opts.notices}
	if c.rename != "" {
		switch {
		case target.ID == me.ID:
			return nil, vector.Errorf(vector.CodeFeatureNotSupported, "session user cannot be renamed")
		case target.Superuser && !me.Superuser:
			return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "must be superuser to rename superusers")
		case !me.Superuser && !me.CreateRole:
			return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "permission denied to rename role")
		}
		_, err := s.db.catalog.AlterRole(name, func(r *catalog.Role) error {
			r.Name = c.rename
			if catalog.IsMD5Verifier(r.Password) {
				r.Password = "" // the hash includes the name
				res.Notices = append(res.Notices, notice("MD5 password cleared because of role rename")...)
			}
			return nil
		})
		return res, err
	}
	o := &c.opts
	onlyPassword := o.password != nil && o.superuser == nil && o.createDB == nil && o.createRole == nil &&
		o.inherit == nil && o.login == nil && o.connLimit == nil
	switch {
	case me.Superuser:
	case target.Superuser || o.superuser != nil:
		return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "must be superuser to alter superuser roles or change superuser attribute")
	case me.CreateRole, target.ID == me.ID && onlyPassword:
	default:
		return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "permission denied")
	}
	_, err := s.db.catalog.AlterRole(name, func(r *catalog.Role) error {
		s.applyRoleOptions(r, o)
		return nil
	})
	return res, err
}

// applyRoleOptions sets the options given on r.
func (s *Session) applyRoleOptions(r *catalog.Role, o *roleOptions) {
	for _, f := range []struct {
		opt *bool
		to  *bool
	}{{o.superuser, &r.Superuser}, {o.createDB, &r.CreateDB}, {o.createRole, &r.CreateRole}, {o.inherit, &r.Inherit}, {o.login, &r.Login}} {
		if f.opt != nil {
			*f.to = *f.opt
		}
	}
	if o.connLimit != nil {
		r.ConnLimit = *o.connLimit
	}
	if o.password != nil {
		r.Password = ""
		if *o.password != "" {
			method, _ := s.settings.get("password_encryption")
			r.Password = catalog.PasswordVerifier(*o.password, r.Name, method == "md5")
		}
	}
}

// dropRoles runs DROP ROLE.
func (s *Session) dropRoles(me *catalog.Role, c *roleCommand) (*Result, error) {
	if !me.Superuser && !me.CreateRole {
		return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "permission denied to drop role")
	}
	res := &Result{Tag: "DROP ROLE"}
	for _, name := range c.names {
		r, ok := s.db.catalog.RoleByName(name)
		switch {
		case !ok && c.ifExists:
			res.Notices = append(res.Notices, notice("role \"%s\" does not exist, skipping", name)...)
			continue
		case !ok:
			return nil, vector.Errorf(vector.CodeUndefinedObject, "role \"%s\" does not exist", name)
		case r.ID == me.ID:
			return nil, vector.Errorf(vector.CodeObjectInUse, "current user cannot be dropped")
		case r.Superuser && !me.Superuser:
			return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "must be superuser to drop superusers")
		}
		if err := s.db.catalog.DropRole(name); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// roleOIDs resolves role names (42704 for one that names none).
func (s *Session) roleOIDs(names []string) ([]uint32, error) {
	var out []uint32
	for _, n := range names {
		r, ok := s.db.catalog.RoleByName(n)
		if !ok {
			return nil, vector.Errorf(vector.CodeUndefinedObject, "role \"%s\" does not exist", n)
		}
		out = append(out, r.ID)
	}
	return out, nil
}

// roleSpec resolves a role specifier of GRANT, REVOKE and OWNER TO:
// CURRENT_USER and SESSION_USER name the session's role, PUBLIC is 0 when
// public is allowed.
func (s *Session) roleSpec(me *catalog.Role, spec tree.RoleSpec, public bool) (uint32, error) {
	if spec.RoleSpecType != tree.RoleName {
		return me.ID, nil
	}
	if spec.Name == "public" && public {
		return 0, nil
	}
	r, ok := s.db.catalog.RoleByName(spec.Name)
	if !ok {
		return 0, vector.Errorf(vector.CodeUndefinedObject, "role \"%s\" does not exist", spec.Name)
	}
	return r.ID, nil
}

// grantRoles runs GRANT role TO member and REVOKE role FROM member.
func (s *Session) grantRoles(roles tree.NameList, members tree.RoleSpecList, admin, revoke bool) (*Result, error) {
	me, err := s.currentRole()
	if err != nil {
		return nil, err
	}
	res := &Result{Tag: "GRANT ROLE"}
	if revoke {
		res.Tag = "REVOKE ROLE"
	}
	if admin {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "ADMIN OPTION (membership with admin option) is not supported")
	}
	for _, name := range roles {
		r, ok := s.db.catalog.RoleByName(string(name))
		switch {
		case !ok:
			return nil, vector.Errorf(vector.CodeUndefinedObject, "role \"%s\" does not exist", name)
		case r.Superuser && !me.Superuser:
			return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "must be superuser to alter superusers")
		case !me.Superuser && !me.CreateRole:
			return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "must have admin option on role \"%s\"", r.Name)
		}
		for _, spec := range members {
			m, err := s.roleSpec(me, spec, false)
			if err != nil {
				return nil, err
			}
			member, _ := s.db.catalog.RoleByID(m)
			if revoke {
				was, err := s.db.catalog.RevokeRole(r.ID, m)
				if err != nil {
					return nil, err
				}
				if !was {
					res.Notices = append(res.Notices, &vector.Error{Code: vector.CodeWarning,
						Message: fmt.Sprintf("role \"%s\" is not a member of role \"%s\"", member.Name, r.Name)})
				}
				continue
			}
			already, err := s.db.catalog.GrantRole(r.ID, m)
			if err != nil {
				return nil, err
			}
			if already {
				res.Notices = append(res.Notices, notice("role \"%s\" is already a member of role \"%s\"", member.Name, r.Name)...)
			}
		}
	}
	return res, nil
}

// roleStatement runs a role statement the SQL grammar parsed (one of
// several in a message): it is read again as runnel reads role
// statements.
func (s *Session) roleStatement(ctx context.Context, sql string) (*Result, error) {
	c, ok, err := parseRoleCommand(sql)
	if !ok {
		return nil, vector.Errorf(vector.CodeFeatureNotSupported, "%s is not supported", sql)
	}
	if err != nil {
		return nil, err
	}
	return c.run(ctx, s)
}

func isSet(b *bool) bool { return b != nil && *b }
