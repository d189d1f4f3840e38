package function

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Request is one invoke: the event and what Lambda's Invoke API carries beside it.
type Request struct {
	// Payload is the event (JSON).
	Payload []byte
	// RequestID is the invoke's id; empty means a new random UUID.
	RequestID string
	// ClientContext is the decoded client context JSON (the Invoke API's X-Amz-Client-Context
	// header carries it base64-encoded); passed as Lambda-Runtime-Client-Context.
	ClientContext string
	// CognitoIdentity is the Cognito identity JSON; passed as Lambda-Runtime-Cognito-Identity.
	CognitoIdentity string
	// TraceID is the X-Ray trace header; empty means a new one, as Lambda always sends one.
	TraceID string
}

// Result is a function's answer to one invoke, as the RIE's invoke endpoint gives it.
type Result struct {
	// StatusCode is 200 for a response, a handled error or a timeout, and 502 when the process
	// ended with the invoke in flight (panic, os.Exit, crash) or could not start (init failed).
	StatusCode int
	// Payload is the function's response, its error JSON, or the timeout text.
	Payload []byte
	// ErrorType is "" for a response, else the error's type ("Runtime.ExitError", the type the
	// runtime posted, or "Sandbox.Timedout"): Lambda's X-Amz-Function-Error is set when it is.
	ErrorType string
	RequestID string
}

// invocation is one invoke handed to an environment, and what the runtime posted for it.
type invocation struct {
	Request
	deadline time.Time

	mu        sync.Mutex
	posted    bool
	body      []byte
	errorType string // "" for /response
}

// post records the runtime's answer; false if it already answered.
func (inv *invocation) post(body []byte, errorType string) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.posted {
		return false
	}
	inv.posted, inv.body, inv.errorType = true, body, errorType
	return true
}

func (inv *invocation) answer() (body []byte, errorType string, posted bool) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.body, inv.errorType, inv.posted
}

// lambdaError is the error JSON Lambda answers when it, not the function, reports a failure.
func lambdaError(errorType, requestID, message string) []byte {
	b, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{errorType, "RequestId: " + requestID + " Error: " + message})
	return b
}

// errorTypeOf returns the errorType field of an error JSON posted by the runtime, or
// "Unhandled" when it has none.
func errorTypeOf(body []byte) string {
	var e struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(body, &e) == nil && e.ErrorType != "" {
		return e.ErrorType
	}
	return "Unhandled"
}

// newRequestID returns a random (version 4) UUID, the form of Lambda's request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newTraceID returns an X-Ray trace header as Lambda passes it to a runtime when the caller
// sent none: a root id made of the epoch seconds and 96 random bits, not sampled.
func newTraceID(now time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	var p [8]byte
	_, _ = rand.Read(p[:])
	return fmt.Sprintf("Root=1-%08x-%x;Parent=%x;Sampled=0", now.Unix(), b, p)
}
