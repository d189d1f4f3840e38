package proxy

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/internal/rietest"
)

// The end-to-end tests run the example function (./lambda) under a real RIE process. Both are
// built once per test binary, on first use, into the checkout's shared build folder.
var (
	buildOnce  sync.Once
	builtBins  rietest.Binaries
	buildError error
)

// binaries builds the RIE and the example function once.
func binaries(tb testing.TB) rietest.Binaries {
	tb.Helper()
	buildOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		dir, err := rietest.SharedDir()
		if err != nil {
			buildError = err
			return
		}
		builtBins, buildError = rietest.Build(ctx, dir)
	})
	if buildError != nil {
		tb.Fatal(buildError)
	}
	return builtBins
}

// startRIE starts an RIE running the example function (or bootstrap, when given) and stops it
// when the test ends, failing the test if the RIE died on the way.
func startRIE(tb testing.TB, bootstrap string, opts ...rietest.Option) *rietest.RIE {
	tb.Helper()
	b := binaries(tb)
	if bootstrap != "" {
		b.Bootstrap = bootstrap
	}
	r, err := rietest.Start(context.Background(), b, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if !r.Alive() {
			tb.Errorf("the RIE died during the test:\n%s", r.Logs())
		}
		r.Stop()
	})
	return r
}

// e2eServer is a Server in front of rie with the routes helper's invokers (one invoke at a
// time per RIE), on a real listener.
func e2eServer(t *testing.T, api API, rie *rietest.RIE, timeout time.Duration, routes ...Route) *served {
	t.Helper()
	g := e2eGateway(api, rie, routes...)
	invokers, err := NewInvokers(g)
	if err != nil {
		t.Fatal(err)
	}
	return e2eServerWith(t, g, invokers, timeout)
}

func e2eGateway(api API, rie *rietest.RIE, routes ...Route) *Gateway {
	g := DefaultGateway(api, rie.URL)
	if len(routes) > 0 {
		for i := range routes {
			routes[i].Function = DefaultFunctionName
		}
		g.Routes = routes
	}
	return g
}

// e2eServerWith serves g with the given invokers, so two servers can share one RIE's
// concurrency limit.
func e2eServerWith(t *testing.T, g *Gateway, invokers map[string]Invoker, timeout time.Duration) *served {
	t.Helper()
	return serveURL(t, &Server{Gateway: g, Invokers: invokers, Timeout: timeout, AccessLog: io.Discard})
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestEndToEndRESTEchoesTheEventAWSWouldSend(t *testing.T) {
	rie := startRIE(t, "")
	ts := e2eServer(t, REST, rie, 0)
	resp, body := get(t, ts.URL+"/items/42/json?color=red&color=blue&q=a%2Bb", "Cookie", "a=1")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var e restEvent
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("echo is not an event: %v\n%s", err, body)
	}
	checks := []struct{ name, got, want string }{
		{"resource", e.Resource, "/{proxy+}"},
		{"path has no stage", e.Path, "/items/42/json"},
		{"requestContext.path has the stage", e.RequestContext.Path, "/Prod/items/42/json"},
		{"last query value wins", e.QueryStringParameters["color"], "blue"},
		{"query is decoded", e.QueryStringParameters["q"], "a+b"},
		{"proxy path parameter", e.PathParameters["proxy"], "items/42/json"},
		{"x-amzn-RequestId is the requestId", resp.Header.Get("X-Amzn-Requestid"), e.RequestContext.RequestID},
		{"x-amz-apigw-id is the extendedRequestId", resp.Header.Get("X-Amz-Apigw-Id"), e.RequestContext.ExtendedRequestID},
		{"Cookie stays a header on REST", e.Headers["Cookie"], "a=1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if e.Body != nil || !strings.Contains(string(body), `"body":null`) {
		t.Errorf("a GET's body must be null: %s", body)
	}
	if got := e.MultiValueQueryStringParameters["color"]; len(got) != 2 {
		t.Errorf("multiValueQueryStringParameters[color] = %q", got)
	}
}

func TestEndToEndHTTPAPIEchoesThePayload2Event(t *testing.T) {
	rie := startRIE(t, "")
	ts := e2eServer(t, HTTP, rie, 0)
	resp, body := get(t, ts.URL+"/json?a=1&a=2", "Cookie", "s=1; t=2", "X-Multi", "x", "X-Multi", "y")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var e httpEvent
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("echo is not an event: %v\n%s", err, body)
	}
	if e.Version != "2.0" || e.RouteKey != "$default" || e.RawPath != "/json" || e.RawQueryString != "a=1&a=2" {
		t.Errorf("version/routeKey/rawPath/rawQueryString = %q %q %q %q", e.Version, e.RouteKey, e.RawPath, e.RawQueryString)
	}
	if e.QueryStringParameters["a"] != "1,2" || e.Headers["x-multi"] != "x,y" {
		t.Errorf("repeated values must be comma-joined: query %q, header %q", e.QueryStringParameters["a"], e.Headers["x-multi"])
	}
	if len(e.Cookies) != 2 || e.Headers["cookie"] != "" {
		t.Errorf("cookies = %q, cookie header = %q; want the cookies moved out of the headers", e.Cookies, e.Headers["cookie"])
	}
	if resp.Header.Get("Apigw-Requestid") != e.RequestContext.RequestID {
		t.Errorf("apigw-requestid %q != requestId %q", resp.Header.Get("Apigw-Requestid"), e.RequestContext.RequestID)
	}
}

