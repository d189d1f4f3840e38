package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// genRecorder is the Invoker of a real Server in these tests: it keeps the events it got and
// answers the example function's way (a payload 1.0 or 2.0 response).
type genRecorder struct {
	mu     sync.Mutex
	events [][]byte
	answer []byte
}

func (g *genRecorder) Invoke(_ context.Context, event []byte) ([]byte, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.events = append(g.events, append([]byte(nil), event...))
	if g.answer != nil {
		return g.answer, nil
	}
	return []byte(`{"statusCode":201,"headers":{"X-Answer":"yes"},"multiValueHeaders":{"Set-Cookie":["a=1","b=2"]},"body":"made"}`), nil
}

func (g *genRecorder) only(t *testing.T) []byte {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.events) != 1 {
		t.Fatalf("the server invoked the function %d times, want 1", len(g.events))
	}
	return g.events[0]
}

// genServer starts a real Server on a loopback port for the routes file text; its Addr is
// the listener's address, as a `proxy` started there would have.
func genServer(t *testing.T, routesFile string, inv Invoker) (*Server, string) {
	t.Helper()
	g, err := ParseGateway("routes.txt", strings.NewReader(routesFile))
	if err != nil {
		t.Fatal(err)
	}
	fixed := time.UnixMilli(1589522469693).UTC()
	s := &Server{Gateway: g, Invokers: map[string]Invoker{"fn": inv}, AccessLog: io.Discard, Now: func() time.Time { return fixed }}
	ts := httptest.NewUnstartedServer(s)
	s.Addr = ts.Listener.Addr().String()
	ts.Start()
	t.Cleanup(ts.Close)
	return s, s.Addr
}

