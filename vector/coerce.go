package vector

// castLevel is the context in which a cast may be applied, as pg_cast's
// castcontext: implicitly (anywhere), on assignment (INSERT/UPDATE/COPY
// targets), or only when written explicitly.
type castLevel uint8

const (
	castNone castLevel = iota
	castExplicit
	castAssignment
	castImplicit
)

// castRules holds pg_cast among the kinds with a dedicated cast function
// (oid.go adds those of the catalog's scalar types); casts through text I/O
// are added by castContext.
var castRules = map[[2]Kind]castLevel{
	{KindInt2, KindInt4}: castImplicit, {KindInt2, KindInt8}: castImplicit, {KindInt2, KindFloat4}: castImplicit,
	{KindInt2, KindFloat8}: castImplicit, {KindInt2, KindNumeric}: castImplicit,
	{KindInt4, KindInt2}: castAssignment, {KindInt4, KindInt8}: castImplicit, {KindInt4, KindFloat4}: castImplicit,
	{KindInt4, KindFloat8}: castImplicit, {KindInt4, KindNumeric}: castImplicit, {KindInt4, KindBool}: castExplicit,
	{KindInt8, KindInt2}: castAssignment, {KindInt8, KindInt4}: castAssignment, {KindInt8, KindFloat4}: castImplicit,
	{KindInt8, KindFloat8}: castImplicit, {KindInt8, KindNumeric}: castImplicit,
	{KindFloat4, KindInt2}: castAssignment, {KindFloat4, KindInt4}: castAssignment, {KindFloat4, KindInt8}: castAssignment,
	{KindFloat4, KindFloat8}: castImplicit, {KindFloat4, KindNumeric}: castAssignment,
	{KindFloat8, KindInt2}: castAssignment, {KindFloat8, KindInt4}: castAssignment, {KindFloat8, KindInt8}: castAssignment,
	{KindFloat8, KindFloat4}: castAssignment, {KindFloat8, KindNumeric}: castAssignment,
	{KindNumeric, KindInt2}: castAssignment, {KindNumeric, KindInt4}: castAssignment, {KindNumeric, KindInt8}: castAssignment,
	{KindNumeric, KindFloat4}: castImplicit, {KindNumeric, KindFloat8}: castImplicit,
	{KindBool, KindInt4}:    castExplicit,
	{KindText, KindVarchar}: castImplicit, {KindVarchar, KindText}: castImplicit,
	{KindDate, KindTimestamp}: castImplicit, {KindDate, KindTimestampTZ}: castImplicit,
	{KindTimestamp, KindDate}: castAssignment, {KindTimestamp, KindTime}: castAssignment, {KindTimestamp, KindTimestampTZ}: castImplicit,
	{KindTimestampTZ, KindDate}: castAssignment, {KindTimestampTZ, KindTime}: castAssignment, {KindTimestampTZ, KindTimestamp}: castAssignment,
	{KindTime, KindInterval}: castImplicit, {KindInterval, KindTime}: castAssignment,
	{KindJSONB, KindBool}: castExplicit, {KindJSONB, KindInt2}: castExplicit, {KindJSONB, KindInt4}: castExplicit,
	{KindJSONB, KindInt8}: castExplicit, {KindJSONB, KindFloat4}: castExplicit, {KindJSONB, KindFloat8}: castExplicit,
	{KindJSONB, KindNumeric}: castExplicit,
}

// castContext is the least context in which from may be cast to to: the
// same kind and unknown to anything are implicit; any type to a type of
// the string category (text, varchar, name) is an assignment cast and such
// a type to any type an explicit one (Postgres' automatic I/O conversion
// casts).
func castContext(from, to Kind) castLevel {
	switch {
	case from == to || from == KindUnknown:
		return castImplicit
	case to == KindUnknown:
		return castNone
	}
	if l, ok := castRules[[2]Kind{from, to}]; ok {
		return l
	}
	switch {
	case typeCategory(to) == 'S':
		return castAssignment
	case typeCategory(from) == 'S':
		return castExplicit
	}
	return castNone
}

// CanCoerce reports whether a value of type from may be used where to is
// expected without a cast (implicit coercion; unknown goes anywhere).
func CanCoerce(from, to Type) bool { return castLevelOf(from, to) == castImplicit }

// errMismatch is the 42804 error for a value that cannot be coerced. Its
// Message names both types generically; callers that know the context
// (a column, WHERE, a function argument) replace Message with Postgres'
// wording for it, e.g. `column "c" is of type integer but expression is of
// type text`, and keep Code and Hint.
func errMismatch(from, to Type) *Error {
	e := Errorf(CodeDatatypeMismatch, "expression is of type %s but type %s is expected", from, to)
	e.Hint = "You will need to rewrite or cast the expression."
	return e
}

// Coerce applies implicit coercion of e to type to: unknown literals are
// parsed as to, a parameter of still unknown type takes type to, numbers
// widen (int2 → int4 → int8 → numeric → float4 → float8), varchar and text
// interchange, date/timestamp widen to timestamptz. Any other pair is 42804
// (see errMismatch).
func Coerce(e Expr, to Type) (Expr, error) {
	return coerceAt(e, to, castImplicit)
}

// NewAssignmentCast converts e for storing into a column of type to
// (INSERT, UPDATE, COPY): implicit and assignment casts are allowed (int8 →
// int4 with 22003 on overflow, numeric and float to int rounding, anything
// to text); varchar(n) rejects longer values with 22001 and numeric(p,s)
// rounds and checks. A type that cannot be assigned is 42804 (*Error with
// CodeDatatypeMismatch): the caller rewords Message with the column name.
func NewAssignmentCast(e Expr, to Type) (Expr, error) {
	return coerceAt(e, to, castAssignment)
}

