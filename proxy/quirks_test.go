package proxy

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule string
		raw  string
		want []queryParam
	}{
		{"no query gives no parameters", "", nil},
		{"plus decodes to space and %2B to plus", "q=a+b%2Bc", []queryParam{{"q", "a b+c"}}},
		{"%3D decodes to equals", "x=foo%3Dbar", []queryParam{{"x", "foo=bar"}}},
		{"value splits on the first equals only", "x=a=b", []queryParam{{"x", "a=b"}}},
		{"key without equals has an empty value", "foo", []queryParam{{"foo", ""}}},
		{"repeated keys keep their order", "c=1&c=2", []queryParam{{"c", "1"}, {"c", "2"}}},
		{"empty pairs are skipped", "a=1&&b=2&", []queryParam{{"a", "1"}, {"b", "2"}}},
		{"semicolon is an ordinary character", "a=1;b=2", []queryParam{{"a", "1;b=2"}}},
		{"keys are case-sensitive", "foo=1&FOO=2", []queryParam{{"foo", "1"}, {"FOO", "2"}}},
		{"malformed escape is kept as sent", "a=%zz", []queryParam{{"a", "%zz"}}},
		{"encoded key is decoded", "a%20b=1", []queryParam{{"a b", "1"}}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := parseQuery(c.raw); !reflect.DeepEqual(got, c.want) {
				t.Errorf("parseQuery(%q) = %q, want %q", c.raw, got, c.want)
			}
		})
	}
}

func TestRESTQueryMaps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule       string
		raw        string
		wantSingle map[string]string
		wantMulti  map[string][]string
	}{
		{"no query is null, not an empty object", "", nil, nil},
		{"repeated key keeps its last value", "category=electronics&category=books",
			map[string]string{"category": "books"}, map[string][]string{"category": {"electronics", "books"}}},
		{"key-only parameter is empty string", "foo", map[string]string{"foo": ""}, map[string][]string{"foo": {""}}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			s, m := restQueryMaps(parseQuery(c.raw))
			if !reflect.DeepEqual(s, c.wantSingle) || !reflect.DeepEqual(m, c.wantMulti) {
				t.Errorf("got %v %v, want %v %v", s, m, c.wantSingle, c.wantMulti)
			}
		})
	}
}

func TestHTTPQueryMap(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule string
		raw  string
		want map[string]string
	}{
		{"no query is omitted", "", nil},
		{"repeated key values are comma-joined without space", "a=1&a=2", map[string]string{"a": "1,2"}},
		{"values are decoded", "q=a%2Cb+c", map[string]string{"q": "a,b c"}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := httpQueryMap(parseQuery(c.raw)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestRESTHeaderName(t *testing.T) {
	t.Parallel()
	cases := []struct{ rule, in, want string }{
		{"authorization is Pascal-cased", "aUThorization", "Authorization"},
		{"user-agent is Pascal-cased", "user-agent", "User-Agent"},
		{"other names keep the casing they arrive with", "tEsT-HEADeR", "tEsT-HEADeR"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := restHeaderName(c.in); got != c.want {
				t.Errorf("restHeaderName(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestDroppedFromEvent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule string
		api  API
		name string
		want bool
	}{
		{"REST drops Content-Length", REST, "Content-Length", true},
		{"REST drops Connection", REST, "Connection", true},
		{"REST keeps Accept-Encoding", REST, "Accept-Encoding", false},
		{"HTTP API drops connection", HTTP, "Connection", true},
		{"HTTP API keeps content-length (the gateway sets it)", HTTP, "Content-Length", false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := droppedFromEvent(c.api, c.name); got != c.want {
				t.Errorf("droppedFromEvent(%s, %q) = %v", c.api, c.name, got)
			}
		})
	}
}

func TestSplitCookies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, header string
		want         []string
	}{
		{"split on semicolon and trimmed", "foo=bar; hello=hello", []string{"foo=bar", "hello=hello"}},
		{"empty entries dropped", "a=1;; ;b=2;", []string{"a=1", "b=2"}},
		{"nameless cookies dropped", "=x; y; z=1", []string{"z=1"}},
		{"empty value kept", "a=", []string{"a="}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := splitCookies(c.header); !reflect.DeepEqual(got, c.want) {
				t.Errorf("splitCookies(%q) = %q, want %q", c.header, got, c.want)
			}
		})
	}
}

func TestMatchesBinaryMediaType(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule  string
		ct    string
		types []string
		want  bool
	}{
		{"exact type matches", "image/png", []string{"image/png"}, true},
		{"parameters are ignored", "image/png; q=1", []string{"image/png"}, true},
		{"case is ignored", "Image/PNG", []string{"image/png"}, true},
		{"type wildcard matches any subtype", "image/jpeg", []string{"image/*"}, true},
		{"star-star matches everything", "text/plain", []string{"*/*"}, true},
		{"left wildcard is not supported", "application/json", []string{"*/json"}, false},
		{"no content type never matches", "", []string{"*/*"}, false},
		{"other types do not match", "text/plain", []string{"image/png"}, false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := matchesBinaryMediaType(c.ct, c.types); got != c.want {
				t.Errorf("matchesBinaryMediaType(%q, %q) = %v", c.ct, c.types, got)
			}
		})
	}
}

