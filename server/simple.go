package server

import (
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel"
)

// simpleQuery serves a Query message: the whole text is parsed first (a
// syntax error anywhere runs nothing), then each statement runs in turn
// until one fails. Several statements form one implicit transaction, as in
// Postgres: a failure undoes the statements before it. ReadyForQuery ends
// the cycle in every case.
func (c *conn) simpleQuery(sql string) error {
	// A simple query replaces the unnamed statement and portal.
	delete(c.stmts, "")
	c.closePortal("")
	stmts, err := c.sess.Parse(sql)
	if err != nil {
		c.sendError(err)
		return c.readyForQuery()
	}
	if len(stmts) == 0 {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return c.readyForQuery()
	}
	implicit := len(stmts) > 1
	if implicit {
		c.sess.BeginImplicit(true)
	}
	failed := false
	for _, st := range stmts {
		if err := c.runSimple(st); err != nil {
			if ended := c.ended(err); ended != nil {
				return ended
			}
			c.sendError(err)
			failed = true
			break
		}
	}
	if implicit {
		if err := c.sess.EndImplicit(failed); err != nil {
			c.sendError(err)
		}
	}
	c.closePortal("")
	return c.readyForQuery()
}

// runSimple runs one statement of a simple query, its rows in text.
func (c *conn) runSimple(st *runnel.Statement) error {
	prep, err := c.sess.Prepare(st, nil)
	if err != nil {
		return err
	}
	p := c.newPortal("", prep, nil, nil)
	if err := c.start(p); err != nil || p.done {
		return err
	}
	c.be.Send(rowDescription(p.res.Columns, nil))
	return c.fetch(p, 0)
}
