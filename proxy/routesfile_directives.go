package proxy

import (
	"fmt"
	"slices"
	"strings"
)

// directives are the keywords a routes file line can start with (routes aside).
var directives = []string{"api", "stage", "stage-variable", "binary-media-types", "payload-version", "cors", "function"}

// fileParser reads a routes file line by line, collecting every problem.
type fileParser struct {
	name          string
	g             *Gateway
	errs          []error
	seen          map[string]int // once-only directive → line it was set on
	api           API
	functionLines map[string]int
	endpoints     map[string]string // normalised endpoint URL → function using it
	known         map[string]bool   // functions given WithFunctions
}

func (p *fileParser) errorf(line int, fix, format string, args ...any) {
	p.errs = append(p.errs, &ConfigError{Where: fmt.Sprintf("%s:%d", p.name, line), Problem: fmt.Sprintf(format, args...), Fix: fix})
}

func (p *fileParser) line(n int, text string) {
	fields := strings.Fields(stripComment(text))
	if len(fields) == 0 {
		return
	}
	word, args := fields[0], fields[1:]
	switch {
	case word == DefaultRouteKey || isUpperWord(word):
		p.route(n, fields)
		return
	case strings.HasPrefix(word, "/"):
		p.errorf(n, "start the line with a method: `ANY "+word+" <function>` or `GET "+word+" <function>`", "route %q has no method", word)
		return
	case slices.Contains(methods, strings.ToUpper(word)):
		p.errorf(n, "write "+strings.ToUpper(word), "method %q must be upper case", word)
		return
	}
	if alias, ok := directiveAliases[word]; ok {
		word = alias
	}
	if !slices.Contains(directives, word) {
		p.errorf(n, didYouMean(word, directives, "directives are "+strings.Join(directives, ", ")+"; a route line starts with a method or $default"), "unknown directive %q", fields[0])
		return
	}
	first, dup := p.seen[word]
	if !dup {
		p.seen[word] = n
	}
	if dup && word != "stage-variable" && word != "binary-media-types" && word != "function" {
		p.errorf(n, "keep one "+word+" line", "%s is already set on line %d", word, first)
		return
	}
	switch word {
	case "api":
		p.apiLine(n, args)
	case "stage":
		p.stage(n, args)
	case "stage-variable":
		p.stageVariables(n, args)
	case "binary-media-types":
		p.binaryMediaTypes(n, args)
	case "payload-version":
		p.payloadVersion(n, args)
	case "cors":
		p.cors(n, args)
	case "function":
		p.function(n, args)
	}
}

var directiveAliases = map[string]string{"stage-variables": "stage-variable", "binary-media-type": "binary-media-types"}

// stripComment drops a # comment: a # at the start of the line or after a space.
func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return s[:i]
		}
	}
	return s
}

func isUpperWord(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return s != ""
}

func (p *fileParser) apiLine(n int, args []string) {
	if len(args) != 1 {
		p.errorf(n, "write `api rest` or `api http`", "api takes one value")
		return
	}
	api, err := ParseAPI(args[0])
	if err != nil {
		p.errorf(n, "write `api rest` or `api http`", "unknown API kind %q", args[0])
		return
	}
	p.api = api
}

func (p *fileParser) stage(n int, args []string) {
	const fix = "write `stage NAME` with letters, digits, '-' or '_' (up to 128), or `stage $default` on an HTTP API"
	if len(args) != 1 {
		p.errorf(n, fix, "stage takes one name")
		return
	}
	if s := args[0]; s != DefaultHTTPStage && !validName(s, 128, "-_") {
		p.errorf(n, fix, "bad stage name %q", s)
		return
	}
	p.g.Stage = args[0]
}

func (p *fileParser) stageVariables(n int, args []string) {
	const fix = "write `stage-variable name=value`: names of letters, digits and '_'; values of letters, digits and -._~:/?#&=,"
	if len(args) == 0 {
		p.errorf(n, fix, "stage-variable has no name=value")
		return
	}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		switch {
		case !ok || k == "":
			p.errorf(n, fix, "stage variable %q is not name=value", a)
		case !validName(k, 64, "_"):
			p.errorf(n, fix, "bad stage variable name %q", k)
		case !validStageValue(v):
			p.errorf(n, fix, "stage variable %s has a bad value %q (API Gateway allows [A-Za-z0-9-._~:/?#&=,]+, up to 512)", k, v)
		default:
			if p.g.StageVariables == nil {
				p.g.StageVariables = map[string]string{}
			}
			if _, dup := p.g.StageVariables[k]; dup {
				p.errorf(n, "keep one value per stage variable", "stage variable %s is set twice", k)
				continue
			}
			p.g.StageVariables[k] = v
		}
	}
}

