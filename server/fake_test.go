package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/vector"
)

// fakeSession stands in for the engine in protocol tests. Statements:
//
//	select N     N int8 rows 0..N-1 in batches of 3, column "n"
//	echo $1      one row: the int8 parameter
//	sleep        blocks until cancelled, then returns the context's error
//	fail         22012 division by zero at execution
//	panic        panics at execution
//	create       no rows, tag CREATE TABLE, a notice
//	set          no rows, tag SET, reports a parameter
//	copyin       COPY FROM STDIN; Done tags COPY <bytes received>
//	copyout      COPY TO STDOUT of two rows
//
// A statement containing "syntax" fails to parse; any other fails to prepare.
type fakeSession struct{ closed chan struct{} }

func (f *fakeSession) Parameters() []runnel.Param {
	return []runnel.Param{{Name: "server_version", Value: "15.0"}, {Name: "TimeZone", Value: "UTC"}}
}

func (f *fakeSession) Parse(sql string) ([]*runnel.Statement, error) {
	var out []*runnel.Statement
	for piece := range strings.SplitSeq(sql, ";") {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			continue
		}
		if i := strings.Index(piece, "syntax"); i >= 0 {
			e := vector.Errorf(vector.CodeSyntaxError, "syntax error at or near \"syntax\"")
			e.Position = int32(strings.Index(sql, "syntax") + 1)
			return nil, e
		}
		out = append(out, &runnel.Statement{SQL: piece})
	}
	return out, nil
}

var int8Col = []runnel.Column{{Name: "n", Type: vector.Int8}}

func (f *fakeSession) Prepare(st *runnel.Statement, paramOIDs []uint32) (*runnel.Prepared, error) {
	p := &runnel.Prepared{SQL: st.SQL}
	switch strings.Fields(st.SQL)[0] {
	case "select", "sleep":
		p.Columns = int8Col
	case "echo":
		p.Columns = int8Col
		p.ParamTypes = []vector.Type{vector.Int8}
	case "fail", "panic", "create", "set", "copyin", "copyout":
	default:
		return nil, vector.Errorf(vector.CodeUndefinedTable, "relation %q does not exist", st.SQL)
	}
	return p, nil
}

func (f *fakeSession) Execute(ctx context.Context, p *runnel.Prepared, params []vector.Datum) (*runnel.Result, error) {
	fields := strings.Fields(p.SQL)
	switch fields[0] {
	case "select":
		n := 0
		if len(fields) > 1 {
			n, _ = strconv.Atoi(fields[1])
		}
		return &runnel.Result{Columns: int8Col, Rows: &fakeRows{n: n}, Tag: "SELECT", Counted: true}, nil
	case "echo":
		if len(params) == 0 { // a simple query binds no parameter
			return nil, vector.Errorf(vector.CodeProtocolViolation, "echo needs a parameter")
		}
		rows := &fakeRows{n: 1, echo: true, value: params[0]}
		return &runnel.Result{Columns: int8Col, Rows: rows, Tag: "SELECT", Counted: true}, nil
	case "sleep":
		<-ctx.Done()
		return nil, ctx.Err()
	case "fail":
		return nil, vector.Errorf(vector.CodeDivisionByZero, "division by zero")
	case "panic":
		panic("boom")
	case "create":
		return &runnel.Result{Tag: "CREATE TABLE", Notices: []*vector.Error{{Message: "hello"}}}, nil
	case "set":
		return &runnel.Result{Tag: "SET", Params: []runnel.Param{{Name: "TimeZone", Value: "Europe/Paris"}}}, nil
	case "copyin":
		var got []byte
		return &runnel.Result{CopyIn: &runnel.CopyIn{
			Columns: 2,
			Write:   func(d []byte) error { got = append(got, d...); return nil },
			Done:    func() (string, error) { return fmt.Sprintf("COPY %d", len(got)), nil },
			Abort:   func(string) {},
		}}, nil
	case "copyout":
		sent := false
		return &runnel.Result{CopyOut: &runnel.CopyOut{
			Columns: 1,
			Next: func(context.Context) ([][]byte, error) {
				if sent {
					return nil, nil
				}
				sent = true
				return [][]byte{[]byte("a\n"), []byte("b\n")}, nil
			},
			Tag: func() string { return "COPY 2" },
		}}, nil
	}
	return nil, fmt.Errorf("fake: cannot execute %q", p.SQL)
}

func (f *fakeSession) TxStatus() byte                { return 'I' }
func (f *fakeSession) Location() *time.Location      { return time.UTC }
func (f *fakeSession) BeginImplicit(bool)            {}
func (f *fakeSession) EndImplicit(failed bool) error { return nil }

func (f *fakeSession) Close() {
	if f.closed != nil {
		close(f.closed)
	}
}

// fakeRows yields the int8 values 0..n-1, three rows per batch; or, for
// echo, the one row value (NULL when nil).
type fakeRows struct {
	n, next int
	echo    bool
	value   vector.Datum
}

func (r *fakeRows) Next(ctx context.Context) (*vector.Batch, error) {
	if r.next >= r.n {
		return nil, nil
	}
	b := array.NewInt64Builder(vector.Mem)
	end := min(r.n, r.next+3)
	for ; r.next < end; r.next++ {
		switch {
		case !r.echo:
			b.Append(int64(r.next))
		case r.value == nil:
			b.AppendNull()
		default:
			b.Append(r.value.(int64))
		}
	}
	col := b.NewArray()
	return vector.NewBatch([]arrow.Array{col}, col.Len()), nil
}

func (r *fakeRows) Close() {}
