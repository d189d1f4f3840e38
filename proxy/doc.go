// Package proxy is an API Gateway emulator for Lambda functions run locally (the Lambda
// Runtime Interface Emulator, or anything that serves the Lambda Invoke API).
//
// A Server turns each HTTP request into the event API Gateway would send — a REST API
// Lambda proxy event (payload 1.0), an HTTP API payload 2.0 event, or an HTTP API payload 1.0
// event — invokes the function the matched route names, and turns the function's answer, or
// its failure, into the response API Gateway would give, field by field. The rules, with how
// well each is verified, are in the project's apigw-spec.md; each is a named helper in
// quirks.go with a table test named by the rule.
//
// Translation is pure: restapi.go, httpapi.go and httpapi_v1.go build events from a
// normalised request (request.go); response.go validates and converts answers per payload
// version; errors.go is the one place errors become HTTP responses (REST: 502 Internal server
// error, 504 Endpoint request timed out, 403 Missing Authentication Token; HTTP APIs: 500
// Internal Server Error, 503 Service Unavailable, 404 Not Found; both: 429 when throttled and
// 413 over the 10 MB payload limit). cors.go answers HTTP API preflights as the gateway does.
//
// Events are marshalled from the package's own structs, not aws-lambda-go's, so that the
// JSON matches AWS: null bodies, explicit null identity fields, isBase64Encoded always present,
// no authorizer or authentication keys when there is no authorizer or mTLS.
//
// Local URLs carry no stage prefix (http://127.0.0.1:8080/items/42, as SAM serves them); the
// stage's name appears where AWS puts it in the event: REST requestContext.path and stage,
// HTTP API rawPath and requestContext.http.path for a named stage.
//
// Known differences from AWS:
//   - Header names: REST events keep the client's casing, as AWS does, when the request came
//     through Serve or ListenAndServe over HTTP/1.x (the raw header block is read back from the
//     connection, because net/http canonicalises names). A Server used as a plain http.Handler
//     elsewhere sees only Go's canonical names (tEsT-HEADeR → Test-Header). HTTP APIs
//     lower-case every name, so payload 2.0 events are exact either way.
//   - X-Forwarded-Port and X-Forwarded-Proto are those of the local connection (AWS: 443,
//     https); the endpoint is regional, so there are no CloudFront headers.
//   - Response headers repeated in multiValueHeaders go out as separate header lines rather
//     than one comma-folded line (the same field per RFC 9110, and the only way Set-Cookie
//     works).
//   - REST's remapping of response headers such as WWW-Authenticate is not emulated.
//   - Serve speaks HTTP/1.x only, with its own connection loop (see conn.go): a request's
//     context is not cancelled when its client disconnects mid-request (the gateway's timeout
//     still ends the invoke); a function's header values lose control characters (CR and LF
//     become spaces, so no header can split the response) and its Content-Length,
//     Transfer-Encoding and Connection headers give way to the gateway's own framing.
package proxy
