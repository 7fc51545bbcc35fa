package catalog

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/runneldb/runnel/vector"
)

// The types and functions pg_type and pg_proc show: runnel's types (with
// their array types, derived from the element type as Postgres declares
// them) and the pseudo-types that functions take or return, with Postgres'
// OIDs; the input/output functions of those types, and the built-in scalar
// functions of package vector.

// ioRole is a type's support function: the index of ioFunc in pgType.io.
type ioRole int

const (
	ioInput ioRole = iota
	ioOutput
	ioReceive
	ioSend
	ioModIn
	ioModOut
	ioSubscript
	ioCount
)

// ioFunc is a support function of a type; OID 0 means none.
type ioFunc struct {
	oid  uint32
	name string
}

// pgType is a row of pg_type (values from Postgres 15's pg_type.dat).
type pgType struct {
	oid       uint32
	name      string
	len       int16
	byval     bool
	typtype   byte
	category  byte
	preferred bool
	elem      uint32
	array     uint32
	io        [ioCount]ioFunc
	align     byte
	storage   byte
	collation uint32
}

// baseTypes are the types runnel has and the pseudo-types of its
// functions; arrayTypes derives their array types.
var baseTypes = []pgType{
	{16, "bool", 1, true, 'b', 'B', true, 0, 1000, [ioCount]ioFunc{{1242, "boolin"}, {1243, "boolout"}, {2436, "boolrecv"}, {2437, "boolsend"}, {}, {}, {}}, 'c', 'p', 0},
	{17, "bytea", -1, false, 'b', 'U', false, 0, 1001, [ioCount]ioFunc{{1244, "byteain"}, {31, "byteaout"}, {2412, "bytearecv"}, {2413, "byteasend"}, {}, {}, {}}, 'i', 'x', 0},
	{18, "char", 1, true, 'b', 'Z', false, 0, 1002, [ioCount]ioFunc{{1245, "charin"}, {33, "charout"}, {2434, "charrecv"}, {2435, "charsend"}, {}, {}, {}}, 'c', 'p', 0},
	{19, "name", 64, false, 'b', 'S', false, 18, 1003, [ioCount]ioFunc{{34, "namein"}, {35, "nameout"}, {2422, "namerecv"}, {2423, "namesend"}, {}, {}, {6180, "raw_array_subscript_handler"}}, 'c', 'p', 950},
	{20, "int8", 8, true, 'b', 'N', false, 0, 1016, [ioCount]ioFunc{{460, "int8in"}, {461, "int8out"}, {2408, "int8recv"}, {2409, "int8send"}, {}, {}, {}}, 'd', 'p', 0},
	{21, "int2", 2, true, 'b', 'N', false, 0, 1005, [ioCount]ioFunc{{38, "int2in"}, {39, "int2out"}, {2404, "int2recv"}, {2405, "int2send"}, {}, {}, {}}, 's', 'p', 0},
	{22, "int2vector", -1, false, 'b', 'A', false, 21, 1006, [ioCount]ioFunc{{40, "int2vectorin"}, {41, "int2vectorout"}, {2410, "int2vectorrecv"}, {2411, "int2vectorsend"}, {}, {}, {6179, "array_subscript_handler"}}, 'i', 'p', 0},
	{23, "int4", 4, true, 'b', 'N', false, 0, 1007, [ioCount]ioFunc{{42, "int4in"}, {43, "int4out"}, {2406, "int4recv"}, {2407, "int4send"}, {}, {}, {}}, 'i', 'p', 0},
	{24, "regproc", 4, true, 'b', 'N', false, 0, 1008, [ioCount]ioFunc{{44, "regprocin"}, {45, "regprocout"}, {2444, "regprocrecv"}, {2445, "regprocsend"}, {}, {}, {}}, 'i', 'p', 0},
	{25, "text", -1, false, 'b', 'S', true, 0, 1009, [ioCount]ioFunc{{46, "textin"}, {47, "textout"}, {2414, "textrecv"}, {2415, "textsend"}, {}, {}, {}}, 'i', 'x', 100},
	{26, "oid", 4, true, 'b', 'N', true, 0, 1028, [ioCount]ioFunc{{1798, "oidin"}, {1799, "oidout"}, {2418, "oidrecv"}, {2419, "oidsend"}, {}, {}, {}}, 'i', 'p', 0},
	{30, "oidvector", -1, false, 'b', 'A', false, 26, 1013, [ioCount]ioFunc{{54, "oidvectorin"}, {55, "oidvectorout"}, {2420, "oidvectorrecv"}, {2421, "oidvectorsend"}, {}, {}, {6179, "array_subscript_handler"}}, 'i', 'p', 0},
	{269, "table_am_handler", 4, true, 'p', 'P', false, 0, 0, [ioCount]ioFunc{{267, "table_am_handler_in"}, {268, "table_am_handler_out"}, {}, {}, {}, {}, {}}, 'i', 'p', 0},
	{325, "index_am_handler", 4, true, 'p', 'P', false, 0, 0, [ioCount]ioFunc{{326, "index_am_handler_in"}, {327, "index_am_handler_out"}, {}, {}, {}, {}, {}}, 'i', 'p', 0},
	{700, "float4", 4, true, 'b', 'N', false, 0, 1021, [ioCount]ioFunc{{200, "float4in"}, {201, "float4out"}, {2424, "float4recv"}, {2425, "float4send"}, {}, {}, {}}, 'i', 'p', 0},
	{701, "float8", 8, true, 'b', 'N', true, 0, 1022, [ioCount]ioFunc{{214, "float8in"}, {215, "float8out"}, {2426, "float8recv"}, {2427, "float8send"}, {}, {}, {}}, 'd', 'p', 0},
	{705, "unknown", -2, false, 'p', 'X', false, 0, 0, [ioCount]ioFunc{{109, "unknownin"}, {110, "unknownout"}, {2416, "unknownrecv"}, {2417, "unknownsend"}, {}, {}, {}}, 'c', 'p', 0},
	{1043, "varchar", -1, false, 'b', 'S', false, 0, 1015, [ioCount]ioFunc{{1046, "varcharin"}, {1047, "varcharout"}, {2432, "varcharrecv"}, {2433, "varcharsend"}, {2915, "varchartypmodin"}, {2916, "varchartypmodout"}, {}}, 'i', 'x', 100},
	{1082, "date", 4, true, 'b', 'D', false, 0, 1182, [ioCount]ioFunc{{1084, "date_in"}, {1085, "date_out"}, {2468, "date_recv"}, {2469, "date_send"}, {}, {}, {}}, 'i', 'p', 0},
	{1083, "time", 8, true, 'b', 'D', false, 0, 1183, [ioCount]ioFunc{{1143, "time_in"}, {1144, "time_out"}, {2470, "time_recv"}, {2471, "time_send"}, {2909, "timetypmodin"}, {2910, "timetypmodout"}, {}}, 'd', 'p', 0},
	{1114, "timestamp", 8, true, 'b', 'D', false, 0, 1115, [ioCount]ioFunc{{1312, "timestamp_in"}, {1313, "timestamp_out"}, {2474, "timestamp_recv"}, {2475, "timestamp_send"}, {2905, "timestamptypmodin"}, {2906, "timestamptypmodout"}, {}}, 'd', 'p', 0},
	{1184, "timestamptz", 8, true, 'b', 'D', true, 0, 1185, [ioCount]ioFunc{{1150, "timestamptz_in"}, {1151, "timestamptz_out"}, {2476, "timestamptz_recv"}, {2477, "timestamptz_send"}, {2907, "timestamptztypmodin"}, {2908, "timestamptztypmodout"}, {}}, 'd', 'p', 0},
	{1186, "interval", 16, false, 'b', 'T', true, 0, 1187, [ioCount]ioFunc{{1160, "interval_in"}, {1161, "interval_out"}, {2478, "interval_recv"}, {2479, "interval_send"}, {2903, "intervaltypmodin"}, {2904, "intervaltypmodout"}, {}}, 'd', 'p', 0},
	{1700, "numeric", -1, false, 'b', 'N', false, 0, 1231, [ioCount]ioFunc{{1701, "numeric_in"}, {1702, "numeric_out"}, {2460, "numeric_recv"}, {2461, "numeric_send"}, {2917, "numerictypmodin"}, {2918, "numerictypmodout"}, {}}, 'i', 'm', 0},
	{2205, "regclass", 4, true, 'b', 'N', false, 0, 2210, [ioCount]ioFunc{{2218, "regclassin"}, {2219, "regclassout"}, {2452, "regclassrecv"}, {2453, "regclasssend"}, {}, {}, {}}, 'i', 'p', 0},
	{2206, "regtype", 4, true, 'b', 'N', false, 0, 2211, [ioCount]ioFunc{{2220, "regtypein"}, {2221, "regtypeout"}, {2454, "regtyperecv"}, {2455, "regtypesend"}, {}, {}, {}}, 'i', 'p', 0},
	{2249, "record", -1, false, 'p', 'P', false, 0, 2287, [ioCount]ioFunc{{2290, "record_in"}, {2291, "record_out"}, {2402, "record_recv"}, {2403, "record_send"}, {}, {}, {}}, 'd', 'x', 0},
	{2275, "cstring", -2, false, 'p', 'P', false, 0, 1263, [ioCount]ioFunc{{2292, "cstring_in"}, {2293, "cstring_out"}, {2500, "cstring_recv"}, {2501, "cstring_send"}, {}, {}, {}}, 'c', 'p', 0},
	{2276, "any", 4, true, 'p', 'P', false, 0, 0, [ioCount]ioFunc{{2294, "any_in"}, {2295, "any_out"}, {}, {}, {}, {}, {}}, 'i', 'p', 0},
	{2277, "anyarray", -1, false, 'p', 'P', false, 0, 0, [ioCount]ioFunc{{2296, "anyarray_in"}, {2297, "anyarray_out"}, {2502, "anyarray_recv"}, {2503, "anyarray_send"}, {}, {}, {}}, 'd', 'x', 0},
	{2278, "void", 4, true, 'p', 'P', false, 0, 0, [ioCount]ioFunc{{2298, "void_in"}, {2299, "void_out"}, {3120, "void_recv"}, {3121, "void_send"}, {}, {}, {}}, 'i', 'p', 0},
	{2279, "trigger", 4, true, 'p', 'P', false, 0, 0, [ioCount]ioFunc{{2300, "trigger_in"}, {2301, "trigger_out"}, {}, {}, {}, {}, {}}, 'i', 'p', 0},
	{2280, "language_handler", 4, true, 'p', 'P', false, 0, 0, [ioCount]ioFunc{{2302, "language_handler_in"}, {2303, "language_handler_out"}, {}, {}, {}, {}, {}}, 'i', 'p', 0},
	{2281, "internal", 8, true, 'p', 'P', false, 0, 0, [ioCount]ioFunc{{2304, "internal_in"}, {2305, "internal_out"}, {}, {}, {}, {}, {}}, 'd', 'p', 0},
	{2283, "anyelement", 4, true, 'p', 'P', false, 0, 0, [ioCount]ioFunc{{2312, "anyelement_in"}, {2313, "anyelement_out"}, {}, {}, {}, {}, {}}, 'i', 'p', 0},
	{2776, "anynonarray", 4, true, 'p', 'P', false, 0, 0, [ioCount]ioFunc{{2777, "anynonarray_in"}, {2778, "anynonarray_out"}, {}, {}, {}, {}, {}}, 'i', 'p', 0},
	{3802, "jsonb", -1, false, 'b', 'U', false, 0, 3807, [ioCount]ioFunc{{3806, "jsonb_in"}, {3804, "jsonb_out"}, {3805, "jsonb_recv"}, {3803, "jsonb_send"}, {}, {}, {6098, "jsonb_subscript_handler"}}, 'i', 'x', 0},
	{4089, "regnamespace", 4, true, 'b', 'N', false, 0, 4090, [ioCount]ioFunc{{4084, "regnamespacein"}, {4085, "regnamespaceout"}, {4087, "regnamespacerecv"}, {4088, "regnamespacesend"}, {}, {}, {}}, 'i', 'p', 0},
	{4096, "regrole", 4, true, 'b', 'N', false, 0, 4097, [ioCount]ioFunc{{4098, "regrolein"}, {4092, "regroleout"}, {4094, "regrolerecv"}, {4095, "regrolesend"}, {}, {}, {}}, 'i', 'p', 0},
}

