package vector

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/cockroachdb/apd/v3"
)

// The catalog functions: what clients call to describe the database
// (format_type, pg_get_indexdef, pg_table_is_visible, has_table_privilege,
// set_config, …). Those that look objects up ask the session's catalog
// (EvalContext.Catalog, a CatalogInspector); outside a session they fail.
// Those about objects runnel does not have (triggers, extended
// statistics, comments) return NULL, as Postgres does for an object
// without one.

func init() {
	registerDescribeFunctions()
	registerPrivilegeFunctions()
	registerServerFunctions()
}

// inspector is the session's catalog, or an error naming fn outside a
// session.
func inspector(ctx *EvalContext, fn string) (CatalogInspector, error) {
	if c, ok := ctx.Catalog.(CatalogInspector); ok {
		return c, nil
	}
	return nil, Errorf(CodeFeatureNotSupported, "%s can only be called in a session", fn)
}

// catalogText makes a strict text function of type t whose body reads the
// session's catalog.
func catalogText(fn string, t Type, body func(c CatalogInspector, dst []byte, r *row) ([]byte, bool, error)) evalFn {
	return func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		return textFn(t, true, func(dst []byte, r *row) ([]byte, bool, error) {
			c, err := inspector(ctx, fn)
			if err != nil {
				return nil, false, err
			}
			return body(c, dst, r)
		})(ctx, ops, n)
	}
}

// catalogBool makes a strict boolean function whose body reads the
// session's catalog and may return NULL.
func catalogBool(fn string, body func(c CatalogInspector, r *row) (v, null bool, err error)) evalFn {
	return func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
		r := newRow(ops)
		bits, valid := newBits(n), newBits(n)
		nulls := 0
		for r.i = 0; r.i < n; r.i++ {
			if r.anyNull() {
				nulls++
				continue
			}
			c, err := inspector(ctx, fn)
			if err != nil {
				return nil, err
			}
			v, null, err := body(c, r)
			if err != nil {
				return nil, err
			}
			if null {
				nulls++
				continue
			}
			bitutil.SetBit(valid, r.i)
			if v {
				bitutil.SetBit(bits, r.i)
			}
		}
		return makeBool(n, bits, valid, nulls), nil
	}
}

// nullFn is a function that returns NULL of type t.
func nullFn(t Type) evalFn {
	return func(_ *EvalContext, _ []operand, n int) (arrow.Array, error) { return nullColumn(t, n), nil }
}

// oidArg reads argument k, an oid, as a uint32.
func (r *row) oid(k int) uint32 { return uint32(r.int(k)) }

