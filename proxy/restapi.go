package proxy

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// restEvent is the payload 1.0 event (REST API Lambda proxy integration; with Version "1.0"
// also an HTTP API payload 1.0 event). It is marshalled from this struct rather than from
// events.APIGatewayProxyRequest so that the JSON matches AWS field by field: body is null when
// there is none, isBase64Encoded is always present, identity fields are explicit nulls, and
// there is no "authorizer" key without an authorizer. Handlers using aws-lambda-go decode it
// into events.APIGatewayProxyRequest as usual.
type restEvent struct {
	Version                         string       `json:"version,omitempty"`
	Resource                        string       `json:"resource"`
	Path                            string       `json:"path"`
	HTTPMethod                      string       `json:"httpMethod"`
	Headers                         eventMap     `json:"headers"`
	MultiValueHeaders               eventListMap `json:"multiValueHeaders"`
	QueryStringParameters           eventMap     `json:"queryStringParameters"`
	MultiValueQueryStringParameters eventListMap `json:"multiValueQueryStringParameters"`
	PathParameters                  eventMap     `json:"pathParameters"`
	StageVariables                  eventMap     `json:"stageVariables"`
	RequestContext                  restContext  `json:"requestContext"`
	Body                            *string      `json:"body"`
	IsBase64Encoded                 bool         `json:"isBase64Encoded"`
}

type restContext struct {
	AccountID         string          `json:"accountId"`
	APIID             string          `json:"apiId"`
	Authorizer        json.RawMessage `json:"authorizer,omitempty"` // only with an authorizer; the proxy sets none
	DeploymentID      string          `json:"deploymentId,omitempty"`
	DomainName        string          `json:"domainName"`
	DomainPrefix      string          `json:"domainPrefix"`
	ExtendedRequestID string          `json:"extendedRequestId"`
	HTTPMethod        string          `json:"httpMethod"`
	Identity          restIdentity    `json:"identity"`
	OperationName     string          `json:"operationName,omitempty"`
	Path              string          `json:"path"`
	Protocol          string          `json:"protocol"`
	RequestID         string          `json:"requestId"`
	RequestTime       string          `json:"requestTime"`
	RequestTimeEpoch  int64           `json:"requestTimeEpoch"`
	ResourceID        *string         `json:"resourceId"` // null on HTTP API payload 1.0
	ResourcePath      string          `json:"resourcePath"`
	Stage             string          `json:"stage"`
}

// restIdentity is requestContext.identity: every key present, null when not applicable.
// [AWS-validated] apiKey/apiKeyId and clientCert appear only with API keys or mTLS.
type restIdentity struct {
	AccessKey                     *string         `json:"accessKey"`
	AccountID                     *string         `json:"accountId"`
	APIKey                        *string         `json:"apiKey,omitempty"`
	APIKeyID                      *string         `json:"apiKeyId,omitempty"`
	Caller                        *string         `json:"caller"`
	ClientCert                    json.RawMessage `json:"clientCert,omitempty"`
	CognitoAuthenticationProvider *string         `json:"cognitoAuthenticationProvider"`
	CognitoAuthenticationType     *string         `json:"cognitoAuthenticationType"`
	CognitoIdentityID             *string         `json:"cognitoIdentityId"`
	CognitoIdentityPoolID         *string         `json:"cognitoIdentityPoolId"`
	PrincipalOrgID                *string         `json:"principalOrgId"`
	SourceIP                      *string         `json:"sourceIp"`
	User                          *string         `json:"user"`
	UserAgent                     *string         `json:"userAgent"`
	UserArn                       *string         `json:"userArn"`
}

// deployment is what the gateway knows about the API it emulates; fixed at start.
type deployment struct {
	API              API
	APIID            string
	AccountID        string
	DeploymentID     string
	Stage            string
	StageVariables   map[string]string
	BinaryMediaTypes []string
	PayloadVersion   string // HTTP API only: "2.0" or "1.0"
}

