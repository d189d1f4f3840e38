package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// hdr reads a response header by its exact (possibly non-canonical) name, as the proxy sets
// AWS's casing on purpose.
func hdr(h map[string][]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func TestErrorsBecomeAPIGatewayResponses(t *testing.T) {
	t.Parallel()
	fail := func(err error) Invoker {
		return InvokerFunc(func(context.Context, []byte) ([]byte, error) { return nil, err })
	}
	answer := func(s string) Invoker { return answering(s) }
	slow := InvokerFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
		<-ctx.Done()
		return nil, fmt.Errorf("posting the event: %w", ctx.Err())
	})
	connRefused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	cases := []struct {
		rule        string
		inv         Invoker
		body        string
		restStatus  int
		restMessage string
		restType    string
		httpStatus  int
		httpMessage string
	}{
		{"function error shape is 502 / 500", answer(`{"errorMessage":"boom","errorType":"Error"}`), "",
			502, "Internal server error", "InternalServerErrorException", 500, "Internal Server Error"},
		{"non-JSON answer such as the RIE timeout text is 502 / 500", answer(`Task timed out after 3.00 seconds`), "",
			502, "Internal server error", "InternalServerErrorException", 500, "Internal Server Error"},
		{"non-2xx from the endpoint is 502 / 500", fail(&InvokeError{URL: "http://x", StatusCode: 502, Body: []byte(`{}`)}), "",
			502, "Internal server error", "InternalServerErrorException", 500, "Internal Server Error"},
		{"connection failure is 502 / 500", fail(fmt.Errorf("invoking: %w", connRefused)), "",
			502, "Internal server error", "InternalServerErrorException", 500, "Internal Server Error"},
		{"oversized answer is 502 / 500", answer(`"` + strings.Repeat("a", MaxResponsePayload) + `"`), "",
			502, "Internal server error", "InternalServerErrorException", 500, "Internal Server Error"},
		{"throttled is 429", fail(fmt.Errorf("queue: %w", ErrThrottled)), "",
			429, "Too Many Requests", "", 429, "Too Many Requests"},
		{"gateway deadline is 504 / 503", slow, "",
			504, "Endpoint request timed out", "", 503, "Service Unavailable"},
		{"base64 that does not decode is 500", answer(`{"statusCode":200,"body":"%%%","isBase64Encoded":true,"headers":{}}`), "",
			200, "", "", 500, "Internal Server Error"},
		{"body over 10 MB is 413", answer(`{}`), strings.Repeat("x", MaxRequestBody+1),
			413, "Request Too Long", "", 413, "Request Too Long"},
		{"event over Lambda's 6 MB request limit is 413, as Lambda's own refusal passed on", answer(`{"statusCode":200}`), strings.Repeat("x", MaxRequestPayload),
			413, "Request Too Long", "BadRequestException", 413, "Request Too Long"},
	}
	for _, c := range cases {
		for _, api := range []API{REST, HTTP} {
			t.Run(string(api)+"/"+c.rule, func(t *testing.T) {
				t.Parallel()
				s := testServer(api, c.inv)
				s.Timeout = 20 * time.Millisecond
				w := do(t, s, "POST", "/x", c.body, "Accept", "image/png")
				status, message := c.restStatus, c.restMessage
				if api == HTTP {
					status, message = c.httpStatus, c.httpMessage
				}
				if w.Code != status {
					t.Fatalf("status %d, want %d; body %.200s", w.Code, status, w.Body)
				}
				if message != "" && !jsonEqual(t, w.Body.Bytes(), []byte(`{"message":"`+message+`"}`)) {
					t.Errorf("body %s, want message %q", w.Body, message)
				}
				if message != "" && hdr(w.Header(), "Content-Type") != "application/json" {
					t.Errorf("Content-Type %q", hdr(w.Header(), "Content-Type"))
				}
				if api == REST {
					if got := hdr(w.Header(), "x-amzn-ErrorType"); got != c.restType {
						t.Errorf("x-amzn-ErrorType = %q, want %q", got, c.restType)
					}
					if hdr(w.Header(), "x-amzn-RequestId") == "" {
						t.Error("no x-amzn-RequestId")
					}
				} else if hdr(w.Header(), "apigw-requestid") == "" {
					t.Error("no apigw-requestid")
				}
			})
		}
	}
}

func TestEventOverLambdaLimitIsNotSent(t *testing.T) {
	t.Parallel()
	c := &capture{}
	s := testServer(REST, c)
	do(t, s, "POST", "/x", strings.Repeat("x", MaxRequestPayload))
	if len(c.events) != 0 {
		t.Error("an event over 6 MB was sent to the function")
	}
}

func TestNoRouteAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule    string
		api     API
		method  string
		status  int
		message string
		errType string
	}{
		{"REST unknown path is 403 Missing Authentication Token", REST, "GET", 403, "Missing Authentication Token", "MissingAuthenticationTokenException"},
		{"REST known path with an undefined method is 403 too", REST, "DELETE", 403, "Missing Authentication Token", "MissingAuthenticationTokenException"},
		{"HTTP API unknown route is 404 Not Found", HTTP, "GET", 404, "Not Found", ""},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			inv := &capture{}
			s := testServer(c.api, inv, route("GET /items"), route("POST /other"))
			path := "/nope"
			if c.method == "DELETE" {
				path = "/items"
			}
			w := do(t, s, c.method, path, "")
			if w.Code != c.status || !jsonEqual(t, w.Body.Bytes(), []byte(`{"message":"`+c.message+`"}`)) {
				t.Fatalf("got %d %s", w.Code, w.Body)
			}
			if got := hdr(w.Header(), "x-amzn-ErrorType"); got != c.errType {
				t.Errorf("x-amzn-ErrorType = %q", got)
			}
			if len(inv.events) != 0 {
				t.Error("the function was invoked")
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule     string
		err      error
		timedOut bool
		want     errorKind
	}{
		{"gateway deadline wins over the wrapped error", errors.New("x"), true, kindTimeout},
		{"context deadline is a timeout", fmt.Errorf("w: %w", context.DeadlineExceeded), false, kindTimeout},
		{"throttled", fmt.Errorf("w: %w", ErrThrottled), false, kindThrottled},
		{"body too large", errBodyTooLarge, false, kindBodyTooLarge},
		{"event over Lambda's request limit", fmt.Errorf("w: %w", ErrRequestTooLarge), false, kindEventTooLarge},
		{"malformed response", malformed("x"), false, kindMalformedResponse},
		{"bad request", &clientError{"x"}, false, kindBadRequest},
		{"no route", errNoRoute, false, kindNoRoute},
		{"anything else is a function error", errors.New("x"), false, kindFunction},
		{"invoke error is a function error", &InvokeError{StatusCode: 400}, false, kindFunction},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := classify(c.err, c.timedOut); got != c.want {
				t.Errorf("classify(%v) = %d, want %d", c.err, got, c.want)
			}
		})
	}
}
