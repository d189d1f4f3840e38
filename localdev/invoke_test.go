package localdev

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/internal/rietest"
)

func TestInvokeEventArgument(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	odd := filepath.Join(dir, "GET items")
	writeTestFile(t, odd, "{}")
	tests := []struct {
		name, arg string
		want      eventArg
		err       string
	}{
		{"a path is a file", "testdata/event.json", eventArg{kind: argFile, path: "testdata/event.json"}, ""},
		{"an absolute path is a file", "/tmp/event.json", eventArg{kind: argFile, path: "/tmp/event.json"}, ""},
		{"a dash is stdin", "-", eventArg{kind: argStdin}, ""},
		{"blanks around a dash are ignored", " - ", eventArg{kind: argStdin}, ""},
		{"method and path are a request", "GET /items/42", eventArg{kind: argRequest, method: "GET", target: "/items/42"}, ""},
		{"the query is kept as typed", "GET /items/42?x=1&y=a%2Bb", eventArg{kind: argRequest, method: "GET", target: "/items/42?x=1&y=a%2Bb"}, ""},
		{"a lower-case method is upper-cased", "post /items", eventArg{kind: argRequest, method: "POST", target: "/items"}, ""},
		{"several blanks separate method and target", "DELETE   /items/1", eventArg{kind: argRequest, method: "DELETE", target: "/items/1"}, ""},
		{"a full URL gives its path, query and host", "GET http://127.0.0.1:8080/items/42?x=1", eventArg{kind: argRequest, method: "GET", target: "/items/42?x=1", host: "127.0.0.1:8080"}, ""},
		{"a full URL without a path is the root", "GET https://api.example.com", eventArg{kind: argRequest, method: "GET", target: "/", host: "api.example.com"}, ""},
		{"a file name with a space is a file", "my event.json", eventArg{kind: argFile, path: "my event.json"}, ""},
		{"an existing file that looks like a request without a slash is a file", odd, eventArg{kind: argFile, path: odd}, ""},
		{"a request target must start with a slash", "GET items/42", eventArg{}, "must start with '/'"},
		{"a lower-case method with a bad target is a mistyped request too", "get items", eventArg{}, "must start with '/'"},
		{"an empty argument is refused", "  ", eventArg{}, "it is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseEventArg(tc.arg)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("parseEventArg(%q) = %+v, want %+v", tc.arg, got, tc.want)
			}
		})
	}
}

func TestInvokeRequestHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       http.Header
		err        string
	}{
		{"none", "", http.Header{}, ""},
		{"one per line, names canonical", "content-type: application/json\nX-Tenant: acme", http.Header{"Content-Type": {"application/json"}, "X-Tenant": {"acme"}}, ""},
		{"a value keeps its colons and semicolons", "Content-Type: text/plain; charset=utf-8\nX-At: 10:30", http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "X-At": {"10:30"}}, ""},
		{"a repeated name keeps every value in order", "Accept: a\nAccept: b", http.Header{"Accept": {"a", "b"}}, ""},
		{"blank lines and CRLF are fine", "\r\nA: 1\r\n\r\n", http.Header{"A": {"1"}}, ""},
		{"an empty value is a value", "X-Empty:", http.Header{"X-Empty": {""}}, ""},
		{"a line without a colon is refused", "A: 1\nnot a header", nil, `line 2 "not a header" is not a header`},
		{"a name with a space is refused", "Bad Name: x", nil, "one header per line as Name: value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseHeaders(tc.text, requestHeadersVar)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), requestHeadersVar) {
					t.Fatalf("err = %v, want one naming %s and saying %q", err, requestHeadersVar, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("headers %v, want %v", got, tc.want)
			}
		})
	}
}

