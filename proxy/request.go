package proxy

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
)

// request is the normalised request both payload versions are translated from: what the
// client sent, raw, plus what the connection says about the client.
type request struct {
	Method string
	// Path is the path as received: percent-encoding kept, slashes as sent. Local URLs carry
	// no stage prefix.
	Path string
	// RawQuery is what follows '?', undecoded; "" when there is none.
	RawQuery string
	// Header holds the request headers as net/http parsed them: names in Go's canonical form,
	// values in order. Host is not in it (see Host).
	Header http.Header
	// Names maps canonical header names to the names as the client sent them, when the raw
	// request was available (see clientHeaderNames); nil otherwise.
	Names map[string]string
	// Host is the Host header (or the authority of an absolute-form request).
	Host string
	Body []byte
	// SourceIP is the client's IP (the TCP peer).
	SourceIP string
	// Port is the local port the client connected to; Scheme is "http" or "https".
	Port, Scheme string
	// Protocol is the HTTP version, e.g. "HTTP/1.1".
	Protocol string
}

// clientError is a request the gateway refuses before routing (HTTP 400).
type clientError struct{ msg string }

func (e *clientError) Error() string { return e.msg }

// newRequest normalises r, whose body has already been read into body. Names is left for the
// caller to set from clientHeaderNames, which must run before the body is read.
func newRequest(r *http.Request, body []byte) (*request, error) {
	path, query := rawTarget(r)
	if path == "" || path[0] != '/' {
		return nil, &clientError{fmt.Sprintf("request target %q is not an absolute path", r.RequestURI)}
	}
	if r.Method == "" {
		return nil, &clientError{"request has no method"}
	}
	req := &request{
		Method:   r.Method,
		Path:     path,
		RawQuery: query,
		Header:   r.Header,
		Host:     r.Host,
		Body:     body,
		SourceIP: sourceIP(r.RemoteAddr),
		Port:     localPort(r),
		Scheme:   "http",
		Protocol: r.Proto,
	}
	if r.TLS != nil {
		req.Scheme = "https"
	}
	if req.Protocol == "" {
		req.Protocol = "HTTP/1.1"
	}
	return req, nil
}

// rawTarget returns the path and query exactly as the client sent them in the request line,
// so nothing is decoded or cleaned. An absolute-form target ("http://host/p?q") falls back to
// the parsed URL; a fragment, which clients never send, is dropped.
func rawTarget(r *http.Request) (path, query string) {
	uri := r.RequestURI
	if uri == "" || uri[0] != '/' {
		if r.URL == nil {
			return "", ""
		}
		return r.URL.EscapedPath(), r.URL.RawQuery
	}
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		uri = uri[:i]
	}
	path, query, _ = strings.Cut(uri, "?")
	return path, query
}

func sourceIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

func localPort(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(a.String()); err == nil {
			return port
		}
	}
	if r.TLS != nil {
		return "443"
	}
	return "80"
}

// domainName is requestContext.domainName: the host the client used, without a port (API
// Gateway's domains never carry one).
func (r *request) domainName() string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "" {
		host = "localhost"
	}
	return host
}

// headerValue is the last value of a header, as REST's single-value map keeps it.
func (r *request) headerValue(name string) string {
	v := r.Header.Values(name)
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// Header names as the client spelt them. net/http canonicalises request header names
// (tEsT-HEADeR → Test-Header) and offers no raw access, but REST APIs keep the client's casing
// [AWS-validated]. Serve wraps each connection so it remembers the last bytes it read; the
// handler finds its own request line there and reads the header names that follow. Requests
// that did not come through Serve (or over HTTP/2) keep Go's canonical names.

// maxRawHeader bounds what a connection remembers: API Gateway's limit for the request line
// and headers is 10240 bytes [AWS-doc limits], with room for read-ahead.
const maxRawHeader = 64 << 10

// rawConn remembers the last maxRawHeader bytes read from the client.
type rawConn struct {
	net.Conn
	mu  sync.Mutex
	buf []byte
}

func (c *rawConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		c.buf = append(c.buf, p[:n]...)
		if len(c.buf) > 2*maxRawHeader {
			c.buf = c.buf[:copy(c.buf, c.buf[len(c.buf)-maxRawHeader:])]
		}
		c.mu.Unlock()
	}
	return n, err
}

type rawConnKey struct{}

// clientHeaderNames maps each canonical header name of r to the name as the client sent it;
// nil when the raw request is not available. Call it before reading the body, which may push
// the header block out of the connection's memory.
func clientHeaderNames(r *http.Request) map[string]string {
	rc, ok := r.Context().Value(rawConnKey{}).(*rawConn)
	if !ok || r.ProtoMajor != 1 {
		return nil
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	start := bytes.LastIndex(rc.buf, []byte(r.Method+" "+r.RequestURI+" HTTP/"))
	if start < 0 {
		return nil
	}
	names, end := parseHeaderNames(rc.buf[start:])
	rc.buf = rc.buf[:copy(rc.buf, rc.buf[start+end:])] // later requests start after this one
	return names
}

// parseHeaderNames reads the header names of a raw request (request line first) up to the
// blank line; it returns canonical → as sent, and the length of the header block.
func parseHeaderNames(raw []byte) (map[string]string, int) {
	names := make(map[string]string, 16)
	pos := 0
	for first := true; pos < len(raw); first = false {
		i := bytes.IndexByte(raw[pos:], '\n')
		if i < 0 {
			break
		}
		line := bytes.TrimRight(raw[pos:pos+i], "\r")
		pos += i + 1
		if len(line) == 0 {
			break
		}
		if first {
			continue
		}
		if colon := bytes.IndexByte(line, ':'); colon > 0 {
			name := string(line[:colon])
			names[textproto.CanonicalMIMEHeaderKey(name)] = name
		}
	}
	return names, pos
}
