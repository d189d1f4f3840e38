package proxy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// served is a Server running through Serve (the production connection loop) for a test.
type served struct{ URL string }

// serveURL runs s through Serve on a loopback listener until the test ends.
func serveURL(t testing.TB, s *Server) *served {
	t.Helper()
	return &served{URL: "http://" + serveOn(t, s)}
}

// echoPath is a REST function that answers "<path>|<body>".
func echoPath() *capture {
	return &capture{answer: func(event []byte) ([]byte, error) {
		var e struct{ Path, Body string }
		if err := json.Unmarshal(event, &e); err != nil {
			return nil, err
		}
		b, _ := json.Marshal(map[string]any{"statusCode": 200, "body": e.Path + "|" + e.Body})
		return b, nil
	}}
}

// client is one raw connection to a server under test.
type client struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialServer(t *testing.T, s *Server) *client {
	t.Helper()
	nc, err := net.Dial("tcp", serveOn(t, s))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	return &client{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *client) send(raw string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, raw); err != nil {
		c.t.Fatal(err)
	}
}

// read reads one response to a request of method and its body.
func (c *client) read(method string) (*http.Response, string) {
	c.t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("reading the response: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("reading the response body: %v", err)
	}
	return resp, string(b)
}

// closed reports whether the server closed the connection (nothing more to read).
func (c *client) closed() bool {
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := c.br.ReadByte()
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

func get1(path string, header ...string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: h\r\n" + strings.Join(header, "") + "\r\n"
}

func TestServeKeepsAConnectionForSeveralRequests(t *testing.T) {
	t.Parallel()
	c := dialServer(t, testServer(REST, echoPath()))
	for _, path := range []string{"/a", "/b", "/c"} {
		c.send(get1(path))
		resp, body := c.read("GET")
		if resp.StatusCode != 200 || body != path+"|" || resp.Close {
			t.Fatalf("%s: %d %q close=%v", path, resp.StatusCode, body, resp.Close)
		}
		if resp.Header.Get("Date") == "" || resp.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("%s: Date %q, Content-Length %q for a %d-byte body", path, resp.Header.Get("Date"), resp.Header.Get("Content-Length"), len(body))
		}
		if resp.Header.Get("x-amzn-RequestId") == "" {
			t.Errorf("%s: no x-amzn-RequestId", path)
		}
	}
}

func TestServeAnswersPipelinedRequestsInOrder(t *testing.T) {
	t.Parallel()
	c := dialServer(t, testServer(REST, echoPath()))
	c.send(get1("/1") + "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc" + get1("/3"))
	for _, want := range []string{"/1|", "/2|abc", "/3|"} {
		if _, body := c.read("GET"); body != want {
			t.Fatalf("got %q, want %q", body, want)
		}
	}
}

func TestServeClosesTheConnectionWhenTheRequestSaysSo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		request   string
		wantClose bool
		wantProto string
		wantConn  string
	}{
		{"Connection: close on HTTP/1.1 closes after the answer", get1("/a", "Connection: close\r\n"), true, "HTTP/1.1", ""},
		{"HTTP/1.0 closes after the answer", "GET /a HTTP/1.0\r\n\r\n", true, "HTTP/1.0", ""},
		{"HTTP/1.0 with Connection: keep-alive stays open", "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false, "HTTP/1.0", "keep-alive"},
		{"HTTP/1.1 stays open", get1("/a"), false, "HTTP/1.1", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := dialServer(t, testServer(REST, echoPath()))
			c.send(tc.request)
			resp, body := c.read("GET")
			// ReadResponse turns Connection: close into resp.Close and drops the header.
			if resp.StatusCode != 200 || body != "/a|" || resp.Proto != tc.wantProto || resp.Header.Get("Connection") != tc.wantConn || resp.Close != tc.wantClose {
				t.Fatalf("got %s %d %q Connection=%q close=%v", resp.Proto, resp.StatusCode, body, resp.Header.Get("Connection"), resp.Close)
			}
			if tc.wantClose {
				if !c.closed() {
					t.Error("the connection stayed open")
				}
				return
			}
			c.send(get1("/b"))
			if _, body := c.read("GET"); body != "/b|" {
				t.Errorf("second request on the connection: %q", body)
			}
		})
	}
}