// Array support functions, shared by every array type.
var (
	arrayIn        = ioFunc{750, "array_in"}
	arrayOut       = ioFunc{751, "array_out"}
	arrayRecv      = ioFunc{2400, "array_recv"}
	arraySend      = ioFunc{2401, "array_send"}
	arraySubscript = ioFunc{6179, "array_subscript_handler"}
	arrayAnalyze   = ioFunc{3816, "array_typanalyze"}
)

// pgTypes are every row of pg_type, in OID order, and byOID indexes them.
var pgTypes, pgTypeByOID = func() ([]pgType, map[uint32]*pgType) {
	all := slices.Clone(baseTypes)
	for _, t := range baseTypes {
		if t.array == 0 {
			continue
		}
		a := pgType{oid: t.array, name: "_" + t.name, len: -1, typtype: t.typtype, category: 'A', elem: t.oid,
			align: 'i', storage: 'x', collation: t.collation}
		if t.typtype == 'p' {
			a.category = 'P'
		}
		if t.align == 'd' {
			a.align = 'd'
		}
		a.io = [ioCount]ioFunc{arrayIn, arrayOut, arrayRecv, arraySend, t.io[ioModIn], t.io[ioModOut], arraySubscript}
		all = append(all, a)
	}
	slices.SortFunc(all, func(a, b pgType) int { return cmp.Compare(a.oid, b.oid) })
	byOID := make(map[uint32]*pgType, len(all))
	for i := range all {
		byOID[all[i].oid] = &all[i]
	}
	return all, byOID
}()

