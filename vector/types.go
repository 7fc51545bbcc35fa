// Package vector is the vocabulary of runnel's data plane: SQL types and their
// Arrow representation, batches of rows, single values (Datum), compiled
// expressions evaluated a column at a time, scalar functions, key hashing, and
// the Postgres text and binary encodings of every value.
//
// vector imports nothing else of runnel; every other package builds on it.
package vector

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the family of a SQL type.
type Kind uint8

// The kinds of SQL type runnel knows. KindUnknown is the type of a string
// literal or NULL whose type is not yet decided (Postgres' "unknown", OID 705);
// it is resolved by context before evaluation whenever possible.
const (
	KindUnknown Kind = iota
	KindBool
	KindInt2
	KindInt4
	KindInt8
	KindFloat4
	KindFloat8
	KindNumeric
	KindText
	KindVarchar
	KindBytea
	KindDate
	KindTime
	KindTimestamp
	KindTimestampTZ
	KindInterval
	KindJSONB
	// The catalog's own types. oid and the reg* types are unsigned 32-bit
	// object identifiers; a reg* value prints as the name of the object it
	// identifies and reads a name (see CatalogReader).
	KindOID
	KindRegclass
	KindRegtype
	KindRegproc
	KindRegnamespace
	KindRegrole
	// name is Postgres' identifier type and "char" its one-byte type; both
	// hold Go strings like text.
	KindName
	KindChar
	// int2vector and oidvector are the catalog's zero-based vectors
	// (pg_index.indkey, pg_proc.proargtypes): text "1 2", elements int2 or
	// oid.
	KindInt2Vector
	KindOIDVector
	// KindArray is a one-dimensional array of Type.Elem (lower bound 1).
	KindArray
	// KindRecord is an anonymous composite value (Postgres' record) with
	// the fields Type.Record describes, as set-returning functions such as
	// information_schema._pg_expandarray return.
	KindRecord
	numKinds
)

// Type is a SQL type: a kind plus its modifiers.
//
// Physical representation (the Arrow type of a column of this type, see
// ArrowType):
//
//	bool          Boolean
//	int2/4/8      Int16 / Int32 / Int64
//	float4/8      Float32 / Float64
//	numeric       String holding the canonical Postgres text of the value
//	              (per-value display scale, as Postgres keeps it)
//	text, varchar String
//	bytea         Binary
//	date          Date32 (days since 1970-01-01)
//	time          Time64 in microseconds since midnight
//	timestamp     Timestamp(µs, no zone): µs since 1970-01-01 00:00:00
//	timestamptz   Timestamp(µs, "UTC"): µs since the Unix epoch
//	interval      MonthDayNanoInterval (nanoseconds are always a multiple of 1000)
//	              months and days int32 as in Postgres, but the time part
//	              is int64 nanoseconds, so it is limited to about ±292 years
//	              (±2562047 hours; Postgres' int64 µs allow ±292271 years):
//	              input, binary receive and arithmetic beyond it fail with
//	              22008 (see maxIntervalMicros)
//	jsonb         String holding the canonical jsonb text (as Postgres prints it)
//	oid, reg*     Int64 holding the unsigned 32-bit identifier
//	name, "char"  String
//	int2vector,   String holding the canonical Postgres text of the value
//	oidvector,    ("1 2" for the vectors, "{a,b}" for arrays, "(a,1)" for
//	arrays,       records), as numeric and jsonb are held
//	record
//	unknown       String (the literal's text)
type Type struct {
	Kind Kind
	// Precision and Scale constrain numeric(p,s); Precision 0 means an
	// unconstrained numeric.
	Precision, Scale int32
	// Width is n of varchar(n); 0 means no limit.
	Width int32
	// Elem is the element kind of an array (KindArray), whose modifiers
	// are the array's Precision, Scale and Width (varchar(3)[]).
	Elem Kind
	// Record describes the fields of a record (KindRecord).
	Record *RecordType
}

// Common types without modifiers.
var (
	Unknown     = Type{Kind: KindUnknown}
	Bool        = Type{Kind: KindBool}
	Int2        = Type{Kind: KindInt2}
	Int4        = Type{Kind: KindInt4}
	Int8        = Type{Kind: KindInt8}
	Float4      = Type{Kind: KindFloat4}
	Float8      = Type{Kind: KindFloat8}
	Numeric     = Type{Kind: KindNumeric}
	Text        = Type{Kind: KindText}
	Varchar     = Type{Kind: KindVarchar}
	Bytea       = Type{Kind: KindBytea}
	Date        = Type{Kind: KindDate}
	Time        = Type{Kind: KindTime}
	Timestamp   = Type{Kind: KindTimestamp}
	TimestampTZ = Type{Kind: KindTimestampTZ}
	Interval    = Type{Kind: KindInterval}
	JSONB       = Type{Kind: KindJSONB}
	OID         = Type{Kind: KindOID}
	Regclass    = Type{Kind: KindRegclass}
	Regtype     = Type{Kind: KindRegtype}
	Regproc     = Type{Kind: KindRegproc}
	Name        = Type{Kind: KindName}
	Char        = Type{Kind: KindChar}
	Int2Vector  = Type{Kind: KindInt2Vector}
	OIDVector   = Type{Kind: KindOIDVector}
)

