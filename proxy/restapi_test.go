package proxy

import (
	"encoding/base64"
	"strings"
	"testing"
)

// restEventFor sends one request through a REST server and returns the event the function got.
func restEventFor(t *testing.T, s *Server, c *capture, method, target, body string, header ...string) map[string]any {
	t.Helper()
	if w := do(t, s, method, target, body, header...); w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	return c.last(t)
}

func m(v any) map[string]any { mm, _ := v.(map[string]any); return mm }

func TestRESTEvent(t *testing.T) {
	t.Parallel()
	c := &capture{}
	s := testServer(REST, c, route("GET /items/{id}"), route("ANY /{proxy+}"), route("POST /upload"))
	s.Gateway.Stage = "stage"
	s.Gateway.StageVariables = map[string]string{"color": "blue"}
	s.Gateway.BinaryMediaTypes = []string{"image/*"}

	t.Run("top-level fields and nulls", func(t *testing.T) {
		e := restEventFor(t, s, c, "GET", "/items/a%2Bb", "", "User-Agent", "curl/8", "Connection", "keep-alive")
		want := map[string]any{
			"resource": "/items/{id}", "path": "/items/a%2Bb", "httpMethod": "GET",
			"queryStringParameters": nil, "multiValueQueryStringParameters": nil, "body": nil, "isBase64Encoded": false,
		}
		for k, v := range want {
			if got, ok := e[k]; !ok || got != v {
				t.Errorf("%s = %#v (present %v), want %#v", k, got, ok, v)
			}
		}
		if p := m(e["pathParameters"]); p["id"] != "a%2Bb" {
			t.Errorf("pathParameters = %v; values are not decoded", p)
		}
		if sv := m(e["stageVariables"]); sv["color"] != "blue" {
			t.Errorf("stageVariables = %v", sv)
		}
	})
	t.Run("requestContext is complete", func(t *testing.T) {
		e := restEventFor(t, s, c, "GET", "/items/1", "", "User-Agent", "curl/8")
		rc := m(e["requestContext"])
		for _, k := range []string{"accountId", "apiId", "deploymentId", "domainName", "domainPrefix", "extendedRequestId", "httpMethod", "identity", "path", "protocol", "requestId", "requestTime", "requestTimeEpoch", "resourceId", "resourcePath", "stage"} {
			if _, ok := rc[k]; !ok {
				t.Errorf("requestContext has no %s", k)
			}
		}
		if _, ok := rc["authorizer"]; ok {
			t.Error("requestContext has an authorizer key without an authorizer")
		}
		checks := map[string]any{"path": "/stage/items/1", "stage": "stage", "resourcePath": "/items/{id}", "httpMethod": "GET",
			"protocol": "HTTP/1.1", "requestTime": "15/May/2020:06:01:09 +0000", "requestTimeEpoch": float64(1589522469693), "domainName": "example.com"}
		for k, v := range checks {
			if rc[k] != v {
				t.Errorf("requestContext.%s = %#v, want %#v", k, rc[k], v)
			}
		}
		id := m(rc["identity"])
		if id["sourceIp"] != "203.0.113.7" || id["userAgent"] != "curl/8" {
			t.Errorf("identity = %v", id)
		}
		for _, k := range []string{"accessKey", "accountId", "caller", "cognitoAuthenticationProvider", "cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId", "principalOrgId", "user", "userArn"} {
			if v, ok := id[k]; !ok || v != nil {
				t.Errorf("identity.%s = %#v (present %v), want null", k, v, ok)
			}
		}
	})
	t.Run("headers the gateway adds and drops", func(t *testing.T) {
		e := restEventFor(t, s, c, "POST", "/upload", "hello", "Content-Type", "text/plain", "X-Forwarded-For", "10.0.0.1", "Connection", "close", "authorization", "Bearer x")
		h := m(e["headers"])
		if _, ok := h["Content-Length"]; ok {
			t.Error("Content-Length must not be in the event")
		}
		if _, ok := h["Connection"]; ok {
			t.Error("Connection must not be in the event")
		}
		if h["X-Forwarded-For"] != "10.0.0.1, 203.0.113.7" || h["X-Forwarded-Proto"] != "http" || h["Host"] != "example.com" || h["Authorization"] != "Bearer x" {
			t.Errorf("headers = %v", h)
		}
		if tr, _ := h["X-Amzn-Trace-Id"].(string); !strings.HasPrefix(tr, "Root=1-") {
			t.Errorf("X-Amzn-Trace-Id = %q", tr)
		}
		if mv := m(e["multiValueHeaders"]); mv["Content-Type"] == nil {
			t.Errorf("multiValueHeaders = %v", mv)
		}
		if e["body"] != "hello" || e["isBase64Encoded"] != false {
			t.Errorf("text body = %#v, %v", e["body"], e["isBase64Encoded"])
		}
	})
	t.Run("repeated header keeps its last value and all values in multiValueHeaders", func(t *testing.T) {
		e := restEventFor(t, s, c, "GET", "/items/1", "", "X-A", "1", "X-A", "2")
		if m(e["headers"])["X-A"] != "2" {
			t.Errorf("headers X-A = %v", m(e["headers"])["X-A"])
		}
		if got := m(e["multiValueHeaders"])["X-A"].([]any); len(got) != 2 {
			t.Errorf("multiValueHeaders X-A = %v", got)
		}
	})
	t.Run("binary media type bodies are base64", func(t *testing.T) {
		e := restEventFor(t, s, c, "POST", "/upload", "\x89PNG", "Content-Type", "image/png")
		if e["body"] != base64.StdEncoding.EncodeToString([]byte("\x89PNG")) || e["isBase64Encoded"] != true {
			t.Errorf("body = %#v, isBase64Encoded = %v", e["body"], e["isBase64Encoded"])
		}
	})
	t.Run("greedy proxy parameter", func(t *testing.T) {
		e := restEventFor(t, s, c, "GET", "/a/b%2Bc/", "")
		if p := m(e["pathParameters"]); p["proxy"] != "a/b%2Bc" {
			t.Errorf("pathParameters = %v", p)
		}
		if e["path"] != "/a/b%2Bc/" {
			t.Errorf("path = %v", e["path"])
		}
	})
}

