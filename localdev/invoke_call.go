package localdev

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/lambdalocal/lambdalocal/proxy"
)

// answer is what the invoke endpoint answered.
type answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// callFunction POSTs event to the Lambda Invoke API at functionURL, once, and reads the answer
// whatever its status.
func callFunction(ctx context.Context, o invokeOptions, functionURL string, event []byte) (*answer, error) {
	url := strings.TrimRight(functionURL, "/") + proxy.InvokePath
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
	if err != nil {
		return nil, fmt.Errorf("invoking the function: LAMBDALOCAL_FUNCTION_URL %q is not a URL such as http://127.0.0.1:9000: %w", functionURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	fmt.Fprintf(o.progress, "invoke: sending a %d-byte event to %s\n", len(event), functionURL)
	start := time.Now()
	resp, err := o.client.Do(req)
	if err != nil {
		return nil, &EndpointError{URL: functionURL, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, proxy.MaxResponsePayload+1))
	if err != nil {
		return nil, &EndpointError{URL: functionURL, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	fmt.Fprintf(o.progress, "invoke: the endpoint answered %d in %s\n", resp.StatusCode, time.Since(start).Round(10*time.Microsecond))
	return &answer{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// EndpointError is a function invoke endpoint that could not be reached or did not answer.
type EndpointError struct {
	URL string // the function URL (LAMBDALOCAL_FUNCTION_URL)
	Err error
}

func (e *EndpointError) Error() string {
	const start = "start the function with `go tool mage up` (Docker) or `go tool mage dev`, or set LAMBDALOCAL_FUNCTION_URL to where it runs"
	switch {
	case errors.Is(e.Err, syscall.ECONNREFUSED):
		return fmt.Sprintf("invoking the function at LAMBDALOCAL_FUNCTION_URL=%s: nothing listens there (connection refused): %s", e.URL, start)
	case errors.Is(e.Err, io.EOF), errors.Is(e.Err, io.ErrUnexpectedEOF), errors.Is(e.Err, syscall.ECONNRESET):
		// An RIE in its default mode dies when a second invoke arrives during one (upstream
		// issue 97), e.g. invoke while the proxy is waiting on the same RIE.
		return fmt.Sprintf("invoking the function at LAMBDALOCAL_FUNCTION_URL=%s: the endpoint closed the connection (%v): an RIE crashes when it gets two invokes at once (was the proxy using it?); see `go tool mage logs`, restart with `go tool mage up`", e.URL, e.Err)
	case errors.Is(e.Err, context.DeadlineExceeded):
		return fmt.Sprintf("invoking the function at LAMBDALOCAL_FUNCTION_URL=%s: no answer in time (%v); the function may be stuck: see its logs (`go tool mage logs`)", e.URL, e.Err)
	}
	return fmt.Sprintf("invoking the function at LAMBDALOCAL_FUNCTION_URL=%s: %v: %s", e.URL, e.Err, start)
}

func (e *EndpointError) Unwrap() error { return e.Err }

// FunctionError is a function that failed: it answered Lambda's error shape
// ({"errorMessage", "errorType"}), something that is not JSON (the RIE's "Task timed out after
// 3.00 seconds"), or the endpoint answered a status other than 2xx (the process crashed).
type FunctionError struct {
	Type       string // errorType, e.g. "wrapError", "Sandbox.Timedout"; "" when there is none
	Message    string // errorMessage, or the answer itself when it has no errorMessage
	StatusCode int    // the invoke endpoint's status
	Body       []byte // the answer as it came
}

func (e *FunctionError) Error() string {
	msg := "function error"
	if e.Type != "" {
		msg += " " + e.Type
	}
	if e.StatusCode < 200 || e.StatusCode > 299 {
		msg += fmt.Sprintf(" (invoke endpoint answered %d %s)", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// timedOutPrefix starts the RIE's answer to an invoke that ran past the function timeout.
const timedOutPrefix = "Task timed out after"

// functionError tells whether an answer is a function error, and which; nil when the function
// succeeded. The rules, in order: a non-2xx status; Lambda's X-Amz-Function-Error header (dev's
// runtime sets it, the RIE does not); an answer that is not JSON; Lambda's error shape, by the
// same rule the gateway uses (proxy.IsFunctionError).
func functionError(a *answer) *FunctionError {
	failed := a.Status < 200 || a.Status > 299 || a.Header.Get("X-Amz-Function-Error") != "" ||
		!json.Valid(a.Body) || proxy.IsFunctionError(a.Body)
	if !failed {
		return nil
	}
	e := &FunctionError{StatusCode: a.Status, Body: a.Body}
	var shape struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(a.Body, &shape) == nil && (shape.ErrorType != "" || shape.ErrorMessage != "") {
		e.Type, e.Message = shape.ErrorType, shape.ErrorMessage
		return e
	}
	e.Message = strings.TrimSpace(string(a.Body))
	if strings.HasPrefix(e.Message, timedOutPrefix) {
		// Lambda's errorType for a timeout; the RIE's plain-text answer carries none.
		e.Type = "Sandbox.Timedout"
	}
	if len(e.Message) > 500 {
		e.Message = e.Message[:500] + "…"
	}
	return e
}

// GatewayError is the gateway's own error response to a generated request that is not the
// function's fault: no route matches, or the function's answer is not a valid proxy response.
type GatewayError struct {
	Method, Target string
	Status         int    // the gateway's status, e.g. 403, 502
	Reason         string // why
	Invoked        bool   // whether the function ran
}

func (e *GatewayError) Error() string {
	if !e.Invoked {
		return fmt.Sprintf("%s %s: the gateway answers %d without invoking the function: %s", e.Method, e.Target, e.Status, e.Reason)
	}
	return fmt.Sprintf("%s %s: the function ran but the gateway answers %d: %s", e.Method, e.Target, e.Status, e.Reason)
}

// writeResponse prints an HTTP response as it goes on the wire: status line, headers sorted
// by name (each value on its own line, names as the gateway spells them), a blank line, the
// body (or a note for a binary one).
func writeResponse(w io.Writer, resp *http.Response) {
	fmt.Fprintf(w, "HTTP/1.1 %s\n", resp.Status)
	names := make([]string, 0, len(resp.Header))
	for name := range resp.Header {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	for _, name := range names {
		for _, v := range resp.Header[name] {
			fmt.Fprintf(w, "%s: %s\n", name, v)
		}
	}
	fmt.Fprintln(w)
	body, _ := io.ReadAll(resp.Body)
	switch {
	case len(body) == 0:
	case isText(body):
		writeAnswer(w, body)
	default:
		fmt.Fprintf(w, "(%d bytes of binary data)\n", len(body))
	}
}

// isText reports whether b is UTF-8 text without control characters other than tab, CR, LF.
func isText(b []byte) bool {
	s := string(b)
	for _, c := range s {
		if c == '\uFFFD' || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			return false
		}
	}
	return true
}
