package proxy

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// matchCase is one request against a route table: the route key expected ("" for no match)
// and the path parameters expected.
type matchCase struct {
	rule   string
	method string
	path   string
	want   string
	params map[string]string
}

func routesOf(t *testing.T, api API, keys ...string) *Routes {
	t.Helper()
	var rs []Route
	for i, k := range keys {
		rs = append(rs, Route{Key: k, Function: fmt.Sprintf("fn%d", i)})
	}
	table, err := NewRoutes(api, rs)
	if err != nil {
		t.Fatalf("NewRoutes(%s, %q): %v", api, keys, err)
	}
	return table
}

func checkMatches(t *testing.T, table *Routes, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			m, ok := table.Match(c.method, c.path)
			got := ""
			if ok {
				got = m.Route.Key
			}
			if got != c.want {
				t.Fatalf("Match(%s %s) = %q, want %q", c.method, c.path, got, c.want)
			}
			if ok && !reflect.DeepEqual(m.PathParams, c.params) {
				t.Fatalf("Match(%s %s) params = %#v, want %#v", c.method, c.path, m.PathParams, c.params)
			}
		})
	}
}

// TestRESTMatchAWSValidated replays the REST routing cases LocalStack recorded against AWS
// (spec §A.5).
func TestRESTMatchAWSValidated(t *testing.T) {
	t.Parallel()
	t.Run("hardcoded resource sibling order", func(t *testing.T) {
		t.Parallel()
		// test_routing_with_hardcoded_resource_sibling_order
		table := routesOf(t, REST, "GET /part1", "GET /{param+}", "GET /part1/hardcoded-value")
		checkMatches(t, table, []matchCase{
			{"literal resource matches itself", "GET", "/part1", "GET /part1", nil},
			{"deeper literal beats greedy", "GET", "/part1/hardcoded-value", "GET /part1/hardcoded-value", nil},
			{"literal branch without a deeper match falls back to the greedy sibling", "GET", "/part1/random-value", "GET /{param+}", map[string]string{"param": "part1/random-value"}},
		})
	})
	t.Run("proxy routing with hardcoded resource sibling", func(t *testing.T) {
		t.Parallel()
		// test_proxy_routing_with_hardcoded_resource_sibling
		table := routesOf(t, REST, "POST /test", "ANY /test/any", "OPTIONS /{proxy+}")
		checkMatches(t, table, []matchCase{
			{"resource lacking the method falls back to a greedy sibling that has it", "OPTIONS", "/test", "OPTIONS /{proxy+}", map[string]string{"proxy": "test"}},
			{"method defined on the resource", "POST", "/test", "POST /test", nil},
			{"ANY on the literal resource beats the greedy sibling's method", "OPTIONS", "/test/any", "ANY /test/any", nil},
			{"ANY serves any method", "GET", "/test/any", "ANY /test/any", nil},
			{"known path with an undefined method does not match", "GET", "/test", "", nil},
		})
	})
	t.Run("proxy integration paths", func(t *testing.T) {
		t.Parallel()
		// test_lambda_aws_proxy_integration
		table := routesOf(t, REST, "ANY /{proxy+}", "GET /hardcoded")
		checkMatches(t, table, []matchCase{
			{"trailing slash is ignored and stripped from the greedy value", "GET", "/proxy-value/", "ANY /{proxy+}", map[string]string{"proxy": "proxy-value"}},
			{"interior double slash is kept in the greedy value", "GET", "/proxy-value//double-slash", "ANY /{proxy+}", map[string]string{"proxy": "proxy-value//double-slash"}},
			{"empty leading segment is tolerated", "GET", "//hardcoded", "GET /hardcoded", nil},
			{"path parameters are not decoded", "POST", "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com", "ANY /{proxy+}", map[string]string{"proxy": "proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"}},
			{"unknown path with a method the literal lacks falls to greedy", "POST", "/hardcoded", "ANY /{proxy+}", map[string]string{"proxy": "hardcoded"}},
		})
	})
}

