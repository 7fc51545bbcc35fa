package vector

import (
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Arrays, int2vector and oidvector.
//
// A value of any of the three is held as its canonical Postgres text, in a
// String column and as an ArrayValue Datum: "{1,2}", `{a,"b c",NULL}`,
// "[0:1]={1,2}" for an array whose first index is not 1, "1 2" for the
// vectors. The canonical text is what array_out prints, with timestamptz
// elements in UTC. Holding the text keeps hashing, take, storage and the
// row codec as for strings; anything that looks inside a value takes it
// apart into an arrayVal, whose elements are a column of the element type,
// so every element operation reuses the column code of that type.
//
// Arrays are one-dimensional: input of several dimensions is refused with
// 0A000.

// ArrayValue is the Datum of an array, int2vector or oidvector: its
// canonical text (see above).
type ArrayValue string

// IsArray reports whether values of the kind are arrays: KindArray and the
// vectors int2vector and oidvector, which behave as arrays of int2 and oid
// whose first index is 0.
func (k Kind) IsArray() bool {
	return k == KindArray || k == KindInt2Vector || k == KindOIDVector
}

// ArrayType is the type of a one-dimensional array of elem, whose
// modifiers (varchar(3), numeric(5,2)) apply to every element.
func ArrayType(elem Type) Type {
	return Type{Kind: KindArray, Elem: elem.Kind, Precision: elem.Precision, Scale: elem.Scale, Width: elem.Width}
}

// ElemType is the type of the elements of an array type: Elem with the
// array's modifiers for an array, int2 for int2vector, oid for oidvector.
// It is the zero Type for other kinds.
func (t Type) ElemType() Type {
	switch t.Kind {
	case KindArray:
		return Type{Kind: t.Elem, Precision: t.Precision, Scale: t.Scale, Width: t.Width}
	case KindInt2Vector:
		return Int2
	case KindOIDVector:
		return OID
	}
	return Type{}
}

// unmodified is an array type without its elements' modifiers: the type
// its values compare and compute in.
func (t Type) unmodified() Type {
	if t.Kind == KindArray {
		return ArrayOfKind(t.Elem)
	}
	return t
}

// AsArray is the array type an array-like type acts as: itself for an
// array, int2[] for int2vector and oid[] for oidvector (Postgres' implicit
// binary coercions).
func (t Type) AsArray() Type {
	if t.Kind == KindArray {
		return t
	}
	return ArrayOfKind(t.ElemType().Kind)
}

// arrayVal is an array value taken apart: the index of its first element
// and its elements, a column of the element type. Invariant: lower is 1
// for an empty array, and always 0 for int2vector and oidvector.
type arrayVal struct {
	lower int32
	elems arrow.Array
}

// n is the number of elements.
func (a arrayVal) n() int { return a.elems.Len() }

// upper is the index of the last element (lower-1 when empty).
func (a arrayVal) upper() int64 { return int64(a.lower) + int64(a.n()) - 1 }

// decodeArray takes apart a stored value of array type t. Stored text is
// canonical and its elements fit t's modifiers, so an error means corrupt
// data.
func decodeArray(t Type, s string) (arrayVal, error) {
	return readArray(t.unmodified(), s, time.UTC)
}

// readArray parses the text input of a value of array type t (timestamptz
// elements without zone read in loc).
func readArray(t Type, s string, loc *time.Location) (arrayVal, error) {
	elem := t.ElemType()
	b := NewBuilder(elem, 4)
	if t.Kind != KindArray {
		for _, f := range vectorFields(s) {
			if err := b.AppendText([]byte(f), loc); err != nil {
				return arrayVal{}, err
			}
		}
		return arrayVal{lower: 0, elems: b.Finish()}, nil
	}
	lower, toks, err := splitArrayText(s)
	if err != nil {
		return arrayVal{}, err
	}
	for _, tok := range toks {
		if tok.null {
			b.AppendNull()
			continue
		}
		if err := b.AppendText([]byte(tok.text), loc); err != nil {
			return arrayVal{}, err
		}
	}
	if len(toks) == 0 {
		lower = 1
	}
	return arrayVal{lower: lower, elems: b.Finish()}, nil
}

// vectorFields splits the text of an int2vector or oidvector at runs of
// spaces.
func vectorFields(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		if j > i {
			out = append(out, s[i:j])
		}
		i = j
	}
	return out
}

// appendArray appends the text of a (of array type t) with timestamptz
// elements shown in loc: the canonical text when loc is UTC.
func appendArray(dst []byte, t Type, a arrayVal, loc *time.Location) []byte {
	elem := t.ElemType()
	var scratch []byte
	if t.Kind != KindArray {
		for i := 0; i < a.n(); i++ {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = AppendText(dst, a.elems, elem, i, loc)
		}
		return dst
	}
	if a.n() > 0 && a.lower != 1 {
		dst = append(dst, '[')
		dst = strconv.AppendInt(dst, int64(a.lower), 10)
		dst = append(dst, ':')
		dst = strconv.AppendInt(dst, a.upper(), 10)
		dst = append(dst, ']', '=')
	}
	dst = append(dst, '{')
	for i := 0; i < a.n(); i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		if a.elems.IsNull(i) {
			dst = append(dst, "NULL"...)
			continue
		}
		scratch = AppendText(scratch[:0], a.elems, elem, i, loc)
		dst = appendArrayElem(dst, scratch)
	}
	return append(dst, '}')
}

// encodeArray is the canonical text of a.
func encodeArray(t Type, a arrayVal) ArrayValue {
	return ArrayValue(appendArray(nil, t, a, time.UTC))
}

// appendArrayValueText appends the text of a stored value of array type t
// as shown in loc: the stored text itself unless timestamptz elements must
// be shown in another zone than UTC.
func appendArrayValueText(dst []byte, t Type, s string, loc *time.Location) []byte {
	if t.ElemType().Kind != KindTimestampTZ || loc == nil || loc == time.UTC {
		return append(dst, s...)
	}
	a, err := decodeArray(t, s)
	if err != nil {
		return append(dst, s...)
	}
	return appendArray(dst, t, a, loc)
}

// NewArrayValue is the array of element type elem holding vals (nil
// entries are NULL), first index 1. Each value must be of elem's Go type
// (see Datum).
func NewArrayValue(elem Type, vals []Datum) ArrayValue {
	return encodeArray(ArrayOfKind(elem.Kind), arrayVal{lower: 1, elems: ArrayOf(Type{Kind: elem.Kind}, vals...)})
}

// ArrayElements is the elements of v, a non-NULL value of array type t, as
// a column of t.ElemType().
func ArrayElements(t Type, v Datum) (arrow.Array, error) {
	a, err := decodeArray(t, string(v.(ArrayValue)))
	return a.elems, err
}
