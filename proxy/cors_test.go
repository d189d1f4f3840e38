package proxy

import "testing"

func corsServer(inv Invoker, c *CORS) *Server {
	s := testServer(HTTP, inv, route("GET /items"), route("$default"))
	s.Gateway.CORS = c
	return s
}

func TestCORSPreflightIsAnsweredByTheGateway(t *testing.T) {
	t.Parallel()
	cfg := &CORS{AllowOrigins: []string{" https://a.example "}, AllowMethods: []string{"GET", "POST"}, AllowHeaders: []string{"content-type"}, ExposeHeaders: []string{"x-id"}, AllowCredentials: true, MaxAge: 600}
	cases := []struct {
		rule   string
		origin string
		want   map[string]string
	}{
		{"allowed origin gets every CORS header", "https://a.example", map[string]string{
			"access-control-allow-origin": "https://a.example", "access-control-allow-methods": "GET,POST",
			"access-control-allow-headers": "content-type", "access-control-max-age": "600",
			"access-control-allow-credentials": "true", "access-control-expose-headers": "x-id"}},
		{"unknown origin gets a bare 204", "https://evil.example", nil},
		{"no origin gets a bare 204", "", nil},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			inv := &capture{}
			s := corsServer(inv, cfg)
			var hs []string
			if c.origin != "" {
				hs = []string{"Origin", c.origin, "Access-Control-Request-Method", "POST"}
			}
			w := do(t, s, "OPTIONS", "/items", "", hs...)
			if w.Code != 204 || w.Body.Len() != 0 {
				t.Fatalf("got %d %q, want 204 with no body", w.Code, w.Body)
			}
			if len(inv.events) != 0 {
				t.Error("the preflight reached the function")
			}
			for k, v := range c.want {
				if got := hdr(w.Header(), k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if c.want == nil && hdr(w.Header(), "access-control-allow-origin") != "" {
				t.Errorf("CORS headers for a disallowed origin: %v", w.Header())
			}
		})
	}
}

func TestCORSReplacesTheFunctionsHeaders(t *testing.T) {
	t.Parallel()
	inv := answering(`{"statusCode":200,"headers":{"Access-Control-Allow-Origin":"*","x-a":"1"},"body":"ok"}`)
	s := corsServer(inv, &CORS{AllowOrigins: []string{"*"}, AllowMethods: []string{"GET"}, MaxAge: -1})
	w := do(t, s, "GET", "/items", "", "Origin", "https://b.example")
	if got := w.Header().Values("Access-Control-Allow-Origin"); len(got) != 0 {
		t.Errorf("the function's CORS header went out: %q", got)
	}
	if got := hdr(w.Header(), "access-control-allow-origin"); got != "*" {
		t.Errorf("access-control-allow-origin = %q, want *", got)
	}
	if hdr(w.Header(), "access-control-allow-methods") != "" || hdr(w.Header(), "access-control-max-age") != "" {
		t.Errorf("preflight-only headers on a normal response: %v", w.Header())
	}
	if hdr(w.Header(), "x-a") != "1" {
		t.Error("other headers must pass")
	}
}

func TestWithoutCORSOptionsReachesTheFunction(t *testing.T) {
	t.Parallel()
	inv := &capture{}
	s := corsServer(inv, nil)
	if w := do(t, s, "OPTIONS", "/items", "", "Origin", "https://a.example"); w.Code != 200 || len(inv.events) != 1 {
		t.Errorf("got %d, %d invokes; $default must catch OPTIONS without CORS", w.Code, len(inv.events))
	}
}

func TestRESTHasNoBuiltInCORS(t *testing.T) {
	t.Parallel()
	inv := &capture{}
	s := testServer(REST, inv)
	s.Gateway.CORS = &CORS{AllowOrigins: []string{"*"}}
	if w := do(t, s, "OPTIONS", "/items", "", "Origin", "https://a.example"); w.Code != 200 || len(inv.events) != 1 || hdr(w.Header(), "access-control-allow-origin") != "" {
		t.Errorf("got %d, %d invokes, headers %v", w.Code, len(inv.events), w.Header())
	}
}
