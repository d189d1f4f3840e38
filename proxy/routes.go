package proxy

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// API is the kind of API Gateway API being emulated. It decides the payload version, the
// route-matching rules and the error answers.
type API string

// The two API kinds.
const (
	REST API = "rest" // REST API (API Gateway v1), Lambda proxy integration, payload 1.0
	HTTP API = "http" // HTTP API (API Gateway v2), payload 2.0 by default
)

// ParseAPI reads an API kind as written by a user ("rest" or "http", any case).
func ParseAPI(s string) (API, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case string(REST):
		return REST, nil
	case string(HTTP):
		return HTTP, nil
	}
	return "", fmt.Errorf("unknown API kind %q; use %q (REST API, payload 1.0) or %q (HTTP API, payload 2.0)", s, REST, HTTP)
}

// DefaultRouteKey is the route key of an HTTP API's catch-all route.
const DefaultRouteKey = "$default"

// Methods are the methods a route key may name, ANY included, as API Gateway accepts them.
var methods = []string{"ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

// Route sends the requests that match its key to one function.
type Route struct {
	Key      string // "GET /items/{id}", "ANY /{proxy+}", "$default"
	Method   string // "GET", "POST", …, "ANY"; "" for $default
	Path     string // resource template "/items/{id}"; "" for $default
	Function string // function name

	// Source says where the route was declared ("routes.txt:7"), for error messages and
	// listings; "" for routes built in code.
	Source string
}

// Match is the route chosen for a request, with the values of its path parameters.
type Match struct {
	Route      Route
	PathParams map[string]string // nil when the route has no parameters; values NOT decoded (raw as in the path)
}

// Routes is an immutable route table for one API. It picks, for a method and path, the route
// API Gateway would pick. It is safe for concurrent use.
type Routes struct {
	api    API
	routes []compiled // declared order, $default excluded
	def    *Route     // the $default route (HTTP APIs only)
}

// segKind orders path segments by how specific they are: at one position a literal beats a
// {param}, which beats a {greedy+} variable.
type segKind uint8

const (
	literal segKind = iota
	param
	greedy
)

type segment struct {
	kind segKind
	text string // the literal, or the parameter's name
}

type compiled struct {
	route  Route
	segs   []segment
	greedy bool // the last segment is {name+}
}

// NewRoutes checks routes and builds the table. Each route gives either Key or Method and
// Path; the missing fields are filled in. Errors name the route (its Source when set), say
// what is wrong and what to do.
func NewRoutes(api API, routes []Route) (*Routes, error) {
	if api != REST && api != HTTP {
		return nil, fmt.Errorf("building routes: unknown API kind %q; use %q or %q", api, REST, HTTP)
	}
	t, errs := buildRoutes(api, routes)
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return t, nil
}

// buildRoutes is NewRoutes returning every problem found.
func buildRoutes(api API, routes []Route) (*Routes, []error) {
	t := &Routes{api: api}
	var errs []error
	for _, r := range routes {
		c, err := compileRoute(api, r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if c.route.Key == DefaultRouteKey {
			if t.def != nil {
				errs = append(errs, routeError(c.route, "duplicate route $default (first declared at "+where(*t.def)+")", "keep one $default route"))
				continue
			}
			def := c.route
			t.def = &def
			continue
		}
		if err := t.conflict(c); err != nil {
			errs = append(errs, err)
			continue
		}
		t.routes = append(t.routes, c)
	}
	return t, errs
}

// compileRoute fills in and checks one route.
func compileRoute(api API, r Route) (compiled, error) {
	key := r.Key
	if key == "" {
		key = strings.TrimSpace(r.Method + " " + r.Path)
	}
	method, path, err := ParseRouteKey(key)
	if err != nil {
		return compiled{}, routeError(r, err.Error(), routeKeyHelp)
	}
	if (r.Method != "" && r.Method != method) || (r.Path != "" && r.Path != path) {
		return compiled{}, routeError(r, fmt.Sprintf("route key %q disagrees with method %q and path %q", r.Key, r.Method, r.Path), "set only Key, or Method and Path")
	}
	if r.Function == "" {
		return compiled{}, routeError(r, fmt.Sprintf("route %q has no function", key), "name the function that serves it")
	}
	r.Method, r.Path = method, path
	r.Key = canonicalKey(method, path)
	if r.Key == DefaultRouteKey {
		if api == REST {
			return compiled{}, routeError(r, "$default is an HTTP API route; REST APIs have none", "for a REST catch-all use `ANY /{proxy+}` plus `ANY /`, or use the HTTP API (api http)")
		}
		return compiled{route: r}, nil
	}
	segs, err := parsePath(path)
	if err != nil {
		return compiled{}, routeError(r, err.Error(), routeKeyHelp)
	}
	c := compiled{route: r, segs: segs}
	c.greedy = len(segs) > 0 && segs[len(segs)-1].kind == greedy
	return c, nil
}

const routeKeyHelp = "write a route key as API Gateway does: `METHOD /path` with {name} parameters and an optional {name+} last, e.g. `GET /items/{id}` or `ANY /{proxy+}`"

// canonicalKey is the route key as API Gateway shows it in routeKey.
func canonicalKey(method, path string) string {
	if method == "" && path == "" {
		return DefaultRouteKey
	}
	return method + " " + path
}

// ParseRouteKey splits an API Gateway route key ("GET /items/{id}", "$default") into its
// method and resource path, checking both. $default gives two empty strings.
func ParseRouteKey(key string) (method, path string, err error) {
	fields := strings.Fields(key)
	switch {
	case len(fields) == 1 && fields[0] == DefaultRouteKey:
		return "", "", nil
	case len(fields) == 1 && strings.HasPrefix(fields[0], "/"):
		return "", "", fmt.Errorf("route key %q has no method", key)
	case len(fields) != 2:
		return "", "", fmt.Errorf("malformed route key %q", key)
	}
	method, path = fields[0], fields[1]
	if err := checkMethod(method); err != nil {
		return "", "", err
	}
	if _, err := parsePath(path); err != nil {
		return "", "", err
	}
	return method, path, nil
}

func checkMethod(m string) error {
	if slices.Contains(methods, m) {
		return nil
	}
	if slices.Contains(methods, strings.ToUpper(m)) {
		return fmt.Errorf("method %q must be upper case (%s)", m, strings.ToUpper(m))
	}
	return fmt.Errorf("unknown method %q (API Gateway accepts %s)", m, strings.Join(methods, ", "))
}

// parsePath checks a resource template and splits it into segments. API Gateway's rules: it
// starts with "/", has no empty segment and no trailing slash, a variable fills a whole
// segment, names are unique, and a greedy variable {name+} can only be last.
func parsePath(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("path %q does not start with /", p)
	}
	if p == "/" {
		return nil, nil
	}
	if strings.HasSuffix(p, "/") {
		// REST: "Resource's path part only allow a-zA-Z0-9._- and curly braces" (aws/chalice#65);
		// HTTP: a route key ending in / fails to deploy (storacha/w3infra#166).
		return nil, fmt.Errorf("path %q ends with /; API Gateway resource paths have no trailing slash (requests with one still match)", p)
	}
	if strings.ContainsAny(p, "?#") {
		return nil, fmt.Errorf("path %q has a query or fragment; a route matches the path only", p)
	}
	parts := strings.Split(p[1:], "/")
	segs := make([]segment, 0, len(parts))
	seen := map[string]bool{}
	for i, part := range parts {
		s, err := parseSegment(part)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", p, err)
		}
		if s.kind == greedy && i != len(parts)-1 {
			return nil, fmt.Errorf("path %q: greedy variable {%s+} must be the last segment", p, s.text)
		}
		if s.kind != literal {
			if seen[s.text] {
				return nil, fmt.Errorf("path %q: parameter {%s} appears twice", p, s.text)
			}
			seen[s.text] = true
		}
		segs = append(segs, s)
	}
	return segs, nil
}

