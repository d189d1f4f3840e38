package function

import (
	"errors"
	"fmt"
	"time"
)

// ErrClosed is returned by invokes on a Pool that was closed.
var ErrClosed = errors.New("the function runtime is shut down")

// InitReason says why an execution environment failed to start.
type InitReason int

// The ways init can fail.
const (
	// InitStartFailed: the bootstrap could not be started at all (missing, not executable).
	InitStartFailed InitReason = iota
	// InitExited: the bootstrap exited before asking for its first invoke.
	InitExited
	// InitTimedOut: the bootstrap did not ask for its first invoke within the init timeout.
	InitTimedOut
	// InitErrorPosted: the runtime reported an error to /runtime/init/error.
	InitErrorPosted
)

// InitError is a failed init phase: the invoke that needed the environment answers 502 with
// Payload's error JSON, and the next invoke tries a fresh process.
type InitError struct {
	Reason   InitReason
	Duration time.Duration
	// Err is the process's exit error (InitExited) or the start error (InitStartFailed).
	Err error
	// Body is what the runtime posted to /runtime/init/error (InitErrorPosted).
	Body []byte
}

func (e *InitError) Error() string {
	switch e.Reason {
	case InitStartFailed:
		return fmt.Sprintf("starting the function: %v", e.Err)
	case InitExited:
		return fmt.Sprintf("starting the function: the bootstrap exited before asking for an invoke (%s): check its output above; a Go handler's main must call lambda.Start", exitReason(e.Err))
	case InitTimedOut:
		return fmt.Sprintf("starting the function: the bootstrap did not ask for an invoke (GET %s) within the %s init timeout: a Go handler's main must call lambda.Start without blocking first", pathNext, e.Duration)
	default:
		return fmt.Sprintf("starting the function: the runtime reported an init error: %s", e.Body)
	}
}

func (e *InitError) Unwrap() error { return e.Err }

// status is the INIT_REPORT status: "timeout" or "error".
func (e *InitError) status() string {
	if e.Reason == InitTimedOut {
		return "timeout"
	}
	return "error"
}

// result is the invoke's answer: 502 with the runtime's posted init error or Lambda's own.
// The RIE answers an init crash with an empty 502; lambdalocal gives Lambda's error JSON.
func (e *InitError) result(requestID string) Result {
	r := Result{StatusCode: 502, RequestID: requestID}
	switch e.Reason {
	case InitErrorPosted:
		r.Payload, r.ErrorType = e.Body, errorTypeOf(e.Body)
	case InitTimedOut:
		// Unverified: the error type Lambda gives the caller when init times out.
		r.ErrorType = "Sandbox.Timedout"
		r.Payload = lambdaError(r.ErrorType, requestID, timeoutMessage(e.Duration))
	case InitExited:
		r.ErrorType = "Runtime.ExitError"
		r.Payload = lambdaError(r.ErrorType, requestID, exitReason(e.Err))
	default:
		r.ErrorType = "Runtime.InvalidEntrypoint"
		r.Payload = lambdaError(r.ErrorType, requestID, e.Err.Error())
	}
	return r
}

// FunctionError is returned by Invoke when the invoke endpoint would answer with a status
// other than 200: the process ended with the invoke in flight, or init failed.
type FunctionError struct {
	StatusCode int
	ErrorType  string
	RequestID  string
	Payload    []byte
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("invoking the function (request %s): %s (status %d): %s", e.RequestID, e.ErrorType, e.StatusCode, e.Payload)
}