func TestRESTMatchRules(t *testing.T) {
	t.Parallel()
	table := routesOf(t, REST,
		"GET /items", "ANY /items", "GET /items/new", "GET /items/{id}", "GET /items/{id}/parts/{part}",
		"GET /a", "GET /a/b", "ANY /{proxy+}", "GET /files/{path+}")
	checkMatches(t, table, []matchCase{
		{"method beats ANY on the same resource", "GET", "/items", "GET /items", nil},
		{"ANY serves methods the resource does not define", "DELETE", "/items", "ANY /items", nil},
		{"literal beats parameter", "GET", "/items/new", "GET /items/new", nil},
		{"parameter takes one segment", "GET", "/items/42", "GET /items/{id}", map[string]string{"id": "42"}},
		{"several parameters", "GET", "/items/42/parts/7", "GET /items/{id}/parts/{part}", map[string]string{"id": "42", "part": "7"}},
		{"parameter beats a greedy ancestor", "GET", "/items/42/", "GET /items/{id}", map[string]string{"id": "42"}},
		{"parameter branch without the method falls back to greedy", "POST", "/items/42", "ANY /{proxy+}", map[string]string{"proxy": "items/42"}},
		{"no deeper match under a literal falls back to greedy", "GET", "/a/c", "ANY /{proxy+}", map[string]string{"proxy": "a/c"}},
		{"greedy with a literal prefix beats the root greedy", "GET", "/files/x/y.txt", "GET /files/{path+}", map[string]string{"path": "x/y.txt"}},
		{"greedy needs at least one segment", "GET", "/files", "ANY /{proxy+}", map[string]string{"proxy": "files"}},
		{"root greedy does not match the root", "GET", "/", "", nil},
		{"HEAD is not served by GET", "HEAD", "/a", "ANY /{proxy+}", map[string]string{"proxy": "a"}},
		{"percent-encoded literal matches decoded", "GET", "/it%65ms", "GET /items", nil},
		{"matching is case-sensitive", "GET", "/ITEMS/new", "ANY /{proxy+}", map[string]string{"proxy": "ITEMS/new"}},
	})
}

func TestRESTRootNeedsItsOwnRoute(t *testing.T) {
	t.Parallel()
	checkMatches(t, routesOf(t, REST, "ANY /{proxy+}", "ANY /"), []matchCase{
		{"root route serves /", "GET", "/", "ANY /", nil},
		{"root route serves an empty path", "GET", "", "ANY /", nil},
		{"greedy serves the rest", "GET", "/x", "ANY /{proxy+}", map[string]string{"proxy": "x"}},
	})
}

// TestHTTPMatchAWSDocExample replays the example table of the HTTP API developer guide
// (http-api-develop-routes, "Routing API requests").
func TestHTTPMatchAWSDocExample(t *testing.T) {
	t.Parallel()
	table := routesOf(t, HTTP, "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default")
	checkMatches(t, table, []matchCase{
		{"full match for route and method", "GET", "/pets/dog/1", "GET /pets/dog/{id}", map[string]string{"id": "1"}},
		{"greedy route with the method when no full match", "GET", "/pets/cat/1", "GET /pets/{proxy+}", map[string]string{"proxy": "cat/1"}},
		{"ANY greedy beats $default for undefined methods", "POST", "/test/5", "ANY /{proxy+}", map[string]string{"proxy": "test/5"}},
		{"$default catches what no route matches", "GET", "/", "$default", nil},
	})
}

func TestHTTPMatchRules(t *testing.T) {
	t.Parallel()
	table := routesOf(t, HTTP,
		"GET /pets/dog/1", "GET /pets/dog/{id}", "GET /{a}/{b}/{c}", "GET /pets/{proxy+}",
		"GET /items", "ANY /items", "ANY /things/{id}", "GET /{proxy+}", "DELETE /items/{key}", "GET /items/{id}")
	checkMatches(t, table, []matchCase{
		{"static path beats a parameterised one", "GET", "/pets/dog/1", "GET /pets/dog/1", nil},
		{"full match beats greedy even with fewer literals", "GET", "/pets/cat/1", "GET /{a}/{b}/{c}", map[string]string{"a": "pets", "b": "cat", "c": "1"}},
		{"longest greedy prefix wins", "GET", "/pets/cat/1/2", "GET /pets/{proxy+}", map[string]string{"proxy": "cat/1/2"}},
		{"explicit method beats ANY", "GET", "/items", "GET /items", nil},
		{"ANY serves undefined methods", "PUT", "/items", "ANY /items", nil},
		{"full match with ANY beats greedy with the method", "GET", "/things/1", "ANY /things/{id}", map[string]string{"id": "1"}},
		{"sibling variables may differ by method", "DELETE", "/items/9", "DELETE /items/{key}", map[string]string{"key": "9"}},
		{"sibling variable of the method", "GET", "/items/9", "GET /items/{id}", map[string]string{"id": "9"}},
		{"no route for the method and no $default", "POST", "/pets/dog/1", "", nil},
		{"greedy does not match the root", "GET", "/", "", nil},
	})
}

func TestNewRoutesRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule string
		api  API
		keys []string
		want string
	}{
		{"$default in a REST API", REST, []string{"$default"}, "REST APIs have none"},
		{"duplicate route", HTTP, []string{"GET /items/{id}", "GET /items/{key}"}, "duplicate route"},
		{"duplicate $default", HTTP, []string{"$default", "$default"}, "duplicate route $default"},
		{"REST sibling variables with different names", REST, []string{"GET /items/{id}", "DELETE /items/{key}"}, "only one variable child"},
		{"REST greedy sibling of a variable", REST, []string{"GET /items/{id}", "GET /items/{rest+}"}, "only one variable child"},
		{"greedy variable not last", HTTP, []string{"GET /{proxy+}/x"}, "must be the last segment"},
		{"unknown method", HTTP, []string{"FETCH /x"}, `unknown method "FETCH"`},
		{"lower-case method", HTTP, []string{"get /x"}, "must be upper case"},
		{"no method", HTTP, []string{"/x"}, "has no method"},
		{"trailing slash", HTTP, []string{"GET /x/"}, "trailing slash"},
		{"empty segment", HTTP, []string{"GET /a//b"}, "empty segment"},
		{"partial-segment variable", REST, []string{"GET /items/{id}.json"}, "whole segment"},
		{"repeated parameter", REST, []string{"GET /{id}/x/{id}"}, "appears twice"},
		{"path without a leading slash", HTTP, []string{"GET items"}, "does not start with /"},
		{"unknown API kind", API("soap"), []string{"GET /x"}, "unknown API kind"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			var rs []Route
			for _, k := range c.keys {
				rs = append(rs, Route{Key: k, Function: "f"})
			}
			_, err := NewRoutes(c.api, rs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("NewRoutes(%s, %q) error = %v, want it to say %q", c.api, c.keys, err, c.want)
			}
			var ce *ConfigError
			if c.api != "soap" && !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ConfigError", err)
			}
		})
	}
}

func TestNewRoutesFillsKeyAndParts(t *testing.T) {
	t.Parallel()
	table, err := NewRoutes(HTTP, []Route{
		{Method: "GET", Path: "/items/{id}", Function: "items"},
		{Key: "ANY  /{proxy+}", Function: "items"},
		{Key: "$default", Function: "fallback"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Route{
		{Key: "GET /items/{id}", Method: "GET", Path: "/items/{id}", Function: "items"},
		{Key: "ANY /{proxy+}", Method: "ANY", Path: "/{proxy+}", Function: "items"},
		{Key: "$default", Function: "fallback"},
	}
	if got := table.List(); !reflect.DeepEqual(got, want) {
		t.Fatalf("List() = %#v, want %#v", got, want)
	}
	if table.API() != HTTP {
		t.Fatalf("API() = %q", table.API())
	}
}

func TestNewRoutesNamesTheSource(t *testing.T) {
	t.Parallel()
	_, err := NewRoutes(REST, []Route{{Key: "$default", Function: "f", Source: "routes.txt:7"}})
	if err == nil || !strings.HasPrefix(err.Error(), "routes.txt:7: ") {
		t.Fatalf("error = %v, want it to start with the source", err)
	}
}

func TestMethods(t *testing.T) {
	t.Parallel()
	table := routesOf(t, HTTP, "GET /items/{id}", "DELETE /items/{id}", "ANY /items/{id}", "POST /other", "$default")
	cases := []struct {
		rule string
		path string
		want []string
	}{
		{"methods of every route matching the path, sorted", "/items/1", []string{"ANY", "DELETE", "GET"}},
		{"$default is not counted", "/nothing", nil},
	}
	for _, c := range cases {
		if got := table.Methods(c.path); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Methods(%q) = %q, want %q", c.rule, c.path, got, c.want)
		}
	}
}

func TestParseAPI(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]API{"rest": REST, "HTTP": HTTP, " http ": HTTP} {
		if got, err := ParseAPI(in); err != nil || got != want {
			t.Errorf("ParseAPI(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseAPI("websocket"); err == nil || !strings.Contains(err.Error(), `use "rest"`) {
		t.Errorf("ParseAPI(websocket) error = %v, want advice", err)
	}
}

func ExampleRoutes_Match() {
	table, err := NewRoutes(HTTP, []Route{
		{Key: "GET /items/{id}", Function: "items"},
		{Key: "ANY /{proxy+}", Function: "web"},
		{Key: "$default", Function: "web"},
	})
	if err != nil {
		panic(err)
	}
	for _, req := range []struct{ method, path string }{{"GET", "/items/42"}, {"POST", "/items/42"}, {"GET", "/"}} {
		m, _ := table.Match(req.method, req.path)
		fmt.Println(req.method, req.path, "→", m.Route.Key, m.Route.Function, m.PathParams)
	}
	// Output:
	// GET /items/42 → GET /items/{id} items map[id:42]
	// POST /items/42 → ANY /{proxy+} web map[proxy:items/42]
	// GET / → $default web map[]
}

func BenchmarkMatch(b *testing.B) {
	table, err := NewRoutes(REST, []Route{
		{Key: "GET /items", Function: "f"}, {Key: "GET /items/{id}", Function: "f"},
		{Key: "GET /items/{id}/parts/{part}", Function: "f"}, {Key: "POST /items", Function: "f"},
		{Key: "ANY /{proxy+}", Function: "f"}, {Key: "ANY /", Function: "f"},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := table.Match("GET", "/items/42/parts/7"); !ok {
			b.Fatal("no match")
		}
	}
}
