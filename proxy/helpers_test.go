package proxy

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixedNow is the clock of deterministic tests: 15/May/2020:06:01:09 +0000.
var fixedNow = time.UnixMilli(1589522469693).UTC()

// capture is an invoker that records the event it got and answers with answer.
type capture struct {
	mu     sync.Mutex
	events [][]byte
	answer func(event []byte) ([]byte, error)
}

func (c *capture) Invoke(_ context.Context, event []byte) ([]byte, error) {
	c.mu.Lock()
	c.events = append(c.events, append([]byte(nil), event...))
	c.mu.Unlock()
	if c.answer == nil {
		return []byte(`{"statusCode":200,"body":"ok"}`), nil
	}
	return c.answer(event)
}

// last decodes the last event into a generic map.
func (c *capture) last(t *testing.T) map[string]any {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	var m map[string]any
	if err := json.Unmarshal(c.events[len(c.events)-1], &m); err != nil {
		t.Fatalf("event is not JSON: %v\n%s", err, c.events[len(c.events)-1])
	}
	return m
}

// answering returns an invoker that always answers payload.
func answering(payload string) *capture {
	return &capture{answer: func([]byte) ([]byte, error) { return []byte(payload), nil }}
}

// testServer is a Server for api whose routes all go to the function "fn" served by inv.
func testServer(api API, inv Invoker, routes ...Route) *Server {
	g := DefaultGateway(api, "http://unused.invalid")
	if len(routes) > 0 {
		g.Routes = routes
	}
	for i := range g.Routes {
		g.Routes[i].Function = "fn"
	}
	return &Server{Gateway: g, Invokers: map[string]Invoker{"fn": inv}, AccessLog: io.Discard, Now: func() time.Time { return fixedNow }}
}

// do sends one request through s and returns the recorded response.
func do(t *testing.T, s http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	r.RemoteAddr = "203.0.113.7:51234"
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

// route builds a route from its key.
func route(key string) Route {
	if key == "$default" {
		return Route{Key: key}
	}
	method, path, _ := strings.Cut(key, " ")
	return Route{Key: key, Method: method, Path: path}
}

// jsonEqual compares two JSON documents as values.
func jsonEqual(t *testing.T, got, want []byte) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v: %s", err, want)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}