func TestInvokeRequestBody(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "body.bin")
	writeTestFile(t, file, "\x00from file")
	tests := []struct {
		name, spec, stdin, want, err string
	}{
		{"text is the body", `{"a":1}`, "", `{"a":1}`, ""},
		{"@path is the file's bytes", "@" + file, "", "\x00from file", ""},
		{"@- is stdin", "@-", "from stdin", "from stdin", ""},
		{"a missing body file says so", "@/no/such/body.json", "", "", "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := readBody(tc.spec, requestBodyVar, strings.NewReader(tc.stdin))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), requestBodyVar) {
					t.Fatalf("err = %v, want one naming %s and saying %q", err, requestBodyVar, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Errorf("body %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestInvokeFunctionErrorRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   *FunctionError // nil: success
	}{
		{"a proxy response is success", 200, nil, `{"statusCode":200,"body":"hi"}`, nil},
		{"any JSON value is success", 200, nil, `[1,2]`, nil},
		{"a JSON string is success", 200, nil, `"hello"`, nil},
		{"Lambda's error shape is a function error", 200, nil, `{"errorMessage":"boom","errorType":"wrapError"}`,
			&FunctionError{Type: "wrapError", Message: "boom", StatusCode: 200}},
		{"the error shape with a stack trace", 200, nil, `{"errorMessage":"boom","errorType":"Error","stackTrace":["a"]}`,
			&FunctionError{Type: "Error", Message: "boom", StatusCode: 200}},
		{"the RIE's timeout text", 200, nil, `Task timed out after 3.00 seconds`,
			&FunctionError{Type: "Sandbox.Timedout", Message: "Task timed out after 3.00 seconds", StatusCode: 200}},
		{"a non-2xx status with the runtime's error", 502, nil, `{"errorMessage":"RequestId: x Error: exit status 2","errorType":"Runtime.ExitError"}`,
			&FunctionError{Type: "Runtime.ExitError", Message: "RequestId: x Error: exit status 2", StatusCode: 502}},
		{"a non-2xx status with no body", 500, nil, ``, &FunctionError{StatusCode: 500}},
		{"X-Amz-Function-Error marks an error whatever the body", 200, http.Header{"X-Amz-Function-Error": {"Unhandled"}}, `{"oops":1}`,
			&FunctionError{Message: `{"oops":1}`, StatusCode: 200}},
		{"a non-JSON answer is an error", 200, nil, `panic: something`, &FunctionError{Message: "panic: something", StatusCode: 200}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			got := functionError(&answer{Status: tc.status, Header: h, Body: []byte(tc.body)})
			if tc.want == nil {
				if got != nil {
					t.Fatalf("got %v, want success", got)
				}
				return
			}
			if got == nil {
				t.Fatal("got success, want a function error")
			}
			got.Body = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", *got, *tc.want)
			}
			if tc.want.Type != "" && !strings.Contains(got.Error(), tc.want.Type) {
				t.Errorf("message %q does not name the error type", got.Error())
			}
		})
	}
}

// invBinaries are the real RIE and the example function, built once for this test binary
// into the checkout's shared build folder (internal/rietest).
var invBinaries = sync.OnceValues(func() (rietest.Binaries, error) {
	dir, err := rietest.SharedDir()
	if err != nil {
		return rietest.Binaries{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return rietest.Build(ctx, dir)
})

// startRIE runs the real RIE with the example function (function timeout 5 s) on free
// loopback ports and returns its base URL once it answers.
func startRIE(t testing.TB) string {
	t.Helper()
	bins, err := invBinaries()
	if err != nil {
		t.Fatal(err)
	}
	rie, err := rietest.Start(context.Background(), bins, rietest.WithFunctionTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rie.Stop() })
	return rie.URL
}

// invRun runs Invoke and returns what it printed on stdout and stderr.
func invRun(t *testing.T, cfg Config, event string, opts ...InvokeOption) (stdout, stderr string, err error) {
	t.Helper()
	var out, progress bytes.Buffer
	opts = append([]InvokeOption{WithInvokeOutput(&out), WithInvokeProgress(&progress), WithStdin(strings.NewReader(""))}, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = Invoke(ctx, cfg, event, opts...)
	return out.String(), progress.String(), err
}

// invClosedURL is a loopback URL nothing listens on.
func invClosedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	return url
}

func TestInvokeFileAgainstTheRealRIE(t *testing.T) {
	t.Parallel()
	url := startRIE(t)
	file := filepath.Join(t.TempDir(), "event.json")
	writeTestFile(t, file, `{"path":"/hello","httpMethod":"GET"}`)
	out, progress, err := invRun(t, Config{FunctionURL: url}, file)
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatalf("stdout should be the function's answer alone: %v\n%s", err, out)
	}
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "Hello from lambdalocal") {
		t.Errorf("answer %+v, want the example function's greeting", resp)
	}
	if !strings.Contains(progress, "sending a 36-byte event to "+url) || !strings.Contains(progress, "answered 200") {
		t.Errorf("progress should say what was sent where and the status:\n%s", progress)
	}
}