func TestRESTResponseHeaders(t *testing.T) {
	t.Parallel()
	s := testServer(REST, answering(`{"statusCode":"201","headers":{"X-Custom":"1"},"body":"made"}`))
	w := do(t, s, "GET", "/x", "")
	if w.Code != 201 || w.Body.String() != "made" {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
	for _, name := range []string{"x-amzn-RequestId", "x-amz-apigw-id", "X-Amzn-Trace-Id"} {
		if _, ok := w.Header()[name]; !ok {
			t.Errorf("response has no %s (AWS casing): %v", name, w.Header())
		}
	}
	if hdr(w.Header(), "Content-Type") != "application/json" || hdr(w.Header(), "X-Custom") != "1" {
		t.Errorf("headers = %v", w.Header())
	}
}

// The REST path rules as AWS's recorded events show them (LocalStack snapshot
// test_lambda_aws_proxy_integration, AWS-validated).
func TestRESTPathsAsAWSRecordedThem(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, target, resource, path, contextPath string
		proxy                                     any
	}{
		{"leading double slash collapses in path, stays in requestContext.path", "//hardcoded", "/hardcoded", "/hardcoded", "/stage//hardcoded", nil},
		{"trailing slash kept in path, matched without it", "/hardcoded/", "/hardcoded", "/hardcoded/", "/stage/hardcoded/", nil},
		{"greedy value loses the trailing slash", "/proxy-value/", "/{proxy+}", "/proxy-value/", "/stage/proxy-value/", "proxy-value"},
		{"interior double slash kept everywhere", "/proxy-value//double-slash", "/{proxy+}", "/proxy-value//double-slash", "/stage/proxy-value//double-slash", "proxy-value//double-slash"},
		{"nothing is decoded", "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com", "/{proxy+}",
			"/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com", "/stage/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
			"proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			inv := &capture{}
			s := testServer(REST, inv, route("GET /hardcoded"), route("ANY /{proxy+}"))
			s.Gateway.Stage = "stage"
			e := restEventFor(t, s, inv, "GET", c.target, "")
			if e["resource"] != c.resource || e["path"] != c.path || m(e["requestContext"])["path"] != c.contextPath {
				t.Errorf("resource %v path %v requestContext.path %v", e["resource"], e["path"], m(e["requestContext"])["path"])
			}
			var proxy any
			if p := m(e["pathParameters"]); p != nil {
				proxy = p["proxy"]
			}
			if proxy != c.proxy {
				t.Errorf("pathParameters.proxy = %#v, want %#v", proxy, c.proxy)
			}
		})
	}
}
