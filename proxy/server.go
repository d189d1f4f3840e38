package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Defaults for Server fields left empty.
const (
	DefaultAddr        = "127.0.0.1:8080"
	DefaultFunctionURL = "http://127.0.0.1:9000"
	DefaultAccountID   = "123456789012"
	// DefaultRESTTimeout and DefaultHTTPTimeout are API Gateway's integration timeouts:
	// 29 s on REST APIs, 30 s on HTTP APIs. [AWS-doc limits]
	DefaultRESTTimeout = 29 * time.Second
	DefaultHTTPTimeout = 30 * time.Second
	// MaxRequestBody is API Gateway's payload limit: 10 MB; a larger body gets 413. [AWS-doc]
	MaxRequestBody = 10 << 20
)

// Server is the API Gateway emulator: it translates each HTTP request into the event API
// Gateway would send, invokes the function the matched route names, and turns its answer —
// or its failure — into the response API Gateway would give. The zero value serves a REST API
// whose one catch-all route invokes DefaultFunctionURL.
type Server struct {
	// Addr is the listen address for ListenAndServe (default DefaultAddr, loopback only).
	Addr string
	// API is REST (default: REST API, payload 1.0) or HTTP (HTTP API, payload 2.0 or 1.0).
	API API
	// Gateway is the routes, functions and stage; nil means DefaultGateway(API, FunctionURL).
	Gateway *Gateway
	// FunctionURL is the invoke endpoint used when Gateway is nil (default DefaultFunctionURL).
	FunctionURL string
	// Invokers maps function names to invokers; nil means NewInvokers(Gateway).
	Invokers map[string]Invoker
	// Timeout is the gateway's integration deadline (default 29 s REST, 30 s HTTP).
	Timeout time.Duration
	// AccessLog gets one line per request; nil means os.Stderr, io.Discard silences it.
	AccessLog io.Writer
	// APIID and AccountID go into requestContext (defaults: an id derived from the API kind
	// and stage, DefaultAccountID).
	APIID, AccountID string
	// StripStringQuotes makes an HTTP API payload 2.0 answer that is a bare JSON string go out
	// without its quotes (SAM's behaviour); by default the raw JSON goes out.
	StripStringQuotes bool
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time
	// ReadHeaderTimeout is how long Serve gives a client to send a request's header block
	// (default DefaultReadHeaderTimeout); IdleTimeout how long a keep-alive connection may
	// wait for its next request (default DefaultIdleTimeout).
	ReadHeaderTimeout, IdleTimeout time.Duration

	once     sync.Once
	initErr  error
	routes   *Routes
	invokers map[string]Invoker
	dep      *deployment
	cors     *CORS
	logMu    sync.Mutex
}

// init prepares the route table, invokers and deployment once.
func (s *Server) init() error {
	s.once.Do(func() { s.initErr = s.setup() })
	return s.initErr
}

func (s *Server) setup() error {
	g := s.Gateway
	if g != nil && g.API != "" {
		s.API = g.API // a routes file's own api line says what its routes were written for
	}
	if s.API == "" {
		s.API = REST
	}
	if s.API != REST && s.API != HTTP {
		return fmt.Errorf("configuring the gateway: API %q is unknown: use %q or %q", s.API, REST, HTTP)
	}
	if g == nil {
		url := s.FunctionURL
		if url == "" {
			url = DefaultFunctionURL
		}
		g = DefaultGateway(s.API, url)
	}
	routes, err := NewRoutes(s.API, g.Routes)
	if err != nil {
		return fmt.Errorf("building the route table: %w", err)
	}
	s.routes = routes
	s.invokers = s.Invokers
	if s.invokers == nil {
		if s.invokers, err = NewInvokers(g); err != nil {
			return fmt.Errorf("preparing the function invokers: %w", err)
		}
	}
	for _, r := range g.Routes {
		if s.invokers[r.Function] == nil {
			return fmt.Errorf("configuring route %q: function %q has no invoker", r.Key, r.Function)
		}
	}
	s.dep = newDeployment(s, g)
	if s.API == HTTP {
		s.cors = g.CORS
	}
	return nil
}