func parseSegment(part string) (segment, error) {
	if part == "" {
		return segment{}, fmt.Errorf("empty segment (//)")
	}
	if !strings.ContainsAny(part, "{}") {
		return segment{kind: literal, text: part}, nil
	}
	if !strings.HasPrefix(part, "{") || !strings.HasSuffix(part, "}") || strings.Count(part, "{") != 1 || strings.Count(part, "}") != 1 {
		return segment{}, fmt.Errorf("segment %q mixes text and a {variable}; a variable must fill the whole segment", part)
	}
	name, kind := part[1:len(part)-1], param
	if strings.HasSuffix(name, "+") {
		name, kind = strings.TrimSuffix(name, "+"), greedy
	}
	if !validParamName(name) {
		return segment{}, fmt.Errorf("variable %q has a bad name; use letters, digits, '_', '-' or '.'", part)
	}
	return segment{kind: kind, text: name}, nil
}

func validParamName(n string) bool {
	if n == "" {
		return false
	}
	for _, r := range n {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.'
		if !ok {
			return false
		}
	}
	return true
}

// conflict reports a route that API Gateway would refuse beside those already in t: the same
// method on the same resource (parameter names aside), and, on REST APIs, two different
// variables under one parent resource, {name+} included. The REST rule is AWS's
// BadRequestException "A sibling ({id}) of this resource already has a variable path part --
// only one is allowed", "by design" per an AWS maintainer (aws-apigateway-importer#202; the
// {proxy+} case in serverless-next.js#206; found with the search tool). HTTP APIs may have a
// similar rule (a 409 "conflicting variable on the same hierarchical level" is reported
// second-hand) [Unverified], so they are not refused here.
func (t *Routes) conflict(c compiled) error {
	for _, o := range t.routes {
		if o.route.Method == c.route.Method && sameShape(o.segs, c.segs) {
			return routeError(c.route, fmt.Sprintf("duplicate route %q: it matches the same requests as %q (%s)", c.route.Key, o.route.Key, where(o.route)), "remove one of them or change its method or path")
		}
		if t.api != REST {
			continue
		}
		if i, ok := siblingVariables(o.segs, c.segs); ok {
			return routeError(c.route, fmt.Sprintf("variable %s in %q is a sibling of %s in %q (%s); a REST API resource can have only one variable child", show(c.segs[i]), c.route.Key, show(o.segs[i]), o.route.Key, where(o.route)), "use the same variable name in both routes")
		}
	}
	return nil
}