// ArrayOfKind is the type of a one-dimensional array of elem.
func ArrayOfKind(elem Kind) Type { return Type{Kind: KindArray, Elem: elem} }

// Postgres type OIDs (from pg_type.dat).
const (
	OIDBool         uint32 = 16
	OIDBytea        uint32 = 17
	OIDInt8         uint32 = 20
	OIDInt2         uint32 = 21
	OIDInt4         uint32 = 23
	OIDText         uint32 = 25
	OIDFloat4       uint32 = 700
	OIDFloat8       uint32 = 701
	OIDUnknown      uint32 = 705
	OIDVarchar      uint32 = 1043
	OIDDate         uint32 = 1082
	OIDTime         uint32 = 1083
	OIDTimestamp    uint32 = 1114
	OIDTimestampTZ  uint32 = 1184
	OIDInterval     uint32 = 1186
	OIDNumeric      uint32 = 1700
	OIDJSONB        uint32 = 3802
	OIDOID          uint32 = 26
	OIDRegclass     uint32 = 2205
	OIDRegtype      uint32 = 2206
	OIDRegproc      uint32 = 24
	OIDRegnamespace uint32 = 4089
	OIDRegrole      uint32 = 4096
	OIDName         uint32 = 19
	OIDChar         uint32 = 18
	OIDInt2Vector   uint32 = 22
	OIDOIDVector    uint32 = 30
)

// arrayOIDs are the OIDs of the array types, by element kind (pg_type's
// typarray).
var arrayOIDs = [numKinds]uint32{
	KindBool: 1000, KindInt2: 1005, KindInt4: 1007, KindInt8: 1016, KindFloat4: 1021, KindFloat8: 1022,
	KindNumeric: 1231, KindText: 1009, KindVarchar: 1015, KindBytea: 1001, KindDate: 1182, KindTime: 1183,
	KindTimestamp: 1115, KindTimestampTZ: 1185, KindInterval: 1187, KindJSONB: 3807, KindOID: 1028,
	KindRegclass: 2210, KindRegtype: 2211, KindRegproc: 1008, KindRegnamespace: 4090, KindRegrole: 4097,
	KindName: 1003, KindChar: 1002, KindInt2Vector: 1006, KindOIDVector: 1013,
}

type kindInfo struct {
	oid  uint32
	name string // as pg_typeof and format_type print it, without modifiers
	size int16  // typlen: -1 for variable length
}

var kinds = [numKinds]kindInfo{
	KindUnknown:      {OIDUnknown, "unknown", -2},
	KindBool:         {OIDBool, "boolean", 1},
	KindInt2:         {OIDInt2, "smallint", 2},
	KindInt4:         {OIDInt4, "integer", 4},
	KindInt8:         {OIDInt8, "bigint", 8},
	KindFloat4:       {OIDFloat4, "real", 4},
	KindFloat8:       {OIDFloat8, "double precision", 8},
	KindNumeric:      {OIDNumeric, "numeric", -1},
	KindText:         {OIDText, "text", -1},
	KindVarchar:      {OIDVarchar, "character varying", -1},
	KindBytea:        {OIDBytea, "bytea", -1},
	KindDate:         {OIDDate, "date", 4},
	KindTime:         {OIDTime, "time without time zone", 8},
	KindTimestamp:    {OIDTimestamp, "timestamp without time zone", 8},
	KindTimestampTZ:  {OIDTimestampTZ, "timestamp with time zone", 8},
	KindInterval:     {OIDInterval, "interval", 16},
	KindJSONB:        {OIDJSONB, "jsonb", -1},
	KindOID:          {OIDOID, "oid", 4},
	KindRegclass:     {OIDRegclass, "regclass", 4},
	KindRegtype:      {OIDRegtype, "regtype", 4},
	KindRegproc:      {OIDRegproc, "regproc", 4},
	KindRegnamespace: {OIDRegnamespace, "regnamespace", 4},
	KindRegrole:      {OIDRegrole, "regrole", 4},
	KindName:         {OIDName, "name", 64},
	KindChar:         {OIDChar, "\"char\"", 1},
	KindInt2Vector:   {OIDInt2Vector, "int2vector", -1},
	KindOIDVector:    {OIDOIDVector, "oidvector", -1},
	KindArray:        {0, "array", -1},
	KindRecord:       {2249, "record", -1},
}

