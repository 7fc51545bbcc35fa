package catalog

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/runneldb/runnel/vector"
)

// The system relations are the relations of pg_catalog and
// information_schema that clients read to learn what the database holds.
// runnel stores none of them: each is a Table of kind KindSystem whose
// rows a function computes, on every scan, from a snapshot of the catalog
// and from what the catalog does not hold (the session reading, the
// server's settings and sessions), which a Reader answers. Their columns
// are Postgres 15's, in its order and with its names; a Postgres type
// runnel lacks is replaced by the nearest one it has (aclitem and
// pg_node_tree by text, xid by oid, the information_schema domains by
// their base types, which is also how Postgres sends them to clients).

// KindSystem is a relation of pg_catalog or information_schema. It cannot
// be written, dropped or read by a materialized view.
const KindSystem Kind = "system catalog"

// Reader is the session reading a system relation: it answers what the
// relations show that the catalog does not hold. The root package
// implements it.
type Reader interface {
	// User is the session's user name (current_user).
	User() string
	// Holds reports whether the session's role holds one of privileges
	// (ACL letters) on an object with owner and grants.
	Holds(owner uint32, grants []Grant, privileges string) bool
	// ViewDefinition is the defining query of view or materialized view t
	// as pg_get_viewdef prints it.
	ViewDefinition(t *Table) string
	// Settings are the session's parameters, as pg_settings lists them.
	Settings() []Setting
	// Activity describes the server's sessions (pg_stat_activity).
	Activity() []Activity
	// ServerStart is when the server started.
	ServerStart() time.Time
}

// Setting is a session parameter as pg_settings shows it.
type Setting struct {
	Name, Value, Unit, Category, Description, Context, VarType, Source string
	BootValue, ResetValue                                              string
	// EnumValues are the values an enum parameter accepts; nil otherwise.
	EnumValues []string
}

// Activity is a session as pg_stat_activity shows it.
type Activity struct {
	PID             int32
	User            string
	ApplicationName string
	ClientAddr      string
	ClientPort      int32
	BackendStart    time.Time
	// XactStart and QueryStart are zero when there is none.
	XactStart, QueryStart time.Time
	StateChange           time.Time
	// State is "active", "idle", "idle in transaction" or "idle in
	// transaction (aborted)".
	State string
	Query string
}

// systemRelation is a system relation: its table and how its rows are made.
type systemRelation struct {
	table *Table
	// relkind is how pg_class shows it: 'r' for a table, 'v' for a view.
	relkind byte
	// grants are the privileges everyone has on it (see systemGrants).
	grants []Grant
	// rows appends the relation's rows to out; nil for a relation that is
	// always empty in runnel (no publications, no triggers, …).
	rows func(x *systemScan, out *rowSet)
}

var (
	systemRelations []*systemRelation // by schema, then name
	systemByName    = map[qname]*systemRelation{}
	systemByOID     = map[uint32]*systemRelation{}
)

// SystemTable returns the system relation schema.name.
func SystemTable(schema, name string) (*Table, bool) {
	if r, ok := systemByName[qname{schema, name}]; ok {
		return r.table, true
	}
	return nil, false
}

// SystemTables returns the system relations, by schema then name.
func SystemTables() []*Table {
	out := make([]*Table, len(systemRelations))
	for i, r := range systemRelations {
		out[i] = r.table
	}
	return out
}

// SystemRows computes the rows of system relation t as r sees them, from
// the catalog as it is now: one batch, its columns those of t and then
// the hidden ones (HiddenColumns).
func (c *Catalog) SystemRows(t *Table, r Reader) (*vector.Batch, error) {
	rel, ok := systemByOID[t.ID]
	if !ok || t.Kind != KindSystem {
		return nil, fmt.Errorf("catalog: %s.%s is not a system relation", t.Schema, t.Name)
	}
	out := newRowSet(t.Columns)
	if rel.rows != nil {
		rel.rows(&systemScan{s: c.s.Load(), c: c, r: r}, out)
	}
	b := out.batch()
	tableoid := vector.ConstArray(vector.OID, int64(t.ID), b.Len)
	return vector.NewBatch(append(b.Cols, tableoid), b.Len), nil
}

