package proxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Serve answers HTTP/1.1 with its own connection loop rather than net/http's server, which
// starts a background read per request and moves deadlines several times per request: that
// costs about 3 % of throughput at concurrency 1. The loop reads a request with
// http.ReadRequest, answers it through Server.answer and writes the response by hand. It
// keeps what a client relies on: keep-alive and pipelining (answers in order), Connection:
// close and HTTP/1.0, Expect: 100-continue, Content-Length and chunked bodies, 400 for a
// malformed request, 431 for a header block over API Gateway's 10240-byte limit, a header
// read timeout, a body read timeout (the gateway's timeout) and an idle timeout. Not kept: a request's context is not cancelled when its
// client disconnects mid-request (noticing it needs the background read); the gateway's
// deadline still ends the invoke.

// Connection limits and timeouts (Server fields override the timeouts).
const (
	// MaxHeaderBytes is API Gateway's limit for the request line and headers together:
	// 10240 bytes [AWS-doc limits]; a larger header block gets 431.
	MaxHeaderBytes = 10240
	// DefaultReadHeaderTimeout is how long a client has to send a request's header block.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultIdleTimeout is how long a keep-alive connection may wait for its next request.
	// [Unverified: API Gateway's own idle timeout is not documented for REST and HTTP APIs.]
	DefaultIdleTimeout = 2 * time.Minute
	// maxDrain is how much of a body the handler left unread is read and dropped to keep the
	// connection; past it the connection is closed (net/http's rule).
	maxDrain = 256 << 10
)

// conn is one client connection served by the loop.
type conn struct {
	sv     *serving
	nc     net.Conn
	lr     *limitReader
	br     *bufio.Reader
	bw     *bufio.Writer
	ctx    context.Context
	remote string
	date   []byte
}

func newConn(sv *serving, nc net.Conn) *conn {
	ctx := context.WithValue(context.Background(), http.LocalAddrContextKey, nc.LocalAddr())
	var r io.Reader = nc
	if sv.s.API == REST {
		// Only REST events keep the client's header casing; HTTP APIs lower-case every name,
		// so their connections need not remember what they read.
		rc := &rawConn{Conn: nc}
		r = rc
		ctx = context.WithValue(ctx, rawConnKey{}, rc)
	}
	lr := &limitReader{r: r}
	return &conn{
		sv:     sv,
		nc:     nc,
		lr:     lr,
		br:     bufio.NewReaderSize(lr, 4096),
		bw:     bufio.NewWriterSize(nc, 4096),
		ctx:    ctx,
		remote: nc.RemoteAddr().String(),
		date:   make([]byte, 0, 32),
	}
}

// serve answers requests on c until the client closes it, a request asks for the
// connection to be closed, a timeout passes or the server shuts down.
func (c *conn) serve() {
	defer c.nc.Close()
	defer func() {
		if v := recover(); v != nil {
			c.sv.s.logf("lambdalocal proxy: serving %s: panic: %v", c.remote, v)
		}
	}()
	s := c.sv.s
	wait := s.readHeaderTimeout() // a new connection's first request is due at once
	for ; ; wait = s.idleTimeout() {
		if c.br.Buffered() == 0 {
			_ = c.nc.SetReadDeadline(time.Now().Add(wait))
			if _, err := c.br.Peek(1); err != nil {
				return // closed, idle too long, or shut down while idle
			}
		}
		if !c.sv.setActive(c) {
			return
		}
		if !c.headerBuffered() {
			// Only a header block that is not all here yet needs reading under the
			// header timeout; one already buffered (the usual case) is parsed without a read.
			_ = c.nc.SetReadDeadline(time.Now().Add(s.readHeaderTimeout()))
		}
		c.lr.limit(MaxHeaderBytes - c.br.Buffered())
		req, err := http.ReadRequest(c.br)
		over := c.lr.unlimit()
		if err != nil {
			c.refuse(err, over)
			return
		}
		if req.ProtoMajor != 1 {
			c.writeError(http.StatusHTTPVersionNotSupported, "unsupported protocol version "+req.Proto)
			return
		}
		if !c.serveRequest(req) || !c.sv.setIdle(c) {
			return
		}
	}
}

// headerBuffered reports whether the read buffer holds an empty line, so that reading the
// next request's header block (which ends at its first empty line, or fails earlier) needs
// nothing more from the connection.
func (c *conn) headerBuffered() bool {
	b, _ := c.br.Peek(c.br.Buffered())
	return bytes.Contains(b, []byte("\n\r\n")) || bytes.Contains(b, []byte("\n\n"))
}

