package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeRIE serves the invoke path with handler and counts new connections.
func fakeRIE(t *testing.T, handler http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(handler)
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, &conns
}

func TestRIEClientPostsTheEventToTheInvokePath(t *testing.T) {
	t.Parallel()
	ts, _ := fakeRIE(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != InvokePath || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"), 418)
			return
		}
		w.Write(append([]byte(`{"echo":`), append(body, '}')...))
	})
	c := &RIEClient{URL: ts.URL + "/"}
	got, err := c.Invoke(context.Background(), []byte(`{"a":1}`))
	if err != nil || string(got) != `{"echo":{"a":1}}` {
		t.Fatalf("Invoke = %s, %v", got, err)
	}
}

func TestRIEClientAnswers(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("x"), MaxResponsePayload)
	cases := []struct {
		rule   string
		status int
		body   []byte
		check  func(t *testing.T, got []byte, err error)
	}{
		{"a non-2xx answer is an InvokeError with status and body", 502, []byte(`{"errorType":"Runtime.ExitError"}`), func(t *testing.T, _ []byte, err error) {
			var ie *InvokeError
			if !errors.As(err, &ie) || ie.StatusCode != 502 || string(ie.Body) != `{"errorType":"Runtime.ExitError"}` || !strings.Contains(err.Error(), "502 Bad Gateway") {
				t.Fatalf("err = %v, want *InvokeError 502 with the body", err)
			}
		}},
		{"an answer at the 6 MB response limit is accepted", 200, big, func(t *testing.T, got []byte, err error) {
			if err != nil || len(got) != MaxResponsePayload {
				t.Fatalf("got %d bytes, %v", len(got), err)
			}
		}},
		{"an answer over the 6 MB response limit is ErrResponseTooLarge", 200, append(big, 'y'), func(t *testing.T, _ []byte, err error) {
			if !errors.Is(err, ErrResponseTooLarge) {
				t.Fatalf("err = %v, want ErrResponseTooLarge", err)
			}
		}},
		{"a function error with status 200 is a payload, not an error", 200, []byte(`{"errorMessage":"boom","errorType":"errorString"}`), func(t *testing.T, got []byte, err error) {
			if err != nil || !strings.Contains(string(got), "boom") {
				t.Fatalf("got %s, %v", got, err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			ts, _ := fakeRIE(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				w.Write(c.body)
			})
			got, err := (&RIEClient{URL: ts.URL}).Invoke(context.Background(), []byte(`{}`))
			c.check(t, got, err)
		})
	}
}

func TestRIEClientRefusesAnEventOverTheRequestLimit(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	ts, _ := fakeRIE(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	c := &RIEClient{URL: ts.URL}
	_, err := c.Invoke(context.Background(), make([]byte, MaxRequestPayload+1))
	if !errors.Is(err, ErrRequestTooLarge) || hits.Load() != 0 {
		t.Fatalf("err = %v, hits = %d; want ErrRequestTooLarge and nothing sent", err, hits.Load())
	}
	if _, err := c.Invoke(context.Background(), make([]byte, MaxRequestPayload)); err != nil || hits.Load() != 1 {
		t.Fatalf("an event at the limit: err = %v, hits = %d", err, hits.Load())
	}
}

func TestRIEClientReusesConnections(t *testing.T) {
	t.Parallel()
	ts, conns := fakeRIE(t, func(w http.ResponseWriter, r *http.Request) { io.Copy(w, r.Body) })
	c := &RIEClient{URL: ts.URL}
	for range 50 {
		if _, err := c.Invoke(context.Background(), []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("50 sequential invokes opened %d connections, want 1 (keep-alive)", n)
	}
}

func TestRIEClientHasNoTimeoutButTheContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	ts, _ := fakeRIE(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := (&RIEClient{URL: ts.URL}).Invoke(ctx, []byte(`{}`))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %s, want the context's deadline", err, time.Since(start))
	}
}

func TestRIEClientNamesTheEndpointWhenItIsDown(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	_, err = (&RIEClient{URL: url}).Invoke(context.Background(), []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "invoking function at "+url) {
		t.Fatalf("err = %v, want it to name %s", err, url)
	}
}

// TestRIEClientOnARealRIE sends the example function an event through a real RIE.
func TestRIEClientOnARealRIE(t *testing.T) {
	rie := startRIE(t, "")
	got, err := (&RIEClient{URL: rie.URL}).Invoke(context.Background(), []byte(`{"path":"/hello/json","httpMethod":"GET"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), `"statusCode":200`) || !strings.Contains(string(got), `hello/json`) {
		t.Fatalf("answer %s does not echo the event", got)
	}
}
