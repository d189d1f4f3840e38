package proxy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzServeConn feeds arbitrary bytes to the connection loop over a net.Pipe, with a function
// that answers a header of arbitrary name and value: the loop must never panic, and what it
// writes must be a sequence of well-formed HTTP responses (then the connection closes), none
// with a header the function's header split off.
func FuzzServeConn(f *testing.F) {
	seeds := []string{
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.0\r\n\r\n",
		"POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
		"POST /e HTTP/1.1\r\nHost: h\r\nExpect: nope\r\nContent-Length: 2\r\n\r\nhi",
		"GARBAGE\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("a", 11000) + "\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s), "X-Fuzz", "v")
	}
	f.Add([]byte(seeds[0]), "X-Fuzz", "a\r\nInjected: yes")
	f.Add([]byte(seeds[0]), "X-Fuzz\r\nInjected", "yes")
	f.Add([]byte(seeds[0]), "Content-Length", "0\r\n\r\nHTTP/1.1 200 OK")
	f.Fuzz(func(t *testing.T, raw []byte, hname, hvalue string) {
		answer, err := json.Marshal(map[string]any{"statusCode": 200, "headers": map[string]string{hname: hvalue}, "body": "ok"})
		if err != nil {
			t.Skip()
		}
		s := testServer(REST, answering(string(answer)))
		s.ReadHeaderTimeout, s.IdleTimeout, s.Timeout = 20*time.Millisecond, 20*time.Millisecond, time.Second
		if err := s.init(); err != nil {
			t.Fatal(err)
		}
		out := serveBytes(t, s, raw)
		checkResponses(t, out, methodsIn(raw), hname)
	})
}

// serveBytes serves one connection whose client writes raw and reads everything until the
// server closes it.
func serveBytes(t *testing.T, s *Server, raw []byte) []byte {
	t.Helper()
	client, server := net.Pipe()
	sv := &serving{s: s, conns: map[*conn]bool{}}
	served := make(chan struct{})
	go func() {
		defer close(served)
		newConn(sv, server).serve()
	}()
	go func() { _, _ = client.Write(raw) }()
	_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
	out, err := io.ReadAll(client)
	if err != nil && !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("reading what the server wrote: %v", err)
	}
	client.Close()
	select {
	case <-served:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection loop did not return after the connection closed")
	}
	return out
}

// methodsIn is the methods of the requests raw holds, in order, as far as they parse.
func methodsIn(raw []byte) []string {
	var methods []string
	br := bufio.NewReader(bytes.NewReader(raw))
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return methods
		}
		methods = append(methods, req.Method)
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			return methods
		}
	}
}

// checkResponses asserts out is a sequence of whole HTTP responses, the i-th final one
// answering methods[i], and that no response carries a header split off the function's.
func checkResponses(t *testing.T, out []byte, methods []string, hname string) {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(out))
	for i := 0; ; {
		if _, err := br.Peek(1); errors.Is(err, io.EOF) {
			return
		}
		method := http.MethodGet
		if i < len(methods) {
			method = methods[i]
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("response %d is malformed: %v\n%q", i, err, out)
		}
		if _, err := io.ReadAll(resp.Body); err != nil {
			t.Fatalf("response %d's body: %v\n%q", i, err, out)
		}
		for name := range resp.Header {
			if strings.Contains(name, "Injected") && !strings.Contains(hname, name) {
				t.Fatalf("response %d has a header split off the function's: %q\n%q", i, name, out)
			}
		}
		if resp.StatusCode >= 200 {
			i++
		}
	}
}
