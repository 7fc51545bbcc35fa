package server

import (
	"context"
	"net"
)

// connReader reads the socket in chunks of readChunkIdle bytes until a read
// fills one: from then on (a client sending large messages or COPY data)
// in chunks of readChunk. An idle connection so holds little memory.
const (
	readChunkIdle = 2 << 10
	readChunk     = 32 << 10
)

// connReader reads the client's socket in its own goroutine, so that the
// connection notices a client that goes away while a statement runs (and
// cancels it) instead of only at the next read.
//
// Invariants: at most len(free) chunks are read ahead of the consumer, so a
// client that pipelines faster than the server works is held back by TCP;
// chunks arrive in socket order; once the socket fails (or ctx ends), gone is
// closed and err holds the failure (read only after gone is closed).
type connReader struct {
	nc     net.Conn
	chunks chan []byte // filled chunks, in order
	free   chan []byte // buffers the goroutine may fill
	gone   chan struct{}
	err    error
	cur    []byte // unread rest of the chunk being consumed
	curBuf []byte // the whole buffer cur lies in, returned to free when consumed
	ctx    context.Context
}

// newConnReader starts reading nc. onGone runs (in the reader goroutine)
// once the socket fails or reaches EOF. Read returns ctx's cause once ctx is
// done.
func newConnReader(ctx context.Context, nc net.Conn, onGone func()) *connReader {
	const depth = 2
	r := &connReader{
		nc:     nc,
		chunks: make(chan []byte, depth),
		free:   make(chan []byte, depth),
		gone:   make(chan struct{}),
		ctx:    ctx,
	}
	for range depth {
		r.free <- make([]byte, readChunkIdle)
	}
	go r.run(onGone)
	return r
}

func (r *connReader) run(onGone func()) {
	defer onGone()
	defer close(r.gone)
	size := readChunkIdle
	for {
		var buf []byte
		select {
		case buf = <-r.free:
		case <-r.ctx.Done():
			r.err = context.Cause(r.ctx)
			return
		}
		if len(buf) < size {
			buf = make([]byte, size)
		}
		n, err := r.nc.Read(buf)
		if n == len(buf) {
			size = readChunk
		}
		if n > 0 {
			r.chunks <- buf[:n] // never blocks: one chunk per free buffer
		}
		if err != nil {
			r.err = err
			return
		}
		if n == 0 {
			r.free <- buf
		}
	}
}

// ioError is a failure of the client's socket (reading or writing), or
// the end of the connection's context: the connection cannot go on. It is
// told apart from a malformed message, which the client is told about.
type ioError struct{ err error }

func (e *ioError) Error() string { return e.err.Error() }
func (e *ioError) Unwrap() error { return e.err }

// Read implements io.Reader for the protocol decoder.
func (r *connReader) Read(p []byte) (int, error) {
	if len(r.cur) == 0 {
		if r.curBuf != nil {
			r.free <- r.curBuf[:cap(r.curBuf)]
			r.curBuf = nil
		}
		select {
		case c := <-r.chunks:
			r.cur, r.curBuf = c, c
		default:
			select {
			case c := <-r.chunks:
				r.cur, r.curBuf = c, c
			case <-r.gone:
				// Chunks sent before gone closed are still readable.
				select {
				case c := <-r.chunks:
					r.cur, r.curBuf = c, c
				default:
					return 0, &ioError{r.err}
				}
			case <-r.ctx.Done():
				return 0, &ioError{context.Cause(r.ctx)}
			}
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}
