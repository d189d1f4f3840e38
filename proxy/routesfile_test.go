package proxy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadGatewayFull(t *testing.T) {
	t.Parallel()
	g, err := LoadGateway(filepath.Join("testdata", "routes", "http-full.txt"))
	if err != nil {
		t.Fatal(err)
	}
	src := func(line int) string { return fmt.Sprintf("testdata/routes/http-full.txt:%d", line) }
	want := &Gateway{
		API:            HTTP,
		Stage:          "dev",
		StageVariables: map[string]string{"color": "blue", "size": "L", "url": "https://example.com/a?b=c#frag"},
		PayloadVersion: "1.0",
		CORS: &CORS{
			AllowOrigins:     []string{"https://example.com", "http://localhost:3000"},
			AllowMethods:     []string{"GET", "POST"},
			AllowHeaders:     []string{"content-type", "x-api-key"},
			ExposeHeaders:    []string{"x-request-id"},
			AllowCredentials: true,
			MaxAge:           600,
		},
		Functions: map[string]Function{
			"items": {Name: "items", URLs: []string{"http://127.0.0.1:9000", "http://127.0.0.1:9001"}, Concurrency: 2, QueueSize: 100},
			"users": {Name: "users", URLs: []string{"http://127.0.0.1:9010", "http://127.0.0.1:9011", "http://127.0.0.1:9012"}, Concurrency: 1, QueueSize: NoQueue},
			"web":   {Name: "web", URLs: []string{"http://localhost:8999"}, Concurrency: 1},
		},
		Routes: []Route{
			{Key: "GET /items/{id}", Method: "GET", Path: "/items/{id}", Function: "items", Source: src(13)},
			{Key: "POST /items", Method: "POST", Path: "/items", Function: "items", Source: src(14)},
			{Key: "ANY /users/{proxy+}", Method: "ANY", Path: "/users/{proxy+}", Function: "users", Source: src(15)},
			{Key: "$default", Function: "web", Source: src(16)},
		},
	}
	if !reflect.DeepEqual(g, want) {
		t.Fatalf("LoadGateway =\n%#v\nwant\n%#v", g, want)
	}
	table, err := g.RouteTable()
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := table.Match("GET", "/users/1/avatar"); !ok || m.Route.Function != "users" {
		t.Fatalf("Match = %+v, %v", m, ok)
	}
}

func TestParseGatewayDefaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule string
		api  API
		file string
		want Gateway
	}{
		{"REST by default, stage Prod, no payload version", "", "rest-minimal.txt", Gateway{API: REST, Stage: "Prod", BinaryMediaTypes: []string{"image/png", "application/octet-stream", "image/*"}}},
		{"WithAPI chooses the kind of a file without an api line", HTTP, "", Gateway{API: HTTP, Stage: "$default", PayloadVersion: "2.0"}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			text := "function f http://127.0.0.1:9000\nANY /{proxy+} f\n"
			if c.file != "" {
				b, err := os.ReadFile(filepath.Join("testdata", "routes", c.file))
				if err != nil {
					t.Fatal(err)
				}
				text = string(b)
			}
			var opts []GatewayOption
			if c.api != "" {
				opts = append(opts, WithAPI(c.api))
			}
			g, err := ParseGateway("test.txt", strings.NewReader(text), opts...)
			if err != nil {
				t.Fatal(err)
			}
			got := Gateway{API: g.API, Stage: g.Stage, PayloadVersion: g.PayloadVersion, BinaryMediaTypes: g.BinaryMediaTypes, StageVariables: g.StageVariables, CORS: g.CORS}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestParseGatewayFileAPIWins(t *testing.T) {
	t.Parallel()
	g, err := ParseGateway("t", strings.NewReader("api http\nfunction f http://127.0.0.1:1\n$default f\n"), WithAPI(REST))
	if err != nil || g.API != HTTP {
		t.Fatalf("ParseGateway = %+v, %v; want the file's api http", g, err)
	}
}

// TestParseGatewayRefuses: each mistake is refused naming the file, the line, what is wrong
// and what to do.
func TestParseGatewayRefuses(t *testing.T) {
	t.Parallel()
	const fn = "function f http://127.0.0.1:9000\n"
	cases := []struct {
		rule string
		text string
		line int    // 0: the error has no line
		want string // in the problem
		fix  string // in the advice
	}{
		{"unknown directive with a did-you-mean", "stgae dev\n" + fn + "ANY /x f\n", 1, `unknown directive "stgae"`, `did you mean "stage"`},
		{"unknown directive without a close match", "frobnicate\n" + fn + "ANY /x f\n", 1, `unknown directive "frobnicate"`, "directives are"},
		{"route keyword is not a directive", fn + "route GET /x f\n", 2, `unknown directive "route"`, "a route line starts with a method"},
		{"route without a method", fn + "/items f\n", 2, `route "/items" has no method`, "start the line with a method"},
		{"lower-case method", fn + "get /items f\n", 2, `method "get" must be upper case`, "write GET"},
		{"bad method", fn + "FETCH /items f\n", 2, `unknown method "FETCH"`, "route key"},
		{"malformed route key", fn + "GET\n", 2, `route "GET" has no path`, "route key"},
		{"route without a function", fn + "GET /items\n", 2, "has no function", "name the function"},
		{"extra words after the function", fn + "GET /items f g\n", 2, `unexpected "g"`, "ROUTE-KEY FUNCTION"},
		{"unknown function with a did-you-mean", "function items http://127.0.0.1:9000\nGET /x itmes\n", 2, `names function "itmes"`, `did you mean "items"`},
		{"route to a function never declared", "api http\n$default web\n", 2, `names function "web"`, "declare it: `function web"},
		{"duplicate route", fn + "GET /items/{id} f\nGET /items/{key} f\n", 3, "duplicate route", "remove one"},
		{"greedy variable not last", fn + "ANY /{proxy+}/x f\n", 2, "must be the last segment", "route key"},
		{"$default in a REST API", fn + "$default f\n", 2, "REST APIs have none", "ANY /{proxy+}"},
		{"REST sibling variables", fn + "GET /items/{id} f\nPUT /items/{key} f\n", 3, "only one variable child", "same variable name"},
		{"trailing slash in a route", fn + "GET /items/ f\n", 2, "trailing slash", "route key"},
		{"bad endpoint URL scheme", "function f ftp://127.0.0.1:9000\nANY /x f\n", 1, "not http:// or https://", "base URLs"},
		{"endpoint URL with a path", "function f http://127.0.0.1:9000/2015-03-31/functions/function/invocations\nANY /x f\n", 1, "has a path", "base URLs"},
		{"endpoint URL with a bad port", "function f http://127.0.0.1:99999\nANY /x f\n", 1, "bad port", "base URLs"},
		{"bad port range", "function f http://127.0.0.1:9003-9000\nANY /x f\n", 1, "bad port range", "port range"},
		{"function without URL", "function f\nANY /x f\n", 1, "has no endpoint URL", "function f http://"},
		{"endpoint shared by two functions", fn + "function g http://127.0.0.1:9000\nANY /x f\nGET /y g\n", 2, "already used by function f", "own endpoints"},
		{"endpoint listed twice in a range", "function f http://127.0.0.1:9000 http://127.0.0.1:9000-9001\nANY /x f\n", 1, "already used by function f", "own endpoints"},
		{"function declared twice", fn + fn + "ANY /x f\n", 2, "already declared on line 1", "declare each function once"},
		{"bad function name", "function f/g http://127.0.0.1:9000\nANY /x f\n", 1, `bad function name "f/g"`, "Lambda function names"},
		{"unknown function option", "function f http://127.0.0.1:9000 concurency=2\nANY /x f\n", 1, `unknown function option "concurency"`, `did you mean "concurrency"`},
		{"concurrency zero", "function f http://127.0.0.1:9000 concurrency=0\nANY /x f\n", 1, "concurrency=0 is out of range", "AWS_LAMBDA_MAX_CONCURRENCY"},
		{"queue not a number", "function f http://127.0.0.1:9000 queue=lots\nANY /x f\n", 1, "queue=lots is not a number", "whole number"},
		{"stage set twice", "stage a\nstage b\n" + fn + "ANY /x f\n", 2, "stage is already set on line 1", "keep one stage line"},
		{"bad stage name", "stage my.stage\n" + fn + "ANY /x f\n", 1, `bad stage name "my.stage"`, "letters, digits"},
		{"$default stage in a REST API", "stage $default\n" + fn + "ANY /x f\n", 1, "REST APIs have no $default stage", "name the stage"},
		{"stage variable without a value", "stage-variable color\n" + fn + "ANY /x f\n", 1, `"color" is not name=value`, "stage-variable name=value"},
		{"stage variable with a bad value", "stage-variable color=blue green\n" + fn + "ANY /x f\n", 1, `"green" is not name=value`, "stage-variable"},
		{"stage variable with a forbidden character", "stage-variable msg=a*b\n" + fn + "ANY /x f\n", 1, `bad value "a*b"`, "stage-variable"},
		{"stage variable set twice", "stage-variable a=1\nstage-variable a=2\n" + fn + "ANY /x f\n", 2, "stage variable a is set twice", "one value"},
		{"payload version in a REST API", "payload-version 2.0\n" + fn + "ANY /x f\n", 1, "payload-version is an HTTP API setting", "api http"},
		{"bad payload version", "api http\npayload-version 3.0\n" + fn + "ANY /x f\n", 2, "payload-version takes 1.0 or 2.0", "payload-version 2.0"},
		{"CORS in a REST API", "cors allow-origins=*\n" + fn + "ANY /x f\n", 1, "REST APIs have no built-in CORS", "api http"},
		{"unknown CORS setting", "api http\ncors allow-origin=*\n" + fn + "$default f\n", 2, `unknown cors setting "allow-origin"`, `did you mean "allow-origins"`},
		{"CORS credentials with a wildcard origin", "api http\ncors allow-origins=* allow-credentials=true\n" + fn + "$default f\n", 2, "cannot be combined", "explicitly"},
		{"CORS origin with a path", "api http\ncors allow-origins=https://a.example/app\n" + fn + "$default f\n", 2, "is not an origin", "scheme://host"},
		{"CORS max-age out of range", "api http\ncors max-age=90000\n" + fn + "$default f\n", 2, "max-age", "86400"},
		{"CORS bad method", "api http\ncors allow-methods=GET,FETCH\n" + fn + "$default f\n", 2, `cors method "FETCH"`, "HTTP methods"},
		{"binary media types in an HTTP API", "api http\nbinary-media-types image/png\n" + fn + "$default f\n", 2, "binary-media-types is a REST API setting", "content type"},
		{"bad binary media type", "binary-media-types png\n" + fn + "ANY /x f\n", 1, `"png" is not a media type`, "type/subtype"},
		{"unknown api kind", "api soap\n" + fn + "ANY /x f\n", 1, `unknown API kind "soap"`, "api rest"},
		{"no routes", fn, 0, "no routes", "add a route line"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			_, err := ParseGateway("routes.txt", strings.NewReader(c.text))
			if err == nil {
				t.Fatalf("ParseGateway accepted:\n%s", c.text)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ConfigError", err)
			}
			where := "routes.txt"
			if c.line > 0 {
				where = fmt.Sprintf("routes.txt:%d", c.line)
			}
			if ce.Where != where || !strings.Contains(ce.Problem, c.want) || !strings.Contains(ce.Fix, c.fix) {
				t.Fatalf("error = %q\nwant at %s, problem with %q, advice with %q", err, where, c.want, c.fix)
			}
			if !strings.HasPrefix(err.Error(), where+": ") || !strings.Contains(err.Error(), "; ") {
				t.Fatalf("error %q does not read \"<file>:<line>: <what is wrong>; <what to do>\"", err)
			}
		})
	}
}

func TestParseGatewayReportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := ParseGateway("routes.txt", strings.NewReader("stgae dev\nfunction f http://127.0.0.1:9000\nget /x f\nGET /y g\n"))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"routes.txt:1: ", "routes.txt:3: ", "routes.txt:4: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestLoadGatewayMissingFile(t *testing.T) {
	t.Parallel()
	_, err := LoadGateway(filepath.Join(t.TempDir(), "nope.txt"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "LAMBDALOCAL_ROUTES") {
		t.Fatalf("error = %v, want a not-exist error naming LAMBDALOCAL_ROUTES", err)
	}
}

func TestDefaultGateway(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule      string
		api       API
		stage     string
		payload   string
		routes    []string
		matchPath string
	}{
		{"REST catch-all is ANY /{proxy+} plus ANY /, stage Prod", REST, "Prod", "", []string{"ANY /{proxy+}", "ANY /"}, "/"},
		{"HTTP catch-all is $default, stage $default, payload 2.0", HTTP, "$default", "2.0", []string{"$default"}, "/"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			g := DefaultGateway(c.api, "http://127.0.0.1:9000/")
			var keys []string
			for _, r := range g.Routes {
				keys = append(keys, r.Key)
			}
			if g.API != c.api || g.Stage != c.stage || g.PayloadVersion != c.payload || !reflect.DeepEqual(keys, c.routes) {
				t.Fatalf("DefaultGateway = %+v", g)
			}
			if f := g.Functions[DefaultFunctionName]; !reflect.DeepEqual(f.URLs, []string{"http://127.0.0.1:9000"}) || f.Concurrency != 1 {
				t.Fatalf("function = %+v", f)
			}
			table, err := g.RouteTable()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{c.matchPath, "/a/b"} {
				if _, ok := table.Match("PATCH", p); !ok {
					t.Errorf("catch-all does not match PATCH %s", p)
				}
			}
		})
	}
}