func registerDescribeFunctions() {
	// pg_get_expr: runnel keeps expressions as their SQL text, which is
	// what pg_attrdef.adbin holds and what pg_get_expr prints.
	getExpr := textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) { return append(dst, r.str(0)...), false, nil })
	register("pg_get_expr",
		overload{params: []Type{Text, OID}, ret: Text, fn: getExpr},
		overload{params: []Type{Text, OID, Bool}, ret: Text, fn: getExpr})
	register("format_type", overload{params: []Type{OID, Int4}, ret: Text, vol: stable, fn: formatType})
	for name, kind := range map[string]Kind{"pg_table_is_visible": KindRegclass, "pg_type_is_visible": KindRegtype,
		"pg_function_is_visible": KindRegproc} {
		register(name, overload{params: []Type{OID}, ret: Bool, vol: stable, fn: catalogBool(name, func(c CatalogInspector, r *row) (bool, bool, error) {
			visible, exists := c.Visible(kind, r.oid(0))
			return visible, !exists, nil
		})})
	}
	// definition makes a pg_get_*def function: column and pretty are the
	// indexes of those arguments, -1 when the overload has none.
	definition := func(fn string, what Definition, column, pretty int) evalFn {
		return catalogText(fn, Text, func(c CatalogInspector, dst []byte, r *row) ([]byte, bool, error) {
			col := 0
			if column >= 0 {
				col = int(r.int(column))
			}
			def, ok := c.Definition(what, r.oid(0), col, pretty >= 0 && r.flag(pretty))
			return append(dst, def...), !ok, nil
		})
	}
	register("pg_get_indexdef",
		overload{params: []Type{OID}, ret: Text, vol: stable, fn: definition("pg_get_indexdef", DefIndex, -1, -1)},
		overload{params: []Type{OID, Int4, Bool}, ret: Text, vol: stable, fn: definition("pg_get_indexdef", DefIndex, 1, 2)})
	register("pg_get_constraintdef",
		overload{params: []Type{OID}, ret: Text, vol: stable, fn: definition("pg_get_constraintdef", DefConstraint, -1, -1)},
		overload{params: []Type{OID, Bool}, ret: Text, vol: stable, fn: definition("pg_get_constraintdef", DefConstraint, -1, 1)})
	viewdef := definition("pg_get_viewdef", DefView, -1, -1)
	viewdefByName := catalogText("pg_get_viewdef", Text, func(c CatalogInspector, dst []byte, r *row) ([]byte, bool, error) {
		oid, err := c.OIDByName(KindRegclass, string(r.str(0)))
		if err != nil {
			return nil, false, err
		}
		def, ok := c.Definition(DefView, oid, 0, false)
		return append(dst, def...), !ok, nil
	})
	// By name first: a literal argument is a name (ties go to the first).
	register("pg_get_viewdef",
		overload{params: []Type{Text}, ret: Text, vol: stable, fn: viewdefByName},
		overload{params: []Type{Text, Bool}, ret: Text, vol: stable, fn: viewdefByName},
		overload{params: []Type{OID}, ret: Text, vol: stable, fn: viewdef},
		overload{params: []Type{OID, Bool}, ret: Text, vol: stable, fn: viewdef},
		overload{params: []Type{OID, Int4}, ret: Text, vol: stable, fn: viewdef})
	register("pg_get_function_result", overload{params: []Type{OID}, ret: Text, vol: stable,
		fn: definition("pg_get_function_result", DefFunctionResult, -1, -1)})
	for _, name := range []string{"pg_get_function_arguments", "pg_get_function_identity_arguments"} {
		register(name, overload{params: []Type{OID}, ret: Text, vol: stable, fn: definition(name, DefFunctionArguments, -1, -1)})
	}
	// Objects runnel does not have: triggers, extended statistics,
	// partitions, rules other than views', comments, security labels,
	// functions with an SQL body.
	for name, params := range map[string][]Type{
		"pg_get_triggerdef": {OID}, "pg_get_statisticsobjdef_columns": {OID}, "pg_get_partkeydef": {OID},
		"pg_get_partition_constraintdef": {OID}, "pg_get_serial_sequence": {Text, Text}, "pg_get_ruledef": {OID},
		"shobj_description": {OID, Name}, "pg_get_functiondef": {OID}, "pg_get_function_sqlbody": {OID},
	} {
		register(name, overload{params: params, ret: Text, vol: stable, fn: nullFn(Text)})
	}
	register("pg_get_triggerdef", overload{params: []Type{OID, Bool}, ret: Text, vol: stable, fn: nullFn(Text)})
	register("pg_get_ruledef", overload{params: []Type{OID, Bool}, ret: Text, vol: stable, fn: nullFn(Text)})
	// description makes obj_description or col_description: class and sub
	// are the indexes of those arguments, -1 when the overload has none (a
	// column is described as a sub-object of its relation, in pg_class).
	description := func(fn string, class, sub int) evalFn {
		return catalogText(fn, Text, func(c CatalogInspector, dst []byte, r *row) ([]byte, bool, error) {
			var catalogName string
			var subID int32
			if class >= 0 {
				catalogName = string(r.str(class))
			}
			if sub >= 0 {
				catalogName, subID = "pg_class", int32(r.int(sub))
			}
			d, ok := c.Description(catalogName, r.oid(0), subID)
			return append(dst, d...), !ok, nil
		})
	}
	register("obj_description",
		overload{params: []Type{OID, Name}, ret: Text, vol: stable, fn: description("obj_description", 1, -1)},
		overload{params: []Type{OID}, ret: Text, vol: stable, fn: description("obj_description", -1, -1)})
	register("col_description", overload{params: []Type{OID, Int4}, ret: Text, vol: stable, fn: description("col_description", -1, 1)})
	// Visibility of the objects runnel lists none of or only built-in ones
	// (in pg_catalog, which the lookup path always holds).
	for _, name := range []string{"pg_collation_is_visible", "pg_conversion_is_visible", "pg_operator_is_visible",
		"pg_opclass_is_visible", "pg_opfamily_is_visible", "pg_statistics_obj_is_visible", "pg_ts_config_is_visible",
		"pg_ts_dict_is_visible", "pg_ts_parser_is_visible", "pg_ts_template_is_visible"} {
		register(name, overload{params: []Type{OID}, ret: Bool, vol: stable, fn: constFn(Bool, true)})
	}
	register("pg_get_userbyid", overload{params: []Type{OID}, ret: Name, vol: stable,
		fn: catalogText("pg_get_userbyid", Name, func(c CatalogInspector, dst []byte, r *row) ([]byte, bool, error) {
			if name, ok := c.NameByOID(KindRegrole, r.oid(0)); ok {
				return append(dst, name...), false, nil
			}
			return fmt.Appendf(dst, "unknown (OID=%d)", r.oid(0)), false, nil
		})})
	for name, kind := range map[string]Kind{"to_regclass": KindRegclass, "to_regtype": KindRegtype,
		"to_regproc": KindRegproc, "to_regnamespace": KindRegnamespace, "to_regrole": KindRegrole} {
		register(name, overload{params: []Type{Text}, ret: Type{Kind: kind}, vol: stable, fn: func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
			return fixedFn(Type{Kind: kind}, func(r *row) (int64, bool, error) {
				c, err := inspector(ctx, name)
				if err != nil {
					return 0, false, err
				}
				oid, err := c.OIDByName(kind, string(r.str(0)))
				return int64(oid), err != nil, nil
			})(ctx, ops, n)
		}})
	}
	register("pg_relation_is_publishable", overload{params: []Type{Regclass}, ret: Bool, vol: stable,
		fn: catalogBool("pg_relation_is_publishable", func(c CatalogInspector, r *row) (bool, bool, error) {
			kind, ok := c.Relkind(r.oid(0))
			return kind == 'r', !ok, nil
		})})
	// Relations keep no size runnel could tell: 0 bytes.
	for _, name := range []string{"pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size"} {
		size := func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
			return fixedFn(Int8, func(r *row) (int64, bool, error) {
				c, err := inspector(ctx, name)
				if err != nil {
					return 0, false, err
				}
				_, ok := c.Relkind(r.oid(0))
				return 0, !ok, nil
			})(ctx, ops, n)
		}
		register(name, overload{params: []Type{Regclass}, ret: Int8, vol: stable, fn: size})
	}
	register("pg_relation_size", overload{params: []Type{Regclass, Text}, ret: Int8, vol: stable, fn: funcs["pg_relation_size"][0].fn})
	register("pg_database_size",
		overload{params: []Type{Name}, ret: Int8, vol: stable, fn: constFn(Int8, int64(0))},
		overload{params: []Type{OID}, ret: Int8, vol: stable, fn: constFn(Int8, int64(0))})
	register("pg_tablespace_location", overload{params: []Type{OID}, ret: Text, vol: stable, fn: constFn(Text, "")})
}

