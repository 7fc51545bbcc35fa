package planner

import (
	"slices"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/types"
	"github.com/cockroachdb/cockroachdb-parser/pkg/util/duration"
	"github.com/lib/pq/oid"

	"github.com/runneldb/runnel/vector"
)

// ResolveType maps a type as written in SQL to runnel's type, refusing the
// types runnel does not have with 0A000. A type may be qualified with
// pg_catalog (pg_catalog.int4, pg_catalog."char").
func ResolveType(ref tree.ResolvableTypeReference) (vector.Type, error) {
	if t, ok, err := resolveArrayType(ref); ok {
		return t, err
	}
	t, ok := ref.(*types.T)
	if !ok {
		if t, ok = pgCatalogType(ref); !ok {
			return vector.Type{}, vector.Errorf(vector.CodeUndefinedObject, "type %q does not exist", ref.SQLString())
		}
	}
	switch t.Family() {
	case types.BoolFamily:
		return vector.Bool, nil
	case types.IntFamily:
		switch t.Width() {
		case 16:
			return vector.Int2, nil
		case 32:
			return vector.Int4, nil
		}
		return vector.Int8, nil
	case types.FloatFamily:
		if t.Width() == 32 {
			return vector.Float4, nil
		}
		return vector.Float8, nil
	case types.DecimalFamily:
		p, s := t.Precision(), t.Scale()
		if p > 1000 || p < 0 {
			return vector.Type{}, vector.Errorf(vector.CodeInvalidParameterValue, "NUMERIC precision %d must be between 1 and 1000", p)
		}
		if s > p {
			return vector.Type{}, vector.Errorf(vector.CodeInvalidParameterValue, "NUMERIC scale %d must be between 0 and precision %d", s, p)
		}
		return vector.Type{Kind: vector.KindNumeric, Precision: p, Scale: s}, nil
	case types.StringFamily:
		switch t.Oid() {
		case oid.T_varchar:
			return vector.Type{Kind: vector.KindVarchar, Width: t.Width()}, nil
		case oid.T_text:
			return vector.Text, nil
		case oid.T_name:
			return vector.Name, nil
		case oid.T_char:
			return vector.Char, nil
		}
	case types.OidFamily:
		switch t.Oid() {
		case oid.T_oid:
			return vector.OID, nil
		case oid.T_regclass:
			return vector.Regclass, nil
		case oid.T_regtype:
			return vector.Regtype, nil
		case oid.T_regproc, oid.T_regprocedure:
			return vector.Regproc, nil
		case oid.T_regnamespace:
			return vector.Type{Kind: vector.KindRegnamespace}, nil
		case oid.T_regrole:
			return vector.Type{Kind: vector.KindRegrole}, nil
		}
	case types.BytesFamily:
		return vector.Bytea, nil
	case types.DateFamily:
		return vector.Date, nil
	case types.TimeFamily:
		return vector.Time, nil
	case types.TimestampFamily:
		return vector.Timestamp, nil
	case types.TimestampTZFamily:
		return vector.TimestampTZ, nil
	case types.IntervalFamily:
		return vector.Interval, nil
	case types.JsonFamily:
		return vector.JSONB, nil
	}
	return vector.Type{}, vector.Errorf(vector.CodeFeatureNotSupported, "type %s is not supported", t.SQLString())
}

// regNamesAsText converts the reg* columns of a query result to text: a
// reg* value goes to the client as the name of the object it identifies,
// which only the session's catalog knows (the cast reads
// EvalContext.Catalog when the query runs). Such a column is described to
// the client as text.
func (p *Planner) regNamesAsText(r *rel) (*rel, error) {
	exprs := make([]vector.Expr, len(r.sc.cols))
	cols := slices.Clone(r.sc.cols)
	named := false
	for i, c := range r.sc.cols {
		exprs[i] = vector.NewColumnRef(i, c.typ, c.name)
		if !c.typ.Kind.IsReg() {
			continue
		}
		var err error
		if exprs[i], err = vector.NewCast(exprs[i], vector.Text); err != nil {
			return nil, err
		}
		cols[i].typ = vector.Text
		named = true
	}
	if !named {
		return r, nil
	}
	return p.project(r, exprs, cols), nil
}

// pgCatalogType is the type a pg_catalog-qualified name denotes, by the
// name Postgres gives it in pg_type (int4, "char", regclass); the parser
// leaves such names unresolved.
func pgCatalogType(ref tree.ResolvableTypeReference) (*types.T, bool) {
	n, ok := ref.(*tree.UnresolvedObjectName)
	if !ok || n.NumParts != 2 || n.Parts[1] != "pg_catalog" {
		return nil, false
	}
	t, ok, _ := types.TypeForNonKeywordTypeName(n.Parts[0])
	return t, ok
}

// IntervalConstant reads an interval constant: INTERVAL '…' [field],
// '…'::interval or CAST('…' AS interval), with Postgres' reading of a
// field (INTERVAL '5' MINUTE is five minutes). ok is false for anything
// else.
func IntervalConstant(e tree.Expr) (d duration.Duration, ok bool, err error) {
	c, isCast := tree.StripParens(e).(*tree.CastExpr)
	if !isCast {
		return d, false, nil
	}
	s, isStr := c.Expr.(*tree.StrVal)
	typ, isType := c.Type.(*types.T)
	if !isStr || !isType || typ.Family() != types.IntervalFamily {
		return d, false, nil
	}
	itm, err := typ.IntervalTypeMetadata()
	if err != nil {
		return d, false, err
	}
	iv, err := tree.ParseDIntervalWithTypeMetadata(duration.IntervalStyle_POSTGRES, s.RawString(), itm)
	if err != nil {
		return d, false, vector.Errorf(vector.CodeInvalidDatetimeFormat, "invalid input syntax for type interval: %q", s.RawString())
	}
	return iv.Duration, true, nil
}

// intervalWithField is an interval constant whose type names a field
// (INTERVAL '5' MINUTE), which the text alone does not say.
func intervalWithField(e *tree.CastExpr) (vector.Expr, bool, error) {
	typ, ok := e.Type.(*types.T)
	if !ok || typ.Family() != types.IntervalFamily {
		return nil, false, nil
	}
	itm, err := typ.IntervalTypeMetadata()
	if err != nil || itm.DurationField.DurationType == types.IntervalDurationType_UNSET {
		return nil, false, nil
	}
	d, ok, err := IntervalConstant(e)
	if !ok || err != nil {
		return nil, ok, err
	}
	v := vector.IntervalValue{Months: int32(d.Months), Days: int32(d.Days), Micros: d.Nanos() / 1000}
	return vector.NewConst(v, vector.Interval), true, nil
}
