package proxy

import (
	"context"
	"errors"
	"strconv"
)

// errorKind is a class of failure, each with the gateway response API Gateway gives for it.
type errorKind int

const (
	// kindFunction: the function failed — an error-shaped answer, a non-JSON answer (the RIE's
	// "Task timed out after N seconds"), a non-2xx answer from the invoke endpoint
	// (InvokeError), a connection failure, or an answer over Lambda's 6 MB response limit.
	kindFunction errorKind = iota + 1
	// kindMalformedResponse: the answer is not a valid proxy response for the payload version.
	kindMalformedResponse
	// kindBadBase64: isBase64Encoded is true but the body does not decode.
	kindBadBase64
	// kindTimeout: the gateway's own integration deadline passed.
	kindTimeout
	// kindNoRoute: no route or resource matches the method and path.
	kindNoRoute
	// kindThrottled: the function's concurrency and queue are full (ErrThrottled).
	kindThrottled
	// kindBodyTooLarge: the request body is over API Gateway's 10 MB payload limit.
	kindBodyTooLarge
	// kindBadRequest: the request cannot be translated at all (e.g. no absolute path).
	kindBadRequest
	// kindEventTooLarge: the event is over Lambda's 6 MB request limit (ErrRequestTooLarge),
	// which Lambda refuses with 413 RequestEntityTooLargeException before running anything.
	kindEventTooLarge
)

// gatewayResponse is one of API Gateway's own responses: status, {"message": …} and, on REST,
// the x-amzn-ErrorType header.
type gatewayResponse struct {
	status    int
	message   string
	errorType string
}

// restGatewayResponses are REST API's default gateway responses.
var restGatewayResponses = map[errorKind]gatewayResponse{
	// Function error or malformed answer → 502. [AWS-doc "returns a 502 Bad Gateway";
	// aws-lambda-go#72; AWS-validated via LocalStack]
	kindFunction:          {502, "Internal server error", "InternalServerErrorException"},
	kindMalformedResponse: {502, "Internal server error", "InternalServerErrorException"},
	// Invalid base64 with isBase64Encoded → 500. [AWS-validated test_aws_proxy_binary_response]
	kindBadBase64: {500, "Internal server error", "InternalServerErrorException"},
	// INTEGRATION_TIMEOUT → 504. [chalice#537, serverless#3171]
	kindTimeout: {504, "Endpoint request timed out", ""},
	// Unknown path or undefined method → 403. [AWS-validated test_routing_not_found]
	kindNoRoute: {403, "Missing Authentication Token", "MissingAuthenticationTokenException"},
	// THROTTLED → 429 "Too Many Requests". [LocalStack gateway_response.py: THROTTLED = 429;
	// AWS knowledge center "api-gateway-429-limit": "429 Too Many Requests"; the message text
	// is the gateway response's default messageString — Unverified byte for byte]
	kindThrottled: {429, "Too Many Requests", ""},
	// REQUEST_TOO_LARGE → 413. [LocalStack: REQUEST_TOO_LARGE = 413; message Unverified:
	// spec says "Request Too Long", one blog says "Request Too Large"]
	kindBodyTooLarge: {413, "Request Too Long", ""},
	// A request the emulator cannot translate; AWS's front end would refuse it before the
	// gateway. [emulator's own]
	kindBadRequest: {400, "Bad Request", ""},
	// An event over Lambda's 6 MB request limit (a body under the gateway's 10 MB, grown by
	// the event around it or by base64) → 413 with x-amzn-ErrorType BadRequestException and
	// {"message": "Request Too Long"}, as a REST API answered it in a captured exchange
	// [github.com/koki-develop/lgtm-generator issue 10: "Lambda のペイロードサイズ上限に
	// 引っかかった場合のレスポンス", HTTP/2 413 with x-amz-apigw-id]. Not a 502: the gateway
	// passes on Lambda's 413.
	kindEventTooLarge: {413, "Request Too Long", "BadRequestException"},
}

// httpGatewayResponses are HTTP API's responses, which differ in status and capitalisation.
var httpGatewayResponses = map[errorKind]gatewayResponse{
	// Function error, malformed answer or bad statusCode → 500. [AWS-doc
	// http-api-troubleshooting-lambda]
	kindFunction:          {500, "Internal Server Error", ""},
	kindMalformedResponse: {500, "Internal Server Error", ""},
	kindBadBase64:         {500, "Internal Server Error", ""},
	// Integration timeout → 503. [cortex#1225]
	kindTimeout: {503, "Service Unavailable", ""},
	// No route → 404. [AWS-doc http-api-develop-routes]
	kindNoRoute: {404, "Not Found", ""},
	// Throttling → 429 "Too Many Requests". [AWS-doc http-api-throttling: "Clients may receive
	// 429 Too Many Requests error responses"; body text Unverified]
	kindThrottled: {429, "Too Many Requests", ""},
	// Payload over 10 MB → 413. [AWS-doc limits; body text Unverified]
	kindBodyTooLarge: {413, "Request Too Long", ""},
	kindBadRequest:   {400, "Bad Request", ""},
	// An event over Lambda's 6 MB request limit → 413 as on REST APIs. [Unverified for HTTP
	// APIs: no captured exchange found; status and text taken from the REST capture]
	kindEventTooLarge: {413, "Request Too Long", ""},
}

// errBodyTooLarge is a request body over the 10 MB limit.
var errBodyTooLarge = errors.New("request body is over API Gateway's 10 MB payload limit")

// classify tells which gateway response an error gets. timedOut reports whether the
// gateway's own deadline passed, whatever error the invoker wrapped it in. Anything not
// recognised — InvokeError, a connection error, a function error — is a function error,
// which is what API Gateway answers when the Lambda integration fails.
func classify(err error, timedOut bool) errorKind {
	var re *responseError
	var ce *clientError
	switch {
	case timedOut || errors.Is(err, context.DeadlineExceeded):
		return kindTimeout
	case errors.Is(err, ErrThrottled):
		return kindThrottled
	case errors.Is(err, errBodyTooLarge):
		return kindBodyTooLarge
	case errors.Is(err, ErrRequestTooLarge):
		return kindEventTooLarge
	case errors.As(err, &re):
		return re.kind
	case errors.As(err, &ce):
		return kindBadRequest
	case errors.Is(err, errNoRoute):
		return kindNoRoute
	}
	return kindFunction
}

// errNoRoute is a request no route matches.
var errNoRoute = errors.New("no route matches")

// errorReply is the one place an error becomes an HTTP response: API Gateway's own response
// for the error's kind on this kind of API, {"message": …} as application/json. [AWS-doc
// gateway responses; compare bodies as JSON]
func errorReply(api API, kind errorKind) *reply {
	table := restGatewayResponses
	if api == HTTP {
		table = httpGatewayResponses
	}
	g, ok := table[kind]
	if !ok {
		g = table[kindFunction]
	}
	r := &reply{
		Status: g.status,
		Header: []headerField{{"Content-Type", "application/json"}},
		Body:   []byte(`{"message":` + strconv.Quote(g.message) + `}`),
	}
	if g.errorType != "" {
		r.Header = append(r.Header, headerField{"x-amzn-ErrorType", g.errorType})
	}
	return r
}
