package vector

// Casts and coercions of arrays, as Postgres' array coercion: an array
// converts to an array of another element type in the context its
// elements convert in (int2[] → int4[] implicitly, int4[] → text[] on
// assignment, text[] → int4[] explicitly); int2vector and oidvector convert
// implicitly to int2[] and oid[] (keeping their first index, 0); any array
// converts to text on assignment and text to any array explicitly, through
// their text forms. Nothing converts to int2vector or oidvector but text.

// castLevelOf is castContext for types: the least context in which from
// may be cast to to, arrays included.
func castLevelOf(from, to Type) castLevel {
	if !from.Kind.IsArray() && !to.Kind.IsArray() {
		return castContext(from.Kind, to.Kind)
	}
	switch {
	case from == to || from.Kind == KindUnknown:
		return castImplicit
	case from.Kind.IsArray() && to.Kind == KindArray:
		if from.AsArray() == to {
			return castImplicit
		}
		return castContext(from.ElemType().Kind, to.Elem)
	case from.Kind.IsArray() && typeCategory(to.Kind) == 'S':
		return castAssignment
	case to.Kind.IsArray() && typeCategory(from.Kind) == 'S':
		return castExplicit
	}
	return castNone
}

// castArrayDatum converts one non-NULL value from or to an array type (a
// cast castLevelOf allows).
func castArrayDatum(ctx *EvalContext, d Datum, from, to Type, assign bool) (Datum, error) {
	loc := locOrUTC(ctx.Location)
	var a arrayVal
	var err error
	switch {
	case !to.Kind.IsArray():
		return castToString(d, from, to, assign, loc)
	case !from.Kind.IsArray():
		// Read as the unmodified type, then cast to the modifiers: an
		// explicit cast cuts varchar(n) elements, an assignment refuses
		// longer ones.
		from = to.unmodified()
		a, err = readArray(from, d.(string), loc)
	default:
		a, err = decodeArray(from, string(d.(ArrayValue)))
	}
	if err != nil {
		return nil, err
	}
	if a.elems, err = castArray(ctx, a.elems, from.ElemType(), to.ElemType(), assign); err != nil {
		return nil, err
	}
	return encodeArray(to, a), nil
}

// arrayDependsOnSession reports whether a cast from or to an array type
// depends on the session's time zone or the statement time: when the
// elements on either side are dates, times or timestamps.
func arrayDependsOnSession(from, to Type) bool {
	for _, t := range []Type{from, to} {
		switch t.ElemType().Kind {
		case KindDate, KindTime, KindTimestamp, KindTimestampTZ:
			return true
		}
	}
	return false
}

// arrayCommonType is CommonTypeIn when some type is an array (ok false
// otherwise): the type itself when all are the same (unknowns aside),
// else the array of the common type of the elements (vectors taken as
// their arrays). Anything else with an array is 42804.
func arrayCommonType(construct string, ts []Type) (t Type, ok bool, err error) {
	var first Type
	for _, x := range ts {
		if x.Kind.IsArray() {
			first, ok = x, true
			break
		}
	}
	if !ok {
		return Type{}, false, nil
	}
	same := true
	var elems []Type
	for _, x := range ts {
		switch {
		case x.Kind == KindUnknown:
		case !x.Kind.IsArray():
			return Type{}, true, errCannotMatch(construct, first, x)
		default:
			same = same && x == first
			elems = append(elems, x.ElemType())
		}
	}
	if same {
		return first, true, nil
	}
	e, err := CommonTypeIn(construct, elems)
	if err != nil {
		return Type{}, true, err
	}
	return ArrayOfKind(e.Kind), true, nil
}

// arrayCompareType is compareType when a side is an array: arrays compare
// with arrays of the very same type only (modifiers aside), as Postgres'
// anyarray operators.
func arrayCompareType(a, b Type) (Type, bool) {
	if a.unmodified() == b.unmodified() {
		return a.unmodified(), true
	}
	return Type{}, false
}