// NewCast is the explicit cast CAST(e AS to) / e::to. A pair Postgres has
// no cast for is 42846 "cannot cast type X to Y".
func NewCast(e Expr, to Type) (Expr, error) {
	return coerceAt(e, to, castExplicit)
}

// coerceAt converts e to type to if a cast of at least the given level
// exists; a parameter of unknown type takes the target type. Constants are
// converted at once unless the result depends on the session's time zone
// or the statement time (see dependsOnSession), known only at evaluation.
// A literal that is not valid input of the target type fails here, as in
// Postgres' parser ('abc'::int); any other constant whose conversion fails
// stays a cast, failing only if evaluated (CASE WHEN false THEN
// 99999::int2 ELSE 0 END is 0).
func coerceAt(e Expr, to Type, level castLevel) (Expr, error) {
	from := e.Type()
	if from == to {
		return e, nil
	}
	if p, ok := e.(*paramExpr); ok && from.Kind == KindUnknown {
		if to.Kind.IsReg() {
			// The value reads through the catalog: take it as text.
			p.slots.Types[p.index] = Text
			return &castExpr{e: p, to: to}, nil
		}
		p.slots.Types[p.index] = to
		return p, nil
	}
	if to.Kind == KindUnknown {
		return nil, errNoCast(from, to, level)
	}
	if castLevelOf(from, to) < level {
		return nil, errNoCast(from, to, level)
	}
	// Assignment keeps varchar(n) strict; an explicit cast truncates.
	c := &castExpr{e: e, to: to, assign: level != castExplicit}
	if d, ok := IsConst(e); ok && !readsCatalog(from, to) {
		v, err := castDatum(&EvalContext{}, d, from, to, c.assign)
		switch {
		case err != nil && from.Kind == KindUnknown:
			return nil, err
		case err == nil && !dependsOnSession(d, from, to):
			return NewConst(v, to), nil
		}
	}
	return c, nil
}

// dependsOnSession reports whether converting the constant d from type
// from to type to depends on the session's time zone or on the statement
// time ('today'::date), so that it must wait for evaluation.
func dependsOnSession(d Datum, from, to Type) bool {
	if from.Kind == KindTimestampTZ || to.Kind == KindTimestampTZ || arrayDependsOnSession(from, to) {
		return true
	}
	switch to.Kind {
	case KindDate, KindTime, KindTimestamp:
		s, ok := d.(string)
		return ok && from.Kind == KindUnknown && dependsOnClock(s)
	}
	return false
}

// errNoCast is the error for a missing cast at the given level.
func errNoCast(from, to Type, level castLevel) error {
	if level == castExplicit {
		return Errorf(CodeCannotCoerce, "cannot cast type %s to %s", from, to)
	}
	return errMismatch(from, to)
}

// typeCategory is Postgres' typcategory, used to resolve common types.
func typeCategory(k Kind) byte {
	switch k {
	case KindBool:
		return 'B'
	case KindInt2, KindInt4, KindInt8, KindFloat4, KindFloat8, KindNumeric,
		KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		return 'N'
	case KindText, KindVarchar, KindName, KindUnknown:
		return 'S'
	case KindChar:
		return 'Z'
	case KindDate, KindTime, KindTimestamp, KindTimestampTZ:
		return 'D'
	case KindInterval:
		return 'T'
	}
	return 'U'
}

// isPreferred is typispreferred: the type a category resolves to by default.
func isPreferred(k Kind) bool {
	switch k {
	case KindBool, KindFloat8, KindOID, KindText, KindTimestampTZ, KindInterval:
		return true
	}
	return false
}

// CommonType resolves the type of UNION, CASE, COALESCE, VALUES and the
// like as Postgres' select_common_type: unknowns take the others' type (text
// when all are unknown); within a category the preferred type wins,
// otherwise the type the others implicitly convert to. Types of different
// categories are 42804 "types X and Y cannot be matched" (see CommonTypeIn).
// The result keeps modifiers only when all inputs share them.
func CommonType(ts []Type) (Type, error) { return CommonTypeIn("", ts) }

// CommonTypeIn is CommonType with the construct named in the error:
// "UNION types integer and text cannot be matched".
func CommonTypeIn(construct string, ts []Type) (Type, error) {
	if len(ts) == 0 {
		return Text, nil
	}
	if t, ok, err := arrayCommonType(construct, ts); ok {
		return t, err
	}
	p := Unknown
	same := true
	for _, t := range ts {
		if t != ts[0] {
			same = false
		}
		if t.Kind == KindUnknown || t.Kind == p.Kind {
			continue
		}
		switch {
		case p.Kind == KindUnknown:
			p = t
		case typeCategory(t.Kind) != typeCategory(p.Kind):
			return Type{}, errCannotMatch(construct, p, t)
		case !isPreferred(p.Kind) && CanCoerce(p, t) && !CanCoerce(t, p):
			p = t
		}
	}
	if same {
		if ts[0].Kind == KindUnknown {
			return Text, nil
		}
		return ts[0], nil
	}
	if p.Kind == KindUnknown {
		return Text, nil
	}
	p = Type{Kind: p.Kind}
	for _, t := range ts {
		if !CanCoerce(t, p) {
			return Type{}, errCannotMatch(construct, p, t)
		}
	}
	return p, nil
}

// errCannotMatch is Postgres' error for types without a common type.
func errCannotMatch(construct string, a, b Type) error {
	prefix := ""
	if construct != "" {
		prefix = construct + " "
	}
	return Errorf(CodeDatatypeMismatch, "%stypes %s and %s cannot be matched", prefix, a.Name(), b.Name())
}
