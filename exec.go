package runnel

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/sem/tree"

	"github.com/runneldb/runnel/planner"
	"github.com/runneldb/runnel/vector"
)

// describe plans a statement without running it, to learn its result
// columns and parameter types.
func (s *Session) describe(ast tree.Statement, params *vector.ParamTypes) ([]Column, error) {
	st := s.begin(params, nil)
	defer st.finish(errDescribeOnly) //nolint:errcheck // rolls back
	st.plan.DescribeOnly()
	switch ast := ast.(type) {
	case streamStatement:
		return ast.describe(st)
	case *tree.Select:
		q, err := st.plan.Query(ast)
		if err != nil {
			return nil, err
		}
		return columnsOf(q.Columns), nil
	case *tree.Insert:
		ins, err := st.plan.Insert(ast)
		if err != nil {
			return nil, err
		}
		return returningColumns(ins.Returning), nil
	case *tree.Update:
		up, err := st.plan.Update(ast)
		if err != nil {
			return nil, err
		}
		return returningColumns(up.Returning), nil
	case *tree.Delete:
		del, err := st.plan.Delete(ast)
		if err != nil {
			return nil, err
		}
		return returningColumns(del.Returning), nil
	case *tree.Explain:
		return []Column{{Name: "QUERY PLAN", Type: vector.Text}}, nil
	case *tree.ShowVar:
		if strings.EqualFold(ast.Name, "all") {
			return []Column{{Name: "name", Type: vector.Text}, {Name: "setting", Type: vector.Text}, {Name: "description", Type: vector.Text}}, nil
		}
		return []Column{{Name: strings.ToLower(ast.Name), Type: vector.Text}}, nil
	}
	return nil, nil
}

// errDescribeOnly rolls back the transaction of a describe.
var errDescribeOnly = fmt.Errorf("describe only")

func columnsOf(cs []planner.Column) []Column {
	out := make([]Column, len(cs))
	for i, c := range cs {
		out[i] = Column{Name: c.Name, Type: c.Type, TableOID: c.TableOID, Attr: c.Attr}
	}
	return out
}

func returningColumns(r *planner.Returning) []Column {
	if r == nil {
		return nil
	}
	return columnsOf(r.Columns)
}

// execute runs one statement.
func (s *Session) execute(ctx context.Context, p *Prepared, params []vector.Datum) (*Result, error) {
	if err := s.authorize(p); err != nil {
		return nil, err
	}
	if p.cmd != nil {
		return p.cmd.run(ctx, s)
	}
	if err := s.refuseSystemChange(p.ast); err != nil {
		return nil, err
	}
	switch ast := p.ast.(type) {
	case *tree.BeginTransaction:
		return s.beginBlock()
	case *tree.CommitTransaction:
		return s.commitBlock()
	case *tree.RollbackTransaction:
		return s.rollbackBlock()
	case *tree.SetVar:
		return s.setVar(ast, params, p.ParamTypes)
	case *tree.ShowVar:
		return s.showVar(ast)
	case *tree.SetSessionCharacteristics, *tree.SetTransaction:
		return &Result{Tag: "SET"}, nil
	case *tree.Discard:
		return s.discard()
	case *tree.Deallocate:
		return &Result{Tag: "DEALLOCATE"}, nil
	case *tree.CreateTable, *tree.DropTable, *tree.RenameTable, *tree.AlterTable, *tree.CreateSchema, *tree.DropSchema,
		*tree.CreateView, *tree.DropView:
		return s.ddl(ctx, ast)
	case *tree.Grant, *tree.Revoke, *tree.GrantRole, *tree.RevokeRole, *tree.AlterTableOwner, *tree.AlterSchema, *tree.CreateRole, *tree.AlterRole, *tree.DropRole:
		return s.accessControl(ctx, p)
	case *tree.Explain:
		if cv, ok := ast.Statement.(*tree.CreateView); ok {
			return s.explainView(cv, false)
		}
	}
	types := &vector.ParamTypes{Types: p.ParamTypes}
	st := s.begin(types, params)
	switch ast := p.ast.(type) {
	case streamStatement:
		return ast.run(ctx, st)
	case *tree.Select:
		return st.query(ctx, ast)
	case *tree.Insert:
		res, err := st.insert(ctx, ast)
		return res, st.finish(err)
	case *tree.Update:
		res, err := st.update(ctx, ast)
		return res, st.finish(err)
	case *tree.Delete:
		res, err := st.delete(ctx, ast)
		return res, st.finish(err)
	case *tree.CopyFrom:
		return st.copyFrom(ast)
	case *tree.CopyTo:
		return st.copyTo(ctx, ast)
	}
	st.finish(errDescribeOnly) //nolint:errcheck // rolls back
	return nil, vector.Errorf(vector.CodeFeatureNotSupported, "%s is not supported", tree.AsString(p.ast))
}

// beginBlock opens a transaction block.
func (s *Session) beginBlock() (*Result, error) {
	if s.implicit {
		s.implicit = false // the rest of the message runs in this block
		return &Result{Tag: "BEGIN"}, nil
	}
	if s.txn != nil {
		return &Result{Tag: "BEGIN", Notices: []*vector.Error{{Code: vector.CodeActiveSQLTransaction, Message: "there is already a transaction in progress"}}}, nil
	}
	s.txn = newTxn(s)
	s.txnStart = time.Now()
	return &Result{Tag: "BEGIN"}, nil
}

