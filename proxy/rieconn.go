package proxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// riePool is how an RIEClient without an http.Client reaches a plain-HTTP endpoint: HTTP/1.1
// over keep-alive connections, each request written and its answer read in the caller's
// goroutine. http.Transport runs two goroutines per connection and hands every request and
// answer between them and the caller; on a busy 2-core machine those hand-offs cost about as
// much as all the proxy's own work, for nothing an invoke of one local endpoint needs.
//
// It keeps what matters of a Transport: connections are reused only after a complete
// answer, an idle connection the endpoint closed is noticed before reuse (closedByPeer), the
// answer is read within a byte budget, and the caller's context ends an exchange at once.
type riePool struct {
	addr    string // host:port to dial
	head    []byte // the request up to the Content-Length value
	maxIdle int
	dialer  net.Dialer

	mu   sync.Mutex
	idle []*rieConn // most recently used last
}

// rieAnswerBudget bounds what one answer may make the client read: the body limit plus room
// for the status line, headers and chunk framing. An endpoint sending more is cut off.
const rieAnswerBudget = MaxResponsePayload + 1<<20

// newRIEPool returns a pool for base (an invoke endpoint's base URL), or nil when base is not
// a plain http:// URL, which is left to an http.Client.
func newRIEPool(base string, maxIdle int) *riePool {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || u.Scheme != "http" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	head := "POST " + u.EscapedPath() + InvokePath + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nUser-Agent: lambdalocal-proxy\r\nContent-Type: application/json\r\nContent-Length: "
	return &riePool{addr: addr, head: []byte(head), maxIdle: maxIdle, dialer: net.Dialer{KeepAlive: 30 * time.Second}}
}

// rieConn is one keep-alive connection to the endpoint.
type rieConn struct {
	net.Conn
	lim  io.LimitedReader // what br reads from: the connection, within the answer budget
	br   *bufio.Reader
	wbuf []byte
}

// rieAnswer is an endpoint's HTTP answer.
type rieAnswer struct {
	status int
	body   []byte
}

// invoke sends event and reads the answer. The body is read up to MaxResponsePayload+1 bytes;
// a longer one is returned cut there, for the caller to refuse. When ctx ends first, the
// connection is closed and ctx's error returned.
func (p *riePool) invoke(ctx context.Context, event []byte) (rieAnswer, error) {
	c, err := p.get(ctx)
	if err != nil {
		return rieAnswer{}, err
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	ans, keep, err := c.roundTrip(p.head, event)
	if !stop() { // ctx ended: the deadline may be set on c, whatever the outcome
		keep = false
		if err != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
	}
	if keep {
		p.put(c)
	} else {
		c.Close()
	}
	return ans, err
}

// get returns an idle connection the endpoint has not closed, or a new one.
func (p *riePool) get(ctx context.Context) (*rieConn, error) {
	for {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			break
		}
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if !closedByPeer(c.Conn) {
			return c, nil
		}
		c.Close()
	}
	nc, err := p.dialer.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	c := &rieConn{Conn: nc}
	c.lim.R = nc
	c.br = bufio.NewReaderSize(&c.lim, 16<<10)
	return c, nil
}

// put keeps c for the next invoke, unless maxIdle connections are idle already.
func (p *riePool) put(c *rieConn) {
	p.mu.Lock()
	if len(p.idle) < p.maxIdle {
		p.idle = append(p.idle, c)
		c = nil
	}
	p.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// smallEvent is the size up to which the event goes out in the same write as the headers.
const smallEvent = 32 << 10

// roundTrip writes one request and reads its answer; keep reports whether the connection can
// carry another.
func (c *rieConn) roundTrip(head, event []byte) (ans rieAnswer, keep bool, err error) {
	return c.receive(c.send(head, event))
}

// send writes the request, and opens the answer's byte budget.
func (c *rieConn) send(head, event []byte) error {
	c.lim.N = rieAnswerBudget
	w := append(c.wbuf[:0], head...)
	w = strconv.AppendInt(w, int64(len(event)), 10)
	w = append(w, "\r\n\r\n"...)
	if len(event) <= smallEvent {
		w = append(w, event...)
	}
	c.wbuf = w
	_, err := c.Write(w)
	if err == nil && len(event) > smallEvent {
		_, err = c.Write(event)
	}
	return err
}

// receive reads the answer to the request send wrote, which ended with werr. An endpoint may
// answer before it has read the whole request, then close: its answer is still the answer (as
// http.Transport has it); without one, the write error is the error.
func (c *rieConn) receive(werr error) (ans rieAnswer, keep bool, err error) {
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		if werr != nil {
			err = werr
		}
		return rieAnswer{}, false, err
	}
	body, err := readAnswerBody(resp)
	if err != nil {
		return rieAnswer{}, false, err
	}
	full := len(body) <= MaxResponsePayload // the body was read to its end
	return rieAnswer{status: resp.StatusCode, body: body}, werr == nil && full && !resp.Close, nil
}

// readAnswerBody reads at most MaxResponsePayload+1 bytes of the body, sized by its
// Content-Length when it has one.
func readAnswerBody(resp *http.Response) ([]byte, error) {
	size := 512
	if n := resp.ContentLength; n >= 0 {
		size = int(min(n, MaxResponsePayload) + 1) // +1: ReadAll's EOF read needs no growth
	}
	buf := make([]byte, 0, size)
	lr := io.LimitedReader{R: resp.Body, N: MaxResponsePayload + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
