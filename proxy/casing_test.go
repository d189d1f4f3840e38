package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

// serveOn runs s on a loopback listener for the test and returns its address.
func serveOn(t testing.TB, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// rawExchange writes raw HTTP/1.1 requests on one connection and reads one response each.
func rawExchange(t *testing.T, addr string, requests ...string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for _, req := range requests {
		if _, err := conn.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
}

func headerNames(t *testing.T, event []byte) map[string]bool {
	t.Helper()
	var e struct{ Headers map[string]string }
	if err := json.Unmarshal(event, &e); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for k := range e.Headers {
		names[k] = true
	}
	return names
}

func TestRESTKeepsTheClientsHeaderCasing(t *testing.T) {
	t.Parallel()
	c := &capture{}
	addr := serveOn(t, testServer(REST, c))
	big := strings.Repeat("x", 3*maxRawHeader)
	rawExchange(t, addr,
		"GET /a HTTP/1.1\r\nHost: h\r\ntEsT-HEADeR: 1\r\ncache-control: no-cache\r\naUThorization: x\r\nuser-agent: ua\r\n\r\n",
		"POST /b HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: "+fmt.Sprint(len(big))+"\r\nx-Second: 2\r\n\r\n"+big,
		"GET /c HTTP/1.1\r\nhost: h\r\nX-THIRD: 3\r\n\r\n",
	)
	want := []map[string]bool{
		{"tEsT-HEADeR": true, "cache-control": true, "Authorization": true, "User-Agent": true},
		{"x-Second": true, "Content-Type": true},
		{"X-THIRD": true},
	}
	if len(c.events) != 3 {
		t.Fatalf("%d events", len(c.events))
	}
	for i, w := range want {
		got := headerNames(t, c.events[i])
		for name := range w {
			if !got[name] {
				t.Errorf("request %d: header %q missing; event has %v", i+1, name, got)
			}
		}
	}
}

func TestParseHeaderNames(t *testing.T) {
	t.Parallel()
	raw := "GET / HTTP/1.1\r\nx-a: 1\r\nX-B:2\nbody-looking: no\r\n\r\nignored: yes\r\n"
	names, end := parseHeaderNames([]byte(raw))
	want := map[string]string{"X-A": "x-a", "X-B": "X-B", "Body-Looking": "body-looking"}
	if fmt.Sprint(names) != fmt.Sprint(want) || raw[end:] != "ignored: yes\r\n" {
		t.Errorf("got %v, rest %q", names, raw[end:])
	}
}
