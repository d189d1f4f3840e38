package proxy

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lambdalocal/lambdalocal/internal/testenv"
)

func TestAccessLogLineHasMethodPathRouteStatusDurationAndRequestID(t *testing.T) {
	t.Parallel()
	var log testenv.SyncBuffer
	s := testServer(REST, &capture{}, route("GET /items/{id}"))
	s.AccessLog = &log
	w := do(t, s, "GET", "/items/42?x=1", "")
	line := log.String()
	re := regexp.MustCompile(`^GET /items/42\?x=1 route="GET /items/\{id\}" status=200 duration=\S+ requestId=(\S+)\n$`)
	sub := re.FindStringSubmatch(line)
	if sub == nil {
		t.Fatalf("access line %q does not match %s", line, re)
	}
	if sub[1] != w.Header()["x-amzn-RequestId"][0] {
		t.Errorf("logged request id %s, response has %s", sub[1], w.Header()["x-amzn-RequestId"][0])
	}
}

func TestAccessLogSaysWhyARequestFailed(t *testing.T) {
	t.Parallel()
	var log testenv.SyncBuffer
	s := testServer(HTTP, answering(`{"errorMessage":"boom","errorType":"Error"}`))
	s.AccessLog = &log
	do(t, s, "GET", "/x", "")
	if line := log.String(); !strings.Contains(line, "status=500") || !strings.Contains(line, "boom") {
		t.Errorf("access line %q should name the status and the function's error", line)
	}
}

func TestMisconfiguredServerSaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	s := &Server{API: "soap", AccessLog: io.Discard}
	err := s.ListenAndServe(context.Background())
	if err == nil || !strings.Contains(err.Error(), `"soap"`) || !strings.Contains(err.Error(), "rest") {
		t.Fatalf("got %v, want an error naming the bad API kind and the choices", err)
	}
	g := DefaultGateway(REST, "http://x")
	s = &Server{Gateway: g, Invokers: map[string]Invoker{"other": &capture{}}, AccessLog: io.Discard}
	w := do(t, s, "GET", "/", "")
	if w.Code != 500 || !strings.Contains(w.Body.String(), `function "function" has no invoker`) {
		t.Errorf("got %d %q", w.Code, w.Body)
	}
}

func TestZeroServerDefaultsToRESTAndTheDefaultFunctionURL(t *testing.T) {
	t.Parallel()
	s := &Server{AccessLog: io.Discard}
	if err := s.init(); err != nil {
		t.Fatal(err)
	}
	if s.API != REST || s.dep.Stage != DefaultRESTStage || s.timeout() != DefaultRESTTimeout {
		t.Errorf("API %q stage %q timeout %s", s.API, s.dep.Stage, s.timeout())
	}
	h := &Server{API: HTTP, AccessLog: io.Discard}
	if err := h.init(); err != nil {
		t.Fatal(err)
	}
	if h.dep.Stage != "$default" || h.timeout() != DefaultHTTPTimeout {
		t.Errorf("HTTP stage %q timeout %s", h.dep.Stage, h.timeout())
	}
}

func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	inv := InvokerFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
		close(started)
		<-release
		return []byte(`{"statusCode":200,"body":"finished"}`), nil
	})
	s := testServer(REST, inv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- result{status: resp.StatusCode, body: string(b)}
	}()
	<-started
	cancel() // SIGINT/SIGTERM in the target
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("the listener still accepts connections after shutdown began")
	}
	close(release)
	r := <-got
	if r.err != nil || r.status != 200 || r.body != "finished" {
		t.Errorf("in-flight request: %+v", r)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestClientTraceHeaderIsContinued(t *testing.T) {
	t.Parallel()
	c := &capture{}
	s := testServer(REST, c)
	trace := "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c"
	w := do(t, s, "GET", "/x", "", "X-Amzn-Trace-Id", trace)
	if got := m(c.last(t)["headers"])["X-Amzn-Trace-Id"]; got != trace || w.Header()["X-Amzn-Trace-Id"][0] != trace {
		t.Errorf("trace in event %v, in response %v", got, w.Header()["X-Amzn-Trace-Id"])
	}
}

func TestListenAddressInUseSaysWhatToDo(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := testServer(REST, &capture{})
	s.Addr = ln.Addr().String()
	err = s.ListenAndServe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "LAMBDALOCAL_PROXY_ADDR") {
		t.Fatalf("got %v, want an error pointing at LAMBDALOCAL_PROXY_ADDR", err)
	}
}

func TestRunRefusesABadRoutesFileWithItsLine(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/routes"
	if err := os.WriteFile(path, []byte("GET /x fn\nfunction fn http://127.0.0.1:9000\nBOGUS /y fn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), Config{Addr: "127.0.0.1:0", RoutesFile: path, AccessLog: io.Discard})
	if err == nil || !strings.Contains(err.Error(), path+":3") {
		t.Fatalf("got %v, want an error naming %s:3", err, path)
	}
	if err := Run(context.Background(), Config{API: "soap"}); err == nil || !strings.Contains(err.Error(), "soap") {
		t.Fatalf("got %v for an unknown API kind", err)
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var log testenv.SyncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Addr: addr, API: "http", FunctionURL: "http://127.0.0.1:1", Timeout: time.Second, AccessLog: &log})
	}()
	var resp *http.Response
	for range 100 {
		if resp, err = http.Get("http://" + addr + "/x"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Nothing listens on port 1: a connection failure is a function error, 500 on HTTP APIs.
	if resp.StatusCode != 500 {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if !strings.Contains(log.String(), "stopped") {
		t.Errorf("log %q does not say the proxy stopped", log.String())
	}
}
