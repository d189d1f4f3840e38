package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// This file lets callers other than an HTTP client use the gateway: generate the event for a
// request (Event), or run one request through the gateway with the function call in the
// caller's hands (Do). Both go through the Server's own serve path — request normalisation,
// route match, event builder, deadline, response translation, gateway errors, CORS — so an
// event or response obtained here is the one ServeHTTP would produce for the same request.

// Call is the function call of one exchange: the gateway hands it the event for the function
// its matched route names, under its integration deadline. It answers as an Invoker does: the
// function's payload (an error payload included), or an error when the invoke did not
// complete.
type Call func(ctx context.Context, function string, event []byte) ([]byte, error)

// Exchange is one request answered by the gateway.
type Exchange struct {
	// RouteKey is the matched route's key ("GET /items/{id}", "$default"); "-" when no route
	// matched, "CORS preflight" when the gateway answered a preflight itself.
	RouteKey string
	// Function is the function the route names; "" when the gateway invoked nothing.
	Function string
	// Event is the event sent to the function; nil when the gateway invoked nothing.
	Event []byte
	// Response is the HTTP response the gateway returns to the client, with its own headers
	// (x-amzn-RequestId and so on). Its body is in memory.
	Response *http.Response
	// Err says why the gateway answered with one of its own error responses (no route,
	// function error, malformed function response, timeout, …); nil otherwise.
	Err error
}

// Do answers r as ServeHTTP would — through the same code path, less the access log — but
// hands the function call to call instead of the Server's invokers (nil: the invokers). It
// fails only when the Server is misconfigured.
func (s *Server) Do(r *http.Request, call Call) (*Exchange, error) {
	if err := s.init(); err != nil {
		return nil, err
	}
	rep, x := s.answer(r, call)
	rec := httptest.NewRecorder()
	s.write(rec, rep, x.ids)
	return &Exchange{RouteKey: x.route, Function: x.function, Event: x.event, Response: rec.Result(), Err: x.err}, nil
}

// Event is the event the gateway sends for one request.
type Event struct {
	RouteKey string // the matched route's key
	Function string // the function the route names
	JSON     []byte // the event, byte for byte as the Server sends it
}

// errGenerated ends a generation exchange once the event is in hand.
var errGenerated = errors.New("event generated; nothing invoked")

// Event returns the event s would send its function for r, without invoking anything. When the
// gateway would answer r itself — no route matches, a CORS preflight, a body over the limit —
// it returns a *NotInvokedError that carries that answer.
func (s *Server) Event(r *http.Request) (Event, error) {
	ex, err := s.Do(r, func(context.Context, string, []byte) ([]byte, error) { return nil, errGenerated })
	if err != nil {
		return Event{}, err
	}
	if ex.Event == nil {
		return Event{}, &NotInvokedError{Method: r.Method, Target: requestTarget(r), RouteKey: ex.RouteKey, Response: ex.Response, Err: ex.Err}
	}
	return Event{RouteKey: ex.RouteKey, Function: ex.Function, JSON: ex.Event}, nil
}

// NotInvokedError is a request the gateway answers without invoking a function.
type NotInvokedError struct {
	Method, Target string
	RouteKey       string         // "-" (no route) or "CORS preflight"
	Response       *http.Response // the gateway's own answer
	Err            error          // the gateway's reason; nil for a CORS preflight
}

func (e *NotInvokedError) Error() string {
	reason := "the gateway answers it itself"
	switch {
	case e.RouteKey == "CORS preflight":
		reason = "the gateway answers CORS preflight requests itself (routes file cors line)"
	case e.Err != nil && errors.Is(e.Err, errNoRoute):
		reason = "no route matches it: check the method and path against the routes (LAMBDALOCAL_ROUTES)"
	case e.Err != nil:
		reason = e.Err.Error()
	}
	return fmt.Sprintf("%s %s invokes no function: the gateway answers %d: %s", e.Method, e.Target, e.Response.StatusCode, reason)
}

// Unwrap returns the gateway's reason.
func (e *NotInvokedError) Unwrap() error { return e.Err }

func requestTarget(r *http.Request) string {
	if r.RequestURI != "" {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// NewRequest makes the request a local client (curl, a browser) sends to this Server at
// s.Addr: method, target (path and optional query, exactly as on the request line: nothing is
// encoded or cleaned), header and body. It comes from 127.0.0.1 over HTTP/1.1; a Host in
// header replaces s.Addr as the Host.
func (s *Server) NewRequest(method, target string, header http.Header, body []byte) (*http.Request, error) {
	if !slices.Contains(requestMethods, method) {
		return nil, fmt.Errorf("making request %s %s: method %q is not one API Gateway routes: use %s", method, target, method, strings.Join(requestMethods, ", "))
	}
	if err := checkTarget(target); err != nil {
		return nil, fmt.Errorf("making request %s %s: %w", method, target, err)
	}
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	r, err := http.NewRequest(method, "http://"+addr+target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("making request %s %s: %w", method, target, err)
	}
	r.RequestURI = target // the raw request line, as the server sees it
	r.RemoteAddr = "127.0.0.1:50000"
	for name, values := range header {
		r.Header[http.CanonicalHeaderKey(name)] = append(r.Header[http.CanonicalHeaderKey(name)], values...)
	}
	if h := r.Header.Get("Host"); h != "" {
		r.Host = h
	}
	r.Header.Del("Host") // net/http keeps Host out of Header
	if len(body) > 0 && r.Header.Get("Content-Length") == "" {
		r.Header.Set("Content-Length", strconv.Itoa(len(body))) // as a client sends it
	}
	if local, err := net.ResolveTCPAddr("tcp", addr); err == nil {
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, net.Addr(local)))
	}
	return r, nil
}

// requestMethods are the methods a client request may use (route keys add ANY).
var requestMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// checkTarget accepts an origin-form request target: a path starting with '/', an optional
// query, no fragment, no spaces or control characters.
func checkTarget(target string) error {
	const want = "want a path such as /items/42?color=red"
	if !strings.HasPrefix(target, "/") {
		return fmt.Errorf("target %q does not start with '/': %s", target, want)
	}
	if strings.ContainsAny(target, "# \t\r\n") {
		return fmt.Errorf("target %q holds a '#', a space or a control character: percent-encode it (%%23, %%20): %s", target, want)
	}
	if _, err := url.ParseRequestURI(target); err != nil {
		return fmt.Errorf("target %q: %w: %s", target, err, want)
	}
	return nil
}

// IsFunctionError reports whether payload is a function's error answer — Lambda's
// {"errorMessage", "errorType"} shape (spec §C.5) — which the gateway turns into its
// function-error response (REST 502, HTTP API 500).
func IsFunctionError(payload []byte) bool { return isFunctionError(payload) }
