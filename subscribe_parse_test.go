package runnel

import (
	"testing"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/vector"
)

// TestParseCursorText reads SUBSCRIBE, COPY (SUBSCRIBE), DECLARE, FETCH,
// MOVE and CLOSE, alone and among other statements, and refuses what
// they do not allow with the SQLSTATE Postgres (or Materialize, for
// SUBSCRIBE's options) uses.
func TestParseCursorText(t *testing.T) {
	type want struct {
		stmts int
		check func(t *testing.T, st []*Statement)
	}
	sub := func(st *Statement) *subscribeStmt { return st.ast.(*subscribeStmt) }
	cases := []struct {
		sql  string
		code string // the error's SQLSTATE, or ""
		pos  int32  // the error's position, when it has one
		want want
	}{
		{sql: "SUBSCRIBE mv", want: want{1, func(t *testing.T, st []*Statement) {
			if s := sub(st[0]); s.name.String() != "mv" || !s.snapshot || s.progress || s.asOf != nil {
				t.Errorf("%+v", s)
			}
		}}},
		{sql: `subscribe to s."My View" with (snapshot = false, PROGRESS) as of 42;`, want: want{1, func(t *testing.T, st []*Statement) {
			s := sub(st[0])
			if s.name.Schema() != "s" || s.name.Table() != "My View" || s.snapshot || !s.progress || s.asOf == nil {
				t.Errorf("%+v", s)
			}
		}}},
		{sql: "SUBSCRIBE (SELECT k FROM t WHERE k > $1) AS OF $2 WITH (SNAPSHOT = 'off')", want: want{1, func(t *testing.T, st []*Statement) {
			if s := sub(st[0]); s.query == nil || s.snapshot || st[0].numParams != 2 {
				t.Errorf("%+v, %d parameters", s, st[0].numParams)
			}
		}}},
		{sql: "FLUSH; SUBSCRIBE mv", want: want{2, func(t *testing.T, st []*Statement) {
			if st[0].cmd == nil || st[0].cmd.kind != "FLUSH" {
				t.Errorf("first: %+v", st[0])
			}
		}}},
		{sql: "SELECT 1; SUBSCRIBE mv; SELECT close FROM t", want: want{3, func(t *testing.T, st []*Statement) {
			if _, ok := st[0].ast.(*tree.Select); !ok {
				t.Errorf("first: %T", st[0].ast)
			}
			if _, ok := st[2].ast.(*tree.Select); !ok {
				t.Errorf("third: %T", st[2].ast)
			}
		}}},
		{sql: "COPY (SUBSCRIBE mv WITH (PROGRESS)) TO STDOUT WITH (FORMAT csv)", want: want{1, func(t *testing.T, st []*Statement) {
			c := st[0].ast.(*copySubscribeStmt)
			if !c.sub.progress || c.options.CopyFormat != tree.CopyFormatCSV {
				t.Errorf("%+v", c)
			}
		}}},
		{sql: `DECLARE "C" NO SCROLL CURSOR WITHOUT HOLD FOR SUBSCRIBE mv`, want: want{1, func(t *testing.T, st []*Statement) {
			if d := st[0].ast.(*declareStmt); d.name != "C" || d.sub == nil {
				t.Errorf("%+v", d)
			}
		}}},
		{sql: "declare c insensitive cursor for select * from t where k = $1", want: want{1, func(t *testing.T, st []*Statement) {
			if d := st[0].ast.(*declareStmt); d.name != "c" || d.query == nil || st[0].numParams != 1 {
				t.Errorf("%+v", d)
			}
		}}},
		{sql: "FETCH FORWARD 10 FROM c WITH (timeout = '1.5s')", want: want{1, func(t *testing.T, st []*Statement) {
			if f := st[0].ast.(*fetchStmt); f.name != "c" || f.count != 10 || f.move || f.timeout == nil || *f.timeout != 1_500_000 {
				t.Errorf("%+v", f)
			}
		}}},
		{sql: "FETCH ALL IN c", want: want{1, func(t *testing.T, st []*Statement) {
			if f := st[0].ast.(*fetchStmt); f.count != fetchAll || f.timeout != nil {
				t.Errorf("%+v", f)
			}
		}}},
		{sql: "MOVE FORWARD ALL c", want: want{1, func(t *testing.T, st []*Statement) {
			if f := st[0].ast.(*fetchStmt); !f.move || f.count != fetchAll {
				t.Errorf("%+v", f)
			}
		}}},
		{sql: "CLOSE ALL", want: want{1, func(t *testing.T, st []*Statement) {
			if c := st[0].ast.(*closeStmt); !c.all {
				t.Errorf("%+v", c)
			}
		}}},
		{sql: "SUBSCRIBE", code: vector.CodeSyntaxError, pos: 10},
		{sql: "SUBSCRIBE mv WITH (FOO)", code: vector.CodeSyntaxError},
		{sql: "SUBSCRIBE mv WITH (SNAPSHOT = maybe)", code: vector.CodeInvalidParameterValue},
		{sql: "SUBSCRIBE mv AS 5", code: vector.CodeSyntaxError, pos: 17},
		{sql: "SUBSCRIBE mv AS OF WITH (SNAPSHOT)", code: vector.CodeSyntaxError},
		{sql: "SELECT 1; SUBSCRIBE mv; SELEC 2", code: vector.CodeSyntaxError, pos: 25},
		{sql: "COPY (SUBSCRIBE mv) FROM STDIN", code: vector.CodeFeatureNotSupported},
		{sql: "DECLARE c CURSOR FOR INSERT INTO t VALUES (1)", code: vector.CodeSyntaxError},
		{sql: "DECLARE c BINARY CURSOR FOR SELECT 1", code: vector.CodeFeatureNotSupported},
		{sql: "FETCH BACKWARD 2 FROM c", code: vector.CodeObjectNotInPrerequisiteState},
		{sql: "FETCH -1 FROM c", code: vector.CodeObjectNotInPrerequisiteState},
		{sql: "FETCH 0 FROM c", code: vector.CodeFeatureNotSupported},
		{sql: "FETCH 1 FROM c WITH (timeout = 'soon')", code: vector.CodeInvalidParameterValue},
		{sql: "FETCH 1 FROM c WITH (timeout = '1 day')", code: vector.CodeInvalidParameterValue},
		{sql: "CLOSE c d", code: vector.CodeSyntaxError, pos: 9},
		{sql: `SUBSCRIBE "mv`, code: vector.CodeSyntaxError, pos: 11},
		{sql: "FETCH 1 FROM c WITH (timeout = '1s)", code: vector.CodeSyntaxError, pos: 32},
	}
	for _, c := range cases {
		t.Run(c.sql, func(t *testing.T) {
			stmts, ok, err := parseCursorText(c.sql)
			if !ok {
				t.Fatal("not read as a cursor statement")
			}
			if c.code != "" {
				ve, isVE := err.(*vector.Error)
				if !isVE || ve.Code != c.code || c.pos != 0 && ve.Position != c.pos {
					t.Fatalf("got %v (%+v), want %s at %d", err, ve, c.code, c.pos)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(stmts) != c.want.stmts {
				t.Fatalf("%d statements, want %d", len(stmts), c.want.stmts)
			}
			c.want.check(t, stmts)
		})
	}
	for _, sql := range []string{"SELECT close, fetch FROM t", "CREATE TABLE subscribe (k int)", "INSERT INTO t VALUES ('declare')"} {
		if _, ok, _ := parseCursorText(sql); ok {
			t.Errorf("%s: read as a cursor statement", sql)
		}
	}
}

// FuzzParseCursorText feeds the reader of SUBSCRIBE and the cursor
// statements arbitrary text: it never panics, and refuses with an
// SQLSTATE.
func FuzzParseCursorText(f *testing.F) {
	for _, s := range []string{
		"SUBSCRIBE mv", `subscribe to s."v" with (snapshot = false, progress) as of 42`,
		"SUBSCRIBE (SELECT k FROM t WHERE k > $1) AS OF $2 WITH (SNAPSHOT = 'off')",
		"COPY (SUBSCRIBE mv WITH (PROGRESS)) TO STDOUT WITH (FORMAT csv)",
		`DECLARE "C" NO SCROLL CURSOR WITHOUT HOLD FOR SUBSCRIBE mv`, "DECLARE c CURSOR FOR SELECT 1; FETCH ALL c",
		"FETCH FORWARD 10 FROM c WITH (timeout = '1.5s')", "MOVE ALL IN c", "CLOSE ALL", "SELECT 1; CLOSE c; SELEC",
		`SUBSCRIBE "`, "FETCH 1 c WITH (timeout = E'\\')",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		_, _, err := parseCursorText(sql)
		if _, ok := err.(*vector.Error); err != nil && !ok {
			t.Fatalf("%q: error without SQLSTATE: %v", sql, err)
		}
	})
}