func TestHTTPAPIBodyIsText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, ct string
		want     bool
	}{
		{"text/* is text", "text/plain; charset=utf-8", true},
		{"application/json is text", "Application/JSON", true},
		{"application/xml is text", "application/xml", true},
		{"application/javascript is text", "application/javascript", true},
		{"missing content type is binary", "", false},
		{"form-urlencoded is binary", "application/x-www-form-urlencoded", false},
		{"images are binary", "image/png", false},
		{"json variants are binary", "application/vnd.api+json", false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := httpAPIBodyIsText(c.ct); got != c.want {
				t.Errorf("httpAPIBodyIsText(%q) = %v", c.ct, got)
			}
		})
	}
}

func TestRESTTextBodyReplacesInvalidUTF8(t *testing.T) {
	t.Parallel()
	if got := restTextBody([]byte("a\xffb")); got != "a\uFFFDb" {
		t.Errorf("got %q", got)
	}
	if got := restTextBody([]byte("héllo")); got != "héllo" {
		t.Errorf("got %q", got)
	}
}

func TestRESTPaths(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, raw, wantPath, wantContext string
	}{
		{"path is not decoded", "/a%2Bb/+", "/a%2Bb/+", "/stage/a%2Bb/+"},
		{"trailing slash is kept", "/proxy-value/", "/proxy-value/", "/stage/proxy-value/"},
		{"interior double slash is kept", "/a//b", "/a//b", "/stage/a//b"},
		{"leading slashes collapse in path but not in requestContext.path", "//hardcoded", "/hardcoded", "/stage//hardcoded"},
		{"root", "/", "/", "/stage/"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := restPath(c.raw); got != c.wantPath {
				t.Errorf("restPath(%q) = %q, want %q", c.raw, got, c.wantPath)
			}
			if got := restContextPath("stage", c.raw); got != c.wantContext {
				t.Errorf("restContextPath(%q) = %q, want %q", c.raw, got, c.wantContext)
			}
		})
	}
}

func TestHTTPRawPath(t *testing.T) {
	t.Parallel()
	cases := []struct{ rule, stage, raw, want string }{
		{"$default stage adds no prefix", "$default", "/agents/1", "/agents/1"},
		{"named stage is prefixed", "dev", "/agents/1", "/dev/agents/1"},
		{"percent-encoding is kept", "$default", "/a%20b", "/a%20b"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := httpRawPath(c.stage, c.raw); got != c.want {
				t.Errorf("httpRawPath(%q, %q) = %q, want %q", c.stage, c.raw, got, c.want)
			}
		})
	}
}

