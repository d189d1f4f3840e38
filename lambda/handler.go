package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/davecgh/go-spew/spew"
)

// handle answers an API Gateway event of either payload version with the response type of the
// same version. The version is told by the event's "version" field: "2.0" is an HTTP API
// payload 2.0 event, anything else (absent on REST APIs, "1.0" on HTTP APIs) is payload 1.0.
func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("decoding event: %w", err)
	}
	if probe.Version == "2.0" {
		var e events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("decoding payload 2.0 event: %w", err)
		}
		r := respond(e.RawPath, raw, e)
		return events.APIGatewayV2HTTPResponse{StatusCode: r.status, Headers: r.headers, Body: r.body}, nil
	}
	var e events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, fmt.Errorf("decoding payload 1.0 event: %w", err)
	}
	r := respond(e.Path, raw, e)
	return events.APIGatewayProxyResponse{StatusCode: r.status, Headers: r.headers, Body: r.body}, nil
}

type reply struct {
	status  int
	headers map[string]string
	body    string
}

// respond picks the answer by the request path: the raw event for /json, a typed dump of the
// decoded event for /dump, a greeting otherwise.
func respond(path string, raw json.RawMessage, decoded any) reply {
	switch {
	case strings.HasSuffix(path, "/json"):
		return reply{200, map[string]string{"Content-Type": "application/json"}, string(raw)}
	case strings.HasSuffix(path, "/dump"):
		cfg := spew.ConfigState{Indent: "  ", DisablePointerAddresses: true, SortKeys: true}
		return reply{200, map[string]string{"Content-Type": "text/plain; charset=utf-8"}, cfg.Sdump(decoded)}
	default:
		return reply{200, map[string]string{"Content-Type": "text/plain; charset=utf-8"}, "Hello from lambdalocal! Try /json or /dump.\n"}
	}
}