// refuse answers a request that could not be read: 431 when its header block is over the
// limit, 400 when it is malformed; nothing when the client went away or timed out.
func (c *conn) refuse(err error, over bool) {
	var ne net.Error
	switch {
	case over:
		c.writeError(http.StatusRequestHeaderFieldsTooLarge, "the request line and headers are over 10240 bytes")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), errors.As(err, &ne):
	default:
		c.writeError(http.StatusBadRequest, "malformed request: "+err.Error())
	}
}

// serveRequest answers one request and reports whether the connection stays open.
func (c *conn) serveRequest(req *http.Request) bool {
	start := time.Now()
	s := c.sv.s
	req.RemoteAddr = c.remote
	req = req.WithContext(c.ctx)
	keep := !req.Close
	var cont *continueReader
	if expect := req.Header.Get("Expect"); expect != "" {
		if !strings.EqualFold(expect, "100-continue") {
			c.writeError(http.StatusExpectationFailed, "unsupported Expect: "+expect)
			return false
		}
		if req.ProtoAtLeast(1, 1) && req.ContentLength != 0 {
			cont = &continueReader{body: req.Body, c: c}
			req.Body = cont
		}
	}
	if req.ContentLength != 0 {
		// The body may take longer than the header timeout, but no longer than the
		// gateway's own deadline.
		_ = c.nc.SetReadDeadline(time.Now().Add(s.timeout()))
	}
	rep, x := c.answer(req)
	if x.err == errPanicked {
		keep = false
	}
	if keep && !drain(req.Body, cont) {
		keep = false
	}
	if keep && c.sv.closing() {
		keep = false
	}
	if rep.Status < 200 {
		keep = false // an informational status as the final answer leaves nothing to follow
	}
	err := c.writeReply(req, rep, x.ids, keep)
	s.access(req, x, rep.Status, time.Since(start))
	return keep && err == nil
}

// errPanicked marks a request whose handling panicked.
var errPanicked = errors.New("handling the request panicked")

// answer runs s.answer, turning a panic into the gateway's internal error.
func (c *conn) answer(req *http.Request) (rep *reply, x *exchange) {
	defer func() {
		if v := recover(); v != nil {
			c.sv.s.logf("lambdalocal proxy: %s %s: panic: %v", req.Method, req.RequestURI, v)
			if x == nil {
				x = &exchange{ids: newRequestIDs(c.sv.s.API, c.sv.s.now()), route: "-"}
			}
			x.err = errPanicked
			rep = errorReply(c.sv.s.API, kindFunction)
		}
	}()
	return c.sv.s.answer(req, nil)
}

// drain reads what the handler left of the body, up to maxDrain, and reports whether the
// connection can carry another request. A body the client was told to hold back (Expect:
// 100-continue without the 100 sent) is not drained; the connection closes instead.
func drain(body io.ReadCloser, cont *continueReader) bool {
	if body == nil || body == http.NoBody {
		return true
	}
	if cont != nil && !cont.sent {
		return false
	}
	n, err := io.CopyN(io.Discard, body, maxDrain+1)
	return errors.Is(err, io.EOF) && n <= maxDrain
}

// continueReader sends "100 Continue" before the first read of a body the client holds back.
type continueReader struct {
	body io.ReadCloser
	c    *conn
	sent bool
}

func (r *continueReader) Read(p []byte) (int, error) {
	if !r.sent {
		r.sent = true
		_, _ = r.c.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
		if err := r.c.bw.Flush(); err != nil {
			return 0, fmt.Errorf("sending 100 Continue: %w", err)
		}
	}
	return r.body.Read(p)
}

func (r *continueReader) Close() error { return r.body.Close() }

// limitReader bounds how much the header block may read from the connection.
type limitReader struct {
	r       io.Reader
	limited bool
	remain  int
	hit     bool
}

func (l *limitReader) limit(n int) { l.limited, l.remain, l.hit = true, max(n, 0), false }

// unlimit lifts the bound and reports whether it was reached.
func (l *limitReader) unlimit() bool {
	l.limited = false
	return l.hit
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.limited {
		if l.remain <= 0 {
			l.hit = true
			return 0, errHeaderTooLarge
		}
		if len(p) > l.remain {
			p = p[:l.remain]
		}
	}
	n, err := l.r.Read(p)
	l.remain -= n
	return n, err
}

var errHeaderTooLarge = errors.New("the request header block is over the limit")