// TypeName is the name of the type with OID oid as format_type prints it
// without modifiers (integer, character varying[], cstring).
func TypeName(oid uint32) (string, bool) {
	if t, ok := vector.TypeByOID(oid); ok {
		return t.Name(), true
	}
	t, ok := pgTypeByOID[oid]
	if !ok {
		return "", false
	}
	if t.elem != 0 && t.category == 'A' {
		if e, ok := TypeName(t.elem); ok {
			return e + "[]", true
		}
	}
	return t.name, true
}

// typeAliases are the SQL spellings of type names beside pg_type's own
// names and format_type's.
var typeAliases = map[string]uint32{
	"int": vector.OIDInt4, "bool": vector.OIDBool, "float": vector.OIDFloat8, "decimal": vector.OIDNumeric,
	"varchar": vector.OIDVarchar, "timestamp": vector.OIDTimestamp, "timestamptz": vector.OIDTimestampTZ,
	"time": vector.OIDTime, `"char"`: vector.OIDChar, "json": vector.OIDJSONB,
}

// TypeByName returns the OID of the type called name: pg_type's name
// (int4, _int4), format_type's (integer, integer[]) or another SQL
// spelling (int, varchar(10)), optionally qualified by pg_catalog. Type
// modifiers are ignored.
func TypeByName(name string) (uint32, bool) {
	name = strings.TrimSpace(strings.ToLower(name))
	name = strings.TrimPrefix(name, "pg_catalog.")
	array := false
	if n, ok := strings.CutSuffix(name, "[]"); ok {
		name, array = strings.TrimSpace(n), true
	}
	if i := strings.IndexByte(name, '('); i >= 0 {
		if j := strings.IndexByte(name[i:], ')'); j >= 0 {
			name = strings.TrimSpace(name[:i] + name[i+j+1:])
		}
	}
	oid, ok := typeAliases[name]
	if !ok {
		for _, t := range pgTypes {
			if formatted, _ := TypeName(t.oid); t.name == name || formatted == name {
				oid, ok = t.oid, true
				break
			}
		}
	}
	if !ok || !array {
		return oid, ok
	}
	if t := pgTypeByOID[oid]; t != nil && t.array != 0 {
		return t.array, true
	}
	return 0, false
}

