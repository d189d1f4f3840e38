package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// The events encode themselves. encoding/json finds each field by reflection and then
// validates and compacts again whatever a field's MarshalJSON returned (the string maps); on a
// small request that was a third of the proxy's own work. These write the same bytes in the
// same order — the struct tags stay the specification — and FuzzEventsEncodeAsEncodingJSON
// holds them to encoding/json byte for byte (HTML escaping off, as marshalEvent has it).

// appendJSON appends e as encoding/json encodes it.
func (e *restEvent) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	if e.Version != "" {
		b = appendJSONString(append(b, `"version":`...), e.Version)
		b = append(b, ',')
	}
	b = appendJSONString(append(b, `"resource":`...), e.Resource)
	b = appendJSONString(append(b, `,"path":`...), e.Path)
	b = appendJSONString(append(b, `,"httpMethod":`...), e.HTTPMethod)
	b = appendMap(append(b, `,"headers":`...), e.Headers, appendJSONString)
	b = appendMap(append(b, `,"multiValueHeaders":`...), e.MultiValueHeaders, appendJSONList)
	b = appendMap(append(b, `,"queryStringParameters":`...), e.QueryStringParameters, appendJSONString)
	b = appendMap(append(b, `,"multiValueQueryStringParameters":`...), e.MultiValueQueryStringParameters, appendJSONList)
	b = appendMap(append(b, `,"pathParameters":`...), e.PathParameters, appendJSONString)
	b = appendMap(append(b, `,"stageVariables":`...), e.StageVariables, appendJSONString)
	b, err := e.RequestContext.appendJSON(append(b, `,"requestContext":`...))
	if err != nil {
		return nil, err
	}
	b = appendJSONStringPtr(append(b, `,"body":`...), e.Body)
	b = strconv.AppendBool(append(b, `,"isBase64Encoded":`...), e.IsBase64Encoded)
	return append(b, '}'), nil
}

func (c *restContext) appendJSON(b []byte) ([]byte, error) {
	b = appendJSONString(append(b, `{"accountId":`...), c.AccountID)
	b = appendJSONString(append(b, `,"apiId":`...), c.APIID)
	b, err := appendRawMember(b, "authorizer", c.Authorizer)
	if err != nil {
		return nil, err
	}
	if c.DeploymentID != "" {
		b = appendJSONString(append(b, `,"deploymentId":`...), c.DeploymentID)
	}
	b = appendJSONString(append(b, `,"domainName":`...), c.DomainName)
	b = appendJSONString(append(b, `,"domainPrefix":`...), c.DomainPrefix)
	b = appendJSONString(append(b, `,"extendedRequestId":`...), c.ExtendedRequestID)
	b = appendJSONString(append(b, `,"httpMethod":`...), c.HTTPMethod)
	if b, err = c.Identity.appendJSON(append(b, `,"identity":`...)); err != nil {
		return nil, err
	}
	if c.OperationName != "" {
		b = appendJSONString(append(b, `,"operationName":`...), c.OperationName)
	}
	b = appendJSONString(append(b, `,"path":`...), c.Path)
	b = appendJSONString(append(b, `,"protocol":`...), c.Protocol)
	b = appendJSONString(append(b, `,"requestId":`...), c.RequestID)
	b = appendJSONString(append(b, `,"requestTime":`...), c.RequestTime)
	b = strconv.AppendInt(append(b, `,"requestTimeEpoch":`...), c.RequestTimeEpoch, 10)
	b = appendJSONStringPtr(append(b, `,"resourceId":`...), c.ResourceID)
	b = appendJSONString(append(b, `,"resourcePath":`...), c.ResourcePath)
	b = appendJSONString(append(b, `,"stage":`...), c.Stage)
	return append(b, '}'), nil
}

