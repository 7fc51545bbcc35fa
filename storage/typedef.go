package storage

import (
	"fmt"

	"github.com/runneldb/runnel/vector"
)

// TypeDef is the persisted form of a vector.Type. It names the type by its
// Postgres OID, which never changes, rather than by vector.Kind, whose
// numbering is internal.
type TypeDef struct {
	OID       uint32 `json:"oid"`
	Precision int32  `json:"precision,omitempty"`
	Scale     int32  `json:"scale,omitempty"`
	Width     int32  `json:"width,omitempty"`
}

// DefOf is the persisted form of t.
func DefOf(t vector.Type) TypeDef {
	return TypeDef{OID: t.OID(), Precision: t.Precision, Scale: t.Scale, Width: t.Width}
}

// Type is the type d describes.
func (d TypeDef) Type() (vector.Type, error) {
	t, ok := vector.TypeByOID(d.OID)
	if !ok {
		return t, fmt.Errorf("storage: unknown type OID %d", d.OID)
	}
	t.Precision, t.Scale, t.Width = d.Precision, d.Scale, d.Width
	return t, nil
}