func newDeployment(s *Server, g *Gateway) *deployment {
	d := &deployment{
		API:              s.API,
		APIID:            s.APIID,
		AccountID:        s.AccountID,
		Stage:            g.Stage,
		StageVariables:   g.StageVariables,
		BinaryMediaTypes: g.BinaryMediaTypes,
		PayloadVersion:   g.PayloadVersion,
	}
	if d.Stage == "" {
		d.Stage = DefaultRESTStage
		if s.API == HTTP {
			d.Stage = DefaultHTTPStage
		}
	}
	if d.APIID == "" {
		d.APIID = stableID("lambdalocal "+string(s.API)+" "+d.Stage, 10)
	}
	if d.AccountID == "" {
		d.AccountID = DefaultAccountID
	}
	if d.PayloadVersion == "" {
		d.PayloadVersion = "2.0"
	}
	d.DeploymentID = stableID(d.APIID+" deployment", 6)
	return d
}

func (s *Server) timeout() time.Duration {
	switch {
	case s.Timeout > 0:
		return s.Timeout
	case s.API == HTTP:
		return DefaultHTTPTimeout
	}
	return DefaultRESTTimeout
}

func (s *Server) readHeaderTimeout() time.Duration {
	if s.ReadHeaderTimeout > 0 {
		return s.ReadHeaderTimeout
	}
	return DefaultReadHeaderTimeout
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// ServeHTTP answers one request as API Gateway would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if err := s.init(); err != nil {
		http.Error(w, "lambdalocal proxy is misconfigured: "+err.Error(), http.StatusInternalServerError)
		s.logf("%s %s config-error 500 %s %v", r.Method, r.RequestURI, time.Since(start), err)
		return
	}
	rep, x := s.answer(r, nil)
	s.write(w, rep, x.ids)
	s.access(r, x, rep.Status, time.Since(start))
}

// answer runs one request through the gateway (ids, normalisation, route, event, invoke,
// response translation, gateway errors, CORS) and returns the reply with what was learnt on
// the way: the reply is the function's translated answer, the gateway's CORS preflight answer
// or a gateway error response. call makes the function call; nil means the Server's invokers.
// ServeHTTP and Do both answer through here. s must be initialised.
func (s *Server) answer(r *http.Request, call Call) (*reply, *exchange) {
	now := s.now()
	ids := newRequestIDs(s.API, now)
	if t := r.Header.Get("X-Amzn-Trace-Id"); validTraceHeader(t) {
		ids.TraceID = t // API Gateway continues a trace the client started. [AWS X-Ray doc]
	}
	x := &exchange{ids: ids, route: "-"}
	rep, err := s.handle(r, now, x, call)
	if err != nil {
		x.err = err
		timedOut := errors.Is(err, errGatewayTimeout)
		rep = errorReply(s.API, classify(err, timedOut))
	}
	if s.cors != nil && !x.preflight {
		// The gateway's CORS headers replace the function's on every other response; whether
		// AWS adds them to its own error responses too is Unverified.
		applyCORS(rep, s.cors, r.Header.Get("Origin"))
	}
	return rep, x
}

// exchange is what one request's handling learned, for the access log and Do.
type exchange struct {
	ids       requestIDs
	route     string // the matched route's key, "-" or "CORS preflight"
	preflight bool
	function  string // the function invoked; "" when none was
	event     []byte // the event it was sent; nil when nothing was invoked
	err       error
}

// errGatewayTimeout marks an invoke cut off by the gateway's own deadline.
var errGatewayTimeout = errors.New("the function did not answer within the gateway's timeout")

func (s *Server) handle(r *http.Request, now time.Time, x *exchange, call Call) (*reply, error) {
	names := clientHeaderNames(r)
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	req, err := newRequest(r, body)
	if err != nil {
		return nil, err
	}
	req.Names = names
	if s.cors != nil && req.Method == http.MethodOptions {
		x.route, x.preflight = "CORS preflight", true
		return corsPreflight(s.cors, r.Header.Get("Origin")), nil
	}
	m, ok := s.routes.Match(req.Method, req.Path)
	if !ok {
		return nil, errNoRoute
	}
	x.route = m.Route.Key
	event, err := s.event(req, m, x.ids, now)
	if err != nil {
		return nil, err
	}
	x.function, x.event = m.Route.Function, event
	payload, err := s.invoke(r.Context(), call, m.Route.Function, event)
	if err != nil {
		return nil, err
	}
	return s.translateResponse(payload, req)
}

