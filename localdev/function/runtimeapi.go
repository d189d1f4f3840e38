package function

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Runtime API paths (version 2018-06-01), as aws-lambda-go and every custom runtime call them.
const (
	runtimePrefix  = "/2018-06-01/runtime"
	pathNext       = runtimePrefix + "/invocation/next"
	pathInitError  = runtimePrefix + "/init/error"
	patternAnswer  = "POST " + runtimePrefix + "/invocation/{id}/{kind}"
	maxPayloadSize = 6*1024*1024 + 100 // Lambda's synchronous payload limit: 6 MiB + 100 bytes
)

// Headers of the Runtime API's next-invocation response.
const (
	headerRequestID       = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline        = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID         = "Lambda-Runtime-Trace-Id"
	headerClientContext   = "Lambda-Runtime-Client-Context"
	headerCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	// Trailers a runtime sets when its response stream fails half-way (aws-lambda-go does).
	trailerErrorType = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody = "Lambda-Runtime-Function-Error-Body"
)

// runtimeAPI returns the handler of one environment's Runtime API.
func (e *environment) runtimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathNext, e.next)
	mux.HandleFunc(patternAnswer, e.answer)
	mux.HandleFunc("POST "+pathInitError, e.initError)
	return mux
}

// next hands the runtime its next invoke. Calling it also completes the previous invoke, as on
// Lambda: the environment is then ready for another one.
func (e *environment) next(w http.ResponseWriter, r *http.Request) {
	select {
	case e.ready <- struct{}{}:
	default:
	}
	select {
	case inv := <-e.invokes:
		e.setCurrent(inv)
		h := w.Header()
		h.Set(headerRequestID, inv.RequestID)
		h.Set(headerDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set(headerFunctionARN, functionARN(*e.opts))
		h.Set(headerTraceID, inv.TraceID)
		if inv.ClientContext != "" {
			h.Set(headerClientContext, inv.ClientContext)
		}
		if inv.CognitoIdentity != "" {
			h.Set(headerCognitoIdentity, inv.CognitoIdentity)
		}
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(inv.Payload)
	case <-r.Context().Done():
	case <-e.stopping:
	case <-e.exited:
	}
}

// answer records the runtime's response (kind "response") or error (kind "error") for the
// invoke in flight.
func (e *environment) answer(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	if kind != "response" && kind != "error" {
		http.NotFound(w, r)
		return
	}
	inv := e.currentInvocation()
	if inv == nil || inv.RequestID != r.PathValue("id") {
		renderJSON(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayloadSize+1))
	if err != nil {
		renderJSON(w, http.StatusBadRequest, "TruncatedHTTPRequest", "HTTP request detected as truncated")
		return
	}
	errorType := ""
	switch {
	case kind == "error":
		errorType = errorTypeOf(body)
	case len(body) > maxPayloadSize:
		// Lambda records the oversized response as the invoke's error and tells the runtime 413.
		msg := fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxPayloadSize)
		b, _ := json.Marshal(map[string]string{"errorType": "Function.ResponseSizeTooLarge", "errorMessage": msg})
		inv.post(b, "Function.ResponseSizeTooLarge")
		renderJSON(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", maxPayloadSize))
		return
	case r.Trailer.Get(trailerErrorType) != "":
		// The response stream failed half-way: the trailers carry the error.
		errorType = r.Trailer.Get(trailerErrorType)
		if b, err := base64.StdEncoding.DecodeString(r.Trailer.Get(trailerErrorBody)); err == nil {
			body = b
		}
	}
	if !inv.post(body, errorType) {
		renderJSON(w, http.StatusForbidden, "InvalidStateTransition", "State transition from ResponseSent to "+kind+" failed for runtime")
		return
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// initError records an error the runtime reports before it is ready (init failed).
func (e *environment) initError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxPayloadSize))
	select {
	case e.initErr <- body:
	default:
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// renderJSON writes the Runtime API's error shape.
func renderJSON(w http.ResponseWriter, status int, errorType, message string) {
	b, _ := json.Marshal(map[string]string{"errorMessage": message, "errorType": errorType})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
