package vector

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