// commitBlock commits the block; in a failed block it rolls back.
func (s *Session) commitBlock() (*Result, error) {
	if s.txn == nil {
		return &Result{Tag: "COMMIT", Notices: []*vector.Error{{Code: vector.CodeNoActiveSQLTransaction, Message: "there is no transaction in progress"}}}, nil
	}
	txn, failed := s.txn, s.failed
	s.txn, s.failed, s.implicit = nil, false, false
	s.closeCursors()
	if failed {
		txn.Rollback()
		return &Result{Tag: "ROLLBACK"}, nil
	}
	if err := txn.Commit(); err != nil {
		return nil, err
	}
	return &Result{Tag: "COMMIT"}, nil
}

// rollbackBlock abandons the block.
func (s *Session) rollbackBlock() (*Result, error) {
	if s.txn == nil {
		return &Result{Tag: "ROLLBACK", Notices: []*vector.Error{{Code: vector.CodeNoActiveSQLTransaction, Message: "there is no transaction in progress"}}}, nil
	}
	s.closeCursors()
	s.txn.Rollback()
	s.txn, s.failed, s.implicit = nil, false, false
	return &Result{Tag: "ROLLBACK"}, nil
}

// setVar runs SET name = value and RESET.
func (s *Session) setVar(ast *tree.SetVar, params []vector.Datum, types []vector.Type) (*Result, error) {
	if ast.ResetAll {
		return &Result{Tag: "RESET", Params: s.settings.resetAll()}, nil
	}
	name := strings.ToLower(ast.Name)
	if name == "time zone" {
		name = "timezone"
	}
	if ast.Reset || len(ast.Values) == 0 {
		ps, err := s.settings.reset(name)
		tag := "SET"
		if ast.Reset {
			tag = "RESET"
		}
		return &Result{Tag: tag, Params: ps}, err
	}
	if name == "timezone" && len(ast.Values) == 1 {
		if h, ok := numericHours(ast.Values[0]); ok {
			ps, err := s.settings.set(name, sqlZone(h))
			return &Result{Tag: "SET", Params: ps}, err
		}
	}
	parts := make([]string, len(ast.Values))
	for i, v := range ast.Values {
		text, err := settingValue(v, params, types)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(text, "default") && len(ast.Values) == 1 {
			ps, err := s.settings.reset(name)
			return &Result{Tag: "SET", Params: ps}, err
		}
		parts[i] = text
	}
	ps, err := s.settings.set(name, strings.Join(parts, ", "))
	return &Result{Tag: "SET", Params: ps}, err
}

// settingValue reads a SET value: a name, string, number or parameter.
func settingValue(v tree.Expr, params []vector.Datum, types []vector.Type) (string, error) {
	switch v := v.(type) {
	case *tree.StrVal:
		return v.RawString(), nil
	case *tree.NumVal:
		return v.String(), nil
	case *tree.UnresolvedName:
		return v.String(), nil
	case *tree.Placeholder:
		if int(v.Idx) < len(params) {
			return vector.FormatDatum(params[v.Idx], types[v.Idx], nil), nil
		}
	case *tree.DBool:
		if *v {
			return "on", nil
		}
		return "off", nil
	case *tree.UnaryExpr:
		if n, ok := v.Expr.(*tree.NumVal); ok && v.Operator.String() == "-" {
			return "-" + n.String(), nil
		}
	}
	s := tree.AsString(v)
	if strings.HasPrefix(s, "'") && strings.HasSuffix(s, "'") {
		return strings.Trim(s, "'"), nil
	}
	return s, nil
}

// showVar runs SHOW name and SHOW ALL.
func (s *Session) showVar(ast *tree.ShowVar) (*Result, error) {
	name := strings.ToLower(ast.Name)
	if name == "all" {
		var rows [][]vector.Datum
		for _, kv := range s.settings.all() {
			rows = append(rows, []vector.Datum{displayName(kv[0]), kv[1], ""})
		}
		return textRows([]string{"name", "setting", "description"}, rows, "SHOW"), nil
	}
	if name == "time zone" {
		name = "timezone"
	}
	v, ok := s.settings.get(name)
	if !ok {
		return nil, vector.Errorf(vector.CodeUndefinedObject, "unrecognized configuration parameter %q", name)
	}
	return textRows([]string{name}, [][]vector.Datum{{v}}, "SHOW"), nil
}

// discard runs DISCARD ALL: settings back to their defaults.
func (s *Session) discard() (*Result, error) {
	if s.txn != nil {
		return nil, vector.Errorf(vector.CodeActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
	}
	return &Result{Tag: "DISCARD ALL", Params: s.settings.resetAll()}, nil
}

// numericHours reads the number of SET TIME ZONE <number>.
func numericHours(v tree.Expr) (float64, bool) {
	sign := 1.0
	if u, ok := v.(*tree.UnaryExpr); ok && u.Operator.String() == "-" {
		sign, v = -1, u.Expr
	}
	n, ok := v.(*tree.NumVal)
	if !ok {
		return 0, false
	}
	h, err := strconv.ParseFloat(tree.AsString(n), 64)
	return sign * h, err == nil
}
