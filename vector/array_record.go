package vector

import (
	"cmp"
	"encoding/binary"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Records: the anonymous composite values set-returning functions such as
// information_schema._pg_expandarray return, read field by field with
// (value).field. A record is held as its canonical text, as record_out
// prints it: "(a,1)", a NULL field empty, a field quoted when it is empty
// or holds parentheses, commas, quotes, backslashes or whitespace (quotes
// and backslashes then doubled). Its Datum is that text, a string.

// RecordType describes the fields of a record type.
type RecordType struct {
	Names []string
	Types []Type
}

// NewRecordType is the record type with the given fields.
func NewRecordType(names []string, types []Type) Type {
	return Type{Kind: KindRecord, Record: &RecordType{Names: names, Types: types}}
}

// appendRecordField appends the text of a field as record_out prints it:
// quoted when empty or holding parentheses, commas, quotes, backslashes or
// whitespace (quotes and backslashes then doubled).
func appendRecordField(dst, v []byte) []byte {
	return appendQuotable(dst, v, len(v) == 0, "(),", false)
}

// appendRecord appends the canonical text of the record whose fields are
// row i of cols (of the field types of t).
func appendRecord(dst []byte, t Type, cols []arrow.Array, i int) []byte {
	var scratch []byte
	dst = append(dst, '(')
	for k, c := range cols {
		if k > 0 {
			dst = append(dst, ',')
		}
		if c.IsNull(i) {
			continue
		}
		scratch = AppendText(scratch[:0], c, t.Record.Types[k], i, time.UTC)
		dst = appendRecordField(dst, scratch)
	}
	return append(dst, ')')
}

// recordFields splits canonical record text into its fields (NULL fields
// marked). Stored text is canonical; anything else yields no fields.
func recordFields(s string) []arrayToken {
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return nil
	}
	var out []arrayToken
	var b strings.Builder
	quoted, any := false, false
	for p := 1; p < len(s); p++ {
		c := s[p]
		switch {
		case quoted && c == '"' && p+1 < len(s) && s[p+1] == '"',
			c == '\\' && p+1 < len(s):
			p++
			b.WriteByte(s[p])
		case c == '"':
			quoted, any = !quoted, true
		case !quoted && (c == ',' || c == ')'):
			out = append(out, arrayToken{text: b.String(), null: !any})
			b.Reset()
			any = false
		default:
			b.WriteByte(c)
			any = true
		}
	}
	return out
}

// recordField is field k of a stored record of type t as a Datum (nil
// when NULL).
func recordField(t Type, s string, k int) (Datum, error) {
	fields := recordFields(s)
	if k >= len(fields) || fields[k].null {
		return nil, nil
	}
	return ParseText(fields[k].text, t.Record.Types[k], time.UTC)
}

// NewFieldSelect is (e).field: the field of a record. A type that is not a
// record is 42809, a field the record does not have 42703.
func NewFieldSelect(e Expr, field string) (Expr, error) {
	t := e.Type()
	if t.Kind != KindRecord || t.Record == nil {
		return nil, Errorf(CodeWrongObjectType, "column notation .%s applied to type %s, which is not a composite type", field, t.Name())
	}
	k := -1
	for i, n := range t.Record.Names {
		if n == field {
			k = i
		}
	}
	if k < 0 {
		return nil, Errorf(CodeUndefinedColumn, "could not identify column \"%s\" in record data type", field)
	}
	ft := t.Record.Types[k]
	return newCall("."+field, false, ft, []Expr{e}, func(_ *EvalContext, ops []operand, n int) (arrow.Array, error) {
		r := newRow(ops)
		out := NewBuilder(ft, n)
		for r.i = 0; r.i < n; r.i++ {
			if r.null(0) {
				out.AppendNull()
				continue
			}
			d, err := recordField(t, string(r.str(0)), k)
			if err != nil {
				return nil, err
			}
			out.Append(d)
		}
		return out.Finish(), nil
	}, immutable)
}

// recordDatums is every field of a stored record as a Datum.
func recordDatums(t Type, s string) []Datum {
	out := make([]Datum, len(t.Record.Types))
	for k := range out {
		out[k], _ = recordField(t, s, k)
	}
	return out
}

// compareRecordText orders two stored records of type t field by field, a
// NULL field after any value (record_cmp).
func compareRecordText(t Type, a, b string) int {
	if a == b || t.Record == nil {
		return cmp.Compare(a, b)
	}
	x, y := recordDatums(t, a), recordDatums(t, b)
	for k, ft := range t.Record.Types {
		switch {
		case x[k] == nil && y[k] == nil:
		case x[k] == nil:
			return 1
		case y[k] == nil:
			return -1
		default:
			if c := CompareDatum(ft, x[k], y[k]); c != 0 {
				return c
			}
		}
	}
	return 0
}

// hashRecordColumn mixes the records of arr (of type t) into hashes field
// by field, each as HashColumn hashes its type, so that records
// compareRecordText finds equal hash equal.
func hashRecordColumn(arr arrow.Array, t Type, hashes []uint64) {
	offs, data := RawBytes(arr)
	one := make([]uint64, 1)
	for i := range hashes {
		if arr.IsNull(i) || t.Record == nil {
			continue
		}
		for k, d := range recordDatums(t, string(data[offs[i]:offs[i+1]])) {
			one[0] = hashes[i]
			HashColumn(ArrayOf(t.Record.Types[k], d), t.Record.Types[k], one)
			hashes[i] = one[0]
		}
	}
}

// appendRecordBinary appends record_send's form of a stored record of type
// t: int32 number of fields, then per field int32 type OID, int32 length
// (-1 for NULL) and the field's binary form.
func appendRecordBinary(buf []byte, t Type, s string) []byte {
	var fields []Type
	if t.Record != nil {
		fields = t.Record.Types
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(fields)))
	for k, d := range recordDatums(t, s) {
		buf = binary.BigEndian.AppendUint32(buf, fields[k].OID())
		if d == nil {
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32)
			continue
		}
		lp := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		buf = AppendBinary(buf, ArrayOf(fields[k], d), fields[k], 0)
		binary.BigEndian.PutUint32(buf[lp:], uint32(len(buf)-lp-4))
	}
	return buf
}
