package runnel

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/runneldb/runnel/catalog"
	"github.com/runneldb/runnel/vector"
)

// sessionCatalog is the catalog as one statement of a session sees it: it
// resolves and prints the names of the reg* types, answers the catalog
// functions (vector.CatalogInspector) and tells the system relations what
// the catalog does not hold (catalog.Reader).
type sessionCatalog struct {
	s   *Session
	txn *txn
}

var (
	_ vector.CatalogInspector = (*sessionCatalog)(nil)
	_ catalog.Reader          = (*sessionCatalog)(nil)
)

// serverStart is when the process started serving, pg_postmaster_start_time.
var serverStart = time.Now()

// lookupPath is the search_path names resolve through: pg_catalog first
// when the path does not name it (as in Postgres), then the path.
func (s *Session) lookupPath() []string {
	path := s.searchPath()
	if !slices.Contains(path, "pg_catalog") {
		path = append([]string{"pg_catalog"}, path...)
	}
	return path
}

// splitName reads a possibly qualified object name: identifiers separated
// by dots, each either double-quoted (kept as written) or not (lower
// case). Anything else is 42602.
func splitName(name string) ([]string, error) {
	var parts []string
	bad := vector.Errorf(vector.CodeInvalidName, "invalid name syntax")
	i := 0
	skip := func() {
		for i < len(name) && (name[i] == ' ' || name[i] == '\t' || name[i] == '\n') {
			i++
		}
	}
	for {
		skip()
		var part strings.Builder
		switch {
		case i < len(name) && name[i] == '"':
			i++
			for {
				if i >= len(name) {
					return nil, bad
				}
				if name[i] == '"' {
					if i+1 < len(name) && name[i+1] == '"' {
						part.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				part.WriteByte(name[i])
				i++
			}
		default:
			start := i
			for i < len(name) && name[i] != '.' && name[i] != ' ' && name[i] != '"' {
				i++
			}
			part.WriteString(strings.ToLower(name[start:i]))
		}
		if part.Len() == 0 {
			return nil, bad
		}
		parts = append(parts, part.String())
		skip()
		if i == len(name) {
			return parts, nil
		}
		if name[i] != '.' {
			return nil, bad
		}
		i++
	}
}

// schemaAndName splits a name into its schema ("" when unqualified) and
// object name; a database qualifier must name this database.
func schemaAndName(name string) (string, string, error) {
	parts, err := splitName(name)
	if err != nil {
		return "", "", err
	}
	switch len(parts) {
	case 1:
		return "", parts[0], nil
	case 2:
		return parts[0], parts[1], nil
	case 3:
		if parts[0] != DatabaseName {
			return "", "", vector.Errorf(vector.CodeFeatureNotSupported, "cross-database references are not implemented: %s", name)
		}
		return parts[1], parts[2], nil
	}
	return "", "", vector.Errorf(vector.CodeSyntaxError, "improper qualified name (too many dotted names): %s", name)
}

// relation resolves a relation name (a table, view, system relation or
// index) through the lookup path.
func (c *sessionCatalog) relation(schema, name string) (catalog.Relation, bool) {
	cat := c.s.db.catalog
	if schema != "" {
		return cat.RelationByName(schema, name)
	}
	for _, sc := range c.s.lookupPath() {
		if r, ok := cat.RelationByName(sc, name); ok {
			return r, true
		}
	}
	return catalog.Relation{}, false
}

// OIDByName resolves the name of an object of a reg* kind.
func (c *sessionCatalog) OIDByName(kind vector.Kind, name string) (uint32, error) {
	cat := c.s.db.catalog
	switch kind {
	case vector.KindRegclass:
		schema, rel, err := schemaAndName(name)
		if err != nil {
			return 0, err
		}
		if r, ok := c.relation(schema, rel); ok {
			return r.OID, nil
		}
		if schema != "" {
			if _, ok := cat.Schema(schema); !ok {
				return 0, vector.Errorf(vector.CodeUndefinedSchema, "schema \"%s\" does not exist", schema)
			}
		}
		return 0, vector.Errorf(vector.CodeUndefinedTable, "relation \"%s\" does not exist", name)
	case vector.KindRegtype:
		if oid, ok := catalog.TypeByName(name); ok {
			return oid, nil
		}
		return 0, vector.Errorf(vector.CodeUndefinedObject, "type \"%s\" does not exist", name)
	case vector.KindRegproc:
		_, fn, err := schemaAndName(name)
		if err != nil {
			return 0, err
		}
		var found []catalog.Function
		for _, f := range catalog.Functions() {
			if f.Name == fn {
				found = append(found, f)
			}
		}
		switch len(found) {
		case 0:
			return 0, vector.Errorf(vector.CodeUndefinedFunction, "function \"%s\" does not exist", name)
		case 1:
			return found[0].OID, nil
		}
		return 0, vector.Errorf(vector.CodeAmbiguousFunction, "more than one function named \"%s\"", name)
	case vector.KindRegnamespace:
		parts, err := splitName(name)
		if err != nil {
			return 0, err
		}
		if len(parts) == 1 {
			if sc, ok := cat.Schema(parts[0]); ok {
				return sc.ID, nil
			}
		}
		return 0, vector.Errorf(vector.CodeUndefinedSchema, "schema \"%s\" does not exist", name)
	case vector.KindRegrole:
		parts, err := splitName(name)
		if err != nil {
			return 0, err
		}
		if len(parts) != 1 {
			return 0, vector.Errorf(vector.CodeInvalidName, "invalid name syntax")
		}
		return c.roleByName(parts[0])
	}
	return 0, vector.Errorf(vector.CodeFeatureNotSupported, "names of type %s are not supported", vector.Type{Kind: kind})
}

// NameByOID prints a reg* value: the object's name, a relation's qualified
// when the search path does not find it by its name alone.
func (c *sessionCatalog) NameByOID(kind vector.Kind, oid uint32) (string, bool) {
	cat := c.s.db.catalog
	switch kind {
	case vector.KindRegclass:
		r, ok := cat.RelationByOID(oid)
		if !ok {
			return "", false
		}
		if visible, _ := c.Visible(kind, oid); visible {
			return vector.QuoteIdent(r.Name), true
		}
		return vector.QuoteIdent(r.Schema) + "." + vector.QuoteIdent(r.Name), true
	case vector.KindRegtype:
		return catalog.TypeName(oid)
	case vector.KindRegproc:
		f, ok := catalog.FunctionByOID(oid)
		return f.Name, ok
	case vector.KindRegnamespace:
		sc, ok := cat.SchemaByOID(oid)
		if !ok {
			return "", false
		}
		return vector.QuoteIdent(sc.Name), true
	case vector.KindRegrole:
		name, ok := cat.RoleName(oid)
		if !ok {
			return "", false
		}
		return vector.QuoteIdent(name), true
	}
	return "", false
}

// Visible reports whether the search path finds a relation by its name
// alone; every type and function is in pg_catalog, which it always
// searches.
func (c *sessionCatalog) Visible(kind vector.Kind, oid uint32) (bool, bool) {
	switch kind {
	case vector.KindRegclass:
		r, ok := c.s.db.catalog.RelationByOID(oid)
		if !ok {
			return false, false
		}
		found, _ := c.relation("", r.Name)
		return found.OID == oid, true
	case vector.KindRegtype:
		_, ok := catalog.TypeName(oid)
		return ok, ok
	case vector.KindRegproc:
		_, ok := catalog.FunctionByOID(oid)
		return ok, ok
	}
	return false, false
}

// Relkind is the relkind of a relation.
func (c *sessionCatalog) Relkind(oid uint32) (byte, bool) {
	r, ok := c.s.db.catalog.RelationByOID(oid)
	return r.Kind, ok
}

// Definition prints an index, constraint, view or function.
func (c *sessionCatalog) Definition(what vector.Definition, oid uint32, column int, pretty bool) (string, bool) {
	cat := c.s.db.catalog
	switch what {
	case vector.DefIndex:
		r, ok := cat.RelationByOID(oid)
		if !ok || r.Kind != 'i' {
			return "", false
		}
		table := catalog.QualifiedName(r.Table)
		if visible, _ := c.Visible(vector.KindRegclass, r.Table.ID); pretty && visible {
			table = vector.QuoteIdent(r.Table.Name)
		}
		return catalog.IndexDefinition(r.Table, table, column), true
	case vector.DefConstraint:
		t, ok := cat.ConstraintTable(oid)
		if !ok {
			return "", false
		}
		return catalog.ConstraintDefinition(t), true
	case vector.DefView:
		r, ok := cat.RelationByOID(oid)
		if !ok || r.Table.Kind != catalog.KindView && r.Table.Kind != catalog.KindMaterializedView {
			return "", false
		}
		return c.ViewDefinition(r.Table), true
	case vector.DefFunctionResult, vector.DefFunctionArguments:
		f, ok := catalog.FunctionByOID(oid)
		if !ok {
			return "", false
		}
		if what == vector.DefFunctionResult {
			return vector.FormatType(c, f.Result, -1), true
		}
		args := make([]string, len(f.Args))
		for i, a := range f.Args {
			args[i] = vector.FormatType(c, a, -1)
			if f.Variadic != 0 && i == len(f.Args)-1 {
				args[i] = "VARIADIC " + args[i]
			}
		}
		return strings.Join(args, ", "), true
	}
	return "", false
}

// Description is the comment on an object of the system catalog class.
func (c *sessionCatalog) Description(class string, oid uint32, sub int32) (string, bool) {
	var classOID uint32
	if class != "" {
		r, ok := c.s.db.catalog.RelationByName("pg_catalog", class)
		if !ok {
			return "", false
		}
		classOID = r.OID
	}
	return catalog.Description(classOID, oid, sub)
}

// SearchPath is current_schemas: the existing schemas of the path.
func (c *sessionCatalog) SearchPath(implicit bool) []string {
	path := c.s.searchPath()
	if implicit {
		path = c.s.lookupPath()
	}
	var out []string
	for _, sc := range path {
		if _, ok := c.s.db.catalog.Schema(sc); ok {
			out = append(out, sc)
		}
	}
	return out
}

// SetConfig sets a session parameter. runnel has no transaction-local
// settings: a local change lasts for the session too.
func (c *sessionCatalog) SetConfig(name, value string, _ bool) (string, error) {
	if _, err := c.s.settings.set(name, value); err != nil {
		return "", err
	}
	v, _ := c.s.settings.get(name)
	return v, nil
}

func (c *sessionCatalog) ServerStart() time.Time { return serverStart }

// TxID numbers the transaction by the commit it reads after: stable
// within a transaction, larger in later ones.
func (c *sessionCatalog) TxID() int64 { return int64(c.txn.st.Snapshot()) + 1 }

// User is the session's user.
func (c *sessionCatalog) User() string { return c.s.user }

// Settings lists the session's parameters for pg_settings.
func (c *sessionCatalog) Settings() []catalog.Setting {
	var out []catalog.Setting
	for _, kv := range c.s.settings.all() {
		st := settings[kv[0]]
		s := catalog.Setting{Name: displayName(kv[0]), Value: kv[1], Category: "Ungrouped", Context: "user",
			VarType: settingType(st.def), Source: "default", BootValue: st.def, ResetValue: st.def}
		if st.readOnly {
			s.Context = "internal"
		}
		if _, set := c.s.settings.values[kv[0]]; set {
			s.Source = "session"
		}
		out = append(out, s)
	}
	return out
}

// settingType is pg_settings.vartype of a parameter with default def.
func settingType(def string) string {
	if def == "on" || def == "off" {
		return "bool"
	}
	if _, err := strconv.Atoi(def); err == nil {
		return "integer"
	}
	return "string"
}

func (c *sessionCatalog) Activity() []catalog.Activity { return c.s.db.activity(c.s) }