// sameShape is true when two templates match exactly the same paths.
func sameShape(a, b []segment) bool {
	return slices.EqualFunc(a, b, func(x, y segment) bool {
		return x.kind == y.kind && (x.kind != literal || x.text == y.text)
	})
}

// siblingVariables finds the first position where a and b share the parent resource but hold
// two different variables.
func siblingVariables(a, b []segment) (int, bool) {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x.kind == literal || y.kind == literal {
			if x.kind == y.kind && x.text == y.text {
				continue
			}
			return 0, false
		}
		if x.kind != y.kind || x.text != y.text {
			return i, true
		}
	}
	return 0, false
}

func show(s segment) string {
	switch s.kind {
	case param:
		return "{" + s.text + "}"
	case greedy:
		return "{" + s.text + "+}"
	}
	return s.text
}

// API is the API kind the table matches for.
func (t *Routes) API() API { return t.api }

// List returns the routes in the order they were declared, $default last; for banners and
// logs.
func (t *Routes) List() []Route {
	out := make([]Route, 0, len(t.routes)+1)
	for _, c := range t.routes {
		out = append(out, c.route)
	}
	if t.def != nil {
		out = append(out, *t.def)
	}
	return out
}

// Match picks the route API Gateway would pick for a request. escapedPath is the request's
// path as sent (percent-encoding kept), without any stage prefix. ok is false when no route
// matches: REST answers 403 "Missing Authentication Token", HTTP 404 "Not Found".
//
// Rules, both kinds:
//   - a route matches when its method is the request's or ANY, and its template matches the
//     path; a {param} takes one segment, a {proxy+} one or more (so `/{proxy+}` never matches
//     `/`);
//   - a trailing slash and empty segments in the request are ignored for matching: `/a/` and
//     `//a` match `/a` [AWS-validated for REST, spec §A.5. HTTP APIs: a user's test on AWS
//     (aws-powertools/powertools-lambda-python#1552) says both kinds route /hello/ to
//     /hello, while storacha/w3infra#166 added a {proxy+} route to catch /metrics/: unsure];
//   - among matching routes, the more specific template wins, then an explicit method beats
//     ANY on the same template [REST AWS-validated, §A.5; HTTP API doc: "ANY matches all
//     methods that you haven't defined for a resource"].
//
// Specificity differs by kind:
//   - REST: resources form a tree matched segment by segment; at each level a literal beats a
//     {param}, which beats a {proxy+}; if a branch cannot serve the request (no deeper match,
//     or its resource lacks the method) matching falls back to the next sibling. That is the
//     same as comparing the matching templates segment by segment from the left.
//   - HTTP: "API Gateway selects the route with the most-specific match, using the following
//     priorities: 1. Full match for a route and method. 2. Match for a route and method with a
//     greedy path variable ({proxy+}). 3. The $default route." (AWS developer guide,
//     http-api-develop-routes, "Routing API requests"; read from the awsdocs repository
//     snapshot via the search tool.) So any non-greedy route beats any greedy one; within
//     each group templates compare segment by segment from the left as for REST, which
//     makes a longer literal prefix win among greedy routes (`GET /pets/{proxy+}` over
//     `ANY /{proxy+}`, the doc's example) and `GET /pets/dog/1` win over
//     `GET /pets/dog/{id}`. The left-to-right order between templates with the same number
//     of literals (`/a/{x}` vs `/{y}/b`) is not documented by AWS [Unverified].
func (t *Routes) Match(method, escapedPath string) (Match, bool) {
	spans := splitPath(escapedPath)
	var best *compiled
	for i := range t.routes {
		c := &t.routes[i]
		if c.route.Method != "ANY" && c.route.Method != method {
			continue
		}
		if !c.matches(escapedPath, spans) {
			continue
		}
		if best == nil || t.better(c, best) {
			best = c
		}
	}
	if best == nil {
		if t.def != nil {
			return Match{Route: *t.def}, true
		}
		return Match{}, false
	}
	return Match{Route: best.route, PathParams: best.params(escapedPath, spans)}, true
}