func TestServeSends100ContinueBeforeReadingTheBody(t *testing.T) {
	t.Parallel()
	c := dialServer(t, testServer(REST, echoPath()))
	c.send("POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	line, err := c.br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("got %q, %v; want 100 Continue before the body is sent", line, err)
	}
	if blank, _ := c.br.ReadString('\n'); blank != "\r\n" {
		t.Fatalf("100 Continue followed by %q", blank)
	}
	c.send("hello")
	if resp, body := c.read("POST"); resp.StatusCode != 200 || body != "/e|hello" {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
}

func TestServeRefusesAnExpectationOtherThan100Continue(t *testing.T) {
	t.Parallel()
	inv := echoPath()
	c := dialServer(t, testServer(REST, inv))
	c.send("POST /e HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\nContent-Length: 5\r\n\r\nhello")
	if resp, _ := c.read("POST"); resp.StatusCode != http.StatusExpectationFailed {
		t.Errorf("got %d, want 417", resp.StatusCode)
	}
	if len(inv.events) != 0 {
		t.Error("the function was invoked")
	}
}

func TestServeReadsContentLengthAndChunkedBodies(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, request string }{
		{"Content-Length", "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world"},
		{"chunked", "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := dialServer(t, testServer(REST, echoPath()))
			c.send(tc.request + get1("/after"))
			if _, body := c.read("POST"); body != "/b|hello world" {
				t.Errorf("got %q", body)
			}
			if _, body := c.read("GET"); body != "/after|" {
				t.Errorf("the next request on the connection got %q", body)
			}
		})
	}
}

func TestServeRefusesMalformedAndOversizedRequests(t *testing.T) {
	t.Parallel()
	big := func(n int) string { return "X-Big: " + strings.Repeat("a", n) + "\r\n" }
	head := len(get1("/a")) + len("X-Big: \r\n")
	cases := []struct {
		name    string
		request string
		want    int
	}{
		{"a malformed request line gets 400", "GARBAGE\r\n\r\n", 400},
		{"a header line without a colon gets 400", get1("/a", "nocolon\r\n"), 400},
		{"a protocol version other than 1.x gets 505", "GET /a HTTP/9.9\r\nHost: h\r\n\r\n", 505},
		{"a header block over 10240 bytes gets 431", get1("/a", big(MaxHeaderBytes-head+1)), 431},
		{"a header block of exactly 10240 bytes is served", get1("/a", big(MaxHeaderBytes-head)), 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := dialServer(t, testServer(REST, echoPath()))
			c.send(tc.request)
			resp, _ := c.read("GET")
			if resp.StatusCode != tc.want {
				t.Fatalf("got %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want != 200 && !c.closed() {
				t.Error("the connection stayed open after a refused request")
			}
		})
	}
}

func TestServeClosesSlowAndIdleConnections(t *testing.T) {
	t.Parallel()
	t.Run("a header block not finished within ReadHeaderTimeout", func(t *testing.T) {
		t.Parallel()
		s := testServer(REST, echoPath())
		s.ReadHeaderTimeout = 100 * time.Millisecond
		c := dialServer(t, s)
		c.send("GET /a HTTP/1.1\r\nHost: h\r\n")
		start := time.Now()
		if !c.closed() || time.Since(start) > 3*time.Second {
			t.Errorf("still open after %s", time.Since(start))
		}
	})
	t.Run("a header block arriving in pieces within ReadHeaderTimeout is served", func(t *testing.T) {
		t.Parallel()
		s := testServer(REST, echoPath())
		s.ReadHeaderTimeout = 2 * time.Second
		c := dialServer(t, s)
		c.send("GET /a HTTP/1.1\r\nHo")
		time.Sleep(50 * time.Millisecond)
		c.send("st: h\r\n")
		time.Sleep(50 * time.Millisecond)
		c.send("\r\n")
		if resp, body := c.read("GET"); resp.StatusCode != 200 || body != "/a|" {
			t.Errorf("got %d %q", resp.StatusCode, body)
		}
	})
	t.Run("a new connection that sends nothing within ReadHeaderTimeout", func(t *testing.T) {
		t.Parallel()
		s := testServer(REST, echoPath())
		s.ReadHeaderTimeout = 100 * time.Millisecond
		c := dialServer(t, s)
		start := time.Now()
		if !c.closed() || time.Since(start) > 3*time.Second {
			t.Errorf("still open after %s", time.Since(start))
		}
	})
	t.Run("a connection idle for IdleTimeout", func(t *testing.T) {
		t.Parallel()
		s := testServer(REST, echoPath())
		s.IdleTimeout = 100 * time.Millisecond
		c := dialServer(t, s)
		c.send(get1("/a"))
		c.read("GET")
		start := time.Now()
		if !c.closed() || time.Since(start) > 3*time.Second {
			t.Errorf("still open after %s", time.Since(start))
		}
	})
}

