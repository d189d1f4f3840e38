package proxy

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
)

// checkEncodesAsEncodingJSON fails unless e writes what encoding/json writes for it (by
// reflection on the struct tags, HTML escaping off).
func checkEncodesAsEncodingJSON(t *testing.T, e eventEncoder) {
	t.Helper()
	want := encodingJSON(t, e)
	got, err := marshalEvent(e, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the event encodes as\n%s\nencoding/json as\n%s", got, want)
	}
}

func TestEventsEncodeAsEncodingJSON(t *testing.T) {
	t.Parallel()
	t.Run("every fixture, decoded into the event structs", func(t *testing.T) {
		t.Parallel()
		names, err := fs.Glob(fixtures, "testdata/apigw-*request*.json")
		if err != nil || len(names) == 0 {
			t.Fatalf("no request fixtures: %v", err)
		}
		for _, name := range names {
			raw := fixture(t, strings.TrimPrefix(name, "testdata/"))
			for _, e := range []eventEncoder{new(restEvent), new(httpEvent)} {
				if err := json.Unmarshal(raw, e); err != nil {
					continue // the other payload version's shape
				}
				checkEncodesAsEncodingJSON(t, e)
			}
		}
	})
	cases := []struct {
		rule          string
		s             string
		optionalEmpty bool
	}{
		{"every optional field set", "text", false},
		{"every optional field empty", "", true},
		{"strings escaped as encoding/json escapes them", "a\"b\\c\n\x01<&>\xff\u2028日本", false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			checkEncodesAsEncodingJSON(t, filledRESTEvent(c.s, c.optionalEmpty))
			checkEncodesAsEncodingJSON(t, filledHTTPEvent(c.s, c.optionalEmpty))
		})
	}
}

func TestEventEncodingRefusesInvalidRawJSON(t *testing.T) {
	t.Parallel()
	e := filledRESTEvent("x", false)
	e.RequestContext.Authorizer = json.RawMessage(`{"a":`)
	if _, err := marshalEvent(e, 0); err == nil || !strings.Contains(err.Error(), "authorizer") {
		t.Fatalf("got %v, want an error naming the authorizer", err)
	}
}

func FuzzEventsEncodeAsEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "a\"b\\", "\x00\x1f\x7f", "<>&", "\xff\xfe", "\u2028\u2029", "日本語"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, optionalEmpty bool) {
		checkEncodesAsEncodingJSON(t, filledRESTEvent(s, optionalEmpty))
		checkEncodesAsEncodingJSON(t, filledHTTPEvent(s, optionalEmpty))
	})
}

// filledRESTEvent sets every field from s; optionalEmpty leaves the omitempty and nullable
// fields empty (nil maps and pointers, empty strings) instead.
func filledRESTEvent(s string, optionalEmpty bool) *restEvent {
	p := func() *string { v := s + "p"; return &v }
	m := eventMap{s: s + "v", "k": s}
	lm := eventListMap{s: {s, s + "2"}, "k": nil, "e": {}}
	raw := json.RawMessage(` { "raw" : [1, "` + strings.ToValidUTF8(strings.Map(printable, s), "") + `"] } `)
	e := &restEvent{
		Version: s + "1.0", Resource: s + "/r", Path: s + "/p", HTTPMethod: s + "GET",
		Headers: m, MultiValueHeaders: lm, QueryStringParameters: m, MultiValueQueryStringParameters: lm,
		PathParameters: m, StageVariables: eventMap{}, Body: p(), IsBase64Encoded: true,
		RequestContext: restContext{
			AccountID: s + "a", APIID: s + "i", Authorizer: raw, DeploymentID: s + "d",
			DomainName: s + "n", DomainPrefix: s + "x", ExtendedRequestID: s + "e", HTTPMethod: s + "m",
			OperationName: s + "o", Path: s + "/p", Protocol: s + "HTTP/1.1", RequestID: s + "r",
			RequestTime: s + "t", RequestTimeEpoch: int64(len(s)) - 1<<40, ResourceID: p(), ResourcePath: s + "/r", Stage: s + "s",
			Identity: restIdentity{
				AccessKey: p(), AccountID: p(), APIKey: p(), APIKeyID: p(), Caller: p(), ClientCert: raw,
				CognitoAuthenticationProvider: p(), CognitoAuthenticationType: p(), CognitoIdentityID: p(),
				CognitoIdentityPoolID: p(), PrincipalOrgID: p(), SourceIP: p(), User: p(), UserAgent: p(), UserArn: p(),
			},
		},
	}
	if optionalEmpty {
		e.Version, e.Headers, e.MultiValueHeaders, e.QueryStringParameters = "", nil, nil, nil
		e.MultiValueQueryStringParameters, e.PathParameters, e.StageVariables, e.Body = nil, nil, nil, nil
		e.IsBase64Encoded = false
		rc := &e.RequestContext
		rc.Authorizer, rc.DeploymentID, rc.OperationName, rc.ResourceID = nil, "", "", nil
		rc.Identity = restIdentity{}
	}
	return e
}

// filledHTTPEvent is filledRESTEvent for payload 2.0.
func filledHTTPEvent(s string, optionalEmpty bool) *httpEvent {
	body := s + "b"
	m := eventMap{s: s + "v", "k": s}
	raw := json.RawMessage(`{"jwt": {"claims": {"a": "b"}, "scopes": null}}`)
	e := &httpEvent{
		Version: s + "2.0", RouteKey: s + "GET /", RawPath: s + "/p", RawQueryString: s + "q",
		Cookies: []string{s, s + "c"}, Headers: m, QueryStringParameters: m, PathParameters: m,
		StageVariables: m, Body: &body, IsBase64Encoded: true,
		RequestContext: httpContext{
			AccountID: s + "a", APIID: s + "i", Authentication: raw, Authorizer: raw,
			DomainName: s + "n", DomainPrefix: s + "x",
			HTTP:      httpDescription{Method: s + "m", Path: s + "/p", Protocol: s + "HTTP/1.1", SourceIP: s + "ip", UserAgent: s + "ua"},
			RequestID: s + "r", RouteKey: s + "k", Stage: s + "s", Time: s + "t", TimeEpoch: int64(len(s)) + 1<<40,
		},
	}
	if optionalEmpty {
		e.Cookies, e.Headers, e.QueryStringParameters, e.PathParameters = nil, nil, eventMap{}, nil
		e.StageVariables, e.Body, e.IsBase64Encoded = nil, nil, false
		e.RequestContext.Authentication, e.RequestContext.Authorizer = nil, json.RawMessage{}
	}
	return e
}

// printable keeps the characters that can stand in a JSON string literal unescaped.
func printable(r rune) rune {
	if r < 0x20 || r == '"' || r == '\\' {
		return -1
	}
	return r
}