// readBody reads the whole body, refusing one over MaxRequestBody.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxRequestBody {
		return nil, errBodyTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBody+1))
	if err != nil {
		return nil, &clientError{"reading the request body: " + err.Error()}
	}
	if len(body) > MaxRequestBody {
		return nil, errBodyTooLarge
	}
	return body, nil
}

// event marshals the event for the API kind and payload version. An event over Lambda's 6 MB
// invoke limit is refused as Lambda refuses it (RequestEntityTooLargeException, HTTP 413),
// which the gateway passes on as 413 (see kindEventTooLarge).
func (s *Server) event(req *request, m Match, ids requestIDs, now time.Time) ([]byte, error) {
	var e eventEncoder
	switch {
	case s.API == REST:
		e = restAPIEvent(req, m, s.dep, ids, now)
	case s.dep.PayloadVersion == "1.0":
		e = httpAPIV1Event(req, m, s.dep, ids, now)
	default:
		e = httpAPIEvent(req, m, s.dep, ids, now)
	}
	event, err := marshalEvent(e, len(req.Body))
	if err != nil {
		return nil, err
	}
	if len(event) > MaxRequestPayload {
		return nil, fmt.Errorf("the event is %d bytes: %w", len(event), ErrRequestTooLarge)
	}
	return event, nil
}

// eventEncoder is an event that writes its own JSON (see jsonevent.go).
type eventEncoder interface {
	appendJSON(b []byte) ([]byte, error)
}

// marshalEvent encodes an event as AWS does: '&', '<' and '>' stay as they are (encoding/json
// would escape them as \u0026 and so on, which decodes the same but differs byte for byte).
// bodySize is the request body's length, to size the buffer once.
func marshalEvent(e eventEncoder, bodySize int) ([]byte, error) {
	b, err := e.appendJSON(make([]byte, 0, 2048+bodySize+bodySize/2))
	if err != nil {
		return nil, fmt.Errorf("encoding the event: %w", err)
	}
	return b, nil
}

// invoke calls the route's function through call (nil: its invoker) under the gateway's
// deadline.
func (s *Server) invoke(ctx context.Context, call Call, function string, event []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	var payload []byte
	var err error
	if call != nil {
		payload, err = call(ctx, function, event)
	} else {
		payload, err = s.invokers[function].Invoke(ctx, event)
	}
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("invoking %s: %w after %s", function, errGatewayTimeout, s.timeout())
		}
		return nil, fmt.Errorf("invoking %s: %w", function, err)
	}
	if len(payload) > MaxResponsePayload {
		return nil, fmt.Errorf("function %s answered %d bytes: %w", function, len(payload), ErrResponseTooLarge)
	}
	if !json.Valid(payload) {
		return nil, fmt.Errorf("function %s failed: %.200s", function, payload)
	}
	if isFunctionError(payload) {
		return nil, fmt.Errorf("function %s returned an error: %.300s", function, payload)
	}
	return payload, nil
}

// translateResponse turns the function's answer into the HTTP response for the API kind.
func (s *Server) translateResponse(payload []byte, req *request) (*reply, error) {
	switch {
	case s.API == REST:
		return parseRESTResponse(payload, req.headerValue("Accept"), s.dep.BinaryMediaTypes)
	case s.dep.PayloadVersion == "1.0":
		return parseHTTPV1Response(payload)
	}
	return parseHTTPV2Response(payload, s.StripStringQuotes)
}

