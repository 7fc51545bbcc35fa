package vector

import "time"

// CatalogReader is what expressions ask of the database's catalog: the
// reg* types read and print object names through it, and the catalog
// functions (pg_get_expr, pg_table_is_visible, …) read objects through it.
// It is implemented above vector, by the session.
type CatalogReader interface {
	// OIDByName resolves the name of an object of a reg* kind (a relation
	// for KindRegclass, a type for KindRegtype, …), qualified or looked up
	// along the search_path. Unknown names fail as Postgres does: 42P01 for
	// a relation, 42704 for a type or role, 3F000 for a schema, 42883 for a
	// function.
	OIDByName(kind Kind, name string) (uint32, error)
	// NameByOID is how a reg* value prints: the object's name, qualified
	// when it is not visible on the search_path. ok is false for an OID no
	// object has; the value then prints as its number.
	NameByOID(kind Kind, oid uint32) (name string, ok bool)
}

// CatalogInspector is the rest of what the catalog functions ask of the
// session's catalog, beside names. A session's CatalogReader implements it
// too; the catalog functions fail where the reader does not (outside a
// session).
type CatalogInspector interface {
	CatalogReader
	// Visible reports whether the object of a reg* kind (KindRegclass,
	// KindRegtype, KindRegproc) with OID oid is visible: its unqualified
	// name finds it through the search_path. exists is false for an OID
	// no object has.
	Visible(kind Kind, oid uint32) (visible, exists bool)
	// Relkind is pg_class.relkind of the relation with OID oid ('r', 'v',
	// 'm', 'f', 'i'); ok is false when there is none.
	Relkind(oid uint32) (kind byte, ok bool)
	// Definition is the SQL text the pg_get_*def functions print for the
	// object with OID oid; pretty leaves the names of visible relations
	// unqualified. ok is false when there is no such object (the functions
	// then return NULL).
	Definition(what Definition, oid uint32, column int, pretty bool) (text string, ok bool)
	// Description is the comment on object oid of the system catalog
	// named class ("" for any) and sub-object sub (a column number, 0 for
	// the object itself): what obj_description and col_description return.
	Description(class string, oid uint32, sub int32) (string, bool)
	// HasPrivilege answers the has_*_privilege functions. Names that
	// resolve to nothing fail (42P01, 3F000, 3D000, 42704, 42703); exists
	// is false for an OID no object has (the functions return NULL). An
	// unknown privilege name fails with 22023.
	HasPrivilege(p PrivilegeCheck) (held, exists bool, err error)
	// SearchPath is current_schemas(implicit): the schemas of the
	// search_path that exist, with pg_catalog first when implicit and not
	// on the path.
	SearchPath(implicit bool) []string
	// SetConfig changes a session parameter as set_config does and returns
	// its new value; local asks for the change to last the transaction
	// only.
	SetConfig(name, value string, local bool) (string, error)
	// ServerStart is when the server started.
	ServerStart() time.Time
	// TxID is the number of the current transaction (txid_current).
	TxID() int64
}

// Definition names what a pg_get_*def function prints.
type Definition uint8

const (
	// DefIndex is pg_get_indexdef: the CREATE INDEX statement, or with a
	// column number the name of that key column.
	DefIndex Definition = iota
	// DefConstraint is pg_get_constraintdef: "PRIMARY KEY (a, b)".
	DefConstraint
	// DefView is pg_get_viewdef: the defining query.
	DefView
	// DefFunctionResult is pg_get_function_result: the result type.
	DefFunctionResult
	// DefFunctionArguments is pg_get_function_arguments: the argument
	// types, "VARIADIC" before a variadic one.
	DefFunctionArguments
)

// PrivilegeCheck is a question of the has_*_privilege functions: does
// Role hold Privileges on the object?
type PrivilegeCheck struct {
	// Role or RoleName is the role asked about; neither means the
	// session's.
	Role     uint32
	RoleName string
	// On is the kind of object: 'r' relation, 'c' column of a relation,
	// 'n' schema, 'd' database, 'f' function, 'a' role (pg_has_role: is
	// the role asked about a member of the role named Name?).
	On byte
	// Object or Name is the object (the relation for a column).
	Object uint32
	Name   string
	// Column names the column of a 'c' check, or Attnum numbers it.
	Column string
	Attnum int16
	// Privileges are privilege names separated by commas (SELECT, INSERT,
	// USAGE, …), each possibly followed by WITH GRANT OPTION; any one held
	// is enough.
	Privileges string
}
