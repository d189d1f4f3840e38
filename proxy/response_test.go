package proxy

import (
	"errors"
	"strings"
	"testing"
)

// fields renders reply headers as "name: value" lines for comparisons.
func fields(r *reply) string {
	var b strings.Builder
	for _, h := range r.Header {
		b.WriteString(h.Name + ": " + h.Value + "\n")
	}
	return b.String()
}

func TestParseRESTResponse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule       string
		payload    string
		accept     string
		types      []string
		wantStatus int
		wantHeader string
		wantBody   string
		wantKind   errorKind
	}{
		{rule: "empty object is 200 with an empty body and the default content type", payload: `{}`,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n"},
		{rule: "headers alone are 200", payload: `{"headers":{"test-header":"value"}}`,
			wantStatus: 200, wantHeader: "test-header: value\nContent-Type: application/json\n"},
		{rule: "statusCode as numeric string", payload: `{"statusCode":"201","body":"x"}`,
			wantStatus: 201, wantHeader: "Content-Type: application/json\n", wantBody: "x"},
		{rule: "non-numeric statusCode is malformed", payload: `{"statusCode":"test"}`, wantKind: kindMalformedResponse},
		{rule: "unknown key is malformed", payload: `{"statusCode":200,"cookies":["a=1"]}`, wantKind: kindMalformedResponse},
		{rule: "bare string is malformed", payload: `"justAString"`, wantKind: kindMalformedResponse},
		{rule: "array is malformed", payload: `[1]`, wantKind: kindMalformedResponse},
		{rule: "null is malformed", payload: `null`, wantKind: kindMalformedResponse},
		{rule: "boolean header value becomes text", payload: `{"headers":{"x-flag":true}}`,
			wantStatus: 200, wantHeader: "x-flag: true\nContent-Type: application/json\n"},
		{rule: "object header value is malformed", payload: `{"headers":{"x":{}}}`, wantKind: kindMalformedResponse},
		{rule: "multiValueHeaders value that is not an array is malformed", payload: `{"multiValueHeaders":{"x":"value1"}}`, wantKind: kindMalformedResponse},
		{rule: "null headers and multiValueHeaders are fine", payload: `{"statusCode":200,"headers":null,"multiValueHeaders":null,"body":"ok"}`,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n", wantBody: "ok"},
		{rule: "headers value merges after multiValueHeaders keeping the multi casing",
			payload:    `{"headers":{"test-multi":"value-solo"},"multiValueHeaders":{"tesT-Multi":["value-multi"]}}`,
			wantStatus: 200, wantHeader: "tesT-Multi: value-multi\ntesT-Multi: value-solo\nContent-Type: application/json\n"},
		{rule: "a pair given in both maps appears once",
			payload:    `{"headers":{"h1":"ValueB"},"multiValueHeaders":{"h1":["ValueA","ValueB","ValueC"]}}`,
			wantStatus: 200, wantHeader: "h1: ValueA\nh1: ValueB\nh1: ValueC\nContent-Type: application/json\n"},
		{rule: "function content type is kept", payload: `{"headers":{"content-type":"text/plain"},"body":"hi"}`,
			wantStatus: 200, wantHeader: "content-type: text/plain\n", wantBody: "hi"},
		{rule: "base64 body is decoded when the first Accept type is binary", payload: `{"body":"aGk=","isBase64Encoded":true}`,
			accept: "image/png", types: []string{"image/png"}, wantStatus: 200, wantHeader: "Content-Type: application/json\n", wantBody: "hi"},
		{rule: "base64 body goes out as text when Accept is not binary", payload: `{"body":"aGk=","isBase64Encoded":true}`,
			accept: "text/html", types: []string{"image/png"}, wantStatus: 200, wantHeader: "Content-Type: application/json\n", wantBody: "aGk="},
		{rule: "invalid base64 when decoding is a 500", payload: `{"body":"!!!","isBase64Encoded":true}`,
			accept: "image/png", types: []string{"image/png"}, wantKind: kindBadBase64},
		{rule: "non-string body is malformed", payload: `{"body":{"a":1}}`, wantKind: kindMalformedResponse},
		{rule: "null body is empty", payload: `{"statusCode":204,"body":null}`, wantStatus: 204, wantHeader: "Content-Type: application/json\n"},
		{rule: "isBase64Encoded that is not a boolean is malformed", payload: `{"isBase64Encoded":"yes"}`, wantKind: kindMalformedResponse},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			r, err := parseRESTResponse([]byte(c.payload), c.accept, c.types)
			checkReply(t, r, err, c.wantStatus, c.wantHeader, c.wantBody, c.wantKind)
		})
	}
}