// TestExampleRoutesFile keeps the README's annotated example valid.
func TestExampleRoutesFile(t *testing.T) {
	t.Parallel()
	g, err := LoadGateway(filepath.Join("..", "examples", "routes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewInvokers(g); err != nil {
		t.Fatal(err)
	}
}

func ExampleParseGateway() {
	const file = `
api http
stage dev
function items http://127.0.0.1:9000-9001   # two RIEs
GET /items/{id}  items
$default         items
`
	g, err := ParseGateway("routes.txt", strings.NewReader(file))
	if err != nil {
		panic(err)
	}
	fmt.Println(g.API, g.Stage, g.PayloadVersion, g.Functions["items"].URLs)
	for _, r := range g.Routes {
		fmt.Println(r.Source, r.Key, "→", r.Function)
	}
	_, err = ParseGateway("routes.txt", strings.NewReader("function items http://127.0.0.1:9000\nGET /items/{id} itmes\n"))
	fmt.Println(err)
	// Output:
	// http dev 2.0 [http://127.0.0.1:9000 http://127.0.0.1:9001]
	// routes.txt:5 GET /items/{id} → items
	// routes.txt:6 $default → items
	// routes.txt:2: route "GET /items/{id}" names function "itmes", which no function line declares; did you mean "items"? (declared functions: items; or declare it: `function itmes http://127.0.0.1:9000`)
}