func (id *restIdentity) appendJSON(b []byte) ([]byte, error) {
	b = appendJSONStringPtr(append(b, `{"accessKey":`...), id.AccessKey)
	b = appendJSONStringPtr(append(b, `,"accountId":`...), id.AccountID)
	if id.APIKey != nil {
		b = appendJSONStringPtr(append(b, `,"apiKey":`...), id.APIKey)
	}
	if id.APIKeyID != nil {
		b = appendJSONStringPtr(append(b, `,"apiKeyId":`...), id.APIKeyID)
	}
	b = appendJSONStringPtr(append(b, `,"caller":`...), id.Caller)
	b, err := appendRawMember(b, "clientCert", id.ClientCert)
	if err != nil {
		return nil, err
	}
	b = appendJSONStringPtr(append(b, `,"cognitoAuthenticationProvider":`...), id.CognitoAuthenticationProvider)
	b = appendJSONStringPtr(append(b, `,"cognitoAuthenticationType":`...), id.CognitoAuthenticationType)
	b = appendJSONStringPtr(append(b, `,"cognitoIdentityId":`...), id.CognitoIdentityID)
	b = appendJSONStringPtr(append(b, `,"cognitoIdentityPoolId":`...), id.CognitoIdentityPoolID)
	b = appendJSONStringPtr(append(b, `,"principalOrgId":`...), id.PrincipalOrgID)
	b = appendJSONStringPtr(append(b, `,"sourceIp":`...), id.SourceIP)
	b = appendJSONStringPtr(append(b, `,"user":`...), id.User)
	b = appendJSONStringPtr(append(b, `,"userAgent":`...), id.UserAgent)
	b = appendJSONStringPtr(append(b, `,"userArn":`...), id.UserArn)
	return append(b, '}'), nil
}

// appendJSON appends e as encoding/json encodes it.
func (e *httpEvent) appendJSON(b []byte) ([]byte, error) {
	b = appendJSONString(append(b, `{"version":`...), e.Version)
	b = appendJSONString(append(b, `,"routeKey":`...), e.RouteKey)
	b = appendJSONString(append(b, `,"rawPath":`...), e.RawPath)
	b = appendJSONString(append(b, `,"rawQueryString":`...), e.RawQueryString)
	if len(e.Cookies) > 0 {
		b = appendJSONList(append(b, `,"cookies":`...), e.Cookies)
	}
	b = appendMap(append(b, `,"headers":`...), e.Headers, appendJSONString)
	if len(e.QueryStringParameters) > 0 {
		b = appendMap(append(b, `,"queryStringParameters":`...), e.QueryStringParameters, appendJSONString)
	}
	if len(e.PathParameters) > 0 {
		b = appendMap(append(b, `,"pathParameters":`...), e.PathParameters, appendJSONString)
	}
	if len(e.StageVariables) > 0 {
		b = appendMap(append(b, `,"stageVariables":`...), e.StageVariables, appendJSONString)
	}
	b, err := e.RequestContext.appendJSON(append(b, `,"requestContext":`...))
	if err != nil {
		return nil, err
	}
	if e.Body != nil {
		b = appendJSONString(append(b, `,"body":`...), *e.Body)
	}
	b = strconv.AppendBool(append(b, `,"isBase64Encoded":`...), e.IsBase64Encoded)
	return append(b, '}'), nil
}

func (c *httpContext) appendJSON(b []byte) ([]byte, error) {
	b = appendJSONString(append(b, `{"accountId":`...), c.AccountID)
	b = appendJSONString(append(b, `,"apiId":`...), c.APIID)
	b, err := appendRawMember(b, "authentication", c.Authentication)
	if err != nil {
		return nil, err
	}
	if b, err = appendRawMember(b, "authorizer", c.Authorizer); err != nil {
		return nil, err
	}
	b = appendJSONString(append(b, `,"domainName":`...), c.DomainName)
	b = appendJSONString(append(b, `,"domainPrefix":`...), c.DomainPrefix)
	h := &c.HTTP
	b = appendJSONString(append(b, `,"http":{"method":`...), h.Method)
	b = appendJSONString(append(b, `,"path":`...), h.Path)
	b = appendJSONString(append(b, `,"protocol":`...), h.Protocol)
	b = appendJSONString(append(b, `,"sourceIp":`...), h.SourceIP)
	b = appendJSONString(append(b, `,"userAgent":`...), h.UserAgent)
	b = appendJSONString(append(b, `},"requestId":`...), c.RequestID)
	b = appendJSONString(append(b, `,"routeKey":`...), c.RouteKey)
	b = appendJSONString(append(b, `,"stage":`...), c.Stage)
	b = appendJSONString(append(b, `,"time":`...), c.Time)
	b = strconv.AppendInt(append(b, `,"timeEpoch":`...), c.TimeEpoch, 10)
	return append(b, '}'), nil
}

// appendJSONStringPtr appends *s, or null when s is nil.
func appendJSONStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

// appendRawMember appends `,"key":raw` compacted, as encoding/json writes a json.RawMessage
// field tagged omitempty: nothing when raw is empty, an error when it is not JSON.
func appendRawMember(b []byte, key string, raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return b, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", key, err)
	}
	b = append(append(append(b, `,"`...), key...), `":`...)
	return append(b, buf.Bytes()...), nil
}