func TestInvokeStdinFunctionErrorAgainstTheRealRIE(t *testing.T) {
	t.Parallel()
	url := startRIE(t)
	out, _, err := invRun(t, Config{FunctionURL: url}, "-", WithStdin(strings.NewReader("[1,2]\n")))
	var fe *FunctionError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *FunctionError", err)
	}
	if fe.Type != "wrapError" || !strings.Contains(fe.Message, "decoding event") {
		t.Errorf("function error %+v, want the example's wrapError about decoding the event", fe)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "function error wrapError: decoding event") {
		t.Errorf("message %q should say function error, its type and its message", msg)
	}
	if !strings.Contains(out, `"errorType":"wrapError"`) {
		t.Errorf("the function's answer should be printed as it came:\n%s", out)
	}
}

func TestInvokeStdinSuccessAgainstTheRealRIE(t *testing.T) {
	t.Parallel()
	url := startRIE(t)
	out, _, err := invRun(t, Config{FunctionURL: url}, "-", WithStdin(strings.NewReader(`{"version":"2.0","rawPath":"/x/json"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"statusCode":200`) || !strings.Contains(out, `rawPath`) {
		t.Errorf("want the example's payload 2.0 echo of the event:\n%s", out)
	}
}

// An event generated for a request goes through the proxy's translation: the real function
// echoes it, and the gateway's response carries the echo as its body.
func TestInvokeGeneratedRESTEventAgainstTheRealRIE(t *testing.T) {
	t.Parallel()
	url := startRIE(t)
	cfg := Config{FunctionURL: url, ProxyAddr: "127.0.0.1:8080"}
	out, progress, err := invRun(t, cfg, "GET /items/42/json?x=1&x=2", WithRequestHeaders("Accept: application/json\nUser-Agent: curl/8.5.0"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	answer, response, ok := strings.Cut(out, "gateway response (route \"ANY /{proxy+}\"):\n")
	if !ok || !strings.HasPrefix(answer, "function answer:\n") {
		t.Fatalf("want the function's answer, then the gateway response:\n%s", out)
	}
	head, body, _ := strings.Cut(response, "\n\n")
	for _, want := range []string{"HTTP/1.1 200 OK", "Content-Type: application/json", "x-amzn-RequestId: ", "x-amz-apigw-id: ", "X-Amzn-Trace-Id: Root=1-"} {
		if !strings.Contains(head, want) {
			t.Errorf("gateway response head lacks %q:\n%s", want, head)
		}
	}
	var ev struct {
		Path                            string              `json:"path"`
		Resource                        string              `json:"resource"`
		PathParameters                  map[string]string   `json:"pathParameters"`
		QueryStringParameters           map[string]string   `json:"queryStringParameters"`
		MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
		Headers                         map[string]string   `json:"headers"`
		RequestContext                  struct {
			Path, Stage string
			Identity    struct{ UserAgent string }
		} `json:"requestContext"`
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatalf("the gateway's body should be the event the function echoed: %v\n%s", err, body)
	}
	if ev.Path != "/items/42/json" || ev.Resource != "/{proxy+}" || ev.PathParameters["proxy"] != "items/42/json" ||
		ev.QueryStringParameters["x"] != "2" || len(ev.MultiValueQueryStringParameters["x"]) != 2 ||
		ev.Headers["Host"] != "127.0.0.1:8080" || ev.Headers["Accept"] != "application/json" ||
		ev.RequestContext.Path != "/Prod/items/42/json" || ev.RequestContext.Identity.UserAgent != "curl/8.5.0" {
		t.Errorf("echoed event is not the REST event for the request: %+v", ev)
	}
	if !strings.Contains(progress, `GET /items/42/json?x=1&x=2 → function "function" (REST API, payload 1.0, stage Prod)`) {
		t.Errorf("progress should name the request, function and API:\n%s", progress)
	}
}

func TestInvokeGeneratedHTTPAPIEventWithBodyAgainstTheRealRIE(t *testing.T) {
	t.Parallel()
	url := startRIE(t)
	cfg := Config{FunctionURL: url, API: "http"}
	out, progress, err := invRun(t, cfg, "POST /things/json", WithRequestBody(`{"name":"x"}`))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	_, response, _ := strings.Cut(out, "gateway response (route \"$default\"):\n")
	head, body, _ := strings.Cut(response, "\n\n")
	if !strings.HasPrefix(head, "HTTP/1.1 200 OK") || !strings.Contains(head, "apigw-requestid: ") {
		t.Errorf("gateway response head:\n%s", head)
	}
	var ev struct {
		RouteKey        string            `json:"routeKey"`
		Body            string            `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
		Headers         map[string]string `json:"headers"`
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatalf("gateway body: %v\n%s", err, body)
	}
	if ev.RouteKey != "$default" || ev.Body != `{"name":"x"}` || ev.IsBase64Encoded || ev.Headers["content-type"] != "application/json" {
		t.Errorf("echoed event %+v: want the JSON body as text with the defaulted content type", ev)
	}
	if !strings.Contains(progress, "sending Content-Type: application/json") {
		t.Errorf("progress should say the content type was defaulted:\n%s", progress)
	}
}

func TestInvokeMissingFileSaysWhatAnEventIs(t *testing.T) {
	t.Parallel()
	_, _, err := invRun(t, Config{FunctionURL: invClosedURL(t)}, "no/such/event.json")
	if err == nil || !strings.Contains(err.Error(), "event file no/such/event.json: no such file") || !strings.Contains(err.Error(), `"GET /items/42"`) {
		t.Errorf("err = %v, want one naming the file and the argument's forms", err)
	}
}

func TestInvokeRefusesAnEventThatIsNotJSON(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "event.json")
	writeTestFile(t, file, "{not json")
	_, _, err := invRun(t, Config{FunctionURL: invClosedURL(t)}, file)
	if err == nil || !strings.Contains(err.Error(), "is not JSON") {
		t.Errorf("err = %v, want a not-JSON error before anything is sent", err)
	}
}

func TestInvokeConnectionRefusedSaysHowToStartTheFunction(t *testing.T) {
	t.Parallel()
	url := invClosedURL(t)
	for _, event := range []string{"-", "GET /x"} {
		out, _, err := invRun(t, Config{FunctionURL: url}, event, WithStdin(strings.NewReader("{}")))
		if out != "" {
			t.Errorf("%s: nothing ran, so nothing should be printed but the error; got:\n%s", event, out)
		}
		var ee *EndpointError
		if !errors.As(err, &ee) {
			t.Fatalf("%s: err = %v, want an *EndpointError", event, err)
		}
		for _, want := range []string{"LAMBDALOCAL_FUNCTION_URL=" + url, "connection refused", "go tool mage up", "go tool mage dev"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: message %q lacks %q", event, err, want)
			}
		}
	}
}

// A fake endpoint stands in for the function only to force faults the example cannot make.
func invFakeEndpoint(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2015-03-31/functions/function/invocations" || r.Method != http.MethodPost {
			t.Errorf("invoke sent %s %s", r.Method, r.URL.Path)
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestInvokeGeneratedRequestGatewayOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, api string
		status    int
		answer    string
		gateway   string // the gateway's status line
		check     func(t *testing.T, err error)
	}{
		{"a function error is a *FunctionError and a REST 502", "rest", 200, `{"errorMessage":"boom","errorType":"Error"}`, "HTTP/1.1 502 Bad Gateway",
			func(t *testing.T, err error) {
				var fe *FunctionError
				if !errors.As(err, &fe) || fe.Type != "Error" || fe.Message != "boom" {
					t.Errorf("err = %v, want function error Error: boom", err)
				}
			}},
		{"a timeout is a function error and an HTTP API 500", "http", 200, `Task timed out after 1.00 seconds`, "HTTP/1.1 500 Internal Server Error",
			func(t *testing.T, err error) {
				var fe *FunctionError
				if !errors.As(err, &fe) || fe.Type != "Sandbox.Timedout" {
					t.Errorf("err = %v, want a Sandbox.Timedout function error", err)
				}
			}},
		{"a crash is a function error with the endpoint's status", "rest", 502, `{"errorMessage":"exit status 2","errorType":"Runtime.ExitError"}`, "HTTP/1.1 502 Bad Gateway",
			func(t *testing.T, err error) {
				var fe *FunctionError
				if !errors.As(err, &fe) || fe.StatusCode != 502 || !strings.Contains(err.Error(), "answered 502") {
					t.Errorf("err = %v, want a function error naming status 502", err)
				}
			}},
		{"a malformed proxy response is the gateway's error", "rest", 200, `{"statusCode":200,"extra":1}`, "HTTP/1.1 502 Bad Gateway",
			func(t *testing.T, err error) {
				var ge *GatewayError
				if !errors.As(err, &ge) || !ge.Invoked || !strings.Contains(err.Error(), `"extra" is not allowed`) {
					t.Errorf("err = %v, want a *GatewayError saying why the answer is invalid", err)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := invFakeEndpoint(t, tc.status, tc.answer)
			out, _, err := invRun(t, Config{FunctionURL: url, API: tc.api}, "GET /items")
			tc.check(t, err)
			if !strings.Contains(out, "function answer:\n"+tc.answer+"\n") || !strings.Contains(out, tc.gateway) {
				t.Errorf("output should show the function's answer and %q:\n%s", tc.gateway, out)
			}
		})
	}
}

func TestInvokeNoRouteInvokesNothing(t *testing.T) {
	t.Parallel()
	routes := filepath.Join(t.TempDir(), "routes.txt")
	writeTestFile(t, routes, "function fn http://127.0.0.1:9000\nGET /items fn\n")
	out, _, err := invRun(t, Config{FunctionURL: invClosedURL(t), Routes: routes}, "GET /nope")
	var ge *GatewayError
	if !errors.As(err, &ge) || ge.Invoked || ge.Status != 403 || !strings.Contains(err.Error(), "no route matches") || !strings.Contains(err.Error(), "LAMBDALOCAL_ROUTES") {
		t.Fatalf("err = %v, want a 403 *GatewayError saying no route matches", err)
	}
	if strings.Contains(out, "function answer") || !strings.Contains(out, "gateway response (no route matched):\nHTTP/1.1 403 Forbidden") || !strings.Contains(out, "Missing Authentication Token") {
		t.Errorf("output should be the gateway's 403 alone:\n%s", out)
	}
}

func TestInvokeDryRunPrintsTheEventAndSendsNothing(t *testing.T) {
	t.Parallel()
	out, _, err := invRun(t, Config{FunctionURL: invClosedURL(t), API: "http"}, "GET /items/42?x=1", WithDryRun(true))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Version, RouteKey, RawPath, RawQueryString string
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("stdout should be the event alone: %v\n%s", err, out)
	}
	if ev.Version != "2.0" || ev.RouteKey != "$default" || ev.RawPath != "/items/42" || ev.RawQueryString != "x=1" {
		t.Errorf("event %+v", ev)
	}
}

func TestInvokeRequestErrorsAreClear(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, event string
		opts        []InvokeOption
		cfg         Config
		says        string
	}{
		{"unknown method", "FETCH /x", nil, Config{}, `method "FETCH" is not one API Gateway routes`},
		{"bad header line", "GET /x", []InvokeOption{WithRequestHeaders("nonsense")}, Config{}, "LAMBDALOCAL_INVOKE_HEADERS"},
		{"missing routes file", "GET /x", nil, Config{Routes: "/no/such/routes.txt"}, "LAMBDALOCAL_ROUTES"},
		{"unknown API", "GET /x", nil, Config{API: "soap"}, "LAMBDALOCAL_API"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			cfg.FunctionURL = invClosedURL(t)
			_, _, err := invRun(t, cfg, tc.event, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("err = %v, want one saying %q", err, tc.says)
			}
		})
	}
}

func TestInvokeGatewayTimeoutIsTheGatewaysAnswer(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // a function slower than the gateway's timeout
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	for api, status := range map[string]string{"rest": "HTTP/1.1 504 Gateway Timeout", "http": "HTTP/1.1 503 Service Unavailable"} {
		out, _, err := invRun(t, Config{FunctionURL: srv.URL, API: api}, "GET /slow", WithGatewayTimeout(50*time.Millisecond))
		var ge *GatewayError
		if !errors.As(err, &ge) || !ge.Invoked || !strings.Contains(err.Error(), "timeout") || !strings.Contains(err.Error(), "may still be running") {
			t.Errorf("%s: err = %v, want a *GatewayError about the gateway's timeout", api, err)
		}
		if !strings.Contains(out, status) || (api == "rest" && !strings.Contains(out, "Endpoint request timed out")) {
			t.Errorf("%s: output should show %s:\n%s", api, status, out)
		}
	}
}

func TestInvokeDroppedConnectionPointsAtTheRIECrash(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack() // the RIE's process dying mid-invoke
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	_, _, err := invRun(t, Config{FunctionURL: srv.URL}, "-", WithStdin(strings.NewReader("{}")))
	var ee *EndpointError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "two invokes at once") || !strings.Contains(err.Error(), "go tool mage logs") {
		t.Errorf("err = %v, want an *EndpointError pointing at the RIE's crash", err)
	}
}

// BenchmarkInvokeGeneratedEventThroughTheRealRIE reports what one `invoke "GET /items/42"`
// costs end to end: generation, the real RIE and function, the gateway's translation.
func BenchmarkInvokeGeneratedEventThroughTheRealRIE(b *testing.B) {
	url := startRIE(b)
	cfg := Config{FunctionURL: url}
	opts := []InvokeOption{WithInvokeOutput(io.Discard), WithInvokeProgress(io.Discard)}
	ctx := context.Background()
	for b.Loop() {
		if err := Invoke(ctx, cfg, "GET /items/42?x=1", opts...); err != nil {
			b.Fatal(err)
		}
	}
}
