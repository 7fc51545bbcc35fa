package vector

import (
	"encoding/binary"
	"math"
)

// The binary form of arrays (array_send / array_recv): int32 number of
// dimensions (0 for an empty array), int32 flags (1 when an element is
// NULL), int32 element type OID, then per dimension int32 length and int32
// lower bound, then per element int32 length (-1 for NULL) and the
// element's binary form. int2vector and oidvector are sent as arrays of
// int2 and oid with lower bound 0, and read back only in that shape.

// appendArrayBinary appends the binary form of s, a stored value of array
// type t.
func appendArrayBinary(buf []byte, t Type, s string) []byte {
	a, err := decodeArray(t, s)
	if err != nil {
		panic("vector: corrupt stored array: " + s)
	}
	elem := t.ElemType()
	ndim, flags := uint32(0), uint32(0)
	if a.n() > 0 {
		ndim = 1
	}
	if a.elems.NullN() > 0 {
		flags = 1
	}
	buf = binary.BigEndian.AppendUint32(buf, ndim)
	buf = binary.BigEndian.AppendUint32(buf, flags)
	buf = binary.BigEndian.AppendUint32(buf, elem.OID())
	if ndim == 0 {
		return buf
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(a.n()))
	buf = binary.BigEndian.AppendUint32(buf, uint32(a.lower))
	for i := 0; i < a.n(); i++ {
		if a.elems.IsNull(i) {
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32)
			continue
		}
		lp := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		buf = AppendBinary(buf, a.elems, elem, i)
		binary.BigEndian.PutUint32(buf[lp:], uint32(len(buf)-lp-4))
	}
	return buf
}

// decodeArrayBinary reads the binary form of a value of array type t.
// Malformed input is 22P03, an element type other than t's 42804, and
// several dimensions 0A000.
func decodeArrayBinary(b []byte, t Type) (ArrayValue, error) {
	word := func() (int32, bool) {
		if len(b) < 4 {
			return 0, false
		}
		v := int32(binary.BigEndian.Uint32(b))
		b = b[4:]
		return v, true
	}
	ndim, ok1 := word()
	flags, ok2 := word()
	oid, ok3 := word()
	if !ok1 || !ok2 || !ok3 {
		return "", errBinaryFormat()
	}
	elem := t.ElemType()
	switch {
	case ndim < 0 || ndim > 6:
		return "", Errorf(CodeInvalidBinaryRepresentation, "invalid number of dimensions: %d", ndim)
	case ndim > 1:
		return "", errMultiDim()
	case flags != 0 && flags != 1:
		return "", Errorf(CodeInvalidBinaryRepresentation, "invalid array flags")
	case uint32(oid) != elem.OID():
		name := "unknown"
		if et, ok := TypeByOID(uint32(oid)); ok {
			name = et.Name()
		}
		return "", Errorf(CodeDatatypeMismatch, "binary data has array element type %d (%s) instead of expected %d (%s)",
			uint32(oid), name, elem.OID(), elem.Name())
	}
	a := arrayVal{lower: 1}
	n := int32(0)
	if ndim == 1 {
		var ok bool
		if n, ok = word(); !ok {
			return "", errBinaryFormat()
		}
		if a.lower, ok = word(); !ok || n < 0 {
			return "", errBinaryFormat()
		}
	}
	if t.Kind != KindArray && (a.lower != 0 && n > 0 || flags != 0) {
		return "", errVectorBinary(t)
	}
	if int64(a.lower)+int64(n) > math.MaxInt32+1 {
		return "", Errorf(CodeProgramLimitExceeded, "array size exceeds the maximum allowed")
	}
	eb := NewBuilder(elem, int(min(n, 1024)))
	for k := int32(0); k < n; k++ {
		size, ok := word()
		switch {
		case !ok || size < -1 || int(size) > len(b):
			return "", errBinaryFormat()
		case size == -1:
			if t.Kind != KindArray {
				return "", errVectorBinary(t)
			}
			eb.AppendNull()
			continue
		}
		d, err := DecodeBinary(b[:size], elem)
		if err != nil {
			return "", err
		}
		eb.Append(d)
		b = b[size:]
	}
	if len(b) != 0 {
		return "", errBinaryFormat()
	}
	a.elems = eb.Finish()
	if n == 0 {
		a.lower = 1
	}
	return encodeArray(t, a), nil
}

// errVectorBinary is the error for binary int2vector or oidvector input
// that is not a one-dimensional array from index 0 without NULLs.
func errVectorBinary(t Type) error {
	return Errorf(CodeInvalidBinaryRepresentation, "invalid %s data", t.Name())
}
