package server

import (
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func TestExtended(t *testing.T) {
	tests := []struct {
		name string
		msgs []pgproto3.FrontendMessage
		want []string
	}{
		{"parse describe bind execute",
			[]pgproto3.FrontendMessage{
				&pgproto3.Parse{Name: "s", Query: "echo $1"},
				&pgproto3.Describe{ObjectType: 'S', Name: "s"},
				&pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("42")}, ResultFormatCodes: []int16{1}},
				&pgproto3.Describe{ObjectType: 'P'},
				&pgproto3.Execute{},
				&pgproto3.Sync{}},
			[]string{"ParseComplete", "ParameterDescription [20]", "RowDescription n:20:0", "BindComplete",
				"RowDescription n:20:1", `DataRow "\x00\x00\x00\x00\x00\x00\x00*"`, "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"binary and null parameters",
			[]pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "echo $1"},
				&pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 0, 0, 0, 1, 0}}},
				&pgproto3.Execute{},
				&pgproto3.Bind{Parameters: [][]byte{nil}},
				&pgproto3.Execute{},
				&pgproto3.Sync{}},
			[]string{"ParseComplete", "BindComplete", `DataRow "256"`, "CommandComplete SELECT 1",
				"BindComplete", "DataRow NULL", "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"portal suspended and resumed",
			[]pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "select 5"},
				&pgproto3.Bind{DestinationPortal: "p"},
				&pgproto3.Execute{Portal: "p", MaxRows: 2},
				&pgproto3.Execute{Portal: "p", MaxRows: 2},
				&pgproto3.Execute{Portal: "p", MaxRows: 2},
				&pgproto3.Execute{Portal: "p", MaxRows: 2},
				&pgproto3.Sync{}},
			[]string{"ParseComplete", "BindComplete",
				`DataRow "0"`, `DataRow "1"`, "PortalSuspended",
				`DataRow "2"`, `DataRow "3"`, "PortalSuspended",
				`DataRow "4"`, "CommandComplete SELECT 1",
				"CommandComplete SELECT 0", "ReadyForQuery I"}},
		{"exactly max rows still suspends",
			[]pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "select 2"},
				&pgproto3.Bind{},
				&pgproto3.Execute{MaxRows: 2},
				&pgproto3.Execute{MaxRows: 2},
				&pgproto3.Sync{}},
			[]string{"ParseComplete", "BindComplete", `DataRow "0"`, `DataRow "1"`, "PortalSuspended",
				"CommandComplete SELECT 0", "ReadyForQuery I"}},
		{"portal is gone after sync",
			[]pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "select 2"},
				&pgproto3.Bind{DestinationPortal: "p"},
				&pgproto3.Sync{},
				&pgproto3.Execute{Portal: "p"},
				&pgproto3.Sync{}},
			[]string{"ParseComplete", "BindComplete", "ReadyForQuery I",
				`ErrorResponse ERROR 34000 portal "p" does not exist`, "ReadyForQuery I"}},
		{"error skips to sync",
			[]pgproto3.FrontendMessage{
				&pgproto3.Parse{Query: "fail"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Parse{Query: "select 1"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Sync{},
				&pgproto3.Parse{Query: "select 1"},
				&pgproto3.Bind{},
				&pgproto3.Execute{},
				&pgproto3.Sync{}},
			[]string{"ParseComplete", "BindComplete", "ErrorResponse ERROR 22012 division by zero", "ReadyForQuery I",
				"ParseComplete", "BindComplete", `DataRow "0"`, "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"multiple statements", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "create; create"}, &pgproto3.Sync{}},
			[]string{"ErrorResponse ERROR 42601 cannot insert multiple commands into a prepared statement", "ReadyForQuery I"}},
		{"duplicate statement",
			[]pgproto3.FrontendMessage{&pgproto3.Parse{Name: "a", Query: "create"}, &pgproto3.Parse{Name: "a", Query: "create"}, &pgproto3.Sync{}},
			[]string{"ParseComplete", `ErrorResponse ERROR 42P05 prepared statement "a" already exists`, "ReadyForQuery I"}},
		{"unnamed statement replaced",
			[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "create"}, &pgproto3.Parse{Query: "select 1"},
				&pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Sync{}},
			[]string{"ParseComplete", "ParseComplete", "ParameterDescription []", "RowDescription n:20:0", "ReadyForQuery I"}},
		{"wrong parameter count",
			[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "echo $1"}, &pgproto3.Bind{Parameters: [][]byte{[]byte("1"), []byte("2")}}, &pgproto3.Sync{}},
			[]string{"ParseComplete", `ErrorResponse ERROR 08P01 bind message supplies 2 parameters, but prepared statement "" requires 1`, "ReadyForQuery I"}},
		{"bad text parameter",
			[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "echo $1"}, &pgproto3.Bind{Parameters: [][]byte{[]byte("x")}}, &pgproto3.Sync{}},
			[]string{"ParseComplete", `ErrorResponse ERROR 22P02 invalid input syntax for type bigint: "x"`, "ReadyForQuery I"}},
		{"result format count",
			[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "select 1"}, &pgproto3.Bind{ResultFormatCodes: []int16{0, 1}}, &pgproto3.Sync{}},
			[]string{"ParseComplete", "ErrorResponse ERROR 08P01 bind message has 2 result formats but query has 1 columns", "ReadyForQuery I"}},
		{"unknown statement",
			[]pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "x"}, &pgproto3.Sync{}},
			[]string{`ErrorResponse ERROR 26000 prepared statement "x" does not exist`, "ReadyForQuery I"}},
		{"describe no data and close",
			[]pgproto3.FrontendMessage{&pgproto3.Parse{Name: "c", Query: "create"}, &pgproto3.Describe{ObjectType: 'S', Name: "c"},
				&pgproto3.Close{ObjectType: 'S', Name: "c"}, &pgproto3.Close{ObjectType: 'P', Name: "nosuch"},
				&pgproto3.Describe{ObjectType: 'S', Name: "c"}, &pgproto3.Sync{}},
			[]string{"ParseComplete", "ParameterDescription []", "NoData", "CloseComplete", "CloseComplete",
				`ErrorResponse ERROR 26000 prepared statement "c" does not exist`, "ReadyForQuery I"}},
		{"empty query",
			[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: ""}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{}},
			[]string{"ParseComplete", "BindComplete", "NoData", "EmptyQueryResponse", "ReadyForQuery I"}},
		{"statement without rows",
			[]pgproto3.FrontendMessage{&pgproto3.Parse{Query: "create"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}},
			[]string{"ParseComplete", "BindComplete", "NoticeResponse NOTICE 00000 hello", "CommandComplete CREATE TABLE", "ReadyForQuery I"}},
	}
	_, addr := startFake(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := connect(t, addr)
			c.send(tt.msgs...)
			var got []string
			for range countSyncs(tt.msgs) {
				got = append(got, c.until("ReadyForQuery")...)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func countSyncs(msgs []pgproto3.FrontendMessage) int {
	n := 0
	for _, m := range msgs {
		if _, ok := m.(*pgproto3.Sync); ok {
			n++
		}
	}
	return n
}