// Methods lists the methods (ANY included, as "ANY") of the routes whose template matches
// escapedPath, sorted; nil when none does. The $default route is not counted. Useful to
// answer CORS preflights or say which methods a path has.
func (t *Routes) Methods(escapedPath string) []string {
	spans := splitPath(escapedPath)
	var out []string
	for i := range t.routes {
		c := &t.routes[i]
		if c.matches(escapedPath, spans) && !slices.Contains(out, c.route.Method) {
			out = append(out, c.route.Method)
		}
	}
	slices.Sort(out)
	return out
}

// better is true when a wins over b; both match the same request.
func (t *Routes) better(a, b *compiled) bool {
	if t.api == HTTP && a.greedy != b.greedy {
		return !a.greedy
	}
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if a.segs[i].kind != b.segs[i].kind {
			return a.segs[i].kind < b.segs[i].kind
		}
	}
	return a.route.Method != "ANY" && b.route.Method == "ANY"
}

// span is one non-empty segment of a request path: path[start:end].
type span struct{ start, end int }

// splitPath cuts a request path into its non-empty segments, so "//a/b/" gives a, b.
func splitPath(p string) []span {
	var out []span
	for i := 0; i < len(p); {
		if p[i] == '/' {
			i++
			continue
		}
		j := strings.IndexByte(p[i:], '/')
		if j < 0 {
			j = len(p) - i
		}
		out = append(out, span{i, i + j})
		i += j
	}
	return out
}

func (c *compiled) matches(p string, spans []span) bool {
	if c.greedy {
		if len(spans) < len(c.segs) {
			return false
		}
	} else if len(spans) != len(c.segs) {
		return false
	}
	for i, s := range c.segs {
		if s.kind == literal && !literalMatches(s.text, p[spans[i].start:spans[i].end]) {
			return false
		}
	}
	return true
}

// literalMatches compares a template literal with a request segment. A percent-encoded
// segment is compared decoded too (`/it%65ms` reaches `/items`) [Unverified: AWS's handling
// of encoded literals is not documented].
func literalMatches(lit, seg string) bool {
	if lit == seg {
		return true
	}
	if !strings.Contains(seg, "%") {
		return false
	}
	dec, err := url.PathUnescape(seg)
	return err == nil && dec == lit
}

// params reads the path parameters, raw. A greedy value is the rest of the path from its
// first segment with trailing slashes dropped and interior ones kept: `/a//b/` gives "a//b"
// [AWS-validated for REST, spec §A.1 pathParameters].
func (c *compiled) params(p string, spans []span) map[string]string {
	var out map[string]string
	for i, s := range c.segs {
		if s.kind == literal {
			continue
		}
		if out == nil {
			out = make(map[string]string, 2)
		}
		if s.kind == greedy {
			out[s.text] = strings.TrimRight(p[spans[i].start:], "/")
			continue
		}
		out[s.text] = p[spans[i].start:spans[i].end]
	}
	return out
}