// constFn is a function that returns the value d of type t.
func constFn(t Type, d Datum) evalFn {
	return func(_ *EvalContext, _ []operand, n int) (arrow.Array, error) { return ConstArray(t, d, n), nil }
}

// formatType is format_type(oid, typmod): the type's name as Postgres
// prints it, with the modifier applied (numeric(10,2)); NULL for a NULL
// OID, "???" for an OID no type has.
func formatType(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
	r := newRow(ops)
	sb := newStringBuilder(n, n*8)
	for r.i = 0; r.i < n; r.i++ {
		if r.null(0) {
			sb.appendNull()
			continue
		}
		typmod := int32(-1)
		if !r.null(1) {
			typmod = int32(r.int(1))
		}
		sb.data = append(sb.data, FormatType(ctx.Catalog, r.oid(0), typmod)...)
		sb.next()
	}
	return sb.finish(Text), nil
}

// FormatType is format_type(oid, typmod): runnel's types by their SQL
// names, others (pseudo-types) by what cat prints for them as a regtype.
func FormatType(cat CatalogReader, oid uint32, typmod int32) string {
	t, ok := TypeByOID(oid)
	if !ok {
		if cat != nil {
			if name, ok := cat.NameByOID(KindRegtype, oid); ok {
				return name
			}
		}
		return "???"
	}
	if typmod >= 4 {
		k := t.Kind
		if k == KindArray { // the modifier applies to the elements
			k = t.Elem
		}
		switch k {
		case KindNumeric:
			t.Precision, t.Scale = (typmod-4)>>16, (typmod-4)&0xffff
		case KindVarchar:
			t.Width = typmod - 4
		}
	}
	return t.String()
}