func validName(s string, max int, extra string) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r)) {
			return false
		}
	}
	return true
}

func validStageValue(v string) bool {
	return validName(v, 512, "-._~:/?#&=,")
}

func (p *fileParser) binaryMediaTypes(n int, args []string) {
	const fix = "list media types as type/subtype, e.g. `binary-media-types image/png application/octet-stream image/*`"
	if len(args) == 0 {
		p.errorf(n, fix, "binary-media-types lists no media type")
		return
	}
	for _, a := range args {
		t, s, ok := strings.Cut(a, "/")
		if !ok || t == "" || s == "" || strings.ContainsAny(s, "/;,") {
			p.errorf(n, fix, "%q is not a media type", a)
			continue
		}
		if !slices.Contains(p.g.BinaryMediaTypes, a) {
			p.g.BinaryMediaTypes = append(p.g.BinaryMediaTypes, a)
		}
	}
}

func (p *fileParser) payloadVersion(n int, args []string) {
	if len(args) != 1 || (args[0] != "1.0" && args[0] != "2.0") {
		p.errorf(n, "write `payload-version 2.0` or `payload-version 1.0`", "payload-version takes 1.0 or 2.0, got %q", strings.Join(args, " "))
		return
	}
	p.g.PayloadVersion = args[0]
}

var corsKeys = []string{"allow-origins", "allow-methods", "allow-headers", "expose-headers", "max-age", "allow-credentials"}

