package catalog

import (
	"cmp"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"

	"github.com/runneldb/runnel/vector"
)

// Role is a user (a role that may log in) or a group of privileges.
type Role struct {
	ID         uint32
	Name       string
	Superuser  bool
	Login      bool
	CreateRole bool
	CreateDB   bool
	Inherit    bool
	// Password is the stored verifier: "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"
	// or "md5<hex of md5(password || name)>", as in pg_authid; "" when the
	// role has none.
	Password string
	// ConnLimit is the most concurrent connections; -1 for no limit.
	ConnLimit int32
	// MemberOf are the OIDs of the roles this one is a member of (GRANT
	// role TO this one), in OID order. A role never is, even indirectly, a
	// member of itself.
	MemberOf []uint32
}

// BootstrapRoleOID is the OID of the superuser that exists from the start
// (Postgres' own bootstrap superuser has OID 10); it owns the built-in
// objects and every object created by a session whose user has no role.
const BootstrapRoleOID uint32 = 10

// BootstrapRoleName is the bootstrap superuser's name.
const BootstrapRoleName = "runnel"

// bootstrapRole is the superuser every catalog has, as it is until ALTER
// ROLE changes it (its record then replaces it). It cannot be dropped nor
// stop being a superuser.
var bootstrapRole = &Role{ID: BootstrapRoleOID, Name: BootstrapRoleName, Superuser: true, Login: true,
	CreateRole: true, CreateDB: true, Inherit: true, ConnLimit: -1}

