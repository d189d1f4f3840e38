package proxy

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestServeAnswersAsServeHTTPDoes runs the same requests through ServeHTTP (the http.Handler
// kept for embedding) and through Serve's connection loop: status, body and headers must be
// the same, apart from the per-request ids and Date, and the loop's Content-Length.
func TestServeAnswersAsServeHTTPDoes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule    string
		api     API
		answer  string
		method  string
		target  string
		body    string
		routes  []Route
		headers []string
	}{
		{rule: "a plain answer", api: REST, answer: `{"statusCode":200,"body":"hello"}`, method: "GET", target: "/a?x=1"},
		{rule: "headers and multiValueHeaders merge", api: REST, answer: `{"statusCode":201,"headers":{"h1":"ValueB","Content-Type":"text/plain"},"multiValueHeaders":{"h1":["ValueA","ValueB"],"Set-Cookie":["a=1","b=2"]},"body":"x"}`, method: "POST", target: "/p", body: "payload"},
		{rule: "a base64 body is decoded", api: REST, answer: `{"statusCode":200,"headers":{"Content-Type":"image/png"},"isBase64Encoded":true,"body":"iVBORw0KGgo="}`, method: "GET", target: "/img", headers: []string{"Accept", "image/png"}},
		{rule: "an answer without Content-Type gets the default one", api: REST, answer: `{"statusCode":200,"headers":{},"body":"<html></html>"}`, method: "GET", target: "/h"},
		{rule: "204 drops Content-Type and body", api: REST, answer: `{"statusCode":204,"headers":{"Content-Type":"text/plain"},"body":"gone"}`, method: "DELETE", target: "/d"},
		{rule: "an unknown route is 403 with x-amzn-ErrorType", api: REST, answer: `{}`, method: "GET", target: "/nope", routes: []Route{route("GET /only")}},
		{rule: "a function error is 502", api: REST, answer: `{"errorMessage":"boom","errorType":"Error"}`, method: "GET", target: "/e"},
		{rule: "a malformed answer is 502", api: REST, answer: `{"statusCode":200,"extra":1}`, method: "GET", target: "/m"},
		{rule: "HTTP API cookies become Set-Cookie lines", api: HTTP, answer: `{"statusCode":200,"cookies":["a=1","b=2; Path=/"],"body":"c"}`, method: "GET", target: "/c"},
		{rule: "HTTP API inferred answer", api: HTTP, answer: `{"just":"json"}`, method: "GET", target: "/i"},
		{rule: "HTTP API function error is 500", api: HTTP, answer: `{"errorMessage":"boom"}`, method: "GET", target: "/e"},
		{rule: "HTTP API unknown route is 404", api: HTTP, answer: `{}`, method: "GET", target: "/nope", routes: []Route{route("GET /only")}},
	}
	volatile := []string{"X-Amzn-Requestid", "X-Amz-Apigw-Id", "X-Amzn-Trace-Id", "Apigw-Requestid", "Date", "Content-Length"}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			t.Parallel()
			s := testServer(tc.api, answering(tc.answer), tc.routes...)
			w := do(t, s, tc.method, tc.target, tc.body, tc.headers...)
			want := canonical(w.Header(), volatile)

			c := dialServer(t, testServer(tc.api, answering(tc.answer), tc.routes...))
			req := tc.method + " " + tc.target + " HTTP/1.1\r\nHost: example.com\r\nContent-Length: " + strconv.Itoa(len(tc.body)) + "\r\n"
			for i := 0; i+1 < len(tc.headers); i += 2 {
				req += tc.headers[i] + ": " + tc.headers[i+1] + "\r\n"
			}
			c.send(req + "\r\n" + tc.body)
			resp, body := c.read(tc.method)
			if resp.StatusCode != w.Code || body != w.Body.String() {
				t.Errorf("Serve: %d %q; ServeHTTP: %d %q", resp.StatusCode, body, w.Code, w.Body.String())
			}
			if got := canonical(resp.Header, volatile); got != want {
				t.Errorf("Serve's headers:\n%s\nServeHTTP's:\n%s", got, want)
			}
			if resp.StatusCode != 204 && resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length %q for a %d-byte body", resp.Header.Get("Content-Length"), len(body))
			}
		})
	}
}

// canonical lists h's fields with canonical names, sorted, without the volatile ones.
func canonical(h http.Header, volatile []string) string {
	var lines []string
	for name, values := range h {
		name = http.CanonicalHeaderKey(name)
		if slices.Contains(volatile, name) {
			continue
		}
		for _, v := range values {
			lines = append(lines, name+": "+v)
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
