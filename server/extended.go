package server

import (
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/vector"
)

// parse serves Parse: the text must hold at most one statement; a named
// statement must not exist yet, the unnamed one is replaced.
func (c *conn) parse(m *pgproto3.Parse) error {
	if _, ok := c.stmts[m.Name]; ok && m.Name != "" {
		return vector.Errorf(vector.CodeDuplicatePreparedStatement, "prepared statement %q already exists", m.Name)
	}
	stmts, err := c.sess.Parse(m.Query)
	if err != nil {
		return err
	}
	ps := &preparedStmt{}
	switch len(stmts) {
	case 0:
	case 1:
		if ps.prep, err = c.sess.Prepare(stmts[0], m.ParameterOIDs); err != nil {
			return err
		}
	default:
		return vector.Errorf(vector.CodeSyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	c.stmts[m.Name] = ps
	c.be.Send(&pgproto3.ParseComplete{})
	return nil
}

// lookupStmt finds a prepared statement by name.
func (c *conn) lookupStmt(name string) (*preparedStmt, error) {
	if ps := c.stmts[name]; ps != nil {
		return ps, nil
	}
	if name == "" {
		return nil, vector.Errorf(vector.CodeInvalidSQLStatementName, "unnamed prepared statement does not exist")
	}
	return nil, vector.Errorf(vector.CodeInvalidSQLStatementName, "prepared statement %q does not exist", name)
}

// lookupPortal finds a portal by name.
func (c *conn) lookupPortal(name string) (*portal, error) {
	if p := c.portals[name]; p != nil {
		return p, nil
	}
	return nil, vector.Errorf(vector.CodeUndefinedCursor, "portal %q does not exist", name)
}

// bind serves Bind: it decodes the parameters by the statement's parameter
// types and makes a portal.
func (c *conn) bind(m *pgproto3.Bind) error {
	ps, err := c.lookupStmt(m.PreparedStatement)
	if err != nil {
		return err
	}
	if _, ok := c.portals[m.DestinationPortal]; ok && m.DestinationPortal != "" {
		return vector.Errorf(vector.CodeDuplicateCursor, "portal %q already exists", m.DestinationPortal)
	}
	var want int
	var cols int
	if ps.prep != nil {
		want, cols = len(ps.prep.ParamTypes), len(ps.prep.Columns)
	}
	if n := len(m.ParameterFormatCodes); n > 1 && n != len(m.Parameters) {
		return protocolError("bind message has %d parameter formats but %d parameters", n, len(m.Parameters))
	}
	if len(m.Parameters) != want {
		return protocolError("bind message supplies %d parameters, but prepared statement %q requires %d",
			len(m.Parameters), m.PreparedStatement, want)
	}
	if n := len(m.ResultFormatCodes); n > 1 && n != cols {
		return protocolError("bind message has %d result formats but query has %d columns", n, cols)
	}
	paramFormats, err := expandFormats(m.ParameterFormatCodes, want)
	if err != nil {
		return err
	}
	resultFormats, err := expandFormats(m.ResultFormatCodes, cols)
	if err != nil {
		return err
	}
	params := make([]vector.Datum, want)
	for i, raw := range m.Parameters {
		if raw == nil {
			continue
		}
		t := ps.prep.ParamTypes[i]
		if paramFormats[i] == formatBinary {
			params[i], err = vector.DecodeBinary(raw, t)
		} else {
			params[i], err = vector.ParseText(string(raw), t, c.sess.Location())
		}
		if err != nil {
			return err
		}
	}
	c.newPortal(m.DestinationPortal, ps.prep, params, resultFormats)
	c.be.Send(&pgproto3.BindComplete{})
	return nil
}

// describe serves Describe of a statement (its parameter types and result
// columns, in text) or of a portal (its columns in the formats of its Bind).
func (c *conn) describe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		ps, err := c.lookupStmt(m.Name)
		if err != nil {
			return err
		}
		var oids []uint32
		if ps.prep != nil {
			oids = make([]uint32, len(ps.prep.ParamTypes))
			for i, t := range ps.prep.ParamTypes {
				oids[i] = t.OID()
			}
		}
		c.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		c.describeRows(ps.prep, nil)
	case 'P':
		p, err := c.lookupPortal(m.Name)
		if err != nil {
			if cols, ok := c.cursorColumns(m.Name); ok {
				c.describeColumns(cols, nil)
				return nil
			}
			return err
		}
		c.describeRows(p.prep, p.formats)
	default:
		return protocolError("invalid DESCRIBE message subtype %d", m.ObjectType)
	}
	return nil
}

// describeRows sends the RowDescription of prep's result, or NoData.
func (c *conn) describeRows(prep *runnel.Prepared, formats []int16) {
	if prep == nil {
		c.be.Send(&pgproto3.NoData{})
		return
	}
	c.describeColumns(prep.Columns, formats)
}

// describeColumns sends the RowDescription of cols, or NoData when nil.
func (c *conn) describeColumns(cols []runnel.Column, formats []int16) {
	if cols == nil {
		c.be.Send(&pgproto3.NoData{})
		return
	}
	c.be.Send(rowDescription(cols, formats))
}

// cursorColumns describes the SQL cursor called name (DECLARE), which
// Describe may name as a portal (psycopg does, for its server cursors).
func (c *conn) cursorColumns(name string) ([]runnel.Column, bool) {
	cs, ok := c.sess.(interface {
		CursorColumns(name string) ([]runnel.Column, bool)
	})
	if !ok {
		return nil, false
	}
	return cs.CursorColumns(name)
}

// execute serves Execute: it runs the portal's statement on the first
// Execute and sends up to MaxRows of its rows (0: all).
func (c *conn) execute(m *pgproto3.Execute) error {
	p, err := c.lookupPortal(m.Portal)
	if err != nil {
		return err
	}
	if p.prep == nil {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if p.res == nil {
		if !c.inSync {
			c.inSync = true
			c.sess.BeginImplicit(false)
		}
		if err := c.start(p); err != nil {
			c.closePortal(m.Portal)
			return err
		}
		if p.done {
			return nil
		}
	} else if p.done {
		if p.res.Rows == nil {
			return vector.Errorf(vector.CodeObjectNotInPrerequisiteState, "portal %q cannot be run", m.Portal)
		}
		c.complete(p.res, 0)
		return nil
	}
	if err := c.fetch(p, int(m.MaxRows)); err != nil {
		c.closePortal(m.Portal)
		return err
	}
	return nil
}

// close serves Close of a statement or portal; closing one that does not
// exist is not an error.
func (c *conn) close(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		delete(c.stmts, m.Name)
	case 'P':
		c.closePortal(m.Name)
	default:
		return protocolError("invalid CLOSE message subtype %d", m.ObjectType)
	}
	c.be.Send(&pgproto3.CloseComplete{})
	return nil
}

// sync serves Sync: it ends the cycle's implicit transaction — committed,
// or rolled back when a message of the cycle failed — and, outside a
// transaction block, the portals that lived in it; then it reports
// ReadyForQuery.
func (c *conn) sync() error {
	failed := c.skipSync
	c.skipSync = false
	if c.inSync {
		c.inSync = false
		if c.sess.TxStatus() == 'I' {
			for name := range c.portals {
				c.closePortal(name)
			}
		}
		if err := c.sess.EndImplicit(failed); err != nil {
			c.sendError(err)
		}
	}
	return c.readyForQuery()
}
