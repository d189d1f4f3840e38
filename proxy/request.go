package proxy

import (
	"fmt"
	"net"
	"net/http"
	"strings"
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
	// Header holds the request headers as net/http parsed them: names in Go's canonical form
	// (the client's exact casing is not available through net/http), values in order. Host
	// is not in it (see Host).
	Header http.Header
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

// newRequest normalises r, whose body has already been read into body.
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
