package vector

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
)

// The catalog's scalar types: oid, the reg* types, name and "char".
//
// oid and reg* values are unsigned 32-bit object identifiers held in an
// int64 (Datum int64, always within [0, 2^32)), so they order and hash as
// the numbers they are. A reg* value is read and printed as the name of the
// object it identifies, which only the session's catalog knows (see
// CatalogReader): text → reg* and reg* → text casts ask EvalContext.Catalog;
// without one a reg* reads and prints only as its number. 0 prints as "-".
//
// name is an identifier of at most nameMaxBytes bytes (longer input is cut
// at a character boundary, as namein does); Datum string.
//
// "char" is one byte; Datum string of that byte, "" for the zero byte. Its
// text form is the byte itself, or a backslash and three octal digits when
// the high bit is set (charout); input takes the first byte of the text or
// reads that octal form back (charin).

// nameMaxBytes is NAMEDATALEN - 1: the longest name in bytes.
const nameMaxBytes = 63

// IsReg reports whether k is one of the reg* types: an OID that reads and
// prints as the name of an object.
func (k Kind) IsReg() bool { return k.IsOID() && k != KindOID }

func init() {
	// pg_cast among integers, oid and the reg* types, and of name and "char".
	oids := []Kind{KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole}
	for _, o := range oids {
		for _, i := range []Kind{KindInt2, KindInt4, KindInt8} {
			castRules[[2]Kind{i, o}] = castImplicit
		}
		castRules[[2]Kind{o, KindInt4}] = castAssignment
		castRules[[2]Kind{o, KindInt8}] = castAssignment
		if o != KindOID {
			castRules[[2]Kind{o, KindOID}] = castImplicit
			castRules[[2]Kind{KindOID, o}] = castImplicit
		}
	}
	for from, to := range map[[2]Kind]castLevel{
		{KindText, KindRegclass}: castImplicit, {KindVarchar, KindRegclass}: castImplicit,
		{KindText, KindName}: castImplicit, {KindVarchar, KindName}: castImplicit, {KindName, KindText}: castImplicit,
		{KindChar, KindText}: castImplicit, {KindText, KindChar}: castAssignment, {KindVarchar, KindChar}: castAssignment,
		{KindInt4, KindChar}: castExplicit, {KindChar, KindInt4}: castExplicit,
	} {
		castRules[from] = to
	}
}

// oidCompareType is the type an oid or reg* value compares with another
// value in: its own when both are of one kind, else oid (integers convert
// to oid implicitly, as every reg* type does); false for any other type.
func oidCompareType(a, b Kind) (Type, bool) {
	switch {
	case a == b:
		return Type{Kind: a}, true
	case (a.IsOID() || a.IsInteger()) && (b.IsOID() || b.IsInteger()):
		return OID, true
	}
	return Type{}, false
}

// parseOID reads oid input (oidin): a decimal integer with an optional
// sign, within spaces. Negative values down to -2147483648 wrap around as
// C's unsigned conversion does ('-1' is 4294967295).
func parseOID(s string) (int64, error) {
	v, err := parseInt(s, 64)
	if err != nil && ErrorCode(err) != CodeNumericValueOutOfRange {
		return 0, Errorf(CodeInvalidTextRepresentation, "invalid input syntax for type oid: %q", s)
	}
	if err != nil || v < math.MinInt32 || v > math.MaxUint32 {
		return 0, Errorf(CodeNumericValueOutOfRange, "value %q is out of range for type oid", s)
	}
	return int64(uint32(v)), nil
}

// oidInput reads the text of a value of an oid or reg* kind k. A reg*
// value is "-" (0), a string of digits (the OID itself) or the name of an
// object, which cat resolves; without a catalog a name is refused.
func oidInput(cat CatalogReader, s string, k Kind) (int64, error) {
	if k == KindOID {
		return parseOID(s)
	}
	if s == "-" {
		return 0, nil
	}
	if s != "" && leadingDigits(s) == len(s) {
		return parseOID(s)
	}
	if cat == nil {
		return 0, Errorf(CodeFeatureNotSupported, "%s %q cannot be looked up outside a session", Type{Kind: k}, s)
	}
	oid, err := cat.OIDByName(k, s)
	return int64(oid), err
}

