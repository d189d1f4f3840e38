package proxy

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzRequestTranslation drives arbitrary requests through both API kinds: the proxy must never
// panic, and must either send the function a valid event or answer a clear 4xx itself.
func FuzzRequestTranslation(f *testing.F) {
	seeds := []struct{ method, target, hname, hvalue, ctype, body string }{
		{"GET", "/", "Accept", "*/*", "", ""},
		{"POST", "/items/42?x=1&x=2&y", "Cookie", "a=1; b=2", "application/json", `{"a":1}`},
		{"PUT", "//a//b/?q=a%2Bb+c;d", "X-Forwarded-For", "10.0.0.1", "image/png", "\x89PNG\x00\xff"},
		{"DELETE", "/%zz/%2F?%zz=%", "aUThorization", "Bearer x", "text/plain; charset=latin1", "caf\xe9"},
		{"OPTIONS", "*", "Origin", "https://a.example", "", ""},
		{"GET", "http://host/abs?x", "User-Agent", "", "", ""},
		{"", "", "", "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.target, s.hname, s.hvalue, s.ctype, s.body)
	}
	servers := map[API]*Server{}
	invokers := map[API]*capture2{}
	for _, api := range []API{REST, HTTP} {
		invokers[api] = &capture2{}
		servers[api] = testServer(api, invokers[api])
		servers[api].Gateway.BinaryMediaTypes = []string{"image/*"}
	}
	f.Fuzz(func(t *testing.T, method, target, hname, hvalue, ctype, body string) {
		for _, api := range []API{REST, HTTP} {
			inv := invokers[api]
			inv.event = nil
			r := fuzzRequest(method, target, hname, hvalue, ctype, body)
			w := httptest.NewRecorder()
			servers[api].ServeHTTP(w, r)
			switch {
			case w.Code >= 200 && w.Code < 300:
				checkEvent(t, api, inv.event)
			case w.Code >= 400 && w.Code < 500:
				var msg struct{ Message string }
				if err := json.Unmarshal(w.Body.Bytes(), &msg); err != nil || msg.Message == "" {
					t.Fatalf("%s: %d without a clear message: %q", api, w.Code, w.Body)
				}
				if inv.event != nil && w.Code != 413 {
					t.Fatalf("%s: answered %d after invoking the function", api, w.Code)
				}
			default:
				t.Fatalf("%s: %s %q answered %d: %s", api, method, target, w.Code, w.Body)
			}
		}
	})
}

// fuzzRequest builds a request the way net/http's server would hand it over, without
// validating anything net/http would have refused.
func fuzzRequest(method, target, hname, hvalue, ctype, body string) *http.Request {
	u, err := url.ParseRequestURI(target)
	if err != nil {
		u = &url.URL{Path: target}
	}
	r := &http.Request{
		Method: method, RequestURI: target, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Host: "example.com", RemoteAddr: "203.0.113.7:1234",
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
	}
	if hname != "" {
		r.Header[hname] = []string{hvalue}
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	return r
}

// checkEvent asserts that event is valid JSON that aws-lambda-go decodes for the API kind.
func checkEvent(t *testing.T, api API, event []byte) {
	t.Helper()
	if event == nil {
		t.Fatalf("%s: 2xx without invoking the function", api)
	}
	if !json.Valid(event) {
		t.Fatalf("%s: event is not JSON: %q", api, event)
	}
	var err error
	if api == REST {
		var e events.APIGatewayProxyRequest
		if err = json.Unmarshal(event, &e); err == nil && !strings.HasPrefix(e.Path, "/") {
			t.Fatalf("REST path %q does not start with /", e.Path)
		}
	} else {
		var e events.APIGatewayV2HTTPRequest
		if err = json.Unmarshal(event, &e); err == nil && e.Version != "2.0" {
			t.Fatalf("HTTP API version %q", e.Version)
		}
	}
	if err != nil {
		t.Fatalf("%s: event does not decode: %v\n%s", api, err, event)
	}
}

// FuzzParseHeaderNames: reading header names back from raw bytes never panics and never runs
// past the input.
func FuzzParseHeaderNames(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nx-a: 1\r\n\r\nbody"))
	f.Add([]byte("GET / HTTP/1.1\nno-blank-line: 1"))
	f.Add([]byte(":\r\n:x\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		names, end := parseHeaderNames(raw)
		if end < 0 || end > len(raw) {
			t.Fatalf("end %d outside 0..%d", end, len(raw))
		}
		for canon, sent := range names {
			if !strings.EqualFold(canon, sent) && sent != "" && canon == "" {
				t.Fatalf("canonical %q for %q", canon, sent)
			}
		}
	})
}