// OID is the Postgres type OID.
func (t Type) OID() uint32 {
	if t.Kind == KindArray {
		return arrayOIDs[t.Elem]
	}
	return kinds[t.Kind].oid
}

// Size is the Postgres typlen: the fixed width in bytes, or -1 for variable length.
func (t Type) Size() int16 { return kinds[t.Kind].size }

// Modifier is the Postgres atttypmod: -1 when the type has no modifier.
func (t Type) Modifier() int32 {
	switch {
	case t.Kind == KindArray:
		return t.ElemType().Modifier()
	case t.Kind == KindNumeric && t.Precision > 0:
		return (t.Precision<<16 | t.Scale) + 4
	case t.Kind == KindVarchar && t.Width > 0:
		return t.Width + 4
	}
	return -1
}

// String is the type's name as Postgres' format_type prints it, modifiers
// included: "integer", "numeric(10,2)", "character varying(20)".
func (t Type) String() string {
	switch {
	case t.Kind == KindArray:
		return t.ElemType().String() + "[]"
	case t.Kind == KindNumeric && t.Precision > 0:
		return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
	case t.Kind == KindVarchar && t.Width > 0:
		return fmt.Sprintf("character varying(%d)", t.Width)
	}
	return t.Name()
}

// Name is the type's name without modifiers, as pg_typeof prints it.
func (t Type) Name() string {
	if t.Kind == KindArray {
		return kinds[t.Elem].name + "[]"
	}
	return kinds[t.Kind].name
}

// IsNumeric reports whether the kind is a number (integer, float or numeric).
func (k Kind) IsNumeric() bool { return k >= KindInt2 && k <= KindNumeric }

// IsInteger reports whether the kind is int2, int4 or int8.
func (k Kind) IsInteger() bool { return k >= KindInt2 && k <= KindInt8 }

// IsString reports whether values of the kind are Go strings of text
// (text, varchar, name, "char").
func (k Kind) IsString() bool {
	return k == KindText || k == KindVarchar || k == KindName || k == KindChar
}

// IsOID reports whether the kind is oid or a reg* type.
func (k Kind) IsOID() bool { return k >= KindOID && k <= KindRegrole }

// TypeByOID returns the type with the given OID, without modifiers.
func TypeByOID(oid uint32) (Type, bool) {
	for k, info := range kinds {
		if info.oid == oid && oid != 0 {
			return Type{Kind: Kind(k)}, true
		}
	}
	for k, a := range arrayOIDs {
		if a == oid && oid != 0 {
			return ArrayOfKind(Kind(k)), true
		}
	}
	return Type{}, false
}

// Arrow types of the physical representation (see Type).
var (
	arrowTimestamp   = &arrow.TimestampType{Unit: arrow.Microsecond}
	arrowTimestampTZ = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
)

// ArrowType is the Arrow data type of a column of t.
func (t Type) ArrowType() arrow.DataType {
	switch t.Kind {
	case KindBool:
		return arrow.FixedWidthTypes.Boolean
	case KindInt2:
		return arrow.PrimitiveTypes.Int16
	case KindInt4:
		return arrow.PrimitiveTypes.Int32
	case KindInt8, KindOID, KindRegclass, KindRegtype, KindRegproc, KindRegnamespace, KindRegrole:
		return arrow.PrimitiveTypes.Int64
	case KindFloat4:
		return arrow.PrimitiveTypes.Float32
	case KindFloat8:
		return arrow.PrimitiveTypes.Float64
	case KindNumeric, KindText, KindVarchar, KindJSONB, KindUnknown, KindName, KindChar,
		KindInt2Vector, KindOIDVector, KindArray, KindRecord:
		return arrow.BinaryTypes.String
	case KindBytea:
		return arrow.BinaryTypes.Binary
	case KindDate:
		return arrow.FixedWidthTypes.Date32
	case KindTime:
		return arrow.FixedWidthTypes.Time64us
	case KindTimestamp:
		return arrowTimestamp
	case KindTimestampTZ:
		return arrowTimestampTZ
	case KindInterval:
		return arrow.FixedWidthTypes.MonthDayNanoInterval
	}
	panic(fmt.Sprintf("vector: no Arrow type for kind %d", t.Kind))
}
