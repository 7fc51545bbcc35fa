package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/vector"
)

// preparedStmt is a prepared statement of the extended protocol. prep is
// nil for an empty query string.
type preparedStmt struct {
	prep *runnel.Prepared
}

// portal is a statement bound to its parameters, executed by one or more
// Execute messages (or once, by a simple query).
//
// Invariants: res is nil until the statement was executed; batch[pos:] are
// the rows read from res.Rows but not yet sent; once done, the statement has
// completed and res.Rows (if any) is exhausted or closed; ctx is cancelled when the portal is
// closed or its statement cancelled.
type portal struct {
	prep    *runnel.Prepared // nil for an empty query string
	params  []vector.Datum
	formats []int16 // per result column; nil: all text
	ctx     context.Context
	cancel  context.CancelCauseFunc
	res     *runnel.Result
	batch   *vector.Batch
	pos     int
	done    bool
}

// newPortal binds prep to params under name, replacing the unnamed portal.
func (c *conn) newPortal(name string, prep *runnel.Prepared, params []vector.Datum, formats []int16) *portal {
	c.closePortal(name)
	ctx, cancel := context.WithCancelCause(c.ctx)
	p := &portal{prep: prep, params: params, formats: formats, ctx: ctx, cancel: cancel}
	c.portals[name] = p
	return p
}

// closePortal drops the portal called name, if there is one.
func (c *conn) closePortal(name string) {
	p := c.portals[name]
	if p == nil {
		return
	}
	delete(c.portals, name)
	p.cancel(context.Canceled)
	if p.res != nil && p.res.Rows != nil && !p.done {
		p.res.Rows.Close()
	}
}

// setRunning marks p as the portal whose statement a CancelRequest cancels.
func (c *conn) setRunning(p *portal) {
	c.mu.Lock()
	c.running = p
	c.mu.Unlock()
}

// statementError is err as the client must see it: a statement that
// stopped because its portal was cancelled reports why the portal was
// cancelled (a CancelRequest, the client going away, a shutdown).
func (p *portal) statementError(err error) error {
	if p.ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return context.Cause(p.ctx)
	}
	return err
}

// start executes p's statement and reports its notices and parameter
// changes. A COPY is run to its end here.
func (c *conn) start(p *portal) error {
	c.setRunning(p)
	defer c.setRunning(nil)
	res, err := c.sess.Execute(p.ctx, p.prep, p.params)
	if err != nil {
		p.done = true
		return p.statementError(err)
	}
	p.res = res
	for _, n := range res.Notices {
		c.be.Send(noticeResponse(n))
	}
	for _, prm := range res.Params {
		c.be.Send(&pgproto3.ParameterStatus{Name: prm.Name, Value: prm.Value})
	}
	switch {
	case res.CopyIn != nil:
		p.done = true
		return p.statementError(c.copyIn(res.CopyIn))
	case res.CopyOut != nil:
		p.done = true
		return p.statementError(c.copyOut(p.ctx, res.CopyOut))
	case res.Rows == nil:
		p.done = true
		c.complete(res, 0)
	}
	return nil
}

// fetch sends up to maxRows rows of p (0: all), then CommandComplete when
// the rows are exhausted or PortalSuspended when maxRows were sent (as
// Postgres does, without looking whether more follow).
func (c *conn) fetch(p *portal, maxRows int) error {
	c.setRunning(p)
	defer c.setRunning(nil)
	if err := c.flushLive(p.res.Rows); err != nil {
		return err
	}
	sent := 0
	for maxRows == 0 || sent < maxRows {
		if p.batch == nil || p.pos == p.batch.Len {
			b, err := p.res.Rows.Next(p.ctx)
			if err != nil {
				p.done = true
				p.res.Rows.Close()
				return p.statementError(err)
			}
			if b == nil {
				p.done = true
				p.batch = nil
				c.complete(p.res, sent)
				return nil
			}
			p.batch, p.pos = b, 0
			continue
		}
		n := p.batch.Len - p.pos
		if maxRows > 0 {
			n = min(n, maxRows-sent)
		}
		c.enc.loc = c.sess.Location()
		if shared, ok := p.res.Rows.(runnel.SharedRows); ok && n == p.batch.Len {
			c.enc.buf = append(c.enc.buf, shared.Encoded(p.batch, encodingKey(p.formats, c.enc.loc), func() []byte {
				enc := rowEncoder{loc: c.enc.loc}
				enc.appendRows(p.batch, 0, n, p.res.Columns, p.formats)
				return enc.buf
			})...)
		} else {
			c.enc.appendRows(p.batch, p.pos, p.pos+n, p.res.Columns, p.formats)
		}
		p.pos += n
		sent += n
		if err := c.writeRows(); err != nil {
			return err
		}
	}
	c.be.Send(&pgproto3.PortalSuspended{})
	return nil
}

// flushLive sends what the backend buffered (the RowDescription) before
// reading rows that never end by themselves (SUBSCRIBE), whose Next waits
// for the next change: each batch of them is flushed as it comes.
func (c *conn) flushLive(rows runnel.Rows) error {
	if _, live := rows.(runnel.LiveRows); !live {
		return nil
	}
	if err := c.be.Flush(); err != nil {
		return &ioError{err}
	}
	return nil
}

// encodingKey names the encoding of rows in formats (nil: all text) and
// time zone loc, under which readers of shared rows share it.
func encodingKey(formats []int16, loc *time.Location) string {
	return fmt.Sprint(formats, loc)
}

// complete sends the CommandComplete of res, rows being the number of rows
// this Execute sent.
func (c *conn) complete(res *runnel.Result, rows int) {
	tag := []byte(res.Tag)
	if res.Counted {
		tag = strconv.AppendInt(append(tag, ' '), int64(rows), 10)
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: tag})
}