func registerPrivilegeFunctions() {
	for name, on := range map[string]byte{"has_table_privilege": 'r', "has_any_column_privilege": 'r',
		"has_schema_privilege": 'n', "has_database_privilege": 'd', "has_function_privilege": 'f'} {
		registerPrivilegeFunction(name, on, nil)
	}
	for _, col := range []Type{Text, Int2} {
		registerPrivilegeFunction("has_column_privilege", 'c', &col)
	}
	register("pg_has_role",
		overload{params: []Type{Text, Text}, ret: Bool, vol: stable, fn: pgHasRole(false)},
		overload{params: []Type{Text, Text, Text}, ret: Bool, vol: stable, fn: pgHasRole(true)})
}

// registerPrivilegeFunction registers the overloads of a has_*_privilege
// function: ([user,] object, [column,] privilege), the user a name or an
// OID, the object a name or an OID, the column (when col is set) of type
// *col.
func registerPrivilegeFunction(name string, on byte, col *Type) {
	for _, user := range []Type{{}, Text, OID} {
		for _, obj := range []Type{Text, OID} {
			var params []Type
			if user != (Type{}) {
				params = append(params, user)
			}
			params = append(params, obj)
			if col != nil {
				params = append(params, *col)
			}
			params = append(params, Text)
			withUser, colType := user != (Type{}), col
			register(name, overload{params: params, ret: Bool, vol: stable, fn: catalogBool(name, func(c CatalogInspector, r *row) (bool, bool, error) {
				p := PrivilegeCheck{On: on, Privileges: string(r.str(len(params) - 1))}
				k := 0
				if withUser {
					if params[0].Kind == KindOID {
						p.Role = r.oid(0)
					} else {
						p.RoleName = string(r.str(0))
					}
					k++
				}
				if params[k].Kind == KindOID {
					p.Object = r.oid(k)
				} else {
					p.Name = string(r.str(k))
				}
				if colType != nil {
					if colType.Kind == KindInt2 {
						p.Attnum = int16(r.int(k + 1))
					} else {
						p.Column = string(r.str(k + 1))
					}
				}
				held, exists, err := c.HasPrivilege(p)
				return held, !exists, err
			})})
		}
	}
}

// pgHasRole is pg_has_role([user,] role, privilege): whether the user is
// the role or a superuser (runnel has no role membership).
func pgHasRole(withUser bool) evalFn {
	return catalogBool("pg_has_role", func(c CatalogInspector, r *row) (bool, bool, error) {
		k := 0
		user := ""
		if withUser {
			user, k = string(r.str(0)), 1
		}
		held, exists, err := c.HasPrivilege(PrivilegeCheck{On: 'a', RoleName: user, Name: string(r.str(k)), Privileges: string(r.str(k + 1))})
		return held, !exists, err
	})
}

