package proxy

import (
	"strings"
	"testing"
)

func TestHTTPAPIEvent(t *testing.T) {
	t.Parallel()
	c := &capture{}
	s := testServer(HTTP, c, route("GET /items/{id}"), route("ANY /agents/{proxy+}"), route("$default"))

	t.Run("a GET to the default route has only the fields AWS sends", func(t *testing.T) {
		e := restEventFor(t, s, c, "GET", "/", "")
		for _, k := range []string{"cookies", "queryStringParameters", "pathParameters", "stageVariables", "body"} {
			if _, ok := e[k]; ok {
				t.Errorf("%s must be omitted, got %#v", k, e[k])
			}
		}
		if e["rawQueryString"] != "" || e["isBase64Encoded"] != false || e["routeKey"] != "$default" || e["version"] != "2.0" {
			t.Errorf("event = %v", e)
		}
		rc := m(e["requestContext"])
		if _, ok := rc["authentication"]; ok {
			t.Error("authentication must be omitted without mTLS")
		}
		if _, ok := rc["authorizer"]; ok {
			t.Error("authorizer must be omitted without an authorizer")
		}
		if rc["routeKey"] != "$default" || rc["stage"] != "$default" || m(rc["http"])["path"] != "/" {
			t.Errorf("requestContext = %v", rc)
		}
		if h := m(e["headers"]); h["content-length"] != "0" || h["host"] != "example.com" || h["x-forwarded-for"] != "203.0.113.7" {
			t.Errorf("headers = %v", h)
		}
	})
	t.Run("route key and decoded path parameters", func(t *testing.T) {
		e := restEventFor(t, s, c, "GET", "/items/a%20b?x=1&x=2", "")
		if e["routeKey"] != "GET /items/{id}" || m(e["pathParameters"])["id"] != "a b" {
			t.Errorf("routeKey %v, pathParameters %v", e["routeKey"], e["pathParameters"])
		}
		if e["rawPath"] != "/items/a%20b" || e["rawQueryString"] != "x=1&x=2" || m(e["queryStringParameters"])["x"] != "1,2" {
			t.Errorf("rawPath %v rawQueryString %v query %v", e["rawPath"], e["rawQueryString"], e["queryStringParameters"])
		}
	})
	t.Run("headers are lower-cased and joined; cookie moves to cookies", func(t *testing.T) {
		e := restEventFor(t, s, c, "GET", "/x", "", "X-Multi", "a", "X-Multi", "b", "Cookie", "foo=bar; hello=hello")
		h := m(e["headers"])
		if h["x-multi"] != "a,b" {
			t.Errorf("x-multi = %v", h["x-multi"])
		}
		if _, ok := h["cookie"]; ok {
			t.Error("cookie header must be removed")
		}
		if got, _ := e["cookies"].([]any); len(got) != 2 || got[0] != "foo=bar" {
			t.Errorf("cookies = %v", e["cookies"])
		}
		for k := range h {
			if k != strings.ToLower(k) {
				t.Errorf("header %q is not lower-case", k)
			}
		}
	})
	t.Run("bodies are base64 unless text-like", func(t *testing.T) {
		cases := []struct {
			rule, ct string
			b64      bool
		}{
			{"json is text", "application/json", false},
			{"form-urlencoded is base64", "application/x-www-form-urlencoded", true},
			{"missing content type is base64", "", true},
		}
		for _, k := range cases {
			var hs []string
			if k.ct != "" {
				hs = []string{"Content-Type", k.ct}
			}
			e := restEventFor(t, s, c, "POST", "/x", "a=1", hs...)
			if e["isBase64Encoded"] != k.b64 {
				t.Errorf("%s: isBase64Encoded = %v", k.rule, e["isBase64Encoded"])
			}
		}
	})
	t.Run("named stage prefixes rawPath", func(t *testing.T) {
		c2 := &capture{}
		s2 := testServer(HTTP, c2, route("$default"))
		s2.Gateway.Stage = "dev"
		e := restEventFor(t, s2, c2, "GET", "/agents/1", "")
		if e["rawPath"] != "/dev/agents/1" || m(m(e["requestContext"])["http"])["path"] != "/dev/agents/1" || m(e["requestContext"])["stage"] != "dev" {
			t.Errorf("rawPath %v requestContext %v", e["rawPath"], e["requestContext"])
		}
	})
}

func TestHTTPAPIResponse(t *testing.T) {
	t.Parallel()
	s := testServer(HTTP, answering(`{"statusCode":200,"headers":{"x-a":"1"},"cookies":["a=1","b=2"],"body":"ok"}`))
	w := do(t, s, "GET", "/", "")
	if w.Code != 200 || w.Body.String() != "ok" {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
	if got := w.Header()["Set-Cookie"]; len(got) != 2 {
		t.Errorf("Set-Cookie = %q, want one per cookie", got)
	}
	if _, ok := w.Header()["apigw-requestid"]; !ok {
		t.Errorf("no apigw-requestid: %v", w.Header())
	}
}

func TestHTTPAPIPayload1Event(t *testing.T) {
	t.Parallel()
	c := &capture{answer: func([]byte) ([]byte, error) { return []byte(`{"statusCode":200,"body":"v1"}`), nil }}
	s := testServer(HTTP, c, route("GET /items/{id}"), route("$default"))
	s.Gateway.PayloadVersion = "1.0"
	w := do(t, s, "GET", "/items/a%20b?x=1&x=2", "", "Cookie", "a=1")
	if w.Code != 200 || w.Body.String() != "v1" {
		t.Fatalf("got %d %q", w.Code, w.Body)
	}
	e := c.last(t)
	if e["version"] != "1.0" || e["resource"] != "/items/{id}" || e["path"] != "/items/a%20b" {
		t.Errorf("version %v resource %v path %v", e["version"], e["resource"], e["path"])
	}
	if m(e["queryStringParameters"])["x"] != "2" || m(e["pathParameters"])["id"] != "a b" {
		t.Errorf("query %v pathParameters %v", e["queryStringParameters"], e["pathParameters"])
	}
	if m(e["headers"])["cookie"] != "a=1" {
		t.Errorf("payload 1.0 keeps the cookie header: %v", e["headers"])
	}
	if rc := m(e["requestContext"]); rc["resourceId"] != nil || rc["stage"] != "$default" || rc["path"] != "/items/a%20b" {
		t.Errorf("requestContext = %v", rc)
	}
	// statusCode is required in payload 1.0 answers.
	s2 := testServer(HTTP, answering(`{"body":"x"}`))
	s2.Gateway.PayloadVersion = "1.0"
	if w := do(t, s2, "GET", "/", ""); w.Code != 500 {
		t.Errorf("missing statusCode: got %d", w.Code)
	}
}
