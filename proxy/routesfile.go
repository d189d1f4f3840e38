package proxy

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Stage names used when a routes file names none.
const (
	// DefaultHTTPStage is an HTTP API's default stage. Its name never appears in rawPath.
	DefaultHTTPStage = "$default"
	// DefaultRESTStage is the stage a REST API gets when none is named: "Prod", the stage
	// `sam local start-api` reports, so events match what SAM users already see. REST APIs
	// have no $default stage.
	DefaultRESTStage = "Prod"
)

// DefaultPayloadVersion is the HTTP API payload format used when none is named.
const DefaultPayloadVersion = "2.0"

// DefaultFunctionName names the only function of DefaultGateway.
const DefaultFunctionName = "function"

// Gateway is a parsed routes file: one API Gateway API with its stage, settings, functions and
// routes.
type Gateway struct {
	// API is the API kind the file was read for: its `api` line, else the kind passed with
	// WithAPI, else REST.
	API API
	// Stage is the stage name: the file's `stage` line, else "$default" for HTTP APIs and
	// "Prod" (SAM's name) for REST APIs.
	Stage            string
	StageVariables   map[string]string // nil when none
	BinaryMediaTypes []string          // REST only
	PayloadVersion   string            // HTTP API only: "2.0" (default) or "1.0"; "" on REST
	CORS             *CORS             // HTTP API only; nil when not configured
	Functions        map[string]Function
	Routes           []Route
}

// CORS is an HTTP API's CORS configuration (spec §F), as in API Gateway's
// corsConfiguration.
type CORS struct {
	AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders []string
	AllowCredentials                                        bool
	MaxAge                                                  int // seconds, -1 unset
}

// Function is one Lambda function behind the gateway and the invoke endpoints that run it.
type Function struct {
	Name string
	// URLs are base URLs of invoke endpoints (RIE), e.g. http://127.0.0.1:9000. Load is spread
	// over them.
	URLs []string
	// Concurrency is how many invokes one endpoint takes at once: 1 (the default, for 0) for a
	// plain RIE, which crashes on a second concurrent invoke; N for an RIE started with
	// AWS_LAMBDA_MAX_CONCURRENCY=N.
	Concurrency int
	// QueueSize is how many invokes may wait for a free endpoint before the gateway throttles:
	// 0 means DefaultQueueSize, NoQueue means none wait.
	QueueSize int
}

// ConfigError is a problem in a routes file or route table: where, what is wrong and what to
// do. Its message reads "<file>:<line>: <what is wrong>; <what to do>".
type ConfigError struct {
	Where   string // "routes.txt:7", or `route "GET /x"` for routes built in code
	Problem string
	Fix     string
}

func (e *ConfigError) Error() string { return e.Where + ": " + e.Problem + "; " + e.Fix }

func routeError(r Route, problem, fix string) error {
	return &ConfigError{Where: where(r), Problem: problem, Fix: fix}
}

func where(r Route) string {
	if r.Source != "" {
		return r.Source
	}
	key := r.Key
	if key == "" {
		key = strings.TrimSpace(r.Method + " " + r.Path)
	}
	return fmt.Sprintf("route %q", key)
}

func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// LoadGateway reads a routes file. See ParseGateway for the format and errors.
func LoadGateway(path string, opts ...GatewayOption) (*Gateway, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading routes file: %w; check the path (LAMBDALOCAL_ROUTES)", err)
	}
	defer f.Close()
	return ParseGateway(path, f, opts...)
}

// ParseGateway reads a routes file; name is used in error messages. The format is one
// directive per line, `#` starts a comment:
//
//	api http                               # rest or http; else WithAPI's kind, else rest
//	stage dev                              # default: $default (HTTP), Prod (REST)
//	stage-variable color=blue size=L       # repeatable
//	binary-media-types image/png */*       # REST only
//	payload-version 1.0                    # HTTP only: 2.0 (default) or 1.0
//	cors allow-origins=https://a.example allow-methods=GET,POST allow-headers=content-type max-age=600 allow-credentials=true expose-headers=x-id
//	function items http://127.0.0.1:9000 http://127.0.0.1:9001 concurrency=1 queue=100
//	function users http://127.0.0.1:9010-9013   # a port range: four endpoints (functions given
//	                                            # WithFunctions need no function line)
//	GET /items/{id}   items                # a route: API Gateway route key, then a function
//	ANY /{proxy+}     items
//	$default          items                # HTTP only
//
// Every problem is reported, each as a *ConfigError reading "<file>:<line>: <what is wrong>;
// <what to do>".
func ParseGateway(name string, r io.Reader, opts ...GatewayOption) (*Gateway, error) {
	o := gatewayOptions{api: REST}
	for _, opt := range opts {
		opt(&o)
	}
	p := &fileParser{name: name, g: &Gateway{Functions: map[string]Function{}}, seen: map[string]int{}, functionLines: map[string]int{}}
	p.knownFunctions(o.functions)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for line := 1; sc.Scan(); line++ {
		p.line(line, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading routes file %s: %w", name, err)
	}
	p.finish(o.api)
	if len(p.errs) > 0 {
		return nil, joinErrors(p.errs)
	}
	return p.g, nil
}

// DefaultGateway is the gateway used without a routes file: one catch-all route to one
// function named "function" at functionURL. REST gets `ANY /{proxy+}` plus `ANY /` (a greedy
// variable never matches the root); HTTP gets `$default`.
func DefaultGateway(api API, functionURL string) *Gateway {
	g := &Gateway{
		API:       api,
		Functions: map[string]Function{DefaultFunctionName: {Name: DefaultFunctionName, URLs: []string{strings.TrimRight(functionURL, "/")}, Concurrency: 1}},
	}
	if api == HTTP {
		g.Stage, g.PayloadVersion = DefaultHTTPStage, DefaultPayloadVersion
		g.Routes = []Route{{Key: DefaultRouteKey, Function: DefaultFunctionName}}
		return g
	}
	g.Stage = DefaultRESTStage
	g.Routes = []Route{
		{Key: "ANY /{proxy+}", Method: "ANY", Path: "/{proxy+}", Function: DefaultFunctionName},
		{Key: "ANY /", Method: "ANY", Path: "/", Function: DefaultFunctionName},
	}
	return g
}

// RouteTable builds the route table of g.
func (g *Gateway) RouteTable() (*Routes, error) {
	return NewRoutes(g.API, g.Routes)
}