func TestEndToEndGatewayErrors(t *testing.T) {
	rie := startRIE(t, "")
	rest := e2eServer(t, REST, rie, 0, route("GET /json"))
	httpAPI := e2eServer(t, HTTP, rie, 0, route("GET /json"))
	cases := []struct {
		name, url  string
		status     int
		message    string
		errorTypeH string
	}{
		{"REST unknown path is 403 Missing Authentication Token", rest.URL + "/nope", 403, "Missing Authentication Token", "MissingAuthenticationTokenException"},
		{"HTTP API unknown path is 404 Not Found", httpAPI.URL + "/nope", 404, "Not Found", ""},
		{"REST known route answers", rest.URL + "/json", 200, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(t, c.url)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body)
			}
			if c.message != "" && !jsonEqual(t, body, []byte(`{"message":"`+c.message+`"}`)) {
				t.Errorf("body %s, want message %q", body, c.message)
			}
			if got := resp.Header.Get("X-Amzn-Errortype"); got != c.errorTypeH {
				t.Errorf("x-amzn-ErrorType = %q, want %q", got, c.errorTypeH)
			}
		})
	}
}

func TestEndToEndTimeoutAnswers504OnRESTAnd503OnHTTPAPIAndTheRIESurvives(t *testing.T) {
	for _, c := range []struct {
		api     API
		status  int
		message string
	}{{REST, 504, "Endpoint request timed out"}, {HTTP, 503, "Service Unavailable"}} {
		t.Run(string(c.api), func(t *testing.T) {
			rie := startRIE(t, "")
			g := e2eGateway(c.api, rie)
			invokers, err := NewInvokers(g)
			if err != nil {
				t.Fatal(err)
			}
			// A nanosecond deadline runs out before the RIE can answer.
			ts := e2eServerWith(t, g, invokers, time.Nanosecond)
			resp, body := get(t, ts.URL+"/json")
			if resp.StatusCode != c.status || !jsonEqual(t, body, []byte(`{"message":"`+c.message+`"}`)) {
				t.Fatalf("got %d %s, want %d %q", resp.StatusCode, body, c.status, c.message)
			}
			// The abandoned invoke may still run in the RIE; the same invokers keep the next
			// invoke from overlapping it, and the function must stay usable.
			ok := e2eServerWith(t, g, invokers, 10*time.Second)
			if resp, body := get(t, ok.URL+"/json"); resp.StatusCode != 200 {
				t.Fatalf("after a timeout: %d %s", resp.StatusCode, body)
			}
		})
	}
}

func TestEndToEndFunctionFailureIs502OnRESTAnd500OnHTTPAPI(t *testing.T) {
	// A bootstrap that exits at once: the RIE reports an init failure for every invoke.
	rie := startRIE(t, "/bin/false")
	for _, c := range []struct {
		api     API
		status  int
		message string
	}{{REST, 502, "Internal server error"}, {HTTP, 500, "Internal Server Error"}} {
		t.Run(string(c.api), func(t *testing.T) {
			ts := e2eServer(t, c.api, rie, 10*time.Second)
			resp, body := get(t, ts.URL+"/json")
			if resp.StatusCode != c.status || !jsonEqual(t, body, []byte(`{"message":"`+c.message+`"}`)) {
				t.Fatalf("got %d %s, want %d %q", resp.StatusCode, body, c.status, c.message)
			}
		})
	}
}
