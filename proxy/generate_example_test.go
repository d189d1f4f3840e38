package proxy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/lambdalocal/lambdalocal/proxy"
)

// Generate the event an HTTP API sends for GET /items/42?color=red without running anything:
// the same code path as a request to the running proxy.
func ExampleServer_Event() {
	g, err := proxy.ParseGateway("routes.txt", strings.NewReader(`
api http
function items http://127.0.0.1:9000
GET /items/{id} items
`))
	if err != nil {
		panic(err)
	}
	s := &proxy.Server{Gateway: g}
	r, err := s.NewRequest("GET", "/items/42?color=red", http.Header{"Accept": {"application/json"}}, nil)
	if err != nil {
		panic(err)
	}
	ev, err := s.Event(r)
	if err != nil {
		panic(err)
	}
	var e struct {
		RouteKey       string            `json:"routeKey"`
		RawPath        string            `json:"rawPath"`
		RawQueryString string            `json:"rawQueryString"`
		PathParameters map[string]string `json:"pathParameters"`
		Headers        map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(ev.JSON, &e); err != nil {
		panic(err)
	}
	fmt.Println("function:", ev.Function)
	fmt.Println("routeKey:", e.RouteKey)
	fmt.Println("rawPath:", e.RawPath, "rawQueryString:", e.RawQueryString)
	fmt.Println("id:", e.PathParameters["id"])
	fmt.Println("host:", e.Headers["host"], "accept:", e.Headers["accept"])
	// Output:
	// function: items
	// routeKey: GET /items/{id}
	// rawPath: /items/42 rawQueryString: color=red
	// id: 42
	// host: 127.0.0.1:8080 accept: application/json
}
