package proxy

// One named helper per API Gateway rule. Each comment states the rule and how well it is
// verified (tags as in apigw-spec.md: [AWS-validated], [AWS-doc], [SAM], [Unverified]).

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// queryParam is one name=value pair of a query string, decoded, in the order received.
type queryParam struct{ Name, Value string }

// parseQuery splits a raw query string the way API Gateway does: pairs on '&', name and value
// on the first '=', each decoded with '+' as space ("%2B" → "+", "%3D" → "="). A key without
// '=' has the value "". Empty pairs are skipped. A ';' is an ordinary character (net/url's
// ParseQuery would reject it). A malformed escape such as "%zz" is kept as sent. [AWS-validated
// for decoding; malformed escapes Unverified]
func parseQuery(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	params := make([]queryParam, 0, strings.Count(raw, "&")+1)
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		params = append(params, queryParam{queryUnescape(name), queryUnescape(value)})
	}
	return params
}

func queryUnescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// restQueryMaps builds REST's queryStringParameters (a repeated key keeps its last value) and
// multiValueQueryStringParameters (every value, in order). Both are nil — JSON null — when the
// request has no query. [AWS-validated]
func restQueryMaps(params []queryParam) (map[string]string, map[string][]string) {
	if len(params) == 0 {
		return nil, nil
	}
	single := make(map[string]string, len(params))
	multi := make(map[string][]string, len(params))
	for _, p := range params {
		single[p.Name] = p.Value
		multi[p.Name] = append(multi[p.Name], p.Value)
	}
	return single, multi
}

// httpQueryMap builds payload 2.0's queryStringParameters: decoded, a repeated key's values
// joined with ',' ("value1,value2"); nil (omitted) when there is no query. [AWS-doc]
func httpQueryMap(params []queryParam) map[string]string {
	if len(params) == 0 {
		return nil
	}
	m := make(map[string]string, len(params))
	for _, p := range params {
		if v, ok := m[p.Name]; ok {
			m[p.Name] = v + "," + p.Value
		} else {
			m[p.Name] = p.Value
		}
	}
	return m
}

// restHeaderName is the name REST puts in the event: the client's casing (tEsT-HEADeR stays
// tEsT-HEADeR), except that Authorization and User-Agent come out Pascal-cased whatever the
// client sent. [AWS-validated] The client's spelling comes from clientHeaderNames.
func restHeaderName(name string) string {
	switch {
	case strings.EqualFold(name, "authorization"):
		return "Authorization"
	case strings.EqualFold(name, "user-agent"):
		return "User-Agent"
	}
	return name
}

// droppedFromEvent reports the request headers API Gateway leaves out of the event:
// Content-Length and Connection on REST (LocalStack filters them to match AWS)
// [AWS-validated]; Connection on HTTP APIs, which add their own content-length instead
// [Unverified for connection: hop-by-hop, never seen in real v2 events].
func droppedFromEvent(api API, name string) bool {
	if strings.EqualFold(name, "connection") {
		return true
	}
	return api == REST && strings.EqualFold(name, "content-length")
}

// splitCookies turns a Cookie header into payload 2.0's cookies: split on ';', trimmed, empty
// entries dropped; entries without a name ("=x" or no '=') are dropped too. [AWS-doc;
// nameless filter Unverified]
func splitCookies(header string) []string {
	var cookies []string
	for c := range strings.SplitSeq(header, ";") {
		c = strings.TrimSpace(c)
		if name, _, ok := strings.Cut(c, "="); !ok || strings.TrimSpace(name) == "" {
			continue
		}
		cookies = append(cookies, c)
	}
	return cookies
}