// leadingDigits is the length of the leading run of ASCII digits of s.
func leadingDigits(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// regOutput is the text of the reg* value v of kind k: "-" for 0, the
// object's name when cat knows it, else the number.
func regOutput(cat CatalogReader, k Kind, v int64) string {
	if v == 0 {
		return "-"
	}
	if cat != nil {
		if name, ok := cat.NameByOID(k, uint32(v)); ok {
			return name
		}
	}
	return strconv.FormatInt(v, 10)
}

// appendOIDText appends the text of the oid or reg* value v of kind k as
// printed without a catalog: its number, "-" for a reg* 0.
func appendOIDText(buf []byte, k Kind, v int64) []byte {
	if k.IsReg() && v == 0 {
		return append(buf, '-')
	}
	return strconv.AppendInt(buf, v, 10)
}

// nameInput is s as a name: cut to at most nameMaxBytes bytes, at a
// character boundary.
func nameInput(s string) string {
	if len(s) <= nameMaxBytes {
		return s
	}
	cut := nameMaxBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// charInput is the "char" the text s reads as: a backslash and three
// octal digits are that byte, anything else is its first byte ("" for "").
func charInput(s string) string {
	if len(s) == 4 && s[0] == '\\' && isOctal(s[1]) && isOctal(s[2]) && isOctal(s[3]) {
		return charOf(byte((s[1]-'0')<<6 | (s[2]-'0')<<3 | (s[3] - '0')))
	}
	if s == "" {
		return ""
	}
	return charOf(s[0])
}

// charOf is the "char" Datum of byte c.
func charOf(c byte) string {
	if c == 0 {
		return ""
	}
	return string([]byte{c})
}

// appendCharText appends the text of the "char" v: the byte, or \ooo when
// its high bit is set.
func appendCharText(buf []byte, v string) []byte {
	if v == "" {
		return buf
	}
	c := v[0]
	if c < 0x80 {
		return append(buf, c)
	}
	return append(buf, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
}

// castChar converts to or from "char": from a string type (the first byte,
// see charInput) or int4 (the byte of a value in -128..127), to a string
// type (its text) or int4 (the byte as a signed number).
func castChar(d Datum, from, to Type, assign bool) (Datum, error) {
	switch {
	case to.Kind == KindChar && from.Kind == KindInt4:
		v := d.(int32)
		if v < math.MinInt8 || v > math.MaxInt8 {
			return nil, Errorf(CodeNumericValueOutOfRange, "\"char\" out of range")
		}
		return charOf(byte(v)), nil
	case to.Kind == KindChar:
		return charInput(d.(string)), nil
	case to.Kind == KindInt4:
		if s := d.(string); s != "" {
			return int32(int8(s[0])), nil
		}
		return int32(0), nil
	}
	return castToString(string(appendCharText(nil, d.(string))), Text, to, assign, nil)
}

// castOIDDatum converts a value to or from oid or a reg* type: to and from
// text (through ctx.Catalog for the reg* types), and among integers, oid
// and the reg* types (see castOIDs).
func castOIDDatum(ctx *EvalContext, d Datum, from, to Type, assign bool) (Datum, error) {
	switch {
	case from.Kind.IsReg() && to.Kind.IsString():
		return castToString(regOutput(ctx.Catalog, from.Kind, d.(int64)), Text, to, assign, nil)
	case to.Kind.IsString():
		return castToString(d, from, to, assign, nil)
	case from.Kind.IsString() || from.Kind == KindUnknown:
		return oidInput(ctx.Catalog, d.(string), to.Kind)
	}
	arr, err, ok := castOIDs(ArrayOf(from, d), from, to)
	if !ok {
		return nil, Errorf(CodeCannotCoerce, "cannot cast type %s to %s", from, to)
	}
	if err != nil {
		return nil, err
	}
	return ValueAt(arr, to, 0), nil
}

// castOIDs converts a column among integers, oid and the reg* types with
// typed loops, as Postgres' casts do: int2 and int4 wrap negative values
// around (-1 is 4294967295), int8 must be within [0, 2^32) ("OID out of
// range"), an OID becomes the int4 of the same bits or the int8 of the same
// value; oid and the reg* types share their values. ok is false for any
// other pair.
func castOIDs(arr arrow.Array, from, to Type) (out arrow.Array, err error, ok bool) {
	switch {
	case from.Kind.IsOID() && (to.Kind.IsOID() || to.Kind == KindInt8):
		return arr, nil, true
	case from.Kind.IsOID() && to.Kind == KindInt4:
		out, err = convertValues(arr, arrow.GetValues[int64](arr.Data(), 1), to, func(v int64) (int32, error) {
			return int32(uint32(v)), nil
		})
		return out, err, true
	case !to.Kind.IsOID():
		return nil, nil, false
	case from.Kind == KindInt2:
		out, err = convertValues(arr, arrow.GetValues[int16](arr.Data(), 1), to, wrapOID[int16])
	case from.Kind == KindInt4:
		out, err = convertValues(arr, arrow.GetValues[int32](arr.Data(), 1), to, wrapOID[int32])
	case from.Kind == KindInt8:
		out, err = convertValues(arr, arrow.GetValues[int64](arr.Data(), 1), to, func(v int64) (int64, error) {
			if v < 0 || v > math.MaxUint32 {
				return 0, Errorf(CodeNumericValueOutOfRange, "OID out of range")
			}
			return v, nil
		})
	default:
		return nil, nil, false
	}
	return out, err, true
}

// wrapOID is the OID with the bits of a 16- or 32-bit integer.
func wrapOID[T int16 | int32](v T) (int64, error) { return int64(uint32(int32(v))), nil }

// readsCatalog reports whether a cast from one type to the other looks
// objects up in the session's catalog (text to reg* and back), so that a
// constant cannot be converted before evaluation.
func readsCatalog(from, to Type) bool {
	textual := func(k Kind) bool { return k.IsString() || k == KindUnknown }
	return from.Kind.IsReg() && textual(to.Kind) || to.Kind.IsReg() && textual(from.Kind)
}