// pgTypeRows lists pg_type.
func pgTypeRows(x *systemScan, out *rowSet) {
	for _, t := range pgTypes {
		out.add(t.oid, t.name, OIDPgCatalog, BootstrapRoleOID, t.len, t.byval, t.typtype, t.category, t.preferred,
			true, ",", 0, t.io[ioSubscript].oid, t.elem, t.array, t.io[ioInput].oid, t.io[ioOutput].oid,
			t.io[ioReceive].oid, t.io[ioSend].oid, t.io[ioModIn].oid, t.io[ioModOut].oid, analyzeOf(t).oid,
			t.align, t.storage, false, 0, -1, 0, t.collation, nil, nil, nil)
	}
}

// analyzeOf is the typanalyze function of t: array_typanalyze for arrays.
func analyzeOf(t pgType) ioFunc {
	if t.category == 'A' {
		return arrayAnalyze
	}
	return ioFunc{}
}

// Function is a row of pg_proc.
type Function struct {
	OID  uint32
	Name string
	// Args and Result are type OIDs; a variadic function's last argument
	// is an array, Variadic its element type.
	Args     []uint32
	Result   uint32
	Variadic uint32
	// Volatility is provolatile: 'i' immutable, 's' stable, 'v' volatile.
	Volatility byte
}