// mediaType is a Content-Type or Accept entry without parameters, trimmed and lower-cased.
func mediaType(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// matchesBinaryMediaType reports whether a media type matches a REST API's binaryMediaTypes:
// exact type/subtype, "type/*" for any subtype, "*/*" for everything; parameters after ';'
// are ignored; a left wildcard ("*/json") is not supported. [AWS-doc; LocalStack helper]
func matchesBinaryMediaType(contentType string, binaryMediaTypes []string) bool {
	mt := mediaType(contentType)
	if mt == "" {
		return false
	}
	for _, b := range binaryMediaTypes {
		b = mediaType(b)
		switch {
		case b == "*/*", b == mt:
			return true
		case strings.HasSuffix(b, "/*") && strings.HasPrefix(mt, b[:len(b)-1]):
			return true
		}
	}
	return false
}

// httpAPIBodyIsText reports whether an HTTP API passes a request body as text: only when the
// Content-Type (parameters ignored, case-insensitive) is text/*, application/json,
// application/xml or application/javascript. Anything else — a missing Content-Type and
// application/x-www-form-urlencoded included — is base64-encoded. There is no
// binaryMediaTypes on HTTP APIs. [ministack PR#766 AWS check; deno_registry2#33]
func httpAPIBodyIsText(contentType string) bool {
	mt := mediaType(contentType)
	switch mt {
	case "application/json", "application/xml", "application/javascript":
		return true
	}
	return strings.HasPrefix(mt, "text/")
}

// restTextBody is a REST text body: the bytes as a UTF-8 string, invalid sequences replaced
// by U+FFFD. [AWS-doc; ministack PR#767]
func restTextBody(body []byte) string {
	if utf8.Valid(body) {
		return string(body)
	}
	return strings.ToValidUTF8(string(body), "\uFFFD")
}

// restPath is REST's top-level path: the request path as received (not decoded, trailing
// slash and interior "//" kept) except that leading slashes collapse into one ("//x" → "/x").
// Local URLs carry no stage, so nothing is stripped. [AWS-validated]
func restPath(rawPath string) string {
	trimmed := strings.TrimLeft(rawPath, "/")
	return rawPath[len(rawPath)-len(trimmed)-1:]
}

// restContextPath is REST's requestContext.path: "/{stage}" followed by the client's raw path,
// slashes as sent ("/stage//hardcoded"). [AWS-validated]
func restContextPath(stage, rawPath string) string { return "/" + stage + rawPath }

// httpRawPath is payload 2.0's rawPath (and requestContext.http.path): the raw path, prefixed
// with "/{stage}" for a named stage and left as is for the $default stage. [real events:
// serverless-wsgi#191, powertools#621, kumo#871]
func httpRawPath(stage, rawPath string) string {
	if stage == "" || stage == "$default" {
		return rawPath
	}
	return "/" + stage + rawPath
}

// restPathParameters is REST's pathParameters: values as in the path, NOT decoded; a greedy
// {name+} value loses a trailing slash ("proxy-value/" → "proxy-value"); nil (null) when the
// resource has none. [AWS-validated]
func restPathParameters(template string, params map[string]string) map[string]string {
	if len(params) == 0 {
		return nil
	}
	out := make(map[string]string, len(params))
	for k, v := range params {
		if strings.Contains(template, "{"+k+"+}") {
			v = strings.TrimSuffix(v, "/")
		}
		out[k] = v
	}
	return out
}

// httpPathParameters is payload 2.0's pathParameters: decoded ("API Gateway decodes
// URL-encoded request parameters"), a value that does not decode kept as sent; nil (omitted)
// when none. [AWS-doc; Unverified for path parameters]
func httpPathParameters(params map[string]string) map[string]string {
	if len(params) == 0 {
		return nil
	}
	out := make(map[string]string, len(params))
	for k, v := range params {
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		out[k] = v
	}
	return out
}

// forwardedFor is the X-Forwarded-For API Gateway sends on a regional endpoint: the client's
// IP, appended to any X-Forwarded-For the client sent. [AWS-validated for the client IP;
// appending Unverified]
func forwardedFor(existing, sourceIP string) string {
	if existing == "" {
		return sourceIP
	}
	return existing + ", " + sourceIP
}

// requestTime formats requestContext.requestTime / time: CLF "dd/MMM/yyyy:HH:mm:ss +0000" in
// UTC. [AWS-validated]
func requestTime(t time.Time) string { return t.UTC().Format("02/Jan/2006:15:04:05 -0700") }

// firstAcceptType is the media type REST uses to negotiate a binary response: the first entry
// of the request's Accept header only, parameters stripped. [AWS-validated]
func firstAcceptType(accept string) string {
	first, _, _ := strings.Cut(accept, ",")
	return mediaType(first)
}

// decodesRESTBody reports whether REST base64-decodes a response body: isBase64Encoded is true
// AND the request's first Accept type matches binaryMediaTypes (Accept "*/*" only when "*/*"
// is configured). The response's own Content-Type does not matter. [AWS-validated]
func decodesRESTBody(isBase64Encoded bool, accept string, binaryMediaTypes []string) bool {
	if !isBase64Encoded {
		return false
	}
	at := firstAcceptType(accept)
	if at == "*/*" {
		for _, b := range binaryMediaTypes {
			if mediaType(b) == "*/*" {
				return true
			}
		}
		return false
	}
	return matchesBinaryMediaType(at, binaryMediaTypes)
}

// isFunctionError reports whether an invoke result is a Lambda function error rather than a
// handler's answer: a JSON object with errorMessage and errorType whose keys are all within
// {errorMessage, errorType, stackTrace, cause}, or that has exactly three keys including
// those two. The RIE drops X-Amz-Function-Error, so the shape is all there is. A handler that
// returns such an object on purpose is taken for an error too (as SAM does). [SAM
// LambdaOutputParser; RIE source]
func isFunctionError(payload []byte) bool {
	if !bytes.Contains(payload, []byte(`"errorType"`)) {
		return false // the common case, without decoding
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(payload, &obj) != nil {
		return false
	}
	_, hasMsg := obj["errorMessage"]
	_, hasType := obj["errorType"]
	if !hasMsg || !hasType {
		return false
	}
	if len(obj) == 3 {
		return true
	}
	for k := range obj {
		switch k {
		case "errorMessage", "errorType", "stackTrace", "cause":
		default:
			return false
		}
	}
	return true
}

// parseStatusCode reads a response statusCode given as a JSON integer or a numeric string
// ("201" → 201). Anything else — "test", 20.5, true — is invalid, as is a code outside
// 100–599. [AWS-validated for int, numeric string and "test"; range Unverified]
func parseStatusCode(raw json.RawMessage) (int, bool) {
	s := string(raw)
	if len(s) >= 2 && s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false
		}
		s = strings.TrimSpace(s)
	}
	code, err := strconv.Atoi(s)
	if err != nil || code < 100 || code > 599 {
		return 0, false
	}
	return code, true
}
