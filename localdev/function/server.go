package function

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// InvokePath is the invoke endpoint the RIE serves (Lambda's Invoke API for the one function
// it runs); a Pool serves the same one, for any function name in place of "function".
const InvokePath = "/2015-03-31/functions/function/invocations"

// Headers of Lambda's Invoke API.
const (
	headerInvokeClientContext = "X-Amz-Client-Context"   // base64 of the client context JSON
	headerInvokeCognito       = "X-Amz-Cognito-Identity" // JSON, as the RIE reads it
	headerInvokeTraceID       = "X-Amzn-Trace-Id"
	headerInvokeRequestID     = "X-Amzn-Requestid"
	headerFunctionError       = "X-Amz-Function-Error"
)

// ServeHTTP serves the RIE's invoke endpoint: POST /2015-03-31/functions/{name}/invocations
// with the event as the body. It answers as the RIE does: 200 with the response, a handled
// error's JSON or "Task timed out after N.NN seconds"; 502 with the error JSON when the process
// died with the invoke in flight or init failed. Unlike the RIE it also sets the Invoke API's
// X-Amzn-Requestid and, on errors, X-Amz-Function-Error: Unhandled.
func (p *Pool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !isInvokePath(r.URL.Path) {
		http.Error(w, fmt.Sprintf("404 page not found: the function's invoke endpoint is POST %s", InvokePath), http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "405 method not allowed: POST the event", http.StatusMethodNotAllowed)
		return
	}
	req, status, err := readInvokeRequest(r)
	if err != nil {
		writeInvokeError(w, status, err)
		return
	}
	res, err := p.Do(r.Context(), req)
	switch {
	case errors.Is(err, ErrClosed):
		writeInvokeError(w, http.StatusServiceUnavailable, err)
		return
	case err != nil:
		// The client went away or its deadline passed: nobody reads the answer.
		writeInvokeError(w, http.StatusGatewayTimeout, err)
		return
	}
	w.Header().Set(headerInvokeRequestID, res.RequestID)
	if res.ErrorType != "" {
		w.Header().Set(headerFunctionError, "Unhandled")
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(res.Payload)
}

// isInvokePath reports whether path is /2015-03-31/functions/{name}/invocations.
func isInvokePath(path string) bool {
	name, ok := strings.CutPrefix(path, "/2015-03-31/functions/")
	if !ok {
		return false
	}
	name, ok = strings.CutSuffix(name, "/invocations")
	return ok && name != "" && !strings.Contains(name, "/")
}

// readInvokeRequest reads an invoke's event and headers.
func readInvokeRequest(r *http.Request) (Request, int, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayloadSize+1))
	if err != nil {
		return Request{}, http.StatusBadRequest, fmt.Errorf("reading the event: %w", err)
	}
	if len(body) > maxPayloadSize {
		return Request{}, http.StatusRequestEntityTooLarge,
			fmt.Errorf("reading the event: it exceeds Lambda's maximum payload size (%d bytes)", maxPayloadSize)
	}
	req := Request{
		Payload:   body,
		RequestID: r.Header.Get(headerInvokeRequestID),
		TraceID:   r.Header.Get(headerInvokeTraceID),
	}
	if cc := r.Header.Get(headerInvokeClientContext); cc != "" {
		raw, err := base64.StdEncoding.DecodeString(cc)
		if err != nil {
			return Request{}, http.StatusBadRequest, fmt.Errorf("decoding %s: want base64 of a JSON object: %w", headerInvokeClientContext, err)
		}
		req.ClientContext = string(raw)
	}
	if ci := r.Header.Get(headerInvokeCognito); ci != "" {
		if !json.Valid([]byte(ci)) {
			return Request{}, http.StatusBadRequest, fmt.Errorf("reading %s: want JSON with cognitoIdentityId and cognitoIdentityPoolId", headerInvokeCognito)
		}
		req.CognitoIdentity = ci
	}
	return req, 0, nil
}

// writeInvokeError answers a request the function never saw, with Lambda's error shape.
func writeInvokeError(w http.ResponseWriter, status int, err error) {
	b, _ := json.Marshal(map[string]string{"errorType": http.StatusText(status), "errorMessage": err.Error()})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
