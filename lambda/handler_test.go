package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
)

var (
	//go:embed testdata/apigw-request.json
	restEvent []byte
	//go:embed testdata/apigw-v2-request-no-authorizer.json
	httpEvent []byte
)

// withPath returns the fixture with its path fields (path and requestContext.path for payload
// 1.0, rawPath and requestContext.http.path for 2.0) set to path.
func withPath(t *testing.T, fixture []byte, path string) []byte {
	t.Helper()
	var e map[string]any
	if err := json.Unmarshal(fixture, &e); err != nil {
		t.Fatal(err)
	}
	rc := e["requestContext"].(map[string]any)
	if e["version"] == "2.0" {
		e["rawPath"] = path
		rc["http"].(map[string]any)["path"] = path
	} else {
		e["path"] = path
		rc["path"] = path
	}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// invoke runs handle through aws-lambda-go's own handler wrapper, as the runtime does.
func invoke(t *testing.T, event []byte) []byte {
	t.Helper()
	out, err := lambda.NewHandler(handle).Invoke(context.Background(), event)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	return out
}

func TestHandleAnswersEachPayloadVersionWithItsResponseType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fixture    []byte
		path       string
		wantType   string
		wantInBody string
	}{
		{"REST /json echoes the event", restEvent, "/items/json", "application/json", `"httpMethod":"POST"`},
		{"REST /dump spews the typed event", restEvent, "/dump", "text/plain; charset=utf-8", "events.APIGatewayProxyRequest"},
		{"REST other path greets", restEvent, "/hello", "text/plain; charset=utf-8", "Hello from lambdalocal"},
		{"HTTP API /json echoes the event", httpEvent, "/json", "application/json", `"routeKey":"$default"`},
		{"HTTP API /dump spews the typed event", httpEvent, "/a/dump", "text/plain; charset=utf-8", "events.APIGatewayV2HTTPRequest"},
		{"HTTP API other path greets", httpEvent, "/", "text/plain; charset=utf-8", "Hello from lambdalocal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			event := withPath(t, tt.fixture, tt.path)
			out := invoke(t, event)
			// Both response types share these fields; the v2 type has no multiValueHeaders.
			var resp struct {
				StatusCode        int                 `json:"statusCode"`
				Headers           map[string]string   `json:"headers"`
				MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
				Cookies           []string            `json:"cookies"`
				Body              string              `json:"body"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatalf("response is not JSON: %v\n%s", err, out)
			}
			if resp.StatusCode != 200 {
				t.Errorf("statusCode = %d, want 200", resp.StatusCode)
			}
			if got := resp.Headers["Content-Type"]; got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if !strings.Contains(resp.Body, tt.wantInBody) {
				t.Errorf("body does not contain %q:\n%s", tt.wantInBody, resp.Body)
			}
			if strings.HasSuffix(tt.path, "/json") && !jsonEqual(t, []byte(resp.Body), event) {
				t.Errorf("/json body is not the event it received:\n got %s\nwant %s", resp.Body, event)
			}
		})
	}
}

func TestHandleReturnsResponseTypeOfTheEventVersion(t *testing.T) {
	t.Parallel()
	// events.APIGatewayV2HTTPResponse has a cookies field; events.APIGatewayProxyResponse has not.
	keys := func(event []byte) map[string]json.RawMessage {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(invoke(t, event), &fields); err != nil {
			t.Fatal(err)
		}
		return fields
	}
	if _, ok := keys(withPath(t, restEvent, "/"))["cookies"]; ok {
		t.Error("payload 1.0 event got a payload 2.0 response (it has cookies)")
	}
	if _, ok := keys(withPath(t, httpEvent, "/"))["cookies"]; !ok {
		t.Error("payload 2.0 event got a payload 1.0 response (no cookies field)")
	}
}

func TestHandleRejectsANonObjectEvent(t *testing.T) {
	t.Parallel()
	_, err := lambda.NewHandler(handle).Invoke(context.Background(), []byte(`[1,2]`))
	if err == nil || !strings.Contains(err.Error(), "decoding") {
		t.Fatalf("Invoke error = %v, want a decoding error", err)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return string(xs) == string(ys)
}