// genWire sends raw request bytes to addr, exactly as written, and returns the response.
func genWire(t *testing.T, addr, raw string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

// perRequest removes what differs between two requests by design: the request ids and the
// trace header, which API Gateway generates afresh for each request. It fails when one of
// them is missing, so both events must carry them.
func perRequest(t *testing.T, event []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(event, &m); err != nil {
		t.Fatalf("event is not JSON: %v\n%s", err, event)
	}
	rc := m["requestContext"].(map[string]any)
	for _, k := range []string{"requestId", "extendedRequestId"} {
		if _, ok := rc[k]; !ok && (k == "requestId" || m["version"] != "2.0") {
			t.Errorf("event has no requestContext.%s", k)
		}
		delete(rc, k)
	}
	for _, k := range []string{"headers", "multiValueHeaders"} {
		h, _ := m[k].(map[string]any)
		if h == nil {
			continue
		}
		found := false
		for name := range h {
			if strings.EqualFold(name, "X-Amzn-Trace-Id") {
				delete(h, name)
				found = true
			}
		}
		if !found {
			t.Errorf("event %s has no X-Amzn-Trace-Id", k)
		}
	}
	return m
}

// The proof that invoke and proxy cannot disagree: for each API kind and payload version, the
// event generated from a method, target, headers and body equals the event a real Server sent
// when the same request arrived on the wire, except the per-request ids.
func TestGenerateEventEqualsWhatTheServerSends(t *testing.T) {
	t.Parallel()
	const (
		restFile = "function fn http://127.0.0.1:1\nANY /{proxy+} fn\nANY / fn\n"
		restDev  = "api rest\nstage dev\nstage-variable color=blue\nbinary-media-types image/png\nfunction fn http://127.0.0.1:1\nGET /items/{id} fn\nPOST /upload fn\nANY /{proxy+} fn\n"
		httpFile = "api http\nfunction fn http://127.0.0.1:1\nGET /items/{id} fn\nPOST /items fn\n$default fn\n"
		httpV1   = "api http\nstage beta\npayload-version 1.0\nfunction fn http://127.0.0.1:1\nGET /items/{id} fn\n$default fn\n"
	)
	png := "\x89PNG\r\n\x1a\n\x00\x00binary\xff"
	tests := []struct {
		name, routes, method, target string
		header                       http.Header
		body                         string
	}{
		{"REST default route: repeated and encoded query, repeated headers, user agent", restFile, "GET", "/items/42?x=1&x=2&y=a%2Bb+c&flag",
			http.Header{"Accept": {"*/*"}, "X-Multi": {"one", "two"}, "User-Agent": {"curl/8.5.0"}, "authorization": {"Bearer t"}}, ""},
		{"REST root resource without query", restFile, "GET", "/", nil, ""},
		{"REST raw path: slashes and percent-encoding kept", restFile, "DELETE", "//a/b%2Fc/", http.Header{"X-Forwarded-For": {"198.51.100.1"}}, ""},
		{"REST named stage, path parameter, stage variables", restDev, "GET", "/items/7?color=red", http.Header{"Cookie": {"s=1; t=2"}}, ""},
		{"REST binary media type body is base64", restDev, "POST", "/upload", http.Header{"Content-Type": {"image/png"}}, png},
		{"REST text body", restDev, "PUT", "/anything/else", http.Header{"Content-Type": {"application/json"}}, `{"a":"<&>"}`},
		{"HTTP API route with path parameter, cookies, repeated headers", httpFile, "GET", "/items/42?a=1&a=2", http.Header{"Cookie": {"s=1; t=2"}, "X-Multi": {"one", "two"}, "User-Agent": {"Mozilla/5.0"}}, ""},
		{"HTTP API JSON body", httpFile, "POST", "/items", http.Header{"Content-Type": {"application/json"}}, `{"name":"x"}`},
		{"HTTP API $default route with binary body", httpFile, "PATCH", "/not/declared", http.Header{"Content-Type": {"application/octet-stream"}}, png},
		{"HTTP API payload 1.0 on a named stage", httpV1, "GET", "/items/9?q=%20x", http.Header{"User-Agent": {"curl/8.5.0"}}, ""},
		{"HTTP API payload 1.0 $default with body", httpV1, "POST", "/other", http.Header{"Content-Type": {"text/plain"}}, "hello"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &genRecorder{}
			s, addr := genServer(t, tc.routes, rec)

			var raw strings.Builder
			fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: %s\r\n", tc.method, tc.target, addr)
			for name, values := range tc.header {
				for _, v := range values {
					fmt.Fprintf(&raw, "%s: %s\r\n", name, v)
				}
			}
			if tc.body != "" {
				fmt.Fprintf(&raw, "Content-Length: %d\r\n", len(tc.body))
			}
			raw.WriteString("Connection: close\r\n\r\n" + tc.body)
			if resp := genWire(t, addr, raw.String()); resp.StatusCode != 201 {
				t.Fatalf("the server answered %d, want the function's 201", resp.StatusCode)
			}
			sent := rec.only(t)

			header := tc.header.Clone()
			if header == nil {
				header = http.Header{}
			}
			header.Set("Connection", "close")
			r, err := s.NewRequest(tc.method, tc.target, header, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			ev, err := s.Event(r)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Function != "fn" {
				t.Errorf("function = %q, want fn", ev.Function)
			}
			got, want := perRequest(t, ev.JSON), perRequest(t, sent)
			if !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("generated event differs from the one the server sent\ngenerated:\n%s\nserver sent:\n%s", g, w)
			}
			if len(rec.events) != 1 {
				t.Errorf("generating the event invoked the function")
			}
		})
	}
}

