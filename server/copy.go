package server

import (
	"context"
	"encoding/binary"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/runneldb/runnel"
	"github.com/runneldb/runnel/vector"
)

// copyFormats are the overall and per-column format codes of a COPY.
func copyFormats(format runnel.CopyFormat, columns int) (byte, []uint16) {
	code := uint16(formatText)
	if format == runnel.CopyBinary {
		code = uint16(formatBinary)
	}
	cols := make([]uint16, columns)
	for i := range cols {
		cols[i] = code
	}
	return byte(code), cols
}

// copyIn runs COPY … FROM STDIN: it streams the client's CopyData into cp
// until CopyDone (which completes the command) or CopyFail. Flush and Sync
// are ignored meanwhile, as Postgres does. On any failure cp is aborted;
// CopyData the client sends after it is dropped by the message loop.
func (c *conn) copyIn(cp *runnel.CopyIn) error {
	overall, cols := copyFormats(cp.Format, cp.Columns)
	c.be.Send(&pgproto3.CopyInResponse{OverallFormat: overall, ColumnFormatCodes: cols})
	if err := c.be.Flush(); err != nil {
		cp.Abort(err.Error())
		return &ioError{err}
	}
	for {
		msg, err := c.be.Receive()
		if err != nil {
			cp.Abort(err.Error())
			return c.readFailed(err)
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			if err := cp.Write(m.Data); err != nil {
				cp.Abort(err.Error())
				return err
			}
		case *pgproto3.CopyDone:
			tag, err := cp.Done()
			if err != nil {
				return err
			}
			c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
			return nil
		case *pgproto3.CopyFail:
			cp.Abort(m.Message)
			return vector.Errorf(vector.CodeQueryCanceled, "COPY from stdin failed: %s", m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
		default:
			cp.Abort("unexpected message")
			return protocolError("unexpected message type 0x%02X during COPY from stdin", msgType(msg))
		}
	}
}

// copyOut runs COPY … TO STDOUT: one CopyData per row, then CopyDone and
// CommandComplete. The rows of each Next are sent at once, and the
// CopyOutResponse before the first: the rows of a COPY (SUBSCRIBE …)
// reach the client as they happen.
func (c *conn) copyOut(ctx context.Context, cp *runnel.CopyOut) error {
	overall, cols := copyFormats(cp.Format, cp.Columns)
	c.be.Send(&pgproto3.CopyOutResponse{OverallFormat: overall, ColumnFormatCodes: cols})
	if err := c.be.Flush(); err != nil {
		return &ioError{err}
	}
	for {
		rows, err := cp.Next(ctx)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		for _, row := range rows {
			c.enc.buf = append(c.enc.buf, 'd', 0, 0, 0, 0)
			binary.BigEndian.PutUint32(c.enc.buf[len(c.enc.buf)-4:], uint32(len(row)+4))
			c.enc.buf = append(c.enc.buf, row...)
		}
		if err := c.writeRows(); err != nil {
			return err
		}
	}
	c.be.Send(&pgproto3.CopyDone{})
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(cp.Tag())})
	return nil
}
