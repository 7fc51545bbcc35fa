package planner

import (
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"
	"github.com/lib/pq/oid"

	"github.com/runneldb/runnel/vector"
)

// resolveArrayType is ResolveType for array types: T[] and T ARRAY of any
// element type runnel has (also pg_catalog-qualified, pg_catalog.oid[]),
// int2vector and oidvector. ok is false for a type that is not an array.
// An element modifier (varchar(3)[]) applies to every element.
func resolveArrayType(ref tree.ResolvableTypeReference) (t vector.Type, ok bool, err error) {
	var elem tree.ResolvableTypeReference
	switch r := ref.(type) {
	case *tree.ArrayTypeReference:
		elem = r.ElementType
	case *types.T:
		if r.Family() != types.ArrayFamily {
			return vector.Type{}, false, nil
		}
		switch r.Oid() {
		case oid.T_int2vector:
			return vector.Int2Vector, true, nil
		case oid.T_oidvector:
			return vector.OIDVector, true, nil
		}
		elem = r.ArrayContents()
	default:
		return vector.Type{}, false, nil
	}
	e, err := ResolveType(elem)
	switch {
	case err != nil:
		return vector.Type{}, true, err
	case e.Kind.IsArray():
		return vector.Type{}, true, vector.Errorf(vector.CodeFeatureNotSupported, "multidimensional arrays are not supported")
	case vector.ArrayOfKind(e.Kind).OID() == 0:
		return vector.Type{}, true, vector.Errorf(vector.CodeFeatureNotSupported, "arrays of %s are not supported", e.Name())
	}
	return vector.ArrayType(e), true, nil
}