func TestPathParameters(t *testing.T) {
	t.Parallel()
	t.Run("REST values are not decoded", func(t *testing.T) {
		got := restPathParameters("/{proxy+}", map[string]string{"proxy": "api/user/test%2Balias@gmail.com/plus/test+alias"})
		if got["proxy"] != "api/user/test%2Balias@gmail.com/plus/test+alias" {
			t.Errorf("got %q", got["proxy"])
		}
	})
	t.Run("REST greedy value loses a trailing slash", func(t *testing.T) {
		if got := restPathParameters("/{proxy+}", map[string]string{"proxy": "proxy-value/"}); got["proxy"] != "proxy-value" {
			t.Errorf("got %q", got["proxy"])
		}
	})
	t.Run("REST non-greedy value is kept", func(t *testing.T) {
		if got := restPathParameters("/items/{id}", map[string]string{"id": "a%20b"}); got["id"] != "a%20b" {
			t.Errorf("got %q", got["id"])
		}
	})
	t.Run("no parameters is null", func(t *testing.T) {
		if restPathParameters("/x", nil) != nil || httpPathParameters(nil) != nil {
			t.Error("want nil")
		}
	})
	t.Run("HTTP API values are decoded", func(t *testing.T) {
		if got := httpPathParameters(map[string]string{"id": "a%20b", "bad": "%zz"}); got["id"] != "a b" || got["bad"] != "%zz" {
			t.Errorf("got %q", got)
		}
	})
}

func TestForwardedFor(t *testing.T) {
	t.Parallel()
	if got := forwardedFor("", "1.2.3.4"); got != "1.2.3.4" {
		t.Errorf("regional endpoint: got %q", got)
	}
	if got := forwardedFor("10.0.0.1", "1.2.3.4"); got != "10.0.0.1, 1.2.3.4" {
		t.Errorf("client's own X-Forwarded-For: got %q", got)
	}
}

func TestRequestTimeIsCLFInUTC(t *testing.T) {
	t.Parallel()
	at := time.Date(2020, 5, 15, 8, 1, 9, 0, time.FixedZone("CEST", 2*3600))
	if got := requestTime(at); got != "15/May/2020:06:01:09 +0000" {
		t.Errorf("got %q", got)
	}
}

func TestDecodesRESTBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule   string
		b64    bool
		accept string
		types  []string
		want   bool
	}{
		{"not base64 is never decoded", false, "image/png", []string{"image/png"}, false},
		{"first Accept type matching binaryMediaTypes decodes", true, "image/png", []string{"image/png"}, true},
		{"only the first Accept type counts", true, "text/html, image/png", []string{"image/png"}, false},
		{"Accept parameters are stripped", true, "image/png;q=0.9", []string{"image/png"}, true},
		{"Accept */* needs */* configured", true, "*/*", []string{"image/png"}, false},
		{"Accept */* with */* configured decodes", true, "*/*", []string{"*/*"}, true},
		{"type wildcard in binaryMediaTypes", true, "image/webp", []string{"image/*"}, true},
		{"no Accept does not decode", true, "", []string{"image/png"}, false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := decodesRESTBody(c.b64, c.accept, c.types); got != c.want {
				t.Errorf("decodesRESTBody(%v, %q, %q) = %v", c.b64, c.accept, c.types, got)
			}
		})
	}
}

func TestIsFunctionError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, payload string
		want          bool
	}{
		{"runtime error shape", `{"errorMessage":"boom","errorType":"Error","stackTrace":[]}`, true},
		{"error shape with cause", `{"errorMessage":"boom","errorType":"Error","cause":{}}`, true},
		{"three keys including both", `{"errorMessage":"boom","errorType":"Error","extra":1}`, true},
		{"a proxy response is not an error", `{"statusCode":200,"body":"x"}`, false},
		{"errorMessage alone is not an error", `{"errorMessage":"boom"}`, false},
		{"four keys with an unknown one is not an error", `{"errorMessage":"a","errorType":"b","x":1,"y":2}`, false},
		{"a string is not an error", `"errorMessage"`, false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := isFunctionError([]byte(c.payload)); got != c.want {
				t.Errorf("isFunctionError(%s) = %v", c.payload, got)
			}
		})
	}
}

func TestParseStatusCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, raw string
		want      int
		ok        bool
	}{
		{"integer", `201`, 201, true},
		{"numeric string", `"201"`, 201, true},
		{"non-numeric string is invalid", `"test"`, 0, false},
		{"fraction is invalid", `20.5`, 0, false},
		{"boolean is invalid", `true`, 0, false},
		{"zero is invalid", `0`, 0, false},
		{"over 599 is invalid", `600`, 0, false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, ok := parseStatusCode(json.RawMessage(c.raw))
			if got != c.want || ok != c.ok {
				t.Errorf("parseStatusCode(%s) = %d, %v", c.raw, got, ok)
			}
		})
	}
}