// HiddenColumns are the columns of t that a scan produces but * does not
// select: tableoid (the OID of the relation itself, which pg_dump reads)
// for a system relation.
func HiddenColumns(t *Table) []Column {
	if t.Kind != KindSystem {
		return nil
	}
	return []Column{{Name: "tableoid", Type: vector.OID}}
}

// systemScan is what the row functions read: one snapshot of the catalog
// and the reading session.
type systemScan struct {
	s *state
	c *Catalog
	r Reader
}

// registerSystem declares the relations of schema described by spec, one
// per entry: a line "oid relkind name", then lines of columns, "name type"
// separated by commas, types written as Postgres' format_type prints them.
// rows gives the row functions of the relations that have rows.
func registerSystem(schema string, spec string, rows map[string]func(*systemScan, *rowSet)) {
	var cur *systemRelation
	var cols []string
	flush := func() {
		if cur == nil {
			return
		}
		for _, col := range strings.Split(strings.Join(cols, " "), ", ") {
			name, typ, ok := strings.Cut(strings.TrimSpace(col), " ")
			if !ok {
				panic(fmt.Sprintf("catalog: column %q of %s", col, cur.table.Name))
			}
			cur.table.Columns = append(cur.table.Columns, Column{Name: name, Type: systemType(typ)})
		}
		cur.rows = rows[cur.table.Name]
		cur.grants = systemGrants(cur.table.Name)
		delete(rows, cur.table.Name)
		key := qname{schema, cur.table.Name}
		if systemByName[key] != nil || systemByOID[cur.table.ID] != nil {
			panic(fmt.Sprintf("catalog: system relation %s declared twice", cur.table.Name))
		}
		systemByName[key] = cur
		systemByOID[cur.table.ID] = cur
		systemRelations = append(systemRelations, cur)
		cur, cols = nil, nil
	}
	for _, line := range strings.Split(spec, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
		case line[0] == '\t':
			cols = append(cols, strings.TrimSpace(line))
		default:
			flush()
			f := strings.Fields(line)
			oid, err := strconv.ParseUint(f[0], 10, 32)
			if err != nil || len(f) != 3 || len(f[1]) != 1 {
				panic(fmt.Sprintf("catalog: system relation line %q", line))
			}
			cur = &systemRelation{relkind: f[1][0],
				table: &Table{ID: uint32(oid), Kind: KindSystem, Schema: schema, Name: f[2], Owner: BootstrapRoleOID}}
		}
	}
	flush()
	for name := range rows {
		panic(fmt.Sprintf("catalog: rows for undeclared system relation %s.%s", schema, name))
	}
	slices.SortFunc(systemRelations, func(a, b *systemRelation) int {
		return cmp.Or(cmp.Compare(a.table.Schema, b.table.Schema), cmp.Compare(a.table.Name, b.table.Name))
	})
}

// systemTypes are the types of system relation columns by the name
// format_type gives them; the types runnel lacks map to the nearest it has.
var systemTypes = map[string]vector.Type{
	"boolean": vector.Bool, "smallint": vector.Int2, "integer": vector.Int4, "bigint": vector.Int8,
	"real": vector.Float4, "double precision": vector.Float8, "numeric": vector.Numeric,
	"text": vector.Text, "name": vector.Name, `"char"`: vector.Char, "bytea": vector.Bytea,
	"oid": vector.OID, "regproc": vector.Regproc, "regtype": vector.Regtype, "regclass": vector.Regclass,
	"int2vector": vector.Int2Vector, "oidvector": vector.OIDVector,
	"timestamp with time zone": vector.TimestampTZ, "interval": vector.Interval,
	"xid": vector.OID, "pg_node_tree": vector.Text, "pg_lsn": vector.Text, "aclitem": vector.Text,
	"inet": vector.Text, "anyarray": vector.Text, "pg_ndistinct": vector.Bytea,
	"pg_dependencies": vector.Bytea, "pg_mcv_list": vector.Bytea, "pg_statistic[]": vector.Text,
	"information_schema.sql_identifier":  vector.Name,
	"information_schema.character_data":  vector.Varchar,
	"information_schema.cardinal_number": vector.Int4,
	"information_schema.yes_or_no":       {Kind: vector.KindVarchar, Width: 3},
	"information_schema.time_stamp":      vector.TimestampTZ,
}