// The response the gateway returns through Do is the one ServeHTTP returns for the same
// request and the same function answer: status, headers (but the ids), body.
func TestGenerateResponseEqualsWhatTheServerReturns(t *testing.T) {
	t.Parallel()
	const restAny = "function fn http://127.0.0.1:1\nANY /{proxy+} fn\n"
	answers := []struct{ name, routes, answer string }{
		{"REST merges headers and multiValueHeaders", restAny, ""},
		{"REST function error is 502", restAny, `{"errorMessage":"boom","errorType":"Error"}`},
		{"REST malformed answer is 502", restAny, `{"statusCode":200,"extra":1}`},
		{"HTTP API inferred answer", "api http\nfunction fn http://127.0.0.1:1\n$default fn\n", `{"hello":"world"}`},
		{"HTTP API function error is 500", "api http\nfunction fn http://127.0.0.1:1\n$default fn\n", `{"errorMessage":"boom","errorType":"Error"}`},
		{"HTTP API CORS headers", "api http\ncors allow-origins=https://a.example\nfunction fn http://127.0.0.1:1\n$default fn\n", `{"statusCode":200,"body":"x"}`},
	}
	for _, tc := range answers {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &genRecorder{}
			if tc.answer != "" {
				rec.answer = []byte(tc.answer)
			}
			s, addr := genServer(t, tc.routes, rec)
			wire := genWire(t, addr, "GET /items/1 HTTP/1.1\r\nHost: "+addr+"\r\nOrigin: https://a.example\r\nConnection: close\r\n\r\n")

			r, err := s.NewRequest("GET", "/items/1", http.Header{"Origin": {"https://a.example"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ex, err := s.Do(r, func(_ context.Context, function string, event []byte) ([]byte, error) {
				return rec.Invoke(context.Background(), event)
			})
			if err != nil {
				t.Fatal(err)
			}
			if ex.Response.StatusCode != wire.StatusCode {
				t.Errorf("status %d, server answered %d", ex.Response.StatusCode, wire.StatusCode)
			}
			if got, want := genHeaders(ex.Response.Header), genHeaders(wire.Header); !reflect.DeepEqual(got, want) {
				t.Errorf("headers\n%v\nserver sent\n%v", got, want)
			}
			gb, _ := io.ReadAll(ex.Response.Body)
			wb, _ := io.ReadAll(wire.Body)
			if string(gb) != string(wb) {
				t.Errorf("body %q, server sent %q", gb, wb)
			}
			if (ex.Err != nil) != (wire.StatusCode >= 500) {
				t.Errorf("Err = %v for status %d: want an error exactly when the gateway answers with its own error", ex.Err, wire.StatusCode)
			}
			if ex.Function != "fn" || len(ex.Event) == 0 {
				t.Errorf("exchange names function %q with a %d-byte event, want fn and the event", ex.Function, len(ex.Event))
			}
		})
	}
}

// genHeaders canonicalises names (the wire response was parsed by net/http) and drops what
// differs per request or per connection: ids, Date, Content-Length (a recorder does not set
// it), Connection.
func genHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		out[http.CanonicalHeaderKey(k)] = append(out[http.CanonicalHeaderKey(k)], v...)
	}
	for _, k := range []string{"x-amzn-RequestId", "x-amz-apigw-id", "X-Amzn-Trace-Id", "apigw-requestid", "Date", "Content-Length", "Connection"} {
		out.Del(k)
	}
	return out
}

func TestGenerateEventRefusesWhatTheGatewayAnswersItself(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, routes, method, target string
		status                       int
		says                         string
	}{
		{"REST unknown path is 403 with no invoke", "function fn http://127.0.0.1:1\nGET /items fn\n", "GET", "/nope", 403, "no route matches"},
		{"REST known path, undefined method is 403", "function fn http://127.0.0.1:1\nGET /items fn\n", "POST", "/items", 403, "no route matches"},
		{"HTTP API unknown route is 404", "api http\nfunction fn http://127.0.0.1:1\nGET /items fn\n", "GET", "/nope", 404, "no route matches"},
		{"HTTP API CORS preflight is the gateway's", "api http\ncors allow-origins=*\nfunction fn http://127.0.0.1:1\n$default fn\n", "OPTIONS", "/items", 204, "CORS preflight"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &genRecorder{}
			s, _ := genServer(t, tc.routes, rec)
			r, err := s.NewRequest(tc.method, tc.target, http.Header{"Origin": {"https://a.example"}, "Access-Control-Request-Method": {"GET"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Event(r)
			var ni *NotInvokedError
			if !errors.As(err, &ni) {
				t.Fatalf("err = %v, want a *NotInvokedError", err)
			}
			if ni.Response.StatusCode != tc.status {
				t.Errorf("gateway answer %d, want %d", ni.Response.StatusCode, tc.status)
			}
			if !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), tc.method+" "+tc.target) {
				t.Errorf("error %q should name the request and say %q", err, tc.says)
			}
			if len(rec.events) != 0 {
				t.Errorf("the function was invoked")
			}
		})
	}
}

