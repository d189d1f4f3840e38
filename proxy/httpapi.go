package proxy

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// httpEvent is the HTTP API payload 2.0 event. It is marshalled from this struct rather than
// from events.APIGatewayV2HTTPRequest so that the JSON matches AWS: no "authentication" key
// without mTLS, no "authorizer" key without an authorizer, isBase64Encoded always present,
// empty cookies/queryStringParameters/pathParameters/stageVariables/body omitted.
type httpEvent struct {
	Version               string      `json:"version"`
	RouteKey              string      `json:"routeKey"`
	RawPath               string      `json:"rawPath"`
	RawQueryString        string      `json:"rawQueryString"`
	Cookies               []string    `json:"cookies,omitempty"`
	Headers               eventMap    `json:"headers"`
	QueryStringParameters eventMap    `json:"queryStringParameters,omitempty"`
	PathParameters        eventMap    `json:"pathParameters,omitempty"`
	StageVariables        eventMap    `json:"stageVariables,omitempty"`
	RequestContext        httpContext `json:"requestContext"`
	Body                  *string     `json:"body,omitempty"`
	IsBase64Encoded       bool        `json:"isBase64Encoded"`
}

type httpContext struct {
	AccountID      string          `json:"accountId"`
	APIID          string          `json:"apiId"`
	Authentication json.RawMessage `json:"authentication,omitempty"` // only with mTLS
	Authorizer     json.RawMessage `json:"authorizer,omitempty"`     // only with an authorizer
	DomainName     string          `json:"domainName"`
	DomainPrefix   string          `json:"domainPrefix"`
	HTTP           httpDescription `json:"http"`
	RequestID      string          `json:"requestId"`
	RouteKey       string          `json:"routeKey"`
	Stage          string          `json:"stage"`
	Time           string          `json:"time"`
	TimeEpoch      int64           `json:"timeEpoch"`
}

type httpDescription struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// httpAPIEvent translates a request matched to an HTTP API route into the payload 2.0 event.
// [AWS-doc; real events in aws-lambda-go testdata]
func httpAPIEvent(req *request, m Match, d *deployment, ids requestIDs, now time.Time) *httpEvent {
	headers, cookies := httpHeaders(req, ids)
	rawPath := httpRawPath(d.Stage, req.Path)
	routeKey := m.Route.Key
	e := &httpEvent{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               rawPath,
		RawQueryString:        req.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: httpQueryMap(parseQuery(req.RawQuery)),
		PathParameters:        httpPathParameters(m.PathParams),
		StageVariables:        d.StageVariables,
		RequestContext: httpContext{
			AccountID:    d.AccountID,
			APIID:        d.APIID,
			DomainName:   req.domainName(),
			DomainPrefix: domainPrefix(req.domainName()),
			HTTP: httpDescription{
				Method:    req.Method,
				Path:      rawPath,
				Protocol:  req.Protocol,
				SourceIP:  req.SourceIP,
				UserAgent: req.headerValue("User-Agent"),
			},
			RequestID: ids.RequestID,
			RouteKey:  routeKey,
			Stage:     d.Stage,
			Time:      requestTime(now),
			TimeEpoch: now.UnixMilli(),
		},
	}
	e.Body, e.IsBase64Encoded = httpBody(req)
	return e
}

// httpBody is an HTTP API body and isBase64Encoded: omitted when there is no body; text for
// text-like content types; base64 otherwise. [ministack PR#766 AWS check]
func httpBody(req *request) (*string, bool) {
	if len(req.Body) == 0 {
		return nil, false
	}
	if httpAPIBodyIsText(req.headerValue("Content-Type")) {
		s := restTextBody(req.Body)
		return &s, false
	}
	s := base64.StdEncoding.EncodeToString(req.Body)
	return &s, true
}

// httpHeaders builds payload 2.0's headers — names lower-cased, repeated headers joined with
// ',' — and takes the Cookie header out into cookies. The gateway adds host,
// x-amzn-trace-id, x-forwarded-for/-port/-proto and content-length (even "0" on a GET).
// [AWS-doc; real events]
func httpHeaders(req *request, ids requestIDs) (map[string]string, []string) {
	headers := make(map[string]string, len(req.Header)+6)
	var cookies []string
	for name, values := range req.Header {
		if len(values) == 0 || droppedFromEvent(HTTP, name) || gatewaySetsHeader(name) || strings.EqualFold(name, "content-length") {
			continue
		}
		if strings.EqualFold(name, "cookie") {
			for _, v := range values {
				cookies = append(cookies, splitCookies(v)...)
			}
			continue
		}
		headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	for _, h := range gatewayHeaders(req, ids) {
		headers[strings.ToLower(h[0])] = h[1]
	}
	headers["content-length"] = strconv.Itoa(len(req.Body))
	return headers, cookies
}