func registerServerFunctions() {
	register("current_schemas", overload{params: []Type{Bool}, ret: ArrayOfKind(KindName), vol: stable,
		fn: func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
			return textFn(ArrayOfKind(KindName), true, func(dst []byte, r *row) ([]byte, bool, error) {
				c, err := inspector(ctx, "current_schemas")
				if err != nil {
					return nil, false, err
				}
				var names []Datum
				for _, s := range c.SearchPath(r.flag(0)) {
					names = append(names, s)
				}
				return append(dst, NewArrayValue(Name, names)...), false, nil
			})(ctx, ops, n)
		}})
	register("set_config", overload{params: []Type{Text, Text, Bool}, ret: Text, vol: volatile,
		fn: func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
			return textFn(Text, false, func(dst []byte, r *row) ([]byte, bool, error) {
				if r.null(0) {
					return nil, false, Errorf(CodeNullValueNotAllowed, "SET requires parameter name")
				}
				c, err := inspector(ctx, "set_config")
				if err != nil {
					return nil, false, err
				}
				value := ""
				if !r.null(1) {
					value = string(r.str(1))
				}
				v, err := c.SetConfig(string(r.str(0)), value, !r.null(2) && r.flag(2))
				return append(dst, v...), false, err
			})(ctx, ops, n)
		}})
	register("pg_is_in_recovery", overload{ret: Bool, vol: stable, fn: constFn(Bool, false)})
	for _, name := range []string{"pg_postmaster_start_time", "pg_conf_load_time"} {
		register(name, overload{ret: TimestampTZ, vol: stable, fn: func(ctx *EvalContext, _ []operand, n int) (arrow.Array, error) {
			c, err := inspector(ctx, name)
			if err != nil {
				return nil, err
			}
			return ConstArray(TimestampTZ, TimestampTZValue(c.ServerStart().UnixMicro()), n), nil
		}})
	}
	register("txid_current", overload{ret: Int8, vol: volatile, fn: func(ctx *EvalContext, _ []operand, n int) (arrow.Array, error) {
		c, err := inspector(ctx, "txid_current")
		if err != nil {
			return nil, err
		}
		return ConstArray(Int8, c.TxID(), n), nil
	}})
	register("pg_encoding_to_char", overload{params: []Type{Int4}, ret: Name, fn: textFn(Name, true, func(dst []byte, r *row) ([]byte, bool, error) {
		switch r.int(0) {
		case 0:
			return append(dst, "SQL_ASCII"...), false, nil
		case 6:
			return append(dst, "UTF8"...), false, nil
		}
		return dst, false, nil
	})})
	register("pg_char_to_encoding", overload{params: []Type{Name}, ret: Int4, fn: fixedFn(Int4, func(r *row) (int32, bool, error) {
		switch strings.ToUpper(strings.ReplaceAll(string(r.str(0)), "-", "")) {
		case "SQL_ASCII":
			return 0, false, nil
		case "UTF8":
			return 6, false, nil
		}
		return -1, false, nil
	})})
	register("getdatabaseencoding", overload{ret: Name, fn: constFn(Name, "UTF8")})
	for _, name := range []string{"inet_server_addr", "inet_client_addr"} {
		register(name, overload{ret: Text, vol: stable, fn: nullFn(Text)})
	}
	for _, name := range []string{"inet_server_port", "inet_client_port"} {
		register(name, overload{ret: Int4, vol: stable, fn: nullFn(Int4)})
	}
	register("pg_size_pretty",
		overload{params: []Type{Int8}, ret: Text, fn: textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
			return append(dst, SizePretty(r.int(0))...), false, nil
		})},
		overload{params: []Type{Numeric}, ret: Text, fn: func(ctx *EvalContext, ops []operand, n int) (arrow.Array, error) {
			return textFn(Text, true, func(dst []byte, r *row) ([]byte, bool, error) {
				d, _, err := apd.NewFromString(string(r.str(0)))
				if err != nil {
					return nil, false, err
				}
				v, err := d.Int64()
				if err != nil {
					return nil, false, Errorf(CodeNumericValueOutOfRange, "bigint out of range")
				}
				return append(dst, SizePretty(v)...), false, nil
			})(ctx, ops, n)
		}})
	register("acldefault", overload{params: []Type{Char, OID}, ret: ArrayOfKind(KindText), vol: stable,
		fn: catalogText("acldefault", ArrayOfKind(KindText), func(c CatalogInspector, dst []byte, r *row) ([]byte, bool, error) {
			owner, ok := c.NameByOID(KindRegrole, r.oid(1))
			if !ok {
				owner = strconv.FormatUint(uint64(r.oid(1)), 10)
			}
			items, err := ACLDefault(string(r.str(0)), owner)
			if err != nil {
				return nil, false, err
			}
			return append(dst, NewArrayValue(Text, items)...), false, nil
		})})
}