func TestGenerateNewRequestRejectsWhatNoClientSends(t *testing.T) {
	t.Parallel()
	s := &Server{}
	tests := []struct{ name, method, target, says string }{
		{"method must be one API Gateway routes", "FETCH", "/x", "use GET"},
		{"ANY is a route key, not a request method", "ANY", "/x", "use GET"},
		{"lower-case method is refused", "get", "/x", "use GET"},
		{"target must start with a slash", "GET", "items/1", "does not start with '/'"},
		{"a full URL is not a target", "GET", "http://h/x", "does not start with '/'"},
		{"a space must be percent-encoded", "GET", "/a b", "percent-encode"},
		{"a fragment is never sent", "GET", "/a#b", "percent-encode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.NewRequest(tc.method, tc.target, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("err = %v, want one saying %q", err, tc.says)
			}
		})
	}
}

func TestGenerateNewRequestIsWhatALocalClientSends(t *testing.T) {
	t.Parallel()
	s := &Server{Addr: "127.0.0.1:8088"}
	r, err := s.NewRequest("POST", "/a%2Fb?x=%20", http.Header{"content-type": {"text/plain"}}, []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	req, err := newRequest(r, []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	want := request{Method: "POST", Path: "/a%2Fb", RawQuery: "x=%20", Host: "127.0.0.1:8088", Body: []byte("hi"),
		SourceIP: "127.0.0.1", Port: "8088", Scheme: "http", Protocol: "HTTP/1.1",
		Header: http.Header{"Content-Type": {"text/plain"}, "Content-Length": {"2"}}}
	if !reflect.DeepEqual(*req, want) {
		t.Errorf("normalised request\n%+v\nwant\n%+v", *req, want)
	}
	r, _ = s.NewRequest("GET", "/", http.Header{"Host": {"api.example.com"}}, nil)
	if r.Host != "api.example.com" || r.Header.Get("Host") != "" {
		t.Errorf("a Host header should become the request's Host: Host=%q, header %q", r.Host, r.Header.Get("Host"))
	}
}

func TestGenerateIsFunctionErrorIsTheGatewaysRule(t *testing.T) {
	t.Parallel()
	for payload, want := range map[string]bool{
		`{"errorMessage":"boom","errorType":"Error"}`:                 true,
		`{"errorMessage":"boom","errorType":"Error","stackTrace":[]}`: true,
		`{"statusCode":200,"body":"x"}`:                               false,
		`Task timed out after 3.00 seconds`:                           false,
		`[1,2]`:                                                       false,
	} {
		if got := IsFunctionError([]byte(payload)); got != want {
			t.Errorf("IsFunctionError(%s) = %v, want %v", payload, got, want)
		}
	}
}

// BenchmarkGenerateEvent reports the cost of generating one REST event through the Server's
// serve path.
func BenchmarkGenerateEvent(b *testing.B) {
	s := &Server{AccessLog: io.Discard}
	header := http.Header{"Accept": {"application/json"}, "User-Agent": {"curl/8.5.0"}}
	for b.Loop() {
		r, err := s.NewRequest("GET", "/items/42?x=1&y=2", header, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Event(r); err != nil {
			b.Fatal(err)
		}
	}
}
