package proxy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// reply is the HTTP response the gateway sends for a function's answer.
type reply struct {
	Status int
	// Header holds the fields in the order they go out, names as the function spelt them.
	Header []headerField
	Body   []byte
}

type headerField struct{ Name, Value string }

// get returns the first value of a header, matched case-insensitively.
func (r *reply) get(name string) (string, bool) {
	for _, h := range r.Header {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// responseError is a function answer the gateway cannot turn into a response.
type responseError struct {
	kind   errorKind
	reason string
}

func (e *responseError) Error() string { return "invalid function response: " + e.reason }

func malformed(format string, args ...any) error {
	return &responseError{kind: kindMalformedResponse, reason: fmt.Sprintf(format, args...)}
}

// restResponseKeys are the only keys a REST proxy response may have; any other key makes the
// gateway answer 502. [AWS-validated, LocalStack test_aws_proxy_response_payload_format_validation]
var restResponseKeys = []string{"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}

// parseRESTResponse turns a REST proxy integration answer into the HTTP response. Every key is
// optional (a missing statusCode means 200); unknown keys, a non-object payload, a bad
// statusCode or badly typed headers are malformed (502). The body is base64-decoded only as
// decodesRESTBody says; invalid base64 then is a 500. [AWS-validated]
func parseRESTResponse(payload []byte, accept string, binaryMediaTypes []string) (*reply, error) {
	obj, err := responseObject(payload)
	if err != nil {
		return nil, err
	}
	for k := range obj {
		if !slices.Contains(restResponseKeys, k) {
			return nil, malformed("key %q is not allowed in a REST API proxy response", k)
		}
	}
	return parseV1Object(obj, false, func(b64 bool) bool { return decodesRESTBody(b64, accept, binaryMediaTypes) })
}

// parseHTTPV1Response turns an HTTP API payload 1.0 answer into the HTTP response: the REST
// format, but statusCode is required, unknown keys are ignored and isBase64Encoded: true is
// always decoded (HTTP APIs have no binaryMediaTypes). Any failure is a 500. [SAM; AWS-doc]
func parseHTTPV1Response(payload []byte) (*reply, error) {
	obj, err := responseObject(payload)
	if err != nil {
		return nil, err
	}
	return parseV1Object(obj, true, alwaysDecode)
}

func responseObject(payload []byte) (map[string]json.RawMessage, error) {
	if !json.Valid(payload) {
		return nil, malformed("the function's answer is not a JSON object")
	}
	obj, ok := objectMembers(payload)
	if !ok {
		return nil, malformed("the function's answer is not a JSON object")
	}
	return obj, nil
}

func parseV1Object(obj map[string]json.RawMessage, requireStatus bool, decode func(bool) bool) (*reply, error) {
	r := &reply{Status: 200}
	if raw, ok := obj["statusCode"]; ok && !isNull(raw) {
		code, ok := parseStatusCode(raw)
		if !ok {
			return nil, malformed("statusCode %s is not an HTTP status code", raw)
		}
		r.Status = code
	} else if requireStatus {
		return nil, malformed("statusCode is missing (payload format 1.0 requires it)")
	}
	single, err := stringMap(obj["headers"])
	if err != nil {
		return nil, err
	}
	multi, err := listMap(obj["multiValueHeaders"])
	if err != nil {
		return nil, err
	}
	r.Header = mergeRESTResponseHeaders(single, multi)
	if r.Body, err = objectBody(obj, decode); err != nil {
		return nil, err
	}
	defaultContentType(r)
	return r, nil
}

// parseHTTPV2Response turns an HTTP API payload 2.0 answer into the HTTP response.
//
// Without statusCode (a string, a number, an object without statusCode) the gateway infers
// the response: 200, content-type application/json, the answer as the body. [AWS-doc] The
// body is the raw JSON of the answer ("Hello" keeps its quotes) unless stripStringQuotes is
// set, which gives SAM's behaviour (quotes stripped). The AWS doc example shows an unquoted
// string; function URLs are documented with the quotes kept: [Unverified which one HTTP APIs do].
//
// With statusCode: statusCode (int or numeric string), headers, body, isBase64Encoded (true is
// always decoded), cookies (each its own Set-Cookie; a non-array is ignored); other keys,
// multiValueHeaders included, are ignored. [AWS-doc; SAM]
func parseHTTPV2Response(payload []byte, stripStringQuotes bool) (*reply, error) {
	trimmed := bytes.TrimSpace(payload)
	if !json.Valid(trimmed) {
		return nil, malformed("the function's answer is not JSON")
	}
	var obj map[string]json.RawMessage
	if trimmed[0] == '{' {
		obj, _ = objectMembers(trimmed)
	}
	if _, ok := obj["statusCode"]; !ok {
		return inferredHTTPResponse(trimmed, stripStringQuotes), nil
	}
	code, ok := parseStatusCode(obj["statusCode"])
	if !ok {
		return nil, malformed("statusCode %s is not an HTTP status code", obj["statusCode"])
	}
	r := &reply{Status: code}
	headers, err := stringMap(obj["headers"])
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(headers) {
		r.Header = append(r.Header, headerField{name, headers[name]})
	}
	for _, c := range cookieList(obj["cookies"]) {
		r.Header = append(r.Header, headerField{"Set-Cookie", c})
	}
	if r.Body, err = objectBody(obj, alwaysDecode); err != nil {
		return nil, err
	}
	defaultContentType(r)
	return r, nil
}

// inferredHTTPResponse is the payload 2.0 inference rule for an answer without statusCode.
// [AWS-doc]
func inferredHTTPResponse(payload []byte, stripStringQuotes bool) *reply {
	body := payload
	if stripStringQuotes && payload[0] == '"' {
		var s string
		if json.Unmarshal(payload, &s) == nil {
			body = []byte(s)
		}
	}
	return &reply{Status: 200, Header: []headerField{{"Content-Type", "application/json"}}, Body: body}
}

// defaultContentType adds Content-Type: application/json when the function set none.
// [AWS-validated for REST; AWS-doc for HTTP APIs]
func defaultContentType(r *reply) {
	if _, ok := r.get("Content-Type"); !ok {
		r.Header = append(r.Header, headerField{"Content-Type", "application/json"})
	}
}

// mergeRESTResponseHeaders merges a payload 1.0 answer's headers into its multiValueHeaders:
// for each name (case-insensitive), the multiValueHeaders values first, then the headers value
// unless it is already among them; the name keeps the multiValueHeaders casing.
// [AWS-validated; AWS-doc "only the values from multiValueHeaders will appear" for a
// duplicate pair] Each value goes out as its own header line, which is how Set-Cookie must
// travel; AWS's observed "a, b" is the same field folded (RFC 9110 §5.3).
func mergeRESTResponseHeaders(single map[string]string, multi map[string][]string) []headerField {
	var out []headerField
	used := make(map[string]bool, len(single))
	for _, name := range sortedKeys(multi) {
		values := multi[name]
		for sname, v := range single {
			if strings.EqualFold(sname, name) {
				used[sname] = true
				if !slices.Contains(values, v) {
					values = append(slices.Clip(values), v)
				}
			}
		}
		for _, v := range values {
			out = append(out, headerField{name, v})
		}
	}
	for _, name := range sortedKeys(single) {
		if !used[name] {
			out = append(out, headerField{name, single[name]})
		}
	}
	return out
}

// objectBody is the body of a response object: its body string, base64-decoded when
// decode(isBase64Encoded) says so.
func objectBody(obj map[string]json.RawMessage, decode func(isBase64Encoded bool) bool) ([]byte, error) {
	body, err := bodyString(obj["body"])
	if err != nil {
		return nil, err
	}
	b64, err := boolValue(obj["isBase64Encoded"], "isBase64Encoded")
	if err != nil {
		return nil, err
	}
	return responseBody(body, decode(b64))
}

// alwaysDecode decodes a body whenever isBase64Encoded is true: HTTP APIs have no
// binaryMediaTypes.
func alwaysDecode(isBase64Encoded bool) bool { return isBase64Encoded }

// responseBody is the body bytes: the text as is, or base64-decoded when decode is set.
// Invalid base64 is a 500 on both API kinds. [AWS-validated for REST]
func responseBody(body string, decode bool) ([]byte, error) {
	if !decode {
		return []byte(body), nil
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, &responseError{kind: kindBadBase64, reason: "body is not valid base64 although isBase64Encoded is true"}
	}
	return b, nil
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// stringMap decodes a headers object whose values are strings or booleans (true → "true").
// [AWS-validated for strings and booleans; numbers are accepted too (Unverified)]
func stringMap(raw json.RawMessage) (map[string]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	m, ok := objectMembers(raw) // raw is part of a valid document
	if !ok {
		return nil, malformed("headers is not an object")
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := scalarString(v)
		if !ok {
			return nil, malformed("header %q has a value that is not a string: %s", k, v)
		}
		out[k] = s
	}
	return out, nil
}

// listMap decodes multiValueHeaders: every value must be an array ("value1" → 502).
// [AWS-validated]
func listMap(raw json.RawMessage) (map[string][]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	var m map[string][]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, malformed("multiValueHeaders is not an object of arrays")
	}
	out := make(map[string][]string, len(m))
	for k, vs := range m {
		list := make([]string, 0, len(vs))
		for _, v := range vs {
			s, ok := scalarString(v)
			if !ok {
				return nil, malformed("multiValueHeaders %q holds a value that is not a string: %s", k, v)
			}
			list = append(list, s)
		}
		out[k] = list
	}
	return out, nil
}

func scalarString(v json.RawMessage) (string, bool) {
	switch {
	case len(v) > 0 && v[0] == '"':
		return jsonString(v), true // v is part of a valid document
	case string(v) == "true", string(v) == "false":
		return string(v), true
	}
	if _, err := strconv.ParseFloat(string(v), 64); err == nil {
		return string(v), true
	}
	return "", false
}

// bodyString decodes body: a string, or null/missing for an empty body. Another type is
// malformed. [AWS-validated for null; non-string bodies Unverified — SAM stringifies them,
// serverless-offline answers 502, as this does]
func bodyString(raw json.RawMessage) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	if raw[0] != '"' { // raw is part of a valid document
		return "", malformed("body is not a string: %s", raw)
	}
	return jsonString(raw), nil
}

func boolValue(raw json.RawMessage, key string) (bool, error) {
	if isNull(raw) {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, malformed("%s is not a boolean: %s", key, raw)
	}
	return b, nil
}

// cookieList decodes payload 2.0's cookies: an array of strings; a non-array value is ignored
// and so are non-string entries. [SAM]
func cookieList(raw json.RawMessage) []string {
	var list []json.RawMessage
	if isNull(raw) || json.Unmarshal(raw, &list) != nil {
		return nil
	}
	var out []string
	for _, v := range list {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out = append(out, s)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