// sizeUnits are pg_size_pretty's units: a size is printed in the first
// unit it is below the limit of, half-rounded in all but bytes.
var sizeUnits = []struct {
	name  string
	limit int64
	round bool
	bits  uint
}{{"bytes", 10 * 1024, false, 0}, {"kB", 20*1024 - 1, true, 10}, {"MB", 20*1024 - 1, true, 20},
	{"GB", 20*1024 - 1, true, 30}, {"TB", 20*1024 - 1, true, 40}, {"PB", 20*1024 - 1, true, 50}}

// SizePretty is pg_size_pretty: a size in bytes in a readable unit, as
// Postgres 15 prints it.
func SizePretty(size int64) string {
	for i, u := range sizeUnits {
		if i == len(sizeUnits)-1 || abs64(size) < u.limit {
			if u.round {
				size = halfRounded(size)
			}
			return strconv.FormatInt(size, 10) + " " + u.name
		}
		next := sizeUnits[i+1]
		bits := next.bits - u.bits
		if next.round {
			bits--
		}
		if u.round {
			bits++
		}
		size /= int64(1) << bits
	}
	panic("unreachable")
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// halfRounded is Postgres' half_rounded: x/2 rounded away from zero.
func halfRounded(x int64) int64 {
	if x < 0 {
		return (x - 1) / 2
	}
	return (x + 1) / 2
}

// ACLDefault is acldefault(kind, owner): the privileges an object of the
// kind has while no GRANT changed them, as aclitem texts.
func ACLDefault(kind, owner string) ([]Datum, error) {
	own := func(privs string) string { return owner + "=" + privs + "/" + owner }
	public := func(privs string) string { return "=" + privs + "/" + owner }
	switch kind {
	case "r":
		return []Datum{own("arwdDxt")}, nil
	case "s":
		return []Datum{own("rwU")}, nil
	case "d":
		return []Datum{public("Tc"), own("CTc")}, nil
	case "f", "p":
		return []Datum{public("X"), own("X")}, nil
	case "l", "T":
		return []Datum{public("U"), own("U")}, nil
	case "n":
		return []Datum{own("UC")}, nil
	case "F", "S":
		return []Datum{own("U")}, nil
	case "L":
		return []Datum{own("rw")}, nil
	}
	return nil, Errorf(CodeInvalidParameterValue, "unrecognized object type abbreviation: %s", kind)
}

// QuoteIdent is quote_ident: s, double-quoted where Postgres would need it.
func QuoteIdent(s string) string { return string(quoteIdent(nil, []byte(s))) }

// Signature is one overload of a built-in scalar function, as pg_proc
// lists it: its argument and result types by OID ("any", 2276, for an
// argument of any type).
type Signature struct {
	Name     string
	Args     []uint32
	Variadic bool
	Result   uint32
	// Volatility is provolatile: 'i' immutable, 's' stable, 'v' volatile.
	Volatility byte
}

// oidAny is the pseudo-type "any".
const oidAny uint32 = 2276

// Signatures lists the overloads of the built-in scalar functions.
func Signatures() []Signature {
	var out []Signature
	for name, ovs := range funcs {
		for _, ov := range ovs {
			s := Signature{Name: name, Variadic: ov.variadic, Result: ov.ret.OID(), Volatility: "isv"[ov.vol]}
			for _, p := range ov.params {
				if p == anyType {
					s.Args = append(s.Args, oidAny)
				} else {
					s.Args = append(s.Args, p.OID())
				}
			}
			if s.Result == 0 || ov.build != nil {
				s.Result = oidAny
			}
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Signature) int { return strings.Compare(a.Name, b.Name) })
	return out
}
