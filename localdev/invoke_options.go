package localdev

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// InvokeOption configures Invoke.
type InvokeOption func(*invokeOptions)

type invokeOptions struct {
	out, progress  io.Writer
	stdin          io.Reader
	headers, body  string
	printEvent     bool
	dryRun         bool
	client         *http.Client
	gatewayTimeout time.Duration
}

func newInvokeOptions(opts []InvokeOption) invokeOptions {
	o := invokeOptions{
		out:      os.Stdout,
		progress: os.Stderr,
		stdin:    os.Stdin,
		// No proxy from the environment: invoke endpoints are local. No timeout but the
		// context's.
		client: &http.Client{Transport: &http.Transport{Proxy: nil, DisableCompression: true}},
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithInvokeOutput sends the function's answer, the gateway's response and printed events to w
// (default os.Stdout).
func WithInvokeOutput(w io.Writer) InvokeOption { return func(o *invokeOptions) { o.out = w } }

// WithInvokeProgress sends the progress lines (what is sent where, how long it took) to w
// (default os.Stderr).
func WithInvokeProgress(w io.Writer) InvokeOption { return func(o *invokeOptions) { o.progress = w } }

// WithStdin is where an event "-" and a body "@-" are read from (default os.Stdin).
func WithStdin(r io.Reader) InvokeOption { return func(o *invokeOptions) { o.stdin = r } }

// WithRequestHeaders sets the headers of a generated request: one "Name: value" per line.
func WithRequestHeaders(text string) InvokeOption { return func(o *invokeOptions) { o.headers = text } }

// WithRequestBody sets the body of a generated request: the text itself, "@path" for a file's
// bytes or "@-" for stdin.
func WithRequestBody(spec string) InvokeOption { return func(o *invokeOptions) { o.body = spec } }

// WithPrintEvent prints the event (indented JSON) before sending it.
func WithPrintEvent(on bool) InvokeOption { return func(o *invokeOptions) { o.printEvent = on } }

// WithDryRun prints the event and sends nothing: to see, or save, a generated event.
func WithDryRun(on bool) InvokeOption { return func(o *invokeOptions) { o.dryRun = on } }

// WithGatewayTimeout sets the gateway's integration timeout for a generated request (default
// API Gateway's: 29 s on REST APIs, 30 s on HTTP APIs).
func WithGatewayTimeout(d time.Duration) InvokeOption {
	return func(o *invokeOptions) { o.gatewayTimeout = d }
}

// WithInvokeClient sets the HTTP client used to reach the invoke endpoint.
func WithInvokeClient(c *http.Client) InvokeOption { return func(o *invokeOptions) { o.client = c } }

// Names of the variables that carry a generated request's headers and body, for messages.
const (
	requestHeadersVar = "LAMBDALOCAL_INVOKE_HEADERS"
	requestBodyVar    = "LAMBDALOCAL_INVOKE_BODY"
)

// request returns the headers and body of a generated request.
func (o invokeOptions) request(arg eventArg) (http.Header, []byte, error) {
	header, err := parseHeaders(o.headers, requestHeadersVar)
	if err != nil {
		return nil, nil, err
	}
	if arg.host != "" && header.Get("Host") == "" {
		header.Set("Host", arg.host)
	}
	body, err := readBody(o.body, requestBodyVar, o.stdin)
	if err != nil {
		return nil, nil, err
	}
	if len(body) > 0 && header.Get("Content-Type") == "" {
		// API Gateway decides by Content-Type whether a body goes in as text or base64; a
		// body typed on the command line is nearly always JSON or text.
		ct := "text/plain; charset=utf-8"
		if json.Valid(body) {
			ct = "application/json"
		}
		header.Set("Content-Type", ct)
		fmt.Fprintf(o.progress, "invoke: the body has no Content-Type in %s: sending Content-Type: %s\n", requestHeadersVar, ct)
	}
	return header, body, nil
}
