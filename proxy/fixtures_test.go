package proxy

import (
	"context"
	"crypto/tls"
	"embed"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

//go:embed testdata/apigw-*.json
var fixtures embed.FS

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := fixtures.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withKeys returns the JSON document doc with extra keys set at dotted paths.
func withKeys(t *testing.T, doc []byte, set map[string]any) []byte {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	for path, val := range set {
		obj := v
		keys := splitDots(path)
		for _, k := range keys[:len(keys)-1] {
			obj = obj[k].(map[string]any)
		}
		if val == deleteKey {
			delete(obj, keys[len(keys)-1])
		} else {
			obj[keys[len(keys)-1]] = val
		}
	}
	out, _ := json.Marshal(v)
	return out
}

type deleteMarker struct{}

var deleteKey any = deleteMarker{}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func TestFixturesRoundTripThroughTheEventStructs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file string
		into func() any
		// added are the keys AWS always sends that the sample lacks; the proxy's structs emit
		// them, so the round trip adds them.
		added map[string]any
	}{
		{"apigw-request.json", func() any { return new(restEvent) },
			map[string]any{"isBase64Encoded": false, "requestContext.identity.principalOrgId": nil}},
		{"apigw-restapi-openapi-request.json", func() any { return new(restEvent) },
			map[string]any{"isBase64Encoded": false, "requestContext.identity.principalOrgId": nil}},
		{"apigw-v2-request-no-authorizer.json", func() any { return new(httpEvent) }, nil},
		{"apigw-v2-request-iam.json", func() any { return new(httpEvent) }, nil},
		{"apigw-v2-request-jwt-authorizer.json", func() any { return new(httpEvent) }, nil},
		{"apigw-v2-request-lambda-authorizer.json", func() any { return new(httpEvent) }, nil},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			raw := fixture(t, c.file)
			v := c.into()
			if err := json.Unmarshal(raw, v); err != nil {
				t.Fatal(err)
			}
			got, err := marshalEvent(v.(eventEncoder), 0)
			if err != nil {
				t.Fatal(err)
			}
			want := withKeys(t, raw, c.added)
			if !jsonEqual(t, got, want) {
				t.Errorf("round trip differs\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

func TestFixtureResponseParsesIntoTheHTTPResponse(t *testing.T) {
	t.Parallel()
	raw := fixture(t, "apigw-response.json")
	r, err := parseRESTResponse(raw, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var want events.APIGatewayProxyResponse
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if r.Status != want.StatusCode || string(r.Body) != want.Body {
		t.Errorf("got %d %q, want %d %q", r.Status, r.Body, want.StatusCode, want.Body)
	}
	// Every header of both maps goes out once (the maps hold the same pairs).
	got := map[string][]string{}
	for _, h := range r.Header {
		got[h.Name] = append(got[h.Name], h.Value)
	}
	delete(got, "Content-Type") // the default the gateway adds
	if !reflect.DeepEqual(got, want.MultiValueHeaders) {
		t.Errorf("headers\n got %v\nwant %v", got, want.MultiValueHeaders)
	}
}

// The proxy's own event for the request behind the real capture
// apigw-v2-request-no-authorizer.json (curl GET / from 1.2.3.4 over HTTPS, $default) is that
// capture, apart from the generated ids and the mTLS block it lacks locally.
func TestHTTPAPIEventEqualsTheRealCapture(t *testing.T) {
	t.Parallel()
	raw := fixture(t, "apigw-v2-request-no-authorizer.json")
	var capture events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &capture); err != nil {
		t.Fatal(err)
	}
	c := &capture2{}
	s := testServer(HTTP, c)
	s.APIID, s.AccountID = "aaaaaaaaaa", "123456789012"
	s.Now = func() time.Time { return time.UnixMilli(capture.RequestContext.TimeEpoch) }
	r := httptest.NewRequest("GET", "https://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/", nil)
	r.TLS = &tls.ConnectionState{}
	r.RemoteAddr = "1.2.3.4:40000"
	r.Header.Set("Accept", "*/*")
	r.Header.Set("User-Agent", "curl/7.58.0")
	r.Header.Set("X-Amzn-Trace-Id", capture.Headers["x-amzn-trace-id"])
	s.ServeHTTP(httptest.NewRecorder(), r)
	got := withKeys(t, c.event, map[string]any{"requestContext.requestId": capture.RequestContext.RequestID})
	want := withKeys(t, raw, map[string]any{"requestContext.authentication": deleteKey})
	if !jsonEqual(t, got, want) {
		t.Errorf("event differs from the capture\n got: %s\nwant: %s", got, want)
	}
}

// capture2 keeps the raw event.
type capture2 struct{ event []byte }

func (c *capture2) Invoke(_ context.Context, event []byte) ([]byte, error) {
	c.event = append([]byte(nil), event...)
	return []byte(`{"statusCode":200}`), nil
}

// Handlers using aws-lambda-go decode the proxy's events into its structs.
func TestEventsDecodeIntoAWSLambdaGoTypes(t *testing.T) {
	t.Parallel()
	rc := &capture2{}
	do(t, testServer(REST, rc), "POST", "/a/b?x=1", "body", "Content-Type", "text/plain")
	var e1 events.APIGatewayProxyRequest
	if err := json.Unmarshal(rc.event, &e1); err != nil || e1.Path != "/a/b" || e1.Body != "body" || e1.QueryStringParameters["x"] != "1" {
		t.Errorf("REST event: %v %+v", err, e1)
	}
	hc := &capture2{}
	do(t, testServer(HTTP, hc), "POST", "/a/b?x=1", "body", "Content-Type", "text/plain")
	var e2 events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(hc.event, &e2); err != nil || e2.RawPath != "/a/b" || e2.Body != "body" || e2.RequestContext.HTTP.Method != "POST" {
		t.Errorf("HTTP API event: %v %+v", err, e2)
	}
}