func (p *fileParser) cors(n int, args []string) {
	const fix = "write `cors allow-origins=https://a.example,http://localhost:3000 allow-methods=GET,POST allow-headers=content-type expose-headers=x-id max-age=600 allow-credentials=true`"
	c := &CORS{MaxAge: -1}
	ok := len(args) > 0
	if !ok {
		p.errorf(n, fix, "cors has no settings")
	}
	for _, a := range args {
		k, v, isKV := strings.Cut(a, "=")
		if !isKV {
			p.errorf(n, fix, "cors setting %q is not key=value", a)
			ok = false
			continue
		}
		list := splitList(v)
		switch k {
		case "allow-origins":
			for _, o := range list {
				if o != "*" && !validOrigin(o) {
					p.errorf(n, "write origins as scheme://host[:port] with no path, or *", "cors origin %q is not an origin", o)
					ok = false
				}
			}
			c.AllowOrigins = list
		case "allow-methods":
			for i, m := range list {
				if m != "*" && checkMethod(strings.ToUpper(m)) != nil || strings.EqualFold(m, "ANY") {
					p.errorf(n, "list HTTP methods such as GET,POST, or *", "cors method %q is not an HTTP method", m)
					ok = false
				}
				list[i] = strings.ToUpper(m)
			}
			c.AllowMethods = list
		case "allow-headers":
			c.AllowHeaders = list
		case "expose-headers":
			c.ExposeHeaders = list
		case "max-age":
			var age int
			if _, err := fmt.Sscanf(v, "%d", &age); err != nil || fmt.Sprint(age) != v || age < -1 || age > 86400 {
				p.errorf(n, "give seconds from 0 to 86400 (API Gateway's range), or -1 for none", "cors max-age %q is not a number of seconds", v)
				ok = false
			}
			c.MaxAge = age
		case "allow-credentials":
			if v != "true" && v != "false" {
				p.errorf(n, "write allow-credentials=true or allow-credentials=false", "cors allow-credentials %q is not true or false", v)
				ok = false
			}
			c.AllowCredentials = v == "true"
		default:
			p.errorf(n, didYouMean(k, corsKeys, "cors settings are "+strings.Join(corsKeys, ", ")), "unknown cors setting %q", k)
			ok = false
		}
	}
	if c.AllowCredentials && slices.Contains(c.AllowOrigins, "*") {
		// API Gateway refuses this configuration, as browsers refuse credentials with a
		// wildcard origin.
		p.errorf(n, "list the allowed origins explicitly, or drop allow-credentials", "cors allow-credentials=true cannot be combined with allow-origins=*")
		ok = false
	}
	if ok {
		p.g.CORS = c
	}
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func validOrigin(o string) bool {
	scheme, rest, ok := strings.Cut(o, "://")
	return ok && scheme != "" && rest != "" && !strings.ContainsAny(rest, "/?#")
}

// didYouMean suggests the closest candidate to word, or returns fallback.
func didYouMean(word string, candidates []string, fallback string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		d := editDistance(word, c)
		if strings.HasPrefix(c, word) && len(word) >= 2 {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return fallback
	}
	return fmt.Sprintf("did you mean %q? (%s)", best, fallback)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (p *fileParser) route(n int, fields []string) {
	where := fmt.Sprintf("%s:%d", p.name, n)
	keyLen := 2
	if fields[0] == DefaultRouteKey {
		keyLen = 1
	}
	if keyLen == 2 && len(fields) < 2 {
		p.errorf(n, routeKeyHelp, "route %q has no path", fields[0])
		return
	}
	key := strings.Join(fields[:keyLen], " ")
	method, path, err := ParseRouteKey(key)
	if err != nil {
		p.errorf(n, routeKeyHelp, "%v", err)
		return
	}
	rest := fields[keyLen:]
	switch {
	case len(rest) == 0:
		p.errorf(n, "name the function after the route key, e.g. `"+key+" items`", "route %q has no function", key)
		return
	case len(rest) > 1:
		p.errorf(n, "a route line is `ROUTE-KEY FUNCTION`; put comments after #", "unexpected %q after the function name in route %q", strings.Join(rest[1:], " "), key)
		return
	}
	p.g.Routes = append(p.g.Routes, Route{Key: canonicalKey(method, path), Method: method, Path: path, Function: rest[0], Source: where})
}

// finish applies the API kind's rules and defaults once the whole file is read.
func (p *fileParser) finish(api API) {
	g := p.g
	g.API = api
	if p.api != "" {
		g.API = p.api
	}
	if g.API == REST {
		if l, ok := p.seen["payload-version"]; ok {
			p.errorf(l, "remove it, or write `api http` if this is an HTTP API", "payload-version is an HTTP API setting; REST APIs always send payload 1.0")
		}
		if l, ok := p.seen["cors"]; ok {
			p.errorf(l, "return CORS headers from the function (and route OPTIONS to it), or write `api http` to use HTTP API CORS", "REST APIs have no built-in CORS")
		}
		if l, ok := p.seen["stage"]; ok && g.Stage == DefaultHTTPStage {
			p.errorf(l, "name the stage, e.g. `stage "+DefaultRESTStage+"`", "REST APIs have no $default stage")
		}
		if g.Stage == "" {
			g.Stage = DefaultRESTStage
		}
	} else {
		if len(g.BinaryMediaTypes) > 0 {
			p.errorf(p.firstLine("binary-media-types"), "remove it: HTTP APIs base64-encode bodies by content type (spec §B)", "binary-media-types is a REST API setting")
		}
		if g.Stage == "" {
			g.Stage = DefaultHTTPStage
		}
		if g.PayloadVersion == "" {
			g.PayloadVersion = DefaultPayloadVersion
		}
	}
	p.checkFunctions()
	if len(g.Routes) == 0 && len(p.errs) == 0 {
		p.errs = append(p.errs, &ConfigError{Where: p.name, Problem: "no routes", Fix: "add a route line such as `ANY /{proxy+} items` (REST) or `$default items` (HTTP)"})
	}
	if _, errs := buildRoutes(g.API, g.Routes); len(errs) > 0 {
		p.errs = append(p.errs, errs...)
	}
}

func (p *fileParser) firstLine(directive string) int {
	if l, ok := p.seen[directive]; ok {
		return l
	}
	return 0
}

func (p *fileParser) checkFunctions() {
	var names []string
	for name := range p.g.Functions {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, r := range p.g.Routes {
		if _, ok := p.g.Functions[r.Function]; ok {
			continue
		}
		fix := "declare it: `function " + r.Function + " http://127.0.0.1:9000`"
		if len(names) > 0 {
			fix = didYouMean(r.Function, names, "declared functions: "+strings.Join(names, ", ")+"; or "+fix)
		}
		p.errs = append(p.errs, &ConfigError{Where: r.Source, Problem: fmt.Sprintf("route %q names function %q, which no function line declares", r.Key, r.Function), Fix: fix})
	}
}