// Built-in scalar functions take OIDs from firstFunctionOID on, in the
// order of their names and argument types (Postgres' own are below
// 10000; the functions runnel has are fewer than 2000).
const firstFunctionOID uint32 = 10000

// Functions returns pg_proc's rows: the support functions of the types,
// the handlers of the access methods, and the built-in scalar functions.
var Functions = sync.OnceValue(func() []Function {
	seen := map[uint32]bool{}
	var out []Function
	add := func(f Function) {
		if f.OID != 0 && !seen[f.OID] {
			seen[f.OID] = true
			out = append(out, f)
		}
	}
	const cstring, internal, bytea, int4, oid = 2275, 2281, 17, 23, 26
	for _, t := range pgTypes {
		withMod := t.io[ioModIn].oid != 0 || t.category == 'A'
		in, recv := []uint32{cstring}, []uint32{internal}
		if withMod {
			in, recv = []uint32{cstring, oid, int4}, []uint32{internal, oid, int4}
		}
		result := t.oid
		if t.category == 'A' {
			result = 2277 // anyarray
		}
		add(Function{OID: t.io[ioInput].oid, Name: t.io[ioInput].name, Args: in, Result: result, Volatility: 'i'})
		add(Function{OID: t.io[ioOutput].oid, Name: t.io[ioOutput].name, Args: []uint32{result}, Result: cstring, Volatility: 'i'})
		add(Function{OID: t.io[ioReceive].oid, Name: t.io[ioReceive].name, Args: recv, Result: result, Volatility: 'i'})
		add(Function{OID: t.io[ioSend].oid, Name: t.io[ioSend].name, Args: []uint32{result}, Result: bytea, Volatility: 'i'})
		add(Function{OID: t.io[ioModIn].oid, Name: t.io[ioModIn].name, Args: []uint32{1263}, Result: int4, Volatility: 'i'})
		add(Function{OID: t.io[ioModOut].oid, Name: t.io[ioModOut].name, Args: []uint32{int4}, Result: cstring, Volatility: 'i'})
		add(Function{OID: t.io[ioSubscript].oid, Name: t.io[ioSubscript].name, Args: []uint32{internal}, Result: internal, Volatility: 'i'})
		add(Function{OID: analyzeOf(t).oid, Name: analyzeOf(t).name, Args: []uint32{internal}, Result: vector.OIDBool, Volatility: 's'})
	}
	add(Function{OID: 3, Name: "heap_tableam_handler", Args: []uint32{internal}, Result: 269, Volatility: 'v'})
	add(Function{OID: 330, Name: "bthandler", Args: []uint32{internal}, Result: 325, Volatility: 'v'})
	sigs := vector.Signatures()
	slices.SortStableFunc(sigs, func(a, b vector.Signature) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), slices.Compare(a.Args, b.Args))
	})
	for i, s := range sigs {
		f := Function{OID: firstFunctionOID + uint32(i), Name: s.Name, Args: s.Args, Result: s.Result, Volatility: s.Volatility}
		if s.Variadic && len(s.Args) > 0 {
			last := s.Args[len(s.Args)-1]
			f.Variadic = last
			if t := pgTypeByOID[last]; t != nil && t.array != 0 {
				f.Args = append(slices.Clone(s.Args[:len(s.Args)-1]), t.array)
			}
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Function) int { return cmp.Compare(a.OID, b.OID) })
	return out
})