// write sends rep with the gateway's own response headers: x-amzn-RequestId, x-amz-apigw-id
// and X-Amzn-Trace-Id on REST [AWS-validated], apigw-requestid on HTTP APIs [cortex#1225].
// Header names go out as the function spelt them, except Content-Type, which net/http would
// otherwise duplicate with a sniffed one.
func (s *Server) write(w http.ResponseWriter, rep *reply, ids requestIDs) {
	h := w.Header()
	for _, f := range rep.Header {
		name := f.Name
		if strings.EqualFold(name, "Content-Type") {
			name = "Content-Type"
		}
		h[name] = append(h[name], f.Value)
	}
	// AWS's own casing; net/http sends map keys as they are.
	if s.API == HTTP {
		h["apigw-requestid"] = []string{ids.RequestID}
	} else {
		h["x-amzn-RequestId"] = []string{ids.RequestID}
		h["x-amz-apigw-id"] = []string{ids.ExtendedRequestID}
		h["X-Amzn-Trace-Id"] = []string{ids.TraceID}
	}
	if rep.Status == http.StatusNoContent {
		delete(h, "Content-Type")
	}
	w.WriteHeader(rep.Status)
	if len(rep.Body) > 0 && rep.Status != http.StatusNoContent {
		_, _ = w.Write(rep.Body)
	}
}

// validTraceHeader reports whether a client's X-Amzn-Trace-Id starts a trace the gateway
// continues: it must carry a Root.
func validTraceHeader(v string) bool {
	return len(v) < 256 && (strings.HasPrefix(v, "Root=") || strings.Contains(v, ";Root="))
}

// access writes the access log line: method, path, matched route, status, duration, request
// id, and the error when there was one.
func (s *Server) access(r *http.Request, x *exchange, status int, d time.Duration) {
	if s.AccessLog == io.Discard {
		return // nothing to format it for
	}
	line := fmt.Sprintf("%s %s route=%q status=%d duration=%s requestId=%s", r.Method, r.RequestURI, x.route, status, d.Round(time.Microsecond), x.ids.RequestID)
	if x.err != nil {
		line += fmt.Sprintf(" error=%q", x.err.Error())
	}
	s.logf("%s", line)
}

func (s *Server) logf(format string, args ...any) {
	w := s.AccessLog
	if w == nil {
		w = os.Stderr
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(w, format+"\n", args...)
}

// ListenAndServe listens on Addr and serves until ctx is cancelled, then stops accepting
// requests and lets in-flight ones finish (up to the gateway timeout plus 5 s) before it
// returns. A bad configuration is reported before anything listens.
func (s *Server) ListenAndServe(ctx context.Context) error {
	if err := s.init(); err != nil {
		return err
	}
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (is another proxy running? set LAMBDALOCAL_PROXY_ADDR to another address)", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Config is what `go tool mage proxy` passes to Run; empty fields take Server's defaults.
type Config struct {
	Addr        string        // listen address (LAMBDALOCAL_PROXY_ADDR)
	FunctionURL string        // invoke endpoint without a routes file (LAMBDALOCAL_FUNCTION_URL)
	API         string        // "rest" or "http" (LAMBDALOCAL_API)
	RoutesFile  string        // routes file; "" for one catch-all route (LAMBDALOCAL_ROUTES)
	Timeout     time.Duration // gateway integration deadline (LAMBDALOCAL_TIMEOUT)
	AccessLog   io.Writer     // nil means os.Stderr
	// Functions are functions declared by the configuration (LAMBDALOCAL_FUNCTIONS), which the
	// routes file names without function lines (see WithFunctions). More than one needs a
	// routes file; one alone, without a routes file, gets the catch-all route.
	Functions []Function
}

// Run loads the routes file (if any) and serves the emulator until ctx is cancelled, letting
// in-flight requests finish. A bad routes file is reported with its file and line before
// anything listens.
func Run(ctx context.Context, c Config) error {
	api := REST
	if c.API != "" {
		var err error
		if api, err = ParseAPI(c.API); err != nil {
			return err
		}
	}
	var g *Gateway
	switch {
	case c.RoutesFile != "":
		var err error
		if g, err = LoadGateway(c.RoutesFile, WithAPI(api), WithFunctions(c.Functions...)); err != nil {
			return err
		}
	case len(c.Functions) > 1:
		return fmt.Errorf("%d functions and no routes file: set LAMBDALOCAL_ROUTES to a file that routes to them by name, with lines such as `GET /%s/{id} %s`", len(c.Functions), c.Functions[0].Name, c.Functions[0].Name)
	}
	s := &Server{Addr: c.Addr, API: api, Gateway: g, FunctionURL: c.FunctionURL, Timeout: c.Timeout, AccessLog: c.AccessLog}
	return s.ListenAndServe(ctx)
}
