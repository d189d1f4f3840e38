package proxy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"

	"github.com/lambdalocal/lambdalocal/proxy"
)

// A REST API in front of a function that answers with the path it was sent: the event has the
// path without the stage, requestContext.path with it, and the gateway adds its own headers to
// the answer.
func Example() {
	fn := proxy.InvokerFunc(func(_ context.Context, event []byte) ([]byte, error) {
		var e struct {
			Path           string            `json:"path"`
			Query          map[string]string `json:"queryStringParameters"`
			RequestContext struct {
				Path  string `json:"path"`
				Stage string `json:"stage"`
			} `json:"requestContext"`
		}
		if err := json.Unmarshal(event, &e); err != nil {
			return nil, err
		}
		body := fmt.Sprintf("path=%s stage=%s contextPath=%s x=%s", e.Path, e.RequestContext.Stage, e.RequestContext.Path, e.Query["x"])
		return json.Marshal(map[string]any{"statusCode": "201", "headers": map[string]string{"Content-Type": "text/plain"}, "body": body})
	})
	g := proxy.DefaultGateway(proxy.REST, "http://127.0.0.1:9000")
	s := &proxy.Server{Gateway: g, Invokers: map[string]proxy.Invoker{"function": fn}, AccessLog: io.Discard}

	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/items/42?x=1&x=2", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(w.Body)

	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	fmt.Println(w.Code)
	// Output:
	// 201 text/plain
	// path=/items/42 stage=Prod contextPath=/Prod/items/42 x=2
	// 201
}

// An HTTP API answers a route it does not know with 404, and a function error with 500.
func ExampleServer_errors() {
	fn := proxy.InvokerFunc(func(context.Context, []byte) ([]byte, error) {
		return []byte(`{"errorMessage":"boom","errorType":"Error"}`), nil
	})
	g := proxy.DefaultGateway(proxy.HTTP, "http://127.0.0.1:9000")
	g.Routes = []proxy.Route{{Key: "GET /items", Method: "GET", Path: "/items", Function: "function"}}
	s := &proxy.Server{Gateway: g, Invokers: map[string]proxy.Invoker{"function": fn}, AccessLog: io.Discard}
	for _, target := range []string{"/nope", "/items"} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		fmt.Println(w.Code, w.Body)
	}
	// Output:
	// 404 {"message":"Not Found"}
	// 500 {"message":"Internal Server Error"}
}