func TestServeSendsNoBodyForHEADAnd204And304(t *testing.T) {
	t.Parallel()
	t.Run("HEAD gets GET's Content-Length and no body", func(t *testing.T) {
		t.Parallel()
		c := dialServer(t, testServer(REST, echoPath()))
		c.send("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n" + get1("/g"))
		resp, _ := c.read("HEAD")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Length") != "3" {
			t.Errorf("HEAD: %d Content-Length %q, want 200 and 3", resp.StatusCode, resp.Header.Get("Content-Length"))
		}
		if _, body := c.read("GET"); body != "/g|" {
			t.Errorf("the request after HEAD got %q (HEAD sent a body?)", body)
		}
	})
	for _, status := range []int{204, 304} {
		t.Run(strconv.Itoa(status)+" gets neither body nor Content-Length", func(t *testing.T) {
			t.Parallel()
			inv := answering(`{"statusCode":` + strconv.Itoa(status) + `,"headers":{"Content-Type":"text/plain"},"body":"not sent"}`)
			c := dialServer(t, testServer(REST, inv))
			c.send(get1("/x") + get1("/y"))
			for range 2 {
				resp, body := c.read("GET")
				if resp.StatusCode != status || body != "" || resp.Header.Get("Content-Length") != "" {
					t.Fatalf("got %d %q Content-Length %q", resp.StatusCode, body, resp.Header.Get("Content-Length"))
				}
			}
		})
	}
}

func TestServeNeverLetsAFunctionsHeadersSplitTheResponse(t *testing.T) {
	t.Parallel()
	inv := answering(`{"statusCode":200,"headers":{"X-A":"a\r\nInjected: yes","Bad Name":"x","X-Ok\r\nInjected2":"y","Content-Length":"999","Connection":"close"},"body":"ok"}`)
	c := dialServer(t, testServer(REST, inv))
	c.send(get1("/x") + get1("/y"))
	for range 2 {
		resp, body := c.read("GET")
		if resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
		if got := resp.Header.Get("X-A"); got != "a  Injected: yes" {
			t.Errorf("X-A = %q, want CR and LF turned into spaces", got)
		}
		for _, name := range []string{"Injected", "Injected2", "Bad Name", "X-Ok"} {
			if _, ok := resp.Header[http.CanonicalHeaderKey(name)]; ok {
				t.Errorf("header %q went out", name)
			}
		}
		if resp.Header.Get("Content-Length") != "2" || resp.Close {
			t.Errorf("the function's framing headers went out: Content-Length %q, close %v", resp.Header.Get("Content-Length"), resp.Close)
		}
	}
}

func TestServeTurnsAPanicIntoAGatewayErrorAndClosesTheConnection(t *testing.T) {
	t.Parallel()
	s := testServer(REST, InvokerFunc(func(context.Context, []byte) ([]byte, error) { panic("boom") }))
	log := &lockedBuffer{}
	s.AccessLog = log
	c := dialServer(t, s)
	c.send(get1("/p"))
	resp, body := c.read("GET")
	if resp.StatusCode != http.StatusBadGateway || body != `{"message":"Internal server error"}` || !resp.Close {
		t.Errorf("got %d %q close=%v", resp.StatusCode, body, resp.Close)
	}
	if !c.closed() {
		t.Error("the connection stayed open")
	}
	if !strings.Contains(log.String(), "panic: boom") {
		t.Errorf("the panic is not logged:\n%s", log.String())
	}
}

func TestServeWritesTheAccessLogLine(t *testing.T) {
	t.Parallel()
	s := testServer(REST, echoPath())
	log := &lockedBuffer{}
	s.AccessLog = log
	c := dialServer(t, s)
	c.send(get1("/log?x=1"))
	resp, _ := c.read("GET")
	want := `GET /log?x=1 route="ANY /{proxy+}" status=200 duration=`
	// The line is written after the response is sent.
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(log.String(), want) && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(log.String(), want) || !strings.Contains(log.String(), "requestId="+resp.Header.Get("x-amzn-RequestId")) {
		t.Errorf("access log:\n%s\nwant a line with %q and the request id", log.String(), want)
	}
}

func TestShutdownClosesIdleConnectionsAndClosesBusyOnesAfterTheirAnswer(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	inv := InvokerFunc(func(_ context.Context, event []byte) ([]byte, error) {
		if bytes.Contains(event, []byte(`"path":"/slow"`)) {
			close(started)
			<-release
		}
		return []byte(`{"statusCode":200,"body":"done"}`), nil
	})
	s := testServer(REST, inv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	dial := func() *client {
		nc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
		return &client{t: t, nc: nc, br: bufio.NewReader(nc)}
	}
	idle, busy := dial(), dial()
	idle.send(get1("/fast"))
	idle.read("GET")
	busy.send(get1("/slow"))
	<-started
	cancel()
	if !idle.closed() {
		t.Error("the idle connection stayed open after shutdown began")
	}
	close(release)
	resp, body := busy.read("GET")
	if resp.StatusCode != 200 || body != "done" || !resp.Close {
		t.Errorf("in-flight request: %d %q close=%v, want 200 \"done\" and Connection: close", resp.StatusCode, body, resp.Close)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

// lockedBuffer is an access log the server's goroutines and the test can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