// FunctionByOID returns the function with OID oid.
func FunctionByOID(oid uint32) (Function, bool) {
	fs := Functions()
	i, ok := slices.BinarySearchFunc(fs, oid, func(f Function, oid uint32) int { return cmp.Compare(f.OID, oid) })
	if !ok {
		return Function{}, false
	}
	return fs[i], true
}

// pgProcRows lists pg_proc.
func pgProcRows(x *systemScan, out *rowSet) {
	for _, f := range Functions() {
		out.add(f.OID, f.Name, OIDPgCatalog, BootstrapRoleOID, 12, 1.0, 0.0, f.Variadic, 0, "f", false, false,
			true, false, f.Volatility, "s", len(f.Args), 0, f.Result, f.Args, nil,
			nil, nil, nil, nil, f.Name, nil, nil, nil, nil)
	}
}

// pgAmRows lists the access methods: heap for tables and btree for the
// indexes of primary keys.
func pgAmRows(x *systemScan, out *rowSet) {
	out.add(oidHeap, "heap", 3, "t")
	out.add(oidBtree, "btree", 330, "i")
}

// pgLanguageRows lists the languages of functions: runnel's are internal.
func pgLanguageRows(x *systemScan, out *rowSet) {
	for _, l := range []struct {
		oid  uint32
		name string
	}{{12, "internal"}, {13, "c"}, {14, "sql"}} {
		out.add(l.oid, l.name, BootstrapRoleOID, false, l.name == "sql", 0, 0, 2246+l.oid-12, nil)
	}
}

// pgCollationRows lists the collations: text compares bytewise, so the
// default collation is C.
func pgCollationRows(x *systemScan, out *rowSet) {
	for _, c := range []struct {
		oid      uint32
		name     string
		provider string
		encoding int
		locale   any
	}{{oidDefaultCollation, "default", "d", -1, nil}, {oidCCollation, "C", "c", -1, "C"}, {951, "POSIX", "c", -1, "POSIX"}} {
		out.add(c.oid, c.name, OIDPgCatalog, BootstrapRoleOID, c.provider, true, c.encoding, c.locale, c.locale, nil, nil)
	}
}