func checkReply(t *testing.T, r *reply, err error, status int, header, body string, kind errorKind) {
	t.Helper()
	if kind != 0 {
		var re *responseError
		if !errors.As(err, &re) || re.kind != kind {
			t.Fatalf("got %v, %v; want error kind %d", r, err, kind)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != status || fields(r) != header || string(r.Body) != body {
		t.Errorf("got %d\n%s%q\nwant %d\n%s%q", r.Status, fields(r), r.Body, status, header, body)
	}
}

func TestParseHTTPV1Response(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, payload string
		wantStatus    int
		wantHeader    string
		wantBody      string
		wantKind      errorKind
	}{
		{rule: "statusCode is required", payload: `{"body":"x"}`, wantKind: kindMalformedResponse},
		{rule: "unknown keys are ignored", payload: `{"statusCode":200,"body":"x","extra":1}`,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n", wantBody: "x"},
		{rule: "base64 is always decoded", payload: `{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n", wantBody: "hi"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			r, err := parseHTTPV1Response([]byte(c.payload))
			checkReply(t, r, err, c.wantStatus, c.wantHeader, c.wantBody, c.wantKind)
		})
	}
}

func TestParseHTTPV2Response(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, payload string
		strip         bool
		wantStatus    int
		wantHeader    string
		wantBody      string
		wantKind      errorKind
	}{
		{rule: "string without statusCode is inferred as 200 JSON, raw by default", payload: `"Hello from Lambda!"`,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n", wantBody: `"Hello from Lambda!"`},
		{rule: "string quotes stripped in SAM mode", payload: `"Hello from Lambda!"`, strip: true,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n", wantBody: `Hello from Lambda!`},
		{rule: "object without statusCode is the body", payload: `{ "message": "Hello from Lambda!" }`,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n", wantBody: `{ "message": "Hello from Lambda!" }`},
		{rule: "number without statusCode is the body", payload: `42`,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n", wantBody: `42`},
		{rule: "statusCode present uses the structured format", payload: `{"statusCode":201,"headers":{"x-a":"1"},"body":"made"}`,
			wantStatus: 201, wantHeader: "x-a: 1\nContent-Type: application/json\n", wantBody: "made"},
		{rule: "numeric string statusCode", payload: `{"statusCode":"202"}`, wantStatus: 202, wantHeader: "Content-Type: application/json\n"},
		{rule: "zero statusCode is an error", payload: `{"statusCode":0}`, wantKind: kindMalformedResponse},
		{rule: "each cookie is its own Set-Cookie", payload: `{"statusCode":200,"cookies":["a=1","b=2; Path=/"]}`,
			wantStatus: 200, wantHeader: "Set-Cookie: a=1\nSet-Cookie: b=2; Path=/\nContent-Type: application/json\n"},
		{rule: "cookies that are not an array are ignored", payload: `{"statusCode":200,"cookies":"a=1"}`,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n"},
		{rule: "unknown keys and multiValueHeaders are ignored", payload: `{"statusCode":200,"multiValueHeaders":{"x":["1"]},"foo":1}`,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n"},
		{rule: "base64 is always decoded", payload: `{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`,
			wantStatus: 200, wantHeader: "Content-Type: application/json\n", wantBody: "hi"},
		{rule: "invalid base64 is an error", payload: `{"statusCode":200,"body":"%%","isBase64Encoded":true}`, wantKind: kindBadBase64},
		{rule: "not JSON is an error", payload: `Task timed out after 3.00 seconds`, wantKind: kindMalformedResponse},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			r, err := parseHTTPV2Response([]byte(c.payload), c.strip)
			checkReply(t, r, err, c.wantStatus, c.wantHeader, c.wantBody, c.wantKind)
		})
	}
}