// Roles returns every role, in OID order.
func (c *Catalog) Roles() []*Role {
	s := c.s.Load()
	var out []*Role
	if s.objects[BootstrapRoleOID] == nil {
		out = append(out, bootstrapRole)
	}
	for _, o := range s.objects {
		if o.role != nil {
			out = append(out, o.role)
		}
	}
	slices.SortFunc(out, func(a, b *Role) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// RoleByName returns the role called name.
func (c *Catalog) RoleByName(name string) (*Role, bool) {
	return c.s.Load().roleByName(name)
}

// RoleByID returns the role with OID id.
func (c *Catalog) RoleByID(id uint32) (*Role, bool) {
	return c.s.Load().roleByID(id)
}

func (s *state) roleByID(id uint32) (*Role, bool) {
	if o := s.objects[id]; o != nil && o.role != nil {
		return o.role, true
	}
	if id == BootstrapRoleOID {
		return bootstrapRole, true
	}
	return nil, false
}

func (s *state) roleByName(name string) (*Role, bool) {
	if s.objects[BootstrapRoleOID] == nil && name == BootstrapRoleName {
		return bootstrapRole, true
	}
	for _, o := range s.objects {
		if o.role != nil && o.role.Name == name {
			return o.role, true
		}
	}
	return nil, false
}

// roleNotFound is the error for a role name that names none (42704).
func roleNotFound(name string) error {
	return vector.Errorf(vector.CodeUndefinedObject, "role \"%s\" does not exist", name)
}

// CreateRole creates role r; its ID is assigned. It fails with 42710 when
// a role of that name exists and 42704 when r is to be a member of a role
// that does not exist.
func (c *Catalog) CreateRole(r Role) (*Role, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s.Load()
	if _, ok := s.roleByName(r.Name); ok {
		return nil, vector.Errorf(vector.CodeDuplicateObject, "role \"%s\" already exists", r.Name)
	}
	for _, m := range r.MemberOf {
		if _, ok := s.roleByID(m); !ok {
			return nil, vector.Errorf(vector.CodeUndefinedObject, "role with OID %d does not exist", m)
		}
	}
	r.ID = s.nextOID
	r.MemberOf = slices.Clone(r.MemberOf)
	slices.Sort(r.MemberOf)
	r.MemberOf = slices.Compact(r.MemberOf)
	return &r, c.put(&object{rec: roleRecordOf(&r), role: &r})
}

// AlterRole applies change to a copy of the role called name and stores
// the copy. change may rename it (42710 when the new name is taken). It
// fails with 42704 when there is no such role, and with 42501 when the
// bootstrap role would stop being a superuser.
func (c *Catalog) AlterRole(name string, change func(*Role) error) (*Role, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s.Load()
	old, ok := s.roleByName(name)
	if !ok {
		return nil, roleNotFound(name)
	}
	r := *old
	r.MemberOf = slices.Clone(old.MemberOf)
	if err := change(&r); err != nil {
		return nil, err
	}
	if r.Name != old.Name {
		if _, taken := s.roleByName(r.Name); taken {
			return nil, vector.Errorf(vector.CodeDuplicateObject, "role \"%s\" already exists", r.Name)
		}
	}
	if r.ID == BootstrapRoleOID && !r.Superuser {
		return nil, vector.Errorf(vector.CodeInsufficientPrivilege, "permission denied: bootstrap user must be superuser")
	}
	return &r, c.put(&object{rec: roleRecordOf(&r), role: &r})
}

// GrantRole makes member a member of role. It reports whether member
// already was one (directly), and fails with 0LP01 when role is, even
// indirectly, a member of member (or is member).
func (c *Catalog) GrantRole(role, member uint32) (already bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s.Load()
	r, ok1 := s.roleByID(role)
	m, ok2 := s.roleByID(member)
	if !ok1 || !ok2 {
		return false, fmt.Errorf("catalog: GrantRole of unknown roles %d, %d", role, member)
	}
	if slices.Contains(m.MemberOf, role) {
		return true, nil
	}
	if role == member || slices.Contains(s.memberships(role, false), member) {
		return false, vector.Errorf(vector.CodeInvalidGrantOperation, "role \"%s\" is a member of role \"%s\"", r.Name, m.Name)
	}
	nm := *m
	nm.MemberOf = append(slices.Clone(m.MemberOf), role)
	slices.Sort(nm.MemberOf)
	return false, c.put(&object{rec: roleRecordOf(&nm), role: &nm})
}

// RevokeRole ends member's membership of role. It reports whether member
// was a member.
func (c *Catalog) RevokeRole(role, member uint32) (was bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.s.Load().roleByID(member)
	if !ok || !slices.Contains(m.MemberOf, role) {
		return false, nil
	}
	nm := *m
	nm.MemberOf = slices.DeleteFunc(slices.Clone(m.MemberOf), func(id uint32) bool { return id == role })
	return true, c.put(&object{rec: roleRecordOf(&nm), role: &nm})
}

// Memberships returns the roles role is a member of, directly or through
// other roles, in OID order; inherited restricts it to those whose
// privileges role has without SET ROLE: a role without INHERIT passes on
// none of its memberships.
func (c *Catalog) Memberships(role uint32, inherited bool) []uint32 {
	return c.s.Load().memberships(role, inherited)
}

func (s *state) memberships(role uint32, inherited bool) []uint32 {
	var out []uint32
	seen := map[uint32]bool{role: true}
	for queue := []uint32{role}; len(queue) > 0; queue = queue[1:] {
		r, ok := s.roleByID(queue[0])
		if !ok || inherited && !r.Inherit {
			continue
		}
		for _, m := range r.MemberOf {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
				queue = append(queue, m)
			}
		}
	}
	slices.Sort(out)
	return out
}

// DropRole drops the role called name; the memberships of other roles in
// it end. It fails with 42704 when there is no such role and 2BP01 when it
// is the bootstrap role or owns objects or holds privileges on them (the
// detail lists them, as Postgres does).
func (c *Catalog) DropRole(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s.Load()
	r, ok := s.roleByName(name)
	if !ok {
		return roleNotFound(name)
	}
	if r.ID == BootstrapRoleOID {
		return vector.Errorf(vector.CodeDependentObjectsStillExist, "cannot drop role %s because it is required by the database system", name)
	}
	if uses := s.roleUses(r.ID); len(uses) > 0 {
		return &vector.Error{Code: vector.CodeDependentObjectsStillExist,
			Message: fmt.Sprintf("role \"%s\" cannot be dropped because some objects depend on it", name),
			Detail:  strings.Join(uses, "\n")}
	}
	for _, o := range s.objects {
		if o.role == nil || !slices.Contains(o.role.MemberOf, r.ID) {
			continue
		}
		nm := *o.role
		nm.MemberOf = slices.DeleteFunc(slices.Clone(nm.MemberOf), func(id uint32) bool { return id == r.ID })
		if err := c.put(&object{rec: roleRecordOf(&nm), role: &nm}); err != nil {
			return err
		}
	}
	return c.drop(s.objects[r.ID])
}

// roleUses describes the objects role owns or has privileges on, in OID
// order: "owner of table t", "privileges for schema s".
func (s *state) roleUses(role uint32) []string {
	var objs []*object
	for _, o := range s.objects {
		if o.schema != nil || o.table != nil {
			objs = append(objs, o)
		}
	}
	slices.SortFunc(objs, func(a, b *object) int { return cmp.Compare(a.rec.ID, b.rec.ID) })
	var out []string
	for _, o := range objs {
		kind, owner, grants := kindSchema, o.rec.Owner, grantsOf(o.rec.Grants)
		if o.table != nil {
			kind = string(o.table.Kind)
		}
		if owner == role {
			out = append(out, fmt.Sprintf("owner of %s %s", kind, describe(o)))
		}
		if slices.ContainsFunc(grants, func(g Grant) bool { return g.Grantee == role }) {
			out = append(out, fmt.Sprintf("privileges for %s %s", kind, describe(o)))
		}
	}
	return out
}

// Password verifiers. A password is stored as Postgres stores it (and
// clients may send one already hashed, which is stored as given): a
// SCRAM-SHA-256 verifier (RFC 5802, 7677) or an md5 hash.

// scramIterations is the PBKDF2 iteration count of new SCRAM verifiers
// (Postgres' scram_iterations default).
const scramIterations = 4096

// PasswordVerifier is what role name stores for password: password itself
// when it already is a verifier, else its SCRAM-SHA-256 verifier, or with
// md5 its md5 hash (Postgres' password_encryption).
func PasswordVerifier(password, name string, md5Hash bool) string {
	switch {
	case IsPasswordVerifier(password):
		return password
	case md5Hash:
		return MD5Verifier(password, name)
	}
	return SCRAMVerifier(password, nil)
}

// IsPasswordVerifier reports whether p is a stored password form rather
// than a password.
func IsPasswordVerifier(p string) bool {
	if _, ok := ParseSCRAMVerifier(p); ok {
		return true
	}
	return IsMD5Verifier(p)
}

// IsMD5Verifier reports whether p is an md5 hash: "md5" and 32 hex digits.
func IsMD5Verifier(p string) bool {
	if len(p) != 35 || !strings.HasPrefix(p, "md5") {
		return false
	}
	_, err := hex.DecodeString(p[3:])
	return err == nil && strings.ToLower(p) == p
}

// MD5Verifier is the md5 hash Postgres stores for password of role name:
// "md5" followed by the hex of md5(password || name).
func MD5Verifier(password, name string) string {
	sum := md5.Sum([]byte(password + name))
	return "md5" + hex.EncodeToString(sum[:])
}

// SCRAMSecret is a parsed SCRAM-SHA-256 verifier.
type SCRAMSecret struct {
	Iterations           int
	Salt                 []byte
	StoredKey, ServerKey []byte
}

// SCRAMVerifier returns the SCRAM-SHA-256 verifier of password with salt
// (16 random bytes when nil), after SASLprep as Postgres applies it.
func SCRAMVerifier(password string, salt []byte) string {
	if salt == nil {
		salt = make([]byte, 16)
		rand.Read(salt)
	}
	salted, err := pbkdf2.Key(sha256.New, saslPrep(password), salt, scramIterations, sha256.Size)
	if err != nil {
		panic(fmt.Sprintf("catalog: pbkdf2: %v", err)) // only for parameters FIPS mode refuses
	}
	clientKey := scramHMAC(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", scramIterations, b64(salt), b64(storedKey[:]), b64(scramHMAC(salted, "Server Key")))
}

func scramHMAC(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// ParseSCRAMVerifier reads a verifier
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" (base64
// parts; keys of 32 bytes).
func ParseSCRAMVerifier(v string) (SCRAMSecret, bool) {
	rest, ok := strings.CutPrefix(v, "SCRAM-SHA-256$")
	if !ok {
		return SCRAMSecret{}, false
	}
	iterSalt, keys, ok := strings.Cut(rest, "$")
	iter, salt, ok1 := strings.Cut(iterSalt, ":")
	stored, server, ok2 := strings.Cut(keys, ":")
	if !ok || !ok1 || !ok2 {
		return SCRAMSecret{}, false
	}
	var sec SCRAMSecret
	var err error
	if sec.Iterations, err = strconv.Atoi(iter); err != nil || sec.Iterations <= 0 {
		return SCRAMSecret{}, false
	}
	dec := base64.StdEncoding.DecodeString
	if sec.Salt, err = dec(salt); err != nil || len(sec.Salt) == 0 {
		return SCRAMSecret{}, false
	}
	if sec.StoredKey, err = dec(stored); err != nil || len(sec.StoredKey) != sha256.Size {
		return SCRAMSecret{}, false
	}
	if sec.ServerKey, err = dec(server); err != nil || len(sec.ServerKey) != sha256.Size {
		return SCRAMSecret{}, false
	}
	return sec, true
}

// saslPrep normalizes a password with SASLprep (RFC 4013) as Postgres'
// pg_saslprep does: ASCII passwords are used as they are; others are
// mapped (non-ASCII spaces to a space, some characters to nothing) and
// NFKC-normalized, unless the result holds a prohibited or unassigned
// character or breaks the bidirectional rule — then, like a password that
// is not UTF-8, the password is used as it is. (Unassigned is judged by
// Go's Unicode version rather than 3.2's.)
func saslPrep(password string) string {
	ascii := true
	for i := 0; i < len(password); i++ {
		ascii = ascii && password[i] < utf8.RuneSelf
	}
	if ascii || !utf8.ValidString(password) {
		return password
	}
	var mapped []rune
	for _, r := range password {
		switch {
		case saslSpace(r):
			mapped = append(mapped, ' ')
		case saslMappedToNothing(r):
		default:
			mapped = append(mapped, r)
		}
	}
	out := norm.NFKC.String(string(mapped))
	if out == "" {
		return password
	}
	var randAL, l bool
	for _, r := range out {
		if saslProhibited(r) {
			return password
		}
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.R, bidi.AL:
			randAL = true
		case bidi.L:
			l = true
		}
	}
	if randAL {
		first, _ := utf8.DecodeRuneInString(out)
		last, _ := utf8.DecodeLastRuneInString(out)
		if l || !saslRandAL(first) || !saslRandAL(last) {
			return password
		}
	}
	return out
}

// saslSpace reports whether r is a non-ASCII space (RFC 3454 C.1.2).
func saslSpace(r rune) bool {
	return r == 0xA0 || r == 0x1680 || r >= 0x2000 && r <= 0x200B || r == 0x202F || r == 0x205F || r == 0x3000
}

// saslMappedToNothing reports whether r is "commonly mapped to nothing"
// (RFC 3454 B.1).
func saslMappedToNothing(r rune) bool {
	return r == 0xAD || r == 0x34F || r == 0x1806 || r >= 0x180B && r <= 0x180D || r >= 0x200B && r <= 0x200D ||
		r == 0x2060 || r >= 0xFE00 && r <= 0xFE0F || r == 0xFEFF
}

// saslProhibited reports whether r may not appear in a prepared password
// (RFC 4013 section 2.3: RFC 3454 C.1.2 to C.9) or is unassigned.
func saslProhibited(r rune) bool {
	switch {
	case saslSpace(r), r < 0x20, r >= 0x7F && r <= 0x9F, // spaces, controls
		r == 0x6DD, r == 0x70F, r == 0x180E, r >= 0x200C && r <= 0x200F, r >= 0x2028 && r <= 0x202E,
		r >= 0x2060 && r <= 0x2063, r >= 0x206A && r <= 0x206F, r == 0xFEFF, r >= 0xFFF9 && r <= 0xFFFD,
		r >= 0x1D173 && r <= 0x1D17A, r == 0x340, r == 0x341, r >= 0x2FF0 && r <= 0x2FFB,
		r >= 0xE000 && r <= 0xF8FF, r >= 0xF0000, // private use
		r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE, // non-characters
		r == 0xE0001, r >= 0xE0020 && r <= 0xE007F: // tags
		return true
	}
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs, unicode.Cf)
}

func saslRandAL(r rune) bool {
	p, _ := bidi.LookupRune(r)
	return p.Class() == bidi.R || p.Class() == bidi.AL
}