// systemType reads a column type of a system relation spec.
func systemType(name string) vector.Type {
	if t, ok := systemTypes[name]; ok {
		return t
	}
	if elem, ok := strings.CutSuffix(name, "[]"); ok {
		if t, ok := systemTypes[elem]; ok {
			return vector.ArrayOfKind(t.Kind)
		}
	}
	panic(fmt.Sprintf("catalog: system column type %q", name))
}

// rowSet collects the rows of a system relation.
type rowSet struct {
	columns []Column
	vals    [][]vector.Datum // by column
	n       int
}

func newRowSet(columns []Column) *rowSet {
	return &rowSet{columns: columns, vals: make([][]vector.Datum, len(columns))}
}

// add appends a row of Go values, one per column, converted to the
// columns' types by datumOf.
func (rs *rowSet) add(vals ...any) {
	if len(vals) != len(rs.columns) {
		panic(fmt.Sprintf("catalog: system row of %d values for %d columns", len(vals), len(rs.columns)))
	}
	for i, v := range vals {
		rs.vals[i] = append(rs.vals[i], datumOf(rs.columns[i].Type, v))
	}
	rs.n++
}

// addNamed appends a row given as values by column name; the columns not
// named are NULL. It suits the wide relations of information_schema.
func (rs *rowSet) addNamed(vals map[string]any) {
	row := make([]any, len(rs.columns))
	found := 0
	for i, c := range rs.columns {
		if v, ok := vals[c.Name]; ok {
			row[i] = v
			found++
		}
	}
	if found != len(vals) {
		panic(fmt.Sprintf("catalog: system row names a column that does not exist: %v", vals))
	}
	rs.add(row...)
}

func (rs *rowSet) batch() *vector.Batch {
	cols := make([]arrow.Array, len(rs.columns))
	for i, c := range rs.columns {
		b := vector.NewBuilder(c.Type, rs.n)
		for _, d := range rs.vals[i] {
			b.Append(d)
		}
		cols[i] = b.Finish()
	}
	return vector.NewBatch(cols, rs.n)
}

// datumOf converts a Go value of a system row to the Datum of type t: any
// Go integer for the integer and oid types, a byte or string for "char", a
// slice for an array or vector, time.Time for timestamptz (the zero time
// is NULL). nil is NULL. A value of another Go type is a programming error.
func datumOf(t vector.Type, v any) vector.Datum {
	if v == nil {
		return nil
	}
	switch t.Kind {
	case vector.KindBool, vector.KindFloat8, vector.KindBytea:
		return v
	case vector.KindFloat4:
		if f, ok := v.(float64); ok {
			return float32(f)
		}
		return float32(toInt64(v))
	case vector.KindInt2:
		return int16(toInt64(v))
	case vector.KindInt4:
		return int32(toInt64(v))
	case vector.KindInt8, vector.KindOID, vector.KindRegproc, vector.KindRegtype, vector.KindRegclass,
		vector.KindRegnamespace, vector.KindRegrole:
		return toInt64(v)
	case vector.KindChar:
		if b, ok := v.(byte); ok {
			if b == 0 {
				return ""
			}
			return string(rune(b))
		}
		return v.(string)
	case vector.KindInt2Vector, vector.KindOIDVector:
		var parts []string
		for _, d := range elements(t.ElemType(), v) {
			parts = append(parts, strconv.FormatInt(toInt64(d), 10))
		}
		return vector.ArrayValue(strings.Join(parts, " "))
	case vector.KindArray:
		return vector.NewArrayValue(t.ElemType(), elements(t.ElemType(), v))
	case vector.KindTimestampTZ:
		tm := v.(time.Time)
		if tm.IsZero() {
			return nil
		}
		return vector.TimestampTZValue(tm.UnixMicro())
	}
	return v.(string)
}

// elements converts the elements of a slice to Datums of type elem.
func elements(elem vector.Type, v any) []vector.Datum {
	var out []vector.Datum
	switch a := v.(type) {
	case []string:
		for _, x := range a {
			out = append(out, datumOf(elem, x))
		}
	case []int16:
		for _, x := range a {
			out = append(out, datumOf(elem, x))
		}
	case []uint32:
		for _, x := range a {
			out = append(out, datumOf(elem, x))
		}
	default:
		panic(fmt.Sprintf("catalog: %T in an array column", v))
	}
	return out
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case uint32:
		return int64(x)
	}
	panic(fmt.Sprintf("catalog: %T in an integer column", v))
}
