package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Invoker runs one invocation of a function: the event in, the function's response payload
// out. A function error is not an Invoker error: its payload comes back as the function wrote
// it (spec §C.5); errors are for invocations that did not complete.
type Invoker interface {
	Invoke(ctx context.Context, event []byte) ([]byte, error)
}

// InvokerFunc adapts a function to Invoker.
type InvokerFunc func(ctx context.Context, event []byte) ([]byte, error)

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, event []byte) ([]byte, error) { return f(ctx, event) }

var _ Invoker = (*RIEClient)(nil)
var _ Invoker = InvokerFunc(nil)

// Lambda's synchronous invocation payload limits. A request must be at most 6 MB; a response
// may be 100 bytes more ("Response payload size exceeded maximum allowed payload size
// (6291556 bytes)", Lambda's own message; the RIE uses the same figure, interop.MaxPayloadSize).
const (
	MaxRequestPayload  = 6 * 1024 * 1024
	MaxResponsePayload = 6*1024*1024 + 100
)

// Errors an invoke can end with that callers branch on.
var (
	// ErrRequestTooLarge: the event exceeds MaxRequestPayload; nothing was sent. API Gateway
	// answers it with 413 {"message": "Request Too Long"}.
	ErrRequestTooLarge = errors.New("invoke payload exceeds Lambda's 6 MB request limit")
	// ErrResponseTooLarge: the function answered more than MaxResponsePayload bytes. API Gateway
	// treats this as a function error (REST 502, HTTP API 500).
	ErrResponseTooLarge = errors.New("function response exceeds Lambda's 6 MB response limit")
)

// InvokeError is a non-2xx answer from an invoke endpoint, e.g. the RIE's 502 after the
// function crashed, or 400 Runtime.Unavailable from an RIE over its concurrency.
type InvokeError struct {
	URL        string // the endpoint's base URL
	StatusCode int
	Body       []byte // at most MaxResponsePayload bytes
}

func (e *InvokeError) Error() string {
	body := strings.TrimSpace(string(e.Body))
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	msg := fmt.Sprintf("function endpoint %s answered %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if body != "" {
		msg += ": " + body
	}
	return msg
}

// InvokePath is the Lambda Invoke API path the RIE serves.
const InvokePath = "/2015-03-31/functions/function/invocations"

// DefaultMaxIdleConnsPerHost is how many idle connections an RIEClient with no Client keeps.
const DefaultMaxIdleConnsPerHost = 64

// RIEClient invokes a function through the Lambda Invoke API of the Runtime Interface
// Emulator: it POSTs the event to URL + InvokePath and returns the body. It does nothing to
// limit concurrency: one RIE dies when it gets two invokes at once, so put it behind
// NewInvokers, which does. Safe for concurrent use.
type RIEClient struct {
	URL string // base URL like http://127.0.0.1:9000
	// Client, when set, carries the invokes. When nil, an http:// URL is reached over the
	// client's own keep-alive connections (at most DefaultMaxIdleConnsPerHost kept idle), each
	// invoke written and read in the caller's goroutine; other URLs get a default http.Client
	// with keep-alive. Either way there is no timeout but ctx.
	Client *http.Client

	once sync.Once
	pool *riePool
	def  *http.Client
}

// Invoke sends one event. It applies Lambda's payload limits both ways; a non-2xx answer is an
// *InvokeError.
func (c *RIEClient) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	if len(event) > MaxRequestPayload {
		return nil, c.tooLarge(event)
	}
	status, body, err := c.post(ctx, event)
	if err != nil {
		return nil, err
	}
	return c.judge(status, body)
}

func (c *RIEClient) tooLarge(event []byte) error {
	return fmt.Errorf("invoking function at %s: %w (%d bytes, limit %d)", c.URL, ErrRequestTooLarge, len(event), MaxRequestPayload)
}

// judge turns an answer into the function's payload or an error: over the response limit,
// or not 2xx (*InvokeError).
func (c *RIEClient) judge(status int, body []byte) ([]byte, error) {
	if len(body) > MaxResponsePayload {
		return nil, fmt.Errorf("reading function response from %s: %w (more than %d bytes)", c.URL, ErrResponseTooLarge, MaxResponsePayload)
	}
	if status < 200 || status > 299 {
		return nil, &InvokeError{URL: c.URL, StatusCode: status, Body: body}
	}
	return body, nil
}

// init chooses, once, how c reaches its endpoint when it has no Client.
func (c *RIEClient) init() {
	c.once.Do(func() {
		if c.Client == nil {
			if c.pool = newRIEPool(c.URL, DefaultMaxIdleConnsPerHost); c.pool == nil {
				c.def = newHTTPClient(DefaultMaxIdleConnsPerHost)
			}
		}
	})
}

// post sends the event and returns the answer's status and at most MaxResponsePayload+1
// bytes of its body.
func (c *RIEClient) post(ctx context.Context, event []byte) (int, []byte, error) {
	c.init()
	if c.pool != nil {
		ans, err := c.pool.invoke(ctx, event)
		if err != nil {
			return 0, nil, fmt.Errorf("invoking function at %s: %w", c.URL, err)
		}
		return ans.status, ans.body, nil
	}
	client := c.Client
	if client == nil {
		client = c.def
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.URL, "/")+InvokePath, bytes.NewReader(event))
	if err != nil {
		return 0, nil, fmt.Errorf("invoking function at %s: %w", c.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("invoking function at %s: %w", c.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponsePayload+1))
	if err != nil {
		return 0, nil, fmt.Errorf("reading function response from %s: %w", c.URL, err)
	}
	return resp.StatusCode, body, nil
}

// newHTTPClient makes a client for invoke endpoints: keep-alive connections, idleConns kept
// per host, no proxy from the environment (endpoints are local), no timeout but the
// request's context.
func newHTTPClient(idleConns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: idleConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}