// restAPIEvent translates a request matched to a REST API resource into the REST event.
// [AWS-validated field by field unless a helper says otherwise]
func restAPIEvent(req *request, m Match, d *deployment, ids requestIDs, now time.Time) *restEvent {
	single, multi := restHeaders(req, ids)
	query, multiQuery := restQueryMaps(parseQuery(req.RawQuery))
	resource := m.Route.Path
	resourceID := stableID(d.APIID+" "+resource, 6)
	e := &restEvent{
		Resource:                        resource,
		Path:                            restPath(req.Path),
		HTTPMethod:                      req.Method,
		Headers:                         single,
		MultiValueHeaders:               multi,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: multiQuery,
		PathParameters:                  restPathParameters(resource, m.PathParams),
		StageVariables:                  d.StageVariables,
		RequestContext: restContext{
			AccountID:         d.AccountID,
			APIID:             d.APIID,
			DeploymentID:      d.DeploymentID,
			DomainName:        req.domainName(),
			DomainPrefix:      domainPrefix(req.domainName()),
			ExtendedRequestID: ids.ExtendedRequestID,
			HTTPMethod:        req.Method,
			Identity:          identityFor(req),
			Path:              restContextPath(d.Stage, req.Path),
			Protocol:          req.Protocol,
			RequestID:         ids.RequestID,
			RequestTime:       requestTime(now),
			RequestTimeEpoch:  now.UnixMilli(),
			ResourceID:        &resourceID,
			ResourcePath:      resource,
			Stage:             d.Stage,
		},
	}
	e.Body, e.IsBase64Encoded = restBody(req, d.BinaryMediaTypes)
	return e
}

// identityFor fills requestContext.identity: sourceIp and userAgent from the client, every
// other key null. [AWS-validated]
func identityFor(req *request) restIdentity {
	ip := req.SourceIP
	id := restIdentity{SourceIP: &ip}
	if ua := req.headerValue("User-Agent"); ua != "" {
		id.UserAgent = &ua
	}
	return id
}

// restBody is REST's body and isBase64Encoded: null when the request has no body; base64 when
// the Content-Type matches binaryMediaTypes; otherwise the text. [AWS-validated null; AWS-doc]
func restBody(req *request, binaryMediaTypes []string) (*string, bool) {
	if len(req.Body) == 0 {
		return nil, false
	}
	if matchesBinaryMediaType(req.headerValue("Content-Type"), binaryMediaTypes) {
		s := base64.StdEncoding.EncodeToString(req.Body)
		return &s, true
	}
	s := restTextBody(req.Body)
	return &s, false
}

// restHeaders builds REST's headers (last value of each) and multiValueHeaders (every value),
// with the gateway's additions: Host, X-Forwarded-For/-Port/-Proto and X-Amzn-Trace-Id
// (regional endpoint: no CloudFront headers); Content-Length and Connection left out.
// [AWS-validated]
func restHeaders(req *request, ids requestIDs) (map[string]string, map[string][]string) {
	n := len(req.Header) + 5
	single := make(map[string]string, n)
	multi := make(map[string][]string, n)
	for name, values := range req.Header {
		if len(values) == 0 || droppedFromEvent(REST, name) || gatewaySetsHeader(name) {
			continue
		}
		if sent, ok := req.Names[name]; ok {
			name = sent
		}
		name = restHeaderName(name)
		single[name] = values[len(values)-1]
		multi[name] = values
	}
	for _, h := range gatewayHeaders(req, ids) {
		single[h[0]] = h[1]
		multi[h[0]] = []string{h[1]}
	}
	return single, multi
}

// gatewaySetsHeader reports the request headers API Gateway sets itself, replacing what the
// client sent. [AWS-validated names]
func gatewaySetsHeader(name string) bool {
	switch strings.ToLower(name) {
	case "host", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id":
		return true
	}
	return false
}

// gatewayHeaders are the headers API Gateway adds to the event, REST-cased: Host (the host the
// client used), X-Amzn-Trace-Id, X-Forwarded-For (client IP, appended to the client's own),
// X-Forwarded-Port and X-Forwarded-Proto. Locally the port and scheme are the real ones of
// the connection (AWS: 443 and https). [AWS-validated names; local values by design]
func gatewayHeaders(req *request, ids requestIDs) [][2]string {
	return [][2]string{
		{"Host", req.Host},
		{"X-Amzn-Trace-Id", ids.TraceID},
		{"X-Forwarded-For", forwardedFor(strings.Join(req.Header.Values("X-Forwarded-For"), ", "), req.SourceIP)},
		{"X-Forwarded-Port", req.Port},
		{"X-Forwarded-Proto", req.Scheme},
	}
}
